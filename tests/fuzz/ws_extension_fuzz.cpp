// Permessage-deflate negotiation on arbitrary Sec-WebSocket-Extensions values, under several
// server configurations. An accepted answer must be well formed: read back as an offer it is
// itself acceptable, and the agreed parameters are in range.

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ws/extension.hpp"

namespace {

using pulsarcpp::ws::DeflateMode;
using pulsarcpp::ws::DeflateOptions;

void check(bool condition) {
  if (!condition) std::abort();
}

void check_answer(std::string_view offers, const DeflateOptions& options) {
  const auto n = pulsarcpp::ws::negotiate_deflate(offers, options);
  if (!n.accepted) {
    check(n.response.empty());
    return;
  }
  const auto& p = n.params;
  check(n.response.rfind("permessage-deflate", 0) == 0);
  check(p.server_window_bits >= 8 && p.server_window_bits <= 15);
  check(p.client_window_bits >= 8 && p.client_window_bits <= 15);
  check(!p.compress || p.server_window_bits >= 9);
  check(!p.compress || options.compress != DeflateMode::disable);
  if (options.compress != DeflateMode::dedicated) check(p.server_no_context_takeover);
  if (options.decompress == DeflateMode::shared) check(p.client_no_context_takeover);
  const DeflateOptions permissive{
      .enabled = true, .compress = DeflateMode::dedicated, .decompress = DeflateMode::dedicated};
  check(pulsarcpp::ws::negotiate_deflate(n.response, permissive).accepted);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view offers(reinterpret_cast<const char*>(data), size);
  check_answer(offers, DeflateOptions{.enabled = true});
  check_answer(offers, DeflateOptions{.enabled = true,
                                      .compress = DeflateMode::dedicated,
                                      .compress_window_bits = 10,
                                      .decompress = DeflateMode::dedicated,
                                      .decompress_window_bits = 9});
  check_answer(offers, DeflateOptions{.enabled = true,
                                      .compress = DeflateMode::disable,
                                      .decompress = DeflateMode::dedicated});
  check(!pulsarcpp::ws::negotiate_deflate(offers, DeflateOptions{}).accepted);
  return 0;
}
