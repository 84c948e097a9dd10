#include "http/parser.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#include "http/field_syntax.hpp"
#include "http/swar.hpp"
#include "pulsarcpp/http/request_head.hpp"

namespace pulsarcpp::http {

namespace {

// A step either succeeds, needs more bytes, or fails with the HTTP status to answer.
constexpr int kOk = 0;
constexpr int kMore = 1;
constexpr int kBadRequest = 400;
constexpr int kPayloadTooLarge = 413;
constexpr int kUriTooLong = 414;
constexpr int kExpectationFailed = 417;
constexpr int kHeadersTooLarge = 431;
constexpr int kNotImplemented = 501;
constexpr int kVersionNotSupported = 505;

// RFC 9112 §2.2 asks servers to ignore "at least one" empty line before the request line; a few
// cover clients that send a stray CRLF after a body without letting a peer stream them forever.
constexpr int kMaxLeadingEmptyLines = 4;

// Asterisk-form and authority-form targets have no path; the router sees the root.
constexpr std::string_view kRootPath = "/";

enum CharClass : std::uint8_t {
  kTchar = 1 << 0,       // token (RFC 9110 §5.6.2)
  kTargetChar = 1 << 1,  // bytes a request-target may hold
  kValueChar = 1 << 2,   // field-value bytes: HTAB, SP, VCHAR, obs-text (RFC 9110 §5.5)
  kRegName = 1 << 3,     // unreserved / sub-delims (RFC 3986 reg-name, '%' handled apart)
  kHex = 1 << 4,
  kDigit = 1 << 5,
  kPathChar = 1 << 6,  // request-target bytes before the query: kTargetChar without '?'
};

constexpr std::array<std::uint8_t, 256> make_char_classes() {
  std::array<std::uint8_t, 256> table{};
  auto add = [&table](std::string_view chars, int cls) {
    for (char c : chars) table[static_cast<unsigned char>(c)] |= static_cast<std::uint8_t>(cls);
  };
  constexpr int kAlnum = kTargetChar | kRegName;
  for (int c = 0; c < 256; ++c) {
    if (kTokenChars[static_cast<std::size_t>(c)]) table[c] |= kTchar;  // one tchar set for all
  }
  for (int c = '0'; c <= '9'; ++c) table[c] |= kAlnum | kHex | kDigit;
  for (int c = 'a'; c <= 'z'; ++c) table[c] |= kAlnum;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] |= kAlnum;
  add("abcdefABCDEF", kHex);
  add("-._~!$&'()*+,;=:@/?%[]", kTargetChar);
  // Not RFC 3986, but WHATWG URL serializers (every browser, fetch) leave these unencoded in
  // paths and queries; rejecting them would refuse ordinary browser traffic.
  add("{}|^`", kTargetChar);
  for (int c = 0; c < 256; ++c) {
    if ((table[c] & kTargetChar) != 0 && c != '?') table[c] |= kPathChar;
  }
  add("-._~!$&'()*+,;=", kRegName);
  for (int c = 0x21; c <= 0xFF; ++c) {
    if (c != 0x7F) table[c] |= kValueChar;
  }
  add(" \t", kValueChar);
  return table;
}

constexpr std::array<std::uint8_t, 256> kCharClasses = make_char_classes();

constexpr bool has_class(char c, std::uint8_t cls) noexcept {
  return (kCharClasses[static_cast<unsigned char>(c)] & cls) != 0;
}

// The first byte from `p` that is not of class `cls`, or `end`.
const char* scan(const char* p, const char* end, std::uint8_t cls) noexcept {
  while (p != end && has_class(*p, cls)) ++p;
  return p;
}

bool all_of_class(std::string_view s, std::uint8_t cls) noexcept {
  return std::all_of(s.begin(), s.end(), [cls](char c) { return has_class(c, cls); });
}

bool is_token(std::string_view s) noexcept {
  return !s.empty() && all_of_class(s, kTchar);
}

// Splits a comma-separated list and calls `fn` on each OWS-trimmed element; stops at the first
// non-kOk result, which it returns.
template <typename Fn>
int for_each_element(std::string_view list, Fn&& fn) {
  for (;;) {
    const std::size_t comma = list.find(',');
    if (const int r = fn(trim_ows(list.substr(0, comma))); r != kOk) return r;
    if (comma == std::string_view::npos) return kOk;
    list.remove_prefix(comma + 1);
  }
}

// ---- Host and authority (RFC 3986 §3.2.2-3.2.3) ----

bool valid_ip_literal(std::string_view s) noexcept {
  if (s.empty()) return false;
  if (s[0] == 'v' ||
      s[0] == 'V') {  // IPvFuture: "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
    const std::size_t dot = s.find('.');
    if (dot == std::string_view::npos || dot < 2 || dot + 1 == s.size()) return false;
    if (!all_of_class(s.substr(1, dot - 1), kHex)) return false;
    const std::string_view rest = s.substr(dot + 1);
    return std::all_of(rest.begin(), rest.end(),
                       [](char c) { return c == ':' || has_class(c, kRegName); });
  }
  // IPv6 (possibly with an embedded IPv4 tail): hex groups, ':' and '.'; a colon is mandatory.
  bool colon = false;
  for (char c : s) {
    if (c == ':') {
      colon = true;
    } else if (c != '.' && !has_class(c, kHex)) {
      return false;
    }
  }
  return colon;
}

// Length of the reg-name at the front of `s` (up to ':' or the end), or npos when invalid.
std::size_t reg_name_length(std::string_view s) noexcept {
  const char* p = s.data();
  const char* const end = p + s.size();
  for (;;) {
    p = scan(p, end, kRegName);
    if (p == end || *p == ':') return static_cast<std::size_t>(p - s.data());
    if (*p != '%' || end - p < 3 || !has_class(p[1], kHex) || !has_class(p[2], kHex)) {
      return std::string_view::npos;
    }
    p += 3;
  }
}

// uri-host [ ":" port ]. An empty reg-name is valid in a Host header (RFC 9110 §7.2) but not in
// an http(s) URI or a CONNECT target, hence `require_host`.
bool valid_host_port(std::string_view s, bool require_host, bool require_port) noexcept {
  std::size_t i = 0;
  if (!s.empty() && s[0] == '[') {
    const std::size_t close = s.find(']');
    if (close == std::string_view::npos || !valid_ip_literal(s.substr(1, close - 1))) return false;
    i = close + 1;
  } else {
    i = reg_name_length(s);
    if (i == std::string_view::npos || (require_host && i == 0)) return false;
  }
  if (i == s.size()) return !require_port;
  if (s[i] != ':') return false;
  const std::string_view port = s.substr(i + 1);
  return (!require_port || !port.empty()) && all_of_class(port, kDigit);
}

// ---- Request line ----

struct Cursor {
  const char* p;
  const char* end;
  // Set with kMore: the class of bytes the lexer was reading when the input ran out (0: any
  // next byte decides). More bytes of that class cannot change the outcome of the line.
  std::uint8_t waiting = 0;

