#include "http/date_cache.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <optional>
#include <string>
#include <thread>

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

// The clock is read again when the loop's time moves, and only then: within one iteration a
// new second does not show, in the next it does.
TEST(DateCache, ReadsTheClockOncePerLoopIteration) {
  DateCache cache;
  const std::string first(cache.line(1));
  // Two seconds on, so that even the coarse clock, which may trail time() by a tick, has moved.
  const std::time_t start = std::time(nullptr);
  while (std::time(nullptr) < start + 2) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(std::string(cache.line(1)), first);
  EXPECT_NE(std::string(cache.line(2)), first);
}

}  // namespace
}  // namespace pulsarcpp::http
