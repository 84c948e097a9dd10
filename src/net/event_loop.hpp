#pragma once
// One epoll event loop per thread. Everything a connection does happens on its loop's thread;
// other threads talk to a loop only through post(), which is the one thread-safe member.

#include <sys/epoll.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "net/socket_ring.hpp"
#include "net/timer_wheel.hpp"

namespace pulsarcpp::net {

/// Bytes a Flushable has queued for its socket.
struct PendingOutput {
  int fd = -1;
  const char* data = nullptr;
  std::size_t size = 0;
  int flags = 0;  // added to the send's (MSG_MORE: the socket closes right after)

  /// What of `output` is not sent yet, `sent` bytes in.
  static PendingOutput unsent(int fd, const std::string& output, std::size_t sent,
                              int flags = 0) noexcept {
    if (sent >= output.size()) return {};
    return {fd, output.data() + sent, output.size() - sent, flags};
  }
};

/// Something that batches its writes until the end of a loop iteration.
class Flushable {
 public:
  virtual void flush() = 0;
  /// What flush() would send first. The loop may send it, with what other sockets have
  /// queued, in one system call, report how much went with output_sent(), and then call
  /// flush() as usual, which finds less (or nothing) left to send.
  virtual PendingOutput pending_output() const noexcept { return {}; }
  virtual void output_sent(std::size_t /*bytes*/) noexcept {}

 protected:
  ~Flushable() = default;

 private:
  friend class EventLoop;
  bool flush_scheduled_ = false;
};

/// Something registered with the loop for readiness events on a file descriptor.
class IoHandler {
 public:
  virtual void on_io(std::uint32_t epoll_events) = 0;
  /// The socket the loop may receive from for this handler when it is readable, before
  /// on_io(), together with other readable sockets in one system call (on_io() then finds
  /// the bytes with EventLoop::take_received()); -1 when the handler reads for itself, or
  /// does not read now.
  virtual int receive_fd() const noexcept { return -1; }

 protected:
  ~IoHandler() = default;
};

class EventLoop {
 public:
  using Clock = std::chrono::steady_clock;
  using TimerId = std::uint64_t;

  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  /// The loop running on this thread, or nullptr.
  static EventLoop* current() noexcept;
  /// Makes this the current loop of the calling thread before run() (for code that starts
  /// coroutines and then drives the loop itself).
  void make_current() noexcept;

  // Registration; errors are returned as errno values (0 = success). While the loop runs on
  // this thread, add() and modify() are queued and made with the iteration's sends, in one
  // system call (see SocketRing), always before the loop waits again: add() then returns 0,
  // and a registration that fails reaches its handler as on_io(EPOLLERR | EPOLLHUP).
  int add(int fd, std::uint32_t events, IoHandler* handler) noexcept;
  int modify(int fd, std::uint32_t events, IoHandler* handler) noexcept;
  /// Stops watching `fd` at once (what is queued is made first).
  void remove(int fd) noexcept;
  /// Closes a socket, which also takes it out of the epoll set; queued like add() and modify().
  /// The descriptor stays open until then, so its number cannot be reused before.
  void close_socket(int fd) noexcept;

  /// Runs until stop() and until no posted work remains. Call from the owning thread.
  void run();
  /// Asks run() to return. Thread-safe.
  void stop();
  bool stopping() const noexcept { return stop_requested_; }

  /// Runs `fn` on the loop thread soon. Thread-safe; from the loop's own thread it runs after
  /// the current event has been handled.
  void post(std::function<void()> fn);

  /// One-shot timer on the loop thread. Not thread-safe.
  TimerId add_timer(std::chrono::milliseconds delay, std::function<void()> fn);
  void cancel_timer(TimerId id) noexcept;

  /// Coarse deadlines for connections (see TimerWheel).
  TimerWheel& wheel() noexcept { return wheel_; }

  /// Milliseconds on the steady clock, refreshed once per loop iteration.
  std::int64_t now_ms() const noexcept { return now_ms_; }
  static std::int64_t clock_ms() noexcept;

  /// Runs one round: waits at most `max_wait_ms` (-1 = until something happens) for events,
  /// then handles events, expired timers and posted work. Returns false once stop() was called.
  bool run_once(int max_wait_ms);

  /// Inside on_io(): what the loop received for that handler (see IoHandler::receive_fd), once;
  /// nullptr when it received nothing for it. The bytes stay readable until on_io() returns.
  const RingReceive* take_received() noexcept { return std::exchange(current_received_, nullptr); }

  /// Asks for `flusher.flush()` once at the end of this iteration, after every event, timer and
  /// posted function ran: what an iteration produced for one socket goes out in one write.
  void schedule_flush(class Flushable& flusher);

  /// Runs `fn` after this iteration's flushes: where closed connections are destroyed, so no
  /// event, timer or flush of the same iteration can still see a dangling pointer.
  void defer(std::function<void()> fn) { deferred_.push_back(std::move(fn)); }

 private:
  void drain_wakeups() noexcept;
  void run_posted();
  void run_timers();
  void run_flushes();
  bool receive_together(const epoll_event* events, int count);
  void send_together(const std::vector<Flushable*>& flushers);
  void send_slice(std::span<Flushable* const> flushers);
  bool queue_chore(RingChore chore);
  void run_chores();
  void settle_chores(bool notify);
  bool ring_ready();
  void retire_ring();
  void run_deferred();
  int compute_timeout(int max_wait_ms) const;

  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  bool stop_requested_ = false;
  std::int64_t now_ms_ = 0;

  std::mutex posted_mutex_;
  std::vector<std::function<void()>> posted_;
  bool wake_pending_ = false;  // guarded by posted_mutex_: one eventfd write per batch of posts
  std::vector<std::function<void()>> running_;

  std::multimap<std::int64_t, std::pair<TimerId, std::function<void()>>> timers_;
  TimerId next_timer_id_ = 1;
  TimerWheel wheel_;

  std::vector<Flushable*> flushes_;
  std::vector<Flushable*> flushing_;  // the round run_flushes() is working through

  // The receives after one epoll_wait, and the sends of one flush round, each made with one
  // system call (see SocketRing). The ring and the receive buffers are created on first use.
  std::unique_ptr<SocketRing> socket_ring_;
  bool socket_ring_usable_ = SocketRing::allowed_by_environment();
  std::vector<RingSend> ring_sends_;
  std::vector<Flushable*> ring_senders_;
  // epoll_ctl and close calls waiting for the next submission, and those just submitted.
  std::vector<RingChore> chores_;
  std::vector<RingChore> settling_;
  bool add_queued_ = false;  // chores_ holds an ADD
  bool ring_epoll_ctl_usable_ = true;  // false once the kernel refused IORING_OP_EPOLL_CTL
  std::unique_ptr<char[]> receive_slots_;
  std::vector<RingReceive> ring_receives_;
  std::vector<int> receive_of_event_;              // per epoll event: its receive, or -1
  const RingReceive* current_received_ = nullptr;  // for the on_io() running
  std::vector<std::function<void()>> deferred_;
};

}  // namespace pulsarcpp::net
