#pragma once
// The one form of a request path that routing, Context::path(), middleware, public files and
// the logger all see, so that a guard checking a prefix cannot be passed by spelling the path
// another way ("//api", "/./api", "/x/../api", "/%61pi", "/api/").

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/swar.hpp"

namespace pulsarcpp::http {

enum class PathForm {
  normal,      // already in normal form: use it as it is
  normalized,  // the normal form was written to `out`
  malformed,   // a '%' without two hex digits after it: the target is not a URI (400)
};

namespace detail {
/// Whether normalize_path might change `path`: it holds a '%', "//" or "/." (a dot segment, or
/// a name such as "/.well-known": the exact check is the slow path's), or ends with '/'. Inline
/// and eight bytes at a time: it runs on every request, and most paths are normal.
inline bool path_may_change(std::string_view path) noexcept {
  const std::size_t n = path.size();
  if (n > 1 && path[n - 1] == '/') return true;
  if (n < sizeof(std::uint64_t)) {
    for (std::size_t i = 0; i < n; ++i) {
      if (path[i] == '%') return true;
      if (path[i] == '/' && i + 1 < n && (path[i + 1] == '/' || path[i + 1] == '.')) return true;
    }
    return false;
  }
  // Words at a stride of 7 overlap by a byte, so every pair of neighbours is inside one.
  for (std::size_t at = 0;; at = std::min(at + 7, n - sizeof(std::uint64_t))) {
    const std::uint64_t word = swar::load_in_order(path.data() + at);
    const std::uint64_t slash = swar::bytes_equal(word, '/');
    const std::uint64_t slash_or_dot = slash | swar::bytes_equal(word, '.');
    // A mark may be false above a true one, never missing: at worst the slow path runs.
    if ((swar::bytes_equal(word, '%') | (slash & (slash_or_dot >> 8))) != 0) return true;
    if (at == n - sizeof(std::uint64_t)) return false;
  }
}
PathForm normalize_changed_path(std::string_view path, std::string& out);
}  // namespace detail

/// Normalizes an origin-form path (it starts with '/') as RFC 3986 §6.2.2 does, and merges
/// slashes as nginx's merge_slashes does:
/// - escapes of unreserved characters (A-Z a-z 0-9 - . _ ~) are decoded, the hex digits of the
///   others upper-cased ("%7e" -> "~", "%2f" -> "%2F": an encoded '/' stays a byte of its
///   segment, never a separator);
/// - empty segments are dropped: repeated slashes merge and a trailing slash goes ("/" stays);
/// - then "." and ".." segments are resolved (§5.2.4), never above the root ("/../a" -> "/a").
/// Returns `normal` for a path already in that form (mostly after one scan that writes
/// nothing, the common case), and then `out` is only scratch.
inline PathForm normalize_path(std::string_view path, std::string& out) {
  return detail::path_may_change(path) ? detail::normalize_changed_path(path, out)
                                       : PathForm::normal;
}

/// True when `path` has a "." or ".." segment, encoded or not: a route pattern with one could
/// never match a normalized request path.
bool has_dot_segment(std::string_view path);

}  // namespace pulsarcpp::http
