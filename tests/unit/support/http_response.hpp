#pragma once
// A strict-enough HTTP/1.1 response parser for tests: reads what the server wrote, byte for
// byte, so tests can check framing (Content-Length, chunk boundaries, close-delimited bodies).

#include <cctype>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pulsarcpp::test {

inline bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

struct HttpResponse {
  int status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;                      // dechunked
  std::vector<std::size_t> chunk_sizes;  // chunked bodies: the size of every data chunk
  bool chunked = false;
  std::string raw;  // the exact bytes of this response

  std::optional<std::string> header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
      if (iequal(key, name)) return value;
    }
    return std::nullopt;
  }
  std::size_t header_count(std::string_view name) const {
    std::size_t count = 0;
    for (const auto& [key, value] : headers) count += iequal(key, name) ? 1 : 0;
    return count;
  }
  /// The raw bytes without the Date line, which differs between otherwise equal responses.
  std::string raw_without_date() const {
    std::string out;
    std::size_t pos = 0;
    while (pos < raw.size()) {
      std::size_t end = raw.find("\r\n", pos);
      end = end == std::string::npos ? raw.size() : end + 2;
      std::string_view line(raw.data() + pos, end - pos);
      if (!(line.size() >= 5 && iequal(line.substr(0, 5), "date:"))) out.append(line);
      pos = end;
    }
    return out;
  }
};

enum class ParseOutcome { complete, incomplete, malformed };

namespace detail {

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

inline bool parse_size(std::string_view text, int base, std::size_t& value) {
  if (text.empty() || text.size() > 16) return false;
  value = 0;
  for (char c : text) {
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (base == 16 && c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else if (base == 16 && c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else {
      return false;
    }
    value = value * static_cast<std::size_t>(base) + static_cast<std::size_t>(digit);
  }
  return true;
}

// Parses a chunked body starting at `pos`; sets `end` past the final CRLF.
inline ParseOutcome parse_chunked(std::string_view data, std::size_t pos, HttpResponse& out,
                                  std::size_t& end) {
  for (;;) {
    std::size_t line_end = data.find("\r\n", pos);
    if (line_end == std::string_view::npos) return ParseOutcome::incomplete;
    std::size_t size = 0;
    std::string_view size_text = data.substr(pos, line_end - pos);
    size_text = size_text.substr(0, size_text.find(';'));
    if (!parse_size(size_text, 16, size)) return ParseOutcome::malformed;
    pos = line_end + 2;
    if (size == 0) {
      // Trailer section, ended by an empty line.
      for (;;) {
        std::size_t trailer_end = data.find("\r\n", pos);
        if (trailer_end == std::string_view::npos) return ParseOutcome::incomplete;
        const bool last = trailer_end == pos;
        pos = trailer_end + 2;
        if (last) {
          end = pos;
          return ParseOutcome::complete;
        }
      }
    }
    if (data.size() < pos + size + 2) return ParseOutcome::incomplete;
    if (data.substr(pos + size, 2) != "\r\n") return ParseOutcome::malformed;
    out.body.append(data.substr(pos, size));
    out.chunk_sizes.push_back(size);
    pos += size + 2;
  }
}

}  // namespace detail

/// Parses one response at the front of `data`. `head_request`: the response has no body
/// whatever its headers say. `eof`: the peer closed, so a close-delimited body is complete.
/// On `complete`, `consumed` is the response's length and `out` is filled.
inline ParseOutcome parse_response(std::string_view data, bool head_request, bool eof,
                                   HttpResponse& out, std::size_t& consumed) {
  out = HttpResponse{};
  const std::size_t head_end = data.find("\r\n\r\n");
  if (head_end == std::string_view::npos) return ParseOutcome::incomplete;
  std::string_view head = data.substr(0, head_end + 2);

  std::size_t line_end = head.find("\r\n");
  std::string_view status_line = head.substr(0, line_end);
  if (!status_line.starts_with("HTTP/1.1 ") || status_line.size() < 12) {
    return ParseOutcome::malformed;
  }
  std::size_t status = 0;
  if (!detail::parse_size(status_line.substr(9, 3), 10, status)) return ParseOutcome::malformed;
  out.status = static_cast<int>(status);
  if (status_line.size() > 12) out.reason = std::string(status_line.substr(13));

  std::size_t pos = line_end + 2;
  while (pos < head.size()) {
    std::size_t end = head.find("\r\n", pos);
    std::string_view line = head.substr(pos, end - pos);
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return ParseOutcome::malformed;
    out.headers.emplace_back(std::string(line.substr(0, colon)),
                             std::string(detail::trim(line.substr(colon + 1))));
    pos = end + 2;
  }

  const std::size_t body_start = head_end + 4;
  std::size_t end = body_start;
  const bool no_body = head_request || (out.status >= 100 && out.status < 200) ||
                       out.status == 204 || out.status == 304;
  auto te = out.header("Transfer-Encoding");
  auto cl = out.header("Content-Length");
  if (no_body) {
    end = body_start;
  } else if (te) {
    if (!iequal(*te, "chunked")) return ParseOutcome::malformed;
    out.chunked = true;
    ParseOutcome chunked = detail::parse_chunked(data, body_start, out, end);
    if (chunked != ParseOutcome::complete) return chunked;
  } else if (cl) {
    std::size_t length = 0;
    if (!detail::parse_size(*cl, 10, length)) return ParseOutcome::malformed;
    if (data.size() < body_start + length) return ParseOutcome::incomplete;
    out.body = std::string(data.substr(body_start, length));
    end = body_start + length;
  } else {
    if (!eof) return ParseOutcome::incomplete;
    out.body = std::string(data.substr(body_start));
    end = data.size();
  }
  out.raw = std::string(data.substr(0, end));
  consumed = end;
  return ParseOutcome::complete;
}

/// Every complete response in `data` (all for GET-like requests).
inline std::vector<HttpResponse> parse_all(std::string_view data, bool eof = false) {
  std::vector<HttpResponse> responses;
  for (;;) {
    HttpResponse response;
    std::size_t consumed = 0;
    if (parse_response(data, false, eof, response, consumed) != ParseOutcome::complete) break;
    responses.push_back(std::move(response));
    data.remove_prefix(consumed);
    if (data.empty()) break;
  }
  return responses;
}

}  // namespace pulsarcpp::test
