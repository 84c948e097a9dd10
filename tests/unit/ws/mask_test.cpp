#include "ws/mask.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace pulsarcpp::ws {
namespace {

void naive_mask(char* data, std::size_t len, const MaskKey& key, std::uint64_t offset) {
  for (std::size_t i = 0; i < len; ++i) data[i] = char(data[i] ^ key[(offset + i) % 4]);
}

std::vector<char> random_bytes(std::size_t n, std::mt19937& rng) {
  std::vector<char> v(n);
  for (char& c : v) c = char(rng());
  return v;
}

TEST(Mask, MatchesNaiveForAllAlignmentsLengthsAndOffsets) {
  std::mt19937 rng(42);
  const MaskKey key{0x37, 0xFA, 0x21, 0x3D};
  for (std::size_t align = 0; align < 16; ++align) {
    for (std::size_t len = 0; len <= 300; ++len) {
      for (std::uint64_t offset = 0; offset < 4; ++offset) {
        // Guard bytes on both sides catch writes outside [data, data + len).
        std::vector<char> buffer = random_bytes(align + len + 16, rng);
        std::vector<char> expected = buffer;
        apply_mask(buffer.data() + align, len, key, offset);
        naive_mask(expected.data() + align, len, key, offset);
        ASSERT_EQ(buffer, expected) << "align " << align << " len " << len << " offset " << offset;
      }
    }
  }
}

TEST(Mask, LargeOffsetsUseOnlyTheirPhase) {
  const MaskKey key{1, 2, 3, 4};
  std::string a(100, 'x');
  std::string b = a;
  apply_mask(a.data(), a.size(), key, (std::uint64_t{1} << 40) + 3);
  naive_mask(b.data(), b.size(), key, 3);
  EXPECT_EQ(a, b);
}

TEST(Mask, PiecewiseEqualsWhole) {
  std::mt19937 rng(7);
  const MaskKey key{0xDE, 0xAD, 0xBE, 0xEF};
  const std::vector<char> original = random_bytes(1000, rng);
  std::vector<char> whole = original;
  apply_mask(whole.data(), whole.size(), key, 0);
  for (std::size_t cut1 = 0; cut1 < 40; ++cut1) {
    for (std::size_t cut2 = cut1; cut2 < 1000; cut2 += 97) {
      std::vector<char> pieces = original;
      apply_mask(pieces.data(), cut1, key, 0);
      apply_mask(pieces.data() + cut1, cut2 - cut1, key, cut1);
      apply_mask(pieces.data() + cut2, pieces.size() - cut2, key, cut2);
      ASSERT_EQ(pieces, whole) << cut1 << " " << cut2;
    }
  }
}

TEST(Mask, IsItsOwnInverse) {
  std::mt19937 rng(9);
  const MaskKey key{0x00, 0xFF, 0x80, 0x7F};
  const std::vector<char> original = random_bytes(4099, rng);
  std::vector<char> data = original;
  apply_mask(data.data(), data.size(), key, 2);
  EXPECT_NE(data, original);
  apply_mask(data.data(), data.size(), key, 2);
  EXPECT_EQ(data, original);
}

TEST(Mask, Rfc6455Example) {
  // RFC 6455 §5.7: "Hello" masked with 37 fa 21 3d.
  std::string payload = "\x7f\x9f\x4d\x51\x58";
  apply_mask(payload.data(), payload.size(), MaskKey{0x37, 0xFA, 0x21, 0x3D}, 0);
  EXPECT_EQ(payload, "Hello");
}

TEST(Mask, ZeroLengthTouchesNothing) {
  char byte = 'q';
  apply_mask(&byte, 0, MaskKey{1, 1, 1, 1}, 0);
  EXPECT_EQ(byte, 'q');
  apply_mask(nullptr, 0, MaskKey{1, 1, 1, 1}, 5);
}

}  // namespace
}  // namespace pulsarcpp::ws
