#include "pulsarcpp/response.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "pulsarcpp/pulsarcpp.hpp"
#include "support/temp_dir.hpp"

namespace pulsarcpp {
namespace {

using test::TempDir;
using HeaderList = std::vector<std::pair<std::string, std::string>>;

std::size_t count_headers(const Response& r, std::string_view name) {
  std::size_t n = 0;
  for (const auto& [key, value] : r.headers) n += http::iequals(key, name) ? 1 : 0;
  return n;
}

// ---- Helpers ----

TEST(ResponseHelperTest, Json) {
  Response r = json({{"message", "Hello, world!"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers, (HeaderList{{"Content-Type", "application/json"}}));
  EXPECT_EQ(r.body, R"({"message":"Hello, world!"})");
  EXPECT_FALSE(r.file_path);
  EXPECT_FALSE(r.body_stream);
}

TEST(ResponseHelperTest, JsonWithOptions) {
  Response r = json(nlohmann::json::array({1, 2}), {.status = 201, .headers = {{"X-Id", "9"}}});
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.headers, (HeaderList{{"Content-Type", "application/json"}, {"X-Id", "9"}}));
  EXPECT_EQ(r.body, "[1,2]");
}

// A braced literal of scalars takes the fields overload; anything else must keep building the
// nlohmann::json it always did, with its meaning.
TEST(ResponseHelperTest, JsonLiteralsMeanWhatNlohmannMakesOfThem) {
  const nlohmann::json user = {{"name", "ada"}};
  EXPECT_EQ(json({{"id", std::string_view("42")}, {"admin", true}}).body,
            R"({"admin":true,"id":"42"})");
  EXPECT_EQ(json({}).body, "{}");
  EXPECT_EQ(json({}).body, nlohmann::json({}).dump());
  EXPECT_EQ(json({{"list", {"x"}}}).body, R"({"list":["x"]})");
  EXPECT_EQ(json({{"empty", {}}}).body, R"({"empty":null})");
  EXPECT_EQ(json({{"user", user}}, {.status = 201}).body, R"({"user":{"name":"ada"}})");
  EXPECT_EQ(json({{"nested", {{"a", 1}}}}).body, R"({"nested":{"a":1}})");
  EXPECT_EQ(json({"a", 1}).body, R"(["a",1])");
  EXPECT_EQ(json({{"a", 1, 2}}).body, R"([["a",1,2]])");
  EXPECT_EQ(json({1, 2, 3}).body, "[1,2,3]");
}

TEST(ResponseHelperTest, JsonLiteralWithOptions) {
  Response r = json({{"ok", true}}, {.status = 202, .headers = {{"X-Id", "9"}}});
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(r.headers, (HeaderList{{"Content-Type", "application/json"}, {"X-Id", "9"}}));
  EXPECT_EQ(r.body, R"({"ok":true})");
}

TEST(ResponseHelperTest, Text) {
  Response r = text("hi");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers, (HeaderList{{"Content-Type", "text/plain"}}));
  EXPECT_EQ(r.body, "hi");
}

TEST(ResponseHelperTest, Html) {
  Response r = html("<h1>x</h1>", {.status = 404});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.headers, (HeaderList{{"Content-Type", "text/html"}}));
  EXPECT_EQ(r.body, "<h1>x</h1>");
}

TEST(ResponseHelperTest, RedirectDefaultsTo302) {
  Response r = redirect("/login");
  EXPECT_EQ(r.status, 302);
  EXPECT_EQ(r.headers, (HeaderList{{"Location", "/login"}}));
  EXPECT_EQ(r.body, "");
}

TEST(ResponseHelperTest, RedirectWithCustomStatus) {
  Response r =
      redirect("https://example.com/new", 301, {.headers = {{"Cache-Control", "no-store"}}});
  EXPECT_EQ(r.status, 301);
  EXPECT_EQ(r.header("Location"), "https://example.com/new");
  EXPECT_EQ(r.header("Cache-Control"), "no-store");
  EXPECT_EQ(count_headers(r, "Location"), 1u);
}

TEST(ResponseHelperTest, RedirectStatusArgumentWinsOverOptions) {
  EXPECT_EQ(redirect("/x", 307, {.status = 200}).status, 307);
}

TEST(ResponseHelperTest, ErrorWithoutMessageUsesTheReasonPhrase) {
  Response r = error(404);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "Not Found");
  EXPECT_EQ(r.headers, (HeaderList{{"Content-Type", "text/plain;charset=utf-8"}}));
  EXPECT_EQ(error(413).body, "Payload Too Large");
  EXPECT_EQ(error(503).body, "Service Unavailable");
}

