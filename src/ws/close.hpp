#pragma once
// Close codes (RFC 6455 §7.4, IANA "WebSocket Close Code Number Registry") and the close frame
// payload: a 2-byte big-endian code followed by a UTF-8 reason.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace pulsarcpp::ws {

namespace close_code {
inline constexpr std::uint16_t normal = 1000;
inline constexpr std::uint16_t going_away = 1001;
inline constexpr std::uint16_t protocol_error = 1002;
inline constexpr std::uint16_t unsupported_data = 1003;
inline constexpr std::uint16_t no_status = 1005;  // never on the wire: the close had no code
inline constexpr std::uint16_t abnormal = 1006;   // never on the wire: connection lost
inline constexpr std::uint16_t invalid_payload = 1007;
inline constexpr std::uint16_t policy_violation = 1008;
inline constexpr std::uint16_t message_too_big = 1009;
inline constexpr std::uint16_t mandatory_extension = 1010;
inline constexpr std::uint16_t internal_error = 1011;
inline constexpr std::uint16_t service_restart = 1012;
inline constexpr std::uint16_t try_again_later = 1013;
inline constexpr std::uint16_t bad_gateway = 1014;
}  // namespace close_code

/// Whether `code` may appear in a close frame. Valid: 1000-1003, 1007-1014, 3000-4999.
/// 1012-1014 are registered with IANA after RFC 6455 (service restart, try again later, bad
/// gateway) and are sent by real servers and proxies, so they are accepted. Invalid: below 1000,
/// 1004 (reserved), 1005, 1006 and 1015 (reserved for reporting, never sent), the rest of
/// 1016-2999 (reserved for future protocol use) and 5000 and above (undefined).
bool is_valid_close_code(std::uint16_t code) noexcept;

/// Largest reason that fits beside the code in a 125-byte control payload.
inline constexpr std::size_t kMaxCloseReason = 123;

struct ClosePayload {
  std::uint16_t code = close_code::no_status;  // 1005 when the payload was empty
  std::string_view reason;                     // view into the parsed payload
  std::uint16_t error = 0;  // nonzero: the close code to fail the connection with
};

/// Parses a received close payload: empty -> 1005; 1 byte or an invalid code -> error 1002;
/// a reason that is not UTF-8 -> error 1007.
ClosePayload parse_close_payload(std::string_view payload) noexcept;

/// Writes the payload of a close frame to `out` (room for 125 bytes) and returns its size. Codes
/// 0 and 1005 mean "no status": an empty payload. The reason is cut to 123 bytes, never inside a
/// UTF-8 sequence. The code is written as given; check it with is_valid_close_code first.
std::size_t write_close_payload(char* out, std::uint16_t code, std::string_view reason) noexcept;

/// Appends a whole unmasked close frame to `out`.
void append_close_frame(std::string& out, std::uint16_t code, std::string_view reason);

}  // namespace pulsarcpp::ws
