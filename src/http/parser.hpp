#pragma once
// Strict, zero-copy HTTP/1.1 request head parser (RFC 9112). No allocation except the reused
// header vector in RequestHead; never throws; errors are values that map to a status code.

#include <cstddef>
#include <string_view>

#include "pulsarcpp/http/request_head.hpp"

namespace pulsarcpp::http {

struct ParserLimits {
  std::size_t max_head_bytes = 16 * 1024;  // request line + headers; over -> 431 (line alone -> 414)
  std::size_t max_header_count = 100;      // over -> 431
  std::size_t max_body_bytes = 1024 * 1024;  // Content-Length or decoded chunked size; over -> 413
};

enum class ParseStatus { complete, incomplete, error };

struct ParseResult {
  ParseStatus status = ParseStatus::incomplete;
  std::size_t consumed = 0;  // complete: bytes of the head, final CRLF CRLF included
  int error_status = 0;      // error: 400, 413, 414, 417, 431, 501 or 505
};

/// Parses one request head from the start of `input`. `out` is overwritten (its header vector is
/// cleared and reused). Views in `out` point into `input`.
ParseResult parse_request_head(std::string_view input, const ParserLimits& limits,
                               RequestHead& out) noexcept;

}  // namespace pulsarcpp::http
