#pragma once
// The start of the last response head written on a thread (its status line and header lines)
// together with the status and headers it was written from. A handler mostly answers the way it
// did last time (200 and the same Content-Type), so the next head can usually start with a copy
// of these bytes instead of checking and formatting every header again.
//
// Only byte-for-byte equal headers match, and both the safety check and the formatting are pure
// functions of those bytes: a match means the same check result and the same output.

#include <cstddef>
#include <string>
#include <string_view>

#include "http/swar.hpp"
#include "pulsarcpp/response.hpp"

namespace pulsarcpp::detail {

class HeadPrefixMemo {
 public:
  /// Whether `status` and `headers` are exactly those prefix() was written from.
  bool matches(int status, const Headers& headers) const noexcept {
    // An empty prefix means nothing is remembered: a head has at least its status line.
    if (prefix_.empty() || status != status_ || headers.size() != headers_.size()) return false;
    for (std::size_t i = 0; i < headers.size(); ++i) {
      if (!http::swar::equal(headers[i].first, headers_[i].first) ||
          !http::swar::equal(headers[i].second, headers_[i].second)) {
        return false;
      }
    }
    return true;
  }

  std::string_view prefix() const noexcept { return prefix_; }

  /// Remembers `prefix`, written from `status` and `headers` (checked safe). A long one is not
  /// kept: copying it would cost what it saves, and the memo would hold that memory.
  void remember(int status, const Headers& headers, std::string_view prefix) {
    if (prefix.size() > kMaxPrefix) {
      prefix_.clear();
      return;
    }
    status_ = status;
    headers_ = headers;  // element-wise: the strings' storage is reused
    prefix_.assign(prefix);
  }

 private:
  static constexpr std::size_t kMaxPrefix = 512;

  int status_ = 0;
  Headers headers_;
  std::string prefix_;
};

}  // namespace pulsarcpp::detail
