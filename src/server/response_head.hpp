#pragma once
// Serializes a response's status line and header section into an output buffer.

#include <cstdint>
#include <string>
#include <string_view>

#include "pulsarcpp/response.hpp"

namespace pulsarcpp::detail {

struct HeadFraming {
  enum class Kind : std::uint8_t { length, chunked, until_close, none } kind = Kind::length;
  std::uint64_t length = 0;  // Kind::length
};

struct ConnectionHeader {
  bool keep_alive = true;
  bool http10 = false;   // an HTTP/1.0 peer needs "Connection: keep-alive" to keep the socket
  bool upgrade = false;  // a 101 switching to WebSocket: "Connection: Upgrade"
};

/// Appends "HTTP/1.1 <status> <reason>\r\n", `headers`, `extra` (context additions), the
/// framing header, `date_line` (the whole "Date: ...\r\n", as DateCache::line() gives it),
/// Connection, and the blank line. Content-Length and Transfer-Encoding headers set by the
/// application are replaced by the real framing. Returns false, appending nothing, when a
/// header would break the head (CR, LF or NUL, or ':' in a name: see is_safe_field_name).
bool append_response_head(std::string& out, int status, const Headers& headers,
                          const Headers& extra, HeadFraming framing, std::string_view date_line,
                          ConnectionHeader connection);

/// A complete short answer for protocol errors (400, 408, 413, 414, 431, 501, 505): the reason
/// phrase as a text body, and Connection: close.
void append_error_response(std::string& out, int status, std::string_view date_line,
                           ErrorFormat format);

}  // namespace pulsarcpp::detail
