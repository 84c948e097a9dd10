// The least an epoll server can do per request: one thread, level-triggered epoll, one recv per
// readable socket and one send per batch of answers, no parsing beyond finding the end of each
// request. bench_server's H1/H2 efficiency against this says how much is left to gain in user
// space; see bench/README.md ("The floor").

#include <sys/epoll.h>
#include <unistd.h>

#include <vector>

#include "floor_common.hpp"

namespace {

struct Connection {
  floor_server::RequestCounter counter;
  std::string pending;  // what a full socket did not take
  bool watching_out = false;
};

}  // namespace

int main() {
  using namespace floor_server;
  const int listener = listen_on(port_from_env(), SOCK_NONBLOCK);
  const int epoll = ::epoll_create1(0);
  epoll_event event{EPOLLIN, {.fd = listener}};
  ::epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &event);
  std::vector<Connection> connections(65536);
  Response response;
  static char input[64 * 1024];
  epoll_event events[256];
  for (;;) {
    const int count = ::epoll_wait(epoll, events, 256, -1);
    for (int i = 0; i < count; ++i) {
      const int fd = events[i].data.fd;
      if (fd == listener) {
        for (int c; (c = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK)) >= 0;) {
          connections[c] = Connection{};
          epoll_event added{EPOLLIN | EPOLLRDHUP, {.fd = c}};
          ::epoll_ctl(epoll, EPOLL_CTL_ADD, c, &added);
        }
        continue;
      }
      Connection& connection = connections[fd];
      if (events[i].events & (EPOLLERR | EPOLLHUP)) {
        ::close(fd);
        continue;
      }
      if (events[i].events & EPOLLIN) {
        const ssize_t n = ::recv(fd, input, sizeof input, 0);
        if (n <= 0) {
          ::close(fd);
          continue;
        }
        for (int r = connection.counter.feed(input, static_cast<std::size_t>(n)); r > 0; --r) {
          connection.pending += response.bytes();
        }
      }
      if (!connection.pending.empty()) {
        const ssize_t sent = ::send(fd, connection.pending.data(), connection.pending.size(),
                                    MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent > 0) connection.pending.erase(0, static_cast<std::size_t>(sent));
      }
      const bool want_out = !connection.pending.empty();
      if (want_out != connection.watching_out) {
        connection.watching_out = want_out;
        epoll_event wanted{EPOLLIN | EPOLLRDHUP | (want_out ? EPOLLOUT : 0u), {.fd = fd}};
        ::epoll_ctl(epoll, EPOLL_CTL_MOD, fd, &wanted);
      }
    }
  }
}
