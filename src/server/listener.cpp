#include "server/listener.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <utility>

#include "net/sized_append.hpp"
#include "pulsarcpp/middleware.hpp"
#include "pulsarcpp/server.hpp"
#include "server/connection.hpp"

namespace pulsarcpp::detail {
namespace {

// How long a listener stops watching for connections when it cannot accept them.
constexpr std::chrono::milliseconds kAcceptPause{100};

void set_option(int fd, int level, int name) {
  int on = 1;
  ::setsockopt(fd, level, name, &on, sizeof on);
}

std::string describe(const std::string& hostname, std::uint16_t port) {
  return hostname + ":" + std::to_string(port);
}

// Dotted quad from the four bytes in network order. inet_ntop formats IPv4 with sprintf, a
// noticeable cost when every connection is short (an accept storm formats one per connection).
std::string ipv4_text(const unsigned char* bytes) {
  std::string text;  // at most 15 characters: within the string's own buffer, no allocation
  for (int i = 0; i < 4; ++i) {
    if (i > 0) text += '.';
    text += net::Decimal(bytes[i]).view();
  }
  return text;
}

std::pair<std::string, std::uint16_t> peer_of(const sockaddr_storage& address) {
  if (address.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
    return {ipv4_text(reinterpret_cast<const unsigned char*>(&v4.sin_addr)), ntohs(v4.sin_port)};
  }
  const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
  const std::uint16_t port = ntohs(v6.sin6_port);
  // An IPv4 client of a dual-stack socket is shown as IPv4, as users expect.
  if (IN6_IS_ADDR_V4MAPPED(&v6.sin6_addr)) return {ipv4_text(v6.sin6_addr.s6_addr + 12), port};
  char text[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof text);
  return {text, port};
}

}  // namespace

namespace {

// Listening sockets share a port through SO_REUSEPORT, which would also let a second server
// (or a second run of the same program) bind it and silently take half the connections. A
// probe without SO_REUSEPORT tells whether anyone listens there already.
void ensure_port_free(const addrinfo& ai, const std::string& hostname, std::uint16_t port) {
  int probe = ::socket(ai.ai_family, ai.ai_socktype | SOCK_CLOEXEC, 0);
  if (probe < 0) return;
  set_option(probe, SOL_SOCKET, SO_REUSEADDR);  // TIME_WAIT leftovers do not count
  if (ai.ai_family == AF_INET6) {
    int off = 0;
    ::setsockopt(probe, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
  }
  const bool in_use = ::bind(probe, ai.ai_addr, ai.ai_addrlen) != 0 && errno == EADDRINUSE;
  ::close(probe);
  if (in_use) {
    throw StartError("cannot listen on " + describe(hostname, port) +
                     ": the port is already in use");
  }
}

}  // namespace

int open_listen_socket(const std::string& hostname, std::uint16_t port, bool first) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  std::string service = std::to_string(port);
  int rc = ::getaddrinfo(hostname.empty() ? nullptr : hostname.c_str(), service.c_str(), &hints,
                         &found);
  if (rc != 0) {
    throw StartError("cannot listen on " + describe(hostname, port) + ": " + gai_strerror(rc));
  }
  int error = 0;
  for (addrinfo* ai = found; ai; ai = ai->ai_next) {
    if (first && port != 0) {
      try {
        ensure_port_free(*ai, hostname, port);
      } catch (...) {
        ::freeaddrinfo(found);
        throw;
      }
    }
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      error = errno;
      continue;
    }
    set_option(fd, SOL_SOCKET, SO_REUSEADDR);
    set_option(fd, SOL_SOCKET, SO_REUSEPORT);
    // Accepted sockets inherit TCP_NODELAY from the listener on Linux: one call here instead of
    // one per connection.
    set_option(fd, IPPROTO_TCP, TCP_NODELAY);
    if (ai->ai_family == AF_INET6) {
      int off = 0;  // "::" serves IPv4 too, as Bun does
      ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
    }
    if (::bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && ::listen(fd, SOMAXCONN) == 0) {
      ::freeaddrinfo(found);
      return fd;
    }
    error = errno;
    ::close(fd);
  }
  ::freeaddrinfo(found);
  std::string reason = error == EADDRINUSE ? "the port is already in use" : std::strerror(error);
  throw StartError("cannot listen on " + describe(hostname, port) + ": " + reason);
}

std::uint16_t bound_port(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  if (address.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in&>(address).sin_port);
  return ntohs(reinterpret_cast<sockaddr_in6&>(address).sin6_port);
}

Listener::~Listener() { close(); }

void Listener::start() { ctx_.loop.add(fd_, EPOLLIN, this); }

void Listener::close() {
  if (fd_ < 0) return;
  if (resume_timer_ != 0) ctx_.loop.cancel_timer(std::exchange(resume_timer_, 0));
  ctx_.loop.remove(fd_);
  ::close(fd_);
  fd_ = -1;
}

void Listener::on_io(std::uint32_t) {
  // One connection per event, as nginx does by default: accepting until accept4 says EAGAIN
  // costs a system call per wake-up when connections arrive one at a time, and a listener with
  // more waiting is reported again by the next epoll_wait (level-triggered), after this
  // iteration has served the connections already open.
  if (fd_ < 0) return;
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  const int client = ::accept4(fd_, reinterpret_cast<sockaddr*>(&address), &length,
                               SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (client >= 0) return accept_one(client, address);
  // EAGAIN, EINTR, ECONNABORTED (a client gone while queued): wait for the next event.
  if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
    pause_accepting(errno);
  }
}

void Listener::pause_accepting(int error) {
  if (resume_timer_ != 0) return;
  if (!pause_logged_) {
    pause_logged_ = true;
    log(std::string("Cannot accept connections (") + std::strerror(error) +
        "): pausing for " + std::to_string(kAcceptPause.count()) +
        " ms each time (logged once per listener)");
  }
  ctx_.loop.modify(fd_, 0, this);
  resume_timer_ = ctx_.loop.add_timer(kAcceptPause, [this] { resume_accepting(); });
}

void Listener::resume_accepting() noexcept {
  resume_timer_ = 0;
  if (fd_ >= 0) ctx_.loop.modify(fd_, EPOLLIN, this);
}

void Listener::accept_one(int client_fd, const sockaddr_storage& address) {
  if (ctx_.open_connections->load(std::memory_order_relaxed) >= ctx_.limits.max_connections) {
    ::close(client_fd);
    return;
  }
  auto [host, port] = peer_of(address);
  auto* connection = new HttpConnection(ctx_, client_fd, std::move(host), port);
  connection->start();  // on failure it closes and schedules its own deletion
}

}  // namespace pulsarcpp::detail
