// Bun's ServerWebSocket API on a real server: a Server with one loop thread and raw masked-frame
// clients (tests/unit/support/ws_client.hpp). Handlers run on the loop thread; they report to an
// EventLog that the test waits on with deadlines.

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "pulsarcpp/pulsarcpp.hpp"
#include "support/ws_client.hpp"
#include "support/ws_server.hpp"

namespace pulsarcpp {
namespace {

using namespace std::chrono_literals;
using test::EventLog;
using test::eventually;
using test::WsClient;
using test::WsClientOptions;
using test::WsFrame;
using Data = std::string;
using WS = WebSocket<Data>;
using Behavior = WebSocketBehavior<Data>;
using TestServer = test::WsTestServer<Data>;

BasicOptions<Data> with(Behavior behavior) {
  return {.websocket = std::move(behavior), .shutdown_timeout = 2s};
}

std::string describe_close(int code, std::string_view reason) {
  return "close:" + std::to_string(code) + ":" + std::string(reason);
}

// A close handler that logs "close:<code>:<reason>".
auto log_close(EventLog& log) {
  return [&log](WS&, int code, std::string_view reason) { log.add(describe_close(code, reason)); };
}

// Makes sure the loop has handled everything before: another client's round trip on the same
// (single) loop thread. The probe is returned open, so that its own close comes later.
std::unique_ptr<WsClient> round_trip(std::uint16_t port) {
  auto probe = std::make_unique<WsClient>(port);
  EXPECT_TRUE(probe->open());
  EXPECT_TRUE(probe->send_ping("sync"));
  auto pong = probe->next_frame();
  EXPECT_TRUE(pong && pong->opcode == ws::Opcode::pong);
  return probe;
}

TEST(WebSocketApiTest, OpenMessageAndCloseRunInOrder) {
  EventLog log;
  TestServer server(with({
      .open = [&](WS&) { log.add("open"); },
      .message = [&](WS&, Message m) { log.add("message:" + std::string(m.data)); },
      .close = log_close(log),
  }));
  WsClient client(server.port());
  ASSERT_TRUE(client.open());
  EXPECT_EQ(client.handshake().header("Upgrade"), "websocket");
  ASSERT_TRUE(client.send_text("hi"));
  ASSERT_TRUE(client.send_close(1000, "bye"));
  auto echo = client.next_frame();
  ASSERT_TRUE(echo);
  EXPECT_TRUE(echo->is_close());
  EXPECT_FALSE(echo->masked);
  EXPECT_EQ(echo->close_code(), 1000);
  EXPECT_TRUE(client.wait_closed());
  ASSERT_TRUE(log.wait_size(3));
  EXPECT_EQ(log.events(), (std::vector<std::string>{"open", "message:hi", "close:1000:bye"}));
}

TEST(WebSocketApiTest, MessageTellsTextFromBinary) {
  EventLog log;
  TestServer server(with({
      .message =
          [&](WS& ws, Message m) {
            log.add(std::string(m.binary ? "binary:" : "text:") + std::to_string(m.data.size()));
            if (m.binary) {
              ws.send_binary(m.data);
            } else {
              ws.send_text(m.data);
            }
          },
  }));
  WsClient client(server.port());
  ASSERT_TRUE(client.open());
  const std::string bytes("\x00\xff\x80\x01", 4);
  ASSERT_TRUE(client.send_binary(bytes));
  ASSERT_TRUE(client.send_text("h\xc3\xa9llo"));
  auto first = client.next_data();
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->is_binary());
  EXPECT_EQ(first->payload, bytes);
  auto second = client.next_data();
  ASSERT_TRUE(second);
  EXPECT_TRUE(second->is_text());
  EXPECT_EQ(second->payload, "h\xc3\xa9llo");
  EXPECT_EQ(log.events(), (std::vector<std::string>{"binary:4", "text:6"}));
}

TEST(WebSocketApiTest, FragmentedMessageArrivesWhole) {
  EventLog log;
  TestServer server(with({.message = [&](WS& ws, Message m) { ws.send(m.data); }}));
  WsClient client(server.port());
  ASSERT_TRUE(client.open());
  ASSERT_TRUE(client.send_frame(ws::Opcode::text, "frag", false));
  ASSERT_TRUE(client.send_ping("in-between"));
  ASSERT_TRUE(client.send_frame(ws::Opcode::continuation, "mented", true));
  auto pong = client.next_frame();
  ASSERT_TRUE(pong);
  EXPECT_EQ(pong->opcode, ws::Opcode::pong);
  EXPECT_EQ(client.next_text(), "fragmented");
}

TEST(WebSocketApiTest, SendReturnsTheBytesQueuedAndZeroOnceClosing) {
  EventLog log;
  TestServer server(with({
      .message =
          [&](WS& ws, Message) {
            log.add("text:" + std::to_string(ws.send("hello")));
            log.add("text2:" + std::to_string(ws.send_text("world")));
            log.add("binary:" + std::to_string(ws.send_binary(std::string(1000, 'x'))));
            ws.close();
            log.add("after-close:" + std::to_string(ws.send("late")));
            log.add("after-close-binary:" + std::to_string(ws.send_binary("late")));
          },
      .close = [&](WS& ws, int,
                   std::string_view) { log.add("in-close:" + std::to_string(ws.send("gone"))); },
  }));
  WsClient client(server.port());
  ASSERT_TRUE(client.open());
  ASSERT_TRUE(client.send_text("go"));
  EXPECT_EQ(client.next_text(), "hello");
  EXPECT_EQ(client.next_text(), "world");
  auto binary = client.next_data();
  ASSERT_TRUE(binary);
  EXPECT_TRUE(binary->is_binary());
  EXPECT_EQ(binary->payload, std::string(1000, 'x'));
  auto close = client.next_data();
  ASSERT_TRUE(close);
  ASSERT_TRUE(close->is_close());
  EXPECT_EQ(close->close_code(), 1000);
  EXPECT_EQ(close->close_reason(), "");
  ASSERT_TRUE(client.send_close(1000));
  EXPECT_TRUE(client.wait_closed());
  ASSERT_TRUE(log.wait_for("in-close:0"));
  EXPECT_EQ(log.events(),
            (std::vector<std::string>{"text:5", "text2:5", "binary:1000", "after-close:0",
                                      "after-close-binary:0", "in-close:0"}));
  // Nothing but the close frame followed.
  EXPECT_TRUE(client.raw().buffer().empty());
}

// After the server's close frame nothing else may go out: not a pong for the client's ping,
// nor a ping or pong the application sends.
TEST(WebSocketApiTest, NothingFollowsTheServersCloseFrame) {
  EventLog log;
  TestServer server(with({
      .message =
          [&](WS& ws, Message) {
            ws.close(1000, "bye");
            log.add("ping:" + std::to_string(ws.ping("p")));
            log.add("pong:" + std::to_string(ws.pong("p")));
          },
      .close = log_close(log),
      .ping = [&](WS&, std::string_view) { log.add("ping handler"); },
  }));
  WsClient client(server.port());
  ASSERT_TRUE(client.open());
  ASSERT_TRUE(client.send_text("go"));
  auto close = client.next_frame();
  ASSERT_TRUE(close);
  ASSERT_TRUE(close->is_close());
  ASSERT_TRUE(client.send_ping("late"));  // crosses the close frame on the wire
  ASSERT_TRUE(client.send_close(1000));
  EXPECT_TRUE(client.wait_closed());
  EXPECT_FALSE(client.next_frame(0ms)) << "a frame followed the close frame";
  ASSERT_TRUE(log.wait_prefix("close:").starts_with("close:1000"));
  EXPECT_EQ(log.count("ping:0"), 1u);
  EXPECT_EQ(log.count("pong:0"), 1u);
  EXPECT_EQ(log.count("ping handler"), 0u);
}

// A client may not send after its close frame (RFC 6455 §5.5.1); one that does still gets what
// the server sent before it closed. The server's last segment (the echo and its close frame)
// waits for the FIN to join it, and a close with the client's bytes unread is a reset, which
// would discard it. Bytes keep coming from a second thread, so some arrive unread in time.
TEST(WebSocketApiTest, AClientSendingAfterItsCloseFrameStillGetsTheServersLastFrames) {
  TestServer server(with({.message = [](WS& ws, Message m) { ws.send(m.data); }}));
  for (int attempt = 0; attempt < 200; ++attempt) {
    WsClient client(server.port());
    ASSERT_TRUE(client.open());
    ASSERT_TRUE(client.send_raw(test::masked_frame(ws::Opcode::text, "hi") +
                                test::masked_frame(ws::Opcode::close, test::close_payload(1000))));
    std::atomic<bool> done = false;
    std::thread late_sender([&] {
      const std::string garbage(512, 'x');
      const auto deadline = std::chrono::steady_clock::now() + 2s;
      while (!done && std::chrono::steady_clock::now() < deadline) {
        const ssize_t n =
            ::send(client.raw().fd(), garbage.data(), garbage.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno != EAGAIN) break;  // the server has closed
      }
    });
    const auto echo = client.next_frame();
    const auto close = client.next_frame();
    done = true;
    late_sender.join();
    ASSERT_TRUE(echo && echo->is_text() && echo->payload == "hi") << "attempt " << attempt;
    ASSERT_TRUE(close && close->is_close() && close->close_code() == 1000) << "attempt " << attempt;
  }
}

// As in uWebSockets (so in Bun), only what is already queued decides: a message as large as the
// limit goes out on an idle socket, and the next one, sent while it is still queued, is
// dropped. A sender told 0 then gets drain once the queue has gone out.
TEST(WebSocketApiTest, BackpressureLimitCountsWhatIsQueuedNotTheNewMessage) {
  EventLog log;
  const std::string big(100 * 1024, 'z');
  TestServer server(with({
      .message =
          [&](WS& ws, Message m) {
            if (m.data == "marker") {
              ws.send_text("marker");
              return;
            }
            log.add("first:" + std::to_string(ws.send_binary(big)));
            log.add("second:" + std::to_string(ws.send_binary(big)));
          },
      .drain = [&](WS& ws) { log.add("drain:" + std::to_string(ws.buffered_amount())); },
      .backpressure_limit = 64 * 1024,
  }));
  WsClient client(server.port());
  ASSERT_TRUE(client.open());
  ASSERT_TRUE(client.send_text("go"));
  auto frame = client.next_data(10s);
  ASSERT_TRUE(frame);
  EXPECT_TRUE(frame->is_binary());
  EXPECT_EQ(frame->payload.size(), big.size());
  EXPECT_TRUE(log.wait_for("drain:0"));
  EXPECT_EQ(log.count("first:" + std::to_string(big.size())), 1u);
  EXPECT_EQ(log.count("second:0"), 1u);
  // Whatever comes next follows the first message directly: the dropped one never went out.
  ASSERT_TRUE(client.send_text("marker"));
  EXPECT_EQ(client.next_text(), "marker");
}

// As Bun: publish returns the message size when someone else is subscribed, else 0.
TEST(WebSocketApiTest, PublishReturnsZeroWhenNobodyElseListens) {
  EventLog log;
  TestServer server(with({
      .message =
          [&](WS& ws, Message m) {
            if (m.data == "join") {
              ws.subscribe("room");
              return;
            }
            log.add("nobody:" + std::to_string(ws.publish("empty", "x")));
            log.add("room:" + std::to_string(ws.publish("room", "hello")));
          },
  }));
  WsClient first(server.port());
  ASSERT_TRUE(first.open());
  ASSERT_TRUE(first.send_text("join"));
  ASSERT_TRUE(eventually([&] { return server.server().subscriber_count("room") == 1; }));
  // The only subscriber publishing: nobody else receives it.
  ASSERT_TRUE(first.send_text("go"));
  ASSERT_TRUE(log.wait_size(2));
  EXPECT_EQ(log.events(), (std::vector<std::string>{"nobody:0", "room:0"}));
  // Another socket publishing to the room reaches the first one.
  WsClient second(server.port());
  ASSERT_TRUE(second.open());
  ASSERT_TRUE(second.send_text("go"));
  ASSERT_TRUE(log.wait_size(4));
  EXPECT_EQ(log.events()[2], "nobody:0");
  EXPECT_EQ(log.events()[3], "room:5");
  EXPECT_EQ(first.next_text(), "hello");
  EXPECT_EQ(server.server().publish("room", "abc"), 3u);
  EXPECT_EQ(server.server().publish("empty", "abc"), 0u);
}

// RFC 6455 §5.6: a client fails the connection on a text message that is not UTF-8 (1007), so
// the library refuses to send one; the same bytes go out as binary.
TEST(WebSocketApiTest, TextThatIsNotUtf8IsRefusedAndNotSent) {
  const std::string not_utf8("ok \xc3(", 5);
  EventLog log;
  TestServer server(with({
      .open = [](WS& ws) { ws.subscribe("room"); },
      .message =
          [&](WS& ws, Message) {
            const auto refused = [&](const char* what, auto&& send) {
              try {
                send();
                log.add(std::string(what) + ":sent");
              } catch (const std::invalid_argument&) {
                log.add(std::string(what) + ":refused");
              }
            };
            refused("send", [&] { ws.send(not_utf8); });
            refused("send_text", [&] { ws.send_text(not_utf8, true); });
            refused("publish", [&] { ws.publish("room", not_utf8); });
            refused("publish_text", [&] { ws.publish_text("room", not_utf8); });
            refused("server.publish", [&] { ws.server().publish("room", not_utf8); });
            log.add("binary:" + std::to_string(ws.send_binary(not_utf8)));
          },
      .publish_to_self = true,
  }));
  WsClient client(server.port());
  ASSERT_TRUE(client.open());
  ASSERT_TRUE(client.send_text("go"));
  ASSERT_TRUE(log.wait_size(6));
  EXPECT_EQ(log.events(), (std::vector<std::string>{"send:refused", "send_text:refused",
                                                    "publish:refused", "publish_text:refused",
                                                    "server.publish:refused", "binary:5"}));
  // Only the binary message arrived, and the connection is still open.
  auto frame = client.next_data();
  ASSERT_TRUE(frame);
  EXPECT_TRUE(frame->is_binary());
  EXPECT_EQ(frame->payload, not_utf8);
  EXPECT_THROW(server.server().publish("room", not_utf8), std::invalid_argument);
  EXPECT_EQ(server.server().publish_binary("room", not_utf8), 5u);
  frame = client.next_data();
  ASSERT_TRUE(frame);
  EXPECT_TRUE(frame->is_binary());
  EXPECT_EQ(server.server().publish("room", "still open"), 10u);
  EXPECT_EQ(client.next_text(), "still open");
}

TEST(WebSocketApiTest, CompressedSendToAClientWithoutDeflateIsPlain) {
  TestServer server(with({
      .message = [&](WS& ws, Message m) { ws.send(m.data, true); },
      .per_message_deflate = {.enabled = true},
  }));
  WsClient plain(server.port());
  ASSERT_TRUE(plain.open());
  EXPECT_FALSE(plain.deflate());
  const std::string text(2000, 'z');
  ASSERT_TRUE(plain.send_text(text));
  auto frame = plain.next_data();
  ASSERT_TRUE(frame);
  EXPECT_FALSE(frame->rsv1);
  EXPECT_EQ(frame->payload, text);

  WsClient deflating(server.port(),
                     {.extra_headers = "Sec-WebSocket-Extensions: permessage-deflate\r\n"});
  ASSERT_TRUE(deflating.open());
  ASSERT_TRUE(deflating.deflate());
  EXPECT_EQ(deflating.handshake().header("Sec-WebSocket-Extensions"),
            "permessage-deflate; client_no_context_takeover; server_no_context_takeover");
  ASSERT_TRUE(deflating.send_text(text));
  frame = deflating.next_data();
  ASSERT_TRUE(frame);
  EXPECT_TRUE(frame->rsv1);
  EXPECT_LT(frame->wire_size, text.size());
  EXPECT_EQ(frame->payload, text);
}

TEST(WebSocketApiTest, PublishSkipsTheSenderByDefault) {
  EventLog log;
  TestServer server(with({
      .open = [&](WS& ws) { ws.subscribe("room"); },
      .message =
          [&](WS& ws, Message m) {
            if (m.data == "direct") {
              ws.send("direct");
              return;
            }
            log.add("publish:" + std::to_string(ws.publish("room", m.data)));
          },
  }));
  WsClient a(server.port());
  WsClient b(server.port());
  ASSERT_TRUE(a.open());
  ASSERT_TRUE(b.open());
  ASSERT_TRUE(eventually([&] { return server.server().subscriber_count("room") == 2; }));
  ASSERT_TRUE(a.send_text("from a"));
  EXPECT_EQ(b.next_text(), "from a");
  ASSERT_TRUE(log.wait_for("publish:6"));
  // Had the publish reached `a`, it would come before the direct answer.
  ASSERT_TRUE(a.send_text("direct"));
  EXPECT_EQ(a.next_text(), "direct");
}

TEST(WebSocketApiTest, PublishToSelfReachesTheSenderToo) {
  TestServer server(with({
      .open = [&](WS& ws) { ws.subscribe("room"); },
      .message = [&](WS& ws, Message m) { ws.publish("room", m.data); },
      .publish_to_self = true,
  }));
  WsClient a(server.port());
  WsClient b(server.port());
  ASSERT_TRUE(a.open());
  ASSERT_TRUE(b.open());
  ASSERT_TRUE(eventually([&] { return server.server().subscriber_count("room") == 2; }));
  ASSERT_TRUE(a.send_text("echo"));
  EXPECT_EQ(a.next_text(), "echo");
  EXPECT_EQ(b.next_text(), "echo");
}

TEST(WebSocketApiTest, PublishWorksFromASocketThatIsNotSubscribed) {
  EventLog log;
  TestServer server(with({
      .open =
          [&](WS& ws) {
            if (ws.data() == "listener") ws.subscribe("news");
          },
      .message =
          [&](WS& ws, Message m) {
            log.add("subscribed:" + std::to_string(ws.is_subscribed("news")));
            log.add("publish:" + std::to_string(ws.publish_binary("news", m.data)));
          },
      .options = {.upgrade =
                      [](Context& ctx) {
                        return UpgradeResult<Data>{.data = ctx.query("role").value_or("")};
                      }},
  }));
  WsClient listener(server.port(), {.path = "/ws?role=listener"});
  WsClient speaker(server.port(), {.path = "/ws?role=speaker"});
  ASSERT_TRUE(listener.open());
  ASSERT_TRUE(speaker.open());
  ASSERT_TRUE(eventually([&] { return server.server().subscriber_count("news") == 1; }));
  ASSERT_TRUE(speaker.send_text("extra"));
  auto frame = listener.next_data();
  ASSERT_TRUE(frame);
  EXPECT_TRUE(frame->is_binary());
  EXPECT_EQ(frame->payload, "extra");
  ASSERT_TRUE(log.wait_size(2));
  EXPECT_EQ(log.events(), (std::vector<std::string>{"subscribed:0", "publish:5"}));
}

TEST(WebSocketApiTest, SubscriptionsFollowBunsRules) {
  EventLog log;
  auto flag = [&](const char* what, bool value) {
    log.add(std::string(what) + ":" + (value ? "1" : "0"));
  };
  auto list = [](const WS& ws) {
    std::string joined;
    for (const auto& t : ws.subscriptions()) joined += t + ",";
    return joined;
  };
  TestServer server(with({
      .open =
          [&](WS& ws) {
            flag("subscribe a", ws.subscribe("a"));
            flag("subscribe a again", ws.subscribe("a"));
            flag("subscribe b", ws.subscribe("b"));
            flag("subscribe c", ws.subscribe("c"));
            log.add("list:" + list(ws));
            flag("is a", ws.is_subscribed("a"));
            flag("is z", ws.is_subscribed("z"));
            flag("unsubscribe z", ws.unsubscribe("z"));
            flag("unsubscribe a", ws.unsubscribe("a"));
            flag("unsubscribe a again", ws.unsubscribe("a"));
            flag("is a", ws.is_subscribed("a"));
            flag("subscribe a", ws.subscribe("a"));
            log.add("list:" + list(ws));
            log.add("opened");
          },
      .close =
          [&](WS& ws, int, std::string_view) {
            log.add("close list:" + list(ws));
            flag("close is b", ws.is_subscribed("b"));
            flag("close subscribe", ws.subscribe("d"));
          },
  }));
  {
    WsClient client(server.port());
    ASSERT_TRUE(client.open());
    ASSERT_TRUE(log.wait_for("opened"));
    EXPECT_EQ(server.server().subscriber_count("a"), 1u);
    EXPECT_EQ(server.server().subscriber_count("b"), 1u);
    EXPECT_EQ(server.server().subscriber_count("z"), 0u);
  }
  ASSERT_TRUE(log.wait_prefix("close subscribe") != "");
  EXPECT_EQ(log.events(),
            (std::vector<std::string>{"subscribe a:1", "subscribe a again:1", "subscribe b:1",
                                      "subscribe c:1", "list:a,b,c,", "is a:1", "is z:0",
                                      "unsubscribe z:0", "unsubscribe a:1", "unsubscribe a again:0",
                                      "is a:0", "subscribe a:1", "list:b,c,a,", "opened",
                                      "close list:", "close is b:0", "close subscribe:0"}));
  EXPECT_TRUE(eventually([&] {
    return server.server().subscriber_count("a") == 0 &&
           server.server().subscriber_count("b") == 0 && server.server().subscriber_count("d") == 0;
  }));
}

TEST(WebSocketApiTest, CorkRunsTheFunctionAndReturnsItsValue) {
  EventLog log;
  TestServer server(with({
      .message =
          [&](WS& ws, Message) {
            int value = ws.cork([&] {
              ws.send("a");
              ws.send_binary("b");
              // Nested corks are allowed; the outer one decides when the data leaves.
              ws.cork([&] { ws.send("c"); });
              return 42;
            });
            log.add("cork:" + std::to_string(value));
            std::string& ref = ws.cork([&]() -> std::string& { return ws.data(); });
            log.add("same data:" + std::to_string(&ref == &ws.data()));
          },
  }));
  WsClient client(server.port());
  ASSERT_TRUE(client.open());
  ASSERT_TRUE(client.send_text("go"));
  EXPECT_EQ(client.next_text(), "a");
  auto b = client.next_data();
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->is_binary());
  EXPECT_EQ(b->payload, "b");
  EXPECT_EQ(client.next_text(), "c");
  ASSERT_TRUE(log.wait_size(2));
  EXPECT_EQ(log.events(), (std::vector<std::string>{"cork:42", "same data:1"}));
}

