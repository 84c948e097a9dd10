#include "http/chunked_decoder.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <string_view>

namespace pulsarcpp::http {

enum class ChunkedDecoder::State : std::uint8_t {
  size_line = 0,  // chunk-size [ chunk-ext ] CRLF
  data,           // chunk-data
  data_cr,        // the CRLF after chunk-data
  data_lf,
  trailer,  // trailer field lines, then the empty line
  done,
  failed,
};

// What the current state handler achieved: moved on, ran out of bytes, or reached a final state.
enum class ChunkedDecoder::Step : std::uint8_t { next, more, stop };

namespace {

constexpr int kBadRequest = 400;
constexpr int kPayloadTooLarge = 413;

// Size lines and trailer sections are buffered until their LF, so both are bounded; legitimate
// chunk extensions and trailers are far smaller.
constexpr std::size_t kMaxLineBytes = std::size_t{16} * 1024;
constexpr std::size_t kMaxTrailerBytes = std::size_t{16} * 1024;

// A chunk size of more than 16 hex digits cannot fit in 64 bits.
constexpr std::size_t kMaxSizeDigits = 16;

enum CharClass : std::uint8_t {
  kTchar = 1 << 0,      // token (RFC 9110 §5.6.2)
  kValueChar = 1 << 1,  // HTAB, SP, VCHAR, obs-text: field values and quoted-pair
  kQdtext = 1 << 2,     // quoted-string text (RFC 9110 §5.6.4)
  kHex = 1 << 3,
};

constexpr std::array<std::uint8_t, 256> make_char_classes() {
  std::array<std::uint8_t, 256> table{};
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) table[static_cast<unsigned char>(c)] |= kTchar;
  for (int c = '0'; c <= '9'; ++c) table[c] |= kTchar | kHex;
  for (int c = 'a'; c <= 'z'; ++c) table[c] |= kTchar;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] |= kTchar;
  for (int c = 'a'; c <= 'f'; ++c) table[c] |= kHex;
  for (int c = 'A'; c <= 'F'; ++c) table[c] |= kHex;
  for (int c = 0x21; c <= 0xFF; ++c) {
    if (c != 0x7F) table[c] |= kValueChar | kQdtext;
  }
  for (unsigned char c : {' ', '\t'}) table[c] |= kValueChar | kQdtext;
  for (unsigned char c : {'"', '\\'}) table[c] &= static_cast<std::uint8_t>(~kQdtext);
  return table;
}

constexpr std::array<std::uint8_t, 256> kCharClasses = make_char_classes();

constexpr bool has_class(char c, std::uint8_t cls) noexcept {
  return (kCharClasses[static_cast<unsigned char>(c)] & cls) != 0;
}

constexpr std::uint64_t hex_value(char c) noexcept {
  const auto u = static_cast<unsigned char>(c);
  return u <= '9' ? u - '0' : (u | 0x20U) - 'a' + 10;
}

std::size_t skip_class(std::string_view s, std::size_t i, std::uint8_t cls) noexcept {
  while (i < s.size() && has_class(s[i], cls)) ++i;
  return i;
}

std::size_t skip_ws(std::string_view s, std::size_t i) noexcept {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return i;
}

// quoted-string starting at s[i] == '"'; returns the index after the closing quote, or npos.
std::size_t skip_quoted_string(std::string_view s, std::size_t i) noexcept {
  for (++i; i < s.size(); ++i) {
    if (s[i] == '"') return i + 1;
    if (s[i] == '\\') {
      if (++i == s.size() || !has_class(s[i], kValueChar)) return std::string_view::npos;
    } else if (!has_class(s[i], kQdtext)) {
      return std::string_view::npos;
    }
  }
  return std::string_view::npos;
}

// ext-val = token / quoted-string, starting at s[i]; returns the index after it, or npos.
std::size_t skip_ext_value(std::string_view s, std::size_t i) noexcept {
  if (i < s.size() && s[i] == '"') return skip_quoted_string(s, i);
  const std::size_t end = skip_class(s, i, kTchar);
  return end == i ? std::string_view::npos : end;
}

// chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ) (RFC 9112 §7.1.1). Extensions
// are checked and ignored: none is defined that a server must understand.
bool valid_chunk_ext(std::string_view s) noexcept {
  std::size_t i = 0;
  for (;;) {
    std::size_t j = skip_ws(s, i);
    if (j == s.size()) return j == i;  // BWS may only precede ';'
    if (s[j] != ';') return false;
    i = skip_ws(s, j + 1);
    const std::size_t name_end = skip_class(s, i, kTchar);
    if (name_end == i) return false;
    i = name_end;
    j = skip_ws(s, i);
    if (j < s.size() && s[j] == '=') {
      i = skip_ext_value(s, skip_ws(s, j + 1));
      if (i == std::string_view::npos) return false;
    }
  }
}

// chunk-size [ chunk-ext ], without the CRLF.
bool parse_size_line(std::string_view line, std::uint64_t& size) noexcept {
  std::uint64_t value = 0;
  std::size_t i = 0;
  for (; i < line.size() && has_class(line[i], kHex); ++i) {
    if (i == kMaxSizeDigits) return false;
    value = (value << 4) | hex_value(line[i]);
  }
  if (i == 0 || !valid_chunk_ext(line.substr(i))) return false;
  size = value;
  return true;
}

