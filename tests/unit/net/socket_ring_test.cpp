#include "net/socket_ring.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "support/socket_pair.hpp"

namespace pulsarcpp::net {
namespace {

using test::SocketPair;
using test::stream_piece;

// The ring, or a skipped test where this kernel (or a sandbox) offers no io_uring: the loop
// then sends with send() as before, which the connection tests cover.
#define RING_OR_SKIP(name, ...)               \
  auto name = SocketRing::create(__VA_ARGS__);  \
  if (!name) GTEST_SKIP() << "io_uring is not available here"

// Fills the socket's send buffer until it would block.
void fill(int fd) {
  const std::string chunk(4096, 'x');
  while (::send(fd, chunk.data(), chunk.size(), MSG_DONTWAIT | MSG_NOSIGNAL) > 0) {
  }
}

TEST(SocketRing, SendsEachBufferOnItsSocket) {
  RING_OR_SKIP(ring);
  std::vector<std::unique_ptr<SocketPair>> pairs;
  std::vector<std::string> payloads;
  std::vector<RingSend> sends;
  for (std::size_t i = 0; i < 5; ++i) {
    pairs.push_back(std::make_unique<SocketPair>());
    payloads.push_back(stream_piece(i * 1000, 100 + i * 37));
  }
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    sends.push_back({pairs[i]->writer, payloads[i].data(), payloads[i].size(), 0});
  }
  ASSERT_TRUE(ring->send_all(sends));
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    EXPECT_EQ(sends[i].result, static_cast<std::int64_t>(payloads[i].size()));
    EXPECT_EQ(pairs[i]->read_up_to(payloads[i].size() + 1), payloads[i]);
  }
}

TEST(SocketRing, AFullSocketSaysEagainAtOnceAndTheOthersStillGo) {
  RING_OR_SKIP(ring);
  SocketPair full;
  SocketPair open;
  fill(full.writer);
  const std::string payload = stream_piece(0, 64);
  std::vector<RingSend> sends{{full.writer, payload.data(), payload.size(), 0},
                              {open.writer, payload.data(), payload.size(), 0}};
  ASSERT_TRUE(ring->send_all(sends));
  EXPECT_EQ(sends[0].result, -EAGAIN);
  EXPECT_EQ(sends[1].result, static_cast<std::int64_t>(payload.size()));
  EXPECT_EQ(open.read_up_to(1000), payload);
}

TEST(SocketRing, APartialSendSaysHowMuchWent) {
  RING_OR_SKIP(ring);
  SocketPair pair;  // small buffers
  const std::string payload = stream_piece(0, 1 << 20);
  std::vector<RingSend> sends{{pair.writer, payload.data(), payload.size(), 0}};
  ASSERT_TRUE(ring->send_all(sends));
  ASSERT_GT(sends[0].result, 0);
  EXPECT_LT(sends[0].result, static_cast<std::int64_t>(payload.size()));
  const auto went = static_cast<std::size_t>(sends[0].result);
  EXPECT_EQ(pair.read_up_to(went + 1), payload.substr(0, went));
}

TEST(SocketRing, ABrokenPeerIsAnErrorNotASignal) {
  RING_OR_SKIP(ring);
  SocketPair other;
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
  ::close(fds[1]);  // the peer is gone: a send would raise SIGPIPE without MSG_NOSIGNAL
  const std::string payload = "hello";
  std::vector<RingSend> sends{{fds[0], payload.data(), payload.size(), 0},
                              {other.writer, payload.data(), payload.size(), 0}};
  ASSERT_TRUE(ring->send_all(sends));
  EXPECT_EQ(sends[0].result, -EPIPE);
  EXPECT_EQ(sends[1].result, 5);
  ::close(fds[0]);
}

TEST(SocketRing, ABadDescriptorFailsOnlyItsOwnSend) {
  RING_OR_SKIP(ring);
  SocketPair pair;
  const std::string payload = "hello";
  std::vector<RingSend> sends{{-1, payload.data(), payload.size(), 0},
                              {pair.writer, payload.data(), payload.size(), 0}};
  ASSERT_TRUE(ring->send_all(sends));
  EXPECT_EQ(sends[0].result, -EBADF);
  EXPECT_EQ(sends[1].result, 5);
  EXPECT_EQ(pair.read_up_to(100), payload);
}

TEST(SocketRing, MoreSendsThanEntriesTakeSeveralRounds) {
  RING_OR_SKIP(ring, 4);
  std::vector<std::unique_ptr<SocketPair>> pairs;
  std::vector<std::string> payloads;
  std::vector<RingSend> sends;
  for (std::size_t i = 0; i < 11; ++i) {
    pairs.push_back(std::make_unique<SocketPair>());
    payloads.push_back(stream_piece(i, 10 + i));
  }
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    sends.push_back({pairs[i]->writer, payloads[i].data(), payloads[i].size(), 0});
  }
  for (int round = 0; round < 3; ++round) {  // and the ring is reusable afterwards
    ASSERT_TRUE(ring->send_all(sends));
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      EXPECT_EQ(sends[i].result, static_cast<std::int64_t>(payloads[i].size())) << i;
      EXPECT_EQ(pairs[i]->read_up_to(1000), payloads[i]) << i;
    }
  }
}