// Opens `client`, sends a message that the server answers by closing, and returns the close
// frame the client got (nothing when none came).
std::optional<WsFrame> close_answering_a_message(WsClient& client) {
  EXPECT_TRUE(client.open());
  EXPECT_TRUE(client.send_text("close me"));
  auto close = client.next_data();
  if (!close || !close->is_close()) return std::nullopt;
  return close;
}

TEST(WebSocketApiTest, CloseSendsTheCodeAndReasonAndRunsTheHandlerOnce) {
  EventLog log;
  TestServer server(with({
      .message = [&](WS& ws, Message) { ws.close(4001, "going away now"); },
      .close = log_close(log),
  }));
  WsClient client(server.port());
  auto close = close_answering_a_message(client);
  ASSERT_TRUE(close);
  EXPECT_EQ(close->close_code(), 4001);
  EXPECT_EQ(close->close_reason(), "going away now");
  // The handler waits for the client's answer.
  EXPECT_EQ(log.size(), 0u);
  ASSERT_TRUE(client.send_close(4001, "ok"));
  EXPECT_TRUE(client.wait_closed());
  ASSERT_TRUE(log.wait_size(1));
  auto probe = round_trip(server.port());
  EXPECT_EQ(log.events(), std::vector<std::string>{"close:4001:ok"});
}

