#pragma once
// Next: what a middleware calls to run the rest of the chain.

#include <cstddef>

#include "pulsarcpp/response.hpp"
#include "pulsarcpp/task.hpp"

namespace pulsarcpp {

class Context;

namespace detail {
class AppCore;
}

/// Calls the rest of the chain: the next middleware, or the route. The chain passes each
/// middleware a Next that lives as long as the request's Context, so a middleware may take it
/// by value or by const reference and call it after suspending.
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

}  // namespace pulsarcpp
