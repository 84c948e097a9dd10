// The same floor with io_uring's completion model, to measure what leaving epoll would be worth:
// one io_uring_enter per loop iteration submits every send and waits for what arrived, with
// multishot accept and multishot receive into a ring of provided buffers. Needs liburing
// (Debian liburing-dev) and Linux 6.0 or later. See bench/README.md ("The floor").

#include <liburing.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "floor_common.hpp"

namespace {

constexpr unsigned kBuffers = 1024;  // provided receive buffers, a power of two
constexpr unsigned kBufferSize = 4096;
constexpr int kGroup = 1;

enum class Kind : std::uint32_t { accept, receive, send };

std::uint64_t tag(Kind kind, int fd) {
  return (static_cast<std::uint64_t>(kind) << 32) | static_cast<std::uint32_t>(fd);
}

struct Connection {
  floor_server::RequestCounter counter;
  std::string pending;   // answers not yet handed to the kernel
  std::string sending;   // the bytes of the send in flight (must live until it completes)
  bool ended = false;    // the client is gone; close once no send is in flight
};

class Server {
 public:
  explicit Server(int listener) : listener_(listener), connections_(65536) {
    io_uring_params params{};
    params.flags = IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN |
                   IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
    if (io_uring_queue_init_params(4096, &ring_, &params) != 0) fail("io_uring_queue_init");
    setup_buffers();
    accept();
  }

  [[noreturn]] void run() {
    for (;;) {
      io_uring_submit_and_wait(&ring_, 1);
      io_uring_cqe* cqe;
      unsigned head;
      unsigned seen = 0;
      io_uring_for_each_cqe(&ring_, head, cqe) {
        ++seen;
        on_completion(*cqe);
      }
      io_uring_cq_advance(&ring_, seen);
    }
  }

 private:
  [[noreturn]] static void fail(const char* what) {
    std::perror(what);
    std::exit(1);
  }

  void setup_buffers() {
    const std::size_t ring_bytes = kBuffers * sizeof(io_uring_buf);
    void* mapped = ::mmap(nullptr, ring_bytes, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE,
                          -1, 0);
    if (mapped == MAP_FAILED) fail("mmap");
    buffer_ring_ = static_cast<io_uring_buf_ring*>(mapped);
    io_uring_buf_reg reg{};
    reg.ring_addr = reinterpret_cast<std::uintptr_t>(buffer_ring_);
    reg.ring_entries = kBuffers;
    reg.bgid = kGroup;
    if (io_uring_register_buf_ring(&ring_, &reg, 0) != 0) fail("io_uring_register_buf_ring");
    io_uring_buf_ring_init(buffer_ring_);
    buffers_.resize(std::size_t{kBuffers} * kBufferSize);
    for (unsigned i = 0; i < kBuffers; ++i) give_back(i, static_cast<int>(i));
    io_uring_buf_ring_advance(buffer_ring_, static_cast<int>(kBuffers));
  }

  char* buffer(unsigned id) { return buffers_.data() + std::size_t{id} * kBufferSize; }

  void give_back(unsigned id, int offset) {
    io_uring_buf_ring_add(buffer_ring_, buffer(id), kBufferSize, static_cast<unsigned short>(id),
                          io_uring_buf_ring_mask(kBuffers), offset);
  }

  io_uring_sqe* sqe_for(Kind kind, int fd) {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    if (!sqe) {  // full: hand what is queued to the kernel first
      io_uring_submit(&ring_);
      sqe = io_uring_get_sqe(&ring_);
    }
    sqe->user_data = tag(kind, fd);  // liburing's prep helpers leave it as it is
    return sqe;
  }

  void accept() {
    io_uring_sqe* sqe = sqe_for(Kind::accept, listener_);
    io_uring_prep_multishot_accept(sqe, listener_, nullptr, nullptr, 0);
  }

  void receive(int fd) {
    io_uring_sqe* sqe = sqe_for(Kind::receive, fd);
    io_uring_prep_recv_multishot(sqe, fd, nullptr, 0, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = kGroup;
  }

  void send_pending(int fd) {
    Connection& c = connections_[static_cast<std::size_t>(fd)];
    if (!c.sending.empty() || c.pending.empty()) return;
    c.sending.swap(c.pending);
    io_uring_sqe* sqe = sqe_for(Kind::send, fd);
    io_uring_prep_send(sqe, fd, c.sending.data(), c.sending.size(), MSG_NOSIGNAL);
  }

  void on_completion(const io_uring_cqe& cqe) {
    const auto kind = static_cast<Kind>(cqe.user_data >> 32);
    const int fd = static_cast<int>(cqe.user_data & 0xffffffffu);
    switch (kind) {
      case Kind::accept:
        if (cqe.res >= 0) {
          connections_[static_cast<std::size_t>(cqe.res)] = Connection{};
          receive(cqe.res);
        }
        if (!(cqe.flags & IORING_CQE_F_MORE)) accept();  // the kernel ended the multishot
        break;
      case Kind::receive:
        on_receive(fd, cqe);
        break;
      case Kind::send: {
        Connection& c = connections_[static_cast<std::size_t>(fd)];
        if (c.ended) {
          ::close(fd);  // only now may the descriptor be reused by an accept
          break;
        }
        if (cqe.res > 0 && static_cast<std::size_t>(cqe.res) < c.sending.size()) {
          c.pending.insert(0, c.sending, static_cast<std::size_t>(cqe.res));
        }
        c.sending.clear();
        if (cqe.res > 0) send_pending(fd);
        break;
      }
    }
  }

  void on_receive(int fd, const io_uring_cqe& cqe) {
    const bool more = (cqe.flags & IORING_CQE_F_MORE) != 0;
    if (cqe.res > 0) {
      const unsigned id = cqe.flags >> IORING_CQE_BUFFER_SHIFT;
      Connection& c = connections_[static_cast<std::size_t>(fd)];
      for (int r = c.counter.feed(buffer(id), static_cast<std::size_t>(cqe.res)); r > 0; --r) {
        c.pending += response_.bytes();
      }
      give_back(id, 0);
      io_uring_buf_ring_advance(buffer_ring_, 1);
      send_pending(fd);
    }
    if (more) return;
    if (cqe.res > 0 || cqe.res == -ENOBUFS) {
      receive(fd);  // the multishot receive ended (buffers ran out): arm it again
    } else {
      Connection& c = connections_[static_cast<std::size_t>(fd)];  // end of stream or an error
      c.ended = true;
      if (c.sending.empty()) ::close(fd);
    }
  }

  io_uring ring_{};
  int listener_;
  io_uring_buf_ring* buffer_ring_ = nullptr;
  std::vector<char> buffers_;
  std::vector<Connection> connections_;
  floor_server::Response response_;
};

}  // namespace

int main() {
  Server server(floor_server::listen_on(floor_server::port_from_env(), 0));
  server.run();
}
