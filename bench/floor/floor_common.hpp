#pragma once
// What the two floor servers share: the port, the listening socket, counting requests as they
// arrive, and the response, the same bytes bench_server sends for GET / (a Date refreshed once
// a second included). Requests are assumed to have no body, as in H1 and H2.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

namespace floor_server {

inline int port_from_env() {
  const char* port = std::getenv("PORT");
  return port && *port ? std::atoi(port) : 3000;
}

inline int listen_on(int port, int flags) {
  int fd = ::socket(AF_INET, SOCK_STREAM | flags, 0);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // inherited by accepted sockets
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(fd, 4096) != 0) {
    std::perror("listen");
    std::exit(1);
  }
  return fd;
}

/// Counts the ends of request heads ("\r\n\r\n") in a byte stream cut anywhere.
struct RequestCounter {
  int matched = 0;  // bytes of "\r\n\r\n" matched at the end of what came so far
  int feed(const char* data, std::size_t size) {
    static constexpr char kEnd[] = "\r\n\r\n";
    int requests = 0;
    for (std::size_t i = 0; i < size; ++i) {
      if (data[i] == kEnd[matched]) {
        if (++matched == 4) {
          ++requests;
          matched = 0;
        }
      } else {
        matched = data[i] == '\r' ? 1 : 0;
      }
    }
    return requests;
  }
};

/// The response to GET /, rebuilt when the second changes.
class Response {
 public:
  const std::string& bytes() {
    const std::time_t now = std::time(nullptr);
    if (now != built_at_) build(now);
    return bytes_;
  }

 private:
  void build(std::time_t now) {
    char date[64];
    std::tm tm{};
    ::gmtime_r(&now, &tm);
    std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    bytes_ = std::string("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 27\r\n") +
             "Date: " + date + "\r\n\r\n{\"message\":\"Hello, world!\"}";
    built_at_ = now;
  }
  std::string bytes_;
  std::time_t built_at_ = 0;
};

}  // namespace floor_server
