#pragma once
// The one form of a request path that routing, Context::path(), middleware, public files and
// the logger all see, so that a guard checking a prefix cannot be passed by spelling the path
// another way ("//api", "/./api", "/x/../api", "/%61pi", "/api/").

#include <string>
#include <string_view>

namespace pulsarcpp::http {

enum class PathForm {
  normal,      // already in normal form: use it as it is
  normalized,  // the normal form was written to `out`
  malformed,   // a '%' without two hex digits after it: the target is not a URI (400)
};

/// Normalizes an origin-form path (it starts with '/') as RFC 3986 §6.2.2 does, and merges
/// slashes as nginx's merge_slashes does:
/// - escapes of unreserved characters (A-Z a-z 0-9 - . _ ~) are decoded, the hex digits of the
///   others upper-cased ("%7e" -> "~", "%2f" -> "%2F": an encoded '/' stays a byte of its
///   segment, never a separator);
/// - empty segments are dropped: repeated slashes merge and a trailing slash goes ("/" stays);
/// - then "." and ".." segments are resolved (§5.2.4), never above the root ("/../a" -> "/a").
/// Returns `normal` for a path already in that form (mostly after one scan that writes
/// nothing, the common case), and then `out` is only scratch.
PathForm normalize_path(std::string_view path, std::string& out);

/// True when `path` has a "." or ".." segment, encoded or not: a route pattern with one could
/// never match a normalized request path.
bool has_dot_segment(std::string_view path);

}  // namespace pulsarcpp::http
