#include "net/event_loop.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "net/thread_sanitizer.hpp"

namespace pulsarcpp::net {
namespace {
thread_local EventLoop* current_loop = nullptr;
constexpr int kMaxEvents = 256;
// Sends per system call; a fan-out to more sockets takes several.
constexpr unsigned kRingEntries = 256;
// Receives per system call, each into a slot of its own. A request that does not fit is read
// on by its connection; small slots keep this memory (touched by every busy loop) small.
constexpr std::size_t kReceiveSlots = 32;
constexpr std::size_t kReceiveSlotSize = 2048;
}  // namespace

EventLoop::EventLoop() : now_ms_(clock_ms()), wheel_(now_ms_) {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_fd_ < 0 || wake_fd_ < 0) {
    throw std::runtime_error(std::string("event loop: ") + std::strerror(errno));
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = nullptr;  // null marks the wake-up eventfd
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
}

EventLoop::~EventLoop() {
  if (current_loop == this) current_loop = nullptr;
  // Handlers may be gone by now: what is still queued is made, and nobody is told.
  settling_.swap(chores_);
  for (RingChore& chore : settling_) chore.result = -ECANCELED;
  settle_chores(false);
  ::close(wake_fd_);
  ::close(epoll_fd_);
}

EventLoop* EventLoop::current() noexcept { return current_loop; }

void EventLoop::make_current() noexcept { current_loop = this; }

std::int64_t EventLoop::clock_ms() noexcept {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch())
      .count();
}

namespace {
// What a queued chore does, made with its own system call.
int run_directly(const RingChore& chore) noexcept {
  int r = 0;
  switch (chore.kind) {
    case RingChore::Kind::epoll_add:
    case RingChore::Kind::epoll_modify: {
      epoll_event ev = chore.event;
      const int op = chore.kind == RingChore::Kind::epoll_add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
      r = epoll_ctl(chore.epoll_fd, op, chore.fd, &ev);
      break;
    }
    case RingChore::Kind::close:
      r = ::close(chore.fd);
      break;
  }
  return r == 0 ? 0 : errno;
}

RingChore epoll_chore(RingChore::Kind kind, int epoll_fd, int fd, std::uint32_t events,
                      IoHandler* handler) noexcept {
  RingChore chore{kind, fd, epoll_fd, {}, 0};
  chore.event.events = events;
  chore.event.data.ptr = handler;
  return chore;
}
}  // namespace

int EventLoop::add(int fd, std::uint32_t events, IoHandler* handler) noexcept {
  const RingChore chore = epoll_chore(RingChore::Kind::epoll_add, epoll_fd_, fd, events, handler);
  return queue_chore(chore) ? 0 : run_directly(chore);
}

int EventLoop::modify(int fd, std::uint32_t events, IoHandler* handler) noexcept {
  const RingChore chore =
      epoll_chore(RingChore::Kind::epoll_modify, epoll_fd_, fd, events, handler);
  return queue_chore(chore) ? 0 : run_directly(chore);
}

void EventLoop::remove(int fd) noexcept {
  run_chores();  // an ADD or MOD still queued for fd would otherwise come after the DEL
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
}

void EventLoop::close_socket(int fd) noexcept {
  const RingChore chore{RingChore::Kind::close, fd, -1, {}, 0};
  // ThreadSanitizer learns that a descriptor ended only from close(): after an unseen close
  // by io_uring, the next owner of the number (an io_uring fd, which it cannot see created
  // either) would look like a race with the last one.
  if (kThreadSanitizer || !queue_chore(chore)) run_directly(chore);
}

// Only on the loop's own thread while it runs: every iteration submits what is queued before
// it waits, and nothing else touches the queue.
bool EventLoop::queue_chore(RingChore chore) {
  if (current_loop != this || !socket_ring_usable_) return false;
  if (chore.kind != RingChore::Kind::close && !ring_epoll_ctl_usable_) return false;
  if (!ring_ready()) return false;
  chores_.push_back(chore);
  if (chore.kind == RingChore::Kind::epoll_add) add_queued_ = true;
  return true;
}

// Submits the queued chores by themselves (when no sends could take them along).
void EventLoop::run_chores() {
  while (!chores_.empty()) {
    settling_.swap(chores_);
    add_queued_ = false;
    if (!socket_ring_usable_) {
      for (RingChore& chore : settling_) chore.result = -ECANCELED;  // made directly below
    } else if (!socket_ring_->submit({settling_, {}, {}})) {
      retire_ring();
    }
    settle_chores(true);
  }
}

