// One response pipeline: every request of a table is answered by the in-memory App and by a
// Server over a real socket, and the bytes must be the same (but for the Date's value).
#include "server/response_writer.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "pulsarcpp/pulsarcpp.hpp"
#include "support/raw_client.hpp"
#include "support/temp_dir.hpp"
#include "support/test_server.hpp"

namespace pulsarcpp {
namespace {

using namespace std::chrono_literals;

AsyncGenerator<std::string> pieces() {
  for (std::string piece : {"one", "", "two"}) co_yield piece;
}

AsyncGenerator<SseEvent> events() {
  SseEvent first{.data = "hello", .event = "greeting", .id = "1"};
  co_yield first;
  SseEvent second{.data = "line 1\nline 2"};
  co_yield second;
}

AsyncGenerator<std::string> failing() {
  std::string piece = "partial";
  co_yield piece;
  throw std::runtime_error("stream broke");
}

Options table_options(const test::TempDir& dir) {
  const std::string page = test::TempDir::from_cwd(dir.write("page.html", "<p>hello</p>"));
  return {
      .routes =
          {
              router::get("/json", [](Context&) { return json({{"message", "Hello, world!"}}); }),
              router::get("/text", [](Context&) { return text("plain", {.status = 201}); }),
              router::get("/no-content",
                          [](Context&) { return text("ignored", {.status = 204}); }),
              router::get("/not-modified",
                          [](Context&) { return text("ignored", {.status = 304}); }),
              router::get("/framing",
                          [](Context&) {
                            return text("body", {.headers = {{"Content-Length", "99"},
                                                             {"Transfer-Encoding", "chunked"},
                                                             {"Connection", "close"},
                                                             {"X-Kept", "yes"}}});
                          }),
              router::get("/context",
                          [](Context& ctx) {
                            ctx.add_response_header("Vary", "Cookie");
                            ctx.set_cookie({.name = "sid", .value = "1", .http_only = true});
                            return html("<b>x</b>");
                          }),
              router::get("/file", [page](Context&) { return file(page); }),
              router::get("/missing-file", [](Context&) { return file("no/such/file.txt"); }),
              router::get("/stream", [](Context&) { return stream(pieces()); }),
              router::get("/sse", [](Context&) { return sse(events()); }),
              router::get("/broken-stream", [](Context&) { return stream(failing()); }),
              router::get("/throw",
                          [](Context&) -> Response { throw std::runtime_error("handler broke"); }),
              router::get("/conflict",
                          [](Context&) -> Response { throw HttpError(409, "taken"); }),
              router::get("/unsafe",
                          [](Context&) {
                            Response r = text("x");
                            r.headers.emplace_back("X-Bad", "a\r\nInjected: 1");
                            return r;
                          }),
              router::get("/redirect", [](Context&) { return redirect("/json"); }),
              router::post("/echo", [](Context& ctx) { return text(std::string(ctx.body())); }),
          },
      .limits = {.max_body_bytes = 64},
  };
}

struct Exchange {
  std::string method = "GET";
  std::string target;
  Headers headers = {};
  std::string body = {};
};

// The request as App::handle_bytes writes it for its parser.
std::string wire_request(const Exchange& e) {
  std::string raw = e.method + " " + e.target + " HTTP/1.1\r\nHost: localhost\r\n";
  for (const auto& [name, value] : e.headers) raw += name + ": " + value + "\r\n";
  if (!e.body.empty()) raw += "Content-Length: " + std::to_string(e.body.size()) + "\r\n";
  return raw + "\r\n" + e.body;
}

std::string without_date(const std::string& bytes) {
  test::HttpResponse response;
  response.raw = bytes;
  return response.raw_without_date();
}

TEST(OnePipelineTest, AppAndServerWriteTheSameBytes) {
  test::TempDir dir;
  App app(table_options(dir));
  test::TestServer server(table_options(dir));
  const std::vector<Exchange> table = {
      {.target = "/json"},
      {.target = "/text"},
      {.target = "/no-content"},
      {.target = "/not-modified"},
      {.target = "/framing"},
      {.target = "/context"},
      {.target = "/file"},
      {.target = "/file", .headers = {{"Range", "bytes=3-5"}}},
      {.target = "/file", .headers = {{"Range", "bytes=100-"}}},
      {.target = "/missing-file"},
      {.target = "/stream"},
      {.target = "/sse"},
      {.target = "/throw"},
      {.target = "/conflict"},
      {.target = "/unsafe"},
      {.target = "/redirect"},
      {.target = "/nowhere"},
      {.target = "//json/"},
      {.target = "/%zz"},
      {.method = "HEAD", .target = "/json"},
      {.method = "HEAD", .target = "/stream"},
      {.method = "HEAD", .target = "/file"},
      {.method = "POST", .target = "/json"},
      {.method = "POST", .target = "/echo", .body = "ping"},
      {.method = "POST", .target = "/echo", .body = std::string(65, 'x')},
      {.target = "/json", .headers = {{"Bad Header", "x"}}},
  };
  for (const Exchange& e : table) {
    const std::string from_app = app.handle_bytes(
        {.method = e.method, .target = e.target, .headers = e.headers, .body = e.body});
    test::RawClient client(server.port());
    ASSERT_TRUE(client.send(wire_request(e)));
    auto from_socket = client.read_response(5s, e.method == "HEAD");
    ASSERT_TRUE(from_socket) << e.method << " " << e.target;
    EXPECT_EQ(without_date(from_app), from_socket->raw_without_date())
        << e.method << " " << e.target;
  }
}

TEST(OnePipelineTest, BodilessStatusesAndFramingHeadersAreTheServers) {
  test::TempDir dir;
  App app(table_options(dir));
  Response no_content = app.handle({.target = "/no-content"});
  EXPECT_EQ(no_content.status, 204);
  EXPECT_EQ(no_content.body, "");
  EXPECT_FALSE(no_content.header("Content-Length"));
  EXPECT_EQ(app.handle({.target = "/not-modified"}).body, "");
  Response framing = app.handle({.target = "/framing"});
  EXPECT_EQ(framing.header("Content-Length"), "4");  // the real length, not the handler's 99
  EXPECT_FALSE(framing.header("Transfer-Encoding"));
  EXPECT_FALSE(framing.header("Connection"));
  EXPECT_EQ(framing.header("X-Kept"), "yes");
  EXPECT_EQ(framing.body, "body");
  EXPECT_TRUE(app.handle({.target = "/json"}).header("Date"));
}

TEST(OnePipelineTest, StreamsAreChunkedAsOnTheWire) {
  test::TempDir dir;
  App app(table_options(dir));
  EXPECT_NE(app.handle_bytes({.target = "/stream"}).find("3\r\none\r\n3\r\ntwo\r\n0\r\n\r\n"),
            std::string::npos);
  Response streamed = app.handle({.target = "/stream"});
  EXPECT_EQ(streamed.header("Transfer-Encoding"), "chunked");
  EXPECT_EQ(streamed.body, "onetwo");
  // A stream that fails after a piece ends without its last chunk, as a client would see it.
  const std::string broken = app.handle_bytes({.target = "/broken-stream"});
  EXPECT_NE(broken.find("7\r\npartial\r\n"), std::string::npos);
  EXPECT_EQ(broken.find("0\r\n\r\n"), std::string::npos);
  EXPECT_EQ(app.handle({.target = "/broken-stream"}).body, "partial");
}

}  // namespace
}  // namespace pulsarcpp
