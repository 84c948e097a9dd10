#pragma once
// The Date header, formatted at most once per second per loop thread.

#include <cstdint>
#include <cstring>
#include <ctime>
#include <string_view>

#include "http/date.hpp"

namespace pulsarcpp::http {

class DateCache {
 public:
  DateCache() noexcept {
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
    timespec now{};
    // The coarse clock is read from the vDSO without a system call.
    clock_gettime(CLOCK_REALTIME_COARSE, &now);
    if (now.tv_sec != second_) {
      second_ = now.tv_sec;
      format_http_date(second_, date_);
      std::memcpy(line_ + kName.size(), date_, kHttpDateLength);
    }
  }

  static constexpr std::string_view kName = "Date: ";
  static constexpr std::string_view kEnd = "\r\n";

  std::int64_t read_at_ms_ = -1;
  std::time_t second_ = -1;
  char date_[kHttpDateLength] = {};
  char line_[kName.size() + kHttpDateLength + kEnd.size()] = {};
};

}  // namespace pulsarcpp::http
