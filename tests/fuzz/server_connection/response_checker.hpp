// Checks what a server answers on one connection: a sequence of HTTP/1.1 responses (RFC 9112),
// each framed so that the next can be found, and after a 101 the server's WebSocket frames.
#pragma once

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>

#include "check.hpp"
#include "frame_checker.hpp"

namespace connection_fuzz {

inline std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

inline bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

class ResponseChecker {
 public:
  // Returns whether the answer ended with a WebSocket close frame.
  bool check_all(std::string_view bytes) {
    rest_ = bytes;
    while (!rest_.empty()) {
      if (!response()) return sent_close_frame_;  // switched protocols: the rest were frames
    }
    return false;
  }

 private:
  struct Head {
    int status = 0;
    int content_lengths = 0;
    std::uint64_t content_length = 0;
    bool chunked = false;
    bool closes = false;
    bool deflate = false;
  };

  std::string_view line() {
    const std::size_t end = rest_.find("\r\n");
    check(end != std::string_view::npos, "a cut line in a response head");
    const std::string_view text = rest_.substr(0, end);
    check(text.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos,
          "CR, LF or NUL inside a response line");
    rest_.remove_prefix(end + 2);
    return text;
  }

  void status_line(Head& head) {
    const std::string_view text = line();
    check(text.size() >= 13 && text.starts_with("HTTP/1.1 ") && text[12] == ' ',
          "a malformed status line");
    head.status = static_cast<int>(number(text.substr(9, 3), 10, "a status that is no number"));
    check(head.status >= 100 && head.status <= 599, "a status out of range");
  }

  void field(Head& head, std::string_view text) {
    const std::size_t colon = text.find(':');
    check(colon != std::string_view::npos && colon > 0, "a header line without a name");
    const std::string_view name = text.substr(0, colon);
    check(std::all_of(name.begin(), name.end(), is_token_char), "a header name not a token");
    const std::string lowered = lower(name);
    std::string_view value = text.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    const std::string lowered_value = lower(value);
    if (lowered == "content-length") {
      ++head.content_lengths;
      head.content_length = number(value, 10, "a malformed Content-Length");
    } else if (lowered == "transfer-encoding") {
      check(lowered_value == "chunked", "a transfer coding other than chunked");
      head.chunked = true;
    } else if (lowered == "connection") {
      head.closes = lowered_value.find("close") != std::string::npos;
    } else if (lowered == "sec-websocket-extensions") {
      head.deflate = lowered_value.starts_with("permessage-deflate");
    }
  }

  // A body follows unless this answers HEAD: then the next response (or the end) comes at
  // once. No body this server sends starts like a status line.
  bool body_follows() const { return !rest_.empty() && !rest_.starts_with("HTTP/1.1 "); }

  void chunked_body() {
    while (true) {
      const auto size = static_cast<std::size_t>(number(line(), 16, "a malformed chunk size"));
      if (size == 0) break;
      check(size <= rest_.size() && rest_.substr(size).starts_with("\r\n"), "a cut chunk");
      rest_.remove_prefix(size + 2);
    }
    while (!line().empty()) {
    }  // trailer fields
  }

  // Checks one response; false once it switched protocols and the rest has been checked too.
  bool response() {
    Head head;
    status_line(head);
    for (std::string_view text = line(); !text.empty(); text = line()) field(head, text);
    if (head.status == 101) {
      FrameChecker frames(head.deflate);
      frames.check_all(rest_);
      sent_close_frame_ = frames.closed();
      return false;
    }
    if (head.status == 100) return true;
    check(head.status >= 200, "an informational status other than 100 and 101");
    check(!(head.chunked && head.content_lengths > 0), "both Content-Length and chunked");
    check(head.content_lengths <= 1, "Content-Length twice");
    const bool bodiless = head.status == 204 || head.status == 304;
    if (!bodiless && !head.chunked && head.content_lengths == 0) {
      // A body that ends with the connection: a stream to an HTTP/1.0 client, which cannot
      // read chunks. The server must say so.
      check(head.closes, "a body framed by the close without Connection: close");
      rest_ = {};
      return true;
    }
    if (!bodiless && body_follows()) {
      if (head.chunked) {
        chunked_body();
      } else {
        check(rest_.size() >= head.content_length, "a body shorter than its Content-Length");
        rest_.remove_prefix(static_cast<std::size_t>(head.content_length));
      }
    }
    check(!head.closes || rest_.empty(), "bytes after a response that closes the connection");
    return true;
  }

  std::string_view rest_;
  bool sent_close_frame_ = false;
};

}  // namespace connection_fuzz
