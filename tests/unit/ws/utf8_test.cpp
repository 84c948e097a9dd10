#include "ws/utf8.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "support/utf8_reference.hpp"

namespace pulsarcpp::ws {
namespace {

using test::reference_valid_utf8;

std::string encode(std::uint32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3F));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
  return out;
}

// Feeds `s` in the given pieces; returns {feed never failed, complete at the end}.
bool validate_split(const std::string& s, std::size_t cut) {
  Utf8Validator v;
  const bool a = v.feed(s.data(), cut);
  const bool b = v.feed(s.data() + cut, s.size() - cut);
  return a && b && v.complete();
}

bool validate_bytewise(const std::string& s) {
  Utf8Validator v;
  for (char c : s) {
    if (!v.feed(&c, 1)) return false;
  }
  return v.complete();
}

struct Case {
  bool valid;
  std::string bytes;
};

// Markus Kuhn's UTF-8 decoder capability and stress test, as the Autobahn 6.x cases use it.
std::vector<Case> kuhn_cases() {
  std::vector<Case> cases = {
      // 1 Some correct UTF-8 text
      {true, "hello\x24world"},
      {true, "hello\xC2\xA2world"},
      {true, "hello\xE2\x82\xACworld"},
      {true, "hello\xF0\xA4\xAD\xA2world"},
      {true, "\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5"},
      // 2.1 First possible sequence of a certain length
      {true, std::string(1, '\0')},
      {true, "\xC2\x80"},
      {true, "\xE0\xA0\x80"},
      {true, "\xF0\x90\x80\x80"},
      {false, "\xF8\x88\x80\x80\x80"},
      {false, "\xFC\x84\x80\x80\x80\x80"},
      // 2.2 Last possible sequence of a certain length
      {true, "\x7F"},
      {true, "\xDF\xBF"},
      {true, "\xEF\xBF\xBF"},
      {true, "\xF4\x8F\xBF\xBF"},
      {false, "\xF7\xBF\xBF\xBF"},
      {false, "\xFB\xBF\xBF\xBF\xBF"},
      {false, "\xFD\xBF\xBF\xBF\xBF\xBF"},
      // 2.3 Other boundary conditions
      {true, "\xED\x9F\xBF"},
      {true, "\xEE\x80\x80"},
      {true, "\xEF\xBF\xBD"},
      {false, "\xF4\x90\x80\x80"},
      // 3.1 Unexpected continuation bytes
      {false, "\x80"},
      {false, "\xBF"},
      {false, "\x80\xBF"},
      {false, "\x80\xBF\x80"},
      {false, "\x80\xBF\x80\xBF"},
      {false, "\x80\xBF\x80\xBF\x80"},
      {false, "\x80\xBF\x80\xBF\x80\xBF"},
      // 3.3 Sequences with last continuation byte missing
      {false, "\xC0"},
      {false, "\xE0\x80"},
      {false, "\xF0\x80\x80"},
      {false, "\xF8\x80\x80\x80"},
      {false, "\xFC\x80\x80\x80\x80"},
      {false, "\xDF"},
      {false, "\xEF\xBF"},
      {false, "\xF7\xBF\xBF"},
      {false, "\xFB\xBF\xBF\xBF"},
      {false, "\xFD\xBF\xBF\xBF\xBF"},
      // 3.5 Impossible bytes
      {false, "\xFE"},
      {false, "\xFF"},
      {false, "\xFE\xFE\xFF\xFF"},
      // 4.1 Overlong ASCII
      {false, "\xC0\xAF"},
      {false, "\xE0\x80\xAF"},
      {false, "\xF0\x80\x80\xAF"},
      {false, "\xF8\x80\x80\x80\xAF"},
      {false, "\xFC\x80\x80\x80\x80\xAF"},
      // 4.2 Maximum overlong sequences
      {false, "\xC1\xBF"},
      {false, "\xE0\x9F\xBF"},
      {false, "\xF0\x8F\xBF\xBF"},
      {false, "\xF8\x87\xBF\xBF\xBF"},
      {false, "\xFC\x83\xBF\xBF\xBF\xBF"},
      // 4.3 Overlong NUL
      {false, "\xC0\x80"},
      {false, "\xE0\x80\x80"},
      {false, "\xF0\x80\x80\x80"},
      {false, "\xF8\x80\x80\x80\x80"},
      {false, "\xFC\x80\x80\x80\x80\x80"},
      // 5.1 Single UTF-16 surrogates
      {false, "\xED\xA0\x80"},
      {false, "\xED\xAD\xBF"},
      {false, "\xED\xAE\x80"},
      {false, "\xED\xAF\xBF"},
      {false, "\xED\xB0\x80"},
      {false, "\xED\xBE\x80"},
      {false, "\xED\xBF\xBF"},
      // 5.2 Paired UTF-16 surrogates
      {false, "\xED\xA0\x80\xED\xB0\x80"},
      {false, "\xED\xA0\x80\xED\xBF\xBF"},
      {false, "\xED\xAD\xBF\xED\xB0\x80"},
      {false, "\xED\xAD\xBF\xED\xBF\xBF"},
      {false, "\xED\xAE\x80\xED\xB0\x80"},
      {false, "\xED\xAE\x80\xED\xBF\xBF"},
      {false, "\xED\xAF\xBF\xED\xB0\x80"},
      {false, "\xED\xAF\xBF\xED\xBF\xBF"},
      // 5.3 Non-characters are valid UTF-8
      {true, "\xEF\xBF\xBE"},
      {true, "\xEF\xBF\xBF"},
      {true, "\xF4\x8F\xBF\xBE"},
      // Unicode specials
      {true, "\xEF\xBF\xB9"},
      {true, "\xEF\xBF\xBA"},
      {true, "\xEF\xBF\xBB"},
      {true, "\xEF\xBF\xBC"},
  };
  // 1 All prefixes of a valid multi-byte string: valid exactly at code point boundaries.
  const std::string kosme = "\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5";
  for (std::size_t n : {1, 3, 4, 6, 8, 10}) cases.push_back({false, kosme.substr(0, n)});
  for (std::size_t n : {2, 5, 7, 9, 11}) cases.push_back({true, kosme.substr(0, n)});
  // 3.1 all continuation bytes
  std::string continuations;
  for (int b = 0x80; b <= 0xBF; ++b) continuations += char(b);
  cases.push_back({false, continuations});
  // 3.2 Lonely start characters, each followed by a space
  for (auto [lo, hi] :
       {std::pair{0xC0, 0xDF}, {0xE0, 0xEF}, {0xF0, 0xF7}, {0xF8, 0xFB}, {0xFC, 0xFD}}) {
    std::string s;
    for (int b = lo; b <= hi; ++b) {
      s += char(b);
      s += ' ';
    }
    cases.push_back({false, s});
  }
  // 3.4 Concatenation of incomplete sequences
  cases.push_back({false,
                   "\xC0\xE0\x80\xF0\x80\x80\xF8\x80\x80\x80\xFC\x80\x80\x80\x80\xDF\xEF\xBF\xF7"
                   "\xBF\xBF\xFB\xBF\xBF\xBF\xFD\xBF\xBF\xBF\xBF"});
  // 5.3 Non-characters in every plane: F[0-4] [89AB]F BF [BE-BF]
  for (unsigned char z1 : {0xF0, 0xF1, 0xF2, 0xF3, 0xF4}) {
    for (unsigned char z2 : {0x8F, 0x9F, 0xAF, 0xBF}) {
      for (unsigned char z3 : {0xBE, 0xBF}) {
        const std::string s{char(z1), char(z2), '\xBF', char(z3)};
        const bool overlong = z1 == 0xF0 && z2 == 0x8F;
        const bool too_big = z1 == 0xF4 && z2 != 0x8F;
        cases.push_back({!overlong && !too_big, s});
      }
    }
  }
  return cases;
}

