#include "net/sized_append.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace pulsarcpp::net {
namespace {

TEST(SizedAppend, AppendsEveryPieceAfterWhatIsThere) {
  std::string out = "head ";
  const std::string value = "a value longer than the small-string buffer";
  append_sized(out, [&](auto& sink) {
    sink.put("name: ");
    sink.put(value);
    sink.put("");
    sink.put("\r\n");
  });
  EXPECT_EQ(out, "head name: " + value + "\r\n");
}

TEST(SizedAppend, NothingToPutChangesNothing) {
  std::string out = "kept";
  append_sized(out, [](auto&) {});
  EXPECT_EQ(out, "kept");
}

TEST(Decimal, FormatsEveryIntegerType) {
  EXPECT_EQ(Decimal(0).view(), "0");
  EXPECT_EQ(Decimal(-42).view(), "-42");
  EXPECT_EQ(Decimal(std::numeric_limits<std::int64_t>::min()).view(), "-9223372036854775808");
  EXPECT_EQ(Decimal(std::numeric_limits<std::uint64_t>::max()).view(), "18446744073709551615");
  EXPECT_EQ(Decimal(static_cast<unsigned char>(200)).view(), "200");
}

// Each digit count, both sides of every power of ten, and the smallest of the narrow types.
TEST(Decimal, MatchesToStringAtEveryLength) {
  for (std::uint64_t power = 1; power <= 1000000000000000000ull; power *= 10) {
    for (const std::uint64_t value : {power - 1, power, power + 1, 3 * power}) {
      EXPECT_EQ(Decimal(value).view(), std::to_string(value));
      const auto signed_value = static_cast<std::int64_t>(value);
      EXPECT_EQ(Decimal(-signed_value).view(), std::to_string(-signed_value));
    }
  }
  EXPECT_EQ(Decimal(std::numeric_limits<signed char>::min()).view(), "-128");
  EXPECT_EQ(Decimal(std::numeric_limits<std::int16_t>::min()).view(), "-32768");
  EXPECT_EQ(Decimal(std::numeric_limits<std::int32_t>::min()).view(), "-2147483648");
}

}  // namespace
}  // namespace pulsarcpp::net
