#include "http/path.hpp"

#include <algorithm>

#include "http/url.hpp"

namespace pulsarcpp::http {
namespace {

// Appends `segment` to `out` with its escapes normalized. False on a malformed escape.
bool append_segment(std::string_view segment, std::string& out) {
  static constexpr char kUpperHex[] = "0123456789ABCDEF";
  for (std::size_t i = 0; i < segment.size(); ++i) {
    if (segment[i] != '%') {
      out += segment[i];
      continue;
    }
    const int byte = escaped_byte(segment, i);
    if (byte < 0) return false;
    if (is_unreserved(static_cast<unsigned char>(byte))) {
      out += static_cast<char>(byte);
    } else {
      out += '%';
      out += kUpperHex[byte >> 4];
      out += kUpperHex[byte & 0x0F];
    }
    i += 2;
  }
  return true;
}

}  // namespace

PathForm detail::normalize_changed_path(std::string_view path, std::string& out) {
  out.clear();
  out.reserve(path.size());
  // `out` holds "/segment" per kept segment; a segment holds no '/' (an encoded one stays
  // "%2F"), so removing the last one is cutting at the last '/'.
  std::size_t pos = 0;
  while (pos < path.size()) {
    if (path[pos] == '/') {
      ++pos;
      continue;
    }
    const std::size_t end = std::min(path.find('/', pos), path.size());
    const std::size_t mark = out.size();
    out += '/';
    if (!append_segment(path.substr(pos, end - pos), out)) return PathForm::malformed;
    const std::string_view segment = std::string_view(out).substr(mark + 1);
    if (segment == ".") {
      out.resize(mark);
    } else if (segment == "..") {
      out.resize(mark);
      out.resize(out.empty() ? 0 : out.rfind('/'));
    }
    pos = end;
  }
  if (out.empty()) out.push_back('/');
  return out == path ? PathForm::normal : PathForm::normalized;
}

bool has_dot_segment(std::string_view path) {
  std::string segment;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    const std::size_t end = std::min(path.find('/', pos), path.size());
    segment.clear();
    if (append_segment(path.substr(pos, end - pos), segment) && (segment == "." || segment == "..")) {
      return true;
    }
    pos = end + 1;
  }
  return false;
}

}  // namespace pulsarcpp::http
