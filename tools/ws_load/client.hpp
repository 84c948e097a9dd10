#pragma once
// The I/O half of ws_load: a Worker is one epoll loop on one thread owning a share of the
// client connections. It connects them (from the chosen source address), runs the opening
// handshake, reads and strictly parses frames, writes what the mode queued once per loop
// iteration, and closes with a close handshake. What to send and how to check what arrives is
// the Behaviour's business (modes.hpp).

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "options.hpp"
#include "stats.hpp"
#include "wire.hpp"

namespace ws_load {

/// Microseconds on CLOCK_MONOTONIC since the first call (the run's time origin).
inline std::int64_t now_us() {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  const std::int64_t us = std::int64_t{ts.tv_sec} * 1'000'000 + ts.tv_nsec / 1000;
  static const std::int64_t origin = us;
  return us - origin;
}

/// The run's phases, set by the controller thread; workers follow.
enum class Phase : int { connect, warmup, measure, drain, close, done };

/// Whose messages a connection sends and receives (the query parameter `role`).
enum class Role : std::uint8_t { plain, sub, pub, all };

struct Conn {
  enum class State : std::uint8_t { idle, connecting, handshaking, open, closing, closed };

  explicit Conn(std::uint32_t index, std::uint64_t max_payload) : id(index), reader(max_payload) {}

  std::uint32_t id;  // index over every connection of the run; the stamp's sender
  Role role = Role::plain;
  State state = State::idle;
  int fd = -1;
  bool dirty = false;        // in the worker's flush list
  bool want_output = false;  // EPOLLOUT registered
  bool close_received = false;
  bool dropped = false;          // lost before the close phase (an error was counted)
  std::int64_t started_us = 0;   // connect() time
  std::int64_t deadline_us = 0;  // for connecting, handshaking, closing
  std::string target;            // request path with its query
  std::string expected_accept;
  std::string out;  // queued bytes; out_sent of them already written
  std::size_t out_sent = 0;
  std::string in;  // unparsed bytes (the 101 answer, a partial frame)
  FrameReader reader;

  // echo
  std::uint64_t send_seq = 0;
  std::uint64_t recv_seq = 0;
  std::vector<std::int64_t> sent_at;  // send times, by seq % in_flight
  // fanout / all-to-all receivers: the next sequence number expected from each sender
  std::vector<std::uint32_t> next_seq;
};

struct Shared;
class Worker;

/// What a mode does on top of the I/O. Every call is on the worker's own thread.
class Behaviour {
 public:
  virtual ~Behaviour() = default;
  /// The 101 was checked; the connection is open.
  virtual void on_open(Worker&, Conn&, std::int64_t now) = 0;
  virtual void on_message(Worker&, Conn&, Opcode, std::string_view payload, std::int64_t now) = 0;
  /// The worker entered `phase` (warmup: start sending; drain: stop; close: count leftovers).
  virtual void on_phase(Worker&, Phase) {}
  /// After every loop iteration's events: send what is due.
  virtual void poll(Worker&, std::int64_t /*now*/) {}
  /// Milliseconds until poll() has something to do (-1: only when an event arrives).
  virtual int poll_timeout_ms(Worker&, std::int64_t /*now*/) { return -1; }
  /// Everything sent was answered (drain phase).
  virtual bool drained(Worker&) = 0;
  /// The connection is closed (socket released).
  virtual void on_closed(Worker&, Conn&, std::int64_t /*now*/) {}
};

/// What the threads share: configuration, the phase, and a few counters.
struct Shared {
  explicit Shared(const Options& o) : opt(o) {}
  const Options& opt;
  sockaddr_in server{};
  std::vector<in_addr> sources;  // empty: let the kernel choose
  std::string host_header;
  std::atomic<Phase> phase{Phase::connect};
  std::atomic<unsigned> open{0};      // connections open now
  std::atomic<unsigned> settled{0};   // connect phase: opened or failed
  std::atomic<unsigned> in_drain{0};  // workers that stopped sending
  std::vector<Worker*> workers;
};

class Worker {
 public:
  Worker(Shared& shared, Behaviour& behaviour, unsigned index)
      : shared_(shared),
        behaviour_(behaviour),
        index_(index),
        buffer_(256 * 1024),
        scratch_(shared.opt.size, '\0') {
    epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = nullptr;
    ::epoll_ctl(epfd_, EPOLL_CTL_ADD, wake_fd_, &ev);
  }
  ~Worker() {
    for (auto& c : conns_) {
      if (c->fd >= 0) ::close(c->fd);
    }
    ::close(wake_fd_);
    ::close(epfd_);
  }
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  unsigned index() const noexcept { return index_; }
  const Options& opt() const noexcept { return shared_.opt; }
  Shared& shared() noexcept { return shared_; }
  Stats& stats() noexcept { return stats_; }
  Rng& rng() noexcept { return rng_; }
  Phase phase() const noexcept { return phase_; }
  bool measuring() const noexcept { return phase_ == Phase::measure; }
  bool sending() const noexcept { return phase_ == Phase::warmup || phase_ == Phase::measure; }
  std::vector<std::unique_ptr<Conn>>& conns() noexcept { return conns_; }
  /// --size bytes to build a payload in (this thread's own).
  std::string& scratch() noexcept { return scratch_; }

