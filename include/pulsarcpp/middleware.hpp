#pragma once
// Middleware: `Task<Response>(Context&, Next)` (or `const Next&`). Run in order for every
// request; it may answer without calling next, and may change the response after
// `co_await next()`.

#include <cstddef>
#include <concepts>
#include <functional>
#include <type_traits>

#include "pulsarcpp/context.hpp"
#include "pulsarcpp/next.hpp"
#include "pulsarcpp/response.hpp"
#include "pulsarcpp/task.hpp"

namespace pulsarcpp {

/// `Task<Response>(Context&, Next)` or `Task<Response>(Context&, const Next&)` (see next.hpp).
class Middleware {
 public:
  Middleware() = default;
  // Unconstrained, so that a function of the wrong shape meets the one static_assert below
  // that names the right one, not a page of failed overloads.
  template <class F>
    requires(!std::same_as<std::remove_cvref_t<F>, Middleware>)
  Middleware(F function) {  // NOLINT(google-explicit-constructor): written inline, as handlers
    constexpr bool fits = std::is_invocable_r_v<Task<Response>, F&, Context&, const Next&>;
    static_assert(fits,
                  "a middleware is Task<Response>(Context&, Next) or "
                  "Task<Response>(Context&, const Next&)");
    if constexpr (fits) function_ = std::move(function);
  }

  explicit operator bool() const noexcept { return static_cast<bool>(function_); }
  Task<Response> operator()(Context& ctx, const Next& next) const { return function_(ctx, next); }

 private:
  std::function<Task<Response>(Context&, const Next&)> function_;
};

/// Logs one line per request in Pulsar's log() format:
/// "28/11/2026, 14:03:07: GET /users/42 200 0.42ms".
Middleware logger();

/// Writes `message` to standard output prefixed with the local date and time, as Pulsar's
/// log() does ("DD/MM/YYYY, HH:MM:SS: message"). Thread-safe; one write per line.
void log(std::string_view message);

}  // namespace pulsarcpp