TEST(ResponseHelperTest, ErrorWithMessage) {
  Response r = error(400, "name is required");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "name is required");
  EXPECT_EQ(r.header("Content-Type"), "text/plain;charset=utf-8");
}

TEST(ResponseHelperTest, ErrorWithAnUnknownStatusStillHasABody) {
  Response r = error(599);
  EXPECT_EQ(r.status, 599);
  EXPECT_FALSE(r.body.empty());
}

TEST(ResponseHelperTest, ErrorKeepsOptionHeadersButNotOptionStatus) {
  Response r = error(429, "", {.status = 200, .headers = {{"Retry-After", "30"}}});
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.body, "Too Many Requests");
  EXPECT_EQ(r.header("Retry-After"), "30");
}

TEST(ResponseHelperTest, CustomResponseWithContentType) {
  Response r = custom_response("a,b\n", "text/csv", {.status = 202});
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(r.headers, (HeaderList{{"Content-Type", "text/csv"}}));
  EXPECT_EQ(r.body, "a,b\n");
}

TEST(ResponseHelperTest, CustomResponseWithoutContentType) {
  Response r = custom_response("raw");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.headers.empty());
  EXPECT_EQ(r.body, "raw");
}

TEST(ResponseHelperTest, OptionHeadersOverrideTheHelpersContentType) {
  Response r = text("# title", {.headers = {{"content-type", "text/markdown"}}});
  EXPECT_EQ(count_headers(r, "Content-Type"), 1u);
  EXPECT_EQ(r.header("Content-Type"), "text/markdown");
  Response j = json(1, {.headers = {{"Content-Type", "application/problem+json"}}});
  EXPECT_EQ(j.headers, (HeaderList{{"Content-Type", "application/problem+json"}}));
}