TEST(Utf8, KuhnCasesWholeBuffer) {
  for (const Case& c : kuhn_cases()) {
    EXPECT_EQ(is_valid_utf8(c.bytes), c.valid) << testing::PrintToString(c.bytes);
    EXPECT_EQ(reference_valid_utf8(c.bytes), c.valid) << "oracle " << testing::PrintToString(c.bytes);
  }
}

TEST(Utf8, KuhnCasesSplitAtEveryByte) {
  for (const Case& c : kuhn_cases()) {
    for (std::size_t cut = 0; cut <= c.bytes.size(); ++cut) {
      EXPECT_EQ(validate_split(c.bytes, cut), c.valid)
          << testing::PrintToString(c.bytes) << " cut at " << cut;
    }
    EXPECT_EQ(validate_bytewise(c.bytes), c.valid) << testing::PrintToString(c.bytes);
  }
}

TEST(Utf8, EveryCodePointIsValidAndSurrogatesAreNot) {
  for (std::uint32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
    ASSERT_EQ(is_valid_utf8(encode(cp)), !surrogate) << std::hex << cp;
  }
}

TEST(Utf8, AllOneTwoAndThreeByteSequencesMatchTheOracle) {
  std::string s;
  for (int a = 0; a < 256; ++a) {
    s.assign(1, char(a));
    ASSERT_EQ(is_valid_utf8(s), reference_valid_utf8(s)) << a;
    for (int b = 0; b < 256; ++b) {
      s.assign({char(a), char(b)});
      ASSERT_EQ(is_valid_utf8(s), reference_valid_utf8(s)) << a << " " << b;
      if (a < 0xE0 || a > 0xF4) continue;  // only 3- and 4-byte leads need a third byte
      for (int c = 0; c < 256; ++c) {
        s.assign({char(a), char(b), char(c)});
        ASSERT_EQ(is_valid_utf8(s), reference_valid_utf8(s)) << a << " " << b << " " << c;
      }
    }
  }
}

