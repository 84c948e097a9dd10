#include "pulsarcpp/server.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "pulsarcpp/pulsarcpp.hpp"
#include "support/raw_client.hpp"
#include "support/socket_address.hpp"
#include "support/test_server.hpp"

namespace pulsarcpp {
namespace {

using namespace std::chrono_literals;
using test::get_request;
using test::OnDestroy;
using test::RawClient;
using test::Signal;
using test::TestServer;

Response hello(Context&) {
  return text("hello");
}

// A listening socket without SO_REUSEPORT: the port is then truly taken for everyone.
class ExclusiveListener {
 public:
  ExclusiveListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(fd_, 1) != 0) {
      return;
    }
    socklen_t length = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~ExclusiveListener() { ::close(fd_); }
  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

TEST(ServerTest, PortZeroPicksAFreePort) {
  TestServer server({.routes = {router::get("/", hello)}});
  ASSERT_NE(server.port(), 0);
  RawClient client(server.port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.send(get_request("/")));
  auto r = client.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->reason, "OK");
  EXPECT_EQ(r->body, "hello");
  EXPECT_EQ(r->header("Content-Length"), "5");
  EXPECT_EQ(r->header("Content-Type"), "text/plain");
  EXPECT_TRUE(r->header("Date"));
}

TEST(ServerTest, TwoServersInOneProcess) {
  TestServer a({.routes = {router::get("/", [](Context&) { return text("a"); })}});
  TestServer b({.routes = {router::get("/", [](Context&) { return text("b"); })}});
  ASSERT_NE(a.port(), b.port());
  RawClient to_a(a.port());
  RawClient to_b(b.port());
  ASSERT_TRUE(to_a.send(get_request("/")));
  ASSERT_TRUE(to_b.send(get_request("/")));
  auto ra = to_a.read_response();
  auto rb = to_b.read_response();
  ASSERT_TRUE(ra && rb);
  EXPECT_EQ(ra->body, "a");
  EXPECT_EQ(rb->body, "b");
}

TEST(ServerTest, ThreadsOptionRunsThatManyLoops) {
  std::mutex mutex;
  std::set<std::thread::id> loops;
  TestServer server({.routes = {router::get("/",
                                            [&](Context&) {
                                              std::lock_guard lock(mutex);
                                              loops.insert(std::this_thread::get_id());
                                              return text("ok");
                                            })},
                     .threads = 3});
  EXPECT_EQ(server.server().threads(), 3u);
  // The kernel spreads connections over the loops' listening sockets; with 40 connections
  // all landing on one of three loops is vanishingly unlikely.
  for (int i = 0; i < 40; ++i) {
    RawClient client(server.port());
    ASSERT_TRUE(client.send(get_request("/")));
    auto r = client.read_response();
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200);
  }
  std::lock_guard lock(mutex);
  EXPECT_GE(loops.size(), 2u);
  EXPECT_LE(loops.size(), 3u);
  EXPECT_EQ(loops.count(std::this_thread::get_id()), 0u);
}

TEST(ServerTest, PortInUseIsAStartError) {
  ExclusiveListener taken;
  ASSERT_NE(taken.port(), 0);
  Server server({.port = taken.port(), .hostname = "127.0.0.1", .threads = 1, .public_dir = ""});
  try {
    server.listen();
    FAIL() << "listen() succeeded on a port in use";
  } catch (const StartError& e) {
    EXPECT_NE(std::string(e.what()).find(std::to_string(taken.port())), std::string::npos)
        << e.what();
  }
}

// SO_REUSEPORT lets a server's loops share one port; it must not let a second server take it.
TEST(ServerTest, SecondServerOnTheSamePortIsAStartError) {
  TestServer first({.routes = {router::get("/", hello)}});
  Server second({.port = first.port(), .hostname = "127.0.0.1", .threads = 1, .public_dir = ""});
  EXPECT_THROW(second.listen(), StartError);
}

TEST(ServerTest, BadHostnameIsAStartError) {
  Server server({.port = 0, .hostname = "no.such.host.invalid", .threads = 1});
  EXPECT_THROW(server.listen(), StartError);
}

TEST(ServerTest, ListenTwiceIsAStartError) {
  TestServer server({.routes = {router::get("/", hello)}});
  EXPECT_THROW(server.server().listen(), StartError);
}

