#pragma once
// RFC 7692 permessage-deflate data path: one Inflater for received messages and one Deflater for
// sent ones, raw DEFLATE (no zlib header) with the 00 00 ff ff sync-flush tail handled here.
//
// Either can be owned by one connection (context takeover: the LZ77 window carries over from one
// message to the next) or shared by every connection of an event loop, which is only correct
// when it is reset after every message (no context takeover); the negotiation in extension.hpp
// asks the peer for exactly that in the shared modes. A message is always processed by one call,
// so a shared instance never holds one connection's state while another uses it.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct z_stream_s;

namespace pulsarcpp::ws {

namespace detail {
struct InflateEnd {
  void operator()(z_stream_s* stream) const noexcept;
};
struct DeflateEnd {
  void operator()(z_stream_s* stream) const noexcept;
};
}  // namespace detail

enum class InflateStatus : std::uint8_t {
  ok,
  too_large,  // the message would exceed max_size: close with 1009
  corrupt,    // not a valid DEFLATE stream: close with 1007
};

class Inflater {
 public:
  /// `window_bits` 8..15: the largest window the peer may use (RFC 7692
  /// client_max_window_bits; 15 when not negotiated). `reset_per_message`: forget the window
  /// after each message, required for shared use and allowed with client_no_context_takeover.
  /// nullopt when the arguments are out of range or zlib cannot allocate.
  static std::optional<Inflater> create(int window_bits = 15, bool reset_per_message = true);

  /// Decompresses one whole message payload (the frames' payloads joined, as sent with RSV1)
  /// into `out`, replacing its contents. `out` never grows beyond `max_size` bytes: a message
  /// that would is abandoned with too_large as soon as the limit is crossed, so a compression
  /// bomb costs at most `max_size` bytes of memory. After an error the stream is reset.
  InflateStatus inflate_message(std::string_view compressed, std::size_t max_size,
                                std::string& out);

 private:
  struct Run;
  Inflater(std::unique_ptr<z_stream_s, detail::InflateEnd> stream, bool reset_per_message);
  InflateStatus inflate_piece(Run& run, const unsigned char* data, std::size_t size);

  std::unique_ptr<z_stream_s, detail::InflateEnd> stream_;  // zlib points back to it: never moved
  bool reset_per_message_ = true;
};

class Deflater {
 public:
  /// `window_bits` 9..15 (zlib's raw DEFLATE cannot produce an 8-bit window), `level` 0..9,
  /// `mem_level` 1..9 (memory for the compressor's hash: 2^(mem_level + 9) bytes).
  /// `reset_per_message` as for Inflater. nullopt when out of range or zlib cannot allocate.
  static std::optional<Deflater> create(int window_bits = 15, bool reset_per_message = true,
                                        int level = 6, int mem_level = 8);

  /// Compresses `message` and appends the payload to send with RSV1 to `out` (the trailing
  /// 00 00 ff ff removed, RFC 7692 §7.2.1). Returns false if zlib fails; the stream is then
  /// reset and `out` is left as it was.
  bool deflate_message(std::string_view message, std::string& out);

 private:
  Deflater(std::unique_ptr<z_stream_s, detail::DeflateEnd> stream, bool reset_per_message);

  std::unique_ptr<z_stream_s, detail::DeflateEnd> stream_;
  bool reset_per_message_ = true;
};

}  // namespace pulsarcpp::ws