TEST(ResponseHelperTest, FileRecordsThePathWithoutALeadingSlash) {
  Response r = file("/assets/logo.png", {.headers = {{"Cache-Control", "max-age=60"}}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.file_path, "assets/logo.png");
  EXPECT_EQ(r.header("Cache-Control"), "max-age=60");
  EXPECT_EQ(file("docs/a.txt").file_path, "docs/a.txt");
}

TEST(ResponseHelperTest, ResponseConstructorSetsTheStatus) {
  Response r(204);
  EXPECT_EQ(r.status, 204);
  EXPECT_TRUE(r.headers.empty());
  EXPECT_TRUE(r.body.empty());
}

// ---- Header editing ----

TEST(ResponseHeaderTest, SetHeaderAddsWhenAbsent) {
  Response r;
  r.set_header("X-A", "1");
  EXPECT_EQ(r.headers, (HeaderList{{"X-A", "1"}}));
}

TEST(ResponseHeaderTest, SetHeaderReplacesEveryCaseInsensitiveMatchInPlace) {
  Response r;
  r.headers = {{"X-A", "1"}, {"B", "2"}, {"x-a", "3"}, {"C", "4"}};
  r.set_header("x-A", "new");
  EXPECT_EQ(r.headers, (HeaderList{{"X-A", "new"}, {"B", "2"}, {"C", "4"}}));
}

TEST(ResponseHeaderTest, AddHeaderKeepsDuplicates) {
  Response r;
  r.add_header("Link", "<a>").add_header("link", "<b>");
  EXPECT_EQ(r.headers, (HeaderList{{"Link", "<a>"}, {"link", "<b>"}}));
  EXPECT_EQ(r.header("LINK"), "<a>");  // the first one
}

TEST(ResponseHeaderTest, RemoveHeaderRemovesEveryMatch) {
  Response r;
  r.headers = {{"X-A", "1"}, {"B", "2"}, {"x-a", "3"}};
  r.remove_header("X-a");
  EXPECT_EQ(r.headers, (HeaderList{{"B", "2"}}));
  r.remove_header("missing");
  EXPECT_EQ(r.headers.size(), 1u);
}

TEST(ResponseHeaderTest, HeaderLookupIsCaseInsensitive) {
  Response r = text("x");
  EXPECT_EQ(r.header("content-type"), "text/plain");
  EXPECT_EQ(r.header("CONTENT-TYPE"), "text/plain");
  EXPECT_FALSE(r.header("Content-Length"));
}

TEST(ResponseHeaderTest, SetCookieAddsOneHeaderPerCookie) {
  Response r;
  r.set_cookie({.name = "a", .value = "1"}).set_cookie({.name = "b", .value = "2", .max_age = 0});
  EXPECT_EQ(r.headers,
            (HeaderList{{"Set-Cookie", "a=1; Path=/"}, {"Set-Cookie", "b=2; Max-Age=0; Path=/"}}));
}

TEST(ResponseHeaderTest, InvalidCookieThrows) {
  Response r;
  EXPECT_THROW(r.set_cookie({.name = "bad name", .value = "x"}), std::invalid_argument);
  EXPECT_THROW(r.set_cookie({.name = "n", .value = "a;b"}), std::invalid_argument);
  EXPECT_TRUE(r.headers.empty());
}

// ---- Server-Sent Events ----

TEST(SseFormatTest, DataOnly) {
  EXPECT_EQ(format_sse_event({.data = "hello"}), "data: hello\n\n");
}

TEST(SseFormatTest, EmptyDataStillEndsTheEvent) {
  EXPECT_EQ(format_sse_event({}), "data: \n\n");
}

TEST(SseFormatTest, MultiLineDataGetsOneFieldPerLine) {
  EXPECT_EQ(format_sse_event({.data = "a\nb\nc"}), "data: a\ndata: b\ndata: c\n\n");
}

TEST(SseFormatTest, CrLfAndCrEndLinesToo) {
  EXPECT_EQ(format_sse_event({.data = "a\r\nb"}), "data: a\ndata: b\n\n");
  EXPECT_EQ(format_sse_event({.data = "a\rb"}), "data: a\ndata: b\n\n");
  EXPECT_EQ(format_sse_event({.data = "a\r\n\r\nb"}), "data: a\ndata: \ndata: b\n\n");
}

TEST(SseFormatTest, TrailingNewlineKeepsAnEmptyLast) {
  // The browser joins data lines with \n, so this round-trips to "a\n".
  EXPECT_EQ(format_sse_event({.data = "a\n"}), "data: a\ndata: \n\n");
}

TEST(SseFormatTest, AllFields) {
  EXPECT_EQ(format_sse_event({.data = "x", .event = "update", .id = "7", .retry_ms = 3000}),
            "event: update\nid: 7\nretry: 3000\ndata: x\n\n");
}

TEST(SseFormatTest, ZeroRetryIsWritten) {
  EXPECT_EQ(format_sse_event({.data = "x", .retry_ms = 0}), "retry: 0\ndata: x\n\n");
}

// ---- Streams through App::handle ----

AsyncGenerator<std::string> letters() {
  for (std::string piece : {"a", "bc", "", "d"}) co_yield piece;
}

TEST(ResponseStreamTest, StreamIsCollected) {
  App app({.routes = {router::get("/", [](Context&) {
             return stream(letters(), {.status = 201, .headers = {{"Content-Type", "text/plain"}}});
           })}});
  Response r = app.handle({});
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body, "abcd");
  EXPECT_EQ(r.header("Content-Type"), "text/plain");
  EXPECT_FALSE(r.body_stream);
}