TEST(WebSocketApiTest, CloseReasonIsCutTo123BytesOnACharacterBoundary) {
  // 122 ASCII bytes, then a two-byte character that would end at byte 124.
  const std::string reason = std::string(122, 'r') + "\xc3\xa9" + "tail";
  const std::string ascii(200, 'q');
  EventLog log;
  TestServer server(with({
      .message =
          [&](WS& ws, Message m) {
            ws.close(1000, m.data == "ascii" ? std::string_view(ascii) : std::string_view(reason));
          },
      .close = log_close(log),
  }));
  WsClient first(server.port());
  ASSERT_TRUE(first.open());
  ASSERT_TRUE(first.send_text("utf8"));
  auto close = first.next_data();
  ASSERT_TRUE(close);
  ASSERT_TRUE(close->is_close());
  EXPECT_EQ(close->close_code(), 1000);
  EXPECT_EQ(close->close_reason(), std::string(122, 'r'));

  WsClient second(server.port());
  ASSERT_TRUE(second.open());
  ASSERT_TRUE(second.send_text("ascii"));
  close = second.next_data();
  ASSERT_TRUE(close);
  ASSERT_TRUE(close->is_close());
  EXPECT_EQ(close->payload.size(), 125u);
  EXPECT_EQ(close->close_reason(), std::string(123, 'q'));
  // Neither client answers: after the close handshake's deadline the handler reports what went
  // on the wire.
  EXPECT_EQ(log.wait_prefix("close:1000:" + std::string(123, 'q'), 10s),
            "close:1000:" + std::string(123, 'q'));
}

