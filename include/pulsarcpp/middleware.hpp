#pragma once
// Middleware: `Task<Response>(Context&, Next)` (or `const Next&`). Run in order for every
// request; it may answer without calling next, and may change the response after
// `co_await next()`.

#include <cstddef>
#include <functional>

#include "pulsarcpp/context.hpp"
#include "pulsarcpp/next.hpp"
#include "pulsarcpp/response.hpp"
#include "pulsarcpp/task.hpp"

namespace pulsarcpp {

/// Takes `Next` by value or by const reference (see next.hpp).
using Middleware = std::function<Task<Response>(Context&, const Next&)>;

/// Logs one line per request in Pulsar's log() format:
/// "28/11/2026, 14:03:07: GET /users/42 200 0.42ms".
Middleware logger();

/// Writes `message` to standard output prefixed with the local date and time, as Pulsar's
/// log() does ("DD/MM/YYYY, HH:MM:SS: message"). Thread-safe; one write per line.
void log(std::string_view message);

}  // namespace pulsarcpp