TEST(ResponseStreamTest, StreamMayAwait) {
  App app({.routes = {router::get("/", [](Context&) {
             auto slow = []() -> AsyncGenerator<std::string> {
               for (int i = 0; i < 3; ++i) {
                 co_await sleep_for(std::chrono::milliseconds(1));
                 std::string piece = std::to_string(i);
                 co_yield piece;
               }
             };
             return stream(slow());
           })}});
  EXPECT_EQ(app.handle({}).body, "012");
}

TEST(ResponseStreamTest, AStreamThrowingANonStdExceptionKeepsWhatCameBefore) {
  App app({.routes = {router::get("/", [](Context&) {
             return stream([]() -> AsyncGenerator<std::string> {
               std::string first = "partial";
               co_yield first;
               throw 42;
             }());
           })}});
  EXPECT_EQ(app.handle({}).body, "partial");
}

TEST(ResponseStreamTest, HeadOfAStreamHasNoBody) {
  App app({.routes = {router::get("/", [](Context&) { return stream(letters()); })}});
  Response r = app.handle({.method = "HEAD"});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
}

AsyncGenerator<SseEvent> two_events() {
  SseEvent first{.data = "hello", .event = "greeting"};
  co_yield first;
  SseEvent second{.data = "line 1\nline 2", .id = "2"};
  co_yield second;
}

TEST(ResponseStreamTest, SseSetsItsHeadersAndFormatsEvents) {
  App app({.routes = {router::get("/events", [](Context&) { return sse(two_events()); })}});
  Response r = app.handle({.target = "/events"});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Type"), "text/event-stream");
  EXPECT_EQ(r.header("Cache-Control"), "no-cache");
  EXPECT_EQ(r.body,
            "event: greeting\ndata: hello\n\n"
            "id: 2\ndata: line 1\ndata: line 2\n\n");
}

TEST(ResponseStreamTest, SseOptionsOverrideItsHeaders) {
  Response r = sse(two_events(), {.status = 203, .headers = {{"cache-control", "no-store"}}});
  EXPECT_EQ(r.status, 203);
  EXPECT_EQ(r.header("Content-Type"), "text/event-stream");
  EXPECT_EQ(count_headers(r, "Cache-Control"), 1u);
  EXPECT_EQ(r.header("Cache-Control"), "no-store");
  EXPECT_TRUE(r.body_stream);
}

TEST(ResponseHeaderTest, SettersRefuseWhatWouldEndTheHeaderLine) {
  Response r = text("x");
  EXPECT_THROW(r.set_header("X-A", "a\r\nInjected: 1"), std::invalid_argument);
  EXPECT_THROW(r.add_header("X-A", "a\nb"), std::invalid_argument);
  EXPECT_THROW(r.add_header("X-A", std::string_view("a\0b", 3)), std::invalid_argument);
  EXPECT_THROW(r.add_header("X A", "v"), std::invalid_argument);
  EXPECT_THROW(r.add_header("", "v"), std::invalid_argument);
  EXPECT_THROW(r.set_header("X:A", "v"), std::invalid_argument);
  EXPECT_THROW(redirect("/x\r\nSet-Cookie: a=1"), std::invalid_argument);
  EXPECT_THROW(text("x", {.headers = {{"X-A", "1\r\n"}}}), std::invalid_argument);
  // Tabs, spaces and non-ASCII bytes are allowed in values, as Bun allows them.
  r.set_header("X-Fine", "a\tb c \xC3\xA9");
  EXPECT_EQ(r.header("X-Fine"), "a\tb c \xC3\xA9");
  EXPECT_EQ(count_headers(r, "X-A"), 0u);
}

