// Bad input over a real socket: each rejection gets its status, Connection: close, and the
// connection really closes. Also the limits and timeouts that protect the server.

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "pulsarcpp/pulsarcpp.hpp"
#include "support/raw_client.hpp"
#include "support/test_server.hpp"

namespace pulsarcpp {
namespace {

using namespace std::chrono_literals;
using test::get_request;
using test::RawClient;
using test::TestServer;

Options small_limits() {
  return {
      .routes = {router::get("/", [](Context&) { return text("ok"); }),
                 router::post("/echo", [](Context& ctx) { return text(std::string(ctx.body())); })},
      .limits = {.max_head_bytes = 1024, .max_body_bytes = 64}};
}

class ProtocolErrorTest : public ::testing::Test {
 protected:
  // Sends `request` and expects exactly one answer with `status`, then the close.
  void expect_rejected(const std::string& request, int status) {
    RawClient client(server.port());
    ASSERT_TRUE(client.connected());
    client.send(request);  // the server may close before it has read everything
    auto r = client.read_response();
    ASSERT_TRUE(r) << "no response to: " << request.substr(0, 80);
    EXPECT_EQ(r->status, status) << request.substr(0, 80);
    EXPECT_EQ(r->header("Connection"), "close");
    EXPECT_EQ(r->header("Content-Type"), "text/plain;charset=utf-8");
    EXPECT_FALSE(r->body.empty());
    EXPECT_TRUE(client.wait_closed()) << "still open after " << status;
  }

