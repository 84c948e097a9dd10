#include "pulsarcpp/app.hpp"

#include <unistd.h>

#include "app/app_core.hpp"
#include "app/detached.hpp"
#include "app/file_response.hpp"
#include "http/chunked_decoder.hpp"
#include "http/parser.hpp"
#include "net/event_loop.hpp"
#include "net/worker_pool.hpp"
#include "server/runtime.hpp"

namespace pulsarcpp {

struct App::Impl {
  detail::ServerConfig config;
  detail::AppCore core;
  http::ParserLimits limits;
  net::EventLoop loop;
  std::unique_ptr<net::WorkerPool> pool;

  explicit Impl(detail::ServerConfig&& server_config)
      : config(std::move(server_config)),
        core(config),
        limits{config.http.limits.max_head_bytes, config.http.limits.max_header_count,
               config.http.limits.max_body_bytes} {}

  // Runs the loop on this thread until `done` is set (offload and sleep_for resume through it).
  template <class T>
  T drive(Task<T> task) {
    if (!pool) pool = std::make_unique<net::WorkerPool>(2);
    net::EventLoop* previous = net::EventLoop::current();
    loop.make_current();
    detail::set_thread_worker_pool(pool.get());
    std::optional<T> result;
    detail::run_detached(std::move(task), [&result](T value) { result.emplace(std::move(value)); });
    while (!result) loop.run_once(-1);
    detail::set_thread_worker_pool(nullptr);
    if (previous) previous->make_current();
    return std::move(*result);
  }

  Task<std::string> collect(std::shared_ptr<AsyncGenerator<std::string>> stream) {
    std::string body;
    try {
      for (;;) {
        std::optional<std::string> piece = co_await stream->next();
        if (!piece) break;
        body += *piece;
      }
    } catch (const std::exception& e) {
      log(std::string("Error in stream: ") + e.what());
    } catch (...) {
      log("Error in stream: unknown exception");
    }
    co_return body;
  }

  Response materialize(Response response, Context& ctx, const http::RequestHead& head);
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

std::string read_file_range(int fd, std::uint64_t offset, std::uint64_t length) {
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

}  // namespace

Response App::Impl::materialize(Response response, Context& ctx,
                                const http::RequestHead& head) {
  core.refuse_unsafe_headers(response, ctx);
  if (response.file_path) {
    detail::OpenedFile opened =
        detail::open_file_response(std::move(response), head, core.error_format());
    response = std::move(opened.response);
    if (opened.fd >= 0) {
      response.body = read_file_range(opened.fd, opened.offset, opened.length);
      ::close(opened.fd);
    }
  } else if (response.body_stream) {
    auto stream = std::move(response.body_stream);
    if (head.method != http::Method::head) response.body = drive(collect(std::move(stream)));
  }
  response.upgrade.reset();  // no socket to become a WebSocket here
  for (const auto& header : ctx.response_headers()) response.headers.push_back(header);
  if (detail::AppCore::omits_body(ctx)) response.body.clear();
  return response;
}

App::App(detail::ServerConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}
App::~App() = default;
App::App(App&&) noexcept = default;
App& App::operator=(App&&) noexcept = default;

Response App::handle(const TestRequest& request) {
  std::string raw = serialize(request);
  http::RequestHead head;
  http::ParseResult parsed = http::parse_request_head(raw, impl_->limits, head);
  if (parsed.status != http::ParseStatus::complete) {
    return impl_->core.library_error(
        parsed.status == http::ParseStatus::error ? parsed.error_status : 400);
  }
  std::string_view body(raw.data() + parsed.consumed, raw.size() - parsed.consumed);
  if (head.framing == http::BodyFraming::chunked) {
    http::ChunkedDecoder decoder(impl_->limits.max_body_bytes);
    auto decoded = decoder.decode(raw.data() + parsed.consumed, body.size());
    if (decoded.status != http::ChunkedDecoder::Status::complete) {
      return impl_->core.library_error(
          decoded.status == http::ChunkedDecoder::Status::error ? decoded.error_status : 400);
    }
    body = body.substr(0, decoded.decoded);
  } else {
    body = body.substr(0, head.content_length);
  }
  Context ctx;
  impl_->core.begin(ctx, head, body, request.remote_address, 0, nullptr);
  Response response = impl_->core.can_run_sync(ctx) ? impl_->core.run_sync(ctx)
                                                    : impl_->drive(impl_->core.run(ctx));
  return impl_->materialize(std::move(response), ctx, head);
}

}  // namespace pulsarcpp
