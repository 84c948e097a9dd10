#pragma once
// Handler: a route's code, either `Response(Context&)` or `Task<Response>(Context&)`.
// Plain functions are called directly on the fast path; coroutines are driven by the loop.

#include <concepts>
#include <functional>
#include <type_traits>
#include <utility>

#include "pulsarcpp/context.hpp"
#include "pulsarcpp/response.hpp"
#include "pulsarcpp/task.hpp"

namespace pulsarcpp {

class Handler {
 public:
  using Sync = std::function<Response(Context&)>;
  using Async = std::function<Task<Response>(Context&)>;

  Handler() = default;

  template <class F>
    requires std::invocable<F&, Context&>
  Handler(F function) {  // NOLINT(google-explicit-constructor): handlers are written inline
    using Result = std::invoke_result_t<F&, Context&>;
    if constexpr (std::is_same_v<Result, Task<Response>>) {
      async_ = std::move(function);
    } else if constexpr (std::is_same_v<Result, Response>) {
      sync_ = std::move(function);
    } else {
      static_assert(std::is_convertible_v<Result, Response>,
                    "a handler returns Response or Task<Response>");
      sync_ = [f = std::move(function)](Context& ctx) mutable { return Response(f(ctx)); };
    }
  }

  bool is_sync() const noexcept { return static_cast<bool>(sync_); }
  explicit operator bool() const noexcept { return sync_ || async_; }
  const Sync& sync() const noexcept { return sync_; }
  const Async& async() const noexcept { return async_; }

 private:
  Sync sync_;
  Async async_;
};

}  // namespace pulsarcpp
