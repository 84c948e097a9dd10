#pragma once
// Negotiation of RFC 7692 permessage-deflate from the client's Sec-WebSocket-Extensions offers
// (RFC 6455 §9.1 syntax) and the server's configuration.

#include <cstdint>
#include <string>
#include <string_view>

namespace pulsarcpp::ws {

/// How one direction of permessage-deflate is served (the names are Bun's).
enum class DeflateMode : std::uint8_t {
  /// compress: never compress sent messages. decompress: decline permessage-deflate entirely,
  /// since an endpoint that accepts it must be able to read compressed messages.
  disable,
  /// One zlib stream per event loop, reset after every message. The answer requires no context
  /// takeover in that direction (server_no_context_takeover / client_no_context_takeover), so
  /// each connection costs no zlib memory.
  shared,
  /// One zlib stream per connection that keeps its window between messages (context takeover,
  /// better ratio), at 2^window_bits bytes of window per connection and direction.
  dedicated,
};

struct DeflateOptions {
  bool enabled = false;                          // Bun perMessageDeflate: off by default
  DeflateMode compress = DeflateMode::shared;    // server -> client messages
  std::uint8_t compress_window_bits = 15;        // dedicated: LZ77 window, 9..15
  DeflateMode decompress = DeflateMode::shared;  // client -> server messages
  std::uint8_t decompress_window_bits = 15;      // dedicated: 8..15, asked of the client when it
                                                 // offers client_max_window_bits
};

/// What was agreed for one connection: how to build its Deflater and Inflater.
struct DeflateParams {
  bool compress = false;                   // false: send every message uncompressed (RSV1 clear)
  bool server_no_context_takeover = true;  // Deflater resets after each message
  std::uint8_t server_window_bits = 15;    // Deflater window (9..15 when compress)
  bool client_no_context_takeover = true;  // the client resets; the Inflater may reset too
  std::uint8_t client_window_bits = 15;    // Inflater window: the largest the client may use

  /// A loop's shared Deflater (window 15, reset per message) may serve this connection only
  /// when the client allowed both; otherwise it needs its own with server_window_bits.
  bool fits_shared_deflater() const noexcept {
    return compress && server_no_context_takeover && server_window_bits == 15;
  }
  /// A loop's shared Inflater (window 15, reset per message) fits whenever the client resets.
  bool fits_shared_inflater() const noexcept { return client_no_context_takeover; }
};

struct DeflateNegotiation {
  bool accepted = false;
  DeflateParams params;
  std::string response;  // the Sec-WebSocket-Extensions value to answer when accepted
};

/// Picks the first permessage-deflate offer in `offers` (the client's header value, repeated
/// headers joined with ",") that is well formed and satisfiable under `options`, and builds the
/// answer. Offers with unknown, duplicate or out-of-range parameters are declined, as RFC 7692
/// §5 requires; a header that does not follow the extension-list syntax declines everything.
DeflateNegotiation negotiate_deflate(std::string_view offers, const DeflateOptions& options);

}  // namespace pulsarcpp::ws
