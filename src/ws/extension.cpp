#include "ws/extension.hpp"

#include <algorithm>

#include "http/field_syntax.hpp"

namespace pulsarcpp::ws {
namespace {

constexpr std::string_view kExtensionName = "permessage-deflate";
constexpr std::uint8_t kMaxBits = 15;

bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

// A parameter value: a token, or a quoted-string whose unescaped content must be a token
// (RFC 6455 §9.1). Only short values matter here (window bits), so the content is unescaped
// into a small buffer; longer ones are kept as "too long", which no known parameter accepts.
struct Value {
  bool present = false;
  bool too_long = false;
  char text[4] = {};
  std::size_t size = 0;

  std::string_view view() const noexcept { return {text, size}; }
  void push(char c) noexcept {
    if (size < sizeof text) {
      text[size++] = c;
    } else {
      too_long = true;
    }
  }
};

// Cursor over the header with the RFC 9110 list grammar's optional whitespace.
class Scanner {
 public:
  explicit Scanner(std::string_view s) noexcept : s_(s) {}

  bool at_end() const noexcept { return pos_ == s_.size(); }
  void skip_space() noexcept {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t')) ++pos_;
  }
  bool take(char c) noexcept {
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  std::string_view token() noexcept {
    skip_space();
    const std::size_t start = pos_;
    while (pos_ < s_.size() && http::is_token_char(s_[pos_])) ++pos_;
    return s_.substr(start, pos_ - start);
  }
  bool value(Value& out) noexcept {
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == '"') return quoted(out);
    const std::string_view t = token();
    for (char c : t) out.push(c);
    return !t.empty();
  }