  TestServer server{small_limits()};
};

TEST_F(ProtocolErrorTest, ContentLengthWithTransferEncodingIs400) {
  expect_rejected(
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n0\r\n\r\n",
      400);
}

TEST_F(ProtocolErrorTest, DifferingContentLengthsAre400) {
  expect_rejected(
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400);
}

TEST_F(ProtocolErrorTest, BadChunkSizeIs400) {
  expect_rejected(
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
      400);
}

TEST_F(ProtocolErrorTest, ChunkWithoutItsCrLfIs400) {
  expect_rejected(
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n",
      400);
}

TEST_F(ProtocolErrorTest, ObsFoldIs400) {
  expect_rejected("GET / HTTP/1.1\r\nHost: x\r\nX-Long: a\r\n  continued\r\n\r\n", 400);
}

TEST_F(ProtocolErrorTest, MissingHostIs400) {
  expect_rejected("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", 400);
}

TEST_F(ProtocolErrorTest, GarbageRequestLineIs400) {
  expect_rejected("HELLO\r\n\r\n", 400);
}

TEST_F(ProtocolErrorTest, UnsupportedTransferCodingIs501) {
  expect_rejected("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501);
}

TEST_F(ProtocolErrorTest, Http2RequestLineIs505) {
  expect_rejected("GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505);
}

TEST_F(ProtocolErrorTest, ContentLengthOverTheLimitIs413) {
  // Refused from the head alone, before the body is sent.
  expect_rejected("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 65\r\n\r\n", 413);
}

TEST_F(ProtocolErrorTest, ChunkedBodyOverTheLimitIs413) {
  std::string chunk(40, 'x');
  expect_rejected("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n28\r\n" +
                      chunk + "\r\n28\r\n" + chunk + "\r\n0\r\n\r\n",
                  413);
}

TEST_F(ProtocolErrorTest, BodyAtTheLimitIsAccepted) {
  RawClient client(server.port());
  std::string body(64, 'b');
  ASSERT_TRUE(client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 64\r\n\r\n" + body));
  auto r = client.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, body);
}

TEST_F(ProtocolErrorTest, BigHeadersAre431) {
  expect_rejected("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(2000, 'h') + "\r\n\r\n",
                  431);
}

TEST_F(ProtocolErrorTest, BigHeadersAre431EvenWhenTheHeadNeverEnds) {
  // No CRLF CRLF at all: the server must not wait for one.
  expect_rejected("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(2000, 'h'), 431);
}

TEST_F(ProtocolErrorTest, LongRequestLineIs414) {
  expect_rejected("GET /" + std::string(2000, 'u') + " HTTP/1.1\r\nHost: x\r\n\r\n", 414);
}

TEST_F(ProtocolErrorTest, UnknownExpectationIs417) {
  expect_rejected("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nContent-Length: 2\r\n\r\nhi",
                  417);
}

TEST(ProtocolErrorJsonTest, RejectionsAreJsonWhenAsked) {
  Options options = small_limits();
  options.error_format = ErrorFormat::json;
  TestServer server{std::move(options)};
  const auto answer = [&server](const std::string& request) {
    RawClient client(server.port());
    client.send(request);
    auto r = client.read_response();
    EXPECT_TRUE(r) << request.substr(0, 40);
    return r;
  };
  auto garbage = answer("HELLO\r\n\r\n");
  ASSERT_TRUE(garbage);
  EXPECT_EQ(garbage->status, 400);
  EXPECT_EQ(garbage->header("Content-Type"), "application/json");
  EXPECT_EQ(garbage->body, R"({"error":"Bad Request","status":400})");
  auto large = answer("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 65\r\n\r\n");
  ASSERT_TRUE(large);
  EXPECT_EQ(large->body, R"({"error":"Payload Too Large","status":413})");
  auto missing = answer(get_request("/missing"));
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->body, R"({"error":"Not Found","status":404})");
}

TEST_F(ProtocolErrorTest, ServerKeepsServingAfterARejection) {
  expect_rejected("GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505);
  RawClient client(server.port());
  ASSERT_TRUE(client.send(get_request("/")));
  auto r = client.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(ProtocolErrorTest, ExpectContinueGets100BeforeTheBody) {
  RawClient client(server.port());
  ASSERT_TRUE(client.send(
      "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
  // The interim answer must come while the body is still held back.
  auto interim = client.read_response();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  EXPECT_EQ(interim->raw, "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(client.send("hello"));
  auto final_response = client.read_response();
  ASSERT_TRUE(final_response);
  EXPECT_EQ(final_response->status, 200);
  EXPECT_EQ(final_response->body, "hello");
  EXPECT_FALSE(final_response->header("Connection"));

  // The next request on the same connection gets its own 100.
  ASSERT_TRUE(client.send(
      "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"));
  auto second_interim = client.read_response();
  ASSERT_TRUE(second_interim);
  EXPECT_EQ(second_interim->status, 100);
  ASSERT_TRUE(client.send("ok"));
  auto second = client.read_response();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->body, "ok");
}

TEST_F(ProtocolErrorTest, ExpectContinueOverTheLimitIs413Without100) {
  RawClient client(server.port());
  ASSERT_TRUE(client.send(
      "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 1000\r\n\r\n"));
  auto r = client.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_TRUE(client.wait_closed());
}

TEST_F(ProtocolErrorTest, ExpectContinueIsIgnoredForHttp10) {
  RawClient client(server.port());
  ASSERT_TRUE(
      client.send("POST /echo HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"));
  EXPECT_TRUE(client.stays_silent(100ms));  // no 100 for a client that cannot understand it
  ASSERT_TRUE(client.send("hi"));
  auto r = client.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hi");
}

// ---- Timeouts and connection limits ----

TEST(ProtocolTimeoutTest, SlowlorisGets408AndClose) {
  TestServer server({.routes = {router::get("/", [](Context&) { return text("ok"); })},
                     .limits = {.request_timeout = 200ms}});
  RawClient client(server.port());
  // Half a head, then nothing more: the request timeout runs from the first byte.
  ASSERT_TRUE(client.send("GET / HTTP/1.1\r\nHost: x\r\nX-Slow"));
  const auto started = std::chrono::steady_clock::now();
  auto r = client.read_response(5s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 408);
  EXPECT_EQ(r->header("Connection"), "close");
  EXPECT_GE(std::chrono::steady_clock::now() - started, 150ms);
  EXPECT_TRUE(client.wait_closed());
}

TEST(ProtocolTimeoutTest, SlowBodyGets408) {
  TestServer server({.routes = {router::post("/", [](Context&) { return text("ok"); })},
                     .limits = {.request_timeout = 200ms}});
  RawClient client(server.port());
  ASSERT_TRUE(client.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc"));
  auto r = client.read_response(5s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 408);
  EXPECT_TRUE(client.wait_closed());
}

TEST(ProtocolTimeoutTest, TrickleDoesNotExtendTheRequestTimeout) {
  TestServer server({.routes = {router::get("/", [](Context&) { return text("ok"); })},
                     .limits = {.request_timeout = 200ms, .idle_timeout = 60s}});
  RawClient client(server.port());
  ASSERT_TRUE(client.send("GET / HTTP/1.1\r\n"));
  // One header byte every 100 ms: each read must not restart the clock.
  std::optional<test::HttpResponse> r;
  for (int i = 0; i < 60 && !r; ++i) {
    client.send("X");
    if (client.read_once(100ms) > 0) r = client.read_response(1s);
  }
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 408);
}

TEST(ProtocolTimeoutTest, IdleKeepAliveConnectionIsClosed) {
  TestServer server({.routes = {router::get("/", [](Context&) { return text("ok"); })},
                     .limits = {.idle_timeout = 200ms}});
  RawClient client(server.port());
  ASSERT_TRUE(client.send(get_request("/")));
  auto r = client.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  const auto answered = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.wait_closed(5s));
  EXPECT_GE(std::chrono::steady_clock::now() - answered, 100ms);  // closed by the timer
  EXPECT_TRUE(client.buffer().empty());  // silently: an idle close sends no 408
}

TEST(ProtocolTimeoutTest, ConnectionThatNeverSendsIsClosed) {
  TestServer server({.routes = {router::get("/", [](Context&) { return text("ok"); })},
                     .limits = {.idle_timeout = 200ms}});
  RawClient client(server.port());
  EXPECT_TRUE(client.wait_closed(5s));
  EXPECT_TRUE(client.buffer().empty());
}

TEST(ProtocolTimeoutTest, BusyConnectionIsNotClosedWhileRequestsKeepComing) {
  TestServer server({.routes = {router::get("/", [](Context&) { return text("ok"); })},
                     .limits = {.idle_timeout = 1500ms}});
  RawClient client(server.port());
  // Each request resets the idle timer; 3 s of traffic outlasts the 1.5 s idle timeout.
  const auto until = std::chrono::steady_clock::now() + 3s;
  int answered = 0;
  while (std::chrono::steady_clock::now() < until) {
    ASSERT_TRUE(client.send(get_request("/")));
    auto r = client.read_response();
    ASSERT_TRUE(r) << "after " << answered << " answers";
    ++answered;
    ASSERT_TRUE(client.stays_silent(200ms)) << "closed after " << answered << " answers";
  }
}

TEST(ProtocolLimitTest, MaxConnectionsClosesTheExtraOne) {
  TestServer server({.routes = {router::get("/", [](Context&) { return text("ok"); })},
                     .limits = {.max_connections = 2}});
  RawClient first(server.port());
  RawClient second(server.port());
  // Make sure both are accepted and counted before the third arrives.
  for (RawClient* client : {&first, &second}) {
    ASSERT_TRUE(client->send(get_request("/")));
    ASSERT_TRUE(client->read_response());
  }
  RawClient third(server.port());
  ASSERT_TRUE(third.connected());  // the kernel accepts; the server then closes it
  third.send(get_request("/"));
  EXPECT_TRUE(third.wait_closed());
  EXPECT_TRUE(test::parse_all(third.buffer()).empty());

  // The first two still work.
  ASSERT_TRUE(first.send(get_request("/")));
  EXPECT_TRUE(first.read_response());

  // A slot freed by a client that leaves can be used again.
  second.close();
  bool served = false;
  for (int attempt = 0; attempt < 100 && !served; ++attempt) {
    RawClient again(server.port());
    again.send(get_request("/"));
    served = again.read_response(1s).has_value();
  }
  EXPECT_TRUE(served);
}

}  // namespace
}  // namespace pulsarcpp
