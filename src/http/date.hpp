#pragma once
// HTTP dates (RFC 9110 §5.6.7) and the log line timestamp.

#include <cstddef>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace pulsarcpp::http {

/// Length of an IMF-fixdate such as "Sun, 06 Nov 1994 08:49:37 GMT".
inline constexpr std::size_t kHttpDateLength = 29;

/// Writes `t` (seconds since the Unix epoch, UTC) as an IMF-fixdate into exactly the 29 chars of
/// `out`; no NUL is written, so wrap it as std::string_view(out, kHttpDateLength). Independent of
/// locale and TZ. Instants outside years 0000-9999 are clamped to that range, which the 4-digit
/// year field can express.
void format_http_date(std::time_t t, char (&out)[kHttpDateLength]) noexcept;

/// Parses the three forms RFC 9110 requires recipients to accept: IMF-fixdate
/// ("Sun, 06 Nov 1994 08:49:37 GMT"), RFC 850 ("Sunday, 06-Nov-94 08:49:37 GMT") and asctime
/// ("Sun Nov  6 08:49:37 1994"). Names are case-sensitive as the grammar says; the weekday must
/// be a valid name but is not checked against the date (as nginx and curl do). Anything else,
/// including surrounding whitespace or an impossible date such as 31 Feb, gives nullopt.
/// An RFC 850 two-digit year is read as the latest matching year that is not more than 50 years
/// after `now`.
std::optional<std::time_t> parse_http_date(std::string_view text, std::time_t now) noexcept;

/// As above with `now` taken from the system clock.
std::optional<std::time_t> parse_http_date(std::string_view text) noexcept;

/// `t` in the process's local time zone as "DD/MM/YYYY, HH:MM:SS", the prefix of Pulsar's log
/// lines (JavaScript's toLocaleString("en-GB")). Falls back to UTC if the local conversion fails.
std::string format_log_time(std::time_t t);

}  // namespace pulsarcpp::http
