// The DFA validator against a plain decoder, whole and split at a point the input chooses.

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ws/utf8.hpp"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

bool reference_valid(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto lead = static_cast<unsigned char>(s[i]);
    int extra = lead < 0x80             ? 0
                : (lead & 0xE0) == 0xC0 ? 1
                : (lead & 0xF0) == 0xE0 ? 2
                : (lead & 0xF8) == 0xF0 ? 3
                                        : -1;
    if (extra < 0 || i + extra >= s.size() + (extra == 0)) return false;
    std::uint32_t cp = extra == 0 ? lead : lead & (0x3F >> extra);
    for (int k = 1; k <= extra; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3F);
    }
    static constexpr std::uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view s(reinterpret_cast<const char*>(data + 1), size - 1);
  const bool expected = reference_valid(s);
  check(pulsarcpp::ws::is_valid_utf8(s) == expected);
  const std::size_t cut = s.empty() ? 0 : data[0] % (s.size() + 1);
  pulsarcpp::ws::Utf8Validator v;
  const bool first = v.feed(s.substr(0, cut));
  const bool second = v.feed(s.substr(cut));
  check((first && second && v.complete()) == expected);
  check(pulsarcpp::ws::is_valid_utf8(s.substr(0, pulsarcpp::ws::utf8_prefix_length(s, cut))) ||
        !expected);
  return 0;
}
