// Pipelining: several requests sent back to back on one connection are answered in order,
// whatever the handlers do and however TCP splits the bytes.

#include <gtest/gtest.h>

#include <chrono>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "pulsarcpp/pulsarcpp.hpp"
#include "support/raw_client.hpp"
#include "support/test_server.hpp"

namespace pulsarcpp {
namespace {

using namespace std::chrono_literals;
using test::HttpResponse;
using test::RawClient;
using test::TestServer;

Options echo_app() {
  return {.routes = {
              router::get("/a", [](Context&) { return text("A"); }),
              router::post("/echo",
                           [](Context& ctx) { return text("echo:" + std::string(ctx.body())); }),
              router::get("/slow",
                          [](Context&) -> Task<Response> {
                            co_await sleep_for(50ms);
                            co_return text("slow");
                          }),
              router::get("/offload",
                          [](Context&) -> Task<Response> {
                            std::string v =
                                co_await offload([] { return std::string("offloaded"); });
                            co_return text(v);
                          }),
          }};
}

// GET, POST with Content-Length, chunked POST (with a chunk extension), GET again.
const std::string kMixed =
    "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
    "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
    "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    "3;ext=1\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n"
    "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";

std::vector<std::string> bodies(const std::vector<HttpResponse>& responses) {
  std::vector<std::string> out;
  for (const auto& r : responses) out.push_back(r.body);
  return out;
}

std::vector<std::string> without_dates(const std::vector<HttpResponse>& responses) {
  std::vector<std::string> out;
  for (const auto& r : responses) out.push_back(r.raw_without_date());
  return out;
}

const std::vector<std::string> kMixedBodies = {"A", "echo:hello", "echo:abcdefg", "A"};

TEST(PipeliningTest, MixedRequestsAnsweredInOrder) {
  TestServer server(echo_app());
  RawClient client(server.port());
  ASSERT_TRUE(client.send(kMixed));
  auto responses = client.read_responses(4);
  ASSERT_EQ(responses.size(), 4u);
  EXPECT_EQ(bodies(responses), kMixedBodies);
  for (const auto& r : responses) EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(client.buffer().empty());  // nothing extra
}

TEST(PipeliningTest, AnswersFromOneReadLeaveInOneWrite) {
  TestServer server(echo_app());
  RawClient client(server.port());
  // One send: on loopback the server gets it in one read and must answer with one write,
  // which the client then receives with one recv.
  ASSERT_TRUE(client.send(kMixed));
  auto responses = client.read_responses(4);
  ASSERT_EQ(responses.size(), 4u);
  EXPECT_EQ(client.reads(), 1);
}

TEST(PipeliningTest, EverySplitPointGivesTheSameResponses) {
  TestServer server(echo_app());
  std::vector<std::string> expected;
  {
    RawClient client(server.port());
    ASSERT_TRUE(client.send(kMixed));
    expected = without_dates(client.read_responses(4));
    ASSERT_EQ(expected.size(), 4u);
  }
  // With TCP_NODELAY each send leaves as its own segment, so the server sees the request
  // stream cut at every byte position in turn: inside the request line, a header, CRLF CRLF,
  // a Content-Length body, a chunk-size line, chunk data and the last chunk.
  for (std::size_t split = 1; split < kMixed.size(); ++split) {
    RawClient client(server.port());
    ASSERT_TRUE(client.send(std::string_view(kMixed).substr(0, split)));
    ASSERT_TRUE(client.send(std::string_view(kMixed).substr(split)));
    auto got = without_dates(client.read_responses(4));
    ASSERT_EQ(got, expected) << "split at byte " << split;
  }
}

TEST(PipeliningTest, ByteByByteOnOneConnection) {
  TestServer server(echo_app());
  RawClient client(server.port());
  for (char c : kMixed) ASSERT_TRUE(client.send(std::string_view(&c, 1)));
  auto responses = client.read_responses(4);
  ASSERT_EQ(responses.size(), 4u);
  EXPECT_EQ(bodies(responses), kMixedBodies);
}

TEST(PipeliningTest, ManyClientsWritingAtOnceEachGetTheirOwnAnswers) {
  // Sockets readable together are received from with one system call where io_uring is there,
  // into slots smaller than some of these requests; each client must still get its own answers,
  // in order, whatever was read for it by the loop and whatever it read on by itself.
  TestServer server(echo_app());
  constexpr int kClients = 24;
  std::vector<std::unique_ptr<RawClient>> clients;
  std::vector<std::string> streams;
  std::vector<std::string> bodies_sent;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<RawClient>(server.port()));
    bodies_sent.push_back(std::string(1000 + 300 * i, static_cast<char>('a' + i)));
    streams.push_back(kMixed + "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                      std::to_string(bodies_sent.back().size()) + "\r\n\r\n" +
                      bodies_sent.back());
  }
  for (std::size_t part = 0; part < 3; ++part) {
    for (int i = 0; i < kClients; ++i) {
      const std::size_t third = streams[i].size() / 3 + 1;
      ASSERT_TRUE(clients[i]->send(std::string_view(streams[i]).substr(part * third, third)));
    }
  }
  for (int i = 0; i < kClients; ++i) {
    auto responses = clients[i]->read_responses(5);
    std::vector<std::string> expected = kMixedBodies;
    expected.push_back("echo:" + bodies_sent[i]);
    EXPECT_EQ(bodies(responses), expected) << "client " << i;
  }
}

