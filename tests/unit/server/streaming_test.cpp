// Streamed and file bodies over a real socket: backpressure pauses the generator, a vanished
// client stops it, and sendfile delivers large files intact.

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "pulsarcpp/pulsarcpp.hpp"
#include "support/raw_client.hpp"
#include "support/temp_dir.hpp"
#include "support/test_server.hpp"

namespace pulsarcpp {
namespace {

using namespace std::chrono_literals;
using test::get_request;
using test::OnDestroy;
using test::RawClient;
using test::Signal;
using test::TempDir;
using test::TestServer;

// Chunk i: its number, then filler, `size` bytes in all, so a lost or reordered chunk shows.
std::string make_chunk(int i, std::size_t size) {
  std::string chunk = std::to_string(i) + ":";
  chunk.resize(size, static_cast<char>('a' + i % 26));
  return chunk;
}

std::string expected_body(int count, std::size_t size) {
  std::string body;
  for (int i = 0; i < count; ++i) body += make_chunk(i, size);
  return body;
}

// A fresh client still gets /a ("A"): what went before did not wedge the server.
void expect_still_serving(const TestServer& server) {
  RawClient next(server.port());
  ASSERT_TRUE(next.send(get_request("/a")));
  auto r = next.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "A");
}

AsyncGenerator<std::string> counted_chunks(int count, std::size_t size,
                                           std::shared_ptr<std::atomic<int>> produced) {
  for (int i = 0; i < count; ++i) {
    std::string chunk = make_chunk(i, size);
    produced->fetch_add(1);
    co_yield chunk;
  }
}

AsyncGenerator<std::string> endless(OnDestroy /*guard*/, std::chrono::milliseconds pause) {
  for (int i = 0;; ++i) {
    if (pause.count() > 0) co_await sleep_for(pause);
    std::string chunk = make_chunk(i, 1024);
    co_yield chunk;
  }
}

// Waits until `value` has not changed for `quiet`, or `limit` passes. Returns the value.
int wait_until_stable(const std::atomic<int>& value, std::chrono::milliseconds quiet,
                      std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  int last = value.load();
  auto last_change = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);  // polling interval, not a wait for an outcome
    int now = value.load();
    if (now != last) {
      last = now;
      last_change = std::chrono::steady_clock::now();
    } else if (last > 0 && std::chrono::steady_clock::now() - last_change >= quiet) {
      break;
    }
  }
  return value.load();
}

TEST(StreamingTest, SlowClientPausesTheGeneratorThenGetsEverything) {
  constexpr int kItems = 16'000;  // 16 MB: far more than any socket buffer on the way
  constexpr std::size_t kSize = 1024;
  auto produced = std::make_shared<std::atomic<int>>(0);
  TestServer server({.routes = {router::get("/stream", [produced](Context&) {
                       return stream(counted_chunks(kItems, kSize, produced),
                                     {.headers = {{"Content-Type", "application/octet-stream"}}});
                     })}});
  RawClient client(server.port(), {.receive_buffer = 4096});
  ASSERT_TRUE(client.send(get_request("/stream")));

  // While the client reads nothing, production stops once the socket buffers are full.
  int paused_at = wait_until_stable(*produced, 300ms, 20s);
  EXPECT_GT(paused_at, 0);
  EXPECT_LT(paused_at, kItems / 2) << "the generator ran ahead of a client that does not read";

  auto r = client.read_response(60s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(r->chunked);
  EXPECT_EQ(r->header("Transfer-Encoding"), "chunked");
  EXPECT_FALSE(r->header("Content-Length"));
  EXPECT_EQ(produced->load(), kItems);
  ASSERT_EQ(r->chunk_sizes.size(), static_cast<std::size_t>(kItems));  // one chunk per item
  for (std::size_t size : r->chunk_sizes) ASSERT_EQ(size, kSize);
  EXPECT_TRUE(r->body == expected_body(kItems, kSize)) << "body differs";
}

TEST(StreamingTest, StreamedResponseKeepsTheConnectionForTheNextRequest) {
  auto produced = std::make_shared<std::atomic<int>>(0);
  TestServer server({.routes = {router::get("/stream",
                                            [produced](Context&) {
                                              return stream(counted_chunks(3, 10, produced));
                                            }),
                                router::get("/a", [](Context&) { return text("A"); })}});
  RawClient client(server.port());
  // Pipelined behind the stream: answered only after its last chunk.
  ASSERT_TRUE(client.send(get_request("/stream") + get_request("/a")));
  auto responses = client.read_responses(2);
  ASSERT_EQ(responses.size(), 2u);
  EXPECT_EQ(responses[0].body, expected_body(3, 10));
  EXPECT_TRUE(responses[0].raw.ends_with("\r\n0\r\n\r\n"));
  EXPECT_EQ(responses[1].body, "A");
  ASSERT_TRUE(client.send(get_request("/a")));
  auto third = client.read_response();
  ASSERT_TRUE(third);
  EXPECT_EQ(third->body, "A");
}

TEST(StreamingTest, EmptyStreamSendsOnlyTheLastChunk) {
  TestServer server({.routes = {router::get("/", [](Context&) {
                       return stream([]() -> AsyncGenerator<std::string> { co_return; }());
                     })}});
  RawClient client(server.port());
  ASSERT_TRUE(client.send(get_request("/")));
  auto r = client.read_response();
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->chunked);
  EXPECT_EQ(r->body, "");
  EXPECT_TRUE(r->raw.ends_with("\r\n\r\n0\r\n\r\n"));
}

