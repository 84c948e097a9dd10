#pragma once
// Sends on many sockets with one system call. At the end of a loop iteration every connection
// with output has one send to make; in this kind of VM a system call costs about a microsecond
// before it does any work, so handing them all to the kernel in one io_uring_enter instead of
// one send() each is worth 7-13% of a loop's CPU on small responses (bench/README.md, "The
// floor"). Readiness, receiving and everything else stay with epoll.
//
// Every send is non-blocking (MSG_DONTWAIT), so the kernel completes each one while submitting:
// when send_all() returns, no buffer is referenced any more and each result is final. A socket
// that is full reports -EAGAIN and its owner falls back to waiting for EPOLLOUT as before.
//
// Raw system calls against <linux/io_uring.h>: no library to link, for us or for consumers.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

struct io_uring_sqe;
struct io_uring_cqe;

namespace pulsarcpp::net {

/// One send for SendRing::send_all: `result` receives the byte count or -errno.
struct RingSend {
  int fd = -1;
  const char* data = nullptr;
  std::size_t size = 0;
  std::int64_t result = 0;
};

class SendRing {
 public:
  /// A ring for up to `entries` sends per system call, or nullptr when this kernel (or a
  /// seccomp policy, or kernel.io_uring_disabled) does not offer what it needs (Linux 5.19),
  /// or when PULSARCPP_IO_URING=0 is set in the environment.
  static std::unique_ptr<SendRing> create(unsigned entries = 256);
  ~SendRing();
  SendRing(const SendRing&) = delete;
  SendRing& operator=(const SendRing&) = delete;

  /// Sends each entry's bytes and stores its result. Returns false when the ring itself failed
  /// (then results of sends not made are -ECANCELED and the ring must not be used again).
  bool send_all(std::span<RingSend> sends) noexcept;

  /// Whether the environment allows the ring (PULSARCPP_IO_URING unset or not "0").
  static bool allowed_by_environment() noexcept;

 private:
  struct Mapping {
    void* address = nullptr;
    std::size_t size = 0;
  };

  SendRing() = default;
  bool map(unsigned entries);
  bool send_chunk(std::span<RingSend> sends) noexcept;
  bool wait_for(unsigned completions, std::span<RingSend> sends) noexcept;
  unsigned reap(std::span<RingSend> sends) noexcept;

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
