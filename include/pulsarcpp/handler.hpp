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

  // Unconstrained, so that a function of the wrong shape meets the one static_assert below
  // that names the right one, not a page of failed overloads.
  template <class F>
    requires(!std::same_as<std::remove_cvref_t<F>, Handler>)
  Handler(F function) {  // NOLINT(google-explicit-constructor): handlers are written inline
    if constexpr (!std::is_invocable_v<F&, Context&>) {
      static_assert(std::is_invocable_v<F&, Context&>,
                    "a route handler is Response(Context&) or Task<Response>(Context&)");
    } else {
      using Result = std::invoke_result_t<F&, Context&>;
      if constexpr (std::is_same_v<Result, Task<Response>>) {
        async_ = std::move(function);
      } else if constexpr (std::is_same_v<Result, Response>) {
        sync_ = std::move(function);
      } else if constexpr (std::is_convertible_v<Result, Response>) {
        sync_ = [f = std::move(function)](Context& ctx) mutable { return Response(f(ctx)); };
      } else {
        static_assert(std::is_convertible_v<Result, Response>,
                      "a route handler is Response(Context&) or Task<Response>(Context&): this "
                      "one returns something else");
      }
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
