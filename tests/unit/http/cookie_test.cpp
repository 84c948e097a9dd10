#include "pulsarcpp/http/cookie.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace pulsarcpp::http {
namespace {

TEST(SerializeSetCookie, NameValueAndDefaultPath) {
  EXPECT_EQ(serialize_set_cookie({.name = "id", .value = "a3fWa"}), "id=a3fWa; Path=/");
  EXPECT_EQ(serialize_set_cookie({.name = "id", .value = ""}), "id=; Path=/");
  EXPECT_EQ(serialize_set_cookie({.name = "id", .value = "x", .path = ""}), "id=x");
}

TEST(SerializeSetCookie, AllAttributesInOrder) {
  const Cookie cookie{
      .name = "authjs.session-token",
      .value = "eyJhbGciOiJkaXIifQ..abc",
      .max_age = 2592000,
      .expires = 784111777,
      .path = "/app",
      .domain = "example.com",
      .secure = true,
      .http_only = true,
      .partitioned = true,
      .same_site = SameSite::lax,
  };
  EXPECT_EQ(serialize_set_cookie(cookie),
            "authjs.session-token=eyJhbGciOiJkaXIifQ..abc; Max-Age=2592000; Domain=example.com; "
            "Path=/app; Expires=Sun, 06 Nov 1994 08:49:37 GMT; HttpOnly; Secure; Partitioned; "
            "SameSite=Lax");
}

TEST(SerializeSetCookie, DeletionCookie) {
  EXPECT_EQ(serialize_set_cookie({.name = "id", .value = "", .max_age = 0, .expires = 0}),
            "id=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(serialize_set_cookie({.name = "id", .max_age = -1}), "id=; Max-Age=-1; Path=/");
}

TEST(SerializeSetCookie, SameSiteValues) {
  EXPECT_EQ(serialize_set_cookie({.name = "a", .value = "b", .same_site = SameSite::strict}),
            "a=b; Path=/; SameSite=Strict");
  EXPECT_EQ(serialize_set_cookie({.name = "a", .value = "b", .same_site = SameSite::lax}),
            "a=b; Path=/; SameSite=Lax");
}

TEST(SerializeSetCookie, SameSiteNoneAndPartitionedImplySecure) {
  EXPECT_EQ(serialize_set_cookie({.name = "a", .value = "b", .same_site = SameSite::none}),
            "a=b; Path=/; Secure; SameSite=None");
  EXPECT_EQ(serialize_set_cookie(
                {.name = "a", .value = "b", .secure = true, .same_site = SameSite::none}),
            "a=b; Path=/; Secure; SameSite=None");
  EXPECT_EQ(serialize_set_cookie({.name = "a", .value = "b", .partitioned = true}),
            "a=b; Path=/; Secure; Partitioned");
}

TEST(SerializeSetCookie, QuotedValueIsKept) {
  EXPECT_EQ(serialize_set_cookie({.name = "a", .value = "\"bc\""}), "a=\"bc\"; Path=/");
  EXPECT_EQ(serialize_set_cookie({.name = "a", .value = "\"\""}), "a=\"\"; Path=/");
  // Quotes do not widen the character set: the space is still refused.
  EXPECT_THROW(serialize_set_cookie({.name = "a", .value = "\"b c\""}), std::invalid_argument);
}

TEST(SerializeSetCookie, AcceptsEveryTokenCharAndCookieOctet) {
  EXPECT_NO_THROW(serialize_set_cookie({.name = "!#$%&'*+-.^_`|~09azAZ", .value = "v"}));
  std::string every_octet;
  for (int c = 0x21; c <= 0x7e; ++c) {
    if (c != '"' && c != ',' && c != ';' && c != '\\') every_octet.push_back(static_cast<char>(c));
  }
  EXPECT_NO_THROW(serialize_set_cookie({.name = "a", .value = every_octet}));
}

TEST(SerializeSetCookie, RejectsInvalidNames) {
  for (const char* name : {"", "a b", "a=b", "a;b", "a,b", "a\"b", "a(b)", "a/b", "a@b", "a:b",
                           "a\tb", "a\x7f", "\xc3\xa9"}) {
    EXPECT_THROW(serialize_set_cookie({.name = name, .value = "v"}), std::invalid_argument) << name;
  }
}

TEST(SerializeSetCookie, RejectsInvalidValues) {
  for (const char* value : {"a b", "a;b", "a,b", "a\\b", "\"", "\"ab", "ab\"", "a\"b", "\"a\"b\"",
                            "a\tb", "a\nb", "a\x7f", "\xc3\xa9"}) {
    EXPECT_THROW(serialize_set_cookie({.name = "n", .value = value}), std::invalid_argument)
        << value;
  }
  EXPECT_THROW(serialize_set_cookie({.name = "n", .value = std::string("a\0b", 3)}),
               std::invalid_argument);
}

TEST(SerializeSetCookie, RejectsAttributeInjection) {
  EXPECT_THROW(serialize_set_cookie({.name = "n", .value = "v", .path = "/; Domain=evil.com"}),
               std::invalid_argument);
  EXPECT_THROW(serialize_set_cookie({.name = "n", .value = "v", .path = "/a\r\nSet-Cookie: x=y"}),
               std::invalid_argument);
  EXPECT_THROW(serialize_set_cookie({.name = "n", .value = "v", .domain = "a.com;Secure"}),
               std::invalid_argument);
  EXPECT_THROW(serialize_set_cookie({.name = "n", .value = "v", .domain = "a.com\x7f"}),
               std::invalid_argument);
  EXPECT_NO_THROW(serialize_set_cookie({.name = "n", .value = "v", .path = "/a b,c"}));
}

TEST(FindCookie, FindsByExactName) {
  constexpr std::string_view kHeader = "a=1; b=2; session=xyz";
  EXPECT_EQ(find_cookie(kHeader, "a"), "1");
  EXPECT_EQ(find_cookie(kHeader, "b"), "2");
  EXPECT_EQ(find_cookie(kHeader, "session"), "xyz");
  EXPECT_EQ(find_cookie(kHeader, "Session"), std::nullopt);
  EXPECT_EQ(find_cookie(kHeader, "sess"), std::nullopt);
  EXPECT_EQ(find_cookie(kHeader, ""), std::nullopt);
  EXPECT_EQ(find_cookie("", "a"), std::nullopt);
}

TEST(FindCookie, FirstMatchWins) {
  EXPECT_EQ(find_cookie("a=1; a=2", "a"), "1");
}

TEST(FindCookie, ToleratesSpacing) {
  EXPECT_EQ(find_cookie("a=1;b=2", "b"), "2");
  EXPECT_EQ(find_cookie("  a = 1 ;\tb\t=\t2  ", "b"), "2");
  EXPECT_EQ(find_cookie("a=1; ; ;b=2;", "b"), "2");
}

TEST(FindCookie, StripsSurroundingQuotes) {
  EXPECT_EQ(find_cookie("a=\"quoted\"", "a"), "quoted");
  EXPECT_EQ(find_cookie("a=\"\"", "a"), "");
  EXPECT_EQ(find_cookie("a=\"", "a"), "\"");
  EXPECT_EQ(find_cookie("a=\"half", "a"), "\"half");
}

TEST(FindCookie, ValueMayContainEqualsAndBeEmpty) {
  EXPECT_EQ(find_cookie("token=abc==; e=", "token"), "abc==");
  EXPECT_EQ(find_cookie("token=abc==; e=", "e"), "");
}

TEST(FindCookie, SkipsPairsWithoutEquals) {
  EXPECT_EQ(find_cookie("a; a=1", "a"), "1");
  EXPECT_EQ(find_cookie("flag", "flag"), std::nullopt);
}

TEST(FindCookie, ViewPointsIntoTheHeader) {
  const std::string header = "x=1; y=hello";
  const auto value = find_cookie(header, "y");
  ASSERT_TRUE(value);
  EXPECT_EQ(value->data(), header.data() + 7);
}

TEST(ParseCookieHeader, AllPairsInOrder) {
  const auto pairs = parse_cookie_header("a=1; b=\"2\";c=; =skip; noequals; d = 4 ");
  ASSERT_EQ(pairs.size(), 4u);
  EXPECT_EQ(pairs[0], std::make_pair(std::string_view("a"), std::string_view("1")));
  EXPECT_EQ(pairs[1], std::make_pair(std::string_view("b"), std::string_view("2")));
  EXPECT_EQ(pairs[2], std::make_pair(std::string_view("c"), std::string_view("")));
  EXPECT_EQ(pairs[3], std::make_pair(std::string_view("d"), std::string_view("4")));
}

TEST(ParseCookieHeader, EmptyHeaders) {
  EXPECT_TRUE(parse_cookie_header("").empty());
  EXPECT_TRUE(parse_cookie_header(";;; ").empty());
}

TEST(ParseCookieHeader, KeepsDuplicates) {
  const auto pairs = parse_cookie_header("a=1; a=2");
  ASSERT_EQ(pairs.size(), 2u);
  EXPECT_EQ(pairs[1].second, "2");
}

TEST(Cookie, SerializedPairRoundTripsThroughFindCookie) {
  const std::string set_cookie =
      serialize_set_cookie({.name = "csrf", .value = "\"abc123\"", .http_only = true});
  const std::string pair = set_cookie.substr(0, set_cookie.find(';'));
  EXPECT_EQ(find_cookie("other=1; " + pair, "csrf"), "abc123");
}

}  // namespace
}  // namespace pulsarcpp::http
