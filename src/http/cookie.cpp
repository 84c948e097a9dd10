#include "pulsarcpp/http/cookie.hpp"

#include <algorithm>
#include <stdexcept>

#include "http/date.hpp"
#include "http/field_syntax.hpp"

#include "pulsarcpp/http/request_head.hpp"

namespace pulsarcpp::http {
namespace {

// cookie-octet: US-ASCII except CTLs, whitespace, DQUOTE, comma, semicolon and backslash.
constexpr bool is_cookie_octet(char c) noexcept {
  const auto byte = static_cast<unsigned char>(c);
  return byte == 0x21 || (byte >= 0x23 && byte <= 0x2b) || (byte >= 0x2d && byte <= 0x3a) ||
         (byte >= 0x3c && byte <= 0x5b) || (byte >= 0x5d && byte <= 0x7e);
}

// av-octet: any CHAR except CTLs or ';' (RFC 6265 §4.1.1).
constexpr bool is_attribute_octet(char c) noexcept {
  const auto byte = static_cast<unsigned char>(c);
  return byte >= 0x20 && byte < 0x7f && c != ';';
}

bool is_valid_name(std::string_view name) noexcept {
  return !name.empty() && std::ranges::all_of(name, is_token_char);
}

bool is_valid_value(std::string_view value) noexcept {
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    value = value.substr(1, value.size() - 2);
  }
  return std::ranges::all_of(value, is_cookie_octet);
}

void append_attribute(std::string& out, std::string_view label, std::string_view value) {
  if (!std::ranges::all_of(value, is_attribute_octet)) {
    throw std::invalid_argument("cookie " + std::string(label) +
                                " contains ';' or a control character");
  }
  out.append("; ").append(label).append("=").append(value);
}

std::string_view same_site_name(SameSite same_site) noexcept {
  switch (same_site) {
    case SameSite::lax:
      return "Lax";
    case SameSite::strict:
      return "Strict";
    case SameSite::none:
      return "None";
    case SameSite::unset:
      break;
  }
  return {};
}

struct CookiePair {
  std::string_view name;
  std::string_view value;
};

// Splits one ';'-separated element into name and value; nullopt when there is no '=' or no name.
std::optional<CookiePair> split_pair(std::string_view element) noexcept {
  const std::size_t equals = element.find('=');
  if (equals == std::string_view::npos) return std::nullopt;
  const std::string_view name = trim_ows(element.substr(0, equals));
  std::string_view value = trim_ows(element.substr(equals + 1));
  if (name.empty()) return std::nullopt;
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    value = value.substr(1, value.size() - 2);
  }
  return CookiePair{name, value};
}

// Calls `visit(pair)` for each pair in order until it returns true.
template <typename Visit>
void for_each_pair(std::string_view header, Visit&& visit) {
  while (!header.empty()) {
    const std::size_t semicolon = header.find(';');
    if (const auto pair = split_pair(header.substr(0, semicolon)); pair && visit(*pair)) return;
    if (semicolon == std::string_view::npos) return;
    header.remove_prefix(semicolon + 1);
  }
}

}  // namespace

std::string serialize_set_cookie(const Cookie& cookie) {
  if (!is_valid_name(cookie.name)) throw std::invalid_argument("cookie name is not a token");
  if (!is_valid_value(cookie.value)) {
    throw std::invalid_argument("cookie value contains a character outside cookie-octet");
  }
  std::string out;
  out.reserve(cookie.name.size() + cookie.value.size() + 128);
  out.append(cookie.name).append("=").append(cookie.value);
  if (cookie.max_age) append_attribute(out, "Max-Age", std::to_string(*cookie.max_age));
  if (!cookie.domain.empty()) append_attribute(out, "Domain", cookie.domain);
  if (!cookie.path.empty()) append_attribute(out, "Path", cookie.path);
  if (cookie.expires) {
    char date[kHttpDateLength];
    format_http_date(*cookie.expires, date);
    append_attribute(out, "Expires", std::string_view(date, kHttpDateLength));
  }
  if (cookie.http_only) out.append("; HttpOnly");
  // Browsers reject SameSite=None and Partitioned cookies that lack Secure; adding it keeps the
  // cookie working rather than vanishing without an error.
  if (cookie.secure || cookie.same_site == SameSite::none || cookie.partitioned) {
    out.append("; Secure");
  }
  if (cookie.partitioned) out.append("; Partitioned");
  if (cookie.same_site != SameSite::unset) {
    out.append("; SameSite=").append(same_site_name(cookie.same_site));
  }
  return out;
}

std::optional<std::string_view> find_cookie(std::string_view cookie_header,
                                            std::string_view name) noexcept {
  std::optional<std::string_view> found;
  for_each_pair(cookie_header, [&](const CookiePair& pair) {
    if (pair.name != name) return false;
    found = pair.value;
    return true;
  });
  return found;
}

std::vector<std::pair<std::string_view, std::string_view>> parse_cookie_header(
    std::string_view cookie_header) {
  std::vector<std::pair<std::string_view, std::string_view>> pairs;
  for_each_pair(cookie_header, [&](const CookiePair& pair) {
    pairs.emplace_back(pair.name, pair.value);
    return false;
  });
  return pairs;
}

}  // namespace pulsarcpp::http
