#include "http/date_cache.hpp"

#include <gtest/gtest.h>

#include <ctime>
#include <optional>
#include <string>

namespace pulsarcpp::http {
namespace {

TEST(DateCache, LineIsTheDateFieldOfTheCurrentSecond) {
  DateCache cache;
  const std::time_t before = std::time(nullptr);
  const std::string line(cache.line());
  const std::time_t after = std::time(nullptr);

  ASSERT_EQ(line.size(), 6 + kHttpDateLength + 2);
  EXPECT_EQ(line.substr(0, 6), "Date: ");
  EXPECT_EQ(line.substr(line.size() - 2), "\r\n");
  const std::optional<std::time_t> parsed = parse_http_date(line.substr(6, kHttpDateLength));
  ASSERT_TRUE(parsed.has_value()) << line;
  // The coarse clock may trail time() by a tick, so allow the second before.
  EXPECT_GE(*parsed, before - 1);
  EXPECT_LE(*parsed, after);
}

}  // namespace
}  // namespace pulsarcpp::http
