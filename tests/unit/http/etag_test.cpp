#include "http/etag.hpp"

#include <gtest/gtest.h>

namespace pulsarcpp::http {
namespace {

TEST(MakeEtag, HexSizeAndMtimeInQuotes) {
  EXPECT_EQ(make_etag(0, 0), "\"0-0\"");
  EXPECT_EQ(make_etag(500, 1), "\"1f4-1\"");
  EXPECT_EQ(make_etag(0xabcdef, 0x17a2b3c4d5e6f708), "\"abcdef-17a2b3c4d5e6f708\"");
  EXPECT_EQ(make_etag(UINT64_MAX, INT64_MAX), "\"ffffffffffffffff-7fffffffffffffff\"");
  EXPECT_EQ(make_etag(1, -1), "\"1-ffffffffffffffff\"");
}

TEST(MakeEtag, DiffersWhenSizeOrMtimeDiffers) {
  EXPECT_NE(make_etag(1, 2), make_etag(2, 1));
  EXPECT_NE(make_etag(100, 1700000000000000000), make_etag(100, 1700000000000000001));
  EXPECT_EQ(make_etag(100, 1700000000000000000), make_etag(100, 1700000000000000000));
}

TEST(MakeEtag, IsAValidStrongEntityTag) {
  const std::string tag = make_etag(12345, 1700000000123456789);
  ASSERT_GE(tag.size(), 2u);
  EXPECT_EQ(tag.front(), '"');
  EXPECT_EQ(tag.back(), '"');
  EXPECT_FALSE(tag.starts_with("W/"));
  EXPECT_TRUE(etag_matches_if_none_match(tag, tag));
}

TEST(IfNoneMatch, ExactTag) {
  EXPECT_TRUE(etag_matches_if_none_match("\"abc\"", "\"abc\""));
  EXPECT_FALSE(etag_matches_if_none_match("\"abd\"", "\"abc\""));
  EXPECT_FALSE(etag_matches_if_none_match("\"ABC\"", "\"abc\""));
  EXPECT_FALSE(etag_matches_if_none_match("\"ab\"", "\"abc\""));
  EXPECT_TRUE(etag_matches_if_none_match("\"\"", "\"\""));
}

TEST(IfNoneMatch, WeakComparisonIgnoresWPrefix) {
  EXPECT_TRUE(etag_matches_if_none_match("W/\"abc\"", "\"abc\""));
  EXPECT_TRUE(etag_matches_if_none_match("\"abc\"", "W/\"abc\""));
  EXPECT_TRUE(etag_matches_if_none_match("W/\"abc\"", "W/\"abc\""));
  EXPECT_FALSE(etag_matches_if_none_match("w/\"abc\"", "\"abc\""));  // the prefix is case-sensitive
}

TEST(IfNoneMatch, Star) {
  EXPECT_TRUE(etag_matches_if_none_match("*", "\"abc\""));
  EXPECT_TRUE(etag_matches_if_none_match(" * ", "\"abc\""));
  EXPECT_FALSE(etag_matches_if_none_match("\"x\", *", "\"abc\""));
  EXPECT_FALSE(etag_matches_if_none_match("**", "\"abc\""));
}

TEST(IfNoneMatch, Lists) {
  EXPECT_TRUE(etag_matches_if_none_match("\"a\", \"b\", \"abc\"", "\"abc\""));
  EXPECT_TRUE(etag_matches_if_none_match("\"a\",\"abc\",\"b\"", "\"abc\""));
  EXPECT_TRUE(etag_matches_if_none_match("\"a\" ,\tW/\"abc\"", "\"abc\""));
  EXPECT_TRUE(etag_matches_if_none_match(", ,\"abc\",,", "\"abc\""));
  EXPECT_FALSE(etag_matches_if_none_match("\"a\", \"b\"", "\"abc\""));
  EXPECT_FALSE(etag_matches_if_none_match("", "\"abc\""));
  EXPECT_FALSE(etag_matches_if_none_match(" , ", "\"abc\""));
}

TEST(IfNoneMatch, CommaInsideATagIsPartOfIt) {
  EXPECT_TRUE(etag_matches_if_none_match("\"a,b\"", "\"a,b\""));
  EXPECT_TRUE(etag_matches_if_none_match("\"x\", \"a,b\"", "\"a,b\""));
  EXPECT_FALSE(etag_matches_if_none_match("\"a,b\"", "\"a\""));
  EXPECT_FALSE(etag_matches_if_none_match("\"a,b\"", "\"b\""));
}

TEST(IfNoneMatch, MalformedListsDoNotMatch) {
  EXPECT_FALSE(etag_matches_if_none_match("abc", "abc"));
  EXPECT_FALSE(etag_matches_if_none_match("\"abc", "\"abc\""));
  EXPECT_FALSE(etag_matches_if_none_match("\"abc\"x", "\"abc\""));
  EXPECT_FALSE(etag_matches_if_none_match("\"abc\" \"abc\"", "\"abc\""));
  EXPECT_FALSE(etag_matches_if_none_match("\"a b\"", "\"a b\""));
  EXPECT_FALSE(etag_matches_if_none_match("W/", "\"abc\""));
  EXPECT_FALSE(etag_matches_if_none_match("W/abc", "\"abc\""));
  EXPECT_FALSE(etag_matches_if_none_match("junk, \"abc\"", "\"abc\""));
  // A match before the malformed part is still a match.
  EXPECT_TRUE(etag_matches_if_none_match("\"abc\", junk", "\"abc\""));
}

TEST(IfNoneMatch, MalformedOwnTagNeverMatches) {
  EXPECT_FALSE(etag_matches_if_none_match("\"abc\"", "abc"));
  EXPECT_FALSE(etag_matches_if_none_match("\"abc\"", ""));
  EXPECT_FALSE(etag_matches_if_none_match("\"", "\""));
}

TEST(IfMatch, StrongComparison) {
  EXPECT_TRUE(etag_matches_if_match("\"abc\"", "\"abc\""));
  EXPECT_TRUE(etag_matches_if_match(" \"x\" , \"abc\" ", "\"abc\""));
  EXPECT_TRUE(etag_matches_if_match("*", "\"abc\""));
  EXPECT_FALSE(etag_matches_if_match("W/\"abc\"", "\"abc\""));  // weak in the list
  EXPECT_FALSE(etag_matches_if_match("\"abc\"", "W/\"abc\""));  // weak own tag
  EXPECT_FALSE(etag_matches_if_match("\"abd\"", "\"abc\""));
  EXPECT_FALSE(etag_matches_if_match("", "\"abc\""));
  EXPECT_FALSE(etag_matches_if_match("junk, \"abc\"", "\"abc\""));
  // If-None-Match keeps its weak comparison.
  EXPECT_TRUE(etag_matches_if_none_match("W/\"abc\"", "\"abc\""));
}

}  // namespace
}  // namespace pulsarcpp::http
