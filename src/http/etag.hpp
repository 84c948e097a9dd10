#pragma once
// Entity tags for static files (RFC 9110 §8.8.3) and If-Match / If-None-Match evaluation.

#include <cstdint>
#include <string>
#include <string_view>

namespace pulsarcpp::http {

/// A strong ETag for a file: "\"<size in hex>-<mtime in ns, hex>\"", quotes included, lower-case
/// hex, e.g. "\"1f4-17a2b3c4d5e6f708\"". A negative mtime is written as its 64-bit two's
/// complement. Size and nanosecond mtime change on practically every write, and nothing is read
/// from the file, so the tag costs no I/O.
std::string make_etag(std::uint64_t size, std::int64_t mtime_ns);

/// Whether an If-None-Match value matches `etag` (RFC 9110 §13.1.2), so a GET may answer 304.
/// Uses weak comparison: a "W/" prefix on either side is ignored. "*" matches any current
/// representation (the caller asks only when one exists). The value is a comma-separated list
/// with optional whitespace; the scan stops at the first malformed element and then reports no
/// match, so a garbled header costs a full response, never a wrong 304.
bool etag_matches_if_none_match(std::string_view if_none_match, std::string_view etag) noexcept;

/// Whether an If-Match value matches `etag` (RFC 9110 §13.1.1): strong comparison, so a weak
/// tag on either side never matches; "*" matches any current representation. A malformed list
/// matches nothing, which answers 412 rather than acting on a garbled precondition.
bool etag_matches_if_match(std::string_view if_match, std::string_view etag) noexcept;

}  // namespace pulsarcpp::http
