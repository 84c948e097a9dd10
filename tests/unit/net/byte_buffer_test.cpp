#include "net/byte_buffer.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace pulsarcpp::net {
namespace {

void append(ByteBuffer& buffer, std::string_view bytes) {
  std::memcpy(buffer.prepare(bytes.size()), bytes.data(), bytes.size());
  buffer.commit(bytes.size());
}

TEST(ByteBufferTest, StartsEmptyWithoutMemory) {
  ByteBuffer buffer;
  EXPECT_TRUE(buffer.empty());
  EXPECT_EQ(buffer.capacity(), 0u);
}

TEST(ByteBufferTest, ASmallRequestTakesASmallBuffer) {
  ByteBuffer buffer;
  append(buffer, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(buffer.view(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_LE(buffer.capacity(), 256u);
}

TEST(ByteBufferTest, GrowsByDoublingToFitWhatIsAsked) {
  ByteBuffer buffer;
  append(buffer, std::string(300, 'a'));
  EXPECT_EQ(buffer.capacity(), 512u);
  append(buffer, std::string(5000, 'b'));
  EXPECT_GE(buffer.capacity(), 5300u);
  EXPECT_EQ(buffer.size(), 5300u);
  EXPECT_EQ(buffer.view().substr(298, 4), "aabb");
}

TEST(ByteBufferTest, ConsumeFromTheFrontThenCompactBeforeGrowing) {
  ByteBuffer buffer;
  append(buffer, std::string(200, 'a') + "tail");
  buffer.consume(200);
  EXPECT_EQ(buffer.view(), "tail");
  const std::size_t capacity = buffer.capacity();
  // Room appears by moving "tail" to the front, not by allocating.
  append(buffer, std::string(capacity - 10, 'c'));
  EXPECT_EQ(buffer.capacity(), capacity);
  EXPECT_EQ(buffer.view().substr(0, 5), "tailc");
}

TEST(ByteBufferTest, ConsumingEverythingRewindsAndReleaseFreesTheMemory) {
  ByteBuffer buffer;
  append(buffer, "abc");
  buffer.consume(3);
  EXPECT_TRUE(buffer.empty());
  EXPECT_EQ(buffer.writable(), buffer.capacity());
  buffer.release();
  EXPECT_EQ(buffer.capacity(), 0u);
  append(buffer, "again");
  EXPECT_EQ(buffer.view(), "again");
}

}  // namespace
}  // namespace pulsarcpp::net
