#include "http/date.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

namespace pulsarcpp::http {
namespace {

constexpr std::array<const char*, 7> kShortDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<const char*, 7> kLongDays = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                  "Thursday", "Friday", "Saturday"};
constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

std::string format(std::time_t t) {
  char out[kHttpDateLength];
  format_http_date(t, out);
  return {out, kHttpDateLength};
}

std::tm utc(std::time_t t) {
  std::tm fields{};
  EXPECT_NE(gmtime_r(&t, &fields), nullptr);
  return fields;
}

// The three forms written independently from gmtime_r's fields, as references.
std::string reference_imf(const std::tm& f) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%s, %02d %s %04d %02d:%02d:%02d GMT", kShortDays[f.tm_wday],
                f.tm_mday, kMonths[f.tm_mon], f.tm_year + 1900, f.tm_hour, f.tm_min, f.tm_sec);
  return buffer;
}

std::string reference_rfc850(const std::tm& f) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%s, %02d-%s-%02d %02d:%02d:%02d GMT", kLongDays[f.tm_wday],
                f.tm_mday, kMonths[f.tm_mon], (f.tm_year + 1900) % 100, f.tm_hour, f.tm_min,
                f.tm_sec);
  return buffer;
}

std::string reference_asctime(const std::tm& f) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%s %s %2d %02d:%02d:%02d %04d", kShortDays[f.tm_wday],
                kMonths[f.tm_mon], f.tm_mday, f.tm_hour, f.tm_min, f.tm_sec, f.tm_year + 1900);
  return buffer;
}

constexpr std::time_t kExample = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT
constexpr std::time_t kYear2100 = 4102444800;

TEST(FormatHttpDate, RfcExample) {
  EXPECT_EQ(format(kExample), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(format(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(format(951782400), "Tue, 29 Feb 2000 00:00:00 GMT");
  EXPECT_EQ(format(2147483647), "Tue, 19 Jan 2038 03:14:07 GMT");
}

TEST(FormatHttpDate, BeforeTheEpoch) {
  EXPECT_EQ(format(-1), "Wed, 31 Dec 1969 23:59:59 GMT");
  EXPECT_EQ(format(-86400 * 365), "Wed, 01 Jan 1969 00:00:00 GMT");
}

TEST(FormatHttpDate, ClampsToFourDigitYears) {
  EXPECT_EQ(format(253402300799), "Fri, 31 Dec 9999 23:59:59 GMT");
  EXPECT_EQ(format(253402300800), "Fri, 31 Dec 9999 23:59:59 GMT");
  EXPECT_EQ(format(INT64_MAX), "Fri, 31 Dec 9999 23:59:59 GMT");
  EXPECT_EQ(format(INT64_MIN), "Sat, 01 Jan 0000 00:00:00 GMT");
}

TEST(FormatHttpDate, IgnoresTimeZone) {
  const char* previous = std::getenv("TZ");
  const std::string saved = previous ? previous : "";
  setenv("TZ", "America/New_York", 1);
  tzset();
  EXPECT_EQ(format(kExample), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), kExample);
  if (previous) {
    setenv("TZ", saved.c_str(), 1);
  } else {
    unsetenv("TZ");
  }
  tzset();
}

TEST(HttpDate, RandomRoundTripsAgreeWithGmtime) {
  std::mt19937_64 random(20240601);
  std::uniform_int_distribution<std::time_t> instant(0, kYear2100);
  for (int i = 0; i < 20000; ++i) {
    const std::time_t t = instant(random);
    const std::tm fields = utc(t);
    const std::string imf = reference_imf(fields);
    ASSERT_EQ(format(t), imf) << t;
    ASSERT_EQ(parse_http_date(imf, t), t) << imf;
    ASSERT_EQ(parse_http_date(reference_asctime(fields), t), t) << reference_asctime(fields);
    // With now = t the two-digit year must resolve to t's own century.
    ASSERT_EQ(parse_http_date(reference_rfc850(fields), t), t) << reference_rfc850(fields);
  }
}

TEST(HttpDate, EveryDayBoundaryFrom1970To2100) {
  for (std::time_t t = 0; t <= kYear2100; t += 86400) {
    const std::tm fields = utc(t);
    ASSERT_EQ(format(t), reference_imf(fields));
    ASSERT_EQ(parse_http_date(reference_imf(fields), 0), t);
    ASSERT_EQ(format(t - 1), reference_imf(utc(t - 1)));
  }
}

TEST(ParseHttpDate, ThreeFormsOfTheRfcExample) {
  constexpr std::time_t kNow = 1700000000;  // 2023
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT", kNow), kExample);
  EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT", kNow), kExample);
  EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994", kNow), kExample);
  EXPECT_EQ(parse_http_date("Sun Nov 06 08:49:37 1994", kNow), kExample);
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), kExample);
}