TEST(ServerTest, BadRoutesFailInTheConstructor) {
  EXPECT_THROW(Server({.routes = {router::get("/x", hello), router::get("/x", hello)}}),
               StartError);
}

TEST(ServerTest, StopWithoutListenAndTwice) {
  Server never_started({.routes = {router::get("/", hello)}});
  never_started.stop();
  never_started.stop();

  TestServer server({.routes = {router::get("/", hello)}});
  server.server().stop();
  server.server().stop();  // idempotent
  server.server().wait();  // returns at once once stopped
}

TEST(ServerTest, StopIsGracefulForARequestInFlight) {
  Signal handler_started;
  TestServer server({.routes = {router::get("/slow", [&](Context&) -> Task<Response> {
                       handler_started.notify();
                       co_await sleep_for(100ms);
                       co_return text("finished");
                     })}});
  const std::uint16_t port = server.port();
  RawClient client(port);
  ASSERT_TRUE(client.send(get_request("/slow")));
  ASSERT_TRUE(handler_started.wait());

  std::thread stopper([&] { server.server().stop(); });
  auto r = client.read_response();
  stopper.join();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "finished");
  // The response says what happens next (RFC 9112 §9.6): the drained connection is closed
  // once it is out.
  EXPECT_EQ(r->header("Connection"), "close");
  EXPECT_TRUE(client.wait_closed());

  RawClient late(port);
  EXPECT_FALSE(late.connected());
  EXPECT_EQ(late.connect_error(), ECONNREFUSED);
  server.server().stop();  // again: nothing left to do
}

TEST(ServerTest, ForcedStopFreesAHandlerSuspendedInSleep) {
  Signal handler_started;
  auto frame_freed = std::make_shared<Signal>();
  TestServer server({.routes = {router::get("/forever",
                                            [&](Context&) -> Task<Response> {
                                              OnDestroy guard(frame_freed);
                                              handler_started.notify();
                                              co_await sleep_for(1h);
                                              co_return text("never");
                                            })},
                     .shutdown_timeout = 100ms});
  RawClient client(server.port());
  ASSERT_TRUE(client.send(get_request("/forever")));
  ASSERT_TRUE(handler_started.wait());
  const auto started = std::chrono::steady_clock::now();
  server.server().stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
  EXPECT_TRUE(frame_freed->wait(0ms));  // freed by stop() itself, not later
  EXPECT_TRUE(client.wait_closed());
}

TEST(ServerTest, ForcedStopWaitsForOffloadedWorkBeforeFreeingItsHandler) {
  Signal handler_started;
  Signal release_job;
  auto frame_freed = std::make_shared<Signal>();
  std::atomic<bool> job_finished{false};
  TestServer server({.routes = {router::get("/busy",
                                            [&](Context&) -> Task<Response> {
                                              OnDestroy guard(frame_freed);
                                              handler_started.notify();
                                              // Held past the 100 ms shutdown timeout.
                                              int value = co_await offload([&] {
                                                release_job.wait(10s);
                                                job_finished = true;
                                                return 7;
                                              });
                                              co_return text(std::to_string(value));
                                            })},
                     .shutdown_timeout = 100ms});
  RawClient client(server.port());
  ASSERT_TRUE(client.send(get_request("/busy")));
  ASSERT_TRUE(handler_started.wait());
  std::thread stopper([&] { server.server().stop(); });
  // The forced stop closes the socket while the job still runs; the frame must outlive the job.
  EXPECT_TRUE(client.wait_closed());
  EXPECT_FALSE(frame_freed->wait(0ms));
  release_job.notify();
  stopper.join();
  // The job wrote its result into the frame before the frame was freed (ASan would see it).
  EXPECT_TRUE(job_finished);
  EXPECT_TRUE(frame_freed->wait(0ms));
}

TEST(ServerTest, StopClosesIdleKeepAliveConnections) {
  TestServer server({.routes = {router::get("/", hello)}});
  RawClient client(server.port());
  ASSERT_TRUE(client.send(get_request("/")));
  ASSERT_TRUE(client.read_response());
  const auto started = std::chrono::steady_clock::now();
  server.server().stop();
  // Well before the default 10 s shutdown timeout: idle connections are not waited for.
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
  EXPECT_TRUE(client.wait_closed());
}

