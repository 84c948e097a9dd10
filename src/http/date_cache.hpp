#pragma once
// The Date header, formatted at most once per second per loop thread.

#include <cstdint>
#include <cstring>
#include <ctime>
#include <string_view>

#include "http/date.hpp"

namespace pulsarcpp::http {

/// The wall clock's second, from the coarse clock: read from the vDSO without a system call.
inline std::time_t coarse_wall_seconds() noexcept {
  timespec now{};
  clock_gettime(CLOCK_REALTIME_COARSE, &now);
  return now.tv_sec;
}

class DateCache {
 public:
  /// `clock` gives the current second; tests pass their own.
  explicit DateCache(std::time_t (*clock)() noexcept = coarse_wall_seconds) noexcept
      : clock_(clock) {
    std::memcpy(line_, kName.data(), kName.size());
    std::memcpy(line_ + kName.size() + kHttpDateLength, kEnd.data(), kEnd.size());
  }

  /// The whole field line, "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n": a response head copies
  /// it in one piece. `loop_time_ms` is the event loop's time for the current iteration: the
  /// clock is read again only when it has moved, so all the responses to one batch of pipelined
  /// requests cost one read. As in nginx, which also reads the time once per loop iteration, a
  /// handler that keeps its iteration busy for seconds makes the Date of what follows in that
  /// iteration trail by as much.
  std::string_view line(std::int64_t loop_time_ms) noexcept {
    if (loop_time_ms != read_at_ms_) {
      read_at_ms_ = loop_time_ms;
      refresh();
    }
    return {line_, sizeof line_};
  }

 private:
  void refresh() noexcept {
    if (const std::time_t now = clock_(); now != second_) {
      second_ = now;
      format_http_date(second_, date_);
      std::memcpy(line_ + kName.size(), date_, kHttpDateLength);
    }
  }

  static constexpr std::string_view kName = "Date: ";
  static constexpr std::string_view kEnd = "\r\n";

  std::time_t (*clock_)() noexcept;
  std::int64_t read_at_ms_ = -1;
  std::time_t second_ = -1;
  char date_[kHttpDateLength] = {};
  char line_[kName.size() + kHttpDateLength + kEnd.size()] = {};
};

}  // namespace pulsarcpp::http
