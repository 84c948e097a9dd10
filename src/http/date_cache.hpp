#pragma once
// The Date header value, formatted at most once per second per loop thread.

#include <ctime>
#include <string_view>

#include "http/date.hpp"

namespace pulsarcpp::http {

class DateCache {
 public:
  std::string_view get() noexcept {
    timespec now{};
    // The coarse clock is read from the vDSO without a system call.
    clock_gettime(CLOCK_REALTIME_COARSE, &now);
    if (now.tv_sec != second_) {
      second_ = now.tv_sec;
      format_http_date(second_, text_);
    }
    return {text_, sizeof text_};
  }

 private:
  std::time_t second_ = -1;
  char text_[29] = {};
};

}  // namespace pulsarcpp::http
