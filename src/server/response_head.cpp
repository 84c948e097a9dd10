#include "server/response_head.hpp"

#include <algorithm>

#include "http/field_syntax.hpp"
#include "http/status_line.hpp"
#include "net/sized_append.hpp"
#include "pulsarcpp/http/request_head.hpp"
#include "pulsarcpp/http/status.hpp"
#include "server/head_prefix_memo.hpp"

namespace pulsarcpp::detail {
namespace {

// `line` is http::status_line(status): one piece for a known status. An unknown one gets an
// empty reason phrase (RFC 9112 §4 allows it), its digits formatted in each pass.
template <class Sink>
void put_status_line(Sink& sink, int status, std::string_view line) {
  if (!line.empty()) return sink.put(line);
  const net::Decimal digits(static_cast<std::uint64_t>(status));
  sink.put("HTTP/1.1 ");
  sink.put(digits.view());
  sink.put(" \r\n");
}

template <class Sink>
void put_field(Sink& sink, std::string_view name, std::string_view value) {
  sink.put(name);
  sink.put(": ");
  sink.put(value);
  sink.put("\r\n");
}

// Checked twice per header written (once per pass), so the length decides before comparing.
bool is_framing_header(std::string_view name) noexcept {
  switch (name.size()) {
    case 10:
      return http::iequals(name, "connection");
    case 14:
      return http::iequals(name, "content-length");
    case 17:
      return http::iequals(name, "transfer-encoding");
    default:
      return false;
  }
}

template <class Sink>
void put_headers(Sink& sink, const Headers& headers) {
  for (const auto& [name, value] : headers) {
    if (!is_framing_header(name)) put_field(sink, name, value);
  }
}

template <class Sink>
void put_framing(Sink& sink, HeadFraming::Kind kind, const net::Decimal& length) {
  switch (kind) {
    case HeadFraming::Kind::length:
      sink.put("Content-Length: ");
      sink.put(length.view());
      sink.put("\r\n");
      break;
    case HeadFraming::Kind::chunked:
      put_field(sink, "Transfer-Encoding", "chunked");
      break;
    case HeadFraming::Kind::until_close:
    case HeadFraming::Kind::none:
      break;
  }
}

template <class Sink>
void put_connection(Sink& sink, ConnectionHeader connection) {
  if (connection.upgrade) {
    put_field(sink, "Connection", "Upgrade");
  } else if (!connection.keep_alive) {
    put_field(sink, "Connection", "close");
  } else if (connection.http10) {
    put_field(sink, "Connection", "keep-alive");
  }
}

bool all_safe(const Headers& headers) noexcept {
  return std::all_of(headers.begin(), headers.end(),
                     [](const auto& header) { return http::is_safe_field(header.first, header.second); });
}

}  // namespace

bool append_response_head(std::string& out, int status, const Headers& headers,
                          const Headers& extra, HeadFraming framing, std::string_view date_line,
                          ConnectionHeader connection) {
  // Context headers are rare and change per request: a head with them is not remembered.
  thread_local HeadPrefixMemo memo;
  if (extra.empty() && memo.matches(status, headers)) {
    out.append(memo.prefix());
  } else {
    if (!all_safe(headers) || !all_safe(extra)) return false;
    const std::size_t start = out.size();
    const std::string_view status_line = http::status_line(status);
    net::append_sized(out, [&](auto& sink) {
      put_status_line(sink, status, status_line);
      put_headers(sink, headers);
      if (!extra.empty()) put_headers(sink, extra);  // usually empty: skip the call
    });
    if (extra.empty()) memo.remember(status, headers, std::string_view(out).substr(start));
  }
  const net::Decimal length(framing.length);
  net::append_sized(out, [&](auto& sink) {
    put_framing(sink, framing.kind, length);
    sink.put(date_line);
    put_connection(sink, connection);
    sink.put("\r\n");
  });
  return true;
}

void append_error_response(std::string& out, int status, std::string_view date_line,
                           ErrorFormat format) {
  const std::string_view status_line = http::status_line(status);
  const Response answer = library_error(status, {}, format);
  const std::string_view type = answer.header("Content-Type").value_or("text/plain");
  const net::Decimal length(answer.body.size());
  net::append_sized(out, [&](auto& sink) {
    put_status_line(sink, status, status_line);
    put_field(sink, "Content-Type", type);
    put_field(sink, "Content-Length", length.view());
    sink.put(date_line);
    put_field(sink, "Connection", "close");
    sink.put("\r\n");
    sink.put(answer.body);
  });
}

}  // namespace pulsarcpp::detail
