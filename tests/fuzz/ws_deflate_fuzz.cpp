// Inflater on arbitrary bytes must stay within its limit, and Deflater output must inflate back
// to the input, with and without context takeover.

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "ws/deflate.hpp"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using pulsarcpp::ws::Deflater;
  using pulsarcpp::ws::Inflater;
  using pulsarcpp::ws::InflateStatus;
  if (size == 0) return 0;
  const std::uint8_t config = data[0];
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  const int bits = 9 + config % 7;
  const bool takeover = config & 0x80;
  const std::size_t limit = (config & 0x40) ? 64 : 1 << 20;

  // Arbitrary bytes as a compressed message, twice (the stream must survive errors).
  static std::optional<Inflater> junk_inflater = Inflater::create(15, false);
  std::string out;
  for (int i = 0; i < 2; ++i) {
    junk_inflater->inflate_message(input, limit, out);
    check(out.size() <= limit);
  }

  // Round trip, message split in two to exercise the window across messages.
  auto deflater = Deflater::create(bits, !takeover, config % 10);
  auto inflater = Inflater::create(bits, !takeover);
  check(deflater && inflater);
  const std::size_t cut = input.size() / 2;
  for (std::string_view message : {input.substr(0, cut), input.substr(cut), input}) {
    std::string compressed;
    check(deflater->deflate_message(message, compressed));
    std::string restored;
    check(inflater->inflate_message(compressed, message.size() + 1, restored) == InflateStatus::ok);
    check(restored == message);
  }
  return 0;
}
