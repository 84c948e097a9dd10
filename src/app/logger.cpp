#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
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

using Clock = std::chrono::steady_clock;

std::string_view or_dash(std::string_view value) {
  return value.empty() ? std::string_view("-") : value;
}

// One request's line: what it says is copied when the request arrives, so that a stream that
// ends after the request's views are gone can still write it.
class RequestLine {
 public:
  RequestLine(std::shared_ptr<const LoggerOptions> options, const Context& ctx)
      : options_(std::move(options)), started_(Clock::now()) {
    // The path, not the target: query strings often carry tokens that do not belong in logs.
    text_.append(ctx.method_name()).append(" ").append(ctx.path()).append(" ");
    if (options_->remote_address) suffix_.append(" ").append(or_dash(ctx.remote_address()));
    if (options_->user_agent) agent_ = ctx.header("user-agent");
    if (options_->request_id) request_id_ = or_dash(ctx.header("x-request-id"));
  }

  /// Writes the line for an answer with `status` and `bytes` of body (nullopt: not known).
  void write(int status, std::optional<std::uint64_t> bytes) const {
    const std::chrono::duration<double, std::milli> took = Clock::now() - started_;
    char duration[32];
    std::snprintf(duration, sizeof duration, "%.2fms", took.count());
    std::string line = text_;
    line.append(std::to_string(status)).append(" ").append(duration).append(suffix_);
    if (options_->response_bytes) {
      line.append(" ").append(bytes ? std::to_string(*bytes) + "B" : std::string("-"));
    }
    if (options_->user_agent) {
      line.append(agent_.empty() ? " -" : " \"" + escaped(agent_) + "\"");
    }
    if (options_->request_id) line.append(" ").append(request_id_);
    if (options_->sink) {
      options_->sink(line);
    } else {
      log(line);
    }
  }

 private:
  // A header value may hold '"' and '\\': escaped, so the quotes still delimit it.
  static std::string escaped(std::string_view value) {
    std::string out;
    for (const char c : value) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    return out;
  }

  std::shared_ptr<const LoggerOptions> options_;
  Clock::time_point started_;
  std::string text_;    // "GET /users/42 "
  std::string suffix_;  // " 127.0.0.1" when asked
  std::string agent_;
  std::string request_id_;
};

// Writes a streamed answer's line once its generator is gone: ended, failed or abandoned. A
// parameter of the wrapping coroutine, so that even a stream that never starts (HEAD, a client
// that left) is logged when its frame is destroyed.
class StreamEnd {
 public:
  StreamEnd(RequestLine line, int status) : line_(std::move(line)), status_(status) {}
  StreamEnd(StreamEnd&& other) noexcept
      : line_(std::move(other.line_)), status_(other.status_), bytes_(other.bytes_),
        armed_(std::exchange(other.armed_, false)) {}
  StreamEnd(const StreamEnd&) = delete;
  StreamEnd& operator=(const StreamEnd&) = delete;
  StreamEnd& operator=(StreamEnd&&) = delete;
  ~StreamEnd() {
    if (armed_) line_.write(status_, bytes_);
  }
  void count(std::size_t bytes) noexcept { bytes_ += bytes; }

 private:
  RequestLine line_;
  int status_;
  std::uint64_t bytes_ = 0;
  bool armed_ = true;
};

AsyncGenerator<std::string> logged_stream(std::shared_ptr<AsyncGenerator<std::string>> stream,
                                          StreamEnd end) {
  for (;;) {
    std::optional<std::string> piece = co_await stream->next();
    if (!piece) break;
    end.count(piece->size());
    co_yield std::move(*piece);
  }
}

Task<Response> log_request(std::shared_ptr<const LoggerOptions> options, Context& ctx,
                           const Next& next) {
  RequestLine line(std::move(options), ctx);
  Response response;
  try {
    response = co_await next();
  } catch (const HttpError& e) {
    line.write(e.status(), std::nullopt);  // the status the app answers it with
    throw;
  } catch (...) {
    line.write(500, std::nullopt);
    throw;
  }
  if (response.body_stream) {
    response.body_stream = std::make_shared<AsyncGenerator<std::string>>(
        logged_stream(std::move(response.body_stream), StreamEnd(std::move(line), response.status)));
    co_return response;
  }
  std::optional<std::uint64_t> bytes;
  if (!response.file_path) bytes = ctx.method() == http::Method::head ? 0 : response.body.size();
  line.write(response.status, bytes);
  co_return response;
}

}  // namespace

Middleware logger(LoggerOptions options) {
  auto shared = std::make_shared<const LoggerOptions>(std::move(options));
  return [shared](Context& ctx, const Next& next) { return log_request(shared, ctx, next); };
}

}  // namespace pulsarcpp