TEST(WebSocketApiTest, CloseReasonThatIsNotUtf8IsLeftOut) {
  EventLog log;
  TestServer server(with({
      .message = [&](WS& ws, Message) { ws.close(4002, std::string_view("bad \xff", 5)); },
      .close = log_close(log),
  }));
  WsClient client(server.port());
  auto close = close_answering_a_message(client);
  ASSERT_TRUE(close);
  EXPECT_EQ(close->payload.size(), 2u);
  EXPECT_EQ(close->close_code(), 4002);
  ASSERT_TRUE(client.send_close(4002, ""));
  EXPECT_TRUE(client.wait_closed());
  ASSERT_TRUE(log.wait_size(1));
  EXPECT_EQ(log.events(), std::vector<std::string>{"close:4002:"});
}

TEST(WebSocketApiTest, ServerCloseWithoutEchoIsAnsweredByTheClientClosingTcp) {
  EventLog log;
  TestServer server(with({
      .open = [&](WS& ws) { ws.close(1001, "bye"); },
      .close = log_close(log),
  }));
  WsClient client(server.port());
  ASSERT_TRUE(client.open());
  auto close = client.next_data();
  ASSERT_TRUE(close);
  EXPECT_EQ(close->close_code(), 1001);
  client.raw().close();
  // The client left without its close frame: the connection was lost.
  EXPECT_EQ(log.wait_prefix("close:"), "close:1006:");
}

