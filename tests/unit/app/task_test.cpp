#include "pulsarcpp/task.hpp"

#include <gtest/gtest.h>

#include <coroutine>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "pulsarcpp/async_generator.hpp"

namespace pulsarcpp {
namespace {

// Starts a task from plain code. Tasks here either finish synchronously or wait on a Trigger
// the test fires, so no loop is needed.
template <class T>
void start(Task<T>& task) {
  ASSERT_TRUE(task.valid());
  task.handle().resume();
}

template <class T>
T result_of(Task<T>& task) {
  return task.handle().promise().take();
}

// Runs a task that completes without suspending and returns its result.
template <class T>
T run(Task<T> task) {
  task.handle().resume();
  EXPECT_TRUE(task.done());
  return result_of(task);
}

// An awaitable the test resumes by hand: stands in for I/O, timers and offload.
struct Trigger {
  std::coroutine_handle<> waiting;
  auto wait() {
    struct Awaiter {
      Trigger* trigger;
      bool await_ready() const noexcept { return false; }
      void await_suspend(std::coroutine_handle<> handle) noexcept { trigger->waiting = handle; }
      void await_resume() const noexcept {}
    };
    return Awaiter{this};
  }
  void fire() { std::exchange(waiting, {}).resume(); }
};

// Flags its own destruction: proves a coroutine frame was destroyed, not leaked.
struct DestroyFlag {
  explicit DestroyFlag(bool& flag) : flag_(&flag) {}
  DestroyFlag(DestroyFlag&& other) noexcept : flag_(std::exchange(other.flag_, nullptr)) {}
  ~DestroyFlag() {
    if (flag_) *flag_ = true;
  }
  bool* flag_;
};

Task<int> answer() {
  co_return 42;
}

Task<int> add_one(Task<int> inner) {
  co_return co_await std::move(inner) + 1;
}

Task<std::string> describe() {
  int a = co_await answer();
  int b = co_await add_one(answer());
  co_return std::to_string(a) + "," + std::to_string(b);
}

TEST(TaskTest, IsLazyUntilStarted) {
  bool ran = false;
  // Named, not a temporary: the coroutine reads its captures through the closure object.
  auto body = [&]() -> Task<void> {
    ran = true;
    co_return;
  };
  auto task = body();
  EXPECT_FALSE(ran);
  EXPECT_FALSE(task.done());
  start(task);
  EXPECT_TRUE(ran);
  EXPECT_TRUE(task.done());
}

TEST(TaskTest, ReturnsValuesThroughAChain) {
  EXPECT_EQ(run(answer()), 42);
  EXPECT_EQ(run(add_one(add_one(answer()))), 44);
  EXPECT_EQ(run(describe()), "42,43");
}

TEST(TaskTest, VoidTasksChain) {
  std::vector<int> order;
  auto step = [&](int n) -> Task<void> {
    order.push_back(n);
    co_return;
  };
  auto outer = [&]() -> Task<void> {
    co_await step(1);
    co_await step(2);
    order.push_back(3);
  };
  run(outer());
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST(TaskTest, MoveOnlyResults) {
  auto make = []() -> Task<std::unique_ptr<int>> { co_return std::make_unique<int>(7); };
  auto outer = [&]() -> Task<int> {
    std::unique_ptr<int> p = co_await make();
    co_return *p;
  };
  EXPECT_EQ(run(outer()), 7);
}

TEST(TaskTest, ExceptionPropagatesToTheAwaiter) {
  auto fails = []() -> Task<int> {
    throw std::runtime_error("boom");
    co_return 0;
  };
  auto outer = [&]() -> Task<std::string> {
    try {
      co_await fails();
    } catch (const std::runtime_error& e) {
      co_return std::string("caught ") + e.what();
    }
    co_return "not caught";
  };
  EXPECT_EQ(run(outer()), "caught boom");
}

TEST(TaskTest, UncaughtExceptionIsRethrownByTake) {
  auto fails = []() -> Task<void> {
    throw std::logic_error("bad");
    co_return;
  };
  auto outer = [&]() -> Task<void> { co_await fails(); };
  auto task = outer();
  start(task);
  ASSERT_TRUE(task.done());
  EXPECT_THROW(result_of(task), std::logic_error);
}

TEST(TaskTest, SuspendedChainResumesTheWholeWay) {
  Trigger trigger;
  std::vector<std::string> order;
  auto leaf = [&]() -> Task<int> {
    order.push_back("leaf waits");
    co_await trigger.wait();
    order.push_back("leaf resumed");
    co_return 5;
  };
  auto middle = [&]() -> Task<int> { co_return co_await leaf() * 2; };
  auto root = [&]() -> Task<int> {
    int v = co_await middle();
    order.push_back("root got " + std::to_string(v));
    co_return v + 1;
  };
  auto task = root();
  start(task);
  EXPECT_FALSE(task.done());
  EXPECT_EQ(order, (std::vector<std::string>{"leaf waits"}));
  trigger.fire();
  ASSERT_TRUE(task.done());
  EXPECT_EQ(result_of(task), 11);
  EXPECT_EQ(order.back(), "root got 10");
}

TEST(TaskTest, DestroyingASuspendedTaskDestroysItsFrame) {
  Trigger trigger;
  bool destroyed = false;
  {
    auto body = [&](DestroyFlag) -> Task<void> { co_await trigger.wait(); };
    auto task = body(DestroyFlag(destroyed));
    start(task);
    EXPECT_FALSE(destroyed);
  }
  EXPECT_TRUE(destroyed);
}

TEST(TaskTest, MoveTransfersOwnership) {
  auto a = answer();
  Task<int> b = std::move(a);
  EXPECT_FALSE(a.valid());  // NOLINT(bugprone-use-after-move): checking the moved-from state
  EXPECT_TRUE(b.valid());
  Task<int> c;
  c = std::move(b);
  EXPECT_EQ(run(std::move(c)), 42);
}

TEST(TaskTest, AwaitingAFinishedTaskDoesNotSuspend) {
  auto outer = []() -> Task<int> {
    auto inner = answer();
    inner.handle().resume();  // already done when awaited
    co_return co_await std::move(inner);
  };
  EXPECT_EQ(run(outer()), 42);
}

// ---- AsyncGenerator ----

AsyncGenerator<int> count_to(int n) {
  for (int i = 1; i <= n; ++i) co_yield i;
}

Task<std::vector<int>> collect(AsyncGenerator<int> gen) {
  std::vector<int> items;
  for (;;) {
    std::optional<int> item = co_await gen.next();
    if (!item) break;
    items.push_back(*item);
  }
  co_return items;
}

Task<int> one() { co_return 1; }

Task<long> sum_of_ready_tasks(int count) {
  long total = 0;
  for (int i = 0; i < count; ++i) total += co_await one();
  co_return total;
}

Task<void> nothing() { co_return; }

Task<int> count_void_tasks(int count) {
  int done = 0;
  for (int i = 0; i < count; ++i) {
    co_await nothing();
    ++done;
  }
  co_return done;
}

// A million awaits of tasks that finish at once: without the rendezvous each would nest a frame
// (debug and sanitizer builds do not turn symmetric transfer into a tail call) and overflow.
TEST(TaskTest, ManyReadyAwaitsKeepTheStackFlat) {
  EXPECT_EQ(run(sum_of_ready_tasks(1'000'000)), 1'000'000);
  EXPECT_EQ(run(count_void_tasks(1'000'000)), 1'000'000);
}

AsyncGenerator<int> numbers(int count) {
  for (int i = 0; i < count; ++i) co_yield i;
}

Task<long> sum_of_generator(int count) {
  auto generator = numbers(count);
  long total = 0;
  for (;;) {
    std::optional<int> item = co_await generator.next();
    if (!item) break;
    total += *item;
  }
  co_return total;
}

TEST(AsyncGeneratorTest, ManyItemsKeepTheStackFlat) {
  EXPECT_EQ(run(sum_of_generator(1'000'000)), 499'999'500'000L);
}

TEST(AsyncGeneratorTest, YieldsEveryItemInOrder) {
  EXPECT_EQ(run(collect(count_to(5))), (std::vector<int>{1, 2, 3, 4, 5}));
}

TEST(AsyncGeneratorTest, EmptyGeneratorEndsAtOnce) {
  EXPECT_TRUE(run(collect(count_to(0))).empty());
}

TEST(AsyncGeneratorTest, IsLazyAndRunsOnlyAsFarAsAsked) {
  int produced = 0;
  auto numbers = [&]() -> AsyncGenerator<int> {
    for (int i = 0;; ++i) {
      ++produced;
      co_yield i;
    }
  };
  auto gen = numbers();
  EXPECT_EQ(produced, 0);
  auto take_two = [&]() -> Task<int> {
    std::optional<int> a = co_await gen.next();
    std::optional<int> b = co_await gen.next();
    co_return *a + *b;
  };
  EXPECT_EQ(run(take_two()), 1);
  EXPECT_EQ(produced, 2);
}

TEST(AsyncGeneratorTest, NextAfterTheEndKeepsReturningNullopt) {
  auto gen = count_to(1);
  auto drive = [&]() -> Task<std::vector<bool>> {
    std::vector<bool> has;
    for (int i = 0; i < 3; ++i) {
      std::optional<int> item = co_await gen.next();
      has.push_back(item.has_value());
    }
    co_return has;
  };
  EXPECT_EQ(run(drive()), (std::vector<bool>{true, false, false}));
}

TEST(AsyncGeneratorTest, YieldsStringsByValueAndByReference) {
  auto gen = []() -> AsyncGenerator<std::string> {
    std::string named = "named";
    co_yield named;               // copied
    co_yield std::string("tmp");  // moved
    co_yield std::move(named);
  }();
  auto drive = [&]() -> Task<std::string> {
    std::string all;
    for (;;) {
      std::optional<std::string> item = co_await gen.next();
      if (!item) break;
      all += *item + ";";
    }
    co_return all;
  };
  EXPECT_EQ(run(drive()), "named;tmp;named;");
}

TEST(AsyncGeneratorTest, MayAwaitBetweenYields) {
  Trigger trigger;
  auto ticks = [&]() -> AsyncGenerator<int> {
    co_yield 1;
    co_await trigger.wait();  // e.g. the next tick of a feed
    co_yield 2;
  };
  auto task = collect(ticks());
  start(task);
  EXPECT_FALSE(task.done());
  trigger.fire();
  ASSERT_TRUE(task.done());
  EXPECT_EQ(result_of(task), (std::vector<int>{1, 2}));
}

TEST(AsyncGeneratorTest, MayAwaitTasks) {
  auto gen = []() -> AsyncGenerator<int> {
    int v = co_await answer();
    co_yield v;
  }();
  EXPECT_EQ(run(collect(std::move(gen))), (std::vector<int>{42}));
}

TEST(AsyncGeneratorTest, ExceptionReachesTheConsumerAfterTheItemsBeforeIt) {
  auto gen = []() -> AsyncGenerator<int> {
    co_yield 1;
    throw std::runtime_error("feed broke");
  }();
  auto drive = [&]() -> Task<std::string> {
    std::string seen;
    try {
      for (;;) {
        std::optional<int> item = co_await gen.next();
        if (!item) break;
        seen += std::to_string(*item) + ",";
      }
    } catch (const std::runtime_error& e) {
      seen += e.what();
    }
    co_return seen;
  };
  EXPECT_EQ(run(drive()), "1,feed broke");
}

TEST(AsyncGeneratorTest, EarlyDestroyRunsDestructorsOfTheSuspendedFrame) {
  bool destroyed = false;
  {
    auto gen = [](DestroyFlag) -> AsyncGenerator<int> {
      for (int i = 0;; ++i) co_yield i;
    }(DestroyFlag(destroyed));
    auto first = [&]() -> Task<int> {
      std::optional<int> item = co_await gen.next();
      co_return *item;
    };
    EXPECT_EQ(run(first()), 0);
    EXPECT_FALSE(destroyed);
  }
  EXPECT_TRUE(destroyed);
}

TEST(AsyncGeneratorTest, DestroyingANeverStartedGeneratorIsClean) {
  bool destroyed = false;
  {
    auto gen = [](DestroyFlag) -> AsyncGenerator<int> { co_yield 1; }(DestroyFlag(destroyed));
    EXPECT_TRUE(gen.valid());
  }
  EXPECT_TRUE(destroyed);
}

TEST(AsyncGeneratorTest, DefaultConstructedIsEmpty) {
  AsyncGenerator<int> gen;
  EXPECT_FALSE(gen.valid());
  EXPECT_TRUE(run(collect(std::move(gen))).empty());
}

TEST(AsyncGeneratorTest, MoveAssignmentDestroysThePreviousGenerator) {
  bool destroyed = false;
  auto gen = [](DestroyFlag) -> AsyncGenerator<int> { co_yield 1; }(DestroyFlag(destroyed));
  gen = count_to(2);
  EXPECT_TRUE(destroyed);
  EXPECT_EQ(run(collect(std::move(gen))), (std::vector<int>{1, 2}));
}

}  // namespace
}  // namespace pulsarcpp
