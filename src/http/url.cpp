#include "http/url.hpp"

namespace pulsarcpp::http {
namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes into `out`; a malformed escape is copied literally. Returns whether all were valid.
bool decode_into(std::string_view in, std::string& out, bool plus_as_space) {
  out.clear();
  out.reserve(in.size());
  bool well_formed = true;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '+' && plus_as_space) {
      out += ' ';
    } else if (c != '%') {
      out += c;
    } else if (const int byte = escaped_byte(in, i); byte >= 0) {
      out += static_cast<char>(byte);
      i += 2;
    } else {
      out += c;
      well_formed = false;
    }
  }
  return well_formed;
}

// Calls on_pair(raw_name, raw_value) for each non-empty '&'-separated piece.
template <typename OnPair>
void for_each_raw_pair(std::string_view query, OnPair on_pair) {
  if (!query.empty() && query.front() == '?') query.remove_prefix(1);
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view piece = query.substr(0, amp);
    query.remove_prefix(amp == std::string_view::npos ? query.size() : amp + 1);
    if (piece.empty()) continue;
    const std::size_t eq = piece.find('=');
    const std::string_view raw_value =
        eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1);
    if (on_pair(piece.substr(0, eq), raw_value)) return;
  }
}

}  // namespace

int escaped_byte(std::string_view in, std::size_t pos) noexcept {
  if (in.size() - pos < 3) return -1;
  const int high = hex_value(in[pos + 1]);
  const int low = hex_value(in[pos + 2]);
  return high < 0 || low < 0 ? -1 : high * 16 + low;
}

bool percent_decode(std::string_view in, std::string& out, bool plus_as_space) {
  if (decode_into(in, out, plus_as_space)) return true;
  out.assign(in);
  return false;
}

std::string percent_decode_lenient(std::string_view in, bool plus_as_space) {
  std::string out;
  decode_into(in, out, plus_as_space);
  return out;
}

bool needs_decoding(std::string_view s, bool plus_as_space) noexcept {
  return s.find_first_of(plus_as_space ? std::string_view("%+") : std::string_view("%")) !=
         std::string_view::npos;
}

std::optional<std::string> query_param(std::string_view query, std::string_view name) {
  std::optional<std::string> found;
  std::string decoded_name;
  for_each_raw_pair(query, [&](std::string_view raw_name, std::string_view raw_value) {
    // Most names need no decoding; compare them in place.
    if (needs_decoding(raw_name, true)) {
      decode_into(raw_name, decoded_name, true);
      if (decoded_name != name) return false;
    } else if (raw_name != name) {
      return false;
    }
    found = percent_decode_lenient(raw_value, true);
    return true;
  });
  return found;
}

std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for_each_raw_pair(query, [&](std::string_view raw_name, std::string_view raw_value) {
    pairs.emplace_back(percent_decode_lenient(raw_name, true),
                       percent_decode_lenient(raw_value, true));
    return false;
  });
  return pairs;
}

std::string percent_encode_component(std::string_view in) {
  static constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(in.size());
  for (const char c : in) {
    const auto byte = static_cast<unsigned char>(c);
    if (is_unreserved(byte)) {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0x0F];
    }
  }
  return out;
}

}  // namespace pulsarcpp::http
