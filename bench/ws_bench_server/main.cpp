// The WebSocket benchmark server: the twin of bench/peer/ws_server.ts (Bun + Pulsar), so
// bench/run_ws compares like with like. One endpoint, /ws, whose behaviour the query's `role`
// picks:
//
//   (none)     echo: every message comes back to its sender, text as text, binary as binary
//              (W1 echo, W3 idle, W4 storm)
//   role=sub   subscribes to the topic "fanout" on open (W2 subscribers)
//   role=pub   publishes every message to "fanout" (W2 publisher; publish skips the sender)
//   role=all   both: subscribes, and publishes every message (ws_load's all-to-all mode)
//
//   PORT       port to listen on (3000 when unset, as Pulsar)
//   THREADS    event loop threads; 1 when unset (the per-core figures), 0 = every CPU

#include <pulsarcpp/pulsarcpp.hpp>
#include <string>
#include <string_view>

#include "../lib/env_unsigned.hpp"

using namespace pulsarcpp;

namespace {

enum class Role { echo, sub, pub, all };

constexpr std::string_view kTopic = "fanout";

Role role_of(Context& ctx) {
  const auto role = ctx.query("role");
  if (!role) return Role::echo;
  if (*role == "sub") return Role::sub;
  if (*role == "pub") return Role::pub;
  if (*role == "all") return Role::all;
  return Role::echo;
}

}  // namespace

int main() {
  const auto threads = bench::env_unsigned("ws_bench_server", "THREADS", 1);
  if (!threads) return 2;
  return start<Role>({
      .port = default_port(),
      .hostname = "127.0.0.1",
      .routes = {router::get("/", [](Context&) { return text("WebSocket benchmark on /ws"); })},
      .websocket = {
          .open =
              [](auto& ws) {
                if (ws.data() == Role::sub || ws.data() == Role::all) ws.subscribe(kTopic);
              },
          .message =
              [](auto& ws, Message message) {
                if (ws.data() == Role::echo) {
                  if (message.binary) {
                    ws.send_binary(message.data);
                  } else {
                    ws.send_text(message.data);
                  }
                } else if (ws.data() != Role::sub) {
                  if (message.binary) {
                    ws.publish_binary(kTopic, message.data);
                  } else {
                    ws.publish_text(kTopic, message.data);
                  }
                }
              },
          .options = {.upgrade =
                          [](Context& ctx) { return UpgradeResult<Role>{.data = role_of(ctx)}; }},
      },
      .threads = *threads,
  });
}