// field-name ":" field-value, held to the same rules as header fields.
bool valid_field_line(std::string_view line) noexcept {
  const std::size_t colon = skip_class(line, 0, kTchar);
  return colon != 0 && colon < line.size() && line[colon] == ':' &&
         skip_class(line, colon + 1, kValueChar) == line.size();
}

}  // namespace

ChunkedDecoder::Result ChunkedDecoder::decode(char* data, std::size_t size) noexcept {
  // The caller may only append; fewer bytes than already read means the buffer was lost.
  Step step = size < read_ && state_ != State::done ? fail(kBadRequest) : Step::next;
  while (step == Step::next) {
    switch (state_) {
      case State::size_line:
        step = on_size_line(data, size);
        break;
      case State::data:
        step = on_data(data, size);
        break;
      case State::data_cr:
      case State::data_lf:
        step = on_data_end(data, size);
        break;
      case State::trailer:
        step = on_trailer_line(data, size);
        break;
      case State::done:
      case State::failed:
        step = Step::stop;
        break;
    }
  }
  Result result;
  result.status = state_ == State::done     ? Status::complete
                  : state_ == State::failed ? Status::error
                                            : Status::incomplete;
  result.consumed = read_;
  result.decoded = written_;
  result.error_status = error_status_;
  return result;
}

void ChunkedDecoder::reset() noexcept {
  read_ = 0;
  written_ = 0;
  chunk_remaining_ = 0;
  state_ = State::size_line;
  error_status_ = 0;
  line_bytes_ = 0;
  trailer_bytes_ = 0;
}

ChunkedDecoder::Step ChunkedDecoder::fail(int status) noexcept {
  state_ = State::failed;
  error_status_ = status;
  return Step::stop;
}

ChunkedDecoder::Step ChunkedDecoder::on_size_line(const char* data, std::size_t size) noexcept {
  const char* line = data + read_;
  const std::size_t avail = size - read_;
  if (avail == 0) return Step::more;
  // Fail at once on garbage instead of buffering up to the line limit first.
  if (!has_class(line[0], kHex)) return fail(kBadRequest);
  // Resume the LF search where the previous call stopped, so byte-wise input stays linear.
  const void* lf = std::memchr(line + line_bytes_, '\n', avail - line_bytes_);
  if (lf == nullptr) {
    line_bytes_ = avail;
    return avail > kMaxLineBytes ? fail(kBadRequest) : Step::more;
  }
  const auto length = static_cast<std::size_t>(static_cast<const char*>(lf) - line);
  line_bytes_ = 0;
  std::uint64_t chunk_size = 0;
  if (length > kMaxLineBytes || line[length - 1] != '\r' ||
      !parse_size_line(std::string_view(line, length - 1), chunk_size)) {
    return fail(kBadRequest);
  }
  read_ += length + 1;
  if (chunk_size == 0) {
    state_ = State::trailer;
    return Step::next;
  }
  if (chunk_size > max_body_ - written_) return fail(kPayloadTooLarge);
  chunk_remaining_ = chunk_size;
  state_ = State::data;
  return Step::next;
}

ChunkedDecoder::Step ChunkedDecoder::on_data(char* data, std::size_t size) noexcept {
  const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk_remaining_, size - read_));
  if (n == 0) return Step::more;
  std::memmove(data + written_, data + read_, n);
  written_ += n;
  read_ += n;
  chunk_remaining_ -= n;
  if (chunk_remaining_ != 0) return Step::more;
  state_ = State::data_cr;
  return Step::next;
}

ChunkedDecoder::Step ChunkedDecoder::on_data_end(const char* data, std::size_t size) noexcept {
  if (read_ == size) return Step::more;
  const bool cr = state_ == State::data_cr;
  if (data[read_] != (cr ? '\r' : '\n')) return fail(kBadRequest);
  ++read_;
  state_ = cr ? State::data_lf : State::size_line;
  return Step::next;
}

ChunkedDecoder::Step ChunkedDecoder::on_trailer_line(const char* data, std::size_t size) noexcept {
  const char* line = data + read_;
  const std::size_t avail = size - read_;
  if (avail == 0) return Step::more;
  if (line[0] != '\r' && !has_class(line[0], kTchar)) return fail(kBadRequest);
  const void* lf = std::memchr(line + line_bytes_, '\n', avail - line_bytes_);
  if (lf == nullptr) {
    line_bytes_ = avail;
    return trailer_bytes_ + avail > kMaxTrailerBytes ? fail(kBadRequest) : Step::more;
  }
  const auto length = static_cast<std::size_t>(static_cast<const char*>(lf) - line);
  line_bytes_ = 0;
  if (trailer_bytes_ + length + 1 > kMaxTrailerBytes || line[length - 1] != '\r') {
    return fail(kBadRequest);
  }
  read_ += length + 1;
  if (length == 1) {  // the empty line that ends the message
    state_ = State::done;
    return Step::stop;
  }
  // Trailer fields are discarded: none may change framing, and the app never asked for them.
  if (!valid_field_line(std::string_view(line, length - 1))) return fail(kBadRequest);
  trailer_bytes_ += length + 1;
  return Step::next;
}

}  // namespace pulsarcpp::http
