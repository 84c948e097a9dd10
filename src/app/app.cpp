#include "pulsarcpp/app.hpp"

#include <unistd.h>

#include "app/app_core.hpp"
#include "app/detached.hpp"
#include "app/file_response.hpp"
#include "app/wire_response.hpp"
#include "http/date_cache.hpp"
#include "http/chunked_decoder.hpp"
#include "http/parser.hpp"
#include "net/event_loop.hpp"
#include "net/worker_pool.hpp"
#include "server/response_head.hpp"
#include "server/response_writer.hpp"
#include "server/runtime.hpp"

namespace pulsarcpp {

struct App::Impl {
  detail::ServerConfig config;
  detail::AppCore core;
  http::ParserLimits limits;
  net::EventLoop loop;
  std::unique_ptr<net::WorkerPool> pool;
  http::DateCache date;

  explicit Impl(detail::ServerConfig&& server_config)
      : config(std::move(server_config)),
        core(config),
        limits{config.http.limits.max_head_bytes, config.http.limits.max_header_count,
               config.http.limits.max_body_bytes} {}

  // Runs the loop on this thread until the task is done (offload and sleep_for resume
  // through it).
  template <class T>
  T drive(Task<T> task) {
    std::optional<T> result;
    run_to_end(std::move(task), [&result](T value) { result.emplace(std::move(value)); },
               [&result] { return result.has_value(); });
    return std::move(*result);
  }
  void drive(Task<void> task) {
    bool done = false;
    run_to_end(std::move(task), [&done] { done = true; }, [&done] { return done; });
  }
  template <class Work, class OnDone, class IsDone>
  void run_to_end(Work task, OnDone on_done, IsDone is_done) {
    if (!pool) pool = std::make_unique<net::WorkerPool>(2);
    net::EventLoop* previous = net::EventLoop::current();
    loop.make_current();
    detail::set_thread_worker_pool(pool.get());
    detail::run_detached(std::move(task), std::move(on_done));
    while (!is_done()) loop.run_once(-1);
    detail::set_thread_worker_pool(nullptr);
    if (previous) previous->make_current();
  }

  // Appends the pieces of a streamed body to `out` as the connection sends them: chunked, or
  // as they are for HTTP/1.0. A failed stream ends without its last chunk, as on a socket.
  Task<void> pump(std::shared_ptr<AsyncGenerator<std::string>> stream, bool chunked,
                  std::string& out, std::string path) {
    try {
      for (;;) {
        std::optional<std::string> piece = co_await stream->next();
        if (!piece) break;
        detail::append_stream_piece(out, *piece, chunked);
      }
    } catch (...) {
      detail::log_stream_failure(path);
      co_return;
    }
    if (chunked) out.append(detail::kLastChunk);
  }

  // Appends what follows a written head, as the connection would send it after the head.
  void send_rest(detail::BodyToFollow rest, std::string& out, const Context& ctx) {
    switch (rest.kind) {
      case detail::BodyToFollow::Kind::none:
      case detail::BodyToFollow::Kind::upgrade:  // no socket to become a WebSocket here
        return;
      case detail::BodyToFollow::Kind::file:
        out.append(read_file_range(rest.file_fd, rest.file_offset, rest.file_length));
        ::close(rest.file_fd);
        return;
      case detail::BodyToFollow::Kind::stream:
        drive(pump(std::move(rest.stream), rest.chunked, out, std::string(ctx.path())));
        return;
    }
  }

  std::string_view date_line() { return date.line(loop.now_ms()); }

  static std::string read_file_range(int fd, std::uint64_t offset, std::uint64_t length);
};

namespace {

std::string serialize(const TestRequest& request) {
  std::string raw = request.method + " " + request.target + " HTTP/1.1\r\n";
  bool has_host = false;
  bool has_framing = false;
  for (const auto& [name, value] : request.headers) {
    has_host = has_host || http::iequals(name, "host");
    has_framing = has_framing || http::iequals(name, "content-length") ||
                  http::iequals(name, "transfer-encoding");
    raw.append(name).append(": ").append(value).append("\r\n");
  }
  if (!has_host) raw.append("Host: localhost\r\n");
  if (!has_framing && !request.body.empty()) {
    raw.append("Content-Length: ").append(std::to_string(request.body.size())).append("\r\n");
  }
  raw.append("\r\n").append(request.body);
  return raw;
}

}  // namespace

std::string App::Impl::read_file_range(int fd, std::uint64_t offset, std::uint64_t length) {
  std::string body(length, '\0');
  std::size_t done = 0;
  while (done < length) {
    ssize_t n = ::pread(fd, body.data() + done, length - done, static_cast<off_t>(offset + done));
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  body.resize(done);
  return body;
}

App::App(detail::ServerConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}
App::~App() = default;
App::App(App&&) noexcept = default;
App& App::operator=(App&&) noexcept = default;

std::string App::handle_bytes(const TestRequest& request) {
  std::string raw = serialize(request);
  http::RequestHead head;
  std::string out;
  const auto refuse = [&](int status) {
    detail::append_error_response(out, status, impl_->date_line(), impl_->core.error_format());
    return out;
  };
  http::ParseResult parsed = http::parse_request_head(raw, impl_->limits, head);
  if (parsed.status != http::ParseStatus::complete) {
    return refuse(parsed.status == http::ParseStatus::error ? parsed.error_status : 400);
  }
  std::string_view body(raw.data() + parsed.consumed, raw.size() - parsed.consumed);
  if (head.framing == http::BodyFraming::chunked) {
    http::ChunkedDecoder decoder(impl_->limits.max_body_bytes);
    auto decoded = decoder.decode(raw.data() + parsed.consumed, body.size());
    if (decoded.status != http::ChunkedDecoder::Status::complete) {
      return refuse(decoded.status == http::ChunkedDecoder::Status::error ? decoded.error_status
                                                                         : 400);
    }
    body = body.substr(0, decoded.decoded);
  } else {
    body = body.substr(0, head.content_length);
  }
  Context ctx;
  impl_->core.begin(ctx, head, body, request.remote_address, 0, nullptr);
  Response response = impl_->core.can_run_sync(ctx) ? impl_->core.run_sync(ctx)
                                                    : impl_->drive(impl_->core.run(ctx));
  bool keep_alive = head.keep_alive;
  detail::BodyToFollow rest = detail::write_response(out, response, ctx, impl_->core, head,
                                                     impl_->date_line(), keep_alive);
  impl_->send_rest(std::move(rest), out, ctx);
  return out;
}

Response App::handle(const TestRequest& request) {
  return detail::read_wire_response(handle_bytes(request), http::iequals(request.method, "HEAD"));
}

}  // namespace pulsarcpp
