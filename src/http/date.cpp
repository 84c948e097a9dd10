#include "http/date.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>

namespace pulsarcpp::http {
namespace {

constexpr std::int64_t kSecondsPerDay = 86400;

constexpr std::array<std::string_view, 7> kShortDays = {"Sun", "Mon", "Tue", "Wed",
                                                        "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 7> kLongDays = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                       "Thursday", "Friday", "Saturday"};
constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

struct CivilDate {
  std::int64_t year;
  int month;  // 1-12
  int day;    // 1-31
};

// Howard Hinnant's days_from_civil: proleptic Gregorian calendar, exact for any year, and free of
// the TZ environment that timegm/mktime consult.
constexpr std::int64_t days_from_civil(CivilDate date) noexcept {
  const std::int64_t y = date.year - (date.month <= 2 ? 1 : 0);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t year_of_era = y - era * 400;
  const int shifted_month = date.month > 2 ? date.month - 3 : date.month + 9;  // March = 0
  const std::int64_t day_of_year = (153 * shifted_month + 2) / 5 + date.day - 1;
  const std::int64_t day_of_era =
      year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

constexpr CivilDate civil_from_days(std::int64_t days) noexcept {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const std::int64_t day_of_era = days - era * 146097;
  const std::int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const std::int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const std::int64_t shifted_month = (5 * day_of_year + 2) / 153;
  const int day = static_cast<int>(day_of_year - (153 * shifted_month + 2) / 5 + 1);
  const int month = static_cast<int>(shifted_month < 10 ? shifted_month + 3 : shifted_month - 9);
  return {year_of_era + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

static_assert(days_from_civil({1970, 1, 1}) == 0);
static_assert(days_from_civil({2000, 3, 1}) == 11017);
static_assert(civil_from_days(-1).year == 1969 && civil_from_days(-1).day == 31);

constexpr bool is_leap_year(std::int64_t year) noexcept {
  return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

constexpr int days_in_month(std::int64_t year, int month) noexcept {
  constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap_year(year) ? 29 : kDays[month - 1];
}

constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
  return a / b - (a % b != 0 && (a < 0) != (b < 0) ? 1 : 0);
}

// 0 = Sunday; 1970-01-01 was a Thursday.
constexpr std::int64_t weekday_from_days(std::int64_t days) noexcept {
  return days + 4 - floor_div(days + 4, 7) * 7;
}

static_assert(weekday_from_days(0) == 4 && weekday_from_days(-4) == 0 &&
              weekday_from_days(-5) == 6);

// ---- formatting ----

void put_digits(char* out, std::int64_t value, int width) noexcept {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

void put_text(char* out, std::string_view text) noexcept {
  std::ranges::copy(text, out);
}

}  // namespace

void format_http_date(std::time_t t, char (&out)[kHttpDateLength]) noexcept {
  constexpr std::int64_t kMin = days_from_civil({0, 1, 1}) * kSecondsPerDay;
  constexpr std::int64_t kMax = days_from_civil({9999, 12, 31}) * kSecondsPerDay + 86399;
  const std::int64_t seconds = std::clamp<std::int64_t>(t, kMin, kMax);
  const std::int64_t days = floor_div(seconds, kSecondsPerDay);
  const std::int64_t time_of_day = seconds - days * kSecondsPerDay;
  const CivilDate date = civil_from_days(days);

  // "Sun, 06 Nov 1994 08:49:37 GMT"
  put_text(out, kShortDays[weekday_from_days(days)]);
  put_text(out + 3, ", ");
  put_digits(out + 5, date.day, 2);
  out[7] = ' ';
  put_text(out + 8, kMonths[date.month - 1]);
  out[11] = ' ';
  put_digits(out + 12, date.year, 4);
  out[16] = ' ';
  put_digits(out + 17, time_of_day / 3600, 2);
  out[19] = ':';
  put_digits(out + 20, time_of_day / 60 % 60, 2);
  out[22] = ':';
  put_digits(out + 23, time_of_day % 60, 2);
  put_text(out + 25, " GMT");
}

// ---- parsing ----

namespace {

struct Fields {
  CivilDate date;
  int seconds_of_day;
};

// Exactly `count` ASCII digits at `text[pos]`.
std::optional<int> digits_at(std::string_view text, std::size_t pos, std::size_t count) noexcept {
  if (pos + count > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

// 1-12 for a three-letter month name, as the grammar spells it.
std::optional<int> month_from_name(std::string_view name) noexcept {
  const auto* it = std::ranges::find(kMonths, name);
  if (it == kMonths.end()) return std::nullopt;
  return static_cast<int>(it - kMonths.begin()) + 1;
}

bool is_day_name(const std::array<std::string_view, 7>& names, std::string_view name) noexcept {
  return std::ranges::find(names, name) != names.end();
}

// "HH:MM:SS"; second 60 is allowed by the grammar (leap second) and read as the next minute.
std::optional<int> time_of_day(std::string_view text) noexcept {
  if (text.size() != 8 || text[2] != ':' || text[5] != ':') return std::nullopt;
  const auto hour = digits_at(text, 0, 2);
  const auto minute = digits_at(text, 3, 2);
  const auto second = digits_at(text, 6, 2);
  if (!hour || !minute || !second || *hour > 23 || *minute > 59 || *second > 60) {
    return std::nullopt;
  }
  return *hour * 3600 + *minute * 60 + *second;
}

std::optional<std::time_t> to_time(const Fields& fields) noexcept {
  const CivilDate& date = fields.date;
  if (date.month < 1 || date.month > 12 || date.day < 1 ||
      date.day > days_in_month(date.year, date.month)) {
    return std::nullopt;
  }
  return static_cast<std::time_t>(days_from_civil(date) * kSecondsPerDay + fields.seconds_of_day);
}

// "Sun, 06 Nov 1994 08:49:37 GMT"
std::optional<Fields> parse_imf_fixdate(std::string_view text) noexcept {
  if (text.size() != kHttpDateLength || text.substr(3, 2) != ", " || text[7] != ' ' ||
      text[11] != ' ' || text[16] != ' ' || text.substr(25) != " GMT" ||
      !is_day_name(kShortDays, text.substr(0, 3))) {
    return std::nullopt;
  }
  const auto day = digits_at(text, 5, 2);
  const auto month = month_from_name(text.substr(8, 3));
  const auto year = digits_at(text, 12, 4);
  const auto seconds = time_of_day(text.substr(17, 8));
  if (!day || !month || !year || !seconds) return std::nullopt;
  return Fields{{*year, *month, *day}, *seconds};
}

// "Sun Nov  6 08:49:37 1994"; the day is two digits or a space and one digit.
std::optional<Fields> parse_asctime(std::string_view text) noexcept {
  if (text.size() != 24 || text[3] != ' ' || text[7] != ' ' || text[10] != ' ' || text[19] != ' ' ||
      !is_day_name(kShortDays, text.substr(0, 3))) {
    return std::nullopt;
  }
  const auto day = text[8] == ' ' ? digits_at(text, 9, 1) : digits_at(text, 8, 2);
  const auto month = month_from_name(text.substr(4, 3));
  const auto year = digits_at(text, 20, 4);
  const auto seconds = time_of_day(text.substr(11, 8));
  if (!day || !month || !year || !seconds) return std::nullopt;
  return Fields{{*year, *month, *day}, *seconds};
}

// RFC 9110 §5.6.7: a two-digit year that would put the date more than 50 years in the future
// means the most recent past year with the same last two digits.
std::int64_t expand_two_digit_year(int two_digits, int month, int day, int seconds_of_day,
                                   std::time_t now) noexcept {
  constexpr std::int64_t kFiftyYears =
      std::int64_t{50} * 146097 * kSecondsPerDay / 400;  // mean years
  // Clamped so that an absurd clock cannot overflow the arithmetic below.
  constexpr std::int64_t kYear10000 = days_from_civil({10000, 1, 1}) * kSecondsPerDay;
  now = static_cast<std::time_t>(std::clamp<std::int64_t>(now, 0, kYear10000));
  const std::int64_t now_year = civil_from_days(floor_div(now, kSecondsPerDay)).year;
  std::int64_t year = now_year - now_year % 100 + 100 + two_digits;
  for (; year > now_year - 100; year -= 100) {
    // A Feb 29 in a non-leap candidate is clamped only for this comparison; to_time rejects it.
    const int day_for_compare = std::min(day, days_in_month(year, month));
    const std::int64_t when =
        days_from_civil({year, month, day_for_compare}) * kSecondsPerDay + seconds_of_day;
    if (when - now <= kFiftyYears) break;
  }
  return year;
}

// "Sunday, 06-Nov-94 08:49:37 GMT"
std::optional<Fields> parse_rfc850(std::string_view text, std::time_t now) noexcept {
  const std::size_t comma = text.find(", ");
  if (comma == std::string_view::npos || !is_day_name(kLongDays, text.substr(0, comma))) {
    return std::nullopt;
  }
  const std::string_view rest = text.substr(comma + 2);
  if (rest.size() != 22 || rest[2] != '-' || rest[6] != '-' || rest[9] != ' ' ||
      rest.substr(18) != " GMT") {
    return std::nullopt;
  }
  const auto day = digits_at(rest, 0, 2);
  const auto month = month_from_name(rest.substr(3, 3));
  const auto year = digits_at(rest, 7, 2);
  const auto seconds = time_of_day(rest.substr(10, 8));
  if (!day || !month || !year || !seconds || *day < 1 || *day > 31) return std::nullopt;
  return Fields{{expand_two_digit_year(*year, *month, *day, *seconds, now), *month, *day},
                *seconds};
}

}  // namespace

std::optional<std::time_t> parse_http_date(std::string_view text, std::time_t now) noexcept {
  std::optional<Fields> fields;
  if (text.size() == kHttpDateLength && text[3] == ',') {
    fields = parse_imf_fixdate(text);
  } else if (text.size() == 24 && text[3] == ' ') {
    fields = parse_asctime(text);
  } else {
    fields = parse_rfc850(text, now);
  }
  if (!fields) return std::nullopt;
  return to_time(*fields);
}

std::optional<std::time_t> parse_http_date(std::string_view text) noexcept {
  return parse_http_date(text, std::time(nullptr));
}

std::string format_log_time(std::time_t t) {
  std::tm fields{};
  if (localtime_r(&t, &fields) == nullptr && gmtime_r(&t, &fields) == nullptr) return {};
  // snprintf with only %d conversions is locale-independent; the buffer fits any int year.
  char buffer[64];
  const int length = std::snprintf(buffer, sizeof buffer, "%02d/%02d/%04lld, %02d:%02d:%02d",
                                   fields.tm_mday, fields.tm_mon + 1, fields.tm_year + 1900LL,
                                   fields.tm_hour, fields.tm_min, fields.tm_sec);
  return {buffer, static_cast<std::size_t>(std::max(length, 0))};
}

}  // namespace pulsarcpp::http