TEST(SseFormatTest, LineBreaksInSingleLineFieldsAreRefused) {
  EXPECT_THROW(format_sse_event({.data = "x", .event = "chat\ndata: forged"}),
               std::invalid_argument);
  EXPECT_THROW(format_sse_event({.data = "x", .event = "a\rb"}), std::invalid_argument);
  EXPECT_THROW(format_sse_event({.data = "x", .id = "1\n2"}), std::invalid_argument);
  EXPECT_THROW(format_sse_event({.data = "x", .id = std::string("1\0" "2", 3)}),
               std::invalid_argument);
  EXPECT_EQ(format_sse_event({.data = "x", .event = "chat", .id = "7"}),
            "event: chat\nid: 7\ndata: x\n\n");
}

// ---- Files through App::handle ----

class FileResponseTest : public ::testing::Test {
 protected:
  static constexpr std::string_view kContent = "abcdefghijklmnopqrstuvwxyz";

  void SetUp() override {
    ASSERT_FALSE(dir.path().empty());
    path = dir.write("site/letters.txt", kContent);
    relative = TempDir::from_cwd(path);
  }

  Response get(Headers headers = {}, std::string method = "GET") {
    return app.handle({.method = method, .target = "/f", .headers = std::move(headers)});
  }

  TempDir dir;
  std::filesystem::path path;
  std::string relative;
  App app{
      {.routes = {router::get("/f", [this](Context&) { return file(relative); }),
                  router::get("/missing", [this](Context&) { return file(relative + ".nope"); })}}};
};

TEST_F(FileResponseTest, ServesTheWholeFileWithValidators) {
  Response r = get();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, kContent);
  EXPECT_EQ(r.header("Content-Type"), "text/plain; charset=utf-8");
  ASSERT_TRUE(r.header("ETag"));
  EXPECT_TRUE(r.header("ETag")->starts_with("\"") || r.header("ETag")->starts_with("W/\""));
  ASSERT_TRUE(r.header("Last-Modified"));
  EXPECT_TRUE(r.header("Last-Modified")->ends_with(" GMT"));
  EXPECT_EQ(r.header("Accept-Ranges"), "bytes");
  EXPECT_FALSE(r.file_path);
}

TEST_F(FileResponseTest, SameFileSameEtag) {
  EXPECT_EQ(get().header("ETag"), get().header("ETag"));
}

TEST_F(FileResponseTest, ChangedFileChangesTheEtag) {
  std::string before(*get().header("ETag"));
  dir.write("site/letters.txt", "different length");
  EXPECT_NE(get().header("ETag"), before);
}

TEST_F(FileResponseTest, HelperContentTypeWins) {
  App custom({.routes = {router::get("/f", [this](Context&) {
                return file(relative, {.headers = {{"Content-Type", "application/x-letters"}}});
              })}});
  Response r = custom.handle({.target = "/f"});
  EXPECT_EQ(r.header("Content-Type"), "application/x-letters");
  EXPECT_EQ(count_headers(r, "Content-Type"), 1u);
}

TEST_F(FileResponseTest, IfNoneMatchGives304) {
  std::string etag(*get().header("ETag"));
  Response r = get({{"If-None-Match", etag}});
  EXPECT_EQ(r.status, 304);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(r.header("ETag"), etag);
  EXPECT_EQ(get({{"If-None-Match", "\"something-else\""}}).status, 200);
  EXPECT_EQ(get({{"If-None-Match", "*"}}).status, 304);
}

TEST_F(FileResponseTest, IfModifiedSinceGives304) {
  std::string modified(*get().header("Last-Modified"));
  Response r = get({{"If-Modified-Since", modified}});
  EXPECT_EQ(r.status, 304);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(get({{"If-Modified-Since", "Sun, 06 Nov 1994 08:49:37 GMT"}}).status, 200);
}

TEST_F(FileResponseTest, IfNoneMatchTakesPrecedenceOverIfModifiedSince) {
  std::string modified(*get().header("Last-Modified"));
  Response r = get({{"If-None-Match", "\"other\""}, {"If-Modified-Since", modified}});
  EXPECT_EQ(r.status, 200);
}

