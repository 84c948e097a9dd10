#pragma once
// Strict, zero-copy HTTP/1.1 request head parser (RFC 9112). No allocation except the reused
// header vector in RequestHead; never throws; errors are values that map to a status code.

#include <cstddef>
#include <cstdint>
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

/// How far the parse of a head that has not fully arrived got. Handed to the next call, with the
/// same bytes and more behind them (the buffer may have moved), it goes on from there instead of
/// from byte 0, so a head that arrives in many pieces costs in all a small multiple of what it
/// costs whole, not pieces times size, and ends exactly as the whole head would. Complete lines
/// are lexed once. Of the line still arriving, new bytes that cannot change its outcome (more of
/// the header value, name or word being read) are looked at once; one that can (the end of a
/// word or value, a byte of the version) has the line lexed again from its start, which happens
/// a bounded number of times per line. `{}` starts a head; every call that ends the head
/// (complete or error) resets it.
struct HeadProgress {
  std::size_t lexed = 0;          // bytes of complete lines lexed into the head (0: none yet)
  std::size_t searched = 0;       // bytes known to leave the incomplete line's outcome open
  const char* base = nullptr;     // where the input began at the last call; nullptr: a new head
  std::uint8_t waiting = 0;       // the byte class the lexer was reading (0: any byte decides)
  bool host_from_target = false;  // the request line's absolute-form target named the host
  std::size_t examined = 0;       // bytes looked at by the calls for this head (for the tests)
};

/// Parses one request head from the start of `input`, going on from `progress` (see there).
/// `out` holds the head; views in it point into `input`.
ParseResult parse_request_head(std::string_view input, const ParserLimits& limits,
                               RequestHead& out, HeadProgress& progress) noexcept;

/// Parses one request head that starts at `input`, from byte 0. `out` is overwritten (its header
/// vector is cleared and reused). Views in `out` point into `input`.
ParseResult parse_request_head(std::string_view input, const ParserLimits& limits,
                               RequestHead& out) noexcept;

}  // namespace pulsarcpp::http
