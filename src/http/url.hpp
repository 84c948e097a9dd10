#pragma once
// Percent-decoding and application/x-www-form-urlencoded queries (WHATWG URL rules), for path
// params and request.query. Decoded bytes are returned as they are: they may be any octets,
// including invalid UTF-8 and NUL, so callers that need text must check it.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pulsarcpp::http {

/// The byte the escape at in[pos] (a '%') stands for, or -1 when two hex digits do not follow.
int escaped_byte(std::string_view in, std::size_t pos) noexcept;

/// RFC 3986 unreserved characters: A-Z a-z 0-9 - . _ ~ (never need an escape).
constexpr bool is_unreserved(unsigned char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

/// Decodes %XX (hex in either case) and, if `plus_as_space`, '+' as ' ' into `out` (replaced).
/// Returns false on a '%' not followed by two hex digits; `out` then holds `in` undecoded, so a
/// caller can answer 400 for a path, or use the raw text.
bool percent_decode(std::string_view in, std::string& out, bool plus_as_space);

/// As a browser decodes: a malformed escape stays as literal text, the rest is decoded.
std::string percent_decode_lenient(std::string_view in, bool plus_as_space);

/// True when decoding could change `s`, i.e. it holds '%' (or '+' with `plus_as_space`).
bool needs_decoding(std::string_view s, bool plus_as_space) noexcept;

/// First value for `name` in a query string such as "a=1&b=x+y" (one leading '?' is skipped).
/// Names and values are decoded leniently with '+' as space; "key" alone has the value "".
std::optional<std::string> query_param(std::string_view query, std::string_view name);

/// Every name/value pair in order, decoded as in query_param; empty pieces ("a=1&&b") skipped.
std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query);

/// Percent-encodes every byte except RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~), with
/// upper-case hex: safe for a path segment or a query name or value.
std::string percent_encode_component(std::string_view in);

}  // namespace pulsarcpp::http
