#include "server/response_head.hpp"

#include <gtest/gtest.h>

#include <string>

namespace pulsarcpp::detail {
namespace {

constexpr std::string_view kDateLine = "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n";

std::string head(int status, const Headers& headers, const Headers& extra, HeadFraming framing,
                 ConnectionHeader connection = {}) {
  std::string out;
  append_response_head(out, status, headers, extra, framing, kDateLine, connection);
  return out;
}

TEST(ResponseHead, StatusHeadersLengthAndDate) {
  EXPECT_EQ(head(200, {{"Content-Type", "application/json"}}, {{"Set-Cookie", "a=1"}},
                 {HeadFraming::Kind::length, 27}),
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: application/json\r\n"
            "Set-Cookie: a=1\r\n"
            "Content-Length: 27\r\n"
            "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "\r\n");
}

TEST(ResponseHead, ApplicationFramingHeadersAreDropped) {
  EXPECT_EQ(head(204, {{"content-LENGTH", "9"}, {"X-A", "1"}, {"Transfer-Encoding", "gzip"}},
                 {{"CONNECTION", "close"}, {"Connectionx", "kept"}}, {HeadFraming::Kind::none, 0}),
            "HTTP/1.1 204 No Content\r\n"
            "X-A: 1\r\n"
            "Connectionx: kept\r\n"
            "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "\r\n");
}

TEST(ResponseHead, ChunkedAndUntilClose) {
  EXPECT_EQ(head(200, {}, {}, {HeadFraming::Kind::chunked, 0}),
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
            "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n");
  EXPECT_EQ(head(200, {}, {}, {HeadFraming::Kind::until_close, 0}, {.keep_alive = false}),
            "HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nConnection: close\r\n\r\n");
}

TEST(ResponseHead, ConnectionHeaderForEachCase) {
  const HeadFraming none{HeadFraming::Kind::none, 0};
  EXPECT_EQ(head(101, {{"Upgrade", "websocket"}}, {}, none, {.upgrade = true}),
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
            "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\nConnection: Upgrade\r\n\r\n");
  EXPECT_EQ(head(304, {}, {}, none, {.keep_alive = true, .http10 = true}),
            "HTTP/1.1 304 Not Modified\r\n"
            "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\nConnection: keep-alive\r\n\r\n");
}

TEST(ResponseHead, UnknownStatusHasAnEmptyReason) {
  EXPECT_EQ(head(599, {}, {}, {HeadFraming::Kind::length, 0}),
            "HTTP/1.1 599 \r\nContent-Length: 0\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n");
}

// The longest of each piece: a status without a line, twenty-digit numbers, the keep-alive line
// for HTTP/1.0; and a head without a Date line.
TEST(ResponseHead, TheLongestPiecesAndTheShortest) {
  std::string out = "x";
  append_response_head(out, -1, {{"A", "1"}}, {{"B", "2"}},
                       {HeadFraming::Kind::length, 18446744073709551615ull}, kDateLine,
                       {.keep_alive = true, .http10 = true});
  EXPECT_EQ(out,
            "xHTTP/1.1 18446744073709551615 \r\nA: 1\r\nB: 2\r\n"
            "Content-Length: 18446744073709551615\r\n"
            "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\nConnection: keep-alive\r\n\r\n");
  out.clear();
  append_response_head(out, 200, {}, {}, {HeadFraming::Kind::chunked, 0}, {}, {.keep_alive = false});
  EXPECT_EQ(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
}

TEST(ResponseHead, AppendsAfterEarlierResponses) {
  std::string out = "earlier";
  append_response_head(out, 404, {}, {}, {HeadFraming::Kind::length, 1234567}, kDateLine, {});
  EXPECT_EQ(out,
            "earlierHTTP/1.1 404 Not Found\r\nContent-Length: 1234567\r\n"
            "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n");
}

// A head with a header that would break it is refused whole, before anything is written.
TEST(ResponseHead, AnUnsafeHeaderWritesNothing) {
  for (const Headers& headers : {Headers{{"X-A", "a\r\nInjected: 1"}}, Headers{{"X:A", "1"}},
                                 Headers{{"", "1"}}, Headers{{"X-A", std::string("a\0b", 3)}}}) {
    std::string out = "earlier";
    EXPECT_FALSE(append_response_head(out, 200, headers, {}, {HeadFraming::Kind::length, 0},
                                      kDateLine, {}));
    EXPECT_EQ(out, "earlier");
    EXPECT_FALSE(append_response_head(out, 200, {}, headers, {HeadFraming::Kind::length, 0},
                                      kDateLine, {}));
    EXPECT_EQ(out, "earlier");
  }
}

// The start of the last head is reused when the next has the very same status and headers;
// any difference, even one byte of the same length, and it is written afresh.
TEST(ResponseHead, ARepeatedHeadIsTheSameAndAChangedOneIsNew) {
  const HeadFraming length{HeadFraming::Kind::length, 5};
  const std::string first = head(200, {{"Content-Type", "text/html"}}, {}, length);
  EXPECT_EQ(head(200, {{"Content-Type", "text/html"}}, {}, length), first);
  EXPECT_EQ(head(200, {{"Content-Type", "text/htmx"}}, {}, length),
            "HTTP/1.1 200 OK\r\nContent-Type: text/htmx\r\nContent-Length: 5\r\n"
            "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n");
  EXPECT_EQ(head(201, {{"Content-Type", "text/htmx"}}, {}, length),
            "HTTP/1.1 201 Created\r\nContent-Type: text/htmx\r\nContent-Length: 5\r\n"
            "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n");
  EXPECT_EQ(head(201, {{"Content-Typf", "text/htmx"}}, {}, length),
            "HTTP/1.1 201 Created\r\nContent-Typf: text/htmx\r\nContent-Length: 5\r\n"
            "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n");
  // A safe head remembered, then the same header made unsafe at the same length.
  std::string out;
  EXPECT_FALSE(append_response_head(out, 201, {{"Content-Typf", "text/\r\nmx"}}, {}, length,
                                    kDateLine, {}));
  EXPECT_EQ(out, "");
  // The context's headers are written, and the next head without them has none of them.
  EXPECT_EQ(head(201, {{"Content-Typf", "text/htmx"}}, {{"Set-Cookie", "a=1"}}, length),
            "HTTP/1.1 201 Created\r\nContent-Typf: text/htmx\r\nSet-Cookie: a=1\r\n"
            "Content-Length: 5\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n");
  EXPECT_EQ(head(201, {{"Content-Typf", "text/htmx"}}, {}, length),
            "HTTP/1.1 201 Created\r\nContent-Typf: text/htmx\r\nContent-Length: 5\r\n"
            "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n");
  // The framing and Connection lines follow each head's own, not the remembered one's.
  EXPECT_EQ(head(201, {{"Content-Typf", "text/htmx"}}, {}, {HeadFraming::Kind::chunked, 0},
                 {.keep_alive = false}),
            "HTTP/1.1 201 Created\r\nContent-Typf: text/htmx\r\nTransfer-Encoding: chunked\r\n"
            "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\nConnection: close\r\n\r\n");
}

// A head whose headers are long is written correctly again and again (it is not remembered).
TEST(ResponseHead, ALongHeadIsWrittenEveryTime) {
  const Headers headers = {{"X-Long", std::string(600, 'v')}};
  const std::string expected = "HTTP/1.1 200 OK\r\nX-Long: " + std::string(600, 'v') +
                               "\r\nContent-Length: 0\r\n"
                               "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n";
  EXPECT_EQ(head(200, headers, {}, {HeadFraming::Kind::length, 0}), expected);
  EXPECT_EQ(head(200, headers, {}, {HeadFraming::Kind::length, 0}), expected);
}

TEST(ErrorResponse, IsCompleteAndCloses) {
  std::string out;
  append_error_response(out, 431, kDateLine, ErrorFormat::text);
  EXPECT_EQ(out,
            "HTTP/1.1 431 Request Header Fields Too Large\r\n"
            "Content-Type: text/plain;charset=utf-8\r\n"
            "Content-Length: 31\r\n"
            "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "Connection: close\r\n"
            "\r\n"
            "Request Header Fields Too Large");
}

TEST(ErrorResponse, InJsonWhenAsked) {
  std::string out;
  append_error_response(out, 400, kDateLine, ErrorFormat::json);
  EXPECT_EQ(out,
            "HTTP/1.1 400 Bad Request\r\n"
            "Content-Type: application/json\r\n"
            "Content-Length: 36\r\n"
            "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "Connection: close\r\n"
            "\r\n"
            "{\"error\":\"Bad Request\",\"status\":400}");
}

}  // namespace
}  // namespace pulsarcpp::detail