TEST(ParseHttpDate, Rfc850TwoDigitYearWithinFiftyYears) {
  constexpr std::time_t kNow = 1700000000;  // Tue, 14 Nov 2023 22:13:20 GMT
  // 2073 is within 50 years; 2074 would not be, so it is 1974.
  EXPECT_EQ(parse_http_date("Sunday, 01-Jan-73 00:00:00 GMT", kNow), 3250454400);
  EXPECT_EQ(parse_http_date("Tuesday, 01-Jan-74 00:00:00 GMT", kNow), 126230400);
  EXPECT_EQ(parse_http_date("Wednesday, 01-Jan-70 00:00:00 GMT", kNow), 3155760000);
  EXPECT_EQ(parse_http_date("Saturday, 01-Jan-00 00:00:00 GMT", kNow), 946684800);
  EXPECT_EQ(parse_http_date("Friday, 01-Jan-99 00:00:00 GMT", kNow), 915148800);
  // Near a century end the next century is still "the past or near future".
  constexpr std::time_t kNow2095 = 3944678400;  // 2095-01-01
  EXPECT_EQ(parse_http_date("Wednesday, 01-Jan-10 00:00:00 GMT", kNow2095), 4417977600);  // 2110
}

TEST(ParseHttpDate, Rfc850FebruaryTwentyNinthFollowsTheChosenYear) {
  constexpr std::time_t kNow = 1700000000;
  EXPECT_EQ(parse_http_date("Thursday, 29-Feb-24 00:00:00 GMT", kNow), 1709164800);
  EXPECT_FALSE(parse_http_date("Thursday, 29-Feb-23 00:00:00 GMT", kNow));
}

TEST(ParseHttpDate, LeapDaysAndSecondSixty) {
  EXPECT_EQ(parse_http_date("Tue, 29 Feb 2000 00:00:00 GMT", 0), 951782400);
  EXPECT_FALSE(parse_http_date("Thu, 29 Feb 1900 00:00:00 GMT", 0));
  EXPECT_FALSE(parse_http_date("Sun, 29 Feb 2023 00:00:00 GMT", 0));
  EXPECT_EQ(parse_http_date("Sat, 31 Dec 2016 23:59:60 GMT", 0), 1483228800);
}

TEST(ParseHttpDate, WeekdayIsCheckedForSpellingNotAgreement) {
  EXPECT_EQ(parse_http_date("Mon, 06 Nov 1994 08:49:37 GMT", 0), kExample);
  EXPECT_FALSE(parse_http_date("Xyz, 06 Nov 1994 08:49:37 GMT", 0));
  EXPECT_FALSE(parse_http_date(std::string_view("Sun, 06 Nov 1994 08:49:37 GMT\0", 30), 0));
}

TEST(ParseHttpDate, RejectsEverythingElse) {
  for (const char* text : {
           "",
           "GMT",
           "Sun, 06 Nov 1994 08:49:37 UTC",
           "Sun, 06 Nov 1994 08:49:37 gmt",
           "sun, 06 Nov 1994 08:49:37 GMT",
           "Sun, 06 nov 1994 08:49:37 GMT",
           "Sun, 6 Nov 1994 08:49:37 GMT",
           "Sun, 06 Nov 94 08:49:37 GMT",
           "Sun, 06 Nov 1994 8:49:37 GMT",
           "Sun, 06 Nov 1994 08:49:37 GMT ",
           " Sun, 06 Nov 1994 08:49:37 GMT",
           "Sun,  06 Nov 1994 08:49:37 GMT",
           "Sun, 06-Nov-1994 08:49:37 GMT",
           "Sun, 00 Nov 1994 08:49:37 GMT",
           "Sun, 31 Nov 1994 08:49:37 GMT",
           "Sun, 06 Nov 1994 24:00:00 GMT",
           "Sun, 06 Nov 1994 23:60:00 GMT",
           "Sun, 06 Nov 1994 23:59:61 GMT",
           "Sun, 06 Nov 1994 08-49-37 GMT",
           "Sun, 06 Nov 199a 08:49:37 GMT",
           "Sun, +6 Nov 1994 08:49:37 GMT",
           "Sun, 06 Nov 1994 08:49:37 +0000",
           "Sun, 06-Nov-94 08:49:37 GMT",
           "Sunday, 06 Nov 1994 08:49:37 GMT",
           "Sunday, 06-Nov-1994 08:49:37 GMT",
           "Sunday, 6-Nov-94 08:49:37 GMT",
           "Sunday, 06-Nov-94 08:49:37 GMT ",
           "Sunday, 32-Nov-94 08:49:37 GMT",
           "Sunday,06-Nov-94 08:49:37 GMT",
           "Sun Nov 6 08:49:37 1994",
           "Sun Nov  6 08:49:37 94",
           "Sun Nov  6 08:49:37 1994 ",
           "Sun Nov   6 08:49:37 1994",
           "Sun Nov  0 08:49:37 1994",
           "Sun Nov  6 08:49:37 1994 GMT",
           "1994-11-06T08:49:37Z",
           "784111777",
       }) {
    EXPECT_FALSE(parse_http_date(text, 1700000000)) << '"' << text << '"';
  }
}

TEST(FormatLogTime, UsesLocalTimeInEnGbOrder) {
  const char* previous = std::getenv("TZ");
  const std::string saved = previous ? previous : "";
  setenv("TZ", "UTC0", 1);
  tzset();
  EXPECT_EQ(format_log_time(kExample), "06/11/1994, 08:49:37");
  setenv("TZ", "CET-1", 1);  // POSIX form: UTC+1, no tz database needed
  tzset();
  EXPECT_EQ(format_log_time(kExample), "06/11/1994, 09:49:37");
  EXPECT_EQ(format_log_time(0), "01/01/1970, 01:00:00");
  if (previous) {
    setenv("TZ", saved.c_str(), 1);
  } else {
    unsetenv("TZ");
  }
  tzset();
}

}  // namespace
}  // namespace pulsarcpp::http
