#include "pulsarcpp/http/request_head.hpp"

#include <gtest/gtest.h>

#include "pulsarcpp/http/method.hpp"

namespace pulsarcpp::http {
namespace {

TEST(MethodTest, KnownNamesRoundTrip) {
  const std::pair<std::string_view, Method> cases[] = {
      {"GET", Method::get},         {"HEAD", Method::head},   {"POST", Method::post},
      {"PUT", Method::put},         {"DELETE", Method::del},  {"CONNECT", Method::connect},
      {"OPTIONS", Method::options}, {"TRACE", Method::trace}, {"PATCH", Method::patch},
  };
  for (const auto& [name, method] : cases) {
    EXPECT_EQ(method_from_string(name), method) << name;
    EXPECT_EQ(to_string(method), name);
  }
}

TEST(MethodTest, MethodsAreCaseSensitive) {
  EXPECT_EQ(method_from_string("get"), Method::other);
  EXPECT_EQ(method_from_string("Post"), Method::other);
}

TEST(MethodTest, UnknownAndNearMissesAreOther) {
  for (std::string_view name :
       {"", "PURGE", "GE", "GETS", "P", "POSTX", "DELET", "OTHER", "M-SEARCH"}) {
    EXPECT_EQ(method_from_string(name), Method::other) << name;
  }
  EXPECT_EQ(to_string(Method::other), "OTHER");
}

TEST(IequalsTest, ComparesAsciiCaseInsensitively) {
  EXPECT_TRUE(iequals("Content-Length", "content-length"));
  EXPECT_TRUE(iequals("HOST", "host"));
  EXPECT_TRUE(iequals("", ""));
  EXPECT_FALSE(iequals("host", "hosts"));
  EXPECT_FALSE(iequals("host", "h0st"));
  // Only letters fold: '@' (0x40) and '`' (0x60) differ by the case bit but are not equal.
  EXPECT_FALSE(iequals("@", "`"));
  EXPECT_FALSE(iequals("[", "{"));
  // Non-ASCII bytes compare exactly.
  EXPECT_FALSE(iequals("\xC3\xA9", "\xC3\x89"));
}

TEST(HasTokenTest, FindsTrimmedCaseInsensitiveElements) {
  EXPECT_TRUE(has_token("close", "close"));
  EXPECT_TRUE(has_token("keep-alive, Upgrade", "upgrade"));
  EXPECT_TRUE(has_token(" \tUPGRADE\t , x", "upgrade"));
  EXPECT_TRUE(has_token("a,,close", "close"));
  EXPECT_FALSE(has_token("", "close"));
  EXPECT_FALSE(has_token("closed", "close"));
  EXPECT_FALSE(has_token("not close", "close"));
  EXPECT_FALSE(has_token("keep-alive", "keep"));
}

TEST(RequestHeadTest, HeaderLookupIsCaseInsensitiveAndReturnsFirst) {
  RequestHead head;
  head.headers = {{"Host", "example.com"}, {"X-Token", "one"}, {"x-token", "two"}, {"Empty", ""}};
  EXPECT_EQ(head.header("host"), "example.com");
  EXPECT_EQ(head.header("HOST"), "example.com");
  EXPECT_EQ(head.header("X-TOKEN"), "one");
  EXPECT_TRUE(head.has_header("x-Token"));
  EXPECT_TRUE(head.has_header("empty"));
  EXPECT_EQ(head.header("empty"), "");
  EXPECT_FALSE(head.has_header("missing"));
  EXPECT_EQ(head.header("missing"), "");
  EXPECT_FALSE(head.has_header("Hos"));
}

}  // namespace
}  // namespace pulsarcpp::http
