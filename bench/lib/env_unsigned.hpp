#pragma once
// What the two benchmark servers read from the environment (THREADS, BENCH_MIDDLEWARES). Their
// defaults differ from the library's (one loop unless told otherwise), so they parse it here.

#include <charconv>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string_view>

namespace bench {

/// The environment variable `name` as an unsigned number, `fallback` when unset; nullopt (and
/// a message naming `program`) when it is set but not a number, so a typo does not silently
/// benchmark the wrong configuration.
inline std::optional<unsigned> env_unsigned(std::string_view program, const char* name,
                                            unsigned fallback) {
  const char* raw = std::getenv(name);
  if (raw == nullptr || *raw == '\0') return fallback;
  std::string_view text(raw);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) {
    std::cerr << program << ": " << name << " must be a non-negative integer, got '" << text
              << "'\n";
    return std::nullopt;
  }
  return value;
}

}  // namespace bench