// After a submission: a chore the ring did not make (it failed, or this kernel has no
// IORING_OP_EPOLL_CTL) is made directly; a registration that still failed is reported to its
// handler as a failed socket, which then closes (and may queue more chores).
void EventLoop::settle_chores(bool notify) {
  for (RingChore& chore : settling_) {
    const bool epoll_op = chore.kind != RingChore::Kind::close;
    if (epoll_op && (chore.result == -EINVAL || chore.result == -EOPNOTSUPP)) {
      ring_epoll_ctl_usable_ = false;
      chore.result = -ECANCELED;
    }
    if (chore.result == -ECANCELED) chore.result = -run_directly(chore);
  }
  std::vector<IoHandler*> unregistered;  // rare: only a failed ADD allocates
  for (const RingChore& chore : settling_) {
    if (chore.kind != RingChore::Kind::epoll_add || chore.result == 0) continue;
    if (auto* handler = static_cast<IoHandler*>(chore.event.data.ptr)) {
      unregistered.push_back(handler);
    }
  }
  settling_.clear();
  // Told once every chore is made and the list is free again: a handler may queue more.
  if (notify) {
    for (IoHandler* handler : unregistered) handler->on_io(EPOLLERR | EPOLLHUP);
  }
}

void EventLoop::post(std::function<void()> fn) {
  bool must_wake = false;
  {
    std::lock_guard lock(posted_mutex_);
    posted_.push_back(std::move(fn));
    must_wake = !wake_pending_;
    wake_pending_ = true;
  }
  if (must_wake) {
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
  }
}

void EventLoop::stop() {
  post([this] { stop_requested_ = true; });
}

EventLoop::TimerId EventLoop::add_timer(std::chrono::milliseconds delay,
                                        std::function<void()> fn) {
  TimerId id = next_timer_id_++;
  // +1: the clock is read in whole milliseconds, and part of the current one has passed, so a
  // deadline of now + delay could fire up to 1 ms early. Late by under 1 ms is what timers do.
  timers_.emplace(clock_ms() + delay.count() + 1, std::make_pair(id, std::move(fn)));
  return id;
}

void EventLoop::cancel_timer(TimerId id) noexcept {
  for (auto it = timers_.begin(); it != timers_.end(); ++it) {
    if (it->second.first == id) {
      timers_.erase(it);
      return;
    }
  }
}

void EventLoop::schedule_flush(Flushable& flusher) {
  if (flusher.flush_scheduled_) return;
  flusher.flush_scheduled_ = true;
  flushes_.push_back(&flusher);
}

void EventLoop::run() {
  current_loop = this;
  while (run_once(-1)) {
  }
  // Finish what was handed to us before stop so no posted resumption is lost.
  run_posted();
  run_flushes();
  run_deferred();
  run_chores();
  current_loop = nullptr;
}

bool EventLoop::run_once(int max_wait_ms) {
  current_loop = this;
  run_chores();  // queued between iterations (a listener started before run(), tests)
  epoll_event events[kMaxEvents];
  int count = epoll_wait(epoll_fd_, events, kMaxEvents, compute_timeout(max_wait_ms));
  now_ms_ = clock_ms();
  const bool received = receive_together(events, count);
  for (int i = 0; i < count; ++i) {
    auto* handler = static_cast<IoHandler*>(events[i].data.ptr);
    if (handler) {
      const int receive = received ? receive_of_event_[i] : -1;
      // A receive the ring never made (-ECANCELED) is left to its owner.
      current_received_ = receive >= 0 && ring_receives_[receive].result != -ECANCELED
                              ? &ring_receives_[receive]
                              : nullptr;
      handler->on_io(events[i].events);
      current_received_ = nullptr;
    } else {
      drain_wakeups();
    }
  }
  run_timers();
  run_posted();
  run_flushes();
  run_deferred();
  run_chores();
  return !stop_requested_;
}

int EventLoop::compute_timeout(int max_wait_ms) const {
  std::int64_t timeout = max_wait_ms;
  auto consider = [&timeout](std::int64_t ms) {
    if (ms >= 0 && (timeout < 0 || ms < timeout)) timeout = ms;
  };
  {
    // Posted work that arrived without a wake-up (posted from this thread) must not wait.
    std::lock_guard lock(const_cast<std::mutex&>(posted_mutex_));
    if (!posted_.empty()) return 0;
  }
  if (!deferred_.empty() || !flushes_.empty()) return 0;
  std::int64_t now = clock_ms();
  if (!timers_.empty()) consider(std::max<std::int64_t>(0, timers_.begin()->first - now));
  consider(wheel_.ms_until_next_tick(now));
  return static_cast<int>(timeout);
}

void EventLoop::drain_wakeups() noexcept {
  std::uint64_t value;
  while (::read(wake_fd_, &value, sizeof value) > 0) {
  }
}

void EventLoop::run_posted() {
  {
    std::lock_guard lock(posted_mutex_);
    running_.swap(posted_);
    wake_pending_ = false;
  }
  for (auto& fn : running_) fn();
  running_.clear();
}

