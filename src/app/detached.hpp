#pragma once
// Starts a Task from plain code and hands its result to a callback when it finishes, on
// whatever thread resumes it last (always the loop thread of the connection here).

#include <coroutine>
#include <exception>
#include <utility>

#include "pulsarcpp/task.hpp"

namespace pulsarcpp::detail {

/// The started coroutine's frame, which frees itself when it finishes. Only the starter may
/// destroy it, and only while it is known to be suspended (a forced stop).
struct Detached {
  struct promise_type {
    Detached get_return_object() noexcept {
      return {std::coroutine_handle<promise_type>::from_promise(*this)};
    }
    std::suspend_never initial_suspend() const noexcept { return {}; }
    std::suspend_never final_suspend() const noexcept { return {}; }
    void return_void() const noexcept {}
    // Callers pass tasks that never throw (AppCore::run); anything else is a bug.
    void unhandled_exception() const noexcept { std::terminate(); }
  };
  std::coroutine_handle<> frame;
};

template <class T, class Done>
Detached run_detached(Task<T> task, Done done) {
  done(co_await std::move(task));
}

template <class Done>
Detached run_detached(Task<void> task, Done done) {
  co_await std::move(task);
  done();
}

}  // namespace pulsarcpp::detail
