#include "http/range.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace pulsarcpp::http {
namespace {

using Kind = RangeResult::Kind;
constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

void expect_range(std::string_view header, std::uint64_t size, std::uint64_t first,
                  std::uint64_t last) {
  const RangeResult result = evaluate_range(header, size);
  EXPECT_EQ(result.kind, Kind::satisfiable) << header << " size " << size;
  EXPECT_EQ(result.range.first, first) << header << " size " << size;
  EXPECT_EQ(result.range.last, last) << header << " size " << size;
}

void expect_kind(std::string_view header, std::uint64_t size, Kind kind) {
  EXPECT_EQ(evaluate_range(header, size).kind, kind) << '"' << header << "\" size " << size;
}

TEST(EvaluateRange, FirstAndLast) {
  expect_range("bytes=0-99", 1000, 0, 99);
  expect_range("bytes=500-999", 1000, 500, 999);
  expect_range("bytes=0-0", 1000, 0, 0);
  expect_range("bytes=999-999", 1000, 999, 999);
  expect_range("bytes=0-0", 1, 0, 0);
}

TEST(EvaluateRange, LastIsClampedToTheEnd) {
  expect_range("bytes=0-1000", 1000, 0, 999);
  expect_range("bytes=10-18446744073709551615", 1000, 10, 999);
  expect_range("bytes=0-5", 1, 0, 0);
}

TEST(EvaluateRange, OpenEnded) {
  expect_range("bytes=100-", 1000, 100, 999);
  expect_range("bytes=0-", 1000, 0, 999);
  expect_range("bytes=999-", 1000, 999, 999);
  expect_range("bytes=0-", 1, 0, 0);
}

TEST(EvaluateRange, Suffix) {
  expect_range("bytes=-500", 1000, 500, 999);
  expect_range("bytes=-1", 1000, 999, 999);
  expect_range("bytes=-1000", 1000, 0, 999);
  expect_range("bytes=-1001", 1000, 0, 999);  // longer than the representation: all of it
  expect_range("bytes=-1", 1, 0, 0);
  expect_range("bytes=-99999999999999999999999", 1000, 0, 999);
}

TEST(EvaluateRange, UnitIsCaseInsensitive) {
  expect_range("Bytes=0-1", 10, 0, 1);
  expect_range("BYTES=0-1", 10, 0, 1);
}

TEST(EvaluateRange, Unsatisfiable) {
  expect_kind("bytes=1000-", 1000, Kind::unsatisfiable);
  expect_kind("bytes=1000-2000", 1000, Kind::unsatisfiable);
  expect_kind("bytes=1-1", 1, Kind::unsatisfiable);
  expect_kind("bytes=-0", 1000, Kind::unsatisfiable);
  expect_kind("bytes=-000", 1000, Kind::unsatisfiable);
  expect_kind("bytes=99999999999999999999999-", 1000, Kind::unsatisfiable);
  expect_kind("bytes=18446744073709551615-", kMax, Kind::unsatisfiable);
}

TEST(EvaluateRange, EmptyRepresentationSatisfiesNothing) {
  expect_kind("bytes=0-", 0, Kind::unsatisfiable);
  expect_kind("bytes=0-0", 0, Kind::unsatisfiable);
  expect_kind("bytes=-1", 0, Kind::unsatisfiable);
  expect_kind("bytes=-0", 0, Kind::unsatisfiable);
}

TEST(EvaluateRange, HugeSizes) {
  expect_range("bytes=0-", kMax, 0, kMax - 1);
  expect_range("bytes=-1", kMax, kMax - 1, kMax - 1);
  expect_range("bytes=18446744073709551614-", kMax, kMax - 1, kMax - 1);
  expect_range("bytes=-18446744073709551615", kMax, 0, kMax - 1);
  expect_range("bytes=00000000000000000000000000001-2", 10, 1, 2);  // leading zeros are fine
}

TEST(EvaluateRange, FirstAfterLastIsIgnored) {
  expect_kind("bytes=5-4", 1000, Kind::none);
  expect_kind("bytes=5000-4000", 1000, Kind::none);
  // Both overflow 64 bits; still ordered by their digits.
  expect_kind("bytes=99999999999999999999999-99999999999999999999998", 1000, Kind::none);
  expect_kind("bytes=99999999999999999999998-99999999999999999999999", 1000, Kind::unsatisfiable);
  expect_kind("bytes=0010-9", 1000, Kind::none);
  expect_range("bytes=0009-10", 1000, 9, 10);
}

TEST(EvaluateRange, SeveralRangesAreDeclined) {
  expect_kind("bytes=0-1,5-6", 1000, Kind::none);
  expect_kind("bytes=0-1, 5-6", 1000, Kind::none);
  expect_kind("bytes=0-1,2000-3000", 1000, Kind::none);
  expect_kind("bytes=-1,-2", 1000, Kind::none);
  expect_kind("bytes=0-1,x", 1000, Kind::none);
}

TEST(EvaluateRange, WhitespaceOnlyAroundCommasAndAtTheEnds) {
  expect_range("bytes=0-1 ,", 10, 0, 1);
  expect_range("bytes=0-1, ", 10, 0, 1);
  expect_range("bytes=,0-1", 10, 0, 1);
  expect_range("bytes=0-1,\t,", 10, 0, 1);
  expect_range("  bytes=0-1  ", 10, 0, 1);
  expect_kind("bytes= 0-1", 10, Kind::none);
  expect_kind("bytes =0-1", 10, Kind::none);
  expect_kind("bytes=0 -1", 10, Kind::none);
  expect_kind("bytes=0- 1", 10, Kind::none);
  expect_kind("bytes=- 1", 10, Kind::none);
}

TEST(EvaluateRange, GarbageAndOtherUnitsAreIgnored) {
  for (const char* header : {
           "",
           " ",
           "bytes",
           "bytes=",
           "bytes=,",
           "bytes=-",
           "bytes=--1",
           "bytes=1--2",
           "bytes=1-2-3",
           "bytes=a-b",
           "bytes=1-b",
           "bytes=+1-2",
           "bytes=0x10-20",
           "bytes=1",
           "bytes=0-1;",
           "bytes=0-1a",
           "items=0-1",
           "byte=0-1",
           "bytesx=0-1",
           "=0-1",
           "0-1",
           "bytes==0-1",
           "bytes=0=1",
           "bytes=\xef\xbc\x91-2",  // a full-width digit one
       }) {
    expect_kind(header, 1000, Kind::none);
  }
}

TEST(EvaluateRange, NoneAndUnsatisfiableCarryNoRange) {
  const RangeResult none = evaluate_range("garbage", 10);
  EXPECT_EQ(none.range.first, 0u);
  EXPECT_EQ(none.range.last, 0u);
  const RangeResult unsatisfiable = evaluate_range("bytes=10-", 10);
  EXPECT_EQ(unsatisfiable.range.first, 0u);
  EXPECT_EQ(unsatisfiable.range.last, 0u);
}

TEST(EvaluateRange, ExhaustiveSmallSizesKeepWithinBounds) {
  for (std::uint64_t size = 0; size < 12; ++size) {
    for (std::uint64_t first = 0; first < 14; ++first) {
      for (std::uint64_t last = first; last < 14; ++last) {
        const std::string header = "bytes=" + std::to_string(first) + "-" + std::to_string(last);
        const RangeResult result = evaluate_range(header, size);
        if (first < size) {
          ASSERT_EQ(result.kind, Kind::satisfiable) << header;
          ASSERT_EQ(result.range.first, first);
          ASSERT_EQ(result.range.last, std::min(last, size - 1));
        } else {
          ASSERT_EQ(result.kind, Kind::unsatisfiable) << header;
        }
      }
      const RangeResult suffix = evaluate_range("bytes=-" + std::to_string(first), size);
      if (first == 0 || size == 0) {
        ASSERT_EQ(suffix.kind, Kind::unsatisfiable);
      } else {
        ASSERT_EQ(suffix.kind, Kind::satisfiable);
        ASSERT_EQ(suffix.range.last - suffix.range.first + 1, std::min(first, size));
        ASSERT_EQ(suffix.range.last, size - 1);
      }
    }
  }
}

constexpr std::time_t kModified = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT

TEST(IfRangeMatches, StrongEtagMustBeIdentical) {
  EXPECT_TRUE(if_range_matches("\"abc\"", "\"abc\"", kModified));
  EXPECT_TRUE(if_range_matches(" \"abc\" ", "\"abc\"", kModified));
  EXPECT_FALSE(if_range_matches("\"abd\"", "\"abc\"", kModified));
  EXPECT_FALSE(if_range_matches("\"ABC\"", "\"abc\"", kModified));
  EXPECT_FALSE(if_range_matches("\"abc\", \"def\"", "\"abc\"", kModified));
}

TEST(IfRangeMatches, WeakTagsNeverMatch) {
  EXPECT_FALSE(if_range_matches("W/\"abc\"", "\"abc\"", kModified));
  EXPECT_FALSE(if_range_matches("W/\"abc\"", "W/\"abc\"", kModified));
  EXPECT_FALSE(if_range_matches("\"abc\"", "W/\"abc\"", kModified));
}

TEST(IfRangeMatches, MalformedTagsNeverMatch) {
  EXPECT_FALSE(if_range_matches("\"abc", "\"abc", kModified));
  EXPECT_FALSE(if_range_matches("\"", "\"", kModified));
  EXPECT_FALSE(if_range_matches("", "", kModified));
  EXPECT_FALSE(if_range_matches("abc", "abc", kModified));
}

TEST(IfRangeMatches, DateMustEqualLastModified) {
  EXPECT_TRUE(if_range_matches("Sun, 06 Nov 1994 08:49:37 GMT", "\"x\"", kModified));
  EXPECT_TRUE(if_range_matches("Sun Nov  6 08:49:37 1994", "\"x\"", kModified));
  EXPECT_FALSE(if_range_matches("Sun, 06 Nov 1994 08:49:38 GMT", "\"x\"", kModified));
  EXPECT_FALSE(if_range_matches("Sun, 06 Nov 1994 08:49:36 GMT", "\"x\"", kModified));
  EXPECT_FALSE(if_range_matches("yesterday", "\"x\"", kModified));
}

}  // namespace
}  // namespace pulsarcpp::http
