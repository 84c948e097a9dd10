#pragma once
// The one response pipeline: how a handler's Response goes on the wire, decided in one place
// for the socket connection and for the in-memory App alike, so that what a unit test reads
// is what a client reads. It checks the headers, opens files (validators, ranges), picks the
// framing (Content-Length, chunked, none for HEAD, 1xx, 204 and 304), and writes the head and
// a plain body; what follows the head (a file's bytes, a stream's pieces, the switch to a
// WebSocket) is left to the caller, which owns the transport.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "app/file_response.hpp"
#include "pulsarcpp/async_generator.hpp"
#include "pulsarcpp/context.hpp"
#include "pulsarcpp/http/request_head.hpp"
#include "pulsarcpp/response.hpp"
#include "ws/upgrade.hpp"

namespace pulsarcpp::detail {

class AppCore;

/// What a written head leaves for the caller to send after it.
struct BodyToFollow {
  enum class Kind : std::uint8_t { none, file, stream, upgrade } kind = Kind::none;
  /// Kind::file: the open file and the byte range of it to send (the caller closes the fd).
  OpenedFile file = {};
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
BodyToFollow write_response(std::string& out, Response response, Context& ctx,
                            const AppCore& app, const http::RequestHead& request,
                            std::string_view date_line, bool& keep_alive);

/// Appends one piece of a chunked body ("<hex size>\r\n<data>\r\n"); `data` is not empty.
void append_chunk(std::string& out, std::string_view data);

/// The end of a chunked body.
inline constexpr std::string_view kLastChunk = "0\r\n\r\n";

}  // namespace pulsarcpp::detail
