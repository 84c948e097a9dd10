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
  const std::string line(cache.line(1));
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

std::time_t fake_second = 0;
std::time_t fake_clock() noexcept {
  return fake_second;
}

// The clock is read again when the loop's time moves, and only then: within one iteration a
// new second does not show, in the next it does.
TEST(DateCache, ReadsTheClockOncePerLoopIteration) {
  fake_second = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT
  DateCache cache(fake_clock);
  EXPECT_EQ(cache.line(1), "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n");
  fake_second += 2;
  EXPECT_EQ(cache.line(1), "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n");
  EXPECT_EQ(cache.line(2), "Date: Sun, 06 Nov 1994 08:49:39 GMT\r\n");
}

}  // namespace
}  // namespace pulsarcpp::http
