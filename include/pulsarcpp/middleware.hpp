#pragma once
// Middleware: `Task<Response>(Context&, Next)` (or `const Next&`). Run in order for every
// request; it may answer without calling next, and may change the response after
// `co_await next()`.

#include <cstddef>
#include <concepts>
#include <functional>
#include <string_view>
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

/// What logger() writes after Pulsar's "GET /users/42 200 0.42ms", in this order, and where.
struct LoggerOptions {
  /// The client's address: "127.0.0.1".
  bool remote_address = false;
  /// Body bytes of the answer: "27B" ("-" for a file, whose range the server picks later).
  bool response_bytes = false;
  /// The User-Agent header, quoted: "\"curl/8.1.2\"" ("-" without one).
  bool user_agent = false;
  /// The X-Request-Id header ("-" without one).
  bool request_id = false;
  /// Receives each line, without the date that log() puts in front. Unset: log(), which writes
  /// to standard output. Called on the request's loop thread.
  std::function<void(std::string_view line)> sink = {};
};

/// Logs one line per request in Pulsar's log() format:
/// "28/11/2026, 14:03:07: GET /users/42 200 0.42ms". Every request that reaches the middleware
/// chain gets exactly one: a handler that throws is logged with the 500 (or the HttpError's
/// status) it is answered with, and a stream or event stream when its last piece is produced
/// (or when it is abandoned), timed to then. Put it first, so it times the whole chain.
Middleware logger(LoggerOptions options = {});

/// Writes `message` to standard output prefixed with the local date and time, as Pulsar's
/// log() does ("DD/MM/YYYY, HH:MM:SS: message"). Thread-safe; one write per line.
void log(std::string_view message);

}  // namespace pulsarcpp