  bool at_end() const noexcept { return p == end; }
  std::size_t left() const noexcept { return static_cast<std::size_t>(end - p); }
};

// Ran out of input; `waiting` as in Cursor.
int more(Cursor& c, std::uint8_t waiting = 0) noexcept {
  c.waiting = waiting;
  return kMore;
}

// Marks the control characters (< 0x20, which includes HTAB) and DEL among the bytes of `word`.
// Bytes >= 0x80 (obs-text) pass, as in kValueChar.
constexpr std::uint64_t control_bytes(std::uint64_t word) noexcept {
  return swar::bytes_below(word, 0x20) | swar::bytes_equal(word, 0x7F);
}

// Field values are most of a head's bytes (cookies, user agents), so they are read eight at a
// time: a word with a control byte goes straight to the first one, which ends the value unless
// it is a HTAB. The last few bytes are read one by one.
const char* scan_field_value(const char* p, const char* end) noexcept {
  while (end - p >= 8) {
    const std::uint64_t marks = control_bytes(swar::load_in_order(p));
    if (marks == 0) {
      p += 8;
      continue;
    }
    p += swar::first_marked(marks);
    if (*p != '\t') return p;
    ++p;
  }
  return scan(p, end, kValueChar);
}

int expect_crlf(Cursor& c) noexcept {
  if (c.at_end()) return more(c);
  if (*c.p != '\r') return kBadRequest;
  if (c.left() < 2) return more(c);
  if (c.p[1] != '\n') return kBadRequest;
  c.p += 2;
  return kOk;
}

int skip_leading_empty_lines(Cursor& c) noexcept {
  for (int lines = 0;; ++lines) {
    if (c.at_end()) return more(c);
    if (*c.p != '\r') return kOk;
    if (lines == kMaxLeadingEmptyLines) return kBadRequest;
    if (const int r = expect_crlf(c); r != kOk) return r;
  }
}

// Ends a word of the request line read from `start` up to the cursor, which scanned bytes of
// class `scanned`: it must be non-empty and end at a single SP, which is skipped. Stores it in
// `field`.
int end_word(Cursor& c, const char* start, std::uint8_t scanned, std::string_view& field) noexcept {
  if (c.at_end()) return more(c, scanned);
  if (*c.p != ' ' || c.p == start) return kBadRequest;
  field = std::string_view(start, static_cast<std::size_t>(c.p - start));
  ++c.p;
  return kOk;
}

// Reads bytes of class `cls` up to a single SP and stores them in `field`.
int lex_word(Cursor& c, std::uint8_t cls, std::string_view& field) noexcept {
  const char* start = c.p;
  c.p = scan(c.p, c.end, cls);
  return end_word(c, start, cls, field);
}

// The request-target up to its SP, and where its first '?' is (npos for none): noted during the
// scan, so splitting off the query costs no second pass.
int lex_target(Cursor& c, std::string_view& target, std::size_t& question_mark) noexcept {
  const char* start = c.p;
  c.p = scan(c.p, c.end, kPathChar);
  question_mark = std::string_view::npos;
  if (c.p != c.end && *c.p == '?') {
    question_mark = static_cast<std::size_t>(c.p - start);
    c.p = scan(c.p, c.end, kTargetChar);
  }
  const std::uint8_t scanned = question_mark == std::string_view::npos ? kPathChar : kTargetChar;
  return end_word(c, start, scanned, target);
}

// "HTTP/" DIGIT "." DIGIT CRLF; stores the two digits.
int lex_version(Cursor& c, char& major, char& minor) noexcept {
  // Nearly every request says exactly this; one comparison instead of a walk through the pattern.
  static constexpr std::string_view kHttp11 = "HTTP/1.1\r\n";
  if (c.left() >= kHttp11.size() && std::memcmp(c.p, kHttp11.data(), kHttp11.size()) == 0) {
    major = '1';
    minor = '1';
    c.p += kHttp11.size();
    return kOk;
  }
  static constexpr std::string_view kPattern = "HTTP/0.0";
  char digits[2] = {};
  int digit_index = 0;
  for (char expected : kPattern) {
    if (c.at_end()) return more(c);
    if (expected == '0') {
      if (!has_class(*c.p, kDigit)) return kBadRequest;
      digits[digit_index++] = *c.p;
    } else if (*c.p != expected) {
      return kBadRequest;
    }
    ++c.p;
  }
  major = digits[0];
  minor = digits[1];
  return expect_crlf(c);
}

// `q` is the position of the first '?' in `target`, or npos.
void split_path_query(std::string_view target, std::size_t q, RequestHead& out) noexcept {
  out.path = target.substr(0, q);
  out.query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
}

// absolute-form: http(s)://authority[/path][?query] (RFC 9112 §3.2.2).
int parse_absolute_form(RequestHead& out) noexcept {
  std::string_view rest = out.target;
  const auto starts_with_ci = [&rest](std::string_view prefix) {
    return rest.size() >= prefix.size() && iequals(rest.substr(0, prefix.size()), prefix);
  };
  if (starts_with_ci("http://")) {
    rest.remove_prefix(7);
  } else if (starts_with_ci("https://")) {
    rest.remove_prefix(8);
  } else {
    return kBadRequest;
  }
  // userinfo ('@') is forbidden in http(s) URIs (RFC 9110 §4.2.4) and fails this check.
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
  if (!valid_host_port(authority, true, false)) return kBadRequest;
  out.host = authority;
  rest.remove_prefix(authority.size());
  if (rest.empty() || rest[0] == '?') {
    out.path = kRootPath;
    out.query = rest.empty() ? std::string_view() : rest.substr(1);
  } else {
    split_path_query(rest, rest.find('?'), out);
  }
  return kOk;
}

// Checks that the target's form fits the method and fills path, query and (from the target) host.
// `question_mark` is where the target's first '?' is, or npos.
int classify_target(RequestHead& out, std::size_t question_mark, bool& host_from_target) noexcept {
  const std::string_view target = out.target;
  if (out.method == Method::connect) {  // authority-form, and only it (RFC 9112 §3.2.3)
    if (!valid_host_port(target, true, true)) return kBadRequest;
    out.host = target;
    out.path = kRootPath;
    host_from_target = true;
    return kOk;
  }
  if (target[0] == '/') {
    split_path_query(target, question_mark, out);
    return kOk;
  }
  if (target == "*") {
    out.path = kRootPath;
    return out.method == Method::options ? kOk : kBadRequest;
  }
  host_from_target = true;
  return parse_absolute_form(out);
}

// ---- Header section ----

// Reads one "name: value" line; `c` is at a byte that is not CR.
int lex_field_line(Cursor& c, Header& field) noexcept {
  const char* name = c.p;
  c.p = scan(c.p, c.end, kTchar);
  if (c.at_end()) return more(c, kTchar);
  // Also rejects obs-fold and whitespace before the colon (RFC 9112 §5.1-5.2).
  if (*c.p != ':' || c.p == name) return kBadRequest;
  field.name = std::string_view(name, static_cast<std::size_t>(c.p - name));
  ++c.p;
  const char* value = c.p;
  c.p = scan_field_value(c.p, c.end);  // kValueChar, eight bytes at a time
  if (c.at_end()) return more(c, kValueChar);
  field.value = trim_ows(std::string_view(value, static_cast<std::size_t>(c.p - value)));
  return expect_crlf(c);
}

// Lexes header lines up to the empty line that ends them. On kMore, `c.p` is at the start of
// the line that is still incomplete.
int lex_header_section(Cursor& c, const ParserLimits& limits, RequestHead& out) {
  for (;;) {
    const char* const line = c.p;
    if (c.at_end()) return more(c);
    int r = kOk;
    if (*c.p == '\r') {
      r = expect_crlf(c);
      if (r == kOk) return kOk;
    } else {
      Header field;
      r = lex_field_line(c, field);
      if (r == kOk) {
        if (out.headers.size() >= limits.max_header_count) return kHeadersTooLarge;
        out.headers.push_back(field);
        continue;
      }
    }
    if (r == kMore) c.p = line;
    return r;
  }
}

// ---- Header semantics ----

// What the framing and connection headers say, gathered over all lines before deciding.
struct HeaderFacts {
  int host_count = 0;
  std::string_view host;
  bool has_content_length = false;
  std::uint64_t content_length = 0;
  bool has_transfer_encoding = false;
  bool chunked_seen = false;
  bool chunked_last = false;
  bool unsupported_coding = false;
  bool close = false;
  bool keep_alive = false;
  bool connection_upgrade = false;
  bool has_upgrade = false;
  bool expect_continue = false;
  bool expect_unknown = false;
};

int parse_decimal(std::string_view s, std::uint64_t& value) noexcept {
  if (s.empty()) return kBadRequest;
  std::uint64_t v = 0;
  for (char c : s) {
    if (!has_class(c, kDigit)) return kBadRequest;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (v > (UINT64_MAX - digit) / 10) return kBadRequest;
    v = v * 10 + digit;
  }
  value = v;
  return kOk;
}

// Identical repeats ("5, 5" or two lines of 5) are allowed (RFC 9110 §8.6); anything else is
// ambiguous framing.
int note_content_length(std::string_view value, HeaderFacts& f) {
  return for_each_element(value, [&f](std::string_view element) {
    std::uint64_t length = 0;
    if (parse_decimal(element, length) != kOk) return kBadRequest;
    if (f.has_content_length && length != f.content_length) return kBadRequest;
    f.has_content_length = true;
    f.content_length = length;
    return kOk;
  });
}

// transfer-coding = token *( OWS ";" OWS transfer-parameter ) (RFC 9112 §7).
int note_transfer_coding(std::string_view element, HeaderFacts& f) noexcept {
  const std::size_t semicolon = element.find(';');
  const std::string_view name = trim_ows(element.substr(0, semicolon));
  if (!is_token(name)) return kBadRequest;
  const bool chunked = iequals(name, "chunked");
  // chunked takes no parameters and may be applied only once (RFC 9112 §6.1, §7.1).
  if (chunked && (f.chunked_seen || semicolon != std::string_view::npos)) return kBadRequest;
  f.chunked_seen = f.chunked_seen || chunked;
  f.chunked_last = chunked;
  f.unsupported_coding = f.unsupported_coding || !chunked;
  return kOk;
}

int note_transfer_encoding(std::string_view value, HeaderFacts& f) {
  f.has_transfer_encoding = true;
  return for_each_element(
      value, [&f](std::string_view element) { return note_transfer_coding(element, f); });
}

int note_connection(std::string_view value, HeaderFacts& f) {
  return for_each_element(value, [&f](std::string_view option) {
    f.close = f.close || iequals(option, "close");
    f.keep_alive = f.keep_alive || iequals(option, "keep-alive");
    f.connection_upgrade = f.connection_upgrade || iequals(option, "upgrade");
    return kOk;
  });
}

// A client sends the same Host on every request, so each thread remembers the last valid value
// it saw and does not check an identical one again (the check is a pure function of the bytes).
class HostMemo {
 public:
  bool valid(std::string_view host) noexcept {
    if (swar::equal(host, std::string_view(bytes_, size_))) return true;
    if (!valid_host_port(host, false, false)) return false;
    if (host.size() <= sizeof bytes_) {
      std::memcpy(bytes_, host.data(), host.size());
      size_ = host.size();
    }
    return true;
  }

