#include "server/response_head.hpp"

#include <charconv>

#include "pulsarcpp/http/request_head.hpp"
#include "pulsarcpp/http/status.hpp"

namespace pulsarcpp::detail {
namespace {

void append_number(std::string& out, std::uint64_t value) {
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, end);
}

void append_status_line(std::string& out, int status) {
  out.append("HTTP/1.1 ");
  append_number(out, static_cast<std::uint64_t>(status));
  out.push_back(' ');
  out.append(http::reason_phrase(status));
  out.append("\r\n");
}

bool is_framing_header(std::string_view name) {
  return http::iequals(name, "content-length") || http::iequals(name, "transfer-encoding") ||
         http::iequals(name, "connection");
}

void append_headers(std::string& out, const Headers& headers) {
  for (const auto& [name, value] : headers) {
    if (is_framing_header(name)) continue;
    out.append(name).append(": ").append(value).append("\r\n");
  }
}

}  // namespace

void append_response_head(std::string& out, int status, const Headers& headers,
                          const Headers& extra, HeadFraming framing, std::string_view date,
                          ConnectionHeader connection) {
  append_status_line(out, status);
  append_headers(out, headers);
  append_headers(out, extra);
  switch (framing.kind) {
    case HeadFraming::Kind::length:
      out.append("Content-Length: ");
      append_number(out, framing.length);
      out.append("\r\n");
      break;
    case HeadFraming::Kind::chunked:
      out.append("Transfer-Encoding: chunked\r\n");
      break;
    case HeadFraming::Kind::until_close:
    case HeadFraming::Kind::none:
      break;
  }
  out.append("Date: ").append(date).append("\r\n");
  if (connection.upgrade) {
    out.append("Connection: Upgrade\r\n");
  } else if (!connection.keep_alive) {
    out.append("Connection: close\r\n");
  } else if (connection.http10) {
    out.append("Connection: keep-alive\r\n");
  }
  out.append("\r\n");
}

void append_error_response(std::string& out, int status, std::string_view date) {
  std::string_view reason = http::reason_phrase(status);
  append_status_line(out, status);
  out.append("Content-Type: text/plain;charset=utf-8\r\nContent-Length: ");
  append_number(out, reason.size());
  out.append("\r\nDate: ").append(date).append("\r\nConnection: close\r\n\r\n").append(reason);
}

}  // namespace pulsarcpp::detail
