#pragma once
// Sends or receives on many sockets with one system call. At the end of a loop iteration every
// connection with output has one send to make, and after epoll_wait every readable connection
// one receive; in this kind of VM a system call costs about a microsecond before it does any
// work, so handing each group to the kernel in one io_uring_enter instead of one call per
// socket is worth 7-13% of a loop's CPU on small requests (bench/README.md, "The floor").
// Waiting for readiness stays with epoll.
//
// Every operation is non-blocking (MSG_DONTWAIT), so the kernel completes each one while
// submitting: when send_all() or receive_all() returns, no buffer is referenced any more and
// each result is final. A full socket reports -EAGAIN and its owner falls back to waiting for
// EPOLLOUT as before; an empty one reports -EAGAIN too.
//
// Raw system calls against <linux/io_uring.h>: no library to link, for us or for consumers.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

struct io_uring_sqe;
struct io_uring_cqe;

namespace pulsarcpp::net {

/// One send for SocketRing::send_all: `result` receives the byte count or -errno.
struct RingSend {
  int fd = -1;
  const char* data = nullptr;
  std::size_t size = 0;
  std::int64_t result = 0;
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

class SocketRing {
 public:
  /// A ring for up to `entries` operations per system call, or nullptr when this kernel (or a
  /// seccomp policy, or kernel.io_uring_disabled) does not offer what it needs (Linux 5.19),
  /// or when PULSARCPP_IO_URING=0 is set in the environment.
  static std::unique_ptr<SocketRing> create(unsigned entries = 256);
  ~SocketRing();
  SocketRing(const SocketRing&) = delete;
  SocketRing& operator=(const SocketRing&) = delete;

  /// Sends each entry's bytes and stores its result. Returns false when the ring itself failed
  /// (then results of sends not made are -ECANCELED and the ring must not be used again).
  bool send_all(std::span<RingSend> sends) noexcept;
  /// Receives into each entry's buffer and stores its result; false as for send_all.
  bool receive_all(std::span<RingReceive> receives) noexcept;

  /// Whether the environment allows the ring (PULSARCPP_IO_URING unset or not "0").
  static bool allowed_by_environment() noexcept;

 private:
  struct Mapping {
    void* address = nullptr;
    std::size_t size = 0;
  };

  SocketRing() = default;
  bool map(unsigned entries);
  template <typename Operation>
  bool run_all(std::span<Operation> operations) noexcept;
  template <typename Operation>
  bool run_chunk(std::span<Operation> operations) noexcept;
  template <typename Operation>
  bool wait_for(unsigned completions, std::span<Operation> operations) noexcept;
  template <typename Operation>
  unsigned reap(std::span<Operation> operations) noexcept;

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