TEST(SocketRing, ReceivesWhatEachSocketHolds) {
  RING_OR_SKIP(ring);
  SocketPair a, b, empty, finished;
  const std::string to_a = stream_piece(0, 300);
  ASSERT_EQ(::send(a.reader, to_a.data(), to_a.size(), 0), 300);  // the pair works both ways
  ASSERT_EQ(::send(b.reader, "hello", 5, 0), 5);
  ::shutdown(finished.reader, SHUT_WR);
  char buffers[4][512];
  std::vector<RingReceive> receives{{a.writer, buffers[0], 512, 0},
                                    {b.writer, buffers[1], 3, 0},  // less room than bytes
                                    {empty.writer, buffers[2], 512, 0},
                                    {finished.writer, buffers[3], 512, 0}};
  ASSERT_TRUE(ring->receive_all(receives));
  EXPECT_EQ(receives[0].result, 300);
  EXPECT_EQ(std::string(buffers[0], 300), to_a);
  EXPECT_EQ(receives[1].result, 3);
  EXPECT_EQ(std::string(buffers[1], 3), "hel");
  EXPECT_EQ(receives[2].result, -EAGAIN);  // nothing there: no waiting
  EXPECT_EQ(receives[3].result, 0);        // the peer finished sending
  char rest[8];
  EXPECT_EQ(::recv(b.writer, rest, sizeof rest, 0), 2);  // what did not fit is still there
}

TEST(SocketRing, NothingToSendIsFine) {
  RING_OR_SKIP(ring);
  std::vector<RingSend> none;
  EXPECT_TRUE(ring->send_all(none));
}

TEST(SocketRing, TheEnvironmentCanSwitchItOff) {
  ::setenv("PULSARCPP_IO_URING", "0", 1);
  EXPECT_FALSE(SocketRing::allowed_by_environment());
  EXPECT_EQ(SocketRing::create(), nullptr);
  ::setenv("PULSARCPP_IO_URING", "1", 1);
  EXPECT_TRUE(SocketRing::allowed_by_environment());
  ::unsetenv("PULSARCPP_IO_URING");
  EXPECT_TRUE(SocketRing::allowed_by_environment());
}

TEST(SocketRing, ChoresChangeTheEpollSetAndClose) {
  RING_OR_SKIP(ring);
  const int epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  ASSERT_GE(epoll_fd, 0);
  SocketPair watched, closed;
  ASSERT_EQ(::send(watched.reader, "x", 1, 0), 1);
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  int marker = 0;
  std::vector<RingChore> chores{
      {RingChore::Kind::epoll_add, watched.writer, epoll_fd, {0, {}}, 0},
      {RingChore::Kind::epoll_modify, watched.writer, epoll_fd, {EPOLLIN, {.ptr = &marker}}, 0},
      {RingChore::Kind::epoll_add, ::fileno(file), epoll_fd, {EPOLLIN, {}}, 0},
      {RingChore::Kind::close, std::exchange(closed.writer, -1), -1, {}, 0},
  };
  ASSERT_TRUE(ring->submit({chores, {}, {}}));
  EXPECT_EQ(chores[0].result, 0);
  EXPECT_EQ(chores[1].result, 0);  // made after the add, in order
  EXPECT_EQ(chores[2].result, -EPERM);  // a regular file cannot be watched
  EXPECT_EQ(chores[3].result, 0);
  epoll_event event{};
  ASSERT_EQ(::epoll_wait(epoll_fd, &event, 1, 0), 1);
  EXPECT_EQ(event.data.ptr, &marker);
  char byte;
  EXPECT_EQ(::recv(closed.reader, &byte, 1, 0), 0);  // the closed socket's peer sees the end
  std::fclose(file);
  ::close(epoll_fd);
}

TEST(SocketRing, ABatchRunsItsChoresBeforeItsSends) {
  RING_OR_SKIP(ring);
  SocketPair open, closing;
  const std::string payload = "after";
  std::vector<RingChore> chores{{RingChore::Kind::close, closing.writer, -1, {}, 0}};
  std::vector<RingSend> sends{{open.writer, payload.data(), payload.size(), 0},
                              {closing.writer, payload.data(), payload.size(), 0}};
  closing.writer = -1;
  ASSERT_TRUE(ring->submit({chores, sends, {}}));
  EXPECT_EQ(sends[0].result, static_cast<std::int64_t>(payload.size()));
  EXPECT_EQ(sends[1].result, -EBADF);  // its socket was closed first
  EXPECT_EQ(open.read_up_to(100), payload);
}

// A connected TCP pair over loopback (MSG_MORE means something only to TCP).
struct TcpPair {
  TcpPair() {
    const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    EXPECT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    EXPECT_EQ(::listen(listener, 1), 0);
    EXPECT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);
    client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    EXPECT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    server = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    ::close(listener);
  }
  ~TcpPair() {
    if (client >= 0) ::close(client);
    if (server >= 0) ::close(server);
  }
  int client = -1;
  int server = -1;
};

TEST(SocketRing, ASendWithMsgMoreWaitsForTheCloseThatAddsItsFin) {
  RING_OR_SKIP(ring);
  TcpPair pair;
  const std::string payload = "held";
  std::vector<RingSend> sends{{pair.server, payload.data(), payload.size(), 0, MSG_MORE}};
  ASSERT_TRUE(ring->send_all(sends));
  EXPECT_EQ(sends[0].result, static_cast<std::int64_t>(payload.size()));
  pollfd readable{pair.client, POLLIN, 0};
  EXPECT_EQ(::poll(&readable, 1, 50), 0) << "a small segment with MSG_MORE is held back";
  ::close(std::exchange(pair.server, -1));
  char got[16];
  EXPECT_EQ(::recv(pair.client, got, sizeof got, 0), 4);  // both come now, together
  EXPECT_EQ(std::string(got, 4), payload);
  EXPECT_EQ(::recv(pair.client, got, sizeof got, 0), 0);
}

}  // namespace
}  // namespace pulsarcpp::net
