#pragma once
// Middleware: `Task<Response>(Context&, Next)` (or `const Next&`). Run in order for every
// request; it may answer without calling next, and may change the response after
// `co_await next()`.

#include <cstddef>
#include <functional>

#include "pulsarcpp/context.hpp"
#include "pulsarcpp/response.hpp"
#include "pulsarcpp/task.hpp"

namespace pulsarcpp {

namespace detail {
class AppCore;
}

/// Calls the rest of the chain: the next middleware, or the route.
class Next {
 public:
  Task<Response> operator()() const;

 private:
  friend class detail::AppCore;
  Next(const detail::AppCore& app, Context& ctx, std::size_t index) noexcept
      : app_(&app), ctx_(&ctx), index_(index) {}
  const detail::AppCore* app_;
  Context* ctx_;
  std::size_t index_;
};

/// Takes `Next` by value or by const reference: the chain keeps the object alive until the
/// middleware's Task has finished, so either may be used after a suspension.
using Middleware = std::function<Task<Response>(Context&, const Next&)>;

/// Logs one line per request in Pulsar's log() format:
/// "28/11/2026, 14:03:07: GET /users/42 200 0.42ms".
Middleware logger();

/// Writes `message` to standard output prefixed with the local date and time, as Pulsar's
/// log() does ("DD/MM/YYYY, HH:MM:SS: message"). Thread-safe; one write per line.
void log(std::string_view message);

}  // namespace pulsarcpp
