#include "http/range.hpp"

#include <algorithm>
#include <limits>
#include <optional>

#include "http/date.hpp"
#include "http/field_syntax.hpp"
#include "pulsarcpp/http/request_head.hpp"

namespace pulsarcpp::http {
namespace {

constexpr bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

bool iequals_ascii(std::string_view a, std::string_view b) noexcept {
  return std::ranges::equal(a, b, [](char x, char y) {
    return (x >= 'A' && x <= 'Z' ? x - 'A' + 'a' : x) == (y >= 'A' && y <= 'Z' ? y - 'A' + 'a' : y);
  });
}

// A decimal position: its value saturated at the maximum, and its digits so that two saturated
// numbers can still be ordered.
struct Position {
  std::uint64_t value = 0;
  std::string_view digits;  // leading zeros removed
};

std::optional<Position> parse_position(std::string_view text) noexcept {
  if (text.empty() || !std::ranges::all_of(text, is_digit)) return std::nullopt;
  const std::size_t first_significant = std::min(text.find_first_not_of('0'), text.size());
  Position position{0, text.substr(first_significant)};
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  for (const char c : position.digits) {
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (position.value > (kMax - digit) / 10) return Position{kMax, position.digits};
    position.value = position.value * 10 + digit;
  }
  return position;
}

bool less_than(const Position& a, const Position& b) noexcept {
  if (a.digits.size() != b.digits.size()) return a.digits.size() < b.digits.size();
  return a.digits < b.digits;
}

RangeResult satisfiable(std::uint64_t first, std::uint64_t last) noexcept {
  return {RangeResult::Kind::satisfiable, {first, last}};
}

constexpr RangeResult kNone{RangeResult::Kind::none, {}};
constexpr RangeResult kUnsatisfiable{RangeResult::Kind::unsatisfiable, {}};

// One range-spec: "first-last", "first-" or "-suffix".
RangeResult evaluate_spec(std::string_view spec, std::uint64_t size) noexcept {
  const std::size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return kNone;
  const std::string_view first_text = spec.substr(0, dash);
  const std::string_view last_text = spec.substr(dash + 1);

  if (first_text.empty()) {
    const auto suffix = parse_position(last_text);
    if (!suffix) return kNone;
    if (suffix->value == 0 || size == 0) return kUnsatisfiable;
    return satisfiable(size - std::min(suffix->value, size), size - 1);
  }

  const auto first = parse_position(first_text);
  if (!first) return kNone;
  std::uint64_t last = std::numeric_limits<std::uint64_t>::max();
  if (!last_text.empty()) {
    const auto parsed_last = parse_position(last_text);
    if (!parsed_last || less_than(*parsed_last, *first)) return kNone;
    last = parsed_last->value;
  }
  if (first->value >= size) return kUnsatisfiable;
  return satisfiable(first->value, std::min(last, size - 1));
}

}  // namespace

RangeResult evaluate_range(std::string_view range_header, std::uint64_t size) noexcept {
  const std::string_view value = trim_ows(range_header);
  const std::size_t equals = value.find('=');
  if (equals == std::string_view::npos || !iequals_ascii(value.substr(0, equals), "bytes")) {
    return kNone;
  }
  // 1#range-spec: recipients accept empty elements; more than one real range is declined.
  std::string_view only_spec;
  std::size_t spec_count = 0;
  std::string_view rest = value.substr(equals + 1);
  while (true) {
    const std::size_t comma = rest.find(',');
    const std::string_view element = trim_ows(rest.substr(0, comma));
    if (!element.empty()) {
      only_spec = element;
      ++spec_count;
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  // A range-spec has no inner whitespace, and the first one follows '=' directly.
  if (spec_count != 1 || std::ranges::any_of(only_spec, is_ows) || is_ows(value[equals + 1])) {
    return kNone;
  }
  return evaluate_spec(only_spec, size);
}

bool if_range_matches(std::string_view if_range, std::string_view etag,
                      std::time_t last_modified) noexcept {
  const std::string_view value = trim_ows(if_range);
  if (value.empty()) return false;
  if (value.starts_with("W/") || value.front() == '"') {
    // Strong comparison: both tags strong and their opaque-tags identical.
    const bool well_formed = value.size() >= 2 && value.front() == '"' && value.back() == '"';
    return well_formed && !etag.starts_with("W/") && value == etag;
  }
  const auto date = parse_http_date(value);
  return date && *date == last_modified;
}

}  // namespace pulsarcpp::http