void EventLoop::run_timers() {
  wheel_.advance(now_ms_);
  while (!timers_.empty() && timers_.begin()->first <= now_ms_) {
    auto fn = std::move(timers_.begin()->second.second);
    timers_.erase(timers_.begin());
    fn();
  }
}

void EventLoop::run_flushes() {
  do {
    // A flush may schedule another (a connection resumed by a write): it runs in the next round.
    while (!flushes_.empty()) {
      flushing_.swap(flushes_);
      send_together(flushing_);  // takes the queued chores along
      for (Flushable* flusher : flushing_) {
        flusher->flush_scheduled_ = false;
        flusher->flush();
      }
      flushing_.clear();
    }
    // An ADD is made before deferred work can destroy its handler, which a failure is reported
    // to (and which may then schedule a flush). Other chores (the close after a last send) wait
    // for the end of the iteration, and what deferred work queues joins them there.
    if (add_queued_) run_chores();
  } while (!flushes_.empty());
}

void EventLoop::send_together(const std::vector<Flushable*>& flushers) {
  if (!socket_ring_usable_ || (flushers.size() < 2 && chores_.empty())) return;
  // In slices of one ring's worth, so a fan-out to thousands of sockets needs no more memory.
  for (std::size_t from = 0; from < flushers.size() && socket_ring_usable_; from += kRingEntries) {
    const std::size_t to = std::min<std::size_t>(from + kRingEntries, flushers.size());
    send_slice(std::span(flushers).subspan(from, to - from));
  }
}

void EventLoop::send_slice(std::span<Flushable* const> flushers) {
  ring_sends_.clear();
  ring_senders_.clear();
  for (Flushable* flusher : flushers) {
    const PendingOutput output = flusher->pending_output();
    if (output.size == 0) continue;
    ring_sends_.push_back({output.fd, output.data, output.size, 0, output.flags});
    ring_senders_.push_back(flusher);
  }
  // A single send is as cheap made by its owner, unless chores make the call anyway.
  if ((ring_sends_.size() < 2 && chores_.empty()) || !ring_ready()) return;
  settling_.swap(chores_);
  add_queued_ = false;
  if (!socket_ring_->submit({settling_, ring_sends_, {}})) retire_ring();
  for (std::size_t i = 0; i < ring_sends_.size(); ++i) {
    if (ring_sends_[i].result > 0) {
      ring_senders_[i]->output_sent(static_cast<std::size_t>(ring_sends_[i].result));
    }
  }
  settle_chores(true);
}

bool EventLoop::receive_together(const epoll_event* events, int count) {
  if (!socket_ring_usable_ || count < 2) return false;
  ring_receives_.clear();
  receive_of_event_.assign(static_cast<std::size_t>(count), -1);
  for (int i = 0; i < count && ring_receives_.size() < kReceiveSlots; ++i) {
    auto* handler = static_cast<IoHandler*>(events[i].data.ptr);
    // Errors and hang-ups close the connection; nothing to read for them.
    if (!handler || !(events[i].events & EPOLLIN) || (events[i].events & (EPOLLERR | EPOLLHUP))) {
      continue;
    }
    const int fd = handler->receive_fd();
    if (fd < 0) continue;
    receive_of_event_[static_cast<std::size_t>(i)] = static_cast<int>(ring_receives_.size());
    ring_receives_.push_back({fd, nullptr, kReceiveSlotSize, 0});
  }
  // A single receive is as cheap made by its owner.
  if (ring_receives_.size() < 2 || !ring_ready()) return false;
  if (!receive_slots_) {
    receive_slots_ = std::make_unique_for_overwrite<char[]>(kReceiveSlots * kReceiveSlotSize);
  }
  for (std::size_t i = 0; i < ring_receives_.size(); ++i) {
    ring_receives_[i].buffer = receive_slots_.get() + i * kReceiveSlotSize;
  }
  if (!socket_ring_->receive_all(ring_receives_)) retire_ring();
  return true;
}

bool EventLoop::ring_ready() {
  if (!socket_ring_) socket_ring_ = SocketRing::create(kRingEntries);
  if (!socket_ring_) socket_ring_usable_ = false;
  return socket_ring_usable_;
}

void EventLoop::retire_ring() {
  // Owners read and write with plain system calls from now on; so does the loop with its
  // chores (settle_chores() makes those the ring left).
  socket_ring_.reset();
  socket_ring_usable_ = false;
}

void EventLoop::run_deferred() {
  while (!deferred_.empty()) {
    auto batch = std::move(deferred_);
    deferred_.clear();
    for (auto& fn : batch) fn();
    // Deferred work may schedule flushes (a connection handed to a WebSocket that writes, then
    // fails and is closed); they run before the next batch, which may destroy their objects.
    run_flushes();
  }
}

}  // namespace pulsarcpp::net