TEST(WebSocketApiTest, TerminateSendsNoCloseFrameAndReports1006) {
  EventLog log;
  TestServer server(with({
      .message =
          [&](WS& ws, Message) {
            ws.send("before");
            ws.terminate();
            log.add("state:" + std::to_string(static_cast<int>(ws.ready_state())));
            log.add("send:" + std::to_string(ws.send("after")));
          },
      .close = log_close(log),
  }));
  WsClient client(server.port());
  ASSERT_TRUE(client.open());
  ASSERT_TRUE(client.send_text("bye"));
  EXPECT_TRUE(client.wait_closed());
  // Whatever arrived, there is no close frame in it.
  while (auto frame = client.next_frame(0ms)) EXPECT_FALSE(frame->is_close());
  EXPECT_FALSE(client.malformed());
  ASSERT_TRUE(log.wait_size(3));
  EXPECT_EQ(log.events(), (std::vector<std::string>{"close:1006:", "state:3", "send:0"}));
}

TEST(WebSocketApiTest, ClientCloseWithoutCodeReports1005) {
  EventLog log;
  TestServer server(with({.close = log_close(log)}));
  WsClient client(server.port());
  ASSERT_TRUE(client.open());
  ASSERT_TRUE(client.send_close_empty());
  auto echo = client.next_frame();
  ASSERT_TRUE(echo);
  ASSERT_TRUE(echo->is_close());
  EXPECT_TRUE(echo->payload.empty());
  EXPECT_TRUE(client.wait_closed());
  EXPECT_EQ(log.wait_prefix("close:"), "close:1005:");
}

TEST(WebSocketApiTest, ClientDroppingTcpReports1006) {
  EventLog log;
  TestServer server(with({.close = log_close(log)}));
  {
    WsClient client(server.port());
    ASSERT_TRUE(client.open());
    client.raw().close();
  }
  ASSERT_TRUE(log.wait_size(1));
  {
    WsClient client(server.port());
    ASSERT_TRUE(client.open());
    client.raw().abort();  // RST
  }
  ASSERT_TRUE(log.wait_size(2));
  EXPECT_EQ(log.events(), (std::vector<std::string>{"close:1006:", "close:1006:"}));
}

TEST(WebSocketApiTest, PingAndPongFromTheServer) {
  EventLog log;
  TestServer server(with({
      .message =
          [&](WS& ws, Message) {
            log.add("ping:" + std::to_string(ws.ping("abc")));
            log.add("pong:" + std::to_string(ws.pong("def")));
            log.add("long ping:" + std::to_string(ws.ping(std::string(200, 'p'))));
            log.add("empty ping:" + std::to_string(ws.ping()));
          },
  }));
  WsClient client(server.port());
  ASSERT_TRUE(client.open());
  ASSERT_TRUE(client.send_text("go"));
  auto ping = client.next_frame();
  ASSERT_TRUE(ping);
  EXPECT_EQ(ping->opcode, ws::Opcode::ping);
  EXPECT_EQ(ping->payload, "abc");
  auto pong = client.next_frame();
  ASSERT_TRUE(pong);
  EXPECT_EQ(pong->opcode, ws::Opcode::pong);
  EXPECT_EQ(pong->payload, "def");
  auto long_ping = client.next_frame();
  ASSERT_TRUE(long_ping);
  EXPECT_EQ(long_ping->opcode, ws::Opcode::ping);
  EXPECT_EQ(long_ping->payload, std::string(125, 'p'));
  auto empty_ping = client.next_frame();
  ASSERT_TRUE(empty_ping);
  EXPECT_EQ(empty_ping->opcode, ws::Opcode::ping);
  EXPECT_TRUE(empty_ping->payload.empty());
  ASSERT_TRUE(log.wait_size(4));
  EXPECT_EQ(log.events(),
            (std::vector<std::string>{"ping:3", "pong:3", "long ping:125", "empty ping:0"}));
}

TEST(WebSocketApiTest, PingIsAnsweredAutomaticallyAndHandlersSeeBoth) {
  EventLog log;
  TestServer server(with({
      .open = [](WS&) {},  // an endpoint needs open, message or close
      .ping = [&](WS&, std::string_view data) { log.add("ping:" + std::string(data)); },
      .pong = [&](WS&, std::string_view data) { log.add("pong:" + std::string(data)); },
      .max_payload_length = 100,  // control frames have their own limit
  }));
  WsClient client(server.port());
  ASSERT_TRUE(client.open());
  ASSERT_TRUE(client.send_ping("hello"));
  auto pong = client.next_frame();
  ASSERT_TRUE(pong);
  EXPECT_EQ(pong->opcode, ws::Opcode::pong);
  EXPECT_EQ(pong->payload, "hello");
  ASSERT_TRUE(client.send_pong("unsolicited"));
  const std::string big(125, 'b');
  ASSERT_TRUE(client.send_ping(big));
  pong = client.next_frame();
  ASSERT_TRUE(pong);
  EXPECT_EQ(pong->payload, big);
  ASSERT_TRUE(log.wait_size(3));
  EXPECT_EQ(log.events(),
            (std::vector<std::string>{"ping:hello", "pong:unsolicited", "ping:" + big}));
}

TEST(WebSocketApiTest, AutoPongWorksWithoutHandlers) {
  TestServer server(with({.open = [](WS&) {}}));
  WsClient client(server.port());
  ASSERT_TRUE(client.open());
  ASSERT_TRUE(client.send_ping("x"));
  auto pong = client.next_frame();
  ASSERT_TRUE(pong);
  EXPECT_EQ(pong->opcode, ws::Opcode::pong);
  EXPECT_EQ(pong->payload, "x");
}

