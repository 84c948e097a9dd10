// The HTTP side of WebSocket endpoints: middleware before the upgrade, can_upgrade and upgrade
// (plain and coroutine), the refusals of a bad handshake, subprotocols, paths, and App::handle.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "pulsarcpp/pulsarcpp.hpp"
#include "support/raw_client.hpp"
#include "support/ws_client.hpp"
#include "support/ws_server.hpp"

namespace pulsarcpp {
namespace {

using namespace std::chrono_literals;
using test::EventLog;
using test::RawClient;
using test::upgrade_request;
using test::WsClient;
using Data = std::string;
using WS = WebSocket<Data>;
using Behavior = WebSocketBehavior<Data>;
using TestServer = test::WsTestServer<Data>;

// Sends `request` on a fresh connection and returns the answer.
std::optional<test::HttpResponse> ask(std::uint16_t port, const std::string& request) {
  RawClient client(port);
  if (!client.connected() || !client.send(request)) return std::nullopt;
  return client.read_response();
}

Behavior echo_behavior() {
  return {.message = [](WS& ws, Message m) { ws.send(m.data); }};
}

TEST(WebSocketUpgradeTest, MiddlewareRunsBeforeTheUpgradeAndCanStopIt) {
  EventLog log;
  TestServer server({
      .middlewares = {[&](Context& ctx, Next next) -> Task<Response> {
        log.add("middleware");
        if (ctx.header("x-limit") == "over") co_return error(429);
        ctx.set(std::string("from middleware"));
        ctx.add_response_header("X-Middleware", "ran");
        co_return co_await next();
      }},
      .websocket =
          {
              .open =
                  [&](WS& ws) {
                    log.add("open");
                    ws.send(ws.data());
                  },
              .options = {
                  .can_upgrade =
                      [&](Context&) {
                        log.add("can_upgrade");
                        return true;
                      },
                  .upgrade =
                      [&](Context& ctx) {
                        log.add("upgrade");
                        const std::string* value = ctx.get<std::string>();
                        return UpgradeResult<Data>{.data = value ? *value : "none"};
                      },
              },
          },
  });
  auto refused = ask(server.port(), upgrade_request("/ws", "X-Limit: over\r\n"));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 429);
  EXPECT_EQ(refused->body, "Too Many Requests");
  ASSERT_TRUE(log.wait_size(1));
  EXPECT_EQ(log.events(), std::vector<std::string>{"middleware"});

