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
    if (!valid_ || status != status_ || headers.size() != headers_.size()) return false;
    for (std::size_t i = 0; i < headers.size(); ++i) {
      if (!same(headers[i].first, headers_[i].first) ||
          !same(headers[i].second, headers_[i].second)) {
        return false;
      }
    }
    return true;
  }

  std::string_view prefix() const noexcept { return prefix_; }

  /// Remembers `prefix`, written from `status` and `headers` (checked safe). A long one is not
  /// kept: copying it would cost what it saves, and the memo would hold that memory.
  void remember(int status, const Headers& headers, std::string_view prefix) {
    valid_ = prefix.size() <= kMaxPrefix;
    if (!valid_) return;
    status_ = status;
    headers_ = headers;  // element-wise: the strings' storage is reused
    prefix_.assign(prefix);
  }

 private:
  static constexpr std::size_t kMaxPrefix = 512;

  static bool same(const std::string& a, const std::string& b) noexcept {
    return a.size() == b.size() && http::swar::same_bytes(a.data(), b.data(), a.size());
  }

  bool valid_ = false;
  int status_ = 0;
  Headers headers_;
  std::string prefix_;
};

}  // namespace pulsarcpp::detail
