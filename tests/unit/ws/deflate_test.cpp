#include "ws/deflate.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace pulsarcpp::ws {
namespace {

std::string bytes(std::initializer_list<int> values) {
  std::string s;
  for (int v : values) s += char(v);
  return s;
}

constexpr std::size_t kLimit = 16 * 1024 * 1024;

std::string inflate_ok(Inflater& inflater, const std::string& compressed) {
  std::string out;
  EXPECT_EQ(inflater.inflate_message(compressed, kLimit, out), InflateStatus::ok);
  return out;
}

std::string deflate_ok(Deflater& deflater, std::string_view message) {
  std::string out;
  EXPECT_TRUE(deflater.deflate_message(message, out));
  return out;
}

std::string sample_text(std::size_t size, unsigned seed) {
  static const char* const words[] = {"pulsar ",  "socket ", "frame ",   "deflate ", "window ",
                                      "message ", "chat ",   "{\"id\":", "42, ",     "\"ok\"} "};
  std::mt19937 rng(seed);
  std::string s;
  while (s.size() < size) s += words[rng() % 10];
  s.resize(size);
  return s;
}

std::string random_bytes(std::size_t size, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(size, '\0');
  for (char& c : s) c = char(rng());
  return s;
}

TEST(Deflate, Rfc7692HelloExample) {
  // RFC 7692 §7.2.3.1: "Hello" compressed in one message.
  auto deflater = Deflater::create();
  ASSERT_TRUE(deflater);
  EXPECT_EQ(deflate_ok(*deflater, "Hello"), bytes({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}));
  auto inflater = Inflater::create();
  ASSERT_TRUE(inflater);
  EXPECT_EQ(inflate_ok(*inflater, bytes({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00})), "Hello");
}

TEST(Deflate, Rfc7692SharedWindowExample) {
  // RFC 7692 §7.2.3.2: the second "Hello" refers back into the first message.
  auto inflater = Inflater::create(15, /*reset_per_message=*/false);
  ASSERT_TRUE(inflater);
  EXPECT_EQ(inflate_ok(*inflater, bytes({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00})), "Hello");
  EXPECT_EQ(inflate_ok(*inflater, bytes({0xf2, 0x00, 0x11, 0x00, 0x00})), "Hello");
}

TEST(Deflate, SharedWindowMessageFailsWithoutContextTakeover) {
  auto inflater = Inflater::create(15, /*reset_per_message=*/true);
  ASSERT_TRUE(inflater);
  EXPECT_EQ(inflate_ok(*inflater, bytes({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00})), "Hello");
  std::string out;
  EXPECT_EQ(inflater->inflate_message(bytes({0xf2, 0x00, 0x11, 0x00, 0x00}), kLimit, out),
            InflateStatus::corrupt);
}

TEST(Deflate, Rfc7692StoredBlockExample) {
  // RFC 7692 §7.2.3.3: "Hello" in a DEFLATE block with no compression.
  auto inflater = Inflater::create();
  ASSERT_TRUE(inflater);
  EXPECT_EQ(inflate_ok(*inflater,
                       bytes({0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00})),
            "Hello");
}

TEST(Deflate, Rfc7692FinalBlockExampleKeepsTheWindow) {
  // RFC 7692 §7.2.3.4: a block with BFINAL set; context takeover must survive the stream end.
  auto inflater = Inflater::create(15, /*reset_per_message=*/false);
  ASSERT_TRUE(inflater);
  EXPECT_EQ(inflate_ok(*inflater, bytes({0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00})),
            "Hello");
  EXPECT_EQ(inflate_ok(*inflater, bytes({0xf2, 0x00, 0x11, 0x00, 0x00})), "Hello");
  EXPECT_EQ(inflate_ok(*inflater, bytes({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00})), "Hello");
  // Without the RFC's extra 0x00 the message ends with the final block: accepted as well.
  EXPECT_EQ(inflate_ok(*inflater, bytes({0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00})), "Hello");
  EXPECT_EQ(inflate_ok(*inflater, bytes({0xf2, 0x00, 0x11, 0x00, 0x00})), "Hello");
}

TEST(Deflate, ManyFinalBlocksInOneMessage) {
  // Each "03 00" is an empty final block; a message of many must stay cheap and decode.
  auto inflater = Inflater::create(15, false);
  ASSERT_TRUE(inflater);
  std::string message = bytes({0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00});
  for (int i = 0; i < 100000; ++i) message += bytes({0x03, 0x00});
  message += bytes({0xf2, 0x00, 0x11, 0x00, 0x00});  // refers back to the first "Hello"
  EXPECT_EQ(inflate_ok(*inflater, message), "HelloHello");
}

TEST(Deflate, Rfc7692EmptyMessage) {
  // RFC 7692 §7.2.3.6: an empty message compresses to a single 0x00.
  auto deflater = Deflater::create();
  ASSERT_TRUE(deflater);
  EXPECT_EQ(deflate_ok(*deflater, ""), bytes({0x00}));
  auto inflater = Inflater::create();
  ASSERT_TRUE(inflater);
  EXPECT_EQ(inflate_ok(*inflater, bytes({0x00})), "");
  EXPECT_EQ(inflate_ok(*inflater, ""), "");  // tolerated: nothing to decode
}

TEST(Deflate, EmptyMessagesWithContextTakeover) {
  // zlib writes nothing for a flush right after a flush: the Deflater must still produce 0x00.
  auto deflater = Deflater::create(15, false);
  auto inflater = Inflater::create(15, false);
  ASSERT_TRUE(deflater && inflater);
  for (std::string_view message : {"", "", "abc", "", "abc"}) {
    const std::string compressed = deflate_ok(*deflater, message);
    EXPECT_FALSE(compressed.empty());
    EXPECT_EQ(inflate_ok(*inflater, compressed), message);
  }
}

TEST(Deflate, DeflateAppendsToExistingOutput) {
  auto deflater = Deflater::create();
  ASSERT_TRUE(deflater);
  std::string out = "header";
  ASSERT_TRUE(deflater->deflate_message("Hello", out));
  EXPECT_EQ(out, "header" + bytes({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}));
}

TEST(Deflate, RoundTripWithoutContextTakeover) {
  auto deflater = Deflater::create(15, true);
  auto inflater = Inflater::create(15, true);
  ASSERT_TRUE(deflater && inflater);
  for (std::size_t size : {0, 1, 2, 100, 4095, 4096, 4097, 65536, 1 << 20}) {
    const std::string text = sample_text(size, unsigned(size));
    const std::string binary = random_bytes(size, unsigned(size));
    EXPECT_EQ(inflate_ok(*inflater, deflate_ok(*deflater, text)), text) << size;
    EXPECT_EQ(inflate_ok(*inflater, deflate_ok(*deflater, binary)), binary) << size;
  }
  // Each message decodes alone, in any order, with a fresh inflater.
  const std::string first = deflate_ok(*deflater, "repeat repeat repeat");
  const std::string second = deflate_ok(*deflater, "repeat repeat repeat");
  EXPECT_EQ(first, second);
  auto fresh = Inflater::create();
  ASSERT_TRUE(fresh);
  EXPECT_EQ(inflate_ok(*fresh, second), "repeat repeat repeat");
}

TEST(Deflate, RoundTripWithContextTakeover) {
  auto deflater = Deflater::create(15, false);
  auto inflater = Inflater::create(15, false);
  ASSERT_TRUE(deflater && inflater);
  std::size_t first_size = 0;
  for (int i = 0; i < 20; ++i) {
    const std::string message = sample_text(3000, 7);  // the same message every time
    const std::string compressed = deflate_ok(*deflater, message);
    if (i == 0) first_size = compressed.size();
    if (i > 0) {
      EXPECT_LT(compressed.size(), first_size / 4) << "window reused at " << i;
    }
    EXPECT_EQ(inflate_ok(*inflater, compressed), message) << i;
  }
}

TEST(Deflate, RoundTripForEveryWindowSize) {
  for (int bits = 9; bits <= 15; ++bits) {
    for (bool reset : {true, false}) {
      auto deflater = Deflater::create(bits, reset);
      auto inflater = Inflater::create(bits, reset);
      ASSERT_TRUE(deflater && inflater) << bits;
      for (unsigned seed = 0; seed < 5; ++seed) {
        const std::string message = sample_text(20000, seed);
        EXPECT_EQ(inflate_ok(*inflater, deflate_ok(*deflater, message)), message) << bits;
      }
    }
  }
}

TEST(Deflate, LevelsAndMemLevels) {
  auto inflater = Inflater::create();
  ASSERT_TRUE(inflater);
  const std::string message = sample_text(50000, 3);
  for (int level = 0; level <= 9; ++level) {
    auto deflater = Deflater::create(15, true, level, 1 + level % 9);
    ASSERT_TRUE(deflater) << level;
    EXPECT_EQ(inflate_ok(*inflater, deflate_ok(*deflater, message)), message) << level;
  }
}

TEST(Deflate, InvalidArgumentsAreRefused) {
  EXPECT_FALSE(Inflater::create(7));
  EXPECT_FALSE(Inflater::create(16));
  EXPECT_TRUE(Inflater::create(8));
  EXPECT_FALSE(Deflater::create(8));  // zlib's raw DEFLATE has no 256-byte window
  EXPECT_FALSE(Deflater::create(16));
  EXPECT_FALSE(Deflater::create(15, true, 10));
  EXPECT_FALSE(Deflater::create(15, true, -1));
  EXPECT_FALSE(Deflater::create(15, true, 6, 0));
  EXPECT_FALSE(Deflater::create(15, true, 6, 10));
}

TEST(Deflate, InflaterIsMovable) {
  auto inflater = Inflater::create();
  ASSERT_TRUE(inflater);
  Inflater moved = std::move(*inflater);
  EXPECT_EQ(inflate_ok(moved, bytes({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00})), "Hello");
}

TEST(Deflate, ExactlyTheLimitIsAllowedOneMoreIsNot) {
  auto deflater = Deflater::create();
  auto inflater = Inflater::create();
  ASSERT_TRUE(deflater && inflater);
  const std::string message = sample_text(100000, 1);
  const std::string compressed = deflate_ok(*deflater, message);
  std::string out;
  EXPECT_EQ(inflater->inflate_message(compressed, message.size(), out), InflateStatus::ok);
  EXPECT_EQ(out, message);
  EXPECT_EQ(inflater->inflate_message(compressed, message.size() - 1, out),
            InflateStatus::too_large);
  EXPECT_LE(out.size(), message.size() - 1);
  // The inflater was reset and still works.
  EXPECT_EQ(inflater->inflate_message(compressed, message.size(), out), InflateStatus::ok);
  EXPECT_EQ(out, message);
}

TEST(Deflate, BombStopsAtTheLimitWithoutAllocatingPastIt) {
  // 100 MB of zeros compress to about 100 KB.
  auto deflater = Deflater::create(15, true, 9);
  ASSERT_TRUE(deflater);
  std::string compressed;
  {
    const std::string zeros(100 * 1000 * 1000, '\0');
    ASSERT_TRUE(deflater->deflate_message(zeros, compressed));
  }
  EXPECT_LT(compressed.size(), 200u * 1000u);
  auto inflater = Inflater::create();
  ASSERT_TRUE(inflater);
  std::string out;
  EXPECT_EQ(inflater->inflate_message(compressed, kLimit, out), InflateStatus::too_large);
  EXPECT_LE(out.size(), kLimit);
  EXPECT_LE(out.capacity(), kLimit);
  std::string small;
  EXPECT_EQ(inflater->inflate_message(compressed, 1000, small), InflateStatus::too_large);
  EXPECT_LE(small.capacity(), 4096u);
}

TEST(Deflate, CorruptDataIsReportedAndTheStreamRecovers) {
  auto inflater = Inflater::create(15, false);
  ASSERT_TRUE(inflater);
  std::string out;
  // BTYPE 11 is reserved.
  EXPECT_EQ(inflater->inflate_message(bytes({0xff, 0xff, 0xff}), kLimit, out),
            InflateStatus::corrupt);
  EXPECT_EQ(inflate_ok(*inflater, bytes({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00})), "Hello");
}

TEST(Deflate, TruncatedMessageIsCorrupt) {
  auto inflater = Inflater::create();
  ASSERT_TRUE(inflater);
  std::string out;
  EXPECT_EQ(inflater->inflate_message(bytes({0xf2, 0x48, 0xcd}), kLimit, out),
            InflateStatus::corrupt);
}

TEST(Deflate, GarbageAfterAFinalBlockIsCorrupt) {
  auto inflater = Inflater::create();
  ASSERT_TRUE(inflater);
  std::string out;
  // 0xff after the final block starts a block of the reserved type 11.
  EXPECT_EQ(inflater->inflate_message(bytes({0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0xff}),
                                      kLimit, out),
            InflateStatus::corrupt);
}

TEST(Deflate, RandomInputNeverExceedsTheLimit) {
  auto inflater = Inflater::create(15, false);
  ASSERT_TRUE(inflater);
  std::string out;
  int decoded = 0;
  for (unsigned seed = 0; seed < 2000; ++seed) {
    const std::string junk = random_bytes(1 + seed % 300, seed);
    const InflateStatus status = inflater->inflate_message(junk, 1000, out);
    EXPECT_LE(out.size(), 1000u);
    EXPECT_LE(out.capacity(), 4096u);  // the first growth step is already capped at the limit
    if (status == InflateStatus::ok) ++decoded;
  }
  EXPECT_LT(decoded, 2000);  // random bytes are mostly not DEFLATE
}

}  // namespace
}  // namespace pulsarcpp::ws