TEST(ServerTest, StopFromAHandlerDoesNotDeadlock) {
  Server* self = nullptr;
  TestServer server({.routes = {router::get("/stop", [&](Context& ctx) {
                       self = ctx.server();
                       ctx.server()->stop();  // must not wait for its own loop
                       return text("stopping");
                     })}});
  RawClient client(server.port());
  ASSERT_TRUE(client.send(get_request("/stop")));
  auto r = client.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "stopping");
  EXPECT_EQ(self, &server.server());
  server.server().wait();
}

TEST(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  int count = 0;
  TestServer server(
      {.routes = {router::get("/n", [&](Context&) { return text(std::to_string(++count)); })}});
  RawClient client(server.port());
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(client.send(get_request("/n")));
    auto r = client.read_response();
    ASSERT_TRUE(r) << "request " << i;
    EXPECT_EQ(r->body, std::to_string(i));
    EXPECT_FALSE(r->header("Connection"));  // HTTP/1.1 keeps the connection by default
  }
  EXPECT_FALSE(client.eof());
}

TEST(ServerTest, Http10ClosesByDefault) {
  TestServer server({.routes = {router::get("/", hello)}});
  RawClient client(server.port());
  ASSERT_TRUE(client.send("GET / HTTP/1.0\r\n\r\n"));
  auto r = client.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello");
  EXPECT_EQ(r->header("Connection"), "close");
  EXPECT_TRUE(client.wait_closed());
}

TEST(ServerTest, Http10KeepAliveIsHonoured) {
  TestServer server({.routes = {router::get("/", hello)}});
  RawClient client(server.port());
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(client.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    auto r = client.read_response();
    ASSERT_TRUE(r) << "request " << i;
    EXPECT_EQ(r->header("Connection"), "keep-alive");
    EXPECT_EQ(r->body, "hello");
  }
  EXPECT_FALSE(client.eof());
}

TEST(ServerTest, ConnectionCloseIsHonoured) {
  TestServer server({.routes = {router::get("/", hello)}});
  RawClient client(server.port());
  ASSERT_TRUE(client.send(get_request("/", "Connection: close\r\n")));
  auto r = client.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("Connection"), "close");
  EXPECT_TRUE(client.wait_closed());
}

TEST(ServerTest, RequestsAfterConnectionCloseAreIgnored) {
  TestServer server({.routes = {router::get("/", hello)}});
  RawClient client(server.port());
  ASSERT_TRUE(client.send(get_request("/", "Connection: close\r\n") + get_request("/")));
  ASSERT_TRUE(client.wait_closed());
  auto responses = test::parse_all(client.buffer());
  EXPECT_EQ(responses.size(), 1u);
}

TEST(ServerTest, ClientHalfCloseStillGetsItsAnswer) {
  TestServer server({.routes = {router::get("/", hello)}});
  RawClient client(server.port());
  ASSERT_TRUE(client.send(get_request("/")));
  client.shutdown_write();
  auto r = client.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "hello");
  EXPECT_TRUE(client.wait_closed());
}

TEST(ServerTest, ThrowingHandlerKeepsTheConnection) {
  TestServer server({.routes = {router::get("/boom",
                                            [](Context&) -> Response {
                                              throw std::runtime_error(
                                                  "handler failure (expected by test)");
                                            }),
                                router::get("/", hello)}});
  RawClient client(server.port());
  ASSERT_TRUE(client.send(get_request("/boom")));
  auto failed = client.read_response();
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, 500);
  EXPECT_EQ(failed->body, "Internal Server Error");
  ASSERT_TRUE(client.send(get_request("/")));
  auto next = client.read_response();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "hello");
}

TEST(ServerTest, HeadResponseHasLengthButNoBody) {
  TestServer server({.routes = {router::get("/", hello)}});
  RawClient client(server.port());
  ASSERT_TRUE(client.send("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n" + get_request("/")));
  auto responses = client.read_responses(2, 5s, {true, false});
  ASSERT_EQ(responses.size(), 2u);
  EXPECT_EQ(responses[0].header("Content-Length"), "5");
  EXPECT_EQ(responses[0].body, "");
  EXPECT_EQ(responses[1].body, "hello");  // nothing stray between the two
}

