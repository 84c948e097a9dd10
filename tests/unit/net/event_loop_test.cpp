#include "net/event_loop.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "net/socket_io.hpp"
#include "net/thread_sanitizer.hpp"
#include "support/socket_pair.hpp"

namespace pulsarcpp::net {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Runs iterations until `done` holds; fails (instead of hanging) after `limit`.
template <class Predicate>
bool run_until(EventLoop& loop, Predicate done, std::chrono::milliseconds limit = 5s) {
  const auto deadline = Clock::now() + limit;
  while (!done()) {
    if (Clock::now() > deadline) return false;
    loop.run_once(50);
  }
  return true;
}

class RecordingFlusher final : public Flushable {
 public:
  explicit RecordingFlusher(std::vector<std::string>& log, std::string name = "flush")
      : log_(log), name_(std::move(name)) {}
  void flush() override {
    ++count;
    log_.push_back(name_);
    if (on_flush) on_flush();
  }
  int count = 0;
  std::function<void()> on_flush;

 private:
  std::vector<std::string>& log_;
  std::string name_;
};

TEST(EventLoopTest, CurrentIsTheRunningLoop) {
  EventLoop loop;
  EXPECT_EQ(EventLoop::current(), nullptr);
  EventLoop* seen = nullptr;
  loop.post([&] { seen = EventLoop::current(); });
  loop.run_once(0);
  EXPECT_EQ(seen, &loop);
  EventLoop* other_thread = &loop;
  std::thread([&] { other_thread = EventLoop::current(); }).join();
  EXPECT_EQ(other_thread, nullptr);
}

TEST(EventLoopTest, PostsFromManyThreadsAllRunInOrderPerThread) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 2000;
  EventLoop loop;
  std::vector<std::vector<int>> seen(kThreads);  // touched only on the loop thread
  std::thread runner([&] { loop.run(); });
  std::vector<std::thread> producers;
  for (int t = 0; t < kThreads; ++t) {
    producers.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) loop.post([&seen, t, i] { seen[t].push_back(i); });
    });
  }
  for (auto& producer : producers) producer.join();
  loop.stop();
  runner.join();
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(seen[t].size(), static_cast<std::size_t>(kPerThread)) << "thread " << t;
    for (int i = 0; i < kPerThread; ++i) ASSERT_EQ(seen[t][i], i) << "thread " << t;
  }
}

TEST(EventLoopTest, PostFromAnotherThreadWakesABlockedLoop) {
  EventLoop loop;
  std::atomic<bool> ran{false};
  std::thread poster([&] { loop.post([&] { ran = true; }); });
  const auto started = Clock::now();
  // Without the eventfd wake-up this would sleep for the full 5 s.
  while (!ran && Clock::now() - started < 5s) loop.run_once(5000);
  poster.join();
  EXPECT_TRUE(ran);
  EXPECT_LT(Clock::now() - started, 4s);
}

TEST(EventLoopTest, PostFromTheLoopRunsWithoutWaiting) {
  EventLoop loop;
  int runs = 0;
  loop.post([&] {
    ++runs;
    loop.post([&] { ++runs; });  // must not wait for an event to be noticed
  });
  const auto started = Clock::now();
  loop.run_once(0);
  loop.run_once(5000);
  EXPECT_EQ(runs, 2);
  EXPECT_LT(Clock::now() - started, 1s);
}

TEST(EventLoopTest, TimersFireInDeadlineOrder) {
  EventLoop loop;
  std::vector<int> order;
  loop.add_timer(30ms, [&] { order.push_back(30); });
  loop.add_timer(10ms, [&] { order.push_back(10); });
  loop.add_timer(20ms, [&] { order.push_back(20); });
  ASSERT_TRUE(run_until(loop, [&] { return order.size() == 3; }));
  EXPECT_EQ(order, (std::vector<int>{10, 20, 30}));
}

