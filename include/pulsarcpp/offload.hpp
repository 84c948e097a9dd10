#pragma once
// Awaitables that suspend a handler and resume it later on its own loop:
//   auto rows = co_await offload([&] { return db.query(...); });   // blocking work, worker pool
//   co_await sleep_for(std::chrono::milliseconds(50));             // the loop's timers

#include <chrono>
#include <coroutine>
#include <exception>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

namespace pulsarcpp {

namespace detail {
/// Runs `job` on the worker pool of the current server (or a fresh thread when there is none)
/// and then `resume` on the calling loop.
void submit_offload(std::function<void()> job, std::coroutine_handle<> resume);
/// Resumes `handle` on the current loop after `delay`.
void schedule_resume(std::chrono::milliseconds delay, std::coroutine_handle<> handle);

template <class F>
class OffloadAwaiter {
 public:
  using Result = std::invoke_result_t<F&>;
  explicit OffloadAwaiter(F fn) : fn_(std::move(fn)) {}
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> handle) {
    submit_offload(
        [this] {
          try {
            if constexpr (std::is_void_v<Result>) {
              fn_();
            } else {
              result_.emplace(fn_());
            }
          } catch (...) {
            error_ = std::current_exception();
          }
        },
        handle);
  }
  Result await_resume() {
    if (error_) std::rethrow_exception(error_);
    if constexpr (!std::is_void_v<Result>) return std::move(*result_);
  }

 private:
  F fn_;
  std::conditional_t<std::is_void_v<Result>, bool, std::optional<Result>> result_{};
  std::exception_ptr error_;
};

struct SleepAwaiter {
  std::chrono::milliseconds delay;
  bool await_ready() const noexcept { return delay.count() <= 0; }
  void await_suspend(std::coroutine_handle<> handle) { schedule_resume(delay, handle); }
  void await_resume() const noexcept {}
};
}  // namespace detail

/// Runs `fn` on the worker pool and resumes the awaiting coroutine on its loop with the result
/// (or rethrows what `fn` threw).
template <class F>
auto offload(F fn) {
  return detail::OffloadAwaiter<F>(std::move(fn));
}

/// Suspends for `duration` without blocking the loop.
template <class Rep, class Period>
detail::SleepAwaiter sleep_for(std::chrono::duration<Rep, Period> duration) {
  return {std::chrono::ceil<std::chrono::milliseconds>(duration)};
}

}  // namespace pulsarcpp
