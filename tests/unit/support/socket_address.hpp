#pragma once
// Socket addresses for tests, from text: "127.0.0.1", "127.10.200.255", "::1".

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <string_view>

namespace pulsarcpp::test {

/// Fills `out` with text:port, IPv6 when the text has a colon; returns the address's length, or
/// 0 when the text is not an address.
inline socklen_t socket_address(const char* text, std::uint16_t port, sockaddr_storage& out) {
  out = {};
  if (std::string_view(text).find(':') != std::string_view::npos) {
    auto& v6 = reinterpret_cast<sockaddr_in6&>(out);
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(port);
    return ::inet_pton(AF_INET6, text, &v6.sin6_addr) == 1 ? sizeof v6 : 0;
  }
  auto& v4 = reinterpret_cast<sockaddr_in&>(out);
  v4.sin_family = AF_INET;
  v4.sin_port = htons(port);
  return ::inet_pton(AF_INET, text, &v4.sin_addr) == 1 ? sizeof v4 : 0;
}

/// Whether a TCP socket can bind text:port right now (port 0: whether the address exists here).
inline bool can_bind(const char* text, std::uint16_t port) {
  sockaddr_storage address;
  const socklen_t length = socket_address(text, port, address);
  if (length == 0) return false;
  const int fd = ::socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&address), length) == 0;
  ::close(fd);
  return bound;
}

}  // namespace pulsarcpp::test
