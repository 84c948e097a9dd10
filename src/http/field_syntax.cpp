#include "http/field_syntax.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace pulsarcpp::http {

bool is_field_name(std::string_view name) noexcept {
  return !name.empty() && std::ranges::all_of(name, is_token_char);
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
