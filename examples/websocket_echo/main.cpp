// A WebSocket echo server on /ws: every message comes back unchanged, text as text and binary
// as binary. The conformance target of the tests. PER_MESSAGE_DEFLATE=1 turns on
// permessage-deflate (no context takeover); MAX_PAYLOAD sets max_payload_length in bytes.
#include <pulsarcpp/pulsarcpp.hpp>

#include <cstdlib>
#include <string>

using namespace pulsarcpp;

namespace {
bool env_flag(const char* name) {
  const char* value = std::getenv(name);
  return value && std::string(value) == "1";
}
}  // namespace

int main() {
  const char* max_payload = std::getenv("MAX_PAYLOAD");
  return start({
      .routes = {router::get("/", [](Context&) { return text("WebSocket echo on /ws"); })},
      .websocket =
          {
              .message =
                  [](auto& ws, Message message) {
                    if (message.binary) {
                      ws.send_binary(message.data, true);
                    } else {
                      ws.send_text(message.data, true);
                    }
                  },
              .max_payload_length = max_payload ? std::stoul(max_payload) : 16 * 1024 * 1024,
              .per_message_deflate = {.enabled = env_flag("PER_MESSAGE_DEFLATE")},
          },
  });
}
