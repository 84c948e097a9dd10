#include "net/socket_ring.hpp"

#include <linux/io_uring.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace pulsarcpp::net {
namespace {

// One operation moves at most this much; the owner's own call moves what is left.
constexpr std::size_t kMaxTransferSize = std::size_t{1} << 30;

int io_uring_setup(unsigned entries, io_uring_params* params) noexcept {
  return static_cast<int>(::syscall(__NR_io_uring_setup, entries, params));
}

int io_uring_enter(int fd, unsigned to_submit, unsigned min_complete, unsigned flags) noexcept {
  return static_cast<int>(
      ::syscall(__NR_io_uring_enter, fd, to_submit, min_complete, flags, nullptr, 0));
}

// The rings are shared with the kernel: our stores to a tail (or the CQ head) publish, our loads
// of its head (or the CQ tail) acquire.
unsigned load_acquire(const unsigned* p) noexcept { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
void store_release(unsigned* p, unsigned v) noexcept { __atomic_store_n(p, v, __ATOMIC_RELEASE); }

template <typename T>
T* at(void* base, std::uint32_t offset) noexcept {
  return reinterpret_cast<T*>(static_cast<char*>(base) + offset);
}

void* map_region(int fd, std::size_t size, off_t offset) noexcept {
  void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, offset);
  return p == MAP_FAILED ? nullptr : p;
}

}  // namespace

bool SocketRing::allowed_by_environment() noexcept {
  const char* setting = std::getenv("PULSARCPP_IO_URING");
  return !(setting && std::strcmp(setting, "0") == 0);
}

std::unique_ptr<SocketRing> SocketRing::create(unsigned entries) {
  if (!allowed_by_environment()) return nullptr;
  std::unique_ptr<SocketRing> ring(new SocketRing());
  if (!ring->map(entries)) return nullptr;
  return ring;
}

bool SocketRing::map(unsigned entries) {
  io_uring_params params{};
  // SUBMIT_ALL (5.18): a bad entry does not stop the others, so every submitted one completes.
  // COOP_TASKRUN (5.19): no interrupt to run completions; we collect them in the same call.
  params.flags = IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN;
  fd_ = io_uring_setup(entries, &params);
  if (fd_ < 0) return false;
  sq_entries_ = params.sq_entries;

  sq_ring_.size = params.sq_off.array + params.sq_entries * sizeof(unsigned);
  cq_ring_.size = params.cq_off.cqes + params.cq_entries * sizeof(io_uring_cqe);
  const bool single_mmap = (params.features & IORING_FEAT_SINGLE_MMAP) != 0;
  if (single_mmap) sq_ring_.size = cq_ring_.size = std::max(sq_ring_.size, cq_ring_.size);
  sq_ring_.address = map_region(fd_, sq_ring_.size, IORING_OFF_SQ_RING);
  if (!sq_ring_.address) return false;
  if (single_mmap) {
    cq_ring_.address = sq_ring_.address;
  } else {
    cq_ring_.address = map_region(fd_, cq_ring_.size, IORING_OFF_CQ_RING);
    if (!cq_ring_.address) return false;
  }
  sqes_map_.size = params.sq_entries * sizeof(io_uring_sqe);
  sqes_map_.address = map_region(fd_, sqes_map_.size, IORING_OFF_SQES);
  if (!sqes_map_.address) return false;

  sq_head_ = at<unsigned>(sq_ring_.address, params.sq_off.head);
  sq_tail_ = at<unsigned>(sq_ring_.address, params.sq_off.tail);
  sq_mask_ = at<unsigned>(sq_ring_.address, params.sq_off.ring_mask);
  sq_array_ = at<unsigned>(sq_ring_.address, params.sq_off.array);
  cq_head_ = at<unsigned>(cq_ring_.address, params.cq_off.head);
  cq_tail_ = at<unsigned>(cq_ring_.address, params.cq_off.tail);
  cq_mask_ = at<unsigned>(cq_ring_.address, params.cq_off.ring_mask);
  cqes_ = at<io_uring_cqe>(cq_ring_.address, params.cq_off.cqes);
  sqes_ = static_cast<io_uring_sqe*>(sqes_map_.address);
  return true;
}

SocketRing::~SocketRing() {
  if (sqes_map_.address) ::munmap(sqes_map_.address, sqes_map_.size);
  if (cq_ring_.address && cq_ring_.address != sq_ring_.address) {
    ::munmap(cq_ring_.address, cq_ring_.size);
  }
  if (sq_ring_.address) ::munmap(sq_ring_.address, sq_ring_.size);
  if (fd_ >= 0) ::close(fd_);
}

long RingReceive::copy_to(char* dest) const noexcept {
  if (result < 0) {
    errno = static_cast<int>(-result);
    return -1;
  }
  if (result > 0) std::memcpy(dest, buffer, size());
  return static_cast<long>(result);
}

