#include "pulsarcpp/http/request_head.hpp"

#include <algorithm>
#include <array>
#include <cstddef>

namespace pulsarcpp::http {

namespace {

// Header names are compared on every request; a table lookup per byte beats two range tests.
constexpr std::array<unsigned char, 256> kAsciiLower = [] {
  std::array<unsigned char, 256> lower{};
  for (std::size_t c = 0; c < lower.size(); ++c) {
    lower[c] = static_cast<unsigned char>(c >= 'A' && c <= 'Z' ? c | 0x20 : c);
  }
  return lower;
}();

constexpr unsigned char ascii_lower(char c) noexcept {
  return kAsciiLower[static_cast<unsigned char>(c)];
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

bool has_token(std::string_view list, std::string_view token) noexcept {
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    if (iequals(trim_ows(list.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

std::string_view RequestHead::header(std::string_view name) const noexcept {
  for (const Header& h : headers) {
    if (iequals(h.name, name)) return h.value;
  }
  return {};
}

bool RequestHead::has_header(std::string_view name) const noexcept {
  return std::any_of(headers.begin(), headers.end(),
                     [name](const Header& h) { return iequals(h.name, name); });
}

}  // namespace pulsarcpp::http
