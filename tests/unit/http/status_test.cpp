#include "pulsarcpp/http/status.hpp"

#include <gtest/gtest.h>

#include <set>

namespace pulsarcpp::http {
namespace {

TEST(ReasonPhrase, CommonCodes) {
  EXPECT_EQ(reason_phrase(200), "OK");
  EXPECT_EQ(reason_phrase(101), "Switching Protocols");
  EXPECT_EQ(reason_phrase(206), "Partial Content");
  EXPECT_EQ(reason_phrase(304), "Not Modified");
  EXPECT_EQ(reason_phrase(404), "Not Found");
  EXPECT_EQ(reason_phrase(500), "Internal Server Error");
  EXPECT_EQ(reason_phrase(511), "Network Authentication Required");
}

TEST(ReasonPhrase, ClassicNamesAsPulsarAndBunSendThem) {
  EXPECT_EQ(reason_phrase(413), "Payload Too Large");
  EXPECT_EQ(reason_phrase(414), "URI Too Long");
  EXPECT_EQ(reason_phrase(416), "Range Not Satisfiable");
  EXPECT_EQ(reason_phrase(418), "I'm a teapot");
  EXPECT_EQ(reason_phrase(422), "Unprocessable Entity");
  EXPECT_EQ(reason_phrase(426), "Upgrade Required");
  EXPECT_EQ(reason_phrase(429), "Too Many Requests");
  EXPECT_EQ(reason_phrase(431), "Request Header Fields Too Large");
}

TEST(ReasonPhrase, EveryRegisteredCodeHasAName) {
  const std::set<int> registered = {100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208,
                                    226, 300, 301, 302, 303, 304, 305, 307, 308, 400, 401, 402, 403,
                                    404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416,
                                    417, 418, 421, 422, 423, 424, 425, 426, 428, 429, 431, 451, 500,
                                    501, 502, 503, 504, 505, 506, 507, 508, 510, 511};
  for (int status = -1; status <= 1000; ++status) {
    const bool known = registered.contains(status);
    EXPECT_EQ(!reason_phrase(status).empty(), known) << status;
  }
}

TEST(ReasonPhrase, UnknownAndUnusedCodesAreEmpty) {
  EXPECT_EQ(reason_phrase(0), "");
  EXPECT_EQ(reason_phrase(99), "");
  EXPECT_EQ(reason_phrase(306), "");
  EXPECT_EQ(reason_phrase(420), "");
  EXPECT_EQ(reason_phrase(509), "");
  EXPECT_EQ(reason_phrase(599), "");
  EXPECT_EQ(reason_phrase(-200), "");
}

TEST(StatusAllowsBody, InformationalNoContentAndNotModifiedHaveNone) {
  for (int status = 100; status < 200; ++status) EXPECT_FALSE(status_allows_body(status));
  EXPECT_FALSE(status_allows_body(204));
  EXPECT_FALSE(status_allows_body(304));
}

TEST(StatusAllowsBody, OthersMayCarryContent) {
  for (const int status : {200, 201, 205, 206, 301, 302, 303, 400, 404, 416, 500, 599}) {
    EXPECT_TRUE(status_allows_body(status)) << status;
  }
}

}  // namespace
}  // namespace pulsarcpp::http
