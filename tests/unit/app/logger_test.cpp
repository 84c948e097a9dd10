// logger(): exactly one line per request, whatever its answer, streams timed to their end, and
// the optional fields and sink.
#include <gtest/gtest.h>

#include <memory>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

#include "pulsarcpp/pulsarcpp.hpp"

namespace pulsarcpp {
namespace {

// Three pieces, produced after the handler has returned the stream; `*ended` is set once the
// last one has been taken.
AsyncGenerator<std::string> three_pieces(std::shared_ptr<bool> ended) {
  for (std::string piece : {"ab", "cde", "f"}) co_yield piece;
  *ended = true;
}

struct Logged {
  std::vector<std::string> lines;
  Middleware logger(LoggerOptions options = {}) {
    options.sink = [this](std::string_view line) { lines.emplace_back(line); };
    return pulsarcpp::logger(std::move(options));
  }
};

std::vector<Route> routes(std::shared_ptr<bool> stream_ended = std::make_shared<bool>()) {
  return {router::get("/", [](Context&) { return text("hello"); }),
          router::get("/throw", [](Context&) -> Response { throw std::runtime_error("boom"); }),
          router::get("/taken", [](Context&) -> Response { throw HttpError(409, "taken"); }),
          router::get("/stream", [stream_ended](Context&) { return stream(three_pieces(stream_ended)); })};
}

// "GET / 200 0.12ms" -> "GET / 200", checking the duration's form.
std::string without_duration(const std::string& line) {
  static const std::regex form(R"((.*) \d+\.\d\dms(.*))");
  std::smatch match;
  if (!std::regex_match(line, match, form)) return "malformed: " + line;
  return match[1].str() + match[2].str();
}

TEST(LoggerTest, OneLinePerRequestWhateverTheAnswer) {
  Logged logged;
  App app({.routes = routes(), .middlewares = {logged.logger()}});
  app.handle({.target = "/?token=secret"});
  app.handle({.target = "/missing"});
  app.handle({.method = "POST", .target = "/"});
  app.handle({.target = "/throw"});
  app.handle({.target = "/taken"});
  app.handle({.target = "/%zz"});
  app.handle({.target = "//stream/"});
  std::vector<std::string> seen;
  for (const auto& line : logged.lines) seen.push_back(without_duration(line));
  EXPECT_EQ(seen, (std::vector<std::string>{"GET / 200", "GET /missing 404", "POST / 405",
                                            "GET /throw 500", "GET /taken 409", "GET /%zz 400",
                                            "GET /stream 200"}));
}

TEST(LoggerTest, AStreamIsLoggedAfterItsLastPiece) {
  auto ended = std::make_shared<bool>(false);
  std::vector<bool> ended_when_logged;
  App app({.routes = routes(ended),
           .middlewares = {logger({.response_bytes = true, .sink = [&](std::string_view line) {
             ended_when_logged.push_back(*ended);
             EXPECT_EQ(without_duration(std::string(line)), "GET /stream 200 6B");
           }})}});
  EXPECT_EQ(app.handle({.target = "/stream"}).body, "abcdef");
  // One line, written once the stream had ended, not when the handler returned it: so its
  // duration runs to the last piece.
  EXPECT_EQ(ended_when_logged, (std::vector<bool>{true}));
}

TEST(LoggerTest, AStreamThatNeverRunsIsLoggedOnce) {
  Logged logged;
  App app({.routes = routes(), .middlewares = {logged.logger({.response_bytes = true})}});
  app.handle({.method = "HEAD", .target = "/stream"});
  ASSERT_EQ(logged.lines.size(), 1u);
  EXPECT_EQ(without_duration(logged.lines[0]), "HEAD /stream 200 0B");
}

TEST(LoggerTest, OptionalFieldsInTheirOrder) {
  Logged logged;
  App app({.routes = routes(),
           .middlewares = {logged.logger({.remote_address = true,
                                          .response_bytes = true,
                                          .user_agent = true,
                                          .request_id = true})}});
  app.handle({.target = "/",
              .headers = {{"User-Agent", R"(curl/8.1 "x")"}, {"X-Request-Id", "req-42"}},
              .remote_address = "10.0.0.7"});
  app.handle({.target = "/missing"});
  ASSERT_EQ(logged.lines.size(), 2u);
  EXPECT_EQ(without_duration(logged.lines[0]), R"(GET / 200 10.0.0.7 5B "curl/8.1 \"x\"" req-42)");
  EXPECT_EQ(without_duration(logged.lines[1]), "GET /missing 404 127.0.0.1 9B - -");
}

TEST(LoggerTest, WithoutASinkItWritesPulsarsLineToStandardOutput) {
  testing::internal::CaptureStdout();
  App app({.routes = routes(), .middlewares = {logger()}});
  app.handle({.target = "/"});
  const std::string out = testing::internal::GetCapturedStdout();
  EXPECT_TRUE(std::regex_match(out, std::regex(R"(\d\d/\d\d/\d{4}, \d\d:\d\d:\d\d: GET / 200 \d+\.\d\dms\n)")))
      << out;
}

}  // namespace
}  // namespace pulsarcpp
