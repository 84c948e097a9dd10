#include "server/response_writer.hpp"

#include <unistd.h>

#include <cassert>
#include <exception>

#include "app/app_core.hpp"
#include "app/file_response.hpp"
#include "pulsarcpp/middleware.hpp"
#include "pulsarcpp/http/status.hpp"
#include "server/response_head.hpp"

namespace pulsarcpp::detail {
namespace {

// The parts of one answer's writing that every kind of response shares.
struct Writer {
  std::string& out;
  Context& ctx;
  const AppCore& app;
  const http::RequestHead& request;
  std::string_view date_line;
  bool& keep_alive;

  ConnectionHeader connection() const noexcept {
    return {keep_alive, request.version_minor == 0};
  }

  // For responses whose headers AppCore::refuse_unsafe_headers() has let through already.
  void checked_head(const Response& response, HeadFraming framing, ConnectionHeader connection) {
    [[maybe_unused]] const bool written = append_response_head(
        out, response.status, response.headers, ctx.response_headers(), framing, date_line,
        connection);
    assert(written);
  }

  BodyToFollow plain(Response& response) {
    write_plain_response(out, response, ctx, app, request, date_line, keep_alive);
    return {};
  }

  BodyToFollow file(Response& response) {
    OpenedFile opened = open_file_response(std::move(response), request, app.error_format());
    if (opened.fd < 0) return plain(opened.response);
    checked_head(opened.response, {HeadFraming::Kind::length, opened.length}, connection());
    if (AppCore::omits_body(ctx) || opened.length == 0) {
      ::close(opened.fd);
      return {};
    }
    return {.kind = BodyToFollow::Kind::file,
            .file_fd = opened.fd,
            .file_offset = opened.offset,
            .file_length = opened.length};
  }

  BodyToFollow stream(Response& response) {
    // A 204 (how an event stream tells EventSource to stop) or 304 has no body to stream: the
    // generator is dropped without running.
    const bool has_body = http::status_allows_body(response.status);
    // HTTP/1.0 has no chunked coding: the body ends when the connection does.
    const bool chunked = request.version_minor >= 1;
    if (has_body && !chunked) keep_alive = false;
    const HeadFraming::Kind kind = !has_body ? HeadFraming::Kind::none
                                   : chunked ? HeadFraming::Kind::chunked
                                             : HeadFraming::Kind::until_close;
    checked_head(response, {kind, 0}, connection());
    if (!has_body || AppCore::omits_body(ctx)) return {};
    return {.kind = BodyToFollow::Kind::stream,
            .stream = std::move(response.body_stream),
            .chunked = chunked};
  }

  BodyToFollow upgrade(Response& response) {
    checked_head(response, {HeadFraming::Kind::none, 0},
                 {.keep_alive = true, .http10 = false, .upgrade = true});
    keep_alive = false;  // no more HTTP requests on this socket
    return {.kind = BodyToFollow::Kind::upgrade, .upgrade = std::move(response.upgrade)};
  }
};

}  // namespace

void write_refused_response(std::string& out, Response& response, Context& ctx,
                            const AppCore& app, const http::RequestHead& request,
                            std::string_view date_line, bool keep_alive) {
  // It finds the header that failed the same check, logs it and puts a plain 500 in place.
  app.refuse_unsafe_headers(response, ctx);
  write_plain_response(out, response, ctx, app, request, date_line, keep_alive);
}

BodyToFollow write_response(std::string& out, Response& response, Context& ctx,
                            const AppCore& app, const http::RequestHead& request,
                            std::string_view date_line, bool& keep_alive) {
  Writer writer{out, ctx, app, request, date_line, keep_alive};
  // The headers of a plain response are checked as its head is written; the others' before
  // their own paths take over.
  if (is_plain(response)) return writer.plain(response);
  app.refuse_unsafe_headers(response, ctx);
  if (response.upgrade && response.status == 101) return writer.upgrade(response);
  if (response.file_path) return writer.file(response);
  if (response.body_stream) return writer.stream(response);
  return writer.plain(response);
}

void log_stream_failure(std::string_view path) {
  std::string line = "Error in stream of " + std::string(path) + ": ";
  try {
    throw;
  } catch (const std::exception& e) {
    line += e.what();
  } catch (...) {
    line += "unknown exception";
  }
  log(line);
}

void append_chunk(std::string& out, std::string_view data) {
  char size[20];
  auto end = std::to_chars(size, size + sizeof size, data.size(), 16).ptr;
  out.append(size, end).append("\r\n").append(data).append("\r\n");
}

}  // namespace pulsarcpp::detail
