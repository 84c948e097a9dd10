// What the connection fuzzer's checks share: how a finding ends the run, and the time a server
// may stay quiet before the fuzzer calls it stuck.
#pragma once

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <string_view>
#include <system_error>

namespace connection_fuzz {

// Long enough for a sanitizer build on a busy machine; a server that keeps the connection open
// after the client's end of input never gets there.
inline constexpr int kQuietLimitMs = 10'000;

[[noreturn]] inline void fail(const char* why) {
  std::fprintf(stderr, "server_connection_fuzz: %s\n", why);
  __builtin_trap();
}

inline void check(bool ok, const char* why) {
  if (!ok) fail(why);
}

// A number in `base` that is the whole of `text`.
inline std::uint64_t number(std::string_view text, int base, const char* what) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  check(!text.empty() && ec == std::errc{} && end == text.data() + text.size(), what);
  return value;
}

}  // namespace connection_fuzz