TEST(PipeliningTest, LargeBodiesInSmallPiecesWhileTheBufferGrows) {
  // The head is parsed once while its body arrives, and again whenever the input buffer has
  // moved (grown) in between; either way every header, the body and the request behind it
  // must come out intact.
  TestServer server(echo_app());
  RawClient client(server.port());
  const std::string body(200 * 1024, 'b');
  const std::string content_length =
      "POST /echo HTTP/1.1\r\nHost: x\r\nX-Long: " + std::string(4000, 'h') +
      "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  std::string chunked =
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (std::size_t i = 0; i < 200 * 1000; i += 1000) {
    chunked += "3e8\r\n" + body.substr(i, 1000) + "\r\n";  // 200 chunks of 1000 bytes
  }
  chunked += "0\r\n\r\n";
  const std::string stream = content_length + chunked + "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
  for (std::size_t i = 0; i < stream.size(); i += 700) {
    ASSERT_TRUE(client.send(std::string_view(stream).substr(i, 700)));
  }
  auto responses = client.read_responses(3);
  ASSERT_EQ(responses.size(), 3u);
  EXPECT_EQ(responses[0].body, "echo:" + body);
  EXPECT_EQ(responses[1].body, "echo:" + body.substr(0, 200 * 1000));
  EXPECT_EQ(responses[2].body, "A");
}

// "No limit" written as the largest size must not wrap the bound on a chunked body's raw
// bytes to a few KiB (which answered 413 to any chunked upload arriving in pieces). The body is
// larger than one read (64 KiB), so the server always sees it incomplete with more than 16 KiB
// buffered, however the bytes arrive.
TEST(PipeliningTest, AnUnlimitedBodySizeAcceptsAChunkedBodyInPieces) {
  Options options = echo_app();
  options.limits.max_body_bytes = std::numeric_limits<std::size_t>::max();
  TestServer server(std::move(options));
  RawClient client(server.port());
  const std::string body(200 * 1000, 'c');
  std::string chunked = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (std::size_t i = 0; i < body.size(); i += 1000) {
    chunked += "3e8\r\n" + body.substr(i, 1000) + "\r\n";
  }
  chunked += "0\r\n\r\n";
  ASSERT_TRUE(client.send(chunked));
  auto r = client.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "echo:" + body);
}

TEST(PipeliningTest, AsyncFirstRequestStillAnsweredFirst) {
  TestServer server(echo_app());
  RawClient client(server.port());
  ASSERT_TRUE(
      client.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"
                  "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
                  "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi"
                  "GET /offload HTTP/1.1\r\nHost: x\r\n\r\n"
                  "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto responses = client.read_responses(5);
  ASSERT_EQ(responses.size(), 5u);
  EXPECT_EQ(bodies(responses),
            (std::vector<std::string>{"slow", "A", "echo:hi", "offloaded", "A"}));
}

TEST(PipeliningTest, SeveralAsyncRequestsInARow) {
  TestServer server(echo_app());
  RawClient client(server.port());
  std::string batch;
  for (int i = 0; i < 3; ++i)
    batch += "GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /a HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_TRUE(client.send(batch));
  auto responses = client.read_responses(6);
  ASSERT_EQ(responses.size(), 6u);
  EXPECT_EQ(bodies(responses), (std::vector<std::string>{"slow", "A", "slow", "A", "slow", "A"}));
}

TEST(PipeliningTest, ManyPipelinedRequestsLargerThanOneRead) {
  TestServer server(echo_app());
  RawClient client(server.port());
  std::string batch;
  constexpr int kRequests = 1000;  // ~30 KB of requests: more than the server's 16 KB reads
  for (int i = 0; i < kRequests; ++i) batch += "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_TRUE(client.send(batch));
  auto responses = client.read_responses(kRequests, 10s);
  ASSERT_EQ(responses.size(), static_cast<std::size_t>(kRequests));
  for (const auto& r : responses) ASSERT_EQ(r.body, "A");
}

TEST(PipeliningTest, ErrorAfterGoodRequestsAnswersThemFirst) {
  TestServer server(echo_app());
  RawClient client(server.port());
  ASSERT_TRUE(
      client.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
                  "GET /a HTTP/9.9\r\nHost: x\r\n\r\n"
                  "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(client.wait_closed());
  auto responses = test::parse_all(client.buffer());
  ASSERT_EQ(responses.size(), 2u);
  EXPECT_EQ(responses[0].body, "A");
  EXPECT_EQ(responses[1].status, 505);
}

TEST(PipeliningTest, ExpectContinueWithTheBodyAlreadySentNeedsNo100) {
  TestServer server(echo_app());
  RawClient client(server.port());
  // The body arrived with the head, so an interim 100 would only be noise (RFC 9110 §10.1.1).
  ASSERT_TRUE(client.send(
      "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc"
      "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto responses = client.read_responses(2);
  ASSERT_EQ(responses.size(), 2u);
  EXPECT_EQ(responses[0].status, 200);
  EXPECT_EQ(bodies(responses), (std::vector<std::string>{"echo:abc", "A"}));
}

}  // namespace
}  // namespace pulsarcpp