// RFC 9110 §8.6: a HEAD response may only state the length a GET would have had.
TEST(ServerTest, AnExplicitHeadRouteStatesOnlyALengthItKnows) {
  TestServer server({.routes = {
                         router::head("/unknown", [](Context&) { return text(""); }),
                         router::head("/stated",
                                      [](Context&) {
                                        return text("", {.headers = {{"Content-Length", "42"}}});
                                      }),
                         router::head("/bodied", [](Context&) { return text("abc"); }),
                     }});
  RawClient client(server.port());
  ASSERT_TRUE(client.send("HEAD /unknown HTTP/1.1\r\nHost: x\r\n\r\n"
                          "HEAD /stated HTTP/1.1\r\nHost: x\r\n\r\n"
                          "HEAD /bodied HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto responses = client.read_responses(3, 5s, {true, true, true});
  ASSERT_EQ(responses.size(), 3u);
  EXPECT_FALSE(responses[0].header("Content-Length"));
  EXPECT_EQ(responses[1].header("Content-Length"), "42");
  EXPECT_EQ(responses[1].header_count("Content-Length"), 1u);
  EXPECT_EQ(responses[2].header("Content-Length"), "3");
  for (const auto& r : responses) EXPECT_EQ(r.body, "");
}

// A value taken from the request (here a redirect target from the query string, decoded) must
// not be able to end its header line and add headers or a response of the client's choosing.
TEST(ServerTest, HeaderValuesWithLineBreaksNeverReachTheWire) {
  TestServer server({.routes = {
                         router::get("/go",
                                     [](Context& ctx) {
                                       return redirect(ctx.query("to").value_or("/"));
                                     }),
                         // The same header, safe and of the same length: the head written
                         // for it just before must not let the unsafe one through.
                         router::get("/safe",
                                     [](Context&) {
                                       Response response = text("x");
                                       response.headers.emplace_back("X-Note", "a  Injected: 1");
                                       return response;
                                     }),
                         router::get("/raw",
                                     [](Context&) {
                                       Response response = text("x");
                                       response.headers.emplace_back("X-Note", "a\r\nInjected: 1");
                                       return response;
                                     }),
                         router::get("/name",
                                     [](Context&) {
                                       Response response = text("x");
                                       response.headers.emplace_back("X-Bad:Name", "v");
                                       return response;
                                     }),
                         router::get("/ok", [](Context&) { return text("ok"); }),
                     }});
  RawClient client(server.port());
  ASSERT_TRUE(client.send(get_request("/go?to=/x%0D%0AInjected:%201") + get_request("/safe") +
                          get_request("/raw") + get_request("/name") +
                          get_request("/go?to=/fine") + get_request("/ok")));
  auto responses = client.read_responses(6);
  ASSERT_EQ(responses.size(), 6u);
  EXPECT_EQ(responses[1].status, 200);
  EXPECT_EQ(responses[1].header("X-Note"), "a  Injected: 1");
  for (int i : {0, 2, 3}) {
    EXPECT_EQ(responses[i].status, 500) << i;
    EXPECT_FALSE(responses[i].header("Injected")) << i;
    EXPECT_FALSE(responses[i].header("Location")) << i;
  }
  EXPECT_EQ(client.buffer().find("Injected"), std::string::npos);
  EXPECT_EQ(responses[4].status, 302);
  EXPECT_EQ(responses[4].header("Location"), "/fine");
  EXPECT_EQ(responses[5].body, "ok");
}

TEST(ServerTest, NoContentHasNoFraming) {
  TestServer server({.routes = {router::get("/204", [](Context&) { return Response(204); })}});
  RawClient client(server.port());
  ASSERT_TRUE(client.send(get_request("/204")));
  auto r = client.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_FALSE(r->header("Content-Length"));
  EXPECT_FALSE(r->header("Transfer-Encoding"));
}

TEST(ServerTest, ApplicationFramingHeadersAreReplaced) {
  TestServer server({.routes = {router::get("/", [](Context&) {
                       return text("abc", {.headers = {{"Content-Length", "999"},
                                                       {"Transfer-Encoding", "chunked"},
                                                       {"Connection", "close"}}});
                     })}});
  RawClient client(server.port());
  ASSERT_TRUE(client.send(get_request("/")));
  auto r = client.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header("Content-Length"), "3");
  EXPECT_EQ(r->header_count("Content-Length"), 1u);
  EXPECT_FALSE(r->header("Transfer-Encoding"));
  EXPECT_EQ(r->body, "abc");
}

Response peer_text(Context& ctx) {
  return text(std::string(ctx.remote_address()) + ":" + std::to_string(ctx.remote_port()));
}

std::uint16_t local_port(int fd) {
  sockaddr_storage local{};
  socklen_t length = sizeof local;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length);
  return ntohs(reinterpret_cast<sockaddr_in&>(local).sin_port);  // same offset in sockaddr_in6
}

