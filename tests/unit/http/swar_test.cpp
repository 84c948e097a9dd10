#include "http/swar.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <random>
#include <string>

namespace pulsarcpp::http::swar {
namespace {

std::uint64_t word_of(const std::array<unsigned char, 8>& bytes) {
  std::uint64_t word;
  std::memcpy(&word, bytes.data(), sizeof word);
  return word;
}

// The byte-by-byte answers the word tests must give about "is there any such byte".
struct Expected {
  bool below_space = false;
  bool quote = false;
  bool high = false;
};

Expected expected_for(const std::array<unsigned char, 8>& bytes) {
  Expected e;
  for (unsigned char b : bytes) {
    e.below_space = e.below_space || b < 0x20;
    e.quote = e.quote || b == '"';
    e.high = e.high || b >= 0x80;
  }
  return e;
}

void expect_exact(const std::array<unsigned char, 8>& bytes) {
  const std::uint64_t word = word_of(bytes);
  const Expected e = expected_for(bytes);
  EXPECT_EQ(bytes_below(word, 0x20) != 0, e.below_space);
  EXPECT_EQ(bytes_equal(word, '"') != 0, e.quote);
  EXPECT_EQ(high_bytes(word) != 0, e.high);
}

TEST(Swar, EveryByteInEveryPosition) {
  for (int position = 0; position < 8; ++position) {
    for (int value = 0; value < 256; ++value) {
      std::array<unsigned char, 8> bytes;
      bytes.fill('a');
      bytes[static_cast<std::size_t>(position)] = static_cast<unsigned char>(value);
      expect_exact(bytes);
    }
  }
}

// Borrows between bytes must never invent a match where there is none.
TEST(Swar, RandomWordsAgreeWithByteByByteTests) {
  std::mt19937_64 random(11);
  for (int i = 0; i < 100'000; ++i) {
    std::array<unsigned char, 8> bytes;
    for (auto& b : bytes) b = static_cast<unsigned char>(random());
    expect_exact(bytes);
  }
}

// Every byte of a short text must reach the word, whatever its length, and the filler must
// stand in for the rest.
TEST(Swar, LoadShortHoldsEveryByte) {
  const char text[] = "abcdefgh";
  for (std::size_t n = 0; n <= 8; ++n) {
    for (std::size_t special = 0; special < n; ++special) {
      char copy[8];
      std::memcpy(copy, text, sizeof copy);
      copy[special] = '"';
      EXPECT_NE(bytes_equal(load_short(copy, n, 'z'), '"'), 0u) << n << " " << special;
    }
    EXPECT_EQ(bytes_equal(load_short(text, n, 'z'), '"'), 0u) << n;
  }
  EXPECT_EQ(load_short(nullptr, 0, 'z'), kOnes * 'z');
}

// A difference in any one byte, at any length up to past the word-compared sizes, is seen.
TEST(Swar, SameBytesSeesADifferenceAnywhere) {
  const std::string text = "0123456789abcdefghij";
  for (std::size_t n = 0; n <= text.size(); ++n) {
    std::string copy = text;
    EXPECT_TRUE(same_bytes(text.data(), copy.data(), n)) << n;
    for (std::size_t at = 0; at < n; ++at) {
      copy = text;
      copy[at] = '!';
      EXPECT_FALSE(same_bytes(text.data(), copy.data(), n)) << n << " " << at;
    }
  }
}

// The first mark is the first matching byte in memory order, whatever matches follow it.
TEST(Swar, FirstMarkedIsTheFirstMatchInMemoryOrder) {
  for (std::size_t first = 0; first < 8; ++first) {
    for (std::size_t second = first; second < 8; ++second) {
      char bytes[8];
      std::memset(bytes, 'x', sizeof bytes);
      bytes[first] = '\x01';
      bytes[second] = '\x00';
      const std::uint64_t marks = bytes_below(load_in_order(bytes), 0x20);
      ASSERT_NE(marks, 0u);
      EXPECT_EQ(first_marked(marks), first) << first << " " << second;
    }
  }
}

TEST(Swar, LoadReadsUnalignedBytes) {
  const char text[] = "xabcdefgh";
  std::uint64_t expected;
  std::memcpy(&expected, text + 1, sizeof expected);
  EXPECT_EQ(load(text + 1), expected);
}

// Every byte of a text of any length is in some word any_word looks at, and nothing else is.
TEST(Swar, AnyWordSeesEveryByteOfEveryLength) {
  const auto has_quote = [](std::uint64_t word) { return bytes_equal(word, '"') != 0; };
  for (std::size_t n = 0; n <= 40; ++n) {
    std::string text(n, 'x');
    EXPECT_FALSE(any_word(text, 'x', has_quote)) << n;
    for (std::size_t at = 0; at < n; ++at) {
      std::string marked = text;
      marked[at] = '"';
      EXPECT_TRUE(any_word(marked, 'x', has_quote)) << n << " " << at;
    }
  }
}

}  // namespace
}  // namespace pulsarcpp::http::swar
