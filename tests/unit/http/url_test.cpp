#include "http/url.hpp"

#include <gtest/gtest.h>

#include <string>

namespace pulsarcpp::http {
namespace {

std::string decoded(std::string_view in, bool plus_as_space = false) {
  std::string out = "stale";
  EXPECT_TRUE(percent_decode(in, out, plus_as_space)) << in;
  return out;
}

TEST(PercentDecode, PlainTextIsUnchanged) {
  EXPECT_EQ(decoded(""), "");
  EXPECT_EQ(decoded("hello-world_1.txt~"), "hello-world_1.txt~");
}

TEST(PercentDecode, DecodesEitherHexCase) {
  EXPECT_EQ(decoded("a%20b"), "a b");
  EXPECT_EQ(decoded("%4a%4A"), "JJ");
  EXPECT_EQ(decoded("%7e%7E%7f"), "~~\x7f");
  EXPECT_EQ(decoded("%25"), "%");
  EXPECT_EQ(decoded("%2525"), "%25");  // decoded once only
}

TEST(PercentDecode, EncodedSlashBecomesASlash) {
  EXPECT_EQ(decoded("a%2Fb"), "a/b");
  EXPECT_EQ(decoded("%2f%2F"), "//");
}

TEST(PercentDecode, PlusIsSpaceOnlyWhenAsked) {
  EXPECT_EQ(decoded("a+b", false), "a+b");
  EXPECT_EQ(decoded("a+b", true), "a b");
  EXPECT_EQ(decoded("a%2Bb", true), "a+b");  // an encoded plus stays a plus
}

TEST(PercentDecode, Utf8AndArbitraryBytes) {
  EXPECT_EQ(decoded("caf%C3%A9"), "caf\xC3\xA9");
  EXPECT_EQ(decoded("%E2%82%AC"), "\xE2\x82\xAC");
  EXPECT_EQ(decoded("caf\xC3\xA9"), "caf\xC3\xA9");  // raw UTF-8 passes through
  EXPECT_EQ(decoded("%FF%FE"), "\xFF\xFE");          // not UTF-8, still returned
  EXPECT_EQ(decoded("a%00b"), std::string("a\0b", 3));
}

TEST(PercentDecode, MalformedEscapesFailAndKeepTheInput) {
  for (const char* in : {"%", "%2", "a%", "a%g0", "%0g", "%%20", "ok%2", "%2Fx%zz", "% 20"}) {
    std::string out = "stale";
    EXPECT_FALSE(percent_decode(in, out, true)) << in;
    EXPECT_EQ(out, in);
  }
}

TEST(PercentDecode, LenientKeepsMalformedEscapesLiterally) {
  EXPECT_EQ(percent_decode_lenient("100%", false), "100%");
  EXPECT_EQ(percent_decode_lenient("%zz%41", false), "%zzA");
  EXPECT_EQ(percent_decode_lenient("%%41", false), "%A");
  EXPECT_EQ(percent_decode_lenient("a+%2", true), "a %2");
}

TEST(NeedsDecoding, DetectsPercentAndOptionallyPlus) {
  EXPECT_FALSE(needs_decoding("", true));
  EXPECT_FALSE(needs_decoding("abc/def", true));
  EXPECT_TRUE(needs_decoding("a%20", false));
  EXPECT_FALSE(needs_decoding("a+b", false));
  EXPECT_TRUE(needs_decoding("a+b", true));
}

TEST(QueryParam, FindsTheFirstValue) {
  EXPECT_EQ(query_param("a=1&b=2", "a"), "1");
  EXPECT_EQ(query_param("a=1&b=2", "b"), "2");
  EXPECT_EQ(query_param("a=1&b=2&a=3", "a"), "1");
  EXPECT_EQ(query_param("a=1&b=2", "c"), std::nullopt);
  EXPECT_EQ(query_param("", "a"), std::nullopt);
}

TEST(QueryParam, DecodesNamesAndValues) {
  EXPECT_EQ(query_param("q=hello+world%21", "q"), "hello world!");
  EXPECT_EQ(query_param("first%20name=Ann", "first name"), "Ann");
  EXPECT_EQ(query_param("first+name=Ann", "first name"), "Ann");
  EXPECT_EQ(query_param("x=caf%C3%A9", "x"), "caf\xC3\xA9");
  EXPECT_EQ(query_param("x=a%2Bb", "x"), "a+b");
  EXPECT_EQ(query_param("x=100%", "x"), "100%");  // malformed escape kept, as browsers do
  EXPECT_EQ(query_param("x=1=2", "x"), "1=2");    // only the first '=' splits
}

TEST(QueryParam, EmptyValuesAndMissingEquals) {
  EXPECT_EQ(query_param("a=&b=2", "a"), "");
  EXPECT_EQ(query_param("flag&b=2", "flag"), "");
  EXPECT_EQ(query_param("b=2&flag", "flag"), "");
  EXPECT_EQ(query_param("=v", ""), "v");
  EXPECT_EQ(query_param("&&a=1&&", "a"), "1");
  EXPECT_EQ(query_param("&&", ""), std::nullopt);  // empty pieces are skipped
}

TEST(QueryParam, SkipsOneLeadingQuestionMark) {
  EXPECT_EQ(query_param("?a=1", "a"), "1");
  EXPECT_EQ(query_param("??a=1", "?a"), "1");
}

TEST(QueryParam, NamesAreCaseSensitive) {
  EXPECT_EQ(query_param("A=1", "a"), std::nullopt);
}

TEST(ParseQuery, AllPairsInOrder) {
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(parse_query(""), Pairs{});
  EXPECT_EQ(parse_query("?"), Pairs{});
  EXPECT_EQ(parse_query("a=1&b=2&a=3"), (Pairs{{"a", "1"}, {"b", "2"}, {"a", "3"}}));
  EXPECT_EQ(parse_query("tag=x&tag=y&tag="), (Pairs{{"tag", "x"}, {"tag", "y"}, {"tag", ""}}));
  EXPECT_EQ(parse_query("flag&&n=a+b%26c"), (Pairs{{"flag", ""}, {"n", "a b&c"}}));
  EXPECT_EQ(parse_query("=&="), (Pairs{{"", ""}, {"", ""}}));
  EXPECT_EQ(parse_query("%zz=%"), (Pairs{{"%zz", "%"}}));
}

TEST(PercentEncodeComponent, KeepsUnreservedOnly) {
  EXPECT_EQ(percent_encode_component(""), "");
  EXPECT_EQ(percent_encode_component("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(percent_encode_component("a b/c?d=e&f+g%"), "a%20b%2Fc%3Fd%3De%26f%2Bg%25");
  EXPECT_EQ(percent_encode_component("caf\xC3\xA9"), "caf%C3%A9");
  EXPECT_EQ(percent_encode_component(std::string("\0\xFF", 2)), "%00%FF");
}

TEST(PercentEncodeComponent, RoundTripsEveryByte) {
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  EXPECT_EQ(decoded(percent_encode_component(all)), all);
  EXPECT_EQ(decoded(percent_encode_component(all), true), all);  // no '+' is ever emitted
}

}  // namespace
}  // namespace pulsarcpp::http
