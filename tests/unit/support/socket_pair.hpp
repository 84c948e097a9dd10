#pragma once
// A connected pair of non-blocking sockets for tests that write, and a byte stream whose every
// byte depends on its position, so lost, repeated or reordered bytes show.

#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <string>

namespace pulsarcpp::test {

// A connected pair of non-blocking stream sockets with small buffers, so writes block soon.
struct SocketPair {
  SocketPair() {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
    writer = fds[0];
    reader = fds[1];
    const int size = 16 * 1024;
    ::setsockopt(writer, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    ::setsockopt(reader, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  }
  ~SocketPair() {
    ::close(writer);
    ::close(reader);
  }
  // Reads at most `limit` bytes that are ready.
  std::string read_up_to(std::size_t limit) const {
    std::string got;
    char chunk[4096];
    while (got.size() < limit) {
      const ssize_t n = ::recv(reader, chunk, std::min(sizeof chunk, limit - got.size()), 0);
      if (n <= 0) break;
      got.append(chunk, static_cast<std::size_t>(n));
    }
    return got;
  }
  int writer = -1;
  int reader = -1;
};

// Byte i of the stream, so lost, repeated or reordered bytes show.
inline char stream_byte(std::size_t i) {
  return static_cast<char>('a' + (i * 7 + i / 251) % 26);
}

inline std::string stream_piece(std::size_t from, std::size_t size) {
  std::string piece(size, '\0');
  for (std::size_t i = 0; i < size; ++i) piece[i] = stream_byte(from + i);
  return piece;
}

}  // namespace pulsarcpp::test