// RFC 9110 §13.2.2: If-Match, else If-Unmodified-Since, is evaluated before the rest.
TEST_F(FileResponseTest, IfMatchMustMatchStrongly) {
  std::string etag(*get().header("ETag"));
  EXPECT_EQ(get({{"If-Match", etag}}).status, 200);
  EXPECT_EQ(get({{"If-Match", "\"other\", " + etag}}).status, 200);
  EXPECT_EQ(get({{"If-Match", "*"}}).status, 200);
  Response failed = get({{"If-Match", "\"other\""}});
  EXPECT_EQ(failed.status, 412);
  EXPECT_EQ(failed.body, "Precondition Failed");
  EXPECT_EQ(get({{"If-Match", "W/" + etag}}).status, 412);  // weak never matches
  EXPECT_EQ(get({{"If-Match", "garbled"}}).status, 412);
  // If-Match decides before If-None-Match and Range.
  EXPECT_EQ(get({{"If-Match", "\"other\""}, {"If-None-Match", etag}}).status, 412);
  EXPECT_EQ(get({{"If-Match", "\"other\""}, {"Range", "bytes=0-1"}}).status, 412);
}

TEST_F(FileResponseTest, IfUnmodifiedSinceFailsForANewerFile) {
  std::string modified(*get().header("Last-Modified"));
  EXPECT_EQ(get({{"If-Unmodified-Since", modified}}).status, 200);
  EXPECT_EQ(get({{"If-Unmodified-Since", "Sun, 06 Nov 1994 08:49:37 GMT"}}).status, 412);
  EXPECT_EQ(get({{"If-Unmodified-Since", "not a date"}}).status, 200);  // ignored
  // If-Match present: If-Unmodified-Since is not looked at.
  std::string etag(*get().header("ETag"));
  EXPECT_EQ(get({{"If-Match", etag}, {"If-Unmodified-Since", "Sun, 06 Nov 1994 08:49:37 GMT"}})
                .status,
            200);
}

// Opening a FIFO that has no writer would block the event loop until one came.
TEST_F(FileResponseTest, AFifoIsNotFoundWithoutBlocking) {
  const auto fifo = dir.path() / "site" / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const std::string fifo_path = TempDir::from_cwd(fifo);
  App fifo_app({.routes = {router::get("/p", [&](Context&) { return file(fifo_path); })}});
  EXPECT_EQ(fifo_app.handle({.target = "/p"}).status, 404);
}

TEST_F(FileResponseTest, RangeGives206) {
  Response r = get({{"Range", "bytes=2-5"}});
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.body, "cdef");
  EXPECT_EQ(r.header("Content-Range"), "bytes 2-5/26");
}

TEST_F(FileResponseTest, SuffixAndOpenRanges) {
  Response suffix = get({{"Range", "bytes=-3"}});
  EXPECT_EQ(suffix.status, 206);
  EXPECT_EQ(suffix.body, "xyz");
  EXPECT_EQ(suffix.header("Content-Range"), "bytes 23-25/26");
  Response open = get({{"Range", "bytes=20-"}});
  EXPECT_EQ(open.body, "uvwxyz");
  // A range past the end is cut to the file.
  EXPECT_EQ(get({{"Range", "bytes=24-1000"}}).body, "yz");
}

TEST_F(FileResponseTest, UnsatisfiableRangeGives416) {
  Response r = get({{"Range", "bytes=100-200"}});
  EXPECT_EQ(r.status, 416);
  EXPECT_EQ(r.header("Content-Range"), "bytes */26");
}