TEST(StreamingTest, EmptyPiecesAreSkippedNotSentAsTheEnd) {
  TestServer server({.routes = {router::get("/", [](Context&) {
                       return stream([]() -> AsyncGenerator<std::string> {
                         for (std::string piece : {"a", "", "b"}) co_yield piece;
                       }());
                     })}});
  RawClient client(server.port());
  ASSERT_TRUE(client.send(get_request("/")));
  auto r = client.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "ab");
  EXPECT_EQ(r->chunk_sizes, (std::vector<std::size_t>{1, 1}));
}

TEST(StreamingTest, Http10StreamIsDelimitedByClose) {
  TestServer server({.routes = {router::get("/", [](Context&) {
                       return stream([]() -> AsyncGenerator<std::string> {
                         for (std::string piece : {"one ", "two"}) co_yield piece;
                       }());
                     })}});
  RawClient client(server.port());
  ASSERT_TRUE(client.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  ASSERT_TRUE(client.wait_closed());
  test::HttpResponse r;
  std::size_t consumed = 0;
  ASSERT_EQ(test::parse_response(client.buffer(), false, true, r, consumed),
            test::ParseOutcome::complete);
  EXPECT_FALSE(r.chunked);  // HTTP/1.0 has no chunked coding
  EXPECT_FALSE(r.header("Content-Length"));
  EXPECT_EQ(r.header("Connection"), "close");
  EXPECT_EQ(r.body, "one two");
}

TEST(StreamingTest, FailingStreamEndsWithoutTheLastChunk) {
  TestServer server({.routes = {router::get("/", [](Context&) {
                       return stream([]() -> AsyncGenerator<std::string> {
                         std::string first = "partial";
                         co_yield first;
                         throw std::runtime_error("stream failure (expected by test)");
                       }());
                     })}});
  RawClient client(server.port());
  ASSERT_TRUE(client.send(get_request("/")));
  ASSERT_TRUE(client.wait_closed());
  // The client can tell the body is incomplete: no terminating zero-size chunk.
  EXPECT_NE(client.buffer().find("7\r\npartial\r\n"), std::string::npos);
  EXPECT_FALSE(client.buffer().ends_with("0\r\n\r\n"));
  EXPECT_TRUE(test::parse_all(client.buffer(), true).empty());
}

TEST(StreamingTest, AStreamThatThrowsANonStdExceptionStillEndsItsResponse) {
  TestServer server({.routes = {router::get("/", [](Context&) {
                                  return stream([]() -> AsyncGenerator<std::string> {
                                    std::string first = "partial";
                                    co_yield first;
                                    co_await sleep_for(1ms);
                                    throw 42;  // not a std::exception
                                  }());
                                }),
                                router::get("/a", [](Context&) { return text("A"); })}});
  RawClient client(server.port());
  ASSERT_TRUE(client.send(get_request("/")));
  ASSERT_TRUE(client.wait_closed());
  EXPECT_NE(client.buffer().find("7\r\npartial\r\n"), std::string::npos);
  EXPECT_FALSE(client.buffer().ends_with("0\r\n\r\n"));
  expect_still_serving(server);
}

// The request's views (body, headers, path) point into the connection's input buffer, which a
// large body makes grow; a stream reading them after suspending must still see them.
TEST(StreamingTest, AStreamReadsItsLargeRequestAfterSuspending) {
  TestServer server({.routes = {router::post("/echo", [](Context& ctx) {
    return stream([](Context& c) -> AsyncGenerator<std::string> {
      co_await sleep_for(5ms);
      std::string summary = std::string(c.path()) + " " + std::string(c.header("x-tag")) + " " +
                            std::to_string(c.body().size()) + " " +
                            std::string(c.body().substr(0, 5)) +
                            std::string(c.body().substr(c.body().size() - 5));
      co_yield summary;
    }(ctx));
  })}});
  std::string body(100 * 1024, 'm');
  body.replace(0, 5, "first");
  body.replace(body.size() - 5, 5, "final");
  RawClient client(server.port());
  ASSERT_TRUE(client.send("POST /echo HTTP/1.1\r\nHost: x\r\nX-Tag: tagged\r\nContent-Length: " +
                          std::to_string(body.size()) + "\r\n\r\n" + body));
  auto r = client.read_response(10s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "/echo tagged 102400 firstfinal");
}

// A client that stops reading a stream gets the idle timeout, as it would for any response:
// otherwise a few such clients would hold their connections (and generators) forever.
TEST(StreamingTest, AClientThatStopsReadingAStreamIsTimedOut) {
  auto destroyed = std::make_shared<Signal>();
  TestServer server({.routes = {router::get("/endless",
                                            [destroyed](Context&) {
                                              return stream(endless(OnDestroy(destroyed), 0ms));
                                            })},
                     .limits = {.idle_timeout = 1s}});
  RawClient client(server.port(), {.receive_buffer = 4096});
  ASSERT_TRUE(client.send(get_request("/endless")));
  // The client reads nothing more; the server's buffers fill and the stream stalls.
  EXPECT_TRUE(destroyed->wait(15s)) << "a stalled stream was never timed out";
}

TEST(StreamingTest, AStreamWithA204SendsNoBodyAndKeepsTheConnection) {
  auto produced = std::make_shared<std::atomic<int>>(0);
  TestServer server({.routes = {router::get("/events",
                                            [produced](Context&) {
                                              return stream(counted_chunks(3, 10, produced),
                                                            {.status = 204});
                                            }),
                                router::get("/a", [](Context&) { return text("A"); })}});
  RawClient client(server.port());
  ASSERT_TRUE(client.send(get_request("/events") + get_request("/a")));
  auto responses = client.read_responses(2, 5s, {true, false});
  ASSERT_EQ(responses.size(), 2u);
  EXPECT_EQ(responses[0].status, 204);
  EXPECT_FALSE(responses[0].header("Transfer-Encoding"));
  EXPECT_FALSE(responses[0].header("Content-Length"));
  EXPECT_EQ(responses[1].body, "A");  // no stray chunk in between
  EXPECT_EQ(produced->load(), 0);
}

TEST(StreamingTest, HeadOfAStreamSendsNoBody) {
  auto produced = std::make_shared<std::atomic<int>>(0);
  TestServer server({.routes = {router::get("/stream",
                                            [produced](Context&) {
                                              return stream(counted_chunks(3, 10, produced));
                                            }),
                                router::get("/a", [](Context&) { return text("A"); })}});
  RawClient client(server.port());
  ASSERT_TRUE(client.send("HEAD /stream HTTP/1.1\r\nHost: x\r\n\r\n" + get_request("/a")));
  auto responses = client.read_responses(2, 5s, {true, false});
  ASSERT_EQ(responses.size(), 2u);
  EXPECT_EQ(responses[0].status, 200);
  EXPECT_EQ(responses[1].body, "A");  // nothing of the stream in between
  EXPECT_EQ(produced->load(), 0);     // the generator never ran
}

TEST(StreamingTest, ClientResetMidStreamDestroysTheGenerator) {
  auto destroyed = std::make_shared<Signal>();
  TestServer server({.routes = {router::get("/endless",
                                            [destroyed](Context&) {
                                              return stream(endless(OnDestroy(destroyed), 0ms));
                                            }),
                                router::get("/a", [](Context&) { return text("A"); })}});
  {
    RawClient client(server.port(), {.receive_buffer = 4096});
    ASSERT_TRUE(client.send(get_request("/endless")));
    ASSERT_TRUE(client.read_at_least(8 * 1024));
    client.abort();
  }
  EXPECT_TRUE(destroyed->wait(10s));
  expect_still_serving(server);
}

TEST(StreamingTest, ClientCloseDuringASlowTickerDestroysTheGenerator) {
  auto destroyed = std::make_shared<Signal>();
  TestServer server({.routes = {router::get("/ticker",
                                            [destroyed](Context&) {
                                              return stream(endless(OnDestroy(destroyed), 5ms));
                                            }),
                                router::get("/a", [](Context&) { return text("A"); })}});
  {
    RawClient client(server.port());
    ASSERT_TRUE(client.send(get_request("/ticker")));
    ASSERT_TRUE(client.read_at_least(3000));
    client.close();  // an orderly FIN, while the generator sleeps between items
  }
  EXPECT_TRUE(destroyed->wait(10s));
  expect_still_serving(server);
}

TEST(StreamingTest, ForcedStopDestroysAGeneratorWaitingBetweenItems) {
  auto destroyed = std::make_shared<Signal>();
  TestServer server({.routes = {router::get("/slow",
                                            [destroyed](Context&) {
                                              return stream(endless(OnDestroy(destroyed), 1h));
                                            })},
                     .shutdown_timeout = 100ms});
  RawClient client(server.port());
  ASSERT_TRUE(client.send(get_request("/slow")));
  ASSERT_TRUE(client.read_at_least(1));  // the head is out; the generator sleeps
  server.server().stop();
  EXPECT_TRUE(destroyed->wait(0ms));
  EXPECT_TRUE(client.wait_closed());
}

TEST(StreamingTest, SseWireFormat) {
  TestServer server({.routes = {router::get("/events", [](Context&) {
                       return sse([]() -> AsyncGenerator<SseEvent> {
                         SseEvent hello{.data = "hello", .event = "greeting"};
                         co_yield hello;
                         SseEvent multi{.data = "line 1\nline 2", .id = "2", .retry_ms = 1000};
                         co_yield multi;
                         co_await sleep_for(1ms);
                         SseEvent last{.data = "{\"n\":3}"};
                         co_yield last;
                       }());
                     })}});
  RawClient client(server.port());
  ASSERT_TRUE(client.send(get_request("/events", "Accept: text/event-stream\r\n")));
  auto r = client.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("Content-Type"), "text/event-stream");
  EXPECT_EQ(r->header("Cache-Control"), "no-cache");
  EXPECT_EQ(r->header("Transfer-Encoding"), "chunked");
  EXPECT_EQ(r->body,
            "event: greeting\ndata: hello\n\n"
            "id: 2\nretry: 1000\ndata: line 1\ndata: line 2\n\n"
            "data: {\"n\":3}\n\n");
  EXPECT_EQ(r->chunk_sizes.size(), 3u);  // one chunk per event, sent as it comes
}

