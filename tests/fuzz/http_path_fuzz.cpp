// libFuzzer target for request path normalization: whatever the bytes, the result is refused
// exactly when an escape is malformed, and otherwise in normal form (no empty or dot segment,
// escapes only of reserved bytes, in upper case) and a fixed point of normalization.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/path.hpp"
#include "http/url.hpp"

namespace {

using namespace pulsarcpp::http;

void check(bool condition) {
  if (!condition) __builtin_trap();
}

bool has_malformed_escape(std::string_view path) {
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '%' && escaped_byte(path, i) < 0) return true;
  }
  return false;
}

void check_normal_form(std::string_view path) {
  check(!path.empty() && path.front() == '/');
  check(path == "/" || path.back() != '/');
  check(path.find("//") == std::string_view::npos);
  check(!has_dot_segment(path));
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] != '%') continue;
    const int byte = escaped_byte(path, i);
    check(byte >= 0 && !is_unreserved(static_cast<unsigned char>(byte)));
    for (std::size_t digit = i + 1; digit <= i + 2; ++digit) {
      check(!(path[digit] >= 'a' && path[digit] <= 'f'));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = "/" + std::string(reinterpret_cast<const char*>(data), size);
  std::string out;
  const PathForm form = normalize_path(path, out);
  check((form == PathForm::malformed) == has_malformed_escape(path));
  if (form == PathForm::malformed) return 0;
  const std::string normal = form == PathForm::normal ? path : out;
  check(form != PathForm::normalized || normal != path);
  check_normal_form(normal);
  std::string again;
  check(normalize_path(normal, again) == PathForm::normal);
  return 0;
}