 private:
  bool quoted(Value& out) noexcept {
    ++pos_;  // opening quote
    std::size_t content = 0;
    while (pos_ < s_.size()) {
      char c = s_[pos_++];
      if (c == '"') return content != 0;
      if (c == '\\') {
        if (pos_ == s_.size()) return false;
        c = s_[pos_++];
      }
      if (!http::is_token_char(c)) return false;  // unescaped content must be a token
      out.push(c);
      ++content;
    }
    return false;  // unterminated
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

// One permessage-deflate offer as the client made it.
struct Offer {
  bool valid = true;
  bool server_no_context_takeover = false;
  bool client_no_context_takeover = false;
  std::uint8_t server_max_window_bits = 0;        // 0: absent
  bool client_max_window_bits = false;            // present, with or without a value
  std::uint8_t client_max_window_bits_value = 0;  // 0: no value
};

// "8".."15" without leading zeros (RFC 7692 §7.1.2); 0 otherwise.
std::uint8_t parse_window_bits(const Value& v) noexcept {
  if (v.too_long) return 0;
  const std::string_view s = v.view();
  if (s.size() == 1 && s[0] >= '8' && s[0] <= '9') return static_cast<std::uint8_t>(s[0] - '0');
  if (s.size() == 2 && s[0] == '1' && s[1] >= '0' && s[1] <= '5') {
    return static_cast<std::uint8_t>(10 + s[1] - '0');
  }
  return 0;
}

// Applies one parameter; a duplicate, unknown, missing or unexpected value spoils the offer.
void apply_param(Offer& offer, std::string_view name, const Value& value) noexcept {
  const auto flag = [&](bool& seen) {
    if (seen || value.present) offer.valid = false;
    seen = true;
  };
  if (iequals(name, "server_no_context_takeover")) {
    flag(offer.server_no_context_takeover);
  } else if (iequals(name, "client_no_context_takeover")) {
    flag(offer.client_no_context_takeover);
  } else if (iequals(name, "server_max_window_bits")) {
    const std::uint8_t bits = value.present ? parse_window_bits(value) : 0;
    if (offer.server_max_window_bits != 0 || bits == 0) offer.valid = false;
    offer.server_max_window_bits = bits == 0 ? kMaxBits : bits;
  } else if (iequals(name, "client_max_window_bits")) {
    const std::uint8_t bits = value.present ? parse_window_bits(value) : 0;
    if (offer.client_max_window_bits || (value.present && bits == 0)) offer.valid = false;
    offer.client_max_window_bits = true;
    offer.client_max_window_bits_value = bits;
  } else {
    offer.valid = false;
  }
}

// Parses "; name[=value]" parameters up to the end of one list element.
bool parse_params(Scanner& scanner, Offer& offer) noexcept {
  while (scanner.take(';')) {
    const std::string_view name = scanner.token();
    if (name.empty()) return false;
    Value value;
    if (scanner.take('=')) {
      if (!scanner.value(value)) return false;
      value.present = true;
    }
    apply_param(offer, name, value);
  }
  return true;
}

std::uint8_t server_window(const Offer& offer, const DeflateOptions& options) noexcept {
  const std::uint8_t ours =
      options.compress == DeflateMode::dedicated ? options.compress_window_bits : kMaxBits;
  const std::uint8_t limit = offer.server_max_window_bits ? offer.server_max_window_bits : kMaxBits;
  return std::min(ours, limit);
}

DeflateParams accept_offer(const Offer& offer, const DeflateOptions& options) noexcept {
  DeflateParams p;
  p.server_window_bits = server_window(offer, options);
  p.server_no_context_takeover =
      offer.server_no_context_takeover || options.compress != DeflateMode::dedicated;
  // zlib's raw DEFLATE cannot keep to an 8-bit window, and a shared compressor only exists
  // with the full window: in those cases send uncompressed, which RFC 7692 always allows.
  p.compress = options.compress != DeflateMode::disable && p.server_window_bits >= 9 &&
               (options.compress == DeflateMode::dedicated || p.server_window_bits == kMaxBits);
  p.client_no_context_takeover =
      offer.client_no_context_takeover || options.decompress == DeflateMode::shared;
  p.client_window_bits = kMaxBits;
  if (offer.client_max_window_bits) {
    // Without the parameter in the offer the client may not understand a limit, so only then
    // can the server ask for a smaller window (RFC 7692 §7.1.2.2).
    const std::uint8_t ours =
        options.decompress == DeflateMode::dedicated ? options.decompress_window_bits : kMaxBits;
    const std::uint8_t limit =
        offer.client_max_window_bits_value ? offer.client_max_window_bits_value : kMaxBits;
    p.client_window_bits = std::min(ours, limit);
  }
  return p;
}

std::string build_response(const Offer& offer, const DeflateParams& p) {
  std::string r(kExtensionName);
  if (p.client_no_context_takeover) r += "; client_no_context_takeover";
  if (p.server_no_context_takeover) r += "; server_no_context_takeover";
  if (offer.server_max_window_bits != 0 || p.server_window_bits < kMaxBits) {
    r += "; server_max_window_bits=" + std::to_string(p.server_window_bits);
  }
  if (offer.client_max_window_bits && p.client_window_bits < kMaxBits) {
    r += "; client_max_window_bits=" + std::to_string(p.client_window_bits);
  }
  return r;
}

bool valid_options(const DeflateOptions& o) noexcept {
  const bool compress_bits_ok = o.compress != DeflateMode::dedicated ||
                                (o.compress_window_bits >= 9 && o.compress_window_bits <= kMaxBits);
  const bool decompress_bits_ok =
      o.decompress != DeflateMode::dedicated ||
      (o.decompress_window_bits >= 8 && o.decompress_window_bits <= kMaxBits);
  return o.enabled && o.decompress != DeflateMode::disable && compress_bits_ok &&
         decompress_bits_ok;
}

}  // namespace

DeflateNegotiation negotiate_deflate(std::string_view offers, const DeflateOptions& options) {
  DeflateNegotiation result;
  if (!valid_options(options)) return result;
  Scanner scanner(offers);
  bool found = false;
  Offer chosen;
  // The whole header is parsed even after a match: a syntax error anywhere makes the offer
  // boundaries unreliable, so it declines everything.
  while (true) {
    while (scanner.take(',')) {
    }  // empty list elements are allowed
    scanner.skip_space();
    if (scanner.at_end()) break;
    const std::string_view name = scanner.token();
    if (name.empty()) return result;
    Offer offer;
    if (!parse_params(scanner, offer)) return result;
    if (!scanner.take(',') && (scanner.skip_space(), !scanner.at_end())) return result;
    if (!found && offer.valid && iequals(name, kExtensionName)) {
      chosen = offer;
      found = true;
    }
  }
  if (!found) return result;
  result.accepted = true;
  result.params = accept_offer(chosen, options);
  result.response = build_response(chosen, result.params);
  return result;
}

}  // namespace pulsarcpp::ws
