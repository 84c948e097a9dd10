#include "http/etag.hpp"

#include <algorithm>

#include "http/field_syntax.hpp"

namespace pulsarcpp::http {
namespace {

void append_hex(std::string& out, std::uint64_t value) {
  char digits[16];
  int count = 0;
  do {
    digits[count++] = "0123456789abcdef"[value & 0xf];
    value >>= 4;
  } while (value != 0);
  while (count > 0) out.push_back(digits[--count]);
}

// etagc = %x21 / %x23-7E / obs-text
constexpr bool is_etag_char(char c) noexcept {
  const auto byte = static_cast<unsigned char>(c);
  return byte == 0x21 || (byte >= 0x23 && byte != 0x7f);
}

// An opaque-tag (quotes included) is well formed when only etagc sits between its quotes.
bool is_opaque_tag(std::string_view text) noexcept {
  if (text.size() < 2 || text.front() != '"' || text.back() != '"') return false;
  return std::ranges::all_of(text.substr(1, text.size() - 2), is_etag_char);
}

// The opaque-tag of a whole entity-tag, ignoring a weak prefix; empty if malformed.
std::string_view opaque_tag(std::string_view entity_tag) noexcept {
  if (entity_tag.starts_with("W/")) entity_tag.remove_prefix(2);
  return is_opaque_tag(entity_tag) ? entity_tag : std::string_view{};
}

// Reads the next entity-tag's opaque-tag from a #entity-tag list, consuming it from `rest`.
// Returns empty at the end of the list and when the list is malformed; either way the caller
// stops. Commas are legal inside an opaque-tag, so the list is scanned quote to quote rather than
// split on ','.
// `weak` tells whether the entity-tag had the W/ prefix.
std::string_view next_opaque_tag(std::string_view& rest, bool& weak) noexcept {
  while (!rest.empty() && (is_ows(rest.front()) || rest.front() == ',')) rest.remove_prefix(1);
  if (rest.empty()) return {};
  weak = rest.starts_with("W/");
  const std::size_t open = weak ? 2 : 0;
  const std::size_t close = rest.size() > open ? rest.find('"', open + 1) : std::string_view::npos;
  if (rest.size() <= open || rest[open] != '"' || close == std::string_view::npos) return {};
  const std::string_view tag = rest.substr(open, close - open + 1);
  rest.remove_prefix(close + 1);
  while (!rest.empty() && is_ows(rest.front())) rest.remove_prefix(1);
  if (!is_opaque_tag(tag) || (!rest.empty() && rest.front() != ',')) return {};
  return tag;
}

}  // namespace

std::string make_etag(std::uint64_t size, std::int64_t mtime_ns) {
  std::string tag;
  tag.reserve(2 + 16 + 1 + 16);
  tag.push_back('"');
  append_hex(tag, size);
  tag.push_back('-');
  append_hex(tag, static_cast<std::uint64_t>(mtime_ns));
  tag.push_back('"');
  return tag;
}

namespace {

// Whether `etag` is in the #entity-tag list `list`, or the list is "*". A strong comparison
// (If-Match) needs both tags strong; a weak one (If-None-Match) ignores W/ on either side.
bool list_matches(std::string_view list, std::string_view etag, bool strong) noexcept {
  std::string_view rest = list;
  while (!rest.empty() && is_ows(rest.front())) rest.remove_prefix(1);
  while (!rest.empty() && is_ows(rest.back())) rest.remove_suffix(1);
  if (rest == "*") return true;
  if (strong && etag.starts_with("W/")) return false;
  const std::string_view target = opaque_tag(etag);
  if (target.empty()) return false;
  while (true) {
    bool weak = false;
    const std::string_view tag = next_opaque_tag(rest, weak);
    if (tag.empty()) return false;  // end of list or malformed
    if (tag == target && !(strong && weak)) return true;
  }
}

}  // namespace

bool etag_matches_if_none_match(std::string_view if_none_match, std::string_view etag) noexcept {
  return list_matches(if_none_match, etag, false);
}

bool etag_matches_if_match(std::string_view if_match, std::string_view etag) noexcept {
  return list_matches(if_match, etag, true);
}

}  // namespace pulsarcpp::http