TEST(WebSocketApiTest, DataIsWhatUpgradeReturnedAndBelongsToTheSocket) {
  TestServer server(with({
      .open = [](WS& ws) { ws.send("hello " + ws.data()); },
      .message =
          [](WS& ws, Message m) {
            ws.data() += std::string(m.data);
            ws.send(ws.data());
          },
      .options = {.upgrade =
                      [](Context& ctx) {
                        return UpgradeResult<Data>{.data = ctx.query("name").value_or("nobody")};
                      }},
  }));
  WsClient ann(server.port(), {.path = "/ws?name=ann"});
  WsClient bob(server.port(), {.path = "/ws?name=bob"});
  WsClient none(server.port());
  ASSERT_TRUE(ann.open());
  ASSERT_TRUE(bob.open());
  ASSERT_TRUE(none.open());
  EXPECT_EQ(ann.next_text(), "hello ann");
  EXPECT_EQ(bob.next_text(), "hello bob");
  EXPECT_EQ(none.next_text(), "hello nobody");
  ASSERT_TRUE(ann.send_text("!"));
  EXPECT_EQ(ann.next_text(), "ann!");
  ASSERT_TRUE(ann.send_text("?"));
  EXPECT_EQ(ann.next_text(), "ann!?");
  ASSERT_TRUE(bob.send_text("."));
  EXPECT_EQ(bob.next_text(), "bob.");
}

TEST(WebSocketApiTest, DefaultDataWithoutUpgrade) {
  TestServer server(with({.open = [](WS& ws) { ws.send("[" + ws.data() + "]"); }}));
  WsClient client(server.port());
  ASSERT_TRUE(client.open());
  EXPECT_EQ(client.next_text(), "[]");
}

TEST(WebSocketApiTest, RemoteAddressAndReadyState) {
  EventLog log;
  TestServer server(with({
      .open =
          [&](WS& ws) {
            log.add("address:" + std::string(ws.remote_address()));
            log.add("open state:" + std::to_string(static_cast<int>(ws.ready_state())));
          },
      .message =
          [&](WS& ws, Message) {
            log.add("message state:" + std::to_string(static_cast<int>(ws.ready_state())));
          },
      .close =
          [&](WS& ws, int, std::string_view) {
            log.add("close state:" + std::to_string(static_cast<int>(ws.ready_state())));
          },
  }));
  {
    WsClient client(server.port());
    ASSERT_TRUE(client.open());
    ASSERT_TRUE(client.send_text("x"));
    ASSERT_TRUE(log.wait_size(3));
  }
  ASSERT_TRUE(log.wait_size(4));
  EXPECT_EQ(log.events(), (std::vector<std::string>{"address:127.0.0.1", "open state:1",
                                                    "message state:1", "close state:3"}));
}

TEST(WebSocketApiTest, ServerSeenFromTheSocketIsTheRunningServer) {
  Server* seen = nullptr;
  std::atomic<bool> done{false};
  TestServer server(with({.open = [&](WS& ws) {
    seen = &ws.server();
    done = true;
  }}));
  WsClient client(server.port());
  ASSERT_TRUE(client.open());
  ASSERT_TRUE(eventually([&] { return done.load(); }));
  EXPECT_EQ(seen, &server.server());
}

TEST(WebSocketApiTest, BufferedAmountCountsWhatIsQueued) {
  EventLog log;
  TestServer server(with({
      .message =
          [&](WS& ws, Message m) {
            log.add("before:" + std::to_string(ws.buffered_amount()));
            if (m.data == "send") {
              ws.send_binary(std::string(1000, 'x'));
              log.add("after:" + std::to_string(ws.buffered_amount()));
            }
          },
  }));
  WsClient client(server.port());
  ASSERT_TRUE(client.open());
  ASSERT_TRUE(client.send_text("send"));
  auto frame = client.next_data();
  ASSERT_TRUE(frame);
  ASSERT_TRUE(client.send_text("check"));
  ASSERT_TRUE(log.wait_size(3));
  // 1000 bytes of payload behind a 4-byte header; all of it gone by the next message.
  EXPECT_EQ(log.events(), (std::vector<std::string>{"before:0", "after:1004", "before:0"}));
}

TEST(WebSocketApiTest, ThrowingHandlerClosesOnlyThatSocketWith1011) {
  EventLog log;
  TestServer server(with({
      .message =
          [&](WS& ws, Message m) {
            if (m.data == "boom") throw std::runtime_error("kaboom");
            ws.send(m.data);
          },
      .close = log_close(log),
      .error =
          [&](WS&, std::exception_ptr error) {
            try {
              std::rethrow_exception(error);
            } catch (const std::exception& e) {
              log.add(std::string("error:") + e.what());
            }
          },
  }));
  WsClient healthy(server.port());
  WsClient failing(server.port());
  ASSERT_TRUE(healthy.open());
  ASSERT_TRUE(failing.open());
  ASSERT_TRUE(failing.send_text("boom"));
  auto close = failing.next_data();
  ASSERT_TRUE(close);
  ASSERT_TRUE(close->is_close());
  EXPECT_EQ(close->close_code(), 1011);
  EXPECT_TRUE(failing.wait_closed());
  ASSERT_TRUE(log.wait_size(2));
  EXPECT_EQ(log.events()[0], "error:kaboom");
  EXPECT_TRUE(log.events()[1].starts_with("close:1011:")) << log.events()[1];

  ASSERT_TRUE(healthy.send_text("still here"));
  EXPECT_EQ(healthy.next_text(), "still here");
  WsClient newcomer(server.port());
  ASSERT_TRUE(newcomer.open());
  ASSERT_TRUE(newcomer.send_text("new"));
  EXPECT_EQ(newcomer.next_text(), "new");
}

TEST(WebSocketApiTest, ThrowingOpenHandlerClosesWith1011) {
  EventLog log;
  TestServer server(with({
      .open = [&](WS&) { throw std::runtime_error("no"); },
      .close = log_close(log),
      .error = [&](WS&, std::exception_ptr) { log.add("error"); },
  }));
  WsClient client(server.port());
  ASSERT_TRUE(client.open());
  auto close = client.next_data();
  ASSERT_TRUE(close);
  ASSERT_TRUE(close->is_close());
  EXPECT_EQ(close->close_code(), 1011);
  ASSERT_TRUE(log.wait_size(2));
  EXPECT_EQ(log.events()[0], "error");
}

