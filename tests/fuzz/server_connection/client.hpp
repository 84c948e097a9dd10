// The connection fuzzer's client side: many short loopback connections that write an input,
// end their side and read the answer to its end.
#pragma once

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "check.hpp"

namespace connection_fuzz {

// Each connection from the next of 250 loopback addresses: the client ends its side first, so
// its end of every connection waits out TIME_WAIT, and from one address the ephemeral ports
// could run out at this rate (with what other tests left behind). Different addresses also
// spread the connections over the server's loops (SO_REUSEPORT hashes the addresses).
inline void bind_next_source(int fd) {
  static unsigned next = 0;
  const int one = 1;
  ::setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);  // port at connect
  sockaddr_in source{};
  source.sin_family = AF_INET;
  source.sin_addr.s_addr = htonl(INADDR_LOOPBACK + 1 + next++ % 250);  // 127.0.0.2 onwards
  ::bind(fd, reinterpret_cast<sockaddr*>(&source), sizeof source);     // else from 127.0.0.1
}

// Waits for `events` on `fd`, through signals; 0 after kQuietLimitMs without them.
inline short wait_for(int fd, short events) {
  pollfd p{.fd = fd, .events = events, .revents = 0};
  int ready = 0;
  while ((ready = ::poll(&p, 1, kQuietLimitMs)) < 0) check(errno == EINTR, "poll failed");
  return ready == 0 ? 0 : p.revents;
}

// A non-blocking connection. Connects without blocking too: libFuzzer's timeout timer
// interrupts a blocking connect (EINTR), which would leave the connection half made.
inline int connect_to(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) fail("cannot create a socket");
  bind_next_source(fd);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    if (errno != EINPROGRESS) {
      std::perror("server_connection_fuzz: connect");
      fail("cannot connect to the server");
    }
    int error = ETIMEDOUT;
    socklen_t size = sizeof error;
    if (wait_for(fd, POLLOUT) != 0) ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size);
    if (error != 0) {
      std::fprintf(stderr, "server_connection_fuzz: connect: %s\n", std::strerror(error));
      fail("cannot connect to the server");
    }
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

// Closes with a reset, so the many short connections leave no TIME_WAIT behind to run the
// ephemeral ports out.
inline void close_abortively(int fd) {
  const linger abort_on_close{.l_onoff = 1, .l_linger = 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
  ::close(fd);
}

struct Answer {
  std::string bytes;   // what the server sent
  bool reset = false;  // it ended the connection with a reset rather than a FIN
};

// Writes `input` in pieces of `piece` bytes (all at once when 0) while reading the answer,
// ends the sending side, and reads until the server closes.
inline Answer exchange(std::uint16_t port, std::string_view input, std::size_t piece) {
  const int fd = connect_to(port);
  Answer answer;
  std::string& received = answer.bytes;
  bool sending = true;
  while (true) {
    if (sending && input.empty()) {
      ::shutdown(fd, SHUT_WR);
      sending = false;
    }
    const short ready = wait_for(fd, static_cast<short>(POLLIN | (sending ? POLLOUT : 0)));
    check(ready != 0, "the server kept the connection open after the client's end of input");
    if (sending && (ready & POLLOUT)) {
      const std::size_t size = piece == 0 ? input.size() : std::min(piece, input.size());
      const ssize_t sent = ::send(fd, input.data(), size, MSG_NOSIGNAL);
      if (sent > 0) input.remove_prefix(static_cast<std::size_t>(sent));
      // The server closed early (after an error answer); what it sent is still to be read.
      if (sent < 0 && errno != EAGAIN && errno != EINTR) input = {};
    }
    if (ready & (POLLIN | POLLHUP | POLLERR)) {
      char buffer[16384];
      const ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
      if (got > 0) {
        received.append(buffer, static_cast<std::size_t>(got));
      } else if (got == 0) {
        break;
      } else if (errno != EAGAIN && errno != EINTR) {
        answer.reset = errno == ECONNRESET;
        check(answer.reset, "a receive error other than a reset");
        break;
      }
    }
  }
  close_abortively(fd);
  return answer;
}

}  // namespace connection_fuzz
