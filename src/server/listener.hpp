#pragma once
// A listening socket of one loop. With SO_REUSEPORT every loop has its own, and the kernel
// spreads new connections across them, so loops share nothing.

#include <sys/socket.h>

#include <cstdint>
#include <string>

#include "net/event_loop.hpp"
#include "server/loop_context.hpp"

namespace pulsarcpp::detail {

/// Binds and listens on hostname:port (port 0 = ephemeral) with SO_REUSEPORT. `first`: the
/// server's first listener, which also refuses a port someone already listens on. Returns the
/// fd; throws StartError with the reason (address in use, unknown host...).
int open_listen_socket(const std::string& hostname, std::uint16_t port, bool first);
/// The port a bound socket got.
std::uint16_t bound_port(int fd);

class Listener final : public net::IoHandler {
 public:
  Listener(LoopContext& loop, int fd) : ctx_(loop), fd_(fd) {}
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  void start();
  /// Stops accepting and closes the socket (graceful stop).
  void close();
  void on_io(std::uint32_t events) override;

 private:
  void accept_one(int client_fd, const sockaddr_storage& address);
  /// Out of descriptors or memory: the pending connection stays queued and the level-triggered
  /// listener would wake the loop again at once, so stop watching it for a moment.
  void pause_accepting(int error);
  void resume_accepting() noexcept;

  LoopContext& ctx_;
  int fd_;
  net::EventLoop::TimerId resume_timer_ = 0;  // nonzero while paused
  bool pause_logged_ = false;
};

}  // namespace pulsarcpp::detail
