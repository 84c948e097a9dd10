#include "http/field_syntax.hpp"

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "http/swar.hpp"

namespace pulsarcpp::http {
namespace {

// CR, LF or NUL. Most words hold no control byte at all, which one test rules out; a word with
// one (a tab, say) is looked at closely.
bool has_line_breaking_byte(std::uint64_t word) noexcept {
  if (swar::bytes_below(word, 0x20) == 0) return false;
  return (swar::bytes_equal(word, '\r') | swar::bytes_equal(word, '\n') |
          swar::bytes_equal(word, '\0')) != 0;
}

bool has_line_breaking_byte_or_colon(std::uint64_t word) noexcept {
  return swar::bytes_equal(word, ':') != 0 || has_line_breaking_byte(word);
}

}  // namespace

bool is_field_name(std::string_view name) noexcept {
  return !name.empty() && std::ranges::all_of(name, is_token_char);
}

bool is_safe_field_value(std::string_view value) noexcept {
  return !swar::any_word(value, 'a',
                         [](std::uint64_t word) { return has_line_breaking_byte(word); });
}

bool is_safe_field_name(std::string_view name) noexcept {
  return !name.empty() && !swar::any_word(name, 'a', [](std::uint64_t word) {
    return has_line_breaking_byte_or_colon(word);
  });
}

void check_response_field(std::string_view name, std::string_view value) {
  if (!is_field_name(name)) {
    throw std::invalid_argument("invalid response header name \"" + std::string(name) + "\"");
  }
  if (!is_safe_field_value(value)) {
    throw std::invalid_argument("response header " + std::string(name) +
                                " has a value with CR, LF or NUL");
  }
}

}  // namespace pulsarcpp::http
