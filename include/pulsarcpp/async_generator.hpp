#pragma once
// AsyncGenerator<T>: a coroutine that may both co_await and co_yield, consumed with
// `std::optional<T> item = co_await gen.next();` until it is empty (write it as a statement:
// GCC 12 mishandles co_await in a while condition). Also with GCC 12, co_yield a named
// variable rather than an aggregate built in place from temporaries
// (`co_yield Event{.data = "a" + s}` is destroyed twice: a compiler bug). The server drives one per streamed response and
// asks for the next item only when the client has taken the previous ones, so a slow client
// pauses the generator instead of growing a buffer.

#include <coroutine>

#include "pulsarcpp/task.hpp"
#include <exception>
#include <optional>
#include <utility>

namespace pulsarcpp {

template <class T>
class [[nodiscard]] AsyncGenerator {
 public:
  struct promise_type {
    std::optional<T> current;
    std::coroutine_handle<> consumer;
    std::exception_ptr error;
    detail::Rendezvous rendezvous;  // per next(): see Task

    AsyncGenerator get_return_object() noexcept {
      return AsyncGenerator{std::coroutine_handle<promise_type>::from_promise(*this)};
    }
    std::suspend_always initial_suspend() const noexcept { return {}; }
    auto final_suspend() noexcept { return HandBack{}; }
    auto yield_value(T&& value) {
      current.emplace(std::move(value));
      return HandBack{};
    }
    auto yield_value(const T& value) {
      current.emplace(value);
      return HandBack{};
    }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { error = std::current_exception(); }
  };

  using Handle = std::coroutine_handle<promise_type>;

  AsyncGenerator() noexcept = default;
  explicit AsyncGenerator(Handle handle) noexcept : handle_(handle) {}
  AsyncGenerator(AsyncGenerator&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  AsyncGenerator& operator=(AsyncGenerator&& other) noexcept {
    if (this != &other) {
      if (handle_) handle_.destroy();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  ~AsyncGenerator() {
    if (handle_) handle_.destroy();
  }

  /// Resumes the generator until its next co_yield (an item) or its end (nullopt). Rethrows
  /// what the generator threw.
  auto next() noexcept {
    struct Awaiter {
      Handle handle;
      bool await_ready() const noexcept { return !handle || handle.done(); }
      bool await_suspend(std::coroutine_handle<> consumer) noexcept {
        auto& promise = handle.promise();
        promise.current.reset();
        promise.consumer = consumer;
        promise.rendezvous.reset();
        handle.resume();
        return !promise.rendezvous.arrive();
      }
      std::optional<T> await_resume() {
        if (!handle) return std::nullopt;
        auto& promise = handle.promise();
        if (promise.error) std::rethrow_exception(std::exchange(promise.error, nullptr));
        if (handle.done()) return std::nullopt;
        return std::move(promise.current);
      }
    };
    return Awaiter{handle_};
  }

  bool valid() const noexcept { return static_cast<bool>(handle_); }

 private:
  // Suspends the generator and resumes its consumer.
  struct HandBack {
    bool await_ready() const noexcept { return false; }
    std::coroutine_handle<> await_suspend(Handle self) noexcept {
      auto& promise = self.promise();
      // Yielded inside next()'s resume(): return there; else the consumer waits to be resumed.
      if (!promise.consumer || !promise.rendezvous.arrive()) return std::noop_coroutine();
      return promise.consumer;
    }
    void await_resume() const noexcept {}
  };

  Handle handle_;
};

}  // namespace pulsarcpp
