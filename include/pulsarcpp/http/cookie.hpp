#pragma once
// Cookies (RFC 6265): building Set-Cookie values and reading the request's Cookie header.

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pulsarcpp::http {

/// The SameSite attribute. `unset` writes none, leaving the browser default (Lax in Chromium).
enum class SameSite { unset, lax, strict, none };

/// A cookie to send with Set-Cookie. Fill with designated initializers; only `name` is required.
/// Every member has a default initializer so that GCC's -Wmissing-field-initializers (in -Wextra)
/// stays quiet when a user names only some fields.
struct Cookie {
  std::string name = {};   // a token (RFC 9110 §5.6.2); required
  std::string value = {};  // cookie-octets, optionally wrapped in DQUOTEs; may be empty
  std::optional<std::int64_t> max_age = {};  // Max-Age in seconds; 0 or less deletes; default unset
  std::optional<std::time_t> expires = {};   // Expires, Unix seconds (UTC); default unset
  std::string path = "/";                    // Path; empty writes no Path attribute
  std::string domain = {};                   // Domain; empty (default) makes a host-only cookie
  bool secure = false;                       // Secure: sent over HTTPS only
  bool http_only = false;                    // HttpOnly: hidden from document.cookie
  bool partitioned = false;                  // Partitioned (CHIPS); implies Secure, see below
  SameSite same_site = SameSite::unset;      // SameSite; none implies Secure, see below
};

/// The value of a Set-Cookie header for `cookie`, attributes in the order Max-Age, Domain, Path,
/// Expires, HttpOnly, Secure, Partitioned, SameSite. Secure is added automatically when SameSite
/// is None or the cookie is Partitioned, because browsers silently drop such cookies without it.
/// Throws std::invalid_argument when the name is not a token, the value is not cookie-octets
/// (optionally quoted), or Path or Domain contains ';' or a control character: such a header
/// would be rejected by browsers or would inject attributes.
std::string serialize_set_cookie(const Cookie& cookie);

/// The value of the first cookie called `name` (compared exactly) in a request Cookie header,
/// with surrounding DQUOTEs removed; nullopt if absent. Tolerates missing or extra spaces and
/// tabs around ';' and '='. The view points into `cookie_header`.
std::optional<std::string_view> find_cookie(std::string_view cookie_header,
                                            std::string_view name) noexcept;

/// Every name=value pair of a request Cookie header in order, parsed as find_cookie does. Pairs
/// without '=' or with an empty name are skipped. Views point into the header.
std::vector<std::pair<std::string_view, std::string_view>> parse_cookie_header(
    std::string_view cookie_header);

}  // namespace pulsarcpp::http