  // Read by the controller while the worker runs.
  std::atomic<std::uint64_t> progress{0};  // stats().counted, refreshed each iteration
  std::atomic<bool> warming_flag{false};  // entered the warm-up, where the load starts
  std::atomic<bool> drained_flag{false};
  std::atomic<bool> closed_flag{false};

  void wake() {
    const std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
  }

  /// Starts (or restarts) a connection: a new non-blocking socket, connect() in progress.
  void start_connect(Conn& c, std::int64_t now) {
    c.state = Conn::State::connecting;
    c.close_received = false;
    c.out.clear();
    c.out_sent = 0;
    c.in.clear();
    c.reader = FrameReader(kMaxPayload);
    c.started_us = now;
    c.deadline_us = now + static_cast<std::int64_t>(opt().connect_timeout_s * 1e6);
    c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) return connect_failed(c, "socket(): " + std::string(std::strerror(errno)), now);
    const int one = 1;
    ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (!shared_.sources.empty()) {
      // Port chosen at connect() time, per destination: ~28k connections per source address
      // to one server instead of ~28k in total.
      ::setsockopt(c.fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
      sockaddr_in local{};
      local.sin_family = AF_INET;
      local.sin_addr = shared_.sources[next_source_++ % shared_.sources.size()];
      if (::bind(c.fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
        return connect_failed(c, "bind(): " + std::string(std::strerror(errno)), now);
      }
    }
    if (::connect(c.fd, reinterpret_cast<const sockaddr*>(&shared_.server),
                  sizeof shared_.server) != 0 &&
        errno != EINPROGRESS) {
      return connect_failed(c, "connect(): " + std::string(std::strerror(errno)), now);
    }
    // Over loopback the TCP handshake has usually completed by the time connect() returns
    // EINPROGRESS, so the request is sent at once; send() answers EAGAIN while it has not, and
    // the request then waits for EPOLLOUT. Either way the first write is the whole request.
    begin_handshake(c);
    switch (try_send(c)) {
      case SendResult::done:
        return register_fd(c, kInputEvents);
      case SendResult::blocked:
        return register_fd(c, kInputEvents | EPOLLOUT);
      case SendResult::failed:
        return connect_failed(c, "connect: " + std::string(std::strerror(errno)), now);
    }
  }

  /// Queues a masked data frame.
  void send_frame(Conn& c, Opcode opcode, std::string_view payload) {
    append_masked(c.out, opcode, payload, rng_);
    mark_dirty(c);
  }

  /// Starts the closing handshake (the server answers with its close frame and ends TCP).
  void begin_close(Conn& c, std::int64_t now, std::uint16_t code = 1000) {
    if (c.state != Conn::State::open) return;
    append_masked_close(c.out, code, rng_);
    mark_dirty(c);
    c.state = Conn::State::closing;
    c.deadline_us = now + kCloseTimeoutUs;
  }

  /// Runs until the controller says done.
  void run() {
    std::vector<epoll_event> events(1024);
    std::int64_t next_sweep = 0;
    while (true) {
      int timeout = 10;
      const int behaviour_timeout = behaviour_.poll_timeout_ms(*this, now_us());
      if (behaviour_timeout >= 0 && behaviour_timeout < timeout) timeout = behaviour_timeout;
      const int n = ::epoll_wait(epfd_, events.data(), static_cast<int>(events.size()), timeout);
      const std::int64_t now = now_us();
      const Phase p = shared_.phase.load(std::memory_order_acquire);
      if (p != phase_) enter(p, now);
      if (phase_ == Phase::done) break;
      for (int i = 0; i < n; ++i) {
        auto* c = static_cast<Conn*>(events[i].data.ptr);
        if (c == nullptr) {
          std::uint64_t v;
          [[maybe_unused]] auto r = ::read(wake_fd_, &v, sizeof v);
          continue;
        }
        handle(*c, events[i].events, now);
      }
      behaviour_.poll(*this, now);
      flush_dirty(now);
      if (phase_ == Phase::connect) connect_more(now);
      if (now >= next_sweep) {
        sweep(now);
        next_sweep = now + 50'000;
      }
      progress.store(stats_.counted, std::memory_order_relaxed);
      // Only once every worker has stopped sending can "nothing outstanding" stay true.
      if (phase_ == Phase::drain && !drained_flag.load(std::memory_order_relaxed) &&
          shared_.in_drain.load(std::memory_order_acquire) == shared_.workers.size() &&
          behaviour_.drained(*this)) {
        drained_flag.store(true, std::memory_order_release);
      }
      if (phase_ == Phase::close && !closed_flag.load(std::memory_order_relaxed) && all_closed()) {
        closed_flag.store(true, std::memory_order_release);
      }
    }
    // Anything still open when the controller gave up is dropped here.
    for (auto& c : conns_) {
      if (c->fd >= 0) release(*c, now_us(), false);
    }
  }

 private:
  static constexpr std::uint64_t kMaxPayload = 64ull << 20;
  static constexpr std::int64_t kCloseTimeoutUs = 3'000'000;
  static constexpr std::uint32_t kInputEvents = EPOLLIN | EPOLLRDHUP;

  void enter(Phase p, std::int64_t now) {
    phase_ = p;
    if (p == Phase::drain) shared_.in_drain.fetch_add(1, std::memory_order_acq_rel);
    if (p == Phase::close) {
      for (auto& c : conns_) {
        if (c->state == Conn::State::open) begin_close(*c, now);
      }
    }
    behaviour_.on_phase(*this, p);
    if (p == Phase::warmup) warming_flag.store(true, std::memory_order_release);
    if (p == Phase::close) {
      // Connections still connecting are abandoned: nothing to close gracefully.
      for (auto& c : conns_) {
        if (c->state == Conn::State::connecting || c->state == Conn::State::handshaking) {
          release(*c, now, false);
        }
      }
    }
  }

  void register_fd(Conn& c, std::uint32_t events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.ptr = &c;
    ::epoll_ctl(epfd_, EPOLL_CTL_ADD, c.fd, &ev);
    c.want_output = (events & EPOLLOUT) != 0;
  }
  void set_output_interest(Conn& c, bool want) {
    if (c.want_output == want) return;
    epoll_event ev{};
    ev.events = kInputEvents | (want ? EPOLLOUT : 0u);
    ev.data.ptr = &c;
    ::epoll_ctl(epfd_, EPOLL_CTL_MOD, c.fd, &ev);
    c.want_output = want;
  }

  void mark_dirty(Conn& c) {
    if (c.dirty) return;
    c.dirty = true;
    dirty_.push_back(&c);
  }

  void flush_dirty(std::int64_t now) {
    // flush() may not add to the list, so a plain index loop is safe.
    for (std::size_t i = 0; i < dirty_.size(); ++i) {
      Conn& c = *dirty_[i];
      c.dirty = false;
      if (c.fd >= 0 && !c.want_output && c.state != Conn::State::connecting) flush(c, now);
    }
    dirty_.clear();
  }

  void flush(Conn& c, std::int64_t now) {
    switch (try_send(c)) {
      case SendResult::done:
        return set_output_interest(c, false);
      case SendResult::blocked:
        return set_output_interest(c, true);
      case SendResult::failed:
        return lost(c, "send(): " + std::string(std::strerror(errno)), now);
    }
  }

  enum class SendResult : std::uint8_t { done, blocked, failed };

  /// Sends what c.out holds until it is all sent or the socket is full; leaves errno set on
  /// failure.
  SendResult try_send(Conn& c) {
    while (c.out_sent < c.out.size()) {
      const ssize_t n =
          ::send(c.fd, c.out.data() + c.out_sent, c.out.size() - c.out_sent, MSG_NOSIGNAL);
      if (n > 0) {
        c.out_sent += static_cast<std::size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return SendResult::blocked;
      return SendResult::failed;
    }
    c.out.clear();
    c.out_sent = 0;
    return SendResult::done;
  }

  /// Puts the upgrade request in c.out.
  void begin_handshake(Conn& c) {
    Handshake h = make_handshake(shared_.host_header, c.target, rng_);
    c.expected_accept = std::move(h.expected_accept);
    c.out = std::move(h.request);
    c.out_sent = 0;
    c.state = Conn::State::handshaking;
  }

  void handle(Conn& c, std::uint32_t events, std::int64_t now) {
    if (c.fd < 0) return;
    // A connect that fails later shows as EPOLLERR; the send in flush() then reports it.
    if (events & (EPOLLOUT | EPOLLERR)) flush(c, now);
    if (c.fd >= 0 && (events & (EPOLLIN | EPOLLERR | EPOLLHUP))) read(c, events, now);
  }

  void read(Conn& c, std::uint32_t events, std::int64_t now) {
    while (c.fd >= 0) {
      const ssize_t n = ::recv(c.fd, buffer_.data(), buffer_.size(), 0);
      if (n > 0) {
        consume(c, buffer_.data(), static_cast<std::size_t>(n), now);
        if (static_cast<std::size_t>(n) < buffer_.size()) {
          // The server's FIN came before this read, which emptied the socket: the stream has
          // ended, and the recv() that would return 0 is not needed.
          if (c.fd >= 0 && (events & EPOLLRDHUP)) end_of_stream(c, now);
          return;
        }
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      if (n == 0) return end_of_stream(c, now);
      return lost(c, "recv(): " + std::string(std::strerror(errno)), now);
    }
  }

  // Parses what arrived; bytes of an unfinished frame wait in c.in.
  void consume(Conn& c, const char* data, std::size_t len, std::int64_t now) {
    if (c.state == Conn::State::handshaking || !c.in.empty()) {
      c.in.append(data, len);
      if (c.state == Conn::State::handshaking && !finish_handshake(c, now)) return;
      std::string pending = std::move(c.in);
      c.in.clear();
      const std::size_t used = parse_frames(c, pending.data(), pending.size(), now);
      if (c.fd >= 0 && used < pending.size()) c.in.assign(pending, used);
      return;
    }
    const std::size_t used = parse_frames(c, data, len, now);
    if (c.fd >= 0 && used < len) c.in.assign(data + used, len - used);
  }

  // True once the 101 is checked (c.in then holds only what followed it).
  bool finish_handshake(Conn& c, std::int64_t now) {
    std::size_t head = 0;
    std::string why;
    switch (check_handshake(c.in, c.expected_accept, head, why)) {
      case HandshakeStatus::incomplete:
        return false;
      case HandshakeStatus::bad:
        stats_.failure("handshake: " + why);
        settle_connect();
        release(c, now, false);
        return false;
      case HandshakeStatus::ok:
        break;
    }
    c.in.erase(0, head);
    c.state = Conn::State::open;
    shared_.open.fetch_add(1, std::memory_order_relaxed);
    settle_connect();
    behaviour_.on_open(*this, c, now);
    return c.fd >= 0;
  }

  std::size_t parse_frames(Conn& c, const char* data, std::size_t len, std::int64_t now) {
    std::size_t used = 0;
    while (c.fd >= 0 && used < len) {
      const InEvent ev = c.reader.next(data + used, len - used);
      if (ev.kind == InEvent::Kind::need_more) break;
      if (ev.kind == InEvent::Kind::error) {
        stats_.failure(std::string("protocol: ") + ev.error);
        if (c.state == Conn::State::open) begin_close(c, now, 1002);
        flush(c, now);
        release(c, now, false);
        return len;
      }
      used += ev.consumed;
      switch (ev.kind) {
        case InEvent::Kind::message:
          ++stats_.received;
          if (c.state == Conn::State::open)
            behaviour_.on_message(*this, c, ev.opcode, ev.payload, now);
          break;
        case InEvent::Kind::ping:
          if (c.state == Conn::State::open) {
            append_masked(c.out, Opcode::pong, ev.payload, rng_);
            mark_dirty(c);
          }
          break;
        case InEvent::Kind::close:
          on_close_frame(c, ev.close_code, now);
          break;
        default:  // pong, fragment
          break;
      }
    }
    return used;
  }

  void on_close_frame(Conn& c, std::uint16_t code, std::int64_t now) {
    if (c.state == Conn::State::open) {
      // The server closed first: unexpected before the close phase.
      if (phase_ < Phase::close) {
        stats_.error("server closed a connection with code " + std::to_string(code));
      }
      begin_close(c, now, code == 1005 ? 1000 : code);
    }
    c.close_received = true;
    // The server ends TCP after the close handshake (RFC 6455 §7.1.1); we wait for its FIN
    // so the TIME_WAIT stays on its side.
  }

  void end_of_stream(Conn& c, std::int64_t now) {
    if (c.state == Conn::State::closing && c.close_received) return release(c, now, true);
    if (c.state == Conn::State::handshaking) {
      stats_.error("connection closed during the handshake");
      settle_connect();
      return release(c, now, false);
    }
    lost(c, "server ended TCP without a close frame", now);
  }

  void lost(Conn& c, const std::string& why, std::int64_t now) {
    if (c.state == Conn::State::handshaking) settle_connect();
    stats_.error(why);
    release(c, now, false);
  }

  void connect_failed(Conn& c, const std::string& why, std::int64_t now) {
    stats_.error(why);
    settle_connect();
    release(c, now, false);
  }

  void settle_connect() {
    if (connecting_ > 0) --connecting_;
    if (counting_settles_) shared_.settled.fetch_add(1, std::memory_order_relaxed);
  }

  void release(Conn& c, std::int64_t now, bool clean) {
    if (!clean && phase_ < Phase::close) c.dropped = true;
    if (c.fd >= 0) {
      ::close(c.fd);  // also leaves the epoll set
      c.fd = -1;
    }
    const bool was_open = c.state == Conn::State::open || c.state == Conn::State::closing;
    c.state = Conn::State::closed;
    c.want_output = false;
    c.in.clear();
    c.out.clear();
    c.out_sent = 0;
    if (was_open) shared_.open.fetch_sub(1, std::memory_order_relaxed);
    behaviour_.on_closed(*this, c, now);
  }

  // Connect phase: keep up to connect_batch handshakes in progress.
  void connect_more(std::int64_t now) {
    while (next_to_open_ < conns_.size() && connecting_ < opt().connect_batch) {
      Conn& c = *conns_[next_to_open_++];
      ++connecting_;
      start_connect(c, now);
    }
  }

  void sweep(std::int64_t now) {
    for (auto& cp : conns_) {
      Conn& c = *cp;
      if (c.fd < 0 || c.deadline_us > now) continue;
      switch (c.state) {
        case Conn::State::connecting:
        case Conn::State::handshaking:
          stats_.error("connect or handshake timed out");
          settle_connect();
          release(c, now, false);
          break;
        case Conn::State::closing:
          if (!c.close_received) stats_.error("no close frame from the server within 3 s");
          release(c, now, false);  // waited long enough for the server's FIN
          break;
        default:
          break;
      }
    }
  }

  bool all_closed() const {
    for (const auto& c : conns_) {
      if (c->fd >= 0) return false;
    }
    return true;
  }

 public:
  /// Only the connect phase counts settled connections (the barrier before the load).
  void count_settles(bool on) noexcept { counting_settles_ = on; }

 private:
  Shared& shared_;
  Behaviour& behaviour_;
  unsigned index_;
  int epfd_ = -1;
  int wake_fd_ = -1;
  Phase phase_ = Phase::connect;
  std::vector<std::unique_ptr<Conn>> conns_;
  std::vector<Conn*> dirty_;
  std::vector<char> buffer_;
  std::string scratch_;
  std::size_t next_to_open_ = 0;
  unsigned connecting_ = 0;
  std::size_t next_source_ = 0;
  bool counting_settles_ = true;
  Stats stats_;
  Rng rng_;
};

}  // namespace ws_load