  WsClient client(server.port());
  ASSERT_TRUE(client.open());
  EXPECT_EQ(client.handshake().header("X-Middleware"), "ran");
  EXPECT_EQ(client.next_text(), "from middleware");
  EXPECT_EQ(log.events(), (std::vector<std::string>{"middleware", "middleware", "can_upgrade",
                                                    "upgrade", "open"}));
}

TEST(WebSocketUpgradeTest, CanUpgradeFalseAnswers403Forbidden) {
  EventLog log;
  TestServer server(
      {.websocket = {
           .open = [&](WS&) { log.add("open"); },
           .options = {.can_upgrade = [](Context& ctx) { return ctx.query("token") == "secret"; }},
       }});
  auto refused = ask(server.port(), upgrade_request("/ws?token=wrong"));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  EXPECT_EQ(refused->body, "Forbidden");
  EXPECT_FALSE(refused->header("Sec-WebSocket-Accept"));

  WsClient allowed(server.port(), {.path = "/ws?token=secret"});
  ASSERT_TRUE(allowed.open());
  ASSERT_TRUE(log.wait_for("open"));
  EXPECT_EQ(log.size(), 1u);
}

TEST(WebSocketUpgradeTest, CanUpgradeAndUpgradeMayBeCoroutines) {
  EventLog log;
  TestServer server({.websocket = {
                         .open = [](WS& ws) { ws.send("data=" + ws.data()); },
                         .options = {
                             .can_upgrade = [&](Context& ctx) -> Task<bool> {
                               co_await sleep_for(20ms);
                               log.add("can_upgrade");
                               co_return !ctx.query("deny");
                             },
                             .upgrade = [&](Context& ctx) -> Task<UpgradeResult<Data>> {
                               co_await sleep_for(20ms);
                               log.add("upgrade");
                               co_return UpgradeResult<Data>{
                                   .headers = {{"X-Async", "yes"}},
                                   .data = ctx.query("name").value_or("?")};
                             },
                         },
                     }});
  WsClient client(server.port(), {.path = "/ws?name=cora"});
  ASSERT_TRUE(client.open());
  EXPECT_EQ(client.handshake().header("X-Async"), "yes");
  EXPECT_EQ(client.next_text(), "data=cora");

  auto refused = ask(server.port(), upgrade_request("/ws?deny=1"));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  EXPECT_EQ(log.events(), (std::vector<std::string>{"can_upgrade", "upgrade", "can_upgrade"}));
}

TEST(WebSocketUpgradeTest, UpgradeHeadersGoIntoThe101) {
  TestServer server({.websocket = {
                         .open = [](WS&) {},
                         .options = {.upgrade =
                                         [](Context&) {
                                           return UpgradeResult<Data>{
                                               .headers = {{"Set-Cookie", "sid=abc; Path=/"},
                                                           {"Set-Cookie", "theme=dark"},
                                                           {"X-Custom", "1"}}};
                                         }},
                     }});
  WsClient client(server.port());
  ASSERT_TRUE(client.open());
  const auto& answer = client.handshake();
  EXPECT_EQ(answer.status, 101);
  EXPECT_EQ(answer.header_count("Set-Cookie"), 2u);
  EXPECT_NE(answer.raw.find("Set-Cookie: sid=abc; Path=/\r\n"), std::string::npos) << answer.raw;
  EXPECT_NE(answer.raw.find("Set-Cookie: theme=dark\r\n"), std::string::npos);
  EXPECT_EQ(answer.header("X-Custom"), "1");
  EXPECT_EQ(answer.header("Upgrade"), "websocket");
  EXPECT_TRUE(test::iequal(answer.header("Connection").value_or(""), "Upgrade"));
  EXPECT_EQ(answer.header("Sec-WebSocket-Accept"), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  EXPECT_FALSE(answer.header("Content-Length"));
  EXPECT_FALSE(answer.header("Transfer-Encoding"));
}

TEST(WebSocketUpgradeTest, PlainGetWithoutUpgradeHeadersAnswers426) {
  TestServer server({.websocket = echo_behavior()});
  auto answer = ask(server.port(), test::get_request("/ws"));
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 426);
  EXPECT_EQ(answer->header("Upgrade"), "websocket");
}

TEST(WebSocketUpgradeTest, OtherVersionAnswers426WithVersion13) {
  TestServer server({.websocket = echo_behavior()});
  std::string request = upgrade_request();
  request.replace(request.find("Version: 13"), 11, "Version: 12");
  auto answer = ask(server.port(), request);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 426);
  EXPECT_EQ(answer->header("Sec-WebSocket-Version"), "13");
  EXPECT_FALSE(answer->header("Sec-WebSocket-Accept"));
}

TEST(WebSocketUpgradeTest, BadHandshakesAnswer400Or405) {
  TestServer server({.websocket = echo_behavior()});
  auto bad_key = ask(server.port(), upgrade_request("/ws", {}, "not-a-key"));
  ASSERT_TRUE(bad_key);
  EXPECT_EQ(bad_key->status, 400);

  auto missing_key = ask(server.port(),
                         "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: "
                         "Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n");
  ASSERT_TRUE(missing_key);
  EXPECT_EQ(missing_key->status, 400);

  std::string no_connection = upgrade_request();
  no_connection.replace(no_connection.find("Connection: Upgrade"), 19, "Connection: close");
  auto answer = ask(server.port(), no_connection);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 400);

  std::string post = upgrade_request();
  post.replace(0, 3, "POST");
  answer = ask(server.port(), post);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 405);
  EXPECT_EQ(answer->header("Allow"), "GET");
}

