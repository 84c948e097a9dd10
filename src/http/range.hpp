#pragma once
// Byte range requests (RFC 9110 §14): the Range and If-Range headers for static files.

#include <cstdint>
#include <ctime>
#include <string_view>

namespace pulsarcpp::http {

/// An inclusive byte interval [first, last] of a representation.
struct ByteRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
};

struct RangeResult {
  enum class Kind {
    none,           // no usable Range: serve the whole representation with 200
    satisfiable,    // serve `range` with 206 and Content-Range: bytes first-last/size
    unsatisfiable,  // answer 416 with Content-Range: bytes */size
  };
  Kind kind = Kind::none;
  ByteRange range;  // meaningful only when kind == satisfiable; then first <= last < size
};

/// Evaluates a Range header value against a representation of `size` bytes. Accepts one
/// range-spec of unit "bytes" (case-insensitive): "first-last", "first-" or "-suffix_length",
/// with `last` clamped to size - 1 and a suffix longer than the representation meaning all of
/// it. Numbers too large for 64 bits are treated as unbounded, which gives the right answer in
/// each position. Gives `none`, as RFC 9110 §14.2 allows a server to ignore Range, for: garbage,
/// another unit, first > last, and more than one range (a multipart/byteranges body is rarely
/// worth its cost). Gives `unsatisfiable` for one valid range that misses the representation:
/// first >= size, a zero suffix length, or size 0. OWS is allowed only around commas (empty list
/// elements are skipped) and at the ends of the value.
RangeResult evaluate_range(std::string_view range_header, std::uint64_t size) noexcept;

/// Whether an If-Range value lets a Range apply (RFC 9110 §13.1.5). An entity-tag must equal
/// `etag` by strong comparison (neither may be weak); otherwise the value must be an HTTP date
/// equal to `last_modified`. Anything else, including a weak tag, gives false (serve 200).
bool if_range_matches(std::string_view if_range, std::string_view etag,
                      std::time_t last_modified) noexcept;

}  // namespace pulsarcpp::http