TEST(EventLoopTest, TimersWithTheSameDelayFireInInsertionOrder) {
  EventLoop loop;
  std::vector<int> order;
  for (int i = 0; i < 5; ++i) loop.add_timer(0ms, [&, i] { order.push_back(i); });
  ASSERT_TRUE(run_until(loop, [&] { return order.size() == 5; }));
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST(EventLoopTest, TimerDoesNotFireBeforeItsDelay) {
  EventLoop loop;
  bool fired = false;
  const auto started = Clock::now();
  loop.add_timer(50ms, [&] { fired = true; });
  ASSERT_TRUE(run_until(loop, [&] { return fired; }));
  EXPECT_GE(Clock::now() - started, 50ms);
}

TEST(EventLoopTest, CancelledTimerNeverFires) {
  EventLoop loop;
  std::vector<int> order;
  loop.add_timer(10ms, [&] { order.push_back(1); });
  auto cancelled = loop.add_timer(20ms, [&] { order.push_back(2); });
  loop.add_timer(30ms, [&] { order.push_back(3); });
  loop.cancel_timer(cancelled);
  loop.cancel_timer(cancelled);  // twice is harmless
  loop.cancel_timer(987654);     // unknown ids too
  ASSERT_TRUE(run_until(loop, [&] { return order.size() == 2; }));
  EXPECT_EQ(order, (std::vector<int>{1, 3}));
}

TEST(EventLoopTest, TimerCallbackMayCancelAnotherDueTimer) {
  EventLoop loop;
  std::vector<int> order;
  EventLoop::TimerId second = 0;
  loop.add_timer(0ms, [&] {
    order.push_back(1);
    loop.cancel_timer(second);
  });
  second = loop.add_timer(0ms, [&] { order.push_back(2); });
  loop.add_timer(1ms, [&] { order.push_back(3); });
  ASSERT_TRUE(run_until(loop, [&] { return order.size() == 2; }));
  EXPECT_EQ(order, (std::vector<int>{1, 3}));
}

TEST(EventLoopTest, TimerCallbackMayAddTimers) {
  EventLoop loop;
  int fired = 0;
  std::function<void()> again = [&] {
    if (++fired < 3) loop.add_timer(1ms, again);
  };
  loop.add_timer(1ms, again);
  ASSERT_TRUE(run_until(loop, [&] { return fired == 3; }));
}

TEST(EventLoopTest, TimerIdsAreUnique) {
  EventLoop loop;
  auto a = loop.add_timer(1s, [] {});
  auto b = loop.add_timer(1s, [] {});
  EXPECT_NE(a, b);
}

TEST(EventLoopTest, RunOnceWithZeroTimeoutReturnsAtOnce) {
  EventLoop loop;
  const auto started = Clock::now();
  EXPECT_TRUE(loop.run_once(0));
  EXPECT_LT(Clock::now() - started, 500ms);
}

TEST(EventLoopTest, RunOnceWaitsForItsTimeoutWhenIdle) {
  EventLoop loop;
  const auto started = Clock::now();
  EXPECT_TRUE(loop.run_once(60));
  const auto took = Clock::now() - started;
  EXPECT_GE(took, 50ms);
  EXPECT_LT(took, 3s);
}

TEST(EventLoopTest, RunOnceWakesForTheNextTimer) {
  EventLoop loop;
  bool fired = false;
  loop.add_timer(20ms, [&] { fired = true; });
  const auto started = Clock::now();
  // A timer shortens an infinite wait: one or two rounds, not forever.
  for (int i = 0; i < 3 && !fired; ++i) loop.run_once(-1);
  EXPECT_TRUE(fired);
  EXPECT_LT(Clock::now() - started, 3s);
}

TEST(EventLoopTest, RunOnceWakesForTheWheel) {
  struct Timer final : WheelTimer {
    bool fired = false;
    void on_timer_expired() override { fired = true; }
  };
  EventLoop loop;
  Timer timer;
  loop.wheel().schedule(timer, EventLoop::clock_ms() + 10);
  const auto started = Clock::now();
  // The wheel has one-second slots: at most ~2 s, not the 10 s asked for.
  while (!timer.fired && Clock::now() - started < 5s) loop.run_once(10'000);
  EXPECT_TRUE(timer.fired);
  EXPECT_LT(Clock::now() - started, 3s);
}

TEST(EventLoopTest, NowMsAdvancesWithIterations) {
  EventLoop loop;
  const auto before = loop.now_ms();
  loop.run_once(30);
  EXPECT_GE(loop.now_ms(), before + 25);
  EXPECT_LE(loop.now_ms(), EventLoop::clock_ms());
}

TEST(EventLoopTest, ScheduleFlushRunsOncePerIteration) {
  EventLoop loop;
  std::vector<std::string> log;
  RecordingFlusher flusher(log);
  // Timers run before posted work in one iteration, so the timer's post lands in the same
  // iteration as its own schedule_flush (a timer and a separate post could fall in two).
  loop.add_timer(0ms, [&] {
    loop.schedule_flush(flusher);
    loop.post([&] {
      loop.schedule_flush(flusher);
      loop.schedule_flush(flusher);
    });
  });
  ASSERT_TRUE(run_until(loop, [&] { return flusher.count > 0; }));
  loop.run_once(0);
  EXPECT_EQ(flusher.count, 1);
  // A new iteration may flush again.
  loop.post([&] { loop.schedule_flush(flusher); });
  loop.run_once(0);
  EXPECT_EQ(flusher.count, 2);
}

TEST(EventLoopTest, FlushesRunAfterTimersAndPostedWork) {
  EventLoop loop;
  std::vector<std::string> log;
  RecordingFlusher flusher(log);
  loop.post([&] {
    loop.schedule_flush(flusher);
    log.push_back("post 1");
  });
  loop.post([&] { log.push_back("post 2"); });
  loop.run_once(0);
  EXPECT_EQ(log, (std::vector<std::string>{"post 1", "post 2", "flush"}));
}

TEST(EventLoopTest, FlushScheduledByAFlushRunsInTheSameIteration) {
  EventLoop loop;
  std::vector<std::string> log;
  RecordingFlusher first(log, "first");
  RecordingFlusher second(log, "second");
  first.on_flush = [&] { loop.schedule_flush(second); };
  loop.post([&] { loop.schedule_flush(first); });
  loop.run_once(0);
  EXPECT_EQ(log, (std::vector<std::string>{"first", "second"}));
}

TEST(EventLoopTest, FlushMayRescheduleItselfForOneMoreRound) {
  EventLoop loop;
  std::vector<std::string> log;
  RecordingFlusher flusher(log);
  flusher.on_flush = [&] {
    if (flusher.count == 1) loop.schedule_flush(flusher);
  };
  loop.post([&] { loop.schedule_flush(flusher); });
  loop.run_once(0);
  EXPECT_EQ(flusher.count, 2);
  loop.run_once(0);
  EXPECT_EQ(flusher.count, 2);
}

// A connection in miniature: output queued for a socket, sent by flush() unless the loop sent
// it first (and said so through output_sent()).
class SocketFlusher final : public Flushable {
 public:
  SocketFlusher(int fd, std::string output) : fd_(fd), output_(std::move(output)) {}
  PendingOutput pending_output() const noexcept override {
    if (sent_ >= output_.size()) return {};
    return {fd_, output_.data() + sent_, output_.size() - sent_};
  }
  void output_sent(std::size_t bytes) noexcept override {
    sent_by_loop += bytes;
    sent_ += bytes;
  }
  void flush() override {
    left_for_flush = output_.size() - sent_;
    send_pending(fd_, output_, sent_);
  }
  std::size_t sent_by_loop = 0;
  std::size_t left_for_flush = 0;

 private:
  int fd_;
  std::string output_;
  std::size_t sent_ = 0;
};

TEST(EventLoopTest, TheSendsOfAFlushRoundGoTogetherBeforeTheFlushes) {
  if (!SocketRing::create()) GTEST_SKIP() << "io_uring is not available here";
  EventLoop loop;
  test::SocketPair a, b;
  const std::string to_a = test::stream_piece(0, 300);
  const std::string to_b = test::stream_piece(300, 500);
  SocketFlusher first(a.writer, to_a);
  SocketFlusher second(b.writer, to_b);
  loop.post([&] {
    loop.schedule_flush(first);
    loop.schedule_flush(second);
  });
  loop.run_once(0);
  EXPECT_EQ(first.sent_by_loop, to_a.size());
  EXPECT_EQ(second.sent_by_loop, to_b.size());
  EXPECT_EQ(first.left_for_flush, 0u);  // flush() still ran, and found nothing left
  EXPECT_EQ(second.left_for_flush, 0u);
  EXPECT_EQ(a.read_up_to(1000), to_a);
  EXPECT_EQ(b.read_up_to(1000), to_b);
}

TEST(EventLoopTest, WhatTheLoopCouldNotSendIsLeftToTheFlush) {
  if (!SocketRing::create()) GTEST_SKIP() << "io_uring is not available here";
  EventLoop loop;
  test::SocketPair a, b;  // small buffers: a megabyte does not fit
  const std::string big = test::stream_piece(0, 1 << 20);
  SocketFlusher first(a.writer, big);
  SocketFlusher second(b.writer, "hello");
  loop.post([&] {
    loop.schedule_flush(first);
    loop.schedule_flush(second);
  });
  loop.run_once(0);
  EXPECT_GT(first.sent_by_loop, 0u);
  EXPECT_EQ(first.left_for_flush, big.size() - first.sent_by_loop);
  EXPECT_EQ(b.read_up_to(100), "hello");
  EXPECT_EQ(a.read_up_to(first.sent_by_loop), big.substr(0, first.sent_by_loop));
}

TEST(EventLoopTest, ARoundLargerThanTheRingIsSentInSlices) {
  if (!SocketRing::create()) GTEST_SKIP() << "io_uring is not available here";
  EventLoop loop;
  constexpr std::size_t kSockets = 300;  // more than one ring's worth of sends
  std::vector<std::unique_ptr<test::SocketPair>> pairs;
  std::vector<std::unique_ptr<SocketFlusher>> flushers;
  for (std::size_t i = 0; i < kSockets; ++i) {
    pairs.push_back(std::make_unique<test::SocketPair>());
    flushers.push_back(std::make_unique<SocketFlusher>(pairs[i]->writer, test::stream_piece(i, 20)));
  }
  loop.post([&] {
    for (auto& flusher : flushers) loop.schedule_flush(*flusher);
  });
  loop.run_once(0);
  for (std::size_t i = 0; i < kSockets; ++i) {
    EXPECT_EQ(flushers[i]->sent_by_loop, 20u) << i;
    EXPECT_EQ(pairs[i]->read_up_to(100), test::stream_piece(i, 20)) << i;
  }
}

TEST(EventLoopTest, ASingleSendIsLeftToItsOwner) {
  EventLoop loop;
  test::SocketPair a;
  SocketFlusher only(a.writer, "hello");
  loop.post([&] { loop.schedule_flush(only); });
  loop.run_once(0);
  EXPECT_EQ(only.sent_by_loop, 0u);
  EXPECT_EQ(only.left_for_flush, 5u);
  EXPECT_EQ(a.read_up_to(100), "hello");
}

TEST(EventLoopTest, WithIoUringSwitchedOffEachFlushSendsItsOwnOutput) {
  ::setenv("PULSARCPP_IO_URING", "0", 1);
  EventLoop loop;
  ::unsetenv("PULSARCPP_IO_URING");
  test::SocketPair a, b;
  SocketFlusher first(a.writer, "one");
  SocketFlusher second(b.writer, "two");
  loop.post([&] {
    loop.schedule_flush(first);
    loop.schedule_flush(second);
  });
  loop.run_once(0);
  EXPECT_EQ(first.sent_by_loop + second.sent_by_loop, 0u);
  EXPECT_EQ(a.read_up_to(100), "one");
  EXPECT_EQ(b.read_up_to(100), "two");
}

TEST(EventLoopTest, DeferRunsAfterTheFlushes) {
  EventLoop loop;
  std::vector<std::string> log;
  RecordingFlusher flusher(log);
  loop.post([&] {
    loop.defer([&] { log.push_back("deferred"); });
    loop.schedule_flush(flusher);
  });
  loop.run_once(0);
  EXPECT_EQ(log, (std::vector<std::string>{"flush", "deferred"}));
}

TEST(EventLoopTest, DeferredWorkMayDeferMoreInTheSameIteration) {
  EventLoop loop;
  std::vector<std::string> log;
  loop.post([&] {
    loop.defer([&] {
      log.push_back("a");
      loop.defer([&] { log.push_back("b"); });
    });
  });
  loop.run_once(0);
  EXPECT_EQ(log, (std::vector<std::string>{"a", "b"}));
}

TEST(EventLoopTest, StopFromAnotherThreadEndsRun) {
  EventLoop loop;
  std::atomic<bool> started{false};
  loop.post([&] { started = true; });
  std::thread runner([&] { loop.run(); });
  while (!started) std::this_thread::yield();
  loop.stop();
  runner.join();  // hangs (and the test times out) if stop is lost
  EXPECT_TRUE(loop.stopping());
}

TEST(EventLoopTest, RunOnceReportsStop) {
  EventLoop loop;
  EXPECT_FALSE(loop.stopping());
  loop.stop();
  EXPECT_FALSE(loop.run_once(0));
  EXPECT_TRUE(loop.stopping());
}

TEST(EventLoopTest, WorkPostedBeforeStopStillRuns) {
  EventLoop loop;
  std::vector<int> order;
  loop.post([&] { order.push_back(1); });
  loop.stop();
  loop.post([&] { order.push_back(2); });
  loop.run();
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
}

// A connection's reading side in miniature: it may let the loop receive for it, and reads
// for itself what the loop did not.
struct SocketReader final : IoHandler {
  SocketReader(EventLoop& loop, int fd, bool lets_loop_receive)
      : loop(loop), fd(fd), lets_loop_receive(lets_loop_receive) {}
  int receive_fd() const noexcept override { return lets_loop_receive ? fd : -1; }
  void on_io(std::uint32_t) override {
    if (const RingReceive* r = loop.take_received()) {
      ++received_by_loop;
      result = r->result;
      if (r->result > 0) got.append(r->buffer, r->size());
      second_take_empty = loop.take_received() == nullptr;
      return;
    }
    char buffer[4096];
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    result = n;
    if (n > 0) got.append(buffer, static_cast<std::size_t>(n));
  }
  EventLoop& loop;
  int fd;
  bool lets_loop_receive;
  int received_by_loop = 0;
  std::int64_t result = -1;
  bool second_take_empty = false;
  std::string got;
};

// Three socket pairs whose server sides (writer) are watched by readers; the test writes
// from the client sides (reader) so all three are readable in the same iteration.
struct ThreeReaders {
  ThreeReaders(EventLoop& loop, bool first_lets_loop = true) {
    for (int i = 0; i < 3; ++i) {
      readers.push_back(std::make_unique<SocketReader>(loop, pairs[i].writer, i > 0 || first_lets_loop));
      EXPECT_EQ(loop.add(pairs[i].writer, EPOLLIN, readers.back().get()), 0);
    }
  }
  void send(int i, std::string_view bytes) {
    EXPECT_EQ(::send(pairs[i].reader, bytes.data(), bytes.size(), 0),
              static_cast<ssize_t>(bytes.size()));
  }
  test::SocketPair pairs[3];
  std::vector<std::unique_ptr<SocketReader>> readers;
};

TEST(EventLoopTest, ReadableSocketsAreReceivedTogetherBeforeTheirHandlersRun) {
  if (!SocketRing::create()) GTEST_SKIP() << "io_uring is not available here";
  EventLoop loop;
  ThreeReaders three(loop);
  three.send(0, "zero");
  three.send(1, test::stream_piece(0, 1000));
  ::shutdown(three.pairs[2].reader, SHUT_WR);  // the third peer finished sending
  loop.run_once(1000);
  EXPECT_EQ(three.readers[0]->got, "zero");
  EXPECT_EQ(three.readers[1]->got, test::stream_piece(0, 1000));
  EXPECT_EQ(three.readers[2]->result, 0);
  for (auto& reader : three.readers) {
    EXPECT_EQ(reader->received_by_loop, 1);
    EXPECT_TRUE(reader->second_take_empty);  // once, and only for its own handler
  }
}

TEST(EventLoopTest, AHandlerThatReadsForItselfIsLeftItsBytes) {
  if (!SocketRing::create()) GTEST_SKIP() << "io_uring is not available here";
  EventLoop loop;
  ThreeReaders three(loop, /*first_lets_loop=*/false);
  three.send(0, "mine");
  three.send(1, "one");
  three.send(2, "two");
  loop.run_once(1000);
  EXPECT_EQ(three.readers[0]->received_by_loop, 0);
  EXPECT_EQ(three.readers[0]->got, "mine");
  EXPECT_EQ(three.readers[1]->received_by_loop, 1);
  EXPECT_EQ(three.readers[2]->got, "two");
}

TEST(EventLoopTest, ASingleReadableSocketReadsForItself) {
  EventLoop loop;
  ThreeReaders three(loop);
  three.send(1, "alone");
  loop.run_once(1000);
  EXPECT_EQ(three.readers[1]->received_by_loop, 0);
  EXPECT_EQ(three.readers[1]->got, "alone");
}

TEST(EventLoopTest, WithIoUringSwitchedOffHandlersReadForThemselves) {
  ::setenv("PULSARCPP_IO_URING", "0", 1);
  EventLoop loop;
  ::unsetenv("PULSARCPP_IO_URING");
  ThreeReaders three(loop);
  three.send(0, "a");
  three.send(1, "b");
  three.send(2, "c");
  loop.run_once(1000);
  for (auto& reader : three.readers) EXPECT_EQ(reader->received_by_loop, 0);
  EXPECT_EQ(three.readers[0]->got + three.readers[1]->got + three.readers[2]->got, "abc");
}

TEST(EventLoopTest, ReadableDescriptorCallsItsHandler) {
  struct Reader final : IoHandler {
    int fd = -1;
    std::uint32_t events = 0;
    std::string got;
    void on_io(std::uint32_t e) override {
      events |= e;
      char buffer[16];
      ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n > 0) got.append(buffer, static_cast<std::size_t>(n));
    }
  };
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  EventLoop loop;
  Reader reader;
  reader.fd = fds[0];
  ASSERT_EQ(loop.add(fds[0], EPOLLIN, &reader), 0);
  EXPECT_NE(loop.add(fds[0], EPOLLIN, &reader), 0);  // already registered: an errno, no throw
  ASSERT_EQ(::write(fds[1], "hi", 2), 2);
  ASSERT_TRUE(run_until(loop, [&] { return reader.got == "hi"; }));
  EXPECT_TRUE(reader.events & EPOLLIN);

  // With no interest left, data waits unread.
  ASSERT_EQ(loop.modify(fds[0], 0, &reader), 0);
  ASSERT_EQ(::write(fds[1], "x", 1), 1);
  loop.run_once(20);
  EXPECT_EQ(reader.got, "hi");
  loop.remove(fds[0]);
  ::close(fds[0]);
  ::close(fds[1]);
}

// --- Registrations and closes made inside the loop (queued, made with the iteration's sends) ---

struct EventRecorder final : IoHandler {
  void on_io(std::uint32_t e) override {
    ++calls;
    events |= e;
  }
  int calls = 0;
  std::uint32_t events = 0;
};

bool is_open(int fd) { return ::fcntl(fd, F_GETFD) != -1; }

TEST(EventLoopTest, ARegistrationMadeInsideTheLoopTakesEffectBeforeItWaitsAgain) {
  EventLoop loop;
  test::SocketPair pair;
  ASSERT_EQ(::send(pair.reader, "x", 1, 0), 1);  // readable from the start
  EventRecorder handler;
  int result = -1;
  loop.post([&] { result = loop.add(pair.writer, EPOLLIN, &handler); });
  loop.run_once(0);
  EXPECT_EQ(result, 0);
  EXPECT_EQ(handler.calls, 0);  // the loop waited before the registration was made
  loop.run_once(1000);
  EXPECT_EQ(handler.calls, 1);
  EXPECT_TRUE(handler.events & EPOLLIN);
}

TEST(EventLoopTest, ARegistrationThatFailsReachesItsHandlerAsAFailedSocket) {
  std::FILE* file = std::tmpfile();  // epoll refuses regular files (EPERM)
  ASSERT_NE(file, nullptr);
  EventLoop loop;
  EventRecorder handler;
  int result = -1;
  loop.post([&] { result = loop.add(::fileno(file), EPOLLIN, &handler); });
  loop.run_once(0);
  if (SocketRing::create()) {
    EXPECT_EQ(result, 0);  // queued: the answer comes when it is made
    EXPECT_EQ(handler.calls, 1);
    EXPECT_EQ(handler.events, static_cast<std::uint32_t>(EPOLLERR | EPOLLHUP));
  } else {
    EXPECT_EQ(result, EPERM);  // made at once, answered at once
    EXPECT_EQ(handler.calls, 0);
  }
  std::fclose(file);
}

TEST(EventLoopTest, ChangesQueuedForOneSocketAreMadeInOrder) {
  EventLoop loop;
  test::SocketPair pair;
  ASSERT_EQ(::send(pair.reader, "x", 1, 0), 1);
  EventRecorder first, second;
  loop.post([&] {
    loop.add(pair.writer, 0, &first);
    loop.modify(pair.writer, EPOLLIN, &second);
  });
  loop.run_once(0);
  loop.run_once(1000);
  EXPECT_EQ(first.calls, 0);
  EXPECT_EQ(second.calls, 1);
}

TEST(EventLoopTest, RemoveMakesWhatIsQueuedFirst) {
  EventLoop loop;
  test::SocketPair pair;
  ASSERT_EQ(::send(pair.reader, "x", 1, 0), 1);
  EventRecorder handler;
  loop.post([&] {
    loop.add(pair.writer, EPOLLIN, &handler);
    loop.remove(pair.writer);  // after the queued ADD, not before it
  });
  loop.run_once(0);
  loop.run_once(50);
  EXPECT_EQ(handler.calls, 0);
}

TEST(EventLoopTest, ASocketClosedInsideTheLoopIsClosedBeforeItWaitsAgain) {
  EventLoop loop;
  test::SocketPair pair;
  const int fd = std::exchange(pair.writer, -1);
  bool open_after_the_call = false;
  loop.post([&] {
    loop.close_socket(fd);
    open_after_the_call = is_open(fd);
  });
  loop.run_once(0);
  // Queued, the descriptor stays open (and its number taken) until the iteration ends.
  EXPECT_EQ(open_after_the_call, SocketRing::create() != nullptr && !kThreadSanitizer);
  EXPECT_FALSE(is_open(fd));
  char byte;
  EXPECT_EQ(::recv(pair.reader, &byte, 1, 0), 0);  // the peer sees the end
}

TEST(EventLoopTest, QueuedChoresGoWithASingleSend) {
  if (!SocketRing::create()) GTEST_SKIP() << "io_uring is not available here";
  test::SocketPair a, closing, watched;
  EventRecorder handler;
  EventLoop loop;
  SocketFlusher only(a.writer, "hello");
  const int fd = std::exchange(closing.writer, -1);
  loop.post([&] {
    // A registration is always a chore; the close is one too, except under ThreadSanitizer.
    loop.add(watched.writer, EPOLLIN, &handler);
    loop.close_socket(fd);
    loop.schedule_flush(only);  // alone it is left to its owner; with a chore the loop sends it
  });
  loop.run_once(0);
  EXPECT_EQ(only.sent_by_loop, 5u);
  EXPECT_EQ(a.read_up_to(100), "hello");
  EXPECT_FALSE(is_open(fd));
}

TEST(EventLoopTest, ChoresQueuedBetweenIterationsAreMadeBeforeTheNextWait) {
  EventLoop loop;
  loop.run_once(0);  // the loop is current on this thread from now on
  test::SocketPair pair;
  ASSERT_EQ(::send(pair.reader, "x", 1, 0), 1);
  EventRecorder handler;
  EXPECT_EQ(loop.add(pair.writer, EPOLLIN, &handler), 0);
  loop.run_once(1000);
  EXPECT_EQ(handler.calls, 1);
}

TEST(EventLoopTest, ChoresStillQueuedAreMadeWhenTheLoopIsDestroyed) {
  test::SocketPair pair;
  const int fd = std::exchange(pair.writer, -1);
  {
    EventLoop loop;
    loop.run_once(0);
    loop.close_socket(fd);
  }
  EXPECT_FALSE(is_open(fd));
}

}  // namespace
}  // namespace pulsarcpp::net