TEST(WebSocketUpgradeTest, HandshakeHeadersAreCaseInsensitiveAndListsAreAccepted) {
  TestServer server({.websocket = echo_behavior()});
  RawClient client(server.port());
  ASSERT_TRUE(client.send(
      "GET /ws HTTP/1.1\r\nhost: x\r\nupgrade: WebSocket\r\nconnection: keep-alive, Upgrade\r\n"
      "sec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"));
  auto answer = client.read_response();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 101);
}

TEST(WebSocketUpgradeTest, SubprotocolIsChosenByTheServersPreference) {
  TestServer server(
      {.websocket = {
           .open = [](WS& ws) { ws.send("protocol=" + std::string(ws.subprotocol())); },
           .subprotocols = {"chat.v2", "chat.v1"},
       }});
  WsClient both(server.port(), {.extra_headers = "Sec-WebSocket-Protocol: chat.v1, chat.v2\r\n"});
  ASSERT_TRUE(both.open());
  EXPECT_EQ(both.handshake().header("Sec-WebSocket-Protocol"), "chat.v2");
  EXPECT_EQ(both.next_text(), "protocol=chat.v2");

  WsClient split(server.port(), {.extra_headers = "Sec-WebSocket-Protocol: other\r\n"
                                                  "Sec-WebSocket-Protocol: chat.v1\r\n"});
  ASSERT_TRUE(split.open());
  EXPECT_EQ(split.handshake().header("Sec-WebSocket-Protocol"), "chat.v1");
  EXPECT_EQ(split.next_text(), "protocol=chat.v1");

  WsClient unknown(server.port(), {.extra_headers = "Sec-WebSocket-Protocol: mqtt\r\n"});
  ASSERT_TRUE(unknown.open());
  EXPECT_FALSE(unknown.handshake().header("Sec-WebSocket-Protocol"));
  EXPECT_EQ(unknown.next_text(), "protocol=");

  WsClient none(server.port());
  ASSERT_TRUE(none.open());
  EXPECT_FALSE(none.handshake().header("Sec-WebSocket-Protocol"));
}

TEST(WebSocketUpgradeTest, CustomPathAndSeveralEndpointsEachOnTheirOwnPath) {
  auto endpoint = [](std::string path, std::string name) {
    return Behavior{
        .path = std::move(path),
        .open = [name](WS& ws) { ws.send(name); },
        .message = [name](WS& ws, Message m) { ws.send(name + ":" + std::string(m.data)); }};
  };
  TestServer server({
      .routes = {router::get("/", [](Context&) { return text("home"); })},
      .websocket = endpoint("/live", "live"),
      .websockets = {endpoint("/a", "a"), endpoint("/b/c", "bc")},
  });
  for (auto [path, name] : std::vector<std::pair<std::string, std::string>>{
           {"/live", "live"}, {"/a", "a"}, {"/b/c", "bc"}}) {
    WsClient client(server.port(), {.path = path});
    ASSERT_TRUE(client.open()) << path;
    EXPECT_EQ(client.next_text(), name);
    ASSERT_TRUE(client.send_text("x"));
    EXPECT_EQ(client.next_text(), name + ":x");
  }
  auto not_ws = ask(server.port(), upgrade_request("/ws"));
  ASSERT_TRUE(not_ws);
  EXPECT_EQ(not_ws->status, 404);
  auto home = ask(server.port(), test::get_request("/"));
  ASSERT_TRUE(home);
  EXPECT_EQ(home->body, "home");
}

TEST(WebSocketUpgradeTest, BadEndpointConfigurationsAreStartErrors) {
  EXPECT_THROW(Server(BasicOptions<Data>{.websockets = {{.path = "/x", .open = [](WS&) {}},
                                                        {.path = "/x", .open = [](WS&) {}}}}),
               StartError);
  // The main endpoint is on /ws unless told otherwise.
  EXPECT_THROW(Server(BasicOptions<Data>{.websocket = {.open = [](WS&) {}},
                                         .websockets = {{.open = [](WS&) {}}}}),
               StartError);
  EXPECT_THROW(Server(BasicOptions<Data>{.websocket = {.path = "ws", .open = [](WS&) {}}}),
               StartError);
  EXPECT_NO_THROW(Server(BasicOptions<Data>{.websocket = {.open = [](WS&) {}},
                                            .websockets = {{.path = "/y", .open = [](WS&) {}}}}));
}

