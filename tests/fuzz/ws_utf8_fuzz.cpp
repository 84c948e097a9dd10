// The DFA validator against a plain decoder, whole and split at a point the input chooses.

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "support/utf8_reference.hpp"
#include "ws/utf8.hpp"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view s(reinterpret_cast<const char*>(data + 1), size - 1);
  const bool expected = pulsarcpp::test::reference_valid_utf8(s);
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
