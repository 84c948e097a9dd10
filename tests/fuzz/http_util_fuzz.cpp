// libFuzzer target for the small HTTP header utilities: Range, HTTP dates, Cookie and
// If-None-Match. Each is fed the raw input and checked against invariants that must hold for any
// bytes; a violation traps so the fuzzer keeps the input.

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <limits>
#include <string>
#include <string_view>

#include "http/date.hpp"
#include "http/etag.hpp"
#include "http/range.hpp"
#include "pulsarcpp/http/cookie.hpp"

namespace {

using namespace pulsarcpp::http;

void check(bool condition) {
  if (!condition) __builtin_trap();
}

bool points_into(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

void fuzz_range(std::string_view input) {
  constexpr std::uint64_t kSizes[] = {0,   1,    2,
                                      100, 4096, std::numeric_limits<std::uint64_t>::max()};
  for (const std::uint64_t size : kSizes) {
    const RangeResult result = evaluate_range(input, size);
    if (result.kind == RangeResult::Kind::satisfiable) {
      check(size > 0);
      check(result.range.first <= result.range.last);
      check(result.range.last < size);
    }
    // Syntax does not depend on the size: an ignored header is ignored for every size.
    check((result.kind == RangeResult::Kind::none) ==
          (evaluate_range(input, 1000).kind == RangeResult::Kind::none));
  }
}

void fuzz_date(std::string_view input) {
  constexpr std::time_t kNow = 1700000000;
  const auto parsed = parse_http_date(input, kNow);
  if (!parsed) return;
  // Anything accepted lies within the years the formats can express, and formats back to an
  // IMF-fixdate that parses to the same instant.
  char text[kHttpDateLength];
  format_http_date(*parsed, text);
  const std::string_view formatted(text, kHttpDateLength);
  check(parse_http_date(formatted, kNow) == parsed);
  const bool leap_second = input.find(":60 ") != std::string_view::npos || input.ends_with(":60");
  if (input.size() == kHttpDateLength && input[3] == ',' && !leap_second) {
    check(formatted.substr(5) == input.substr(5));  // only the weekday may differ
  }
  check(if_range_matches(formatted, "\"x\"", *parsed));
}

void fuzz_cookie(std::string_view input) {
  const auto pairs = parse_cookie_header(input);
  for (const auto& [name, value] : pairs) {
    check(!name.empty());
    check(points_into(name, input) && points_into(value, input));
    check(name.find(';') == std::string_view::npos && value.find(';') == std::string_view::npos);
    // find_cookie returns the first pair with that name.
    for (const auto& [first_name, first_value] : pairs) {
      if (first_name != name) continue;
      const auto found = find_cookie(input, name);
      check(found && *found == first_value);
      break;
    }
  }
  if (pairs.empty()) check(!find_cookie(input, "a").has_value());
}

void fuzz_etag(std::string_view input) {
  const std::string own = make_etag(input.size(), static_cast<std::int64_t>(input.size()) * 7);
  const bool matches = etag_matches_if_none_match(input, own);
  // Appending a list element after a matching tag cannot undo the match ("*" is not a list).
  const bool star = input.find('*') != std::string_view::npos;
  if (matches && !star) check(etag_matches_if_none_match(std::string(input) + ", \"zz\"", own));
  check(etag_matches_if_none_match(own, own));
  check(etag_matches_if_none_match("\"x\", W/" + own, own));
  // The input used as our own tag: any well-formed tag matches itself.
  if (etag_matches_if_none_match(input, input)) check(etag_matches_if_none_match("*", input));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  fuzz_range(input);
  fuzz_date(input);
  fuzz_cookie(input);
  fuzz_etag(input);
  return 0;
}
