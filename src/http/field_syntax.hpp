#pragma once
// What a response header may hold before it goes on the wire. A name that is not a token, or a
// value with CR, LF or NUL, would end the field line early: a value taken from a request (a
// redirect target from the query string) could then add headers or a whole response of the
// client's choosing. The Fetch standard's Headers refuses the same bytes.

#include <array>
#include <cstdint>
#include <string_view>

#include "http/swar.hpp"

namespace pulsarcpp::http {

/// The bytes that are tchar (RFC 9110 §5.6.2): one load per byte, as every response's header
/// names are checked.
inline constexpr std::array<bool, 256> kTokenChars = [] {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) table[static_cast<unsigned char>(c)] = true;
  return table;
}();

constexpr bool is_token_char(char c) noexcept {
  return kTokenChars[static_cast<unsigned char>(c)];
}

/// Optional whitespace (RFC 9110 §5.6.3).
constexpr bool is_ows(char c) noexcept {
  return c == ' ' || c == '\t';
}

/// A field name: a non-empty token (RFC 9110 §5.1).
bool is_field_name(std::string_view name) noexcept;

// CR, LF or NUL among the bytes of `word`. Most words hold no control byte at all, which one test
// rules out; a word with one (a tab, say) is looked at closely.
inline bool has_line_breaking_byte(std::uint64_t word) noexcept {
  if (swar::bytes_below(word, 0x20) == 0) return false;
  return (swar::bytes_equal(word, '\r') | swar::bytes_equal(word, '\n') |
          swar::bytes_equal(word, '\0')) != 0;
}

// The checks below run on every header of every response, so they are inline.

/// A value that cannot end its field line: no CR, LF or NUL. Other control bytes are left to
/// the application, as Bun does.
inline bool is_safe_field_value(std::string_view value) noexcept {
  return !swar::any_word(value, 'a',
                         [](std::uint64_t word) { return has_line_breaking_byte(word); });
}

/// A name that cannot end its field line or move where the value starts: non-empty, no CR, LF,
/// NUL or ':'. Weaker than is_field_name, and cheap enough to check on every response: what the
/// setters did not check (headers pushed into Response::headers directly) gets this much.
inline bool is_safe_field_name(std::string_view name) noexcept {
  return !name.empty() && !swar::any_word(name, 'a', [](std::uint64_t word) {
    return swar::bytes_equal(word, ':') != 0 || has_line_breaking_byte(word);
  });
}

/// Both checks: a field line that cannot break the head it is written into.
inline bool is_safe_field(std::string_view name, std::string_view value) noexcept {
  return is_safe_field_name(name) && is_safe_field_value(value);
}

/// Throws std::invalid_argument naming the header when either check fails.
void check_response_field(std::string_view name, std::string_view value);

}  // namespace pulsarcpp::http
