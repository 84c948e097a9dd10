#pragma once
// Byte tests on eight bytes at once ("SIMD within a register", from "Bit Twiddling Hacks"), for
// scanners whose inputs are mostly plain bytes: one test per word instead of one per byte.
// Each returns a word whose byte high bits mark matches; it is exact about whether any byte
// matches (a borrow can only add marks above a byte that really matches), not about which.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace pulsarcpp::http::swar {

constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
constexpr std::uint64_t kHighs = 0x8080808080808080ULL;

/// Bytes below `limit` (at most 0x80).
constexpr std::uint64_t bytes_below(std::uint64_t word, std::uint8_t limit) noexcept {
  return (word - kOnes * limit) & ~word & kHighs;
}

/// Bytes equal to `byte`.
constexpr std::uint64_t bytes_equal(std::uint64_t word, std::uint8_t byte) noexcept {
  return bytes_below(word ^ (kOnes * byte), 1);
}

/// Bytes of 0x80 and above.
constexpr std::uint64_t high_bytes(std::uint64_t word) noexcept {
  return word & kHighs;
}

/// Which byte of a word from load_in_order() the first mark of the tests above is on (0-7), for
/// a word with a mark. The lowest mark is always a real match: a borrow only adds marks above it.
inline std::size_t first_marked(std::uint64_t marks) noexcept {
  return static_cast<std::size_t>(std::countr_zero(marks)) / 8;
}

/// Eight bytes from `p`, in any alignment.
inline std::uint64_t load(const char* p) noexcept {
  std::uint64_t word;
  std::memcpy(&word, p, sizeof word);
  return word;
}

/// Eight bytes from `p` with the first in the lowest bits, as first_marked() needs, whatever the
/// machine's byte order.
inline std::uint64_t load_in_order(const char* p) noexcept {
  const std::uint64_t word = load(p);
  if constexpr (std::endian::native == std::endian::big) return __builtin_bswap64(word);
  return word;
}

/// The `n` (at most 8) bytes from `p` as one word without reading past them: every byte is in
/// it, some twice, and what is left is `filler`. For tests that only ask whether any byte
/// matches, with a filler that does not.
inline std::uint64_t load_short(const char* p, std::size_t n, char filler) noexcept {
  if (n == 8) return load(p);
  if (n >= 4) {
    std::uint32_t low;
    std::uint32_t high;
    std::memcpy(&low, p, sizeof low);
    std::memcpy(&high, p + n - 4, sizeof high);
    return low | std::uint64_t{high} << 32;
  }
  std::uint64_t word = kOnes * static_cast<unsigned char>(filler);
  if (n == 0) return word;
  const auto byte = [p](std::size_t i) { return std::uint64_t{static_cast<unsigned char>(p[i])}; };
  return (word & ~std::uint64_t{0xFFFFFF}) | byte(0) | byte(n / 2) << 8 | byte(n - 1) << 16;
}

/// Whether the `n` bytes at `a` and at `b` are equal: compared as words when `n` is at most 16
/// (the short strings a parser compares against what it remembers), else by memcmp.
inline bool same_bytes(const char* a, const char* b, std::size_t n) noexcept {
  if (n > 16) return std::memcmp(a, b, n) == 0;
  if (n > 8) return load(a) == load(b) && load(a + n - 8) == load(b + n - 8);
  return load_short(a, n, 0) == load_short(b, n, 0);
}

/// Whether `a` and `b` hold the same bytes (same_bytes() once their sizes agree).
inline bool equal(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && same_bytes(a.data(), b.data(), a.size());
}

/// Whether `hit(word)` holds for some word of `text`, whole words only: a short text is one
/// word filled with `filler` (which `hit` must not match), a longer one ends with a word that
/// overlaps the one before it.
template <class Hit>
bool any_word(std::string_view text, char filler, Hit hit) noexcept {
  constexpr std::size_t kWord = sizeof(std::uint64_t);
  if (text.size() <= kWord) return hit(load_short(text.data(), text.size(), filler));
  // Most header names and values, and JSON keys, fit in two words: no loop for them.
  if (text.size() <= 2 * kWord) {
    return hit(load(text.data())) || hit(load(text.data() + text.size() - kWord));
  }
  for (std::size_t i = 0; i + kWord < text.size(); i += kWord) {
    if (hit(load(text.data() + i))) return true;
  }
  return hit(load(text.data() + text.size() - kWord));
}

}  // namespace pulsarcpp::http::swar
