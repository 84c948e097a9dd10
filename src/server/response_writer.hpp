#pragma once
// The one response pipeline: how a handler's Response goes on the wire, decided in one place
// for the socket connection and for the in-memory App alike, so that what a unit test reads
// is what a client reads. It checks the headers, opens files (validators, ranges), picks the
// framing (Content-Length, chunked, none for HEAD, 1xx, 204 and 304), and writes the head and
// a plain body; what follows the head (a file's bytes, a stream's pieces, the switch to a
// WebSocket) is left to the caller, which owns the transport.

#include <charconv>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "app/app_core.hpp"
#include "pulsarcpp/async_generator.hpp"
#include "pulsarcpp/http/status.hpp"
#include "pulsarcpp/context.hpp"
#include "pulsarcpp/http/request_head.hpp"
#include "pulsarcpp/response.hpp"
#include "server/response_head.hpp"
#include "ws/upgrade.hpp"

namespace pulsarcpp::detail {

/// What a written head leaves for the caller to send after it.
struct BodyToFollow {
  enum class Kind : std::uint8_t { none, file, stream, upgrade } kind = Kind::none;
  /// Kind::file: the open file and the byte range of it to send (the caller closes the fd).
  int file_fd = -1;
  std::uint64_t file_offset = 0;
  std::uint64_t file_length = 0;
  /// Kind::stream: the pieces to send, chunked (HTTP/1.1) or until the connection closes.
  std::shared_ptr<AsyncGenerator<std::string>> stream = {};
  bool chunked = true;
  /// Kind::upgrade: what the connection becomes once the 101 is out.
  std::shared_ptr<UpgradeTicket> upgrade = {};
};

/// Appends `response`, the answer to `request` as the app produced it for `ctx`, to `out` as
/// it goes on the wire: head (with the context's headers, `date_line` and the Connection
/// header) and a plain body. `keep_alive` says whether the connection stays open after it;
/// it is cleared when this answer must end it (a stream to an HTTP/1.0 client, an upgrade).
/// A header that would break the head turns the answer into a logged 500.
/// `response` is consumed (its parts may be moved out).
BodyToFollow write_response(std::string& out, Response& response, Context& ctx,
                            const AppCore& app, const http::RequestHead& request,
                            std::string_view date_line, bool& keep_alive);

/// Whether write_plain_response() is the whole of writing `response`.
inline bool is_plain(const Response& response) noexcept {
  return !response.upgrade && !response.file_path && !response.body_stream;
}

// RFC 9110 §8.6: a HEAD response may state only the length a GET would have had. That is the
// application's own Content-Length when it gave one, else the body's when the handler produced
// one (a GET route answering HEAD does); an empty body says nothing, so no length is sent.
inline HeadFraming head_framing(const Response& response) {
  if (const auto stated = response.header("Content-Length")) {
    std::uint64_t length = 0;
    const auto [end, ec] = std::from_chars(stated->data(), stated->data() + stated->size(), length);
    if (ec == std::errc{} && end == stated->data() + stated->size()) {
      return {HeadFraming::Kind::length, length};
    }
  }
  if (response.body.empty()) return {HeadFraming::Kind::none, 0};
  return {HeadFraming::Kind::length, response.body.size()};
}

/// A plain response whose head could not be written: the 500 that replaces it (logged).
void write_refused_response(std::string& out, Response& response, Context& ctx,
                            const AppCore& app, const http::RequestHead& request,
                            std::string_view date_line, bool keep_alive);

/// write_response() for a response with neither a file, a stream nor an upgrade: every body
/// in memory, which is most answers. Inline: the connection calls it for each of them.
inline void write_plain_response(std::string& out, Response& response, Context& ctx,
                                 const AppCore& app, const http::RequestHead& request,
                                 std::string_view date_line, bool keep_alive) {
  const bool may_have_body = http::status_allows_body(response.status);
  const bool head = AppCore::omits_body(ctx);
  const HeadFraming framing = !may_have_body ? HeadFraming{HeadFraming::Kind::none, 0}
                              : head         ? head_framing(response)
                                             : HeadFraming{HeadFraming::Kind::length,
                                                           response.body.size()};
  if (!append_response_head(out, response.status, response.headers, ctx.response_headers(),
                            framing, date_line, {keep_alive, request.version_minor == 0})) {
    return write_refused_response(out, response, ctx, app, request, date_line, keep_alive);
  }
  if (may_have_body && !head) out.append(response.body);
}

/// Appends one piece of a chunked body ("<hex size>\r\n<data>\r\n"); `data` is not empty.
void append_chunk(std::string& out, std::string_view data);

/// Appends a streamed body's next piece as it goes on the wire: a chunk, or the bytes as they
/// are for HTTP/1.0. An empty piece is skipped (an empty chunk would end the body).
inline void append_stream_piece(std::string& out, std::string_view piece, bool chunked) {
  if (piece.empty()) return;
  if (chunked) {
    append_chunk(out, piece);
  } else {
    out.append(piece);
  }
}

/// The end of a chunked body.
inline constexpr std::string_view kLastChunk = "0\r\n\r\n";

/// Logs the exception in flight (from a catch block) as the failure of the stream answering
/// `path`: its status is sent already, so the log is all that can tell of it.
void log_stream_failure(std::string_view path);

}  // namespace pulsarcpp::detail