TEST(Utf8, FourByteBoundariesMatchTheOracle) {
  const int interesting[] = {0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2,
                             0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF};
  std::string s(4, '\0');
  for (int a : interesting) {
    for (int b : interesting) {
      for (int c : interesting) {
        for (int d : interesting) {
          s = {char(a), char(b), char(c), char(d)};
          ASSERT_EQ(is_valid_utf8(s), reference_valid_utf8(s)) << a << " " << b << " " << c << " " << d;
        }
      }
    }
  }
}

TEST(Utf8, FailsFastAtTheFirstImpossibleByte) {
  // Autobahn's incremental cases: an invalid sequence is reported on the byte that makes it
  // impossible, even when the rest of the sequence has not arrived.
  Utf8Validator v;
  EXPECT_TRUE(v.feed(std::string_view("\x65\x64\x69\x74\x65\x64")));
  EXPECT_TRUE(v.complete());
  EXPECT_FALSE(v.feed(std::string_view("\xED\xA0\x80")));

  v.reset();
  EXPECT_TRUE(v.feed(std::string_view("\x65\x64\x69\x74\x65\x64\xED")));
  EXPECT_FALSE(v.complete());
  EXPECT_FALSE(v.feed(std::string_view("\xA0")));

  v.reset();
  EXPECT_FALSE(v.feed(std::string_view("\xF5")));

  v.reset();
  EXPECT_TRUE(v.feed(std::string_view("\xF4")));
  EXPECT_FALSE(v.feed(std::string_view("\x90")));  // above U+10FFFF already
}

TEST(Utf8, FailureIsSticky) {
  Utf8Validator v;
  EXPECT_FALSE(v.feed(std::string_view("\xFF")));
  EXPECT_TRUE(v.failed());
  EXPECT_FALSE(v.feed(std::string_view("abc")));
  EXPECT_FALSE(v.complete());
  v.reset();
  EXPECT_TRUE(v.feed(std::string_view("abc")));
  EXPECT_TRUE(v.complete());
}

TEST(Utf8, AsciiFastPathSeesAnInvalidByteAtEveryPosition) {
  for (std::size_t len = 1; len <= 64; ++len) {
    for (std::size_t pos = 0; pos < len; ++pos) {
      std::string s(len, 'a');
      s[pos] = '\x80';
      ASSERT_FALSE(is_valid_utf8(s)) << len << " " << pos;
      s[pos] = '\xC3';  // a lead byte whose sequence is cut by ASCII or the end
      ASSERT_FALSE(is_valid_utf8(s)) << len << " " << pos;
    }
    EXPECT_TRUE(is_valid_utf8(std::string(len, 'z')));
  }
}

TEST(Utf8, MultiByteAfterLongAsciiRun) {
  std::string s(37, 'x');
  s += "\xE2\x82\xAC";
  s += std::string(19, 'y');
  s += "\xF0\x9F\x98\x80";
  EXPECT_TRUE(is_valid_utf8(s));
  for (std::size_t cut = 0; cut <= s.size(); ++cut) EXPECT_TRUE(validate_split(s, cut)) << cut;
}

TEST(Utf8, EmptyInputIsValid) {
  Utf8Validator v;
  EXPECT_TRUE(v.feed(nullptr, 0));
  EXPECT_TRUE(v.complete());
  EXPECT_TRUE(is_valid_utf8(""));
}

TEST(Utf8, PrefixLengthNeverCutsASequence) {
  const std::string euro = "\xE2\x82\xAC";  // 3 bytes
  const std::string s = std::string(121, 'a') + euro + "b";
  EXPECT_EQ(utf8_prefix_length(s, 123), 121u);
  EXPECT_EQ(utf8_prefix_length(s, 124), 124u);
  EXPECT_EQ(utf8_prefix_length(s, 122), 121u);
  EXPECT_EQ(utf8_prefix_length(s, 1000), s.size());
  EXPECT_EQ(utf8_prefix_length("\xF0\x9F\x98\x80", 3), 0u);
  EXPECT_EQ(utf8_prefix_length("abc", 0), 0u);
  for (std::size_t max = 0; max <= s.size(); ++max) {
    EXPECT_TRUE(is_valid_utf8(s.substr(0, utf8_prefix_length(s, max)))) << max;
  }
}

}  // namespace
}  // namespace pulsarcpp::ws
