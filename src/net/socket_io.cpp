#include "net/socket_io.hpp"

#include <sys/socket.h>

#include <cerrno>

namespace pulsarcpp::net {
namespace {
// An output buffer larger than this is given back once drained, so an idle connection that
// once sent a large body does not keep the memory.
constexpr std::size_t kKeptOutputCapacity = 64 * 1024;

// A blocked buffer drops its sent front once that is this large and at least half the buffer,
// so each byte is moved at most once on average.
constexpr std::size_t kCompactAfter = 64 * 1024;

// A client that reads a little slower than it is written to never lets the buffer empty
// completely; without this its sent front would grow for as long as the connection lives.
void drop_sent_front(std::string& output, std::size_t& sent) noexcept {
  if (sent < kCompactAfter || sent < output.size() / 2) return;
  output.erase(0, sent);
  sent = 0;
}
}  // namespace

SendStatus send_pending(int fd, std::string& output, std::size_t& sent, int flags) noexcept {
  while (sent < output.size()) {
    ssize_t n = ::send(fd, output.data() + sent, output.size() - sent, MSG_NOSIGNAL | flags);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      drop_sent_front(output, sent);
      return SendStatus::blocked;
    }
    return SendStatus::failed;
  }
  sent = 0;
  if (output.capacity() > kKeptOutputCapacity) {
    std::string().swap(output);
  } else {
    output.clear();
  }
  return SendStatus::done;
}

bool discard_readable(int fd) noexcept {
  char sink[4096];
  for (;;) {
    ssize_t n = ::recv(fd, sink, sizeof sink, 0);
    if (n > 0) continue;
    if (n < 0 && errno == EINTR) continue;
    return !(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
  }
}

}  // namespace pulsarcpp::net