TEST(StreamingTest, SseEventsArriveBeforeTheStreamEnds) {
  auto release = std::make_shared<std::atomic<bool>>(false);
  TestServer server({.routes = {router::get("/events", [release](Context&) {
                       return sse(
                           [](std::shared_ptr<std::atomic<bool>> go) -> AsyncGenerator<SseEvent> {
                             SseEvent first{.data = "first"};
                             co_yield first;
                             while (!*go) co_await sleep_for(5ms);
                             SseEvent second{.data = "second"};
                             co_yield second;
                           }(release));
                     })}});
  RawClient client(server.port());
  ASSERT_TRUE(client.send(get_request("/events")));
  // The first event must be readable while the generator is still waiting.
  ASSERT_TRUE(client.read_at_least(1));
  for (int i = 0; i < 100 && client.buffer().find("data: first\n\n") == std::string::npos; ++i) {
    client.read_once(100ms);
  }
  EXPECT_NE(client.buffer().find("data: first\n\n"), std::string::npos);
  *release = true;
  auto r = client.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "data: first\n\ndata: second\n\n");
}

// One item, then nothing until `go`: an event stream between two events.
AsyncGenerator<std::string> first_then_wait(OnDestroy /*guard*/,
                                            std::shared_ptr<std::atomic<bool>> go) {
  co_yield std::string("first");
  while (!*go) co_await sleep_for(5ms);
  co_yield std::string("second");
}

