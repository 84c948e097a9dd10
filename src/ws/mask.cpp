#include "ws/mask.hpp"

#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace pulsarcpp::ws {
namespace {

// The key rotated so that pattern[i] applies to data[i]; 16 bytes cover one SSE2 register and
// two 64-bit words, and since 4 divides both widths the pattern repeats unchanged per block.
struct Pattern {
  alignas(16) std::uint8_t bytes[16];
};

Pattern make_pattern(const MaskKey& key, std::uint64_t offset) noexcept {
  Pattern p;
  for (unsigned i = 0; i < 16; ++i) p.bytes[i] = key[(offset + i) & 3];
  return p;
}

std::size_t mask_blocks(char* data, std::size_t len, const Pattern& pattern) noexcept {
  std::size_t i = 0;
#if defined(__SSE2__)
  const __m128i wide = _mm_load_si128(reinterpret_cast<const __m128i*>(pattern.bytes));
  for (; i + 32 <= len; i += 32) {
    auto* a = reinterpret_cast<__m128i*>(data + i);
    auto* b = reinterpret_cast<__m128i*>(data + i + 16);
    _mm_storeu_si128(a, _mm_xor_si128(_mm_loadu_si128(a), wide));
    _mm_storeu_si128(b, _mm_xor_si128(_mm_loadu_si128(b), wide));
  }
#endif
  std::uint64_t word_pattern;
  std::memcpy(&word_pattern, pattern.bytes, sizeof word_pattern);
  for (; i + 8 <= len; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, data + i, sizeof word);
    word ^= word_pattern;
    std::memcpy(data + i, &word, sizeof word);
  }
  return i;
}

}  // namespace

void apply_mask(char* data, std::size_t len, const MaskKey& key, std::uint64_t offset) noexcept {
  if (len == 0) return;
  const Pattern pattern = make_pattern(key, offset);
  std::size_t i = len >= 8 ? mask_blocks(data, len, pattern) : 0;
  // Blocks are multiples of 4 bytes long, so the tail keeps the same phase as the pattern.
  for (; i < len; ++i) data[i] = static_cast<char>(data[i] ^ pattern.bytes[i & 3]);
}

}  // namespace pulsarcpp::ws
