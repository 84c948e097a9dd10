#pragma once
// Task<T>: a lazily started C++20 coroutine whose result is obtained with co_await.
//
// A handler written as `Task<Response> handler(Context& ctx)` suspends on co_await and is
// resumed by the event loop of its connection (offload, sleep_for and I/O all post the
// resumption back to that loop), so handler code never needs a lock for per-connection state.

#include <atomic>
#include <coroutine>
#include <exception>
#include <optional>
#include <utility>

namespace pulsarcpp {

template <class T = void>
class Task;

namespace detail {

// Who continues the awaiting coroutine: the awaiter, when the task finished while it was being
// started (no suspension, no stack growth, whatever the optimizer does with tail calls), or the
// task's end, when it finished later from the loop. Both arrive here; the second one continues.
struct Rendezvous {
  std::atomic<bool> first_arrived{false};
  bool arrive() noexcept { return first_arrived.exchange(true, std::memory_order_acq_rel); }
  void reset() noexcept { first_arrived.store(false, std::memory_order_relaxed); }
};

struct FinalAwaiter {
  bool await_ready() const noexcept { return false; }
  template <class Promise>
  std::coroutine_handle<> await_suspend(std::coroutine_handle<Promise> done) noexcept {
    auto& promise = done.promise();
    if (!promise.continuation) return std::noop_coroutine();
    // Finished inside the awaiter's resume(): return there and let it continue.
    if (!promise.rendezvous.arrive()) return std::noop_coroutine();
    return promise.continuation;
  }
  void await_resume() const noexcept {}
};

struct PromiseBase {
  std::coroutine_handle<> continuation;
  std::exception_ptr error;
  Rendezvous rendezvous;

  std::suspend_always initial_suspend() const noexcept { return {}; }
  FinalAwaiter final_suspend() const noexcept { return {}; }
  void unhandled_exception() noexcept { error = std::current_exception(); }
};

template <class T>
struct Promise : PromiseBase {
  std::optional<T> value;
  Task<T> get_return_object() noexcept;
  template <class U>
  void return_value(U&& result) {
    value.emplace(std::forward<U>(result));
  }
  T take() {
    if (error) std::rethrow_exception(error);
    return std::move(*value);
  }
};

template <>
struct Promise<void> : PromiseBase {
  Task<void> get_return_object() noexcept;
  void return_void() const noexcept {}
  void take() const {
    if (error) std::rethrow_exception(error);
  }
};

}  // namespace detail

template <class T>
class [[nodiscard]] Task {
 public:
  using promise_type = detail::Promise<T>;
  using Handle = std::coroutine_handle<promise_type>;

  Task() noexcept = default;
  explicit Task(Handle handle) noexcept : handle_(handle) {}
  Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      destroy();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() { destroy(); }

  bool valid() const noexcept { return static_cast<bool>(handle_); }
  bool done() const noexcept { return handle_ && handle_.done(); }

  // Awaiting starts the task and resumes the awaiting coroutine when it finishes.
  auto operator co_await() && noexcept {
    struct Awaiter {
      Handle handle;
      bool await_ready() const noexcept { return !handle || handle.done(); }
      bool await_suspend(std::coroutine_handle<> awaiting) noexcept {
        handle.promise().continuation = awaiting;
        handle.resume();
        // Suspend only if the task is still running; else the awaiting coroutine goes on here.
        return !handle.promise().rendezvous.arrive();
      }
      T await_resume() { return handle.promise().take(); }
    };
    return Awaiter{handle_};
  }

  /// For drivers (the server, the test client): the raw handle.
  Handle handle() const noexcept { return handle_; }

 private:
  void destroy() noexcept {
    if (handle_) handle_.destroy();
    handle_ = {};
  }
  Handle handle_;
};

namespace detail {
template <class T>
Task<T> Promise<T>::get_return_object() noexcept {
  return Task<T>{std::coroutine_handle<Promise<T>>::from_promise(*this)};
}
inline Task<void> Promise<void>::get_return_object() noexcept {
  return Task<void>{std::coroutine_handle<Promise<void>>::from_promise(*this)};
}
}  // namespace detail

}  // namespace pulsarcpp
