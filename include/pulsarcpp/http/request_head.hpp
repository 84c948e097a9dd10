#pragma once
// A parsed request line and header section: views into the connection's read buffer.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "pulsarcpp/http/method.hpp"

namespace pulsarcpp::http {

struct Header {
  std::string_view name;   // as sent (case preserved); compare with iequals
  std::string_view value;  // leading and trailing whitespace removed
};

/// How the request body is delimited (RFC 9112 §6.3).
enum class BodyFraming : std::uint8_t { none, content_length, chunked };

struct RequestHead {
  Method method = Method::other;
  std::string_view method_name;  // the token as sent, e.g. "GET"
  std::string_view target;       // request-target as sent
  std::string_view path;         // path part, still percent-encoded ("/" for "*" and authority-form)
  std::string_view query;        // after '?', without it; empty when absent
  std::uint8_t version_minor = 1;  // HTTP/1.<minor>: 0 or 1
  std::vector<Header> headers;     // reused between requests: cleared, capacity kept

  // Derived by the parser from the headers.
  BodyFraming framing = BodyFraming::none;
  std::uint64_t content_length = 0;  // meaningful when framing == content_length
  bool keep_alive = true;            // false for "Connection: close", or HTTP/1.0 without keep-alive
  bool expect_continue = false;      // "Expect: 100-continue"
  bool upgrade = false;              // "Connection: upgrade" token together with an Upgrade header
  std::string_view host;             // the Host header (authority of an absolute-form target wins)

  /// First header with this name (ASCII case-insensitive), or an empty view.
  std::string_view header(std::string_view name) const noexcept;
  bool has_header(std::string_view name) const noexcept;
};

/// `s` without leading and trailing optional whitespace (SP and HTAB, RFC 9110 §5.6.3).
/// Inline: the parser calls it on every header value.
inline std::string_view trim_ows(std::string_view s) noexcept {
  constexpr auto is_ows = [](char c) { return c == ' ' || c == '\t'; };
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

/// ASCII case-insensitive equality.
bool iequals(std::string_view a, std::string_view b) noexcept;

/// True when the comma-separated list `list` holds `token` (case-insensitive, whitespace-trimmed).
bool has_token(std::string_view list, std::string_view token) noexcept;

}  // namespace pulsarcpp::http