 private:
  char bytes_[64] = {};
  std::size_t size_ = 0;  // the empty Host is valid, so an empty memo is right too
};

thread_local HostMemo host_memo;

int note_host(std::string_view value, HeaderFacts& f) noexcept {
  // RFC 9112 §3.2: more than one Host line, or an invalid value, is a 400.
  if (++f.host_count > 1 || !host_memo.valid(value)) return kBadRequest;
  f.host = value;
  return kOk;
}

// Whether the field name `name` (a token: lex_field_line checked it) is `lowercase` in any case;
// `lowercase` holds only lowercase letters and '-'. Setting bit 0x20 of every byte turns a letter
// into its lowercase form and leaves '-' as it is, and the only other byte it turns into one of
// those is CR (into '-'), which is not a token byte. So the words compare equal exactly when the
// names match, eight bytes at a time.
bool is_name(std::string_view name, std::string_view lowercase) noexcept {
  constexpr std::uint64_t kCaseBits = swar::kOnes * 0x20;
  const std::size_t n = name.size();
  if (n != lowercase.size()) return false;
  const auto same_word = [&](std::uint64_t a, std::uint64_t b) {
    return (a | kCaseBits) == (b | kCaseBits);
  };
  if (n <= 8) {
    return same_word(swar::load_short(name.data(), n, 'a'),
                     swar::load_short(lowercase.data(), n, 'a'));
  }
  for (std::size_t i = 0; i + 8 < n; i += 8) {
    if (!same_word(swar::load(name.data() + i), swar::load(lowercase.data() + i))) return false;
  }
  return same_word(swar::load(name.data() + n - 8), swar::load(lowercase.data() + n - 8));
}

// Dispatches on the name's length first so most headers cost one integer compare.
int note_header(const Header& h, HeaderFacts& f) {
  switch (h.name.size()) {
    case 4:
      if (is_name(h.name, "host")) return note_host(h.value, f);
      break;
    case 6:
      if (is_name(h.name, "expect")) {
        const bool known = iequals(h.value, "100-continue");
        f.expect_continue = f.expect_continue || known;
        f.expect_unknown = f.expect_unknown || !known;
      }
      break;
    case 7:
      f.has_upgrade = f.has_upgrade || is_name(h.name, "upgrade");
      break;
    case 10:
      if (is_name(h.name, "connection")) return note_connection(h.value, f);
      break;
    case 14:
      if (is_name(h.name, "content-length")) return note_content_length(h.value, f);
      break;
    case 17:
      if (is_name(h.name, "transfer-encoding")) return note_transfer_encoding(h.value, f);
      break;
    default:
      break;
  }
  return kOk;
}

// Body framing (RFC 9112 §6.1-6.3): ambiguity is a 400, never a guess.
int decide_framing(const HeaderFacts& f, const ParserLimits& limits, RequestHead& out) noexcept {
  if (f.has_transfer_encoding) {
    if (f.has_content_length || out.version_minor == 0) return kBadRequest;
    if (f.chunked_seen && !f.chunked_last) return kBadRequest;
    if (f.unsupported_coding) return kNotImplemented;
    out.framing = BodyFraming::chunked;
  } else if (f.has_content_length) {
    if (f.content_length > limits.max_body_bytes) return kPayloadTooLarge;
    out.framing = BodyFraming::content_length;
    out.content_length = f.content_length;
  }
  return kOk;
}

int apply_header_semantics(const ParserLimits& limits, bool host_from_target, RequestHead& out) {
  HeaderFacts f;
  for (const Header& h : out.headers) {
    if (const int r = note_header(h, f); r != kOk) return r;
  }
  if (f.host_count == 0 && out.version_minor == 1) return kBadRequest;
  if (!host_from_target) out.host = f.host;
  if (const int r = decide_framing(f, limits, out); r != kOk) return r;
  if (f.expect_unknown) return kExpectationFailed;
  // An HTTP/1.0 client cannot understand 100 Continue, so its expectation is ignored (§10.1.1).
  out.expect_continue = f.expect_continue && out.version_minor == 1;
  out.keep_alive = out.version_minor == 1 ? !f.close : (f.keep_alive && !f.close);
  out.upgrade = f.connection_upgrade && f.has_upgrade;
  return kOk;
}

// ---- Driver ----

// The method and its SP. Most requests are GETs: one comparison instead of a scan and a lookup.
int lex_method(Cursor& c, RequestHead& out) noexcept {
  static constexpr std::string_view kGet = "GET ";
  if (c.left() >= kGet.size() && std::memcmp(c.p, kGet.data(), kGet.size()) == 0) {
    out.method_name = std::string_view(c.p, kGet.size() - 1);
    out.method = Method::get;
    c.p += kGet.size();
    return kOk;
  }
  if (const int r = lex_word(c, kTchar, out.method_name); r != kOk) return r;
  out.method = method_from_string(out.method_name);
  return kOk;
}

int parse_request_line(Cursor& c, RequestHead& out, bool& host_from_target) noexcept {
  if (const int r = skip_leading_empty_lines(c); r != kOk) return r;
  if (const int r = lex_method(c, out); r != kOk) return r;
  std::size_t question_mark = 0;
  if (const int r = lex_target(c, out.target, question_mark); r != kOk) return r;
  char major = 0;
  char minor = 0;
  if (const int r = lex_version(c, major, minor); r != kOk) return r;
  if (major != '1') return kVersionNotSupported;
  // A higher 1.x minor is answered as 1.1, the highest we speak (RFC 9110 §2.5).
  out.version_minor = minor == '0' ? 0 : 1;
  return classify_target(out, question_mark, host_from_target);
}

void reset(RequestHead& out) noexcept {
  out.method = Method::other;
  out.method_name = {};
  out.target = {};
  out.path = {};
  out.query = {};
  out.version_minor = 1;
  out.headers.clear();
  out.framing = BodyFraming::none;
  out.content_length = 0;
  out.keep_alive = true;
  out.expect_continue = false;
  out.upgrade = false;
  out.host = {};
}

// Moves the views of a partly lexed head along with its bytes, which now begin at `to`.
void rebase(RequestHead& out, const char* from, const char* to, std::size_t lexed) noexcept {
  const auto move = [&](std::string_view& view) {
    // Views of constants (the root path of an authority-form target) stay where they are.
    if (view.data() < from || view.data() >= from + lexed) return;
    view = std::string_view(to + (view.data() - from), view.size());
  };
  move(out.method_name);
  move(out.target);
  move(out.path);
  move(out.query);
  move(out.host);
  for (Header& header : out.headers) {
    move(header.name);
    move(header.value);
  }
}

// Whether the bytes that arrived since an incomplete head's last call leave its outcome as it
// was: all of them of the class the lexer was waiting in (a header value's, say). Looks at each
// byte once; notes how far it got.
bool nothing_decided(std::string_view window, HeadProgress& progress) noexcept {
  const char* const from = window.data() + progress.searched;
  const char* const end = window.data() + window.size();
  const char* const decisive = progress.waiting != 0 ? scan(from, end, progress.waiting) : from;
  progress.examined += static_cast<std::size_t>(decisive - from);
  if (decisive != end) return false;
  progress.searched = window.size();
  return true;
}

}  // namespace