TEST(WebSocketUpgradeTest, AppHandleAnswers101WithTheHeadersWithoutASocket) {
  EventLog log;
  App app(BasicOptions<Data>{
      .websocket = {
          .open = [&](WS&) { log.add("open"); },
          .options = {
              .can_upgrade = [](Context& ctx) { return !ctx.query("deny"); },
              .upgrade = [](Context&) -> Task<UpgradeResult<Data>> {
                co_await sleep_for(5ms);
                co_return UpgradeResult<Data>{.headers = {{"Set-Cookie", "sid=1"}}};
              },
          },
      }});
  const Headers handshake = {{"Upgrade", "websocket"},
                             {"Connection", "Upgrade"},
                             {"Sec-WebSocket-Version", "13"},
                             {"Sec-WebSocket-Key", std::string(test::kSampleKey)}};
  Response accepted = app.handle({.target = "/ws", .headers = handshake});
  EXPECT_EQ(accepted.status, 101);
  EXPECT_EQ(accepted.header("Upgrade"), "websocket");
  EXPECT_EQ(accepted.header("Sec-WebSocket-Accept"), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  EXPECT_EQ(accepted.header("Set-Cookie"), "sid=1");
  EXPECT_FALSE(accepted.upgrade);

  Response denied = app.handle({.target = "/ws?deny=1", .headers = handshake});
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.body, "Forbidden");

  Response plain = app.handle({.target = "/ws"});
  EXPECT_EQ(plain.status, 426);
  EXPECT_EQ(log.size(), 0u);
}

TEST(WebSocketUpgradeTest, FramesSentWithTheUpgradeRequestAreNotLost) {
  std::string early = test::masked_frame(ws::Opcode::text, "first");
  early += test::masked_frame(ws::Opcode::ping, "p");
  early += test::masked_frame(ws::Opcode::binary, "second");
  // Half a frame: the rest follows later.
  const std::string third = test::masked_frame(ws::Opcode::text, "third");
  early += third.substr(0, 4);
  TestServer server({.websocket = echo_behavior()});
  WsClient client(server.port(), {.early_data = early});
  ASSERT_TRUE(client.open());
  EXPECT_EQ(client.next_text(), "first");
  auto pong = client.next_frame();
  ASSERT_TRUE(pong);
  EXPECT_EQ(pong->opcode, ws::Opcode::pong);
  EXPECT_EQ(pong->payload, "p");
  EXPECT_EQ(client.next_text(), "second");
  ASSERT_TRUE(client.send_raw(third.substr(4)));
  EXPECT_EQ(client.next_text(), "third");
}

TEST(WebSocketUpgradeTest, FramesSentWithACoroutineUpgradeAreNotLost) {
  // The upgrade suspends, so the frames wait in the HTTP connection's buffer meanwhile.
  TestServer server({.websocket = {
                         .message = [](WS& ws, Message m) { ws.send(m.data); },
                         .options = {.upgrade = [](Context&) -> Task<UpgradeResult<Data>> {
                           co_await sleep_for(30ms);
                           co_return UpgradeResult<Data>{};
                         }},
                     }});
  WsClient client(server.port(), {.early_data = test::masked_frame(ws::Opcode::text, "early")});
  ASSERT_TRUE(client.open());
  EXPECT_EQ(client.next_text(), "early");
}

TEST(WebSocketUpgradeTest, RefusedUpgradeKeepsTheHttpConnectionUsable) {
  TestServer server({
      .routes = {router::get("/ok", [](Context&) { return text("ok"); })},
      .websocket = {.open = [](WS&) {}, .options = {.can_upgrade = [](Context&) { return false; }}},
  });
  RawClient client(server.port());
  ASSERT_TRUE(client.send(upgrade_request() + test::get_request("/ok")));
  auto answers = client.read_responses(2);
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers[0].status, 403);
  EXPECT_EQ(answers[1].status, 200);
  EXPECT_EQ(answers[1].body, "ok");
}

}  // namespace
}  // namespace pulsarcpp
