#pragma once
// The Date header, formatted at most once per second per loop thread.

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
  /// it in one piece.
  std::string_view line() noexcept {
    timespec now{};
    // The coarse clock is read from the vDSO without a system call.
    clock_gettime(CLOCK_REALTIME_COARSE, &now);
    if (now.tv_sec != second_) {
      second_ = now.tv_sec;
      format_http_date(second_, date_);
      std::memcpy(line_ + kName.size(), date_, kHttpDateLength);
    }
    return {line_, sizeof line_};
  }

 private:
  static constexpr std::string_view kName = "Date: ";
  static constexpr std::string_view kEnd = "\r\n";

  std::time_t second_ = -1;
  char date_[kHttpDateLength] = {};
  char line_[kName.size() + kHttpDateLength + kEnd.size()] = {};
};

}  // namespace pulsarcpp::http
