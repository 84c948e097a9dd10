#include "net/worker_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace pulsarcpp::net {
namespace {

using namespace std::chrono_literals;

// A count that tests can wait on with a deadline.
class Counter {
 public:
  void add() {
    {
      std::lock_guard lock(mutex_);
      ++value_;
    }
    changed_.notify_all();
  }
  bool wait_for(int target, std::chrono::milliseconds limit = 5s) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, limit, [&] { return value_ >= target; });
  }
  int value() {
    std::lock_guard lock(mutex_);
    return value_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int value_ = 0;
};

TEST(WorkerPoolTest, SizeIsTheThreadCount) {
  WorkerPool pool(3);
  EXPECT_EQ(pool.size(), 3u);
}

TEST(WorkerPoolTest, ZeroThreadsStillGetsOne) {
  Counter done;  // declared first: the pool's threads must be joined before it goes
  WorkerPool pool(0);
  EXPECT_EQ(pool.size(), 1u);
  pool.submit([&] { done.add(); });
  EXPECT_TRUE(done.wait_for(1));
}

TEST(WorkerPoolTest, JobsRunOffTheCallingThread) {
  const auto caller = std::this_thread::get_id();
  std::atomic<std::thread::id> ran_on{};
  Counter done;
  WorkerPool pool(2);
  pool.submit([&] {
    ran_on = std::this_thread::get_id();
    done.add();
  });
  ASSERT_TRUE(done.wait_for(1));
  EXPECT_NE(ran_on.load(), caller);
}

TEST(WorkerPoolTest, EveryJobFromManyThreadsRunsOnce) {
  constexpr int kSubmitters = 4;
  constexpr int kJobs = 1000;
  std::vector<std::atomic<int>> runs(kSubmitters * kJobs);
  Counter done;
  WorkerPool pool(3);
  std::vector<std::thread> submitters;
  for (int s = 0; s < kSubmitters; ++s) {
    submitters.emplace_back([&, s] {
      for (int j = 0; j < kJobs; ++j) {
        pool.submit([&, index = s * kJobs + j] {
          runs[index].fetch_add(1);
          done.add();
        });
      }
    });
  }
  for (auto& thread : submitters) thread.join();
  ASSERT_TRUE(done.wait_for(kSubmitters * kJobs));
  for (std::size_t i = 0; i < runs.size(); ++i) ASSERT_EQ(runs[i].load(), 1) << "job " << i;
}

TEST(WorkerPoolTest, ThreadsRunJobsInParallel) {
  constexpr int kThreads = 4;
  // Each job waits until all of them have started: only possible with kThreads at once.
  std::mutex mutex;
  std::condition_variable all_started;
  int started = 0;
  std::set<std::thread::id> threads;
  Counter finished;
  WorkerPool pool(kThreads);
  for (int i = 0; i < kThreads; ++i) {
    pool.submit([&] {
      std::unique_lock lock(mutex);
      ++started;
      threads.insert(std::this_thread::get_id());
      all_started.notify_all();
      if (all_started.wait_for(lock, 5s, [&] { return started == kThreads; })) finished.add();
    });
  }
  ASSERT_TRUE(finished.wait_for(kThreads, 10s));
  std::lock_guard lock(mutex);
  EXPECT_EQ(threads.size(), static_cast<std::size_t>(kThreads));
}

TEST(WorkerPoolTest, DestructorFinishesQueuedJobs) {
  std::atomic<int> ran{0};
  std::mutex gate;  // outlives the pool, whose destructor still runs the jobs
  {
    std::unique_lock hold(gate);
    WorkerPool pool(1);
    // The first job blocks the only thread until the others are queued behind it.
    pool.submit([&] { std::lock_guard wait(gate); });
    for (int i = 0; i < 100; ++i) pool.submit([&] { ran.fetch_add(1); });
    hold.unlock();
  }
  EXPECT_EQ(ran.load(), 100);
}

TEST(WorkerPoolTest, JobsMaySubmitJobs) {
  Counter done;
  WorkerPool pool(2);
  pool.submit([&] {
    pool.submit([&] { done.add(); });
    done.add();
  });
  EXPECT_TRUE(done.wait_for(2));
}

}  // namespace
}  // namespace pulsarcpp::net
