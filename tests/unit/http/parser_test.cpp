#include "http/parser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "http/chunked_decoder.hpp"

namespace pulsarcpp::http {
namespace {

using namespace std::string_literals;

ParseResult parse(std::string_view input, RequestHead& head, const ParserLimits& limits = {}) {
  return parse_request_head(input, limits, head);
}

// 0 for a complete head, -1 for incomplete, else the error status.
int outcome(std::string_view input, const ParserLimits& limits = {}) {
  RequestHead head;
  const ParseResult r = parse(input, head, limits);
  if (r.status == ParseStatus::complete) return 0;
  if (r.status == ParseStatus::incomplete) return -1;
  EXPECT_EQ(r.consumed, 0u);
  return r.error_status;
}

std::string with_headers(std::string_view headers, std::string_view line = "GET / HTTP/1.1") {
  return std::string(line) + "\r\n" + std::string(headers) + "\r\n";
}

const std::string kHost = "Host: h\r\n";

// ---- Valid requests ----

TEST(ParserTest, ParsesOriginFormGet) {
  const std::string input =
      "GET /users/42?sort=asc&x=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n";
  RequestHead head;
  const ParseResult r = parse(input, head);
  ASSERT_EQ(r.status, ParseStatus::complete);
  EXPECT_EQ(r.consumed, input.size());
  EXPECT_EQ(head.method, Method::get);
  EXPECT_EQ(head.method_name, "GET");
  EXPECT_EQ(head.target, "/users/42?sort=asc&x=1");
  EXPECT_EQ(head.path, "/users/42");
  EXPECT_EQ(head.query, "sort=asc&x=1");
  EXPECT_EQ(head.version_minor, 1);
  EXPECT_EQ(head.host, "example.com");
  ASSERT_EQ(head.headers.size(), 2u);
  EXPECT_EQ(head.headers[1].name, "Accept");
  EXPECT_EQ(head.headers[1].value, "*/*");
  EXPECT_EQ(head.framing, BodyFraming::none);
  EXPECT_TRUE(head.keep_alive);
  EXPECT_FALSE(head.expect_continue);
  EXPECT_FALSE(head.upgrade);
}

TEST(ParserTest, ViewsPointIntoTheInput) {
  const std::string input = "POST /a?b HTTP/1.1\r\nHost: h\r\nX: y\r\n\r\n";
  RequestHead head;
  ASSERT_EQ(parse(input, head).status, ParseStatus::complete);
  const char* begin = input.data();
  const char* end = begin + input.size();
  for (std::string_view v : {head.method_name, head.target, head.path, head.query, head.host,
                             head.headers[1].name, head.headers[1].value}) {
    EXPECT_GE(v.data(), begin);
    EXPECT_LE(v.data() + v.size(), end);
  }
}

TEST(ParserTest, EmptyQueryAfterQuestionMark) {
  RequestHead head;
  ASSERT_EQ(parse("GET /p? HTTP/1.1\r\nHost: h\r\n\r\n", head).status, ParseStatus::complete);
  EXPECT_EQ(head.path, "/p");
  EXPECT_EQ(head.query, "");
  ASSERT_EQ(parse("GET /p?a?b HTTP/1.1\r\nHost: h\r\n\r\n", head).status, ParseStatus::complete);
  EXPECT_EQ(head.path, "/p");
  EXPECT_EQ(head.query, "a?b");
}

TEST(ParserTest, UnknownTokenMethodIsOther) {
  RequestHead head;
  ASSERT_EQ(parse("PURGE /cache HTTP/1.1\r\nHost: h\r\n\r\n", head).status, ParseStatus::complete);
  EXPECT_EQ(head.method, Method::other);
  EXPECT_EQ(head.method_name, "PURGE");
  ASSERT_EQ(parse("get / HTTP/1.1\r\nHost: h\r\n\r\n", head).status, ParseStatus::complete);
  EXPECT_EQ(head.method, Method::other);
}

TEST(ParserTest, AbsoluteFormHostWinsOverHostHeader) {
  RequestHead head;
  const std::string input =
      "GET http://api.example.com:8080/v1/items?limit=5 HTTP/1.1\r\nHost: other.test\r\n\r\n";
  ASSERT_EQ(parse(input, head).status, ParseStatus::complete);
  EXPECT_EQ(head.host, "api.example.com:8080");
  EXPECT_EQ(head.path, "/v1/items");
  EXPECT_EQ(head.query, "limit=5");
  EXPECT_EQ(head.target, "http://api.example.com:8080/v1/items?limit=5");
}

TEST(ParserTest, AbsoluteFormVariants) {
  RequestHead head;
  ASSERT_EQ(parse("GET https://example.com HTTP/1.1\r\nHost: x\r\n\r\n", head).status,
            ParseStatus::complete);
  EXPECT_EQ(head.host, "example.com");
  EXPECT_EQ(head.path, "/");
  EXPECT_EQ(head.query, "");

  ASSERT_EQ(parse("GET HTTP://example.com?q=1 HTTP/1.1\r\nHost: x\r\n\r\n", head).status,
            ParseStatus::complete);
  EXPECT_EQ(head.path, "/");
  EXPECT_EQ(head.query, "q=1");

  ASSERT_EQ(parse("GET http://[::1]:8080/ HTTP/1.1\r\nHost: x\r\n\r\n", head).status,
            ParseStatus::complete);
  EXPECT_EQ(head.host, "[::1]:8080");
  EXPECT_EQ(head.path, "/");
}

TEST(ParserTest, AsteriskFormWithOptions) {
  RequestHead head;
  ASSERT_EQ(parse("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", head).status, ParseStatus::complete);
  EXPECT_EQ(head.method, Method::options);
  EXPECT_EQ(head.target, "*");
  EXPECT_EQ(head.path, "/");
  EXPECT_EQ(head.query, "");
}

TEST(ParserTest, AuthorityFormWithConnect) {
  RequestHead head;
  ASSERT_EQ(parse("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", head).status,
            ParseStatus::complete);
  EXPECT_EQ(head.method, Method::connect);
  EXPECT_EQ(head.path, "/");
  EXPECT_EQ(head.host, "example.com:443");
  ASSERT_EQ(parse("CONNECT [2001:db8::1]:443 HTTP/1.1\r\nHost: x\r\n\r\n", head).status,
            ParseStatus::complete);
  EXPECT_EQ(head.host, "[2001:db8::1]:443");
}

TEST(ParserTest, AcceptsCharactersBrowsersLeaveUnencoded) {
  EXPECT_EQ(outcome("GET /a|b/{c}?q=^`x`&r=[1]&s=%20 HTTP/1.1\r\nHost: h\r\n\r\n"), 0);
}

TEST(ParserTest, IgnoresAFewLeadingEmptyLines) {
  const std::string input = "\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n";
  RequestHead head;
  const ParseResult r = parse(input, head);
  ASSERT_EQ(r.status, ParseStatus::complete);
  EXPECT_EQ(r.consumed, input.size());
  EXPECT_EQ(head.method, Method::get);
}

TEST(ParserTest, HigherMinorVersionIsTreatedAsHttp11) {
  RequestHead head;
  ASSERT_EQ(parse("GET / HTTP/1.7\r\nHost: h\r\n\r\n", head).status, ParseStatus::complete);
  EXPECT_EQ(head.version_minor, 1);
  EXPECT_EQ(outcome("GET / HTTP/1.9\r\n\r\n"), 400);  // still 1.1 rules: Host required
}

TEST(ParserTest, Http10MayOmitHost) {
  RequestHead head;
  ASSERT_EQ(parse("GET / HTTP/1.0\r\n\r\n", head).status, ParseStatus::complete);
  EXPECT_EQ(head.version_minor, 0);
  EXPECT_EQ(head.host, "");
}

TEST(ParserTest, HeaderValuesAreTrimmedAndKeepInnerSpaces) {
  RequestHead head;
  ASSERT_EQ(parse("GET / HTTP/1.1\r\nHost: h\r\nX-A: \t one  two \t\r\nX-B:\r\nX-C:   \r\n"
                  "X-D: caf\xC3\xA9\r\n\r\n",
                  head)
                .status,
            ParseStatus::complete);
  EXPECT_EQ(head.header("x-a"), "one  two");
  EXPECT_TRUE(head.has_header("x-b"));
  EXPECT_EQ(head.header("x-b"), "");
  EXPECT_EQ(head.header("x-c"), "");
  EXPECT_EQ(head.header("x-d"), "caf\xC3\xA9");
  EXPECT_EQ(head.header("HOST"), "h");
}

// A HTAB does not end a value, so the word-at-a-time scan steps over it and goes on looking in
// the same word: a bad byte right after it is still found.
TEST(ParserTest, ABadByteRightAfterAHtabIsFound) {
  for (std::size_t at = 1; at < 20; ++at) {
    for (const char bad : {'\x01', '\x7f', '\x0b'}) {
      std::string value(20, 'v');
      value[at - 1] = '\t';
      value[at] = bad;
      EXPECT_EQ(outcome(with_headers(kHost + "X: a" + value + "\r\n")), 400) << at << " " << +bad;
    }
  }
}

// The framing and connection headers are recognised in any case, and a name that differs from
// one of them in a single byte (case aside) is an ordinary header.
TEST(ParserTest, KnownHeaderNamesMatchInAnyCaseAndOnlyExactly) {
  RequestHead head;
  ASSERT_EQ(parse("POST / HTTP/1.1\r\nhOsT: h\r\nCONTENT-length: 3\r\ncOnNeCtIoN: close\r\n"
                  "EXPECT: 100-continue\r\n\r\n",
                  head)
                .status,
            ParseStatus::complete);
  EXPECT_EQ(head.host, "h");
  EXPECT_EQ(head.framing, BodyFraming::content_length);
  EXPECT_EQ(head.content_length, 3u);
  EXPECT_FALSE(head.keep_alive);
  EXPECT_TRUE(head.expect_continue);
  ASSERT_EQ(parse("POST / HTTP/1.1\r\nHost: h\r\nTRANSFER-Encoding: chunked\r\n\r\n", head).status,
            ParseStatus::complete);
  EXPECT_EQ(head.framing, BodyFraming::chunked);
  for (const char* name : {"Hosu", "Gost", "Content-Lengtg", "Content_Length", "Connectiom",
                           "Transfer-Encodinf", "Hos", "Hostt"}) {
    const std::string request =
        std::string("GET / HTTP/1.1\r\nHost: h\r\n") + name + ": 5\r\nConnection: x\r\n\r\n";
    ASSERT_EQ(parse(request, head).status, ParseStatus::complete) << name;
    EXPECT_EQ(head.framing, BodyFraming::none) << name;
    EXPECT_EQ(head.host, "h") << name;
    EXPECT_TRUE(head.keep_alive) << name;
  }
}

TEST(ParserTest, ReusesHeaderVectorAndResetsFields) {
  RequestHead head;
  ASSERT_EQ(parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nConnection: close\r\n"
                  "Expect: 100-continue\r\nA: 1\r\nB: 2\r\n\r\n",
                  head)
                .status,
            ParseStatus::complete);
  EXPECT_EQ(head.headers.size(), 6u);
  const std::size_t capacity = head.headers.capacity();
  ASSERT_EQ(parse("GET / HTTP/1.1\r\nHost: g\r\n\r\n", head).status, ParseStatus::complete);
  EXPECT_EQ(head.headers.size(), 1u);
  EXPECT_EQ(head.headers.capacity(), capacity);
  EXPECT_EQ(head.framing, BodyFraming::none);
  EXPECT_EQ(head.content_length, 0u);
  EXPECT_TRUE(head.keep_alive);
  EXPECT_FALSE(head.expect_continue);
  EXPECT_EQ(head.host, "g");
}

TEST(ParserTest, ValidHostForms) {
  for (std::string_view host :
       {"example.com", "example.com:8080", "127.0.0.1:80", "[::1]", "[::ffff:1.2.3.4]:443",
        "[v1.fe80::a+en1]", "my%2Dhost", "a_b~c", "", "h:"}) {
    EXPECT_EQ(outcome(with_headers("Host: " + std::string(host) + "\r\n")), 0) << host;
  }
}

// The parser remembers the last valid Host per thread; a different value, even of the same
// length, and an empty one after it, must each be judged on their own.
TEST(ParserTest, ARememberedHostLetsNoOtherValueThrough) {
  EXPECT_EQ(outcome(with_headers("Host: good.example:80\r\n")), 0);
  EXPECT_EQ(outcome(with_headers("Host: good.example:80\r\n")), 0);
  EXPECT_EQ(outcome(with_headers("Host: good.exampl%:80\r\n")), 400);
  EXPECT_EQ(outcome(with_headers("Host: good.example:8x\r\n")), 400);
  EXPECT_EQ(outcome(with_headers("Host: \r\n")), 0);
  EXPECT_EQ(outcome(with_headers("Host: good.example:80\r\n")), 0);
}

TEST(ParserTest, ValueBytesAreCheckedAtEveryPosition) {
  // Values are scanned a word at a time; a bad byte must be caught wherever it falls.
  for (std::size_t i = 0; i < 40; ++i) {
    for (char c : {'\x01', '\x7F', '\x1F', '\0', '\n'}) {
      std::string value(40, 'v');
      value[i] = c;
      EXPECT_EQ(outcome(with_headers(kHost + "X: " + value + "\r\n")), 400) << i << " " << +c;
    }
    for (char c : {'\t', ' ', '\x80', '\xFF', '~', '!'}) {
      std::string value(40, 'v');
      value[i] = c;
      const std::string input = with_headers(kHost + "X: " + value + "\r\n");
      RequestHead head;
      ASSERT_EQ(parse(input, head).status, ParseStatus::complete) << i << " " << +c;
      EXPECT_EQ(head.header("x").size(),
                (c == '\t' || c == ' ') && (i == 0 || i == 39) ? 39u : 40u);
    }
  }
}

// ---- Body framing ----

TEST(ParserTest, ContentLengthFraming) {
  RequestHead head;
  ASSERT_EQ(
      parse(with_headers("Host: h\r\nContent-Length: 42\r\n", "POST / HTTP/1.1"), head).status,
      ParseStatus::complete);
  EXPECT_EQ(head.framing, BodyFraming::content_length);
  EXPECT_EQ(head.content_length, 42u);
}

TEST(ParserTest, IdenticalContentLengthRepeatsAreAccepted) {
  RequestHead head;
  ASSERT_EQ(
      parse(with_headers("Host: h\r\nContent-Length: 7\r\ncontent-length: 7\r\n"), head).status,
      ParseStatus::complete);
  EXPECT_EQ(head.content_length, 7u);
  ASSERT_EQ(parse(with_headers("Host: h\r\nContent-Length: 7 , 7,7\r\n"), head).status,
            ParseStatus::complete);
  EXPECT_EQ(head.content_length, 7u);
}

TEST(ParserTest, ContentLengthAtTheBodyLimitIsAccepted) {
  ParserLimits limits;
  limits.max_body_bytes = 100;
  EXPECT_EQ(outcome(with_headers("Host: h\r\nContent-Length: 100\r\n"), limits), 0);
  EXPECT_EQ(outcome(with_headers("Host: h\r\nContent-Length: 101\r\n"), limits), 413);
  EXPECT_EQ(outcome(with_headers("Host: h\r\nContent-Length: 0\r\n"), limits), 0);
}

TEST(ParserTest, ChunkedFraming) {
  RequestHead head;
  for (std::string_view te : {"chunked", "Chunked", " CHUNKED "}) {
    ASSERT_EQ(parse(with_headers("Host: h\r\nTransfer-Encoding: " + std::string(te) + "\r\n"), head)
                  .status,
              ParseStatus::complete)
        << te;
    EXPECT_EQ(head.framing, BodyFraming::chunked);
  }
}

// ---- Connection, Expect, Upgrade ----

TEST(ParserTest, KeepAliveRules) {
  struct Case {
    std::string_view version;
    std::string_view connection;
    bool keep_alive;
  };
  const Case cases[] = {
      {"1.1", "", true},
      {"1.1", "Connection: close\r\n", false},
      {"1.1", "Connection: Keep-Alive, CLOSE\r\n", false},
      {"1.1", "Connection: keep-alive\r\n", true},
      {"1.1", "Connection: upgrade\r\nConnection: close\r\n", false},
      {"1.0", "", false},
      {"1.0", "Connection: keep-alive\r\n", true},
      {"1.0", "Connection: Keep-Alive\r\n", true},
      {"1.0", "Connection: te, keep-alive\r\n", true},
      {"1.0", "Connection: keep-alive, close\r\n", false},
      {"1.0", "Connection: keep-alive-ish\r\n", false},
  };
  for (const Case& c : cases) {
    RequestHead head;
    const std::string input = "GET / HTTP/" + std::string(c.version) + "\r\nHost: h\r\n" +
                              std::string(c.connection) + "\r\n";
    ASSERT_EQ(parse(input, head).status, ParseStatus::complete) << input;
    EXPECT_EQ(head.keep_alive, c.keep_alive) << input;
  }
}

TEST(ParserTest, ExpectContinue) {
  RequestHead head;
  ASSERT_EQ(parse(with_headers("Host: h\r\nExpect: 100-Continue\r\nContent-Length: 5\r\n",
                               "PUT /f HTTP/1.1"),
                  head)
                .status,
            ParseStatus::complete);
  EXPECT_TRUE(head.expect_continue);
  // An HTTP/1.0 client cannot handle 100 Continue: the expectation is ignored.
  ASSERT_EQ(parse(with_headers("Expect: 100-continue\r\n", "PUT /f HTTP/1.0"), head).status,
            ParseStatus::complete);
  EXPECT_FALSE(head.expect_continue);
}

TEST(ParserTest, UpgradeNeedsTokenAndHeader) {
  RequestHead head;
  ASSERT_EQ(
      parse(with_headers("Host: h\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n"),
            head)
          .status,
      ParseStatus::complete);
  EXPECT_TRUE(head.upgrade);
  EXPECT_TRUE(head.keep_alive);
  ASSERT_EQ(parse(with_headers("Host: h\r\nUpgrade: websocket\r\n"), head).status,
            ParseStatus::complete);
  EXPECT_FALSE(head.upgrade);
  ASSERT_EQ(parse(with_headers("Host: h\r\nConnection: upgrade\r\n"), head).status,
            ParseStatus::complete);
  EXPECT_FALSE(head.upgrade);
}

// ---- Rejections, each with its exact status ----

struct Rejection {
  const char* name;
  std::string input;
  int status;
};

std::ostream& operator<<(std::ostream& os, const Rejection& r) {
  return os << r.name;
}

class ParserRejectionTest : public ::testing::TestWithParam<Rejection> {};

TEST_P(ParserRejectionTest, AnswersTheNarrowestStatus) {
  const Rejection& r = GetParam();
  EXPECT_EQ(outcome(r.input), r.status) << testing::PrintToString(r.input);
}

INSTANTIATE_TEST_SUITE_P(
    RequestLine, ParserRejectionTest,
    ::testing::Values(
        Rejection{"BareLfAfterRequestLine", "GET / HTTP/1.1\nHost: h\r\n\r\n", 400},
        Rejection{"BareCrAfterRequestLine", "GET / HTTP/1.1\rHost: h\r\n\r\n", 400},
        Rejection{"DoubleSpaceBeforeTarget", "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400},
        Rejection{"DoubleSpaceBeforeVersion", "GET /  HTTP/1.1\r\nHost: h\r\n\r\n", 400},
        Rejection{"TabSeparator", "GET\t/ HTTP/1.1\r\nHost: h\r\n\r\n", 400},
        Rejection{"TrailingSpace", "GET / HTTP/1.1 \r\nHost: h\r\n\r\n", 400},
        Rejection{"LeadingSpace", " GET / HTTP/1.1\r\nHost: h\r\n\r\n", 400},
        Rejection{"MethodNotToken", "GE(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400},
        Rejection{"MethodWithAt", "G@T / HTTP/1.1\r\nHost: h\r\n\r\n", 400},
        Rejection{"MissingTarget", "GET HTTP/1.1\r\nHost: h\r\n\r\n", 400},
        Rejection{"LeadingBareLf", "\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", 400},
        Rejection{"TooManyLeadingEmptyLines",
                  "\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", 400},
        Rejection{"ControlInTarget", "GET /a\x01z HTTP/1.1\r\nHost: h\r\n\r\n", 400},
        Rejection{"NulInTarget", "GET /a\0z HTTP/1.1\r\nHost: h\r\n\r\n"s, 400},
        Rejection{"DelInTarget", "GET /a\x7Fz HTTP/1.1\r\nHost: h\r\n\r\n", 400},
        Rejection{"NonAsciiInTarget", "GET /caf\xC3\xA9 HTTP/1.1\r\nHost: h\r\n\r\n", 400},
        Rejection{"FragmentInTarget", "GET /a#frag HTTP/1.1\r\nHost: h\r\n\r\n", 400},
        Rejection{"QuoteInTarget", "GET /a\"b HTTP/1.1\r\nHost: h\r\n\r\n", 400},
        Rejection{"AngleInTarget", "GET /<script> HTTP/1.1\r\nHost: h\r\n\r\n", 400},
        Rejection{"BackslashInTarget", "GET /a\\b HTTP/1.1\r\nHost: h\r\n\r\n", 400},
        Rejection{"AsteriskWithGet", "GET * HTTP/1.1\r\nHost: h\r\n\r\n", 400},
        Rejection{"AsteriskWithSuffix", "OPTIONS *x HTTP/1.1\r\nHost: h\r\n\r\n", 400},
        Rejection{"ConnectWithOriginForm", "CONNECT / HTTP/1.1\r\nHost: h\r\n\r\n", 400},
        Rejection{"ConnectWithoutPort", "CONNECT example.com HTTP/1.1\r\nHost: h\r\n\r\n", 400},
        Rejection{"ConnectWithEmptyPort", "CONNECT example.com: HTTP/1.1\r\nHost: h\r\n\r\n", 400},
        Rejection{"ConnectWithAbsoluteForm", "CONNECT http://a:1/ HTTP/1.1\r\nHost: h\r\n\r\n",
                  400},
        Rejection{"AuthorityFormWithGet", "GET example.com:443 HTTP/1.1\r\nHost: h\r\n\r\n", 400},
        Rejection{"RelativeTarget", "GET index.html HTTP/1.1\r\nHost: h\r\n\r\n", 400},
        Rejection{"UnsupportedScheme", "GET ftp://a/x HTTP/1.1\r\nHost: h\r\n\r\n", 400},
        Rejection{"UserinfoInAbsoluteForm", "GET http://user@a/ HTTP/1.1\r\nHost: h\r\n\r\n", 400},
        Rejection{"EmptyHostInAbsoluteForm", "GET http:///x HTTP/1.1\r\nHost: h\r\n\r\n", 400},
        Rejection{"BadPortInAbsoluteForm", "GET http://a:8o/ HTTP/1.1\r\nHost: h\r\n\r\n", 400},
        Rejection{"LowercaseVersion", "GET / http/1.1\r\nHost: h\r\n\r\n", 400},
        Rejection{"VersionWithoutMinor", "GET / HTTP/1\r\nHost: h\r\n\r\n", 400},
        Rejection{"VersionTwoDigitMajor", "GET / HTTP/11.1\r\nHost: h\r\n\r\n", 400},
        Rejection{"VersionLetterMinor", "GET / HTTP/1.x\r\nHost: h\r\n\r\n", 400},
        Rejection{"VersionExtraDigit", "GET / HTTP/1.10\r\nHost: h\r\n\r\n", 400},
        Rejection{"MissingVersion", "GET /\r\nHost: h\r\n\r\n", 400},
        Rejection{"Http2", "GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505},
        Rejection{"Http09", "GET / HTTP/0.9\r\nHost: h\r\n\r\n", 505},
        Rejection{"Http3", "GET / HTTP/3.1\r\n\r\n", 505},
        Rejection{"Http2Preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505}),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    HeaderSyntax, ParserRejectionTest,
    ::testing::Values(Rejection{"BareLfInHeader", with_headers("Host: h\nX: y\r\n"), 400},
                      Rejection{"BareLfEndOfHead", "GET / HTTP/1.1\r\nHost: h\r\n\n", 400},
                      Rejection{"BareCrInValue", with_headers(kHost + "X: a\rb\r\n"), 400},
                      Rejection{"NulInValue", with_headers(kHost + "X: a\0b\r\n"s), 400},
                      Rejection{"ControlInValue", with_headers(kHost + "X: a\x01b\r\n"), 400},
                      Rejection{"DelInValue", with_headers(kHost + "X: a\x7F\r\n"), 400},
                      Rejection{"SpaceBeforeColon", with_headers("Host : h\r\n"), 400},
                      Rejection{"TabBeforeColon", with_headers(kHost + "X\t: y\r\n"), 400},
                      Rejection{"ObsFold", with_headers(kHost + "X: a\r\n  b\r\n"), 400},
                      Rejection{"ObsFoldTab", with_headers(kHost + "X: a\r\n\tb\r\n"), 400},
                      Rejection{"WhitespaceBeforeFirstHeader", with_headers(" Host: h\r\n"), 400},
                      Rejection{"EmptyName", with_headers(kHost + ": y\r\n"), 400},
                      Rejection{"NameNotToken", with_headers(kHost + "X(y): z\r\n"), 400},
                      Rejection{"NonAsciiName", with_headers(kHost + "X\xC3\xA9: z\r\n"), 400},
                      Rejection{"NoColon", with_headers(kHost + "Xy\r\n"), 400},
                      Rejection{"CrAloneEndsHead", "GET / HTTP/1.1\r\nHost: h\r\n\rX", 400}),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    Host, ParserRejectionTest,
    ::testing::Values(
        Rejection{"Missing", with_headers("X: y\r\n"), 400},
        Rejection{"MissingWithAbsoluteForm", with_headers("", "GET http://a/ HTTP/1.1"), 400},
        Rejection{"Duplicate", with_headers("Host: a\r\nHost: a\r\n"), 400},
        Rejection{"DuplicateCaseInsensitive", with_headers("Host: a\r\nHOST: b\r\n"), 400},
        Rejection{"Space", with_headers("Host: a b\r\n"), 400},
        Rejection{"Slash", with_headers("Host: a/b\r\n"), 400},
        Rejection{"Question", with_headers("Host: a?b\r\n"), 400},
        Rejection{"Hash", with_headers("Host: a#b\r\n"), 400},
        Rejection{"Userinfo", with_headers("Host: u@a\r\n"), 400},
        Rejection{"BadPort", with_headers("Host: a:80x\r\n"), 400},
        Rejection{"TwoColons", with_headers("Host: a:1:2\r\n"), 400},
        Rejection{"BadPercent", with_headers("Host: a%zz\r\n"), 400},
        Rejection{"UnclosedBracket", with_headers("Host: [::1\r\n"), 400},
        Rejection{"BadIpv6", with_headers("Host: [zz]\r\n"), 400},
        Rejection{"EmptyBrackets", with_headers("Host: []\r\n"), 400},
        Rejection{"JunkAfterBracket", with_headers("Host: [::1]x\r\n"), 400}),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    ContentLength, ParserRejectionTest,
    ::testing::Values(
        Rejection{"Letters", with_headers(kHost + "Content-Length: abc\r\n"), 400},
        Rejection{"Negative", with_headers(kHost + "Content-Length: -1\r\n"), 400},
        Rejection{"Plus", with_headers(kHost + "Content-Length: +1\r\n"), 400},
        Rejection{"InnerSpace", with_headers(kHost + "Content-Length: 1 2\r\n"), 400},
        Rejection{"Decimal", with_headers(kHost + "Content-Length: 1.0\r\n"), 400},
        Rejection{"Hex", with_headers(kHost + "Content-Length: 0x5\r\n"), 400},
        Rejection{"Empty", with_headers(kHost + "Content-Length:\r\n"), 400},
        Rejection{"Overflow", with_headers(kHost + "Content-Length: 18446744073709551616\r\n"),
                  400},
        Rejection{"DifferingRepeats",
                  with_headers(kHost + "Content-Length: 5\r\nContent-Length: 6\r\n"), 400},
        Rejection{"DifferingList", with_headers(kHost + "Content-Length: 5, 6\r\n"), 400},
        Rejection{"EmptyListElement", with_headers(kHost + "Content-Length: 5,,5\r\n"), 400},
        Rejection{"OverBodyLimit", with_headers(kHost + "Content-Length: 1048577\r\n"), 413},
        Rejection{"MaxUint64OverBodyLimit",
                  with_headers(kHost + "Content-Length: 18446744073709551615\r\n"), 413}),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    TransferEncoding, ParserRejectionTest,
    ::testing::Values(
        Rejection{"WithContentLength",
                  with_headers(kHost + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"), 400},
        Rejection{"InHttp10", with_headers("Transfer-Encoding: chunked\r\n", "POST / HTTP/1.0"),
                  400},
        Rejection{"ChunkedTwiceInList",
                  with_headers(kHost + "Transfer-Encoding: chunked, chunked\r\n"), 400},
        Rejection{
            "ChunkedTwiceInLines",
            with_headers(kHost + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"),
            400},
        Rejection{"ChunkedNotLast", with_headers(kHost + "Transfer-Encoding: chunked, gzip\r\n"),
                  400},
        Rejection{"ChunkedNotLastOverLines",
                  with_headers(kHost + "Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n"),
                  400},
        Rejection{"Empty", with_headers(kHost + "Transfer-Encoding:\r\n"), 400},
        Rejection{"EmptyElement", with_headers(kHost + "Transfer-Encoding: , chunked\r\n"), 400},
        Rejection{"ChunkedWithParameter",
                  with_headers(kHost + "Transfer-Encoding: chunked;q=1\r\n"), 400},
        Rejection{"NotAToken", with_headers(kHost + "Transfer-Encoding: chun ked\r\n"), 400},
        Rejection{"Gzip", with_headers(kHost + "Transfer-Encoding: gzip\r\n"), 501},
        Rejection{"GzipThenChunked", with_headers(kHost + "Transfer-Encoding: gzip, chunked\r\n"),
                  501},
        Rejection{"GzipThenChunkedOverLines",
                  with_headers(kHost + "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"),
                  501},
        Rejection{"Compress", with_headers(kHost + "Transfer-Encoding: compress\r\n"), 501},
        Rejection{"Deflate", with_headers(kHost + "Transfer-Encoding: deflate\r\n"), 501},
        Rejection{"Identity", with_headers(kHost + "Transfer-Encoding: identity\r\n"), 501},
        Rejection{"Unknown", with_headers(kHost + "Transfer-Encoding: x-custom\r\n"), 501}),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    Expect, ParserRejectionTest,
    ::testing::Values(Rejection{"Unknown", with_headers(kHost + "Expect: 200-ok\r\n"), 417},
                      Rejection{"Empty", with_headers(kHost + "Expect:\r\n"), 417},
                      Rejection{"ContinuePlusOther",
                                with_headers(kHost + "Expect: 100-continue, x\r\n"), 417},
                      // Framing errors outrank the expectation: the body cannot be delimited.
                      Rejection{"AfterFramingError",
                                with_headers(kHost + "Expect: x\r\nContent-Length: a\r\n"), 400}),
    [](const auto& info) { return std::string(info.param.name); });

// ---- Limits ----

TEST(ParserLimitsTest, LongRequestLineIs414) {
  ParserLimits limits;
  limits.max_head_bytes = 64;
  const std::string line = "GET /" + std::string(100, 'a') + " HTTP/1.1\r\n";
  EXPECT_EQ(outcome(line + "Host: h\r\n\r\n", limits), 414);
  // Over the limit without a CRLF yet: answered at once, not after more bytes.
  EXPECT_EQ(outcome(line.substr(0, 65), limits), 414);
  EXPECT_EQ(outcome(line.substr(0, 64), limits), -1);
}

TEST(ParserLimitsTest, LongHeadIs431) {
  ParserLimits limits;
  limits.max_head_bytes = 64;
  const std::string head = "GET / HTTP/1.1\r\nHost: h\r\nX: " + std::string(100, 'v') + "\r\n\r\n";
  EXPECT_EQ(outcome(head, limits), 431);
  EXPECT_EQ(outcome(head.substr(0, 65), limits), 431);
  EXPECT_EQ(outcome(head.substr(0, 64), limits), -1);
}

TEST(ParserLimitsTest, HeadOfExactlyTheLimitIsAccepted) {
  const std::string head = "GET / HTTP/1.1\r\nHost: h\r\nX: vvvv\r\n\r\n";
  ParserLimits limits;
  limits.max_head_bytes = head.size();
  RequestHead out;
  const ParseResult r = parse(head + "BODY", out, limits);
  ASSERT_EQ(r.status, ParseStatus::complete);
  EXPECT_EQ(r.consumed, head.size());
  limits.max_head_bytes = head.size() - 1;
  EXPECT_EQ(outcome(head, limits), 431);
}

TEST(ParserLimitsTest, HeaderCount) {
  ParserLimits limits;
  limits.max_header_count = 3;
  EXPECT_EQ(outcome(with_headers("Host: h\r\nA: 1\r\nB: 2\r\n"), limits), 0);
  EXPECT_EQ(outcome(with_headers("Host: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n"), limits), 431);
  // Reported as soon as the extra line is complete.
  EXPECT_EQ(outcome("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n", limits), 431);
  // The default limit is 100 headers.
  std::string many = "Host: h\r\n";
  for (int i = 1; i < 100; ++i) many += "A: 1\r\n";
  EXPECT_EQ(outcome(with_headers(many)), 0);
  EXPECT_EQ(outcome(with_headers(many + "B: 2\r\n")), 431);
}

// ---- Incremental input ----

TEST(ParserIncrementalTest, EveryPrefixIsIncompleteUntilTheLastByte) {
  const std::string head =
      "\r\nPOST http://example.com:8080/upload?x=1 HTTP/1.1\r\nHost: example.com\r\n"
      "Transfer-Encoding: chunked\r\nConnection: keep-alive, Upgrade\r\nUpgrade: h2c\r\n"
      "Expect: 100-continue\r\nX-Empty:\r\n\r\n";
  for (std::size_t n = 0; n < head.size(); ++n) {
    RequestHead out;
    EXPECT_EQ(parse(std::string_view(head).substr(0, n), out).status, ParseStatus::incomplete)
        << "prefix " << n;
  }
  RequestHead out;
  const ParseResult r = parse(head, out);
  ASSERT_EQ(r.status, ParseStatus::complete);
  EXPECT_EQ(r.consumed, head.size());
  EXPECT_EQ(out.framing, BodyFraming::chunked);
  EXPECT_TRUE(out.upgrade);
  EXPECT_TRUE(out.expect_continue);
}

TEST(ParserIncrementalTest, ErrorsAreReportedBeforeTheLineEnds) {
  EXPECT_EQ(outcome("GET /a\x01"), 400);
  EXPECT_EQ(outcome("G{"), 400);
  EXPECT_EQ(outcome("GET / HTTP/1.1\r\nHo st"), 400);
  EXPECT_EQ(outcome("GET / HTTP/1.1\r\nX: \x01"), 400);
  EXPECT_EQ(outcome("GET / HTTP/1.1\r\nHost: h\r\n "), 400);
  EXPECT_EQ(outcome("GET / HTTP/1.1\r\nHost: h\r\n\r"), -1);
  EXPECT_EQ(outcome(""), -1);
  EXPECT_EQ(outcome("\r"), -1);
}

// Feeds `head` in pieces of `piece` bytes, each call on a new copy of everything so far (so the
// bytes move between calls, as a growing read buffer moves them); returns the last result.
ParseResult parse_in_pieces(const std::string& head, std::size_t piece, RequestHead& out,
                            HeadProgress& progress, std::string& buffer) {
  for (std::size_t size = std::min(piece, head.size());; size = std::min(size + piece, head.size())) {
    buffer = head.substr(0, size);  // a new allocation every time
    const ParseResult r = parse_request_head(buffer, {}, out, progress);
    if (r.status != ParseStatus::incomplete || size == head.size()) return r;
  }
}

std::string long_head() {
  std::string head = "POST /upload?x=1 HTTP/1.1\r\nHost: example.com\r\nContent-Length: 3\r\n";
  for (int i = 0; head.size() < 14'000; ++i) {
    head += "X-Header-" + std::to_string(i) + ": " + std::string(220, 'v') + "\r\n";
  }
  return head + "Cookie: " + std::string(900, 'c') + "\r\n\r\n";
}

void expect_same_head(const RequestHead& a, const RequestHead& b) {
  EXPECT_EQ(a.method, b.method);
  EXPECT_EQ(a.method_name, b.method_name);
  EXPECT_EQ(a.target, b.target);
  EXPECT_EQ(a.path, b.path);
  EXPECT_EQ(a.query, b.query);
  EXPECT_EQ(a.host, b.host);
  EXPECT_EQ(a.framing, b.framing);
  EXPECT_EQ(a.content_length, b.content_length);
  ASSERT_EQ(a.headers.size(), b.headers.size());
  for (std::size_t i = 0; i < a.headers.size(); ++i) {
    EXPECT_EQ(a.headers[i].name, b.headers[i].name) << i;
    EXPECT_EQ(a.headers[i].value, b.headers[i].value) << i;
  }
}

TEST(ParserResumeTest, APieceByPieceHeadParsesAsTheWholeOne) {
  const std::string head = long_head();
  RequestHead whole;
  ASSERT_EQ(parse(head, whole).status, ParseStatus::complete);
  for (const std::size_t piece : {1u, 2u, 3u, 7u, 64u, 1000u}) {
    RequestHead out;
    HeadProgress progress;
    std::string buffer;
    const ParseResult r = parse_in_pieces(head, piece, out, progress, buffer);
    ASSERT_EQ(r.status, ParseStatus::complete) << piece;
    EXPECT_EQ(r.consumed, head.size());
    expect_same_head(out, whole);
    // The views point into the latest buffer, not into one of the freed copies.
    EXPECT_GE(out.headers.back().value.data(), buffer.data());
    EXPECT_LE(out.headers.back().value.data() + out.headers.back().value.size(),
              buffer.data() + buffer.size());
  }
}

TEST(ParserResumeTest, AHeadSentByteByByteCostsASmallMultipleOfItsSize) {
  const std::string head = long_head();
  RequestHead out;
  HeadProgress progress;
  std::string buffer;
  std::size_t examined = 0;
  for (std::size_t size = 1; size <= head.size(); ++size) {
    buffer = head.substr(0, size);
    const ParseResult r = parse_request_head(buffer, {}, out, progress);
    if (r.status == ParseStatus::complete) break;
    examined = progress.examined;
  }
  // Each byte looked at once as it arrives, and each line lexed again at the few bytes that
  // decide it (':', CR, LF): about 3 * size, where parsing from byte 0 on every call would have
  // looked at about size * size / 2 (113 million) bytes.
  EXPECT_LE(examined, 4 * head.size()) << head.size();
  EXPECT_GT(examined, head.size() / 2);
}

TEST(ParserResumeTest, ErrorsInLaterPiecesAreFoundAsSoonAsTheyArrive) {
  RequestHead out;
  HeadProgress progress;
  std::string buffer = "GET / HTTP/1.1\r\nHost: h\r\n";
  EXPECT_EQ(parse_request_head(buffer, {}, out, progress).status, ParseStatus::incomplete);
  buffer += "X-Na";
  EXPECT_EQ(parse_request_head(buffer, {}, out, progress).status, ParseStatus::incomplete);
  buffer += "me: a value";
  EXPECT_EQ(parse_request_head(buffer, {}, out, progress).status, ParseStatus::incomplete);
  buffer += " and\x01";  // a control byte in the value: the line's outcome is decided
  const ParseResult r = parse_request_head(buffer, {}, out, progress);
  EXPECT_EQ(r.status, ParseStatus::error);
  EXPECT_EQ(r.error_status, 400);
  // The error ends the head: the next call starts a new one.
  EXPECT_EQ(progress.base, nullptr);
  EXPECT_EQ(parse_request_head("GET /next HTTP/1.1\r\nHost: h\r\n\r\n", {}, out, progress).status,
            ParseStatus::complete);
  EXPECT_EQ(out.path, "/next");
}

TEST(ParserResumeTest, TheFirstPieceIsCheckedAtOnce) {
  RequestHead out;
  HeadProgress progress;
  const ParseResult r = parse_request_head("GET /a\x01", {}, out, progress);
  EXPECT_EQ(r.status, ParseStatus::error);
  EXPECT_EQ(r.error_status, 400);
}

TEST(ParserResumeTest, LimitsHoldWithoutALineEnd) {
  const ParserLimits limits{.max_head_bytes = 100, .max_header_count = 3, .max_body_bytes = 10};
  RequestHead out;
  HeadProgress progress;
  std::string buffer = "GET / HTTP/1.1\r\nX: ";
  EXPECT_EQ(parse_request_head(buffer, limits, out, progress).status, ParseStatus::incomplete);
  buffer += std::string(100, 'v');  // still no LF, now over the limit
  ParseResult r = parse_request_head(buffer, limits, out, progress);
  EXPECT_EQ(r.status, ParseStatus::error);
  EXPECT_EQ(r.error_status, 431);

  buffer = "GET /" + std::string(50, 'u');
  EXPECT_EQ(parse_request_head(buffer, limits, out, progress).status, ParseStatus::incomplete);
  buffer += std::string(60, 'u');
  r = parse_request_head(buffer, limits, out, progress);
  EXPECT_EQ(r.error_status, 414);

  // The header count is checked as each line completes.
  buffer = "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\n";
  EXPECT_EQ(parse_request_head(buffer, limits, out, progress).status, ParseStatus::incomplete);
  buffer += "B: 2\r\nC: 3\r\n";
  r = parse_request_head(buffer, limits, out, progress);
  EXPECT_EQ(r.error_status, 431);
}

TEST(ParserResumeTest, AnAbsoluteFormHostSurvivesTheResumption) {
  RequestHead out;
  HeadProgress progress;
  std::string buffer = "GET http://example.com:8080/x HTTP/1.1\r\n";
  EXPECT_EQ(parse_request_head(buffer, {}, out, progress).status, ParseStatus::incomplete);
  buffer = buffer + "Host: other\r\n\r\n";  // moved
  ASSERT_EQ(parse_request_head(buffer, {}, out, progress).status, ParseStatus::complete);
  EXPECT_EQ(out.host, "example.com:8080");
  EXPECT_EQ(out.path, "/x");
}

// ---- Pipelining ----

TEST(ParserPipelineTest, ParsesThreeRequestsInSequence) {
  std::string buffer =
      "GET /first HTTP/1.1\r\nHost: h\r\n\r\n"
      "POST /second HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
      "4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nTrailer: t\r\n\r\n"
      "PUT /third HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello";
  std::size_t offset = 0;
  RequestHead head;

  ParseResult r = parse(std::string_view(buffer).substr(offset), head);
  ASSERT_EQ(r.status, ParseStatus::complete);
  EXPECT_EQ(head.path, "/first");
  EXPECT_EQ(head.framing, BodyFraming::none);
  offset += r.consumed;

  r = parse(std::string_view(buffer).substr(offset), head);
  ASSERT_EQ(r.status, ParseStatus::complete);
  EXPECT_EQ(head.path, "/second");
  ASSERT_EQ(head.framing, BodyFraming::chunked);
  offset += r.consumed;
  ChunkedDecoder decoder(1024);
  const ChunkedDecoder::Result body =
      decoder.decode(buffer.data() + offset, buffer.size() - offset);
  ASSERT_EQ(body.status, ChunkedDecoder::Status::complete);
  EXPECT_EQ(std::string_view(buffer.data() + offset, body.decoded), "Wikipedia");
  offset += body.consumed;

  r = parse(std::string_view(buffer).substr(offset), head);
  ASSERT_EQ(r.status, ParseStatus::complete);
  EXPECT_EQ(head.method, Method::put);
  EXPECT_EQ(head.path, "/third");
  ASSERT_EQ(head.framing, BodyFraming::content_length);
  offset += r.consumed;
  EXPECT_EQ(buffer.substr(offset, head.content_length), "hello");
  EXPECT_EQ(offset + head.content_length, buffer.size());
}

}  // namespace
}  // namespace pulsarcpp::http
