#pragma once
// Sends or receives on many sockets with one system call. At the end of a loop iteration every
// connection with output has one send to make, and after epoll_wait every readable connection
// one receive; in this kind of VM a system call costs about a microsecond before it does any
// work, so handing each group to the kernel in one io_uring_enter instead of one call per
// socket is worth 7-13% of a loop's CPU on small requests (bench/README.md, "The floor").
// Waiting for readiness stays with epoll. The same call also carries the loop's changes to its
// epoll set and the closes of its sockets (RingChore), which a connection's first and last
// moments are made of.
//
// Every operation is non-blocking (MSG_DONTWAIT), so the kernel completes each one while
// submitting: when submit() returns, no buffer is referenced any more and each result is final.
// A full socket reports -EAGAIN and its owner falls back to waiting for EPOLLOUT as before; an
// empty one reports -EAGAIN too. Operations run in the order given: chores, sends, receives.
//
// Raw system calls against <linux/io_uring.h>: no library to link, for us or for consumers.

#include <sys/epoll.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

struct io_uring_sqe;
struct io_uring_cqe;

namespace pulsarcpp::net {

/// One send: `result` receives the byte count or -errno. `flags` are added to
/// MSG_NOSIGNAL | MSG_DONTWAIT.
struct RingSend {
  int fd = -1;
  const char* data = nullptr;
  std::size_t size = 0;
  std::int64_t result = 0;
  int flags = 0;
};

/// One receive for SocketRing::receive_all: `result` receives the byte count (0: the peer
/// finished sending) or -errno.
struct RingReceive {
  int fd = -1;
  char* buffer = nullptr;
  std::size_t capacity = 0;
  std::int64_t result = 0;

  /// The bytes received: none for an error or the peer's end.
  std::size_t size() const noexcept { return result > 0 ? static_cast<std::size_t>(result) : 0; }
  /// Copies the bytes to `dest` (room for size()) and returns what recv() would have: the
  /// count, 0, or -1 with errno set.
  long copy_to(char* dest) const noexcept;
};

/// A change to an epoll set (epoll_ctl ADD or MOD of `event` for `fd` in `epoll_fd`), or the
/// close of `fd`. `result` receives 0 or -errno.
struct RingChore {
  enum class Kind : std::uint8_t { epoll_add, epoll_modify, close };
  Kind kind = Kind::close;
  int fd = -1;
  int epoll_fd = -1;
  epoll_event event{};
  std::int64_t result = 0;
};

/// What one submit() hands to the kernel, in this order.
struct RingBatch {
  std::span<RingChore> chores;
  std::span<RingSend> sends;
  std::span<RingReceive> receives;

  std::size_t size() const noexcept { return chores.size() + sends.size() + receives.size(); }
};

class SocketRing {
 public:
  /// A ring for up to `entries` operations per system call, or nullptr when this kernel (or a
  /// seccomp policy, or kernel.io_uring_disabled) does not offer what it needs (Linux 5.19),
  /// or when PULSARCPP_IO_URING=0 is set in the environment.
  static std::unique_ptr<SocketRing> create(unsigned entries = 256);
  ~SocketRing();
  SocketRing(const SocketRing&) = delete;
  SocketRing& operator=(const SocketRing&) = delete;

  /// Runs every operation of the batch, in order, and stores each result. Returns false when
  /// the ring itself failed (then the results of operations not made are -ECANCELED and the
  /// ring must not be used again). Batches larger than the ring take one call per ring's worth.
  bool submit(RingBatch batch) noexcept;
  /// Sends each entry's bytes and stores its result; false as for submit.
  bool send_all(std::span<RingSend> sends) noexcept { return submit({{}, sends, {}}); }
  /// Receives into each entry's buffer and stores its result; false as for submit.
  bool receive_all(std::span<RingReceive> receives) noexcept { return submit({{}, {}, receives}); }

  /// Whether the environment allows the ring (PULSARCPP_IO_URING unset or not "0").
  static bool allowed_by_environment() noexcept;

 private:
  struct Mapping {
    void* address = nullptr;
    std::size_t size = 0;
  };

  SocketRing() = default;
  bool map(unsigned entries);
  bool run_chunk(const RingBatch& batch, std::size_t first, unsigned count) noexcept;
  bool wait_for(unsigned completions, const RingBatch& batch, std::size_t first) noexcept;
  unsigned reap(const RingBatch& batch, std::size_t first) noexcept;

  int fd_ = -1;
  Mapping sq_ring_, cq_ring_, sqes_map_;
  unsigned sq_entries_ = 0;
  unsigned* sq_head_ = nullptr;
  unsigned* sq_tail_ = nullptr;
  unsigned* sq_mask_ = nullptr;
  unsigned* sq_array_ = nullptr;
  unsigned* cq_head_ = nullptr;
  unsigned* cq_tail_ = nullptr;
  unsigned* cq_mask_ = nullptr;
  io_uring_sqe* sqes_ = nullptr;
  io_uring_cqe* cqes_ = nullptr;
};

}  // namespace pulsarcpp::net