TEST(StreamingTest, AClientThatLeavesBetweenEventsIsClosedAtOnce) {
  auto destroyed = std::make_shared<Signal>();
  auto go = std::make_shared<std::atomic<bool>>(false);
  TestServer server({.routes = {router::get("/events", [=](Context&) {
    return stream(first_then_wait(OnDestroy(destroyed), go));
  })}});
  RawClient client(server.port());
  ASSERT_TRUE(client.send(get_request("/events")));
  ASSERT_TRUE(client.read_at_least(1));
  for (int i = 0; i < 100 && client.buffer().find("first") == std::string::npos; ++i) {
    client.read_once(100ms);
  }
  client.shutdown_write();  // what a closing browser tab's FIN looks like from here
  // No write is coming to discover the departure; the FIN itself must close the connection.
  EXPECT_TRUE(client.wait_closed(5s));
  *go = true;  // the generator ends at its next item: the connection is gone
  EXPECT_TRUE(destroyed->wait(10s));
}

TEST(StreamingTest, AClientThatLeavesDuringASuspendedHandlerIsClosedAtOnce) {
  auto go = std::make_shared<std::atomic<bool>>(false);
  auto finished = std::make_shared<Signal>();
  TestServer server({.routes = {router::get("/slow", [=](Context&) -> Task<Response> {
                                  while (!*go) co_await sleep_for(5ms);
                                  finished->notify();
                                  co_return text("late");
                                }),
                                router::get("/a", [](Context&) { return text("A"); })}});
  {
    RawClient client(server.port());
    ASSERT_TRUE(client.send(get_request("/slow")));
    client.shutdown_write();
    EXPECT_TRUE(client.wait_closed(5s));
    EXPECT_EQ(client.buffer(), "");
  }
  *go = true;
  EXPECT_TRUE(finished->wait(10s));  // the handler ran to its end; its answer had nowhere to go
  expect_still_serving(server);
}

