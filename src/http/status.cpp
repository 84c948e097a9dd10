#include "pulsarcpp/http/status.hpp"

#include <array>
#include <cstddef>
#include <cstdint>

#include "http/status_line.hpp"

namespace pulsarcpp::http {
namespace {

struct Reason {
  int status;
  std::string_view phrase;
};

// Constant data, so no static constructor runs and nothing allocates.
constexpr std::array kReasons = {
    Reason{100, "Continue"},
    Reason{101, "Switching Protocols"},
    Reason{102, "Processing"},
    Reason{103, "Early Hints"},
    Reason{200, "OK"},
    Reason{201, "Created"},
    Reason{202, "Accepted"},
    Reason{203, "Non-Authoritative Information"},
    Reason{204, "No Content"},
    Reason{205, "Reset Content"},
    Reason{206, "Partial Content"},
    Reason{207, "Multi-Status"},
    Reason{208, "Already Reported"},
    Reason{226, "IM Used"},
    Reason{300, "Multiple Choices"},
    Reason{301, "Moved Permanently"},
    Reason{302, "Found"},
    Reason{303, "See Other"},
    Reason{304, "Not Modified"},
    Reason{305, "Use Proxy"},
    Reason{307, "Temporary Redirect"},
    Reason{308, "Permanent Redirect"},
    Reason{400, "Bad Request"},
    Reason{401, "Unauthorized"},
    Reason{402, "Payment Required"},
    Reason{403, "Forbidden"},
    Reason{404, "Not Found"},
    Reason{405, "Method Not Allowed"},
    Reason{406, "Not Acceptable"},
    Reason{407, "Proxy Authentication Required"},
    Reason{408, "Request Timeout"},
    Reason{409, "Conflict"},
    Reason{410, "Gone"},
    Reason{411, "Length Required"},
    Reason{412, "Precondition Failed"},
    Reason{413, "Payload Too Large"},
    Reason{414, "URI Too Long"},
    Reason{415, "Unsupported Media Type"},
    Reason{416, "Range Not Satisfiable"},
    Reason{417, "Expectation Failed"},
    Reason{418, "I'm a teapot"},
    Reason{421, "Misdirected Request"},
    Reason{422, "Unprocessable Entity"},
    Reason{423, "Locked"},
    Reason{424, "Failed Dependency"},
    Reason{425, "Too Early"},
    Reason{426, "Upgrade Required"},
    Reason{428, "Precondition Required"},
    Reason{429, "Too Many Requests"},
    Reason{431, "Request Header Fields Too Large"},
    Reason{451, "Unavailable For Legal Reasons"},
    Reason{500, "Internal Server Error"},
    Reason{501, "Not Implemented"},
    Reason{502, "Bad Gateway"},
    Reason{503, "Service Unavailable"},
    Reason{504, "Gateway Timeout"},
    Reason{505, "HTTP Version Not Supported"},
    Reason{506, "Variant Also Negotiates"},
    Reason{507, "Insufficient Storage"},
    Reason{508, "Loop Detected"},
    Reason{510, "Not Extended"},
    Reason{511, "Network Authentication Required"},
};

constexpr int kFirstStatus = 100;
constexpr int kLastStatus = 599;

// kReasons' index + 1 for every status from 100 to 599 (0: no phrase): every response looks its
// phrase up, and one load is cheaper than a binary search.
constexpr auto kReasonSlots = [] {
  std::array<std::uint8_t, kLastStatus - kFirstStatus + 1> slots{};
  for (std::size_t i = 0; i < kReasons.size(); ++i) {
    slots[static_cast<std::size_t>(kReasons[i].status - kFirstStatus)] =
        static_cast<std::uint8_t>(i + 1);
  }
  return slots;
}();

static_assert(kReasons.size() < 255, "a slot holds an index + 1 in one byte");

// Every known status line, "HTTP/1.1 200 OK\r\n", laid end to end at compile time: a response
// head starts with one copy instead of five pieces.
constexpr std::string_view kLinePrefix = "HTTP/1.1 ";
constexpr std::string_view kLineEnd = "\r\n";

constexpr std::size_t line_length(const Reason& reason) {
  return kLinePrefix.size() + 4 + reason.phrase.size() + kLineEnd.size();  // "200 " is 4
}

constexpr std::size_t kAllLinesLength = [] {
  std::size_t total = 0;
  for (const Reason& reason : kReasons) total += line_length(reason);
  return total;
}();

struct StatusLines {
  std::array<char, kAllLinesLength> text{};
  std::array<std::uint16_t, kReasons.size() + 1> offsets{};  // line i is [offsets[i], offsets[i+1])
};

constexpr StatusLines kStatusLines = [] {
  StatusLines lines;
  std::size_t at = 0;
  const auto put = [&](std::string_view piece) {
    for (char c : piece) lines.text[at++] = c;
  };
  for (std::size_t i = 0; i < kReasons.size(); ++i) {
    lines.offsets[i] = static_cast<std::uint16_t>(at);
    const int status = kReasons[i].status;
    put(kLinePrefix);
    const char digits[] = {static_cast<char>('0' + status / 100),
                           static_cast<char>('0' + status / 10 % 10),
                           static_cast<char>('0' + status % 10), ' '};
    put(std::string_view(digits, sizeof digits));
    put(kReasons[i].phrase);
    put(kLineEnd);
  }
  lines.offsets[kReasons.size()] = static_cast<std::uint16_t>(at);
  return lines;
}();

static_assert(kAllLinesLength <= UINT16_MAX, "offsets are 16 bits");

}  // namespace

std::string_view reason_phrase(int status) noexcept {
  if (status < kFirstStatus || status > kLastStatus) return "";
  const std::uint8_t slot = kReasonSlots[static_cast<std::size_t>(status - kFirstStatus)];
  return slot == 0 ? "" : kReasons[slot - 1u].phrase;
}

std::string_view status_line(int status) noexcept {
  if (status < kFirstStatus || status > kLastStatus) return {};
  const std::uint8_t slot = kReasonSlots[static_cast<std::size_t>(status - kFirstStatus)];
  if (slot == 0) return {};
  const std::size_t begin = kStatusLines.offsets[slot - 1u];
  return {kStatusLines.text.data() + begin, kStatusLines.offsets[slot] - begin};
}

bool status_allows_body(int status) noexcept {
  const bool informational = status >= 100 && status < 200;
  return !informational && status != 204 && status != 304;
}

}  // namespace pulsarcpp::http