TEST_F(FileResponseTest, StaleIfRangeSendsTheWholeFile) {
  Response r = get({{"Range", "bytes=0-1"}, {"If-Range", "\"stale\""}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, kContent);
  std::string etag(*get().header("ETag"));
  EXPECT_EQ(get({{"Range", "bytes=0-1"}, {"If-Range", etag}}).status, 206);
}

TEST_F(FileResponseTest, MissingFileGives404) {
  Response r = app.handle({.target = "/missing"});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "Not Found");
  EXPECT_FALSE(r.header("ETag"));
}

TEST_F(FileResponseTest, DirectoryGives404) {
  App folder({.routes = {router::get("/d", [this](Context&) {
                return file(TempDir::from_cwd(dir.path() / "site"));
              })}});
  EXPECT_EQ(folder.handle({.target = "/d"}).status, 404);
}

TEST_F(FileResponseTest, HeadHasHeadersButNoBody) {
  Response r = get({}, "HEAD");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
  EXPECT_TRUE(r.header("ETag"));
  EXPECT_EQ(r.header("Content-Type"), "text/plain; charset=utf-8");
}

// ---- public_dir ----

class PublicDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir.path().empty());
    dir.write("public/a.txt", "public a");
    dir.write("public/sub/b.css", "body{}");
    dir.write("secret.txt", "top secret");
  }
  Response get(std::string target, std::string method = "GET") {
    return app.handle({.method = std::move(method), .target = std::move(target)});
  }

  TempDir dir;
  App app{{.routes = {router::get("/", [](Context&) { return text("home"); })},
           .public_dir = (dir.path() / "public").string()}};
};

TEST_F(PublicDirTest, ServesFilesUnderPublic) {
  Response r = get("/public/a.txt");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "public a");
  Response css = get("/public/sub/b.css");
  EXPECT_EQ(css.body, "body{}");
  EXPECT_TRUE(css.header("Content-Type")->starts_with("text/css"));
  EXPECT_EQ(get("/public/sub/b.css", "HEAD").body, "");
}

TEST_F(PublicDirTest, PercentEncodedNamesAreDecoded) {
  dir.write("public/with space.txt", "spaced");
  EXPECT_EQ(get("/public/with%20space.txt").body, "spaced");
}

TEST_F(PublicDirTest, DotDotCannotLeaveTheFolder) {
  for (const char* target :
       {"/public/../secret.txt", "/public/sub/../../secret.txt", "/public/%2e%2e/secret.txt",
        "/public/%2E%2E/secret.txt", "/public/..%2fsecret.txt", "/public/sub/..%2F..%2Fsecret.txt",
        "/public/%2e%2e%2fsecret.txt", "/public/.%2e/secret.txt"}) {
    Response r = get(target);
    EXPECT_EQ(r.status, 404) << target;
    EXPECT_EQ(r.body, "Not Found") << target;
  }
}

TEST_F(PublicDirTest, RefusesNulAndBackslash) {
  EXPECT_EQ(get("/public/a.txt%00.png").status, 404);
  EXPECT_EQ(get("/public/sub%5C..%5C..%5Csecret.txt").status, 404);
}

TEST_F(PublicDirTest, FoldersAndMissingFilesAre404) {
  EXPECT_EQ(get("/public/").status, 404);
  EXPECT_EQ(get("/public/sub").status, 404);
  EXPECT_EQ(get("/public/sub/").status, 404);
  EXPECT_EQ(get("/public/nope.txt").status, 404);
}

TEST_F(PublicDirTest, OnlyGetAndHead) {
  EXPECT_EQ(get("/public/a.txt", "POST").status, 404);
  EXPECT_EQ(get("/public/a.txt", "DELETE").status, 404);
}

TEST_F(PublicDirTest, RoutesStillWin) {
  EXPECT_EQ(get("/").body, "home");
}

TEST(PublicDirDisabledTest, EmptyPublicDirServesNothing) {
  TempDir dir;
  dir.write("public/a.txt", "x");
  App app({.routes = {}, .public_dir = ""});
  EXPECT_EQ(app.handle({.target = "/public/a.txt"}).status, 404);
}

}  // namespace
}  // namespace pulsarcpp