TEST(WebSocketApiTest, AHandlerErrorIsReportedOnce) {
  for (const bool error_handler : {false, true}) {
    EventLog log;
    Behavior behavior{.open = [&](WS&) { throw std::runtime_error("no"); }, .close = log_close(log)};
    if (error_handler) behavior.error = [&](WS&, std::exception_ptr) { log.add("error"); };
    testing::internal::CaptureStdout();
    {
      TestServer server(with(std::move(behavior)));
      WsClient client(server.port());
      ASSERT_TRUE(client.open());
      auto close = client.next_data();
      ASSERT_TRUE(close && close->is_close());
      ASSERT_TRUE(log.wait_size(error_handler ? 2 : 1));
    }
    const std::string out = testing::internal::GetCapturedStdout();
    std::size_t reports = 0;
    for (std::size_t at = out.find("WebSocket handler error"); at != std::string::npos;
         at = out.find("WebSocket handler error", at + 1)) {
      ++reports;
    }
    // The error handler is told; only without one does the log say it.
    EXPECT_EQ(reports, error_handler ? 0u : 1u) << out;
  }
}

TEST(WebSocketApiTest, ThrowingCloseHandlerRunsOnceAndIsReported) {
  EventLog log;
  TestServer server(with({
      .message = [&](WS& ws, Message m) { ws.send(m.data); },
      .close =
          [&](WS&, int code, std::string_view) {
            log.add("close:" + std::to_string(code));
            throw std::runtime_error("close failed");
          },
      .error = [&](WS&, std::exception_ptr) { log.add("error"); },
  }));
  {
    WsClient client(server.port());
    ASSERT_TRUE(client.open());
  }
  ASSERT_TRUE(log.wait_size(2));
  auto probe = round_trip(server.port());
  EXPECT_EQ(log.events(), (std::vector<std::string>{"close:1006", "error"}));
  WsClient client(server.port());
  ASSERT_TRUE(client.open());
  ASSERT_TRUE(client.send_text("alive"));
  EXPECT_EQ(client.next_text(), "alive");
}

TEST(WebSocketApiTest, IdleTimeoutClosesASilentClient) {
  EventLog log;
  TestServer server(with({
      .close = log_close(log),
      .idle_timeout = 1s,
      .send_pings = false,
  }));
  WsClient client(server.port());
  ASSERT_TRUE(client.open());
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.wait_closed(5s));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 900ms);
  EXPECT_EQ(client.pings_seen(), 0);
  EXPECT_EQ(log.wait_prefix("close:"), "close:1006:");
}

TEST(WebSocketApiTest, IdleTimeoutWithPingsKeepsAnAnsweringClientOpen) {
  EventLog log;
  TestServer server(with({
      .message = [](WS& ws, Message m) { ws.send(m.data); },
      .close = log_close(log),
      .idle_timeout = 1s,
      .send_pings = true,
  }));
  WsClient client(server.port());
  ASSERT_TRUE(client.open());
  // Answer every ping for well past the deadline, without sending anything else.
  int pings = 0;
  const auto until = std::chrono::steady_clock::now() + 3500ms;
  while (std::chrono::steady_clock::now() < until) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    auto frame = client.next_frame(std::max(left, 1ms));
    if (!frame) {
      ASSERT_FALSE(client.eof()) << "closed after " << pings << " pings";
      continue;
    }
    ASSERT_EQ(frame->opcode, ws::Opcode::ping);
    ++pings;
    ASSERT_TRUE(client.send_pong(frame->payload));
  }
  EXPECT_GE(pings, 2);
  EXPECT_EQ(log.size(), 0u);
  ASSERT_TRUE(client.send_text("still open"));
  EXPECT_EQ(client.next_text(), "still open");
}

TEST(WebSocketApiTest, IdleTimeoutWithPingsClosesAClientThatNeverAnswers) {
  EventLog log;
  TestServer server(with({
      .close = log_close(log),
      .idle_timeout = 1s,
      .send_pings = true,
  }));
  WsClient client(server.port());
  ASSERT_TRUE(client.open());
  // The client reads (so it sees the ping) but never answers.
  EXPECT_TRUE(client.wait_closed(8s));
  auto ping = client.next_frame(0ms);
  ASSERT_TRUE(ping);
  EXPECT_EQ(ping->opcode, ws::Opcode::ping);
  EXPECT_EQ(log.wait_prefix("close:"), "close:1006:");
}

TEST(WebSocketApiTest, MessageOverMaxPayloadLengthCloses1009) {
  EventLog log;
  TestServer server(with({
      .message = [&](WS& ws, Message m) { ws.send(std::to_string(m.data.size())); },
      .close = log_close(log),
      .max_payload_length = 1024,
  }));
  WsClient client(server.port());
  ASSERT_TRUE(client.open());
  ASSERT_TRUE(client.send_binary(std::string(1024, 'a')));
  EXPECT_EQ(client.next_text(), "1024");
  ASSERT_TRUE(client.send_binary(std::string(1025, 'a')));
  auto close = client.next_data();
  ASSERT_TRUE(close);
  ASSERT_TRUE(close->is_close());
  EXPECT_EQ(close->close_code(), 1009);
  EXPECT_TRUE(client.wait_closed());
  EXPECT_TRUE(log.wait_prefix("close:").starts_with("close:1009:"));
}

TEST(WebSocketApiTest, FragmentsAddingUpOverMaxPayloadLengthClose1009) {
  TestServer server(with({.open = [](WS&) {}, .max_payload_length = 1024}));
  WsClient client(server.port());
  ASSERT_TRUE(client.open());
  ASSERT_TRUE(client.send_frame(ws::Opcode::text, std::string(600, 'a'), false));
  ASSERT_TRUE(client.send_frame(ws::Opcode::continuation, std::string(600, 'a'), true));
  auto close = client.next_data();
  ASSERT_TRUE(close);
  ASSERT_TRUE(close->is_close());
  EXPECT_EQ(close->close_code(), 1009);
}

// Sends one `chunk` per client message and logs what send() returned, until it returns 0. The
// client does not read meanwhile, so the kernel buffers fill and the server's queue grows.
struct Flood {
  static constexpr std::size_t kChunk = 64 * 1024;
  std::vector<int> results;

  // Returns false when send() never reported a drop.
  bool run(test::WsClient& client, EventLog& log) {
    for (std::size_t i = 0; i < 5000; ++i) {
      if (!client.send_text("more")) return false;
      if (!log.wait_size(i + 1)) return false;
      const std::string event = log.events()[i];
      if (!event.starts_with("send:")) return false;
      results.push_back(std::stoi(event.substr(5)));
      if (results.back() == 0) return true;
    }
    return false;
  }
  std::size_t delivered() const {
    std::size_t n = 0;
    for (int r : results) n += r != 0 ? 1 : 0;
    return n;
  }
};