ParseResult parse_request_head(std::string_view input, const ParserLimits& limits,
                               RequestHead& out, HeadProgress& progress) noexcept {
  // Scanning only the first max_head_bytes bytes makes an over-long head fail as soon as it is
  // over the limit instead of waiting for a CRLF that may never come.
  const bool over_limit = input.size() > limits.max_head_bytes;
  const std::string_view window(input.data(), std::min(input.size(), limits.max_head_bytes));
  // Most heads arrive whole: this call is then their only one, and `progress` is written only
  // when it has to be kept.
  const bool resumed = progress.base != nullptr;
  if (resumed) {
    if (progress.base != input.data()) rebase(out, progress.base, input.data(), progress.lexed);
    progress.base = input.data();
    if (!over_limit && nothing_decided(window, progress)) return {};
  }
  const auto ended = [&progress, resumed](ParseResult result) {
    if (resumed) progress = {};
    return result;
  };
  // Bytes of complete lines lexed, the start of the line that is not.
  std::size_t lexed = progress.lexed;
  bool host_from_target = progress.host_from_target;
  Cursor c{window.data() + lexed, window.data() + window.size()};
  int r = kOk;
  if (lexed == 0) {  // the request line has not been lexed yet
    reset(out);
    host_from_target = false;
    r = parse_request_line(c, out, host_from_target);
    if (r == kOk) lexed = static_cast<std::size_t>(c.p - window.data());
  }
  if (r == kOk) {
    r = lex_header_section(c, limits, out);
    if (r == kMore) lexed = static_cast<std::size_t>(c.p - window.data());
  }
  if (r == kMore && over_limit) {
    progress = {};
    return {ParseStatus::error, 0, lexed == 0 ? kUriTooLong : kHeadersTooLarge};
  }
  if (r == kMore) {
    // The lexer looked at everything up to the window's end; what it did not lex cannot decide
    // the incomplete line until more bytes come.
    progress.examined += window.size() - progress.lexed;
    progress.lexed = lexed;
    progress.searched = window.size();
    progress.base = input.data();
    progress.waiting = c.waiting;
    progress.host_from_target = host_from_target;
    return {};
  }
  if (r == kOk) r = apply_header_semantics(limits, host_from_target, out);
  if (r != kOk) return ended({ParseStatus::error, 0, r});
  return ended({ParseStatus::complete, static_cast<std::size_t>(c.p - input.data()), 0});
}

ParseResult parse_request_head(std::string_view input, const ParserLimits& limits,
                               RequestHead& out) noexcept {
  HeadProgress progress;
  return parse_request_head(input, limits, out, progress);
}

}  // namespace pulsarcpp::http