TEST(ServerTest, ContextKnowsThePeer) {
  TestServer server({.routes = {router::get("/", peer_text)}});
  // Every width of octet, a zero and the largest.
  RawClient client(server.port(), {.source_address = "127.10.200.255"});
  ASSERT_TRUE(client.send(get_request("/")));
  auto r = client.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "127.10.200.255:" + std::to_string(local_port(client.fd())));
}

// The body of GET / sent from a client connected to `address`.
std::string peer_seen_from(const char* address, std::uint16_t port, std::uint16_t& client_port) {
  RawClient client(port, {.address = address});
  if (!client.connected() || !client.send(get_request("/"))) return "not connected";
  client_port = local_port(client.fd());
  auto r = client.read_response();
  return r ? r->body : "no response";
}

TEST(ServerTest, ADualStackServerShowsIpv4ClientsAsIpv4) {
  // Container runtimes often leave the IPv6 loopback out.
  if (!test::can_bind("::1", 0)) GTEST_SKIP() << "this machine has no IPv6 loopback";
  Server server({.port = 0, .hostname = "::", .routes = {router::get("/", peer_text)},
                 .threads = 1, .public_dir = ""});
  server.listen();
  std::uint16_t client_port = 0;
  const std::string v4 = peer_seen_from("127.0.0.1", server.port(), client_port);
  EXPECT_EQ(v4, "127.0.0.1:" + std::to_string(client_port));
  const std::string v6 = peer_seen_from("::1", server.port(), client_port);
  EXPECT_EQ(v6, "::1:" + std::to_string(client_port));
}

TEST(ServerTest, OffloadOnTheServersWorkerPool) {
  TestServer server(
      {.routes = {router::get("/",
                              [](Context&) -> Task<Response> {
                                auto loop = std::this_thread::get_id();
                                auto worker =
                                    co_await offload([] { return std::this_thread::get_id(); });
                                bool same_loop = std::this_thread::get_id() == loop;
                                co_return text(worker != loop && same_loop ? "ok" : "wrong thread");
                              })},
       .worker_threads = 2});
  RawClient client(server.port());
  ASSERT_TRUE(client.send(get_request("/")));
  auto r = client.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "ok");
}

TEST(ServerTest, DefaultPortComesFromTheEnvironment) {
  const char* saved = std::getenv("PORT");
  std::string previous = saved ? saved : "";
  ::setenv("PORT", "4567", 1);
  EXPECT_EQ(default_port(), 4567);
  ::unsetenv("PORT");
  EXPECT_EQ(default_port(), 3000);
  if (saved) ::setenv("PORT", previous.c_str(), 1);
}

// Sets an environment variable for one scope, restoring what was there.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* saved = std::getenv(name)) saved_ = saved;
    ::setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (saved_) {
      ::setenv(name_, saved_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> saved_;
};

TEST(ServerTest, APortThatIsNoPortNumberIsAStartError) {
  for (const char* value : {"abc", "99999", "65536", "-1", "80x", " 80", "+80", "3.5"}) {
    ScopedEnv port("PORT", value);
    try {
      default_port();
      ADD_FAILURE() << "PORT=" << value << " was accepted";
    } catch (const StartError& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("PORT=") + value), std::string::npos)
          << e.what();
    }
    EXPECT_THROW(Server({.hostname = "127.0.0.1"}).listen(), StartError) << value;
  }
  ScopedEnv zero("PORT", "0");
  EXPECT_EQ(default_port(), 0);
}

TEST(ServerTest, ThreadsThatAreNoNumberAreAStartError) {
  for (const char* value : {"-1", "two", "1025", "1.5"}) {
    ScopedEnv threads("THREADS", value);
    EXPECT_THROW(Server({.port = 0, .hostname = "127.0.0.1"}), StartError) << value;
    // The option wins over the environment, so it is not read at all.
    EXPECT_NO_THROW(Server({.port = 0, .hostname = "127.0.0.1", .threads = 1}));
  }
  ScopedEnv threads("THREADS", "3");
  EXPECT_EQ(Server({.port = 0, .hostname = "127.0.0.1"}).threads(), 3u);
}

TEST(ServerTest, AvailableCpusIsPositive) {
  EXPECT_GE(available_cpus(), 1u);
}

}  // namespace
}  // namespace pulsarcpp