TEST(StreamingTest, RequestsPipelinedBeforeTheClientShutAreStillAnswered) {
  auto go = std::make_shared<std::atomic<bool>>(false);
  auto destroyed = std::make_shared<Signal>();
  TestServer server({.routes = {router::get("/events",
                                            [=](Context&) {
                                              return stream(first_then_wait(OnDestroy(destroyed), go));
                                            }),
                                router::get("/a", [](Context&) { return text("A"); })}});
  RawClient client(server.port());
  ASSERT_TRUE(client.send(get_request("/events") + get_request("/a")));
  client.shutdown_write();
  ASSERT_TRUE(client.read_at_least(1));
  for (int i = 0; i < 100 && client.buffer().find("first") == std::string::npos; ++i) {
    client.read_once(100ms);
  }
  // The FIN sits behind an unread request: the server must neither close nor spin on it.
  rusage before{};
  ::getrusage(RUSAGE_SELF, &before);
  EXPECT_TRUE(client.stays_silent(300ms));
  rusage after{};
  ::getrusage(RUSAGE_SELF, &after);
  const auto cpu_us = [](const rusage& u) {
    return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1'000'000LL + u.ru_utime.tv_usec +
           u.ru_stime.tv_usec;
  };
  EXPECT_LT(cpu_us(after) - cpu_us(before), 150'000);
  *go = true;
  auto responses = client.read_responses(2);
  ASSERT_EQ(responses.size(), 2u);
  EXPECT_EQ(responses[0].body, "firstsecond");
  EXPECT_EQ(responses[1].body, "A");
  EXPECT_TRUE(client.wait_closed(5s));
}

// ---- Files ----

class FileStreamingTest : public ::testing::Test {
 protected:
  static constexpr std::size_t kSize = 8 * 1024 * 1024 + 123;  // not a multiple of anything

  void SetUp() override {
    ASSERT_FALSE(dir.path().empty());
    content.resize(kSize);
    std::uint32_t x = 12345;
    for (auto& c : content) {
      x = x * 1103515245u + 12345u;  // pseudo-random, so an offset error cannot hide
      c = static_cast<char>(x >> 24);
    }
    relative = TempDir::from_cwd(dir.write("big.bin", content));
    server = std::make_unique<TestServer>(
        Options{.routes = {router::get("/big", [this](Context&) { return file(relative); }),
                           router::get("/a", [](Context&) { return text("A"); })}});
  }

  TempDir dir;
  std::string content;
  std::string relative;
  std::unique_ptr<TestServer> server;
};

TEST_F(FileStreamingTest, LargeFileArrivesIntact) {
  RawClient client(server->port());
  ASSERT_TRUE(client.send(get_request("/big")));
  auto r = client.read_response(30s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("Content-Length"), std::to_string(kSize));
  EXPECT_EQ(r->header("Content-Type"), "application/octet-stream");
  EXPECT_TRUE(r->header("ETag"));
  EXPECT_FALSE(r->chunked);
  ASSERT_EQ(r->body.size(), kSize);
  EXPECT_TRUE(r->body == content) << "file body differs";
}

TEST_F(FileStreamingTest, LargeFileToASlowReaderThenTheNextRequest) {
  RawClient client(server->port(), {.receive_buffer = 4096});
  ASSERT_TRUE(client.send(get_request("/big") + get_request("/a")));
  auto responses = client.read_responses(2, 60s);
  ASSERT_EQ(responses.size(), 2u);
  EXPECT_TRUE(responses[0].body == content) << "file body differs";
  EXPECT_EQ(responses[1].body, "A");
}

TEST_F(FileStreamingTest, RangeOfALargeFile) {
  RawClient client(server->port());
  ASSERT_TRUE(client.send(get_request("/big", "Range: bytes=5000000-5999999\r\n")));
  auto r = client.read_response(30s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 206);
  EXPECT_EQ(r->header("Content-Length"), "1000000");
  EXPECT_EQ(r->header("Content-Range"), "bytes 5000000-5999999/" + std::to_string(kSize));
  EXPECT_TRUE(r->body == content.substr(5'000'000, 1'000'000)) << "range body differs";
}

TEST_F(FileStreamingTest, NotModifiedOverTheWire) {
  RawClient client(server->port());
  ASSERT_TRUE(client.send("HEAD /big HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto head = client.read_response(5s, true);
  ASSERT_TRUE(head && head->header("ETag"));
  ASSERT_TRUE(client.send(get_request("/big", "If-None-Match: " + *head->header("ETag") + "\r\n")));
  auto r = client.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 304);
  EXPECT_EQ(r->body, "");
  EXPECT_FALSE(r->header("Content-Length"));
}

TEST_F(FileStreamingTest, HeadOnAFileSendsLengthOnly) {
  RawClient client(server->port());
  ASSERT_TRUE(client.send("HEAD /big HTTP/1.1\r\nHost: x\r\n\r\n" + get_request("/a")));
  auto responses = client.read_responses(2, 5s, {true, false});
  ASSERT_EQ(responses.size(), 2u);
  EXPECT_EQ(responses[0].status, 200);
  EXPECT_EQ(responses[0].header("Content-Length"), std::to_string(kSize));
  EXPECT_EQ(responses[0].raw.size(), responses[0].raw.find("\r\n\r\n") + 4);
  EXPECT_EQ(responses[1].body, "A");  // no file bytes before the next answer
}

TEST_F(FileStreamingTest, ClientLeavingMidFileDoesNotHurtTheServer) {
  {
    RawClient client(server->port(), {.receive_buffer = 4096});
    ASSERT_TRUE(client.send(get_request("/big")));
    ASSERT_TRUE(client.read_at_least(64 * 1024));
    client.abort();
  }
  RawClient next(server->port());
  ASSERT_TRUE(next.send(get_request("/a")));
  auto r = next.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "A");
}

}  // namespace
}  // namespace pulsarcpp
