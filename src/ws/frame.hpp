#pragma once
// The RFC 6455 §5.2 frame header on the wire, both directions: parsing (any frame, masked or
// not; the rules that depend on role and negotiated extensions live in FrameReader) and writing.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ws/mask.hpp"

namespace pulsarcpp::ws {

enum class Opcode : std::uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

constexpr bool is_control(Opcode op) noexcept {
  return (static_cast<unsigned>(op) & 0x8) != 0;
}
constexpr bool is_known_opcode(Opcode op) noexcept {
  switch (op) {
    case Opcode::continuation:
    case Opcode::text:
    case Opcode::binary:
    case Opcode::close:
    case Opcode::ping:
    case Opcode::pong:
      return true;
  }
  return false;
}

/// Largest header: 2 bytes + 8-byte length + 4-byte mask key. Server frames carry no mask: 10.
inline constexpr std::size_t kMaxFrameHeaderSize = 14;
inline constexpr std::size_t kMaxServerFrameHeaderSize = 10;
/// Control frames carry at most this many payload bytes (RFC 6455 §5.5).
inline constexpr std::size_t kMaxControlPayload = 125;

struct FrameHeader {
  bool fin = false;
  bool rsv1 = false;
  bool rsv2 = false;
  bool rsv3 = false;
  Opcode opcode = Opcode::continuation;  // raw value; may be an unknown opcode
  bool masked = false;
  std::uint8_t header_size = 0;  // bytes before the payload
  std::uint64_t payload_length = 0;
  MaskKey mask{};  // meaningful when masked
};

enum class HeaderStatus : std::uint8_t { complete, incomplete, error };

struct HeaderParseResult {
  HeaderStatus status = HeaderStatus::incomplete;
  std::uint16_t close_code = 0;  // error: always 1002 (protocol error)
};

/// Parses the header at the start of `data`. Rejects (1002) lengths not in the minimal encoding
/// that RFC 6455 §5.2 requires and 64-bit lengths with the most significant bit set.
HeaderParseResult parse_frame_header(const char* data, std::size_t len, FrameHeader& out) noexcept;

/// Bytes of an unmasked header for a payload of this length: 2, 4 or 10.
constexpr std::size_t frame_header_size(std::uint64_t payload_length) noexcept {
  return payload_length < 126 ? 2 : payload_length <= 0xFFFF ? 4 : 10;
}

/// Writes an unmasked (server-to-client) header to `out`, which must hold
/// kMaxServerFrameHeaderSize bytes. Returns the bytes written.
std::size_t write_frame_header(char* out, Opcode opcode, bool fin, bool rsv1,
                               std::uint64_t payload_length) noexcept;

/// Appends a whole unmasked frame (header and payload) to `out`.
void append_frame(std::string& out, Opcode opcode, std::string_view payload, bool fin = true,
                  bool rsv1 = false);

/// Appends a whole masked (client-to-server) frame: for clients, tools and tests.
void append_masked_frame(std::string& out, Opcode opcode, std::string_view payload,
                         const MaskKey& key, bool fin = true, bool rsv1 = false);

}  // namespace pulsarcpp::ws