TEST(WebSocketApiTest, BackpressureQueuesThenDropsThenDrains) {
  EventLog log;
  const std::string chunk(Flood::kChunk, 'b');
  TestServer server(with({
      .message = [&](WS& ws, Message) { log.add("send:" + std::to_string(ws.send_binary(chunk))); },
      .close = log_close(log),
      .drain = [&](WS& ws) { log.add("drain:" + std::to_string(ws.buffered_amount())); },
      .backpressure_limit = 1024 * 1024,
  }));
  WsClient client(server.port(), {.socket = {.receive_buffer = 4096}});
  ASSERT_TRUE(client.open());
  Flood flood;
  ASSERT_TRUE(flood.run(client, log)) << flood.results.size() << " sends, never dropped";
  // Bytes, then -1 (queued under backpressure), then 0 (dropped).
  const auto& r = flood.results;
  auto first_queued = std::find(r.begin(), r.end(), -1);
  ASSERT_NE(first_queued, r.end()) << "no -1 before the drop";
  EXPECT_TRUE(std::all_of(r.begin(), first_queued, [](int v) { return v == 65536; }));
  EXPECT_TRUE(std::all_of(first_queued, r.end() - 1, [](int v) { return v == -1; }));
  EXPECT_EQ(r.back(), 0);
  EXPECT_EQ(log.count("drain:0"), 0u);

  // Now read: every message that was not dropped arrives whole, then drain runs.
  for (std::size_t i = 0; i < flood.delivered(); ++i) {
    auto frame = client.next_data(10s);
    ASSERT_TRUE(frame) << "message " << i << " of " << flood.delivered();
    ASSERT_TRUE(frame->is_binary());
    ASSERT_EQ(frame->payload.size(), Flood::kChunk);
  }
  EXPECT_TRUE(log.wait_for("drain:0"));
  EXPECT_EQ(log.count("drain:0"), 1u);
  // Sending works normally again.
  ASSERT_TRUE(client.send_text("more"));
  auto frame = client.next_data();
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->payload.size(), Flood::kChunk);
  EXPECT_TRUE(log.wait_for("send:65536"));
  EXPECT_EQ(log.events().back(), "send:65536");
}

TEST(WebSocketApiTest, CloseOnBackpressureLimitEndsTheConnection) {
  EventLog log;
  const std::string chunk(Flood::kChunk, 'b');
  TestServer server(with({
      .message = [&](WS& ws, Message) { log.add("send:" + std::to_string(ws.send_binary(chunk))); },
      .close = log_close(log),
      .backpressure_limit = 512 * 1024,
      .close_on_backpressure_limit = true,
  }));
  WsClient client(server.port(), {.socket = {.receive_buffer = 4096}});
  ASSERT_TRUE(client.open());
  Flood flood;
  ASSERT_TRUE(flood.run(client, log)) << flood.results.size() << " sends, never dropped";
  EXPECT_EQ(log.wait_prefix("close:"), "close:1006:");
  // What was queued before may still arrive; then the connection ends, without a close frame.
  EXPECT_TRUE(client.wait_closed(10s));
  std::size_t messages = 0;
  while (auto frame = client.next_frame(0ms)) {
    EXPECT_TRUE(frame->is_binary());
    ++messages;
  }
  EXPECT_LE(messages, flood.delivered());
}

TEST(WebSocketApiTest, GracefulStopClosesWith1001) {
  EventLog log;
  auto server = std::make_unique<TestServer>(with({.close = log_close(log)}));
  WsClient client(server->port());
  ASSERT_TRUE(client.open());
  std::thread stopper([&] { server->server().stop(); });
  struct Joiner {
    std::thread& thread;
    ~Joiner() {
      if (thread.joinable()) thread.join();
    }
  } joiner{stopper};
  auto close = client.next_data();
  ASSERT_TRUE(close);
  ASSERT_TRUE(close->is_close());
  EXPECT_EQ(close->close_code(), 1001);
  ASSERT_TRUE(client.send_close(1001));
  EXPECT_TRUE(client.wait_closed());
  client.raw().close();
  stopper.join();
  EXPECT_EQ(log.events(), std::vector<std::string>{"close:1001:"});
}

std::size_t open_descriptors() {
  std::size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    ++count;
  }
  return count;
}

TEST(WebSocketApiTest, StopEndsSocketsStillWaitingForTheClientAtItsDeadline) {
  // The client answers the server's close but keeps its end open: the socket waits for its FIN
  // until the stop's deadline ends it, releasing everything it held.
  const std::size_t descriptors_before = open_descriptors();
  EventLog log;
  auto options = with({.close = log_close(log)});
  options.shutdown_timeout = 200ms;
  auto server = std::make_unique<TestServer>(std::move(options));
  auto client = std::make_unique<WsClient>(server->port());
  ASSERT_TRUE(client->open());
  std::thread stopper([&] { server->server().stop(); });
  struct Joiner {
    std::thread& thread;
    ~Joiner() {
      if (thread.joinable()) thread.join();
    }
  } joiner{stopper};
  auto close = client->next_data();
  ASSERT_TRUE(close);
  EXPECT_EQ(close->close_code(), 1001);
  ASSERT_TRUE(client->send_close(1001));
  EXPECT_TRUE(client->wait_closed());
  stopper.join();
  EXPECT_EQ(log.events(), std::vector<std::string>{"close:1001:"});
  server.reset();
  client.reset();
  EXPECT_EQ(open_descriptors(), descriptors_before);
}

TEST(WebSocketApiTest, TerminateOrCloseInsideTheCloseHandlerDoesNotRunItAgain) {
  EventLog log;
  TestServer server(with({
      .close =
          [&](WS& ws, int code, std::string_view) {
            log.add("close:" + std::to_string(code));
            ws.close(1000);
            ws.terminate();
          },
  }));
  {
    WsClient client(server.port());
    ASSERT_TRUE(client.open());
    ASSERT_TRUE(client.send_close(1000));
    auto echo = client.next_frame();
    ASSERT_TRUE(echo);
    EXPECT_TRUE(echo->is_close());
    EXPECT_TRUE(client.wait_closed());
  }
  ASSERT_TRUE(log.wait_size(1));
  {
    WsClient client(server.port());
    ASSERT_TRUE(client.open());
  }
  ASSERT_TRUE(log.wait_size(2));
  auto probe = round_trip(server.port());
  EXPECT_EQ(log.events(), (std::vector<std::string>{"close:1000", "close:1006"}));
}

}  // namespace
}  // namespace pulsarcpp
