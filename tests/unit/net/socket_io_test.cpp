#include "net/socket_io.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <string>

#include "support/socket_pair.hpp"

namespace pulsarcpp::net {
namespace {

using test::SocketPair;
using test::stream_piece;

TEST(SendPending, EverythingSentEmptiesTheBuffer) {
  SocketPair pair;
  std::string output = "hello";
  std::size_t sent = 0;
  EXPECT_EQ(send_pending(pair.writer, output, sent), SendStatus::done);
  EXPECT_EQ(sent, 0u);
  EXPECT_TRUE(output.empty());
  EXPECT_EQ(pair.read_up_to(100), "hello");
}

TEST(SendPending, BlockedKeepsTheUnsentPart) {
  SocketPair pair;
  std::string output = stream_piece(0, 1 << 20);
  std::size_t sent = 0;
  ASSERT_EQ(send_pending(pair.writer, output, sent), SendStatus::blocked);
  ASSERT_LT(sent, output.size());
  const std::size_t unsent = output.size() - sent;
  EXPECT_TRUE(output.substr(sent) == stream_piece((1u << 20) - unsent, unsent));
}

// A reader slower than the writer never lets the buffer empty. The writer queues only while
// the unsent part is under a limit (as a WebSocket's backpressure_limit does), so the unsent
// part stays bounded; the sent front must be dropped too, or the buffer would grow for the life
// of the connection.
TEST(SendPending, ABufferThatNeverEmptiesStaysBoundedAndLosesNothing) {
  SocketPair pair;
  constexpr std::size_t kPiece = 16 * 1024;
  constexpr std::size_t kUnsentLimit = 256 * 1024;
  constexpr std::size_t kTotal = 16 * 1024 * 1024;
  std::string output;
  std::size_t sent = 0;
  std::size_t written = 0;
  std::string received;
  std::size_t largest = 0;
  while (written < kTotal) {
    for (int i = 0; i < 4 && output.size() - sent <= kUnsentLimit; ++i) {
      output += stream_piece(written, kPiece);
      written += kPiece;
    }
    ASSERT_NE(send_pending(pair.writer, output, sent), SendStatus::failed);
    largest = std::max(largest, output.size());
    received += pair.read_up_to(3 * kPiece);  // less than was queued
  }
  // Without dropping the sent front the buffer would hold most of the 16 MiB.
  EXPECT_LT(largest, 2 * kUnsentLimit + 8 * kPiece);
  while (send_pending(pair.writer, output, sent) == SendStatus::blocked) {
    received += pair.read_up_to(1 << 20);
  }
  received += pair.read_up_to(written);
  ASSERT_EQ(received.size(), written);
  EXPECT_TRUE(received == stream_piece(0, written));
}

}  // namespace
}  // namespace pulsarcpp::net
