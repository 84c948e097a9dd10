#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

#include "http/date.hpp"
#include "pulsarcpp/middleware.hpp"

namespace pulsarcpp {

void log(std::string_view message) {
  std::string line = http::format_log_time(std::time(nullptr));
  line.append(": ").append(message).push_back('\n');
  // One write() per line keeps lines from different threads whole.
  std::size_t written = 0;
  while (written < line.size()) {
    ssize_t n = ::write(STDOUT_FILENO, line.data() + written, line.size() - written);
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
}

namespace {
Task<Response> log_request(Context& ctx, Next next) {
  auto started = std::chrono::steady_clock::now();
  Response response = co_await next();
  std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - started;
  char duration[32];
  std::snprintf(duration, sizeof duration, "%.2fms", took.count());
  // The path, not the target: query strings often carry tokens that do not belong in logs.
  log(std::string(ctx.method_name()) + " " + std::string(ctx.path()) + " " +
      std::to_string(response.status) + " " + duration);
  co_return response;
}
}  // namespace

Middleware logger() { return log_request; }

}  // namespace pulsarcpp
