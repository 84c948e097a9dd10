#include "ws/close.hpp"

#include <cstring>

#include "ws/frame.hpp"
#include "ws/utf8.hpp"

namespace pulsarcpp::ws {

bool is_valid_close_code(std::uint16_t code) noexcept {
  if (code >= 3000) return code <= 4999;
  if (code < 1000 || code > 1014) return false;
  return code != 1004 && code != close_code::no_status && code != close_code::abnormal;
}

ClosePayload parse_close_payload(std::string_view payload) noexcept {
  ClosePayload result;
  if (payload.empty()) return result;
  if (payload.size() == 1) {
    result.error = close_code::protocol_error;
    return result;
  }
  const auto* p = reinterpret_cast<const unsigned char*>(payload.data());
  result.code = static_cast<std::uint16_t>((p[0] << 8) | p[1]);
  result.reason = payload.substr(2);
  if (!is_valid_close_code(result.code)) {
    result.error = close_code::protocol_error;
  } else if (!is_valid_utf8(result.reason)) {
    result.error = close_code::invalid_payload;
  }
  return result;
}

std::size_t write_close_payload(char* out, std::uint16_t code, std::string_view reason) noexcept {
  if (code == 0 || code == close_code::no_status) return 0;
  out[0] = static_cast<char>(code >> 8);
  out[1] = static_cast<char>(code & 0xFF);
  const std::size_t reason_size = utf8_prefix_length(reason, kMaxCloseReason);
  if (reason_size != 0) std::memcpy(out + 2, reason.data(), reason_size);
  return 2 + reason_size;
}

void append_close_frame(std::string& out, std::uint16_t code, std::string_view reason) {
  char payload[kMaxControlPayload];
  const std::size_t size = write_close_payload(payload, code, reason);
  append_frame(out, Opcode::close, std::string_view(payload, size));
}

}  // namespace pulsarcpp::ws