namespace {
void prepare(io_uring_sqe& sqe, const RingChore& chore) noexcept {
  switch (chore.kind) {
    case RingChore::Kind::epoll_add:
    case RingChore::Kind::epoll_modify:
      sqe.opcode = IORING_OP_EPOLL_CTL;
      sqe.fd = chore.epoll_fd;
      sqe.off = static_cast<std::uint64_t>(chore.fd);
      sqe.len = chore.kind == RingChore::Kind::epoll_add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
      sqe.addr = reinterpret_cast<std::uint64_t>(&chore.event);
      break;
    case RingChore::Kind::close:
      sqe.opcode = IORING_OP_CLOSE;
      sqe.fd = chore.fd;
      break;
  }
}

void prepare(io_uring_sqe& sqe, const RingSend& send) noexcept {
  sqe.opcode = IORING_OP_SEND;
  sqe.fd = send.fd;
  sqe.addr = reinterpret_cast<std::uint64_t>(send.data);
  sqe.len = static_cast<std::uint32_t>(std::min(send.size, kMaxTransferSize));
  sqe.msg_flags = static_cast<std::uint32_t>(MSG_NOSIGNAL | MSG_DONTWAIT | send.flags);
}

void prepare(io_uring_sqe& sqe, const RingReceive& receive) noexcept {
  sqe.opcode = IORING_OP_RECV;
  sqe.fd = receive.fd;
  sqe.addr = reinterpret_cast<std::uint64_t>(receive.buffer);
  sqe.len = static_cast<std::uint32_t>(std::min(receive.capacity, kMaxTransferSize));
  sqe.msg_flags = MSG_DONTWAIT;
}

// The batch's operations numbered as one sequence: chores, then sends, then receives.
template <typename Visit>
void visit(const RingBatch& batch, std::size_t index, Visit&& fn) noexcept {
  if (index < batch.chores.size()) return fn(batch.chores[index]);
  index -= batch.chores.size();
  if (index < batch.sends.size()) return fn(batch.sends[index]);
  fn(batch.receives[index - batch.sends.size()]);
}

void set_result(const RingBatch& batch, std::size_t index, std::int64_t result) noexcept {
  visit(batch, index, [result](auto& operation) { operation.result = result; });
}
}  // namespace

bool SocketRing::submit(RingBatch batch) noexcept {
  const std::size_t total = batch.size();
  for (std::size_t done = 0; done < total; done += sq_entries_) {
    const auto count = static_cast<unsigned>(std::min<std::size_t>(sq_entries_, total - done));
    if (!run_chunk(batch, done, count)) {
      for (std::size_t i = done + count; i < total; ++i) set_result(batch, i, -ECANCELED);
      return false;
    }
  }
  return true;
}

bool SocketRing::run_chunk(const RingBatch& batch, std::size_t first, unsigned count) noexcept {
  const unsigned tail = *sq_tail_;  // only we write the SQ tail
  for (unsigned i = 0; i < count; ++i) {
    const unsigned slot = (tail + i) & *sq_mask_;
    io_uring_sqe& sqe = sqes_[slot];
    std::memset(&sqe, 0, sizeof sqe);
    visit(batch, first + i, [&sqe](auto& operation) {
      prepare(sqe, operation);
      operation.result = -ECANCELED;
    });
    sqe.user_data = i;
    sq_array_[slot] = slot;
  }
  const unsigned head = load_acquire(sq_head_);
  store_release(sq_tail_, tail + count);
  // Waiting for all of them costs nothing extra: non-blocking operations complete during
  // submission. The wait makes that a guarantee, so no buffer is still referenced once we
  // return.
  io_uring_enter(fd_, count, count, IORING_ENTER_GETEVENTS);
  // Whatever the call returned (an interrupted wait included), the kernel's SQ head says how
  // many it took. Each taken entry completes (SUBMIT_ALL), and must have before any buffer may
  // change. Entries it never took stay in the ring, which is then retired.
  const unsigned taken = load_acquire(sq_head_) - head;
  const bool waited = wait_for(taken, batch, first);
  return waited && taken == count;
}

bool SocketRing::wait_for(unsigned completions, const RingBatch& batch,
                          std::size_t first) noexcept {
  unsigned reaped = reap(batch, first);
  while (reaped < completions) {
    const int r = io_uring_enter(fd_, 0, completions - reaped, IORING_ENTER_GETEVENTS);
    if (r < 0 && errno != EINTR) return false;
    reaped += reap(batch, first);
  }
  return true;
}

unsigned SocketRing::reap(const RingBatch& batch, std::size_t first) noexcept {
  unsigned head = *cq_head_;  // only we write the CQ head
  const unsigned tail = load_acquire(cq_tail_);
  unsigned reaped = 0;
  for (; head != tail; ++head, ++reaped) {
    const io_uring_cqe& cqe = cqes_[head & *cq_mask_];
    const std::size_t index = first + cqe.user_data;
    if (index < batch.size()) set_result(batch, index, cqe.res);
  }
  store_release(cq_head_, head);
  return reaped;
}

}  // namespace pulsarcpp::net
