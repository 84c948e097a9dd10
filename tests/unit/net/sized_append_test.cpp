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

}  // namespace
}  // namespace pulsarcpp::net
