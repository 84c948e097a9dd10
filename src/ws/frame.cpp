#include "ws/frame.hpp"

#include <cstring>

namespace pulsarcpp::ws {
namespace {

constexpr std::uint16_t kProtocolError = 1002;
constexpr std::uint8_t kLength16 = 126;
constexpr std::uint8_t kLength64 = 127;

std::uint64_t read_big_endian(const unsigned char* p, std::size_t bytes) noexcept {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < bytes; ++i) value = (value << 8) | p[i];
  return value;
}

void write_big_endian(char* out, std::uint64_t value, std::size_t bytes) noexcept {
  for (std::size_t i = bytes; i-- > 0;) {
    out[i] = static_cast<char>(value & 0xFF);
    value >>= 8;
  }
}

std::uint8_t first_byte(Opcode opcode, bool fin, bool rsv1) noexcept {
  return static_cast<std::uint8_t>((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) |
                                   (static_cast<unsigned>(opcode) & 0x0F));
}

// Writes the header with the MASK bit as given; the key itself is written by the caller.
std::size_t write_header(char* out, std::uint8_t byte0, bool masked, std::uint64_t length) {
  const std::uint8_t mask_bit = masked ? 0x80 : 0;
  out[0] = static_cast<char>(byte0);
  if (length < kLength16) {
    out[1] = static_cast<char>(mask_bit | length);
    return 2;
  }
  if (length <= 0xFFFF) {
    out[1] = static_cast<char>(mask_bit | kLength16);
    write_big_endian(out + 2, length, 2);
    return 4;
  }
  out[1] = static_cast<char>(mask_bit | kLength64);
  write_big_endian(out + 2, length, 8);
  return 10;
}

}  // namespace

HeaderParseResult parse_frame_header(const char* data, std::size_t len, FrameHeader& out) noexcept {
  if (len < 2) return {HeaderStatus::incomplete, 0};
  const auto* p = reinterpret_cast<const unsigned char*>(data);
  const bool masked = (p[1] & 0x80) != 0;
  const std::uint8_t length7 = p[1] & 0x7F;
  const std::size_t length_bytes = length7 == kLength16 ? 2 : length7 == kLength64 ? 8 : 0;
  const std::size_t header_size = 2 + length_bytes + (masked ? 4 : 0);
  if (len < header_size) return {HeaderStatus::incomplete, 0};

  std::uint64_t length = length7;
  if (length_bytes != 0) {
    length = read_big_endian(p + 2, length_bytes);
    // Minimal encoding (RFC 6455 §5.2): 16 bits only for 126..65535, 64 bits only above that,
    // and the 64-bit form's most significant bit must be 0.
    const bool minimal = length_bytes == 2 ? length >= kLength16 : length > 0xFFFF;
    if (!minimal || (length >> 63) != 0) return {HeaderStatus::error, kProtocolError};
  }

  out.fin = (p[0] & 0x80) != 0;
  out.rsv1 = (p[0] & 0x40) != 0;
  out.rsv2 = (p[0] & 0x20) != 0;
  out.rsv3 = (p[0] & 0x10) != 0;
  out.opcode = static_cast<Opcode>(p[0] & 0x0F);
  out.masked = masked;
  out.header_size = static_cast<std::uint8_t>(header_size);
  out.payload_length = length;
  if (masked) std::memcpy(out.mask.data(), p + 2 + length_bytes, 4);
  return {HeaderStatus::complete, 0};
}

std::size_t write_frame_header(char* out, Opcode opcode, bool fin, bool rsv1,
                               std::uint64_t payload_length) noexcept {
  return write_header(out, first_byte(opcode, fin, rsv1), false, payload_length);
}

void append_frame(std::string& out, Opcode opcode, std::string_view payload, bool fin, bool rsv1) {
  char header[kMaxServerFrameHeaderSize];
  const std::size_t header_size = write_frame_header(header, opcode, fin, rsv1, payload.size());
  out.reserve(out.size() + header_size + payload.size());
  out.append(header, header_size);
  out.append(payload);
}

void append_masked_frame(std::string& out, Opcode opcode, std::string_view payload,
                         const MaskKey& key, bool fin, bool rsv1) {
  char header[kMaxFrameHeaderSize];
  std::size_t header_size =
      write_header(header, first_byte(opcode, fin, rsv1), true, payload.size());
  std::memcpy(header + header_size, key.data(), 4);
  header_size += 4;
  const std::size_t start = out.size() + header_size;
  out.reserve(start + payload.size());
  out.append(header, header_size);
  out.append(payload);
  apply_mask(out.data() + start, payload.size(), key, 0);
}

}  // namespace pulsarcpp::ws
