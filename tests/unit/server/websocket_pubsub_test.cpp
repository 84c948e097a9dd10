// Topic pub/sub across event loops: a Server with four loop threads and many clients, which
// SO_REUSEPORT spreads over the loops. Also run under ThreadSanitizer (the tsan preset).

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "pulsarcpp/pulsarcpp.hpp"
#include "support/raw_client.hpp"
#include "support/ws_client.hpp"
#include "support/ws_server.hpp"

namespace pulsarcpp {
namespace {

using namespace std::chrono_literals;
using test::EventLog;
using test::eventually;
using test::WsClient;
using test::WsClientOptions;
using Data = std::string;
using WS = WebSocket<Data>;
using Behavior = WebSocketBehavior<Data>;
using TestServer = test::WsTestServer<Data>;
using Clients = std::vector<std::unique_ptr<WsClient>>;

constexpr unsigned kThreads = 4;
constexpr std::size_t kClients = 40;

BasicOptions<Data> four_loops(Behavior behavior, std::vector<Route> routes = {}) {
  return {.routes = std::move(routes),
          .websocket = std::move(behavior),
          .threads = kThreads,
          .shutdown_timeout = 2s};
}

std::string thread_name() {
  return std::to_string(std::hash<std::thread::id>{}(std::this_thread::get_id()));
}

// Opens `count` clients; every one must complete its handshake.
Clients connect(std::uint16_t port, std::size_t count, WsClientOptions options = {}) {
  Clients clients;
  for (std::size_t i = 0; i < count; ++i) {
    clients.push_back(std::make_unique<WsClient>(port, options));
    EXPECT_TRUE(clients.back()->open()) << "client " << i;
  }
  return clients;
}

// The loop threads that ran an open handler ("open:<thread>" events).
std::set<std::string> loops_used(const EventLog& log) {
  std::set<std::string> threads;
  for (const auto& e : log.events()) {
    if (e.starts_with("open:")) threads.insert(e.substr(5));
  }
  return threads;
}

// A room: every socket joins "room" on open; a message "publish:<text>" publishes <text>,
// "direct" answers the sender only.
Behavior room(EventLog& log) {
  return {
      .open =
          [&log](WS& ws) {
            ws.subscribe("room");
            log.add("open:" + thread_name());
          },
      .message =
          [](WS& ws, Message m) {
            if (m.data.starts_with("publish:")) {
              ws.publish("room", m.data.substr(8));
            } else if (m.data == "direct") {
              ws.send("direct");
            }
          },
  };
}

TEST(WebSocketPubSubTest, PublishFromASocketReachesEverySubscriberOnEveryLoopOnce) {
  EventLog log;
  TestServer server(four_loops(room(log)));
  ASSERT_EQ(server.server().threads(), kThreads);
  Clients clients = connect(server.port(), kClients);
  ASSERT_TRUE(eventually([&] { return server.server().subscriber_count("room") == kClients; }));
  // Forty connections over four loops: the kernel spreads them.
  EXPECT_GE(loops_used(log).size(), 2u);

  ASSERT_TRUE(clients[0]->send_text("publish:hello"));
  ASSERT_TRUE(clients[0]->send_text("publish:end"));
  for (std::size_t i = 1; i < kClients; ++i) {
    EXPECT_EQ(clients[i]->next_text(), "hello") << "client " << i;
    // A second copy of "hello" would come before "end".
    EXPECT_EQ(clients[i]->next_text(), "end") << "client " << i;
  }
  // The sender got neither: its next message is its own direct answer.
  ASSERT_TRUE(clients[0]->send_text("direct"));
  EXPECT_EQ(clients[0]->next_text(), "direct");
  for (std::size_t i = 1; i < kClients; ++i) EXPECT_TRUE(clients[i]->raw().buffer().empty());
}

TEST(WebSocketPubSubTest, ServerPublishFromAPlainThreadReachesEveryLoop) {
  EventLog log;
  TestServer server(four_loops(room(log)));
  Clients clients = connect(server.port(), kClients);
  ASSERT_TRUE(eventually([&] { return server.server().subscriber_count("room") == kClients; }));

  std::size_t reached = 0;
  std::thread publisher([&] {
    reached = server.server().publish("room", "from a thread");
    server.server().publish_binary("room", std::string("\x00\x01", 2));
    server.server().publish("nobody-listens", "lost");
  });
  publisher.join();
  EXPECT_EQ(reached, std::string_view("from a thread").size());  // as Bun: the message size
  for (std::size_t i = 0; i < kClients; ++i) {
    EXPECT_EQ(clients[i]->next_text(), "from a thread") << "client " << i;
    auto binary = clients[i]->next_data();
    ASSERT_TRUE(binary) << "client " << i;
    EXPECT_TRUE(binary->is_binary());
    EXPECT_EQ(binary->payload, std::string("\x00\x01", 2));
  }
  EXPECT_EQ(server.server().publish("nobody-listens", "lost"), 0u);
}

TEST(WebSocketPubSubTest, ServerPublishFromAnHttpRouteReachesEveryLoop) {
  EventLog log;
  TestServer server(four_loops(
      room(log), {router::get("/announce", [](Context& ctx) {
                    const std::size_t sent =
                        ctx.server()->publish("room", ctx.query("m").value_or(""));
                    return text(std::to_string(sent));
                  }),
                  router::get("/count", [](Context& ctx) {
                    return text(std::to_string(ctx.server()->subscriber_count("room")));
                  })}));
  Clients clients = connect(server.port(), kClients);
  ASSERT_TRUE(eventually([&] { return server.server().subscriber_count("room") == kClients; }));

  test::RawClient http(server.port());
  ASSERT_TRUE(http.send(test::get_request("/count")));
  auto count = http.read_response();
  ASSERT_TRUE(count);
  EXPECT_EQ(count->body, std::to_string(kClients));
  ASSERT_TRUE(http.send(test::get_request("/announce?m=news")));
  auto answer = http.read_response();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->body, "4");  // the size of "news"
  for (std::size_t i = 0; i < kClients; ++i) {
    EXPECT_EQ(clients[i]->next_text(), "news") << "client " << i;
  }
}

TEST(WebSocketPubSubTest, SubscriberCountFollowsSubscribeUnsubscribeAndClose) {
  TestServer server(four_loops({
      .open = [](WS& ws) { ws.subscribe("a"); },
      .message =
          [](WS& ws, Message m) {
            if (m.data == "leave") ws.unsubscribe("a");
            if (m.data == "join b") ws.subscribe("b");
            ws.send("done");
          },
  }));
  auto& s = server.server();
  Clients clients = connect(server.port(), 20);
  ASSERT_TRUE(eventually([&] { return s.subscriber_count("a") == 20; }));
  EXPECT_EQ(s.subscriber_count("b"), 0u);
  EXPECT_EQ(s.subscriber_count("unknown"), 0u);

  for (std::size_t i = 0; i < 5; ++i) {
    ASSERT_TRUE(clients[i]->send_text("leave"));
    ASSERT_TRUE(clients[i]->send_text("join b"));
    ASSERT_TRUE(clients[i]->send_text("leave"));  // not subscribed any more: no change
  }
  EXPECT_TRUE(eventually([&] { return s.subscriber_count("a") == 15 && s.subscriber_count("b") == 5; }))
      << s.subscriber_count("a") << " " << s.subscriber_count("b");

  // Closing (cleanly or not) leaves every topic.
  for (std::size_t i = 0; i < 3; ++i) ASSERT_TRUE(clients[i]->send_close(1000));
  for (std::size_t i = 5; i < 10; ++i) clients[i]->raw().close();
  EXPECT_TRUE(eventually([&] { return s.subscriber_count("a") == 10 && s.subscriber_count("b") == 2; }))
      << s.subscriber_count("a") << " " << s.subscriber_count("b");
  clients.clear();
  EXPECT_TRUE(eventually([&] { return s.subscriber_count("a") == 0 && s.subscriber_count("b") == 0; }));
}

// Reads `count` text messages and checks they are "0", "1", ... in order.
::testing::AssertionResult received_in_order(WsClient& client, int count, std::string_view prefix = {}) {
  for (int i = 0; i < count; ++i) {
    auto text = client.next_text();
    if (!text) return ::testing::AssertionFailure() << "message " << i << " missing";
    if (*text != std::string(prefix) + std::to_string(i)) {
      return ::testing::AssertionFailure() << "message " << i << " was " << *text;
    }
  }
  return ::testing::AssertionSuccess();
}

TEST(WebSocketPubSubTest, MessagesFromOnePublisherArriveInOrderEverywhere) {
  constexpr int kMessages = 1000;
  EventLog log;
  Behavior behavior = room(log);
  behavior.message = [](WS& ws, Message m) {
    if (m.data != "go") return;
    for (int i = 0; i < kMessages; ++i) ws.publish("room", "s" + std::to_string(i));
  };
  TestServer server(four_loops(std::move(behavior)));
  Clients clients = connect(server.port(), 16);
  ASSERT_TRUE(eventually([&] { return server.server().subscriber_count("room") == 16; }));

  // From a socket's handler (delivered at once on its loop, posted to the others).
  ASSERT_TRUE(clients[0]->send_text("go"));
  for (std::size_t i = 1; i < clients.size(); ++i) {
    EXPECT_TRUE(received_in_order(*clients[i], kMessages, "s")) << "client " << i;
  }
  // From a thread that is no loop.
  std::thread publisher([&] {
    for (int i = 0; i < kMessages; ++i) server.server().publish("room", "t" + std::to_string(i));
  });
  publisher.join();
  for (std::size_t i = 0; i < clients.size(); ++i) {
    EXPECT_TRUE(received_in_order(*clients[i], kMessages, "t")) << "client " << i;
  }
}

TEST(WebSocketPubSubTest, CompressedPublishReachesDeflateAndPlainClients) {
  EventLog log;
  Behavior behavior = room(log);
  behavior.message = [](WS& ws, Message m) { ws.publish("room", m.data, true); };
  behavior.per_message_deflate = {.enabled = true};
  TestServer server(four_loops(std::move(behavior)));
  Clients plain = connect(server.port(), 8);
  Clients deflating = connect(
      server.port(), 8, {.extra_headers = "Sec-WebSocket-Extensions: permessage-deflate\r\n"});
  for (auto& c : deflating) ASSERT_TRUE(c->deflate());
  ASSERT_TRUE(eventually([&] { return server.server().subscriber_count("room") == 16; }));

  const std::string message = "compressible " + std::string(3000, 'c');
  auto check = [&](const std::string& expected, const std::string& who) {
    for (std::size_t i = 0; i < plain.size(); ++i) {
      auto frame = plain[i]->next_data();
      ASSERT_TRUE(frame) << who << ": plain " << i;
      EXPECT_FALSE(frame->rsv1);
      EXPECT_EQ(frame->payload, expected);
    }
    for (std::size_t i = 0; i < deflating.size(); ++i) {
      auto frame = deflating[i]->next_data();
      ASSERT_TRUE(frame) << who << ": deflating " << i;
      EXPECT_TRUE(frame->rsv1);
      EXPECT_LT(frame->wire_size, expected.size());
      EXPECT_EQ(frame->payload, expected);
    }
  };
  std::thread([&] { server.server().publish("room", message, true); }).join();
  check(message, "Server::publish");
  std::thread([&] { server.server().publish("room", message + "2", true); }).join();
  check(message + "2", "Server::publish again");

  // From a socket: the sender is skipped, everyone else gets the same bytes.
  auto sender = std::make_unique<WsClient>(server.port());
  ASSERT_TRUE(sender->open());
  ASSERT_TRUE(eventually([&] { return server.server().subscriber_count("room") == 17; }));
  ASSERT_TRUE(sender->send_text(message + "3"));
  check(message + "3", "ws.publish");
}

// Letters from a fixed generator: little to compress locally, but the second half repeats the
// first, 3000 bytes back, beyond a 1 KiB window.
std::string far_repeats() {
  std::string half;
  std::uint32_t state = 12345;
  for (int i = 0; i < 3000; ++i) {
    state = state * 1103515245u + 12345u;
    half.push_back(static_cast<char>('a' + (state >> 16) % 26));
  }
  return half + half;
}

TEST(WebSocketPubSubTest, CompressedPublishKeepsToTheWindowEachClientAgreed) {
  EventLog log;
  Behavior behavior = room(log);
  behavior.per_message_deflate = {.enabled = true,
                                  .compress = DeflateMode::dedicated,
                                  .compress_window_bits = 10};
  TestServer server(four_loops(std::move(behavior)));
  Clients clients;
  for (const char* offer : {"permessage-deflate", "permessage-deflate; server_no_context_takeover",
                            "permessage-deflate; server_max_window_bits=12"}) {
    clients.push_back(std::make_unique<WsClient>(
        server.port(),
        WsClientOptions{.extra_headers = "Sec-WebSocket-Extensions: " + std::string(offer) + "\r\n"}));
    ASSERT_TRUE(clients.back()->open()) << offer;
    ASSERT_TRUE(clients.back()->deflate()) << offer;
    EXPECT_NE(clients.back()->handshake().header("Sec-WebSocket-Extensions")->find(
                  "server_max_window_bits=10"),
              std::string::npos)
        << offer;
  }
  ASSERT_TRUE(eventually([&] { return server.server().subscriber_count("room") == 3; }));
  const std::string message = far_repeats();
  for (int round = 0; round < 2; ++round) {
    std::thread([&] { server.server().publish("room", message, true); }).join();
    for (std::size_t i = 0; i < clients.size(); ++i) {
      auto frame = clients[i]->next_data();
      ASSERT_TRUE(frame) << "client " << i << " round " << round
                         << (clients[i]->malformed() ? ": could not inflate" : "");
      EXPECT_TRUE(frame->rsv1);
      EXPECT_EQ(frame->payload, message);
    }
  }
}

TEST(WebSocketPubSubTest, SubscribeAndUnsubscribeRacingWithPublishesIsSafe) {
  constexpr int kPublishes = 2000;
  std::atomic<int> toggles{0};
  TestServer server(four_loops({
      .message =
          [&](WS& ws, Message m) {
            if (m.data == "toggle") {
              if (ws.is_subscribed("race")) {
                ws.unsubscribe("race");
              } else {
                ws.subscribe("race");
              }
              ws.publish("race", "from a socket");
              toggles.fetch_add(1);
            } else if (m.data == "leave") {
              ws.unsubscribe("race");
              ws.send("left");
            }
          },
  }));
  Clients clients = connect(server.port(), 20);

  std::atomic<bool> stop{false};
  std::thread counter([&] {
    while (!stop.load()) {
      EXPECT_LE(server.server().subscriber_count("race"), clients.size());
      std::this_thread::yield();
    }
  });
  std::thread publisher([&] {
    for (int i = 0; i < kPublishes; ++i) server.server().publish("race", std::to_string(i));
  });
  constexpr int kToggles = 51;  // odd: every client ends up subscribed
  for (int round = 0; round < kToggles; ++round) {
    for (auto& client : clients) ASSERT_TRUE(client->send_text("toggle"));
  }
  publisher.join();
  EXPECT_TRUE(eventually([&] { return toggles.load() == kToggles * 20; }, 10s));
  stop = true;
  counter.join();
  EXPECT_TRUE(eventually([&] { return server.server().subscriber_count("race") == 20; }));

  // Whatever each client received is well formed, and the thread's numbers only go up.
  for (std::size_t i = 0; i < clients.size(); ++i) {
    ASSERT_TRUE(clients[i]->send_text("leave"));
    int last = -1;
    for (;;) {
      auto text = clients[i]->next_text();
      ASSERT_TRUE(text) << "client " << i;
      if (*text == "left") break;
      if (*text == "from a socket") continue;
      const int n = std::stoi(*text);
      EXPECT_GT(n, last) << "client " << i;
      last = n;
    }
  }
  EXPECT_TRUE(eventually([&] { return server.server().subscriber_count("race") == 0; }));
}

}  // namespace
}  // namespace pulsarcpp
