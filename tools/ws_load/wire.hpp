#pragma once
// The client's side of RFC 6455 as ws_load speaks it: the opening handshake (random key, the
// 101 and Sec-WebSocket-Accept checked), masked frames out, strictly parsed frames in, and the
// stamp every counted message carries (sender, sequence number, send time) so a receiver can
// check it byte for byte without keeping copies of what was sent.

#include <sys/random.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "ws/close.hpp"
#include "ws/frame.hpp"
#include "ws/handshake.hpp"
#include "ws/utf8.hpp"

namespace ws_load {

using pulsarcpp::ws::Opcode;

/// xoshiro256**, seeded from getrandom(): handshake keys and per-frame mask keys.
class Rng {
 public:
  Rng() {
    if (::getrandom(state_.data(), sizeof state_, 0) != static_cast<ssize_t>(sizeof state_)) {
      // Not cryptographic either way; a load generator only needs keys that vary.
      std::uint64_t seed = reinterpret_cast<std::uintptr_t>(this) ^ 0x9E3779B97F4A7C15ull;
      for (auto& s : state_) s = seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    }
  }
  std::uint64_t next() noexcept {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }
  pulsarcpp::ws::MaskKey mask_key() noexcept {
    const auto v = static_cast<std::uint32_t>(next() >> 32);
    pulsarcpp::ws::MaskKey key;
    std::memcpy(key.data(), &v, 4);
    return key;
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  std::array<std::uint64_t, 4> state_{};
};

// --- Opening handshake ------------------------------------------------------------------------

struct Handshake {
  std::string request;
  std::string expected_accept;
};

inline std::string base64_16(const unsigned char* bytes) {
  static constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (int i = 0; i < 15; i += 3) {
    const std::uint32_t n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += kB64[(n >> 18) & 63];
    out += kB64[(n >> 12) & 63];
    out += kB64[(n >> 6) & 63];
    out += kB64[n & 63];
  }
  const std::uint32_t n = bytes[15] << 16;
  out += kB64[(n >> 18) & 63];
  out += kB64[(n >> 12) & 63];
  out += "==";
  return out;
}

inline Handshake make_handshake(const std::string& host_header, std::string_view target, Rng& rng) {
  unsigned char raw[16];
  const std::uint64_t a = rng.next(), b = rng.next();
  std::memcpy(raw, &a, 8);
  std::memcpy(raw + 8, &b, 8);
  const std::string key = base64_16(raw);
  Handshake h;
  h.request.reserve(200 + target.size());
  h.request.append("GET ").append(target).append(" HTTP/1.1\r\nHost: ").append(host_header);
  h.request.append(
      "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
      "Sec-WebSocket-Key: ");
  h.request.append(key).append("\r\n\r\n");
  h.expected_accept = pulsarcpp::ws::compute_accept_key(key);
  return h;
}

enum class HandshakeStatus { incomplete, ok, bad };

namespace detail {
inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
  }
  return true;
}
inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}
// True when the comma-separated `list` holds `token` (case-insensitive).
inline bool has_token(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    if (iequals(trim(list.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}
}  // namespace detail

/// Checks the server's answer (RFC 6455 §4.1): status 101, Upgrade: websocket, Connection:
/// upgrade, the right Sec-WebSocket-Accept, and no extension or subprotocol we did not offer.
/// On ok, `head_size` is the length of the answer; the bytes after it are frames.
inline HandshakeStatus check_handshake(std::string_view data, std::string_view expected_accept,
                                       std::size_t& head_size, std::string& why) {
  constexpr std::size_t kMaxHead = 16 * 1024;
  const std::size_t end = data.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (data.size() > kMaxHead) {
      why = "handshake answer longer than 16 KiB";
      return HandshakeStatus::bad;
    }
    return HandshakeStatus::incomplete;
  }
  head_size = end + 4;
  std::string_view head = data.substr(0, end);
  const std::size_t line_end = head.find("\r\n");
  const std::string_view status_line = head.substr(0, line_end);
  if (status_line.substr(0, 13) != "HTTP/1.1 101 " && status_line != "HTTP/1.1 101") {
    why = "expected 101, got '" + std::string(status_line.substr(0, 60)) + "'";
    return HandshakeStatus::bad;
  }
  bool upgrade = false, connection = false, accept = false;
  head = line_end == std::string_view::npos ? std::string_view{} : head.substr(line_end + 2);
  while (!head.empty()) {
    const std::size_t eol = head.find("\r\n");
    const std::string_view line = head.substr(0, eol);
    head = eol == std::string_view::npos ? std::string_view{} : head.substr(eol + 2);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      why = "malformed header line in the 101";
      return HandshakeStatus::bad;
    }
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = detail::trim(line.substr(colon + 1));
    if (detail::iequals(name, "upgrade")) {
      upgrade = detail::iequals(value, "websocket");
    } else if (detail::iequals(name, "connection")) {
      connection = detail::has_token(value, "upgrade");
    } else if (detail::iequals(name, "sec-websocket-accept")) {
      if (value != expected_accept) {
        why = "wrong Sec-WebSocket-Accept '" + std::string(value.substr(0, 40)) + "'";
        return HandshakeStatus::bad;
      }
      accept = true;
    } else if (detail::iequals(name, "sec-websocket-extensions") ||
               detail::iequals(name, "sec-websocket-protocol")) {
      why = "the 101 names an extension or subprotocol that was not offered";
      return HandshakeStatus::bad;
    }
  }
  if (!upgrade || !connection || !accept) {
    why = !upgrade      ? "101 without Upgrade: websocket"
          : !connection ? "101 without Connection: upgrade"
                        : "101 without Sec-WebSocket-Accept";
    return HandshakeStatus::bad;
  }
  return HandshakeStatus::ok;
}

// --- Frames from the server -------------------------------------------------------------------

struct InEvent {
  // fragment: part of a fragmented message was taken in; nothing to deliver yet.
  enum class Kind { need_more, fragment, message, ping, pong, close, error } kind = Kind::need_more;
  std::size_t consumed = 0;
  Opcode opcode = Opcode::text;  // message: text or binary
  std::string_view payload;      // valid until the next call
  std::uint16_t close_code = 0;
  const char* error = nullptr;
};

/// Strict reader of server-to-client frames: unmasked, no RSV bits (no extension is ever
/// negotiated), known opcodes, control frames whole and short, fragments in order, text valid
/// UTF-8, close payloads well formed. A whole frame must be in the buffer to be read.
class FrameReader {
 public:
  explicit FrameReader(std::uint64_t max_payload) : max_payload_(max_payload) {}

  InEvent next(const char* data, std::size_t len) {
    using pulsarcpp::ws::FrameHeader;
    using pulsarcpp::ws::HeaderStatus;
    InEvent ev;
    FrameHeader h;
    const auto parsed = pulsarcpp::ws::parse_frame_header(data, len, h);
    if (parsed.status == HeaderStatus::incomplete) return ev;
    if (parsed.status == HeaderStatus::error) return error("frame length not minimally encoded");
    if (h.masked) return error("server frame is masked");
    if (h.rsv1 || h.rsv2 || h.rsv3) return error("RSV bit set without a negotiated extension");
    if (!pulsarcpp::ws::is_known_opcode(h.opcode)) return error("unknown opcode");
    const bool control = pulsarcpp::ws::is_control(h.opcode);
    if (control && (!h.fin || h.payload_length > pulsarcpp::ws::kMaxControlPayload)) {
      return error("fragmented or oversized control frame");
    }
    if (h.payload_length > max_payload_ || fragments_.size() + h.payload_length > max_payload_) {
      return error("message larger than the limit");
    }
    if (len - h.header_size < h.payload_length) return ev;  // need_more
    ev.consumed = h.header_size + static_cast<std::size_t>(h.payload_length);
    std::string_view payload(data + h.header_size, static_cast<std::size_t>(h.payload_length));
    switch (h.opcode) {
      case Opcode::ping:
        ev.kind = InEvent::Kind::ping;
        ev.payload = payload;
        return ev;
      case Opcode::pong:
        ev.kind = InEvent::Kind::pong;
        ev.payload = payload;
        return ev;
      case Opcode::close: {
        const auto close = pulsarcpp::ws::parse_close_payload(payload);
        if (close.error != 0) return error("malformed close frame");
        ev.kind = InEvent::Kind::close;
        ev.close_code = close.code;
        ev.payload = close.reason;
        return ev;
      }
      case Opcode::continuation:
        if (!in_message_) return error("continuation frame outside a message");
        fragments_.append(payload);
        if (!h.fin) return skip(ev);
        in_message_ = false;
        return complete(ev, opcode_, fragments_);
      default:  // text, binary
        if (in_message_) return error("new message inside a fragmented one");
        if (!h.fin) {
          in_message_ = true;
          opcode_ = h.opcode;
          fragments_.assign(payload);
          return skip(ev);
        }
        return complete(ev, h.opcode, payload);
    }
  }

 private:
  InEvent error(const char* what) {
    InEvent ev;
    ev.kind = InEvent::Kind::error;
    ev.error = what;
    return ev;
  }
  InEvent skip(InEvent ev) {
    ev.kind = InEvent::Kind::fragment;
    return ev;
  }
  InEvent complete(InEvent ev, Opcode opcode, std::string_view payload) {
    if (opcode == Opcode::text && !pulsarcpp::ws::is_valid_utf8(payload)) {
      return error("text message is not valid UTF-8");
    }
    ev.kind = InEvent::Kind::message;
    ev.opcode = opcode;
    ev.payload = payload;
    return ev;
  }

  std::uint64_t max_payload_;
  bool in_message_ = false;
  Opcode opcode_ = Opcode::text;
  std::string fragments_;
};

// --- Frames to the server ---------------------------------------------------------------------

/// Appends a masked frame with a fresh random key (RFC 6455 §5.3).
inline void append_masked(std::string& out, Opcode opcode, std::string_view payload, Rng& rng) {
  pulsarcpp::ws::append_masked_frame(out, opcode, payload, rng.mask_key());
}

inline void append_masked_close(std::string& out, std::uint16_t code, Rng& rng) {
  char payload[2] = {static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
  append_masked(out, Opcode::close, std::string_view(payload, 2), rng);
}

// --- The stamp of a counted message -----------------------------------------------------------

/// 16 characters of a URL-safe alphabet (valid text, 6 bits each): sender (3 chars, 18 bits),
/// sequence number (6 chars, 36 bits), send time in µs since the run began (7 chars, 42 bits);
/// then filler derived from sender and sequence, so every byte of the payload is predictable.
struct Stamp {
  std::uint32_t sender = 0;
  std::uint64_t seq = 0;
  std::int64_t sent_us = 0;
};

inline constexpr unsigned kStampSize = 16;
inline constexpr std::uint32_t kMaxSender = (1u << 18) - 1;
inline constexpr std::uint64_t kMaxSeq = (std::uint64_t{1} << 36) - 1;

namespace detail {
inline constexpr char kAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

struct DecodeTable {
  std::array<std::int8_t, 256> v{};
  constexpr DecodeTable() {
    for (auto& x : v) x = -1;
    for (int i = 0; i < 64; ++i)
      v[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::int8_t>(i);
  }
};
inline constexpr DecodeTable kDecode{};

inline void put(char* out, std::uint64_t value, int chars) {
  for (int i = chars - 1; i >= 0; --i) {
    out[i] = kAlphabet[value & 63];
    value >>= 6;
  }
}
inline bool get(const char* in, int chars, std::uint64_t& value) {
  value = 0;
  for (int i = 0; i < chars; ++i) {
    const int d = kDecode.v[static_cast<unsigned char>(in[i])];
    if (d < 0) return false;
    value = (value << 6) | static_cast<unsigned>(d);
  }
  return true;
}
}  // namespace detail

/// Writes the `size`-byte payload for `stamp` to `out`.
inline void encode_payload(char* out, std::size_t size, const Stamp& s) {
  detail::put(out, s.sender, 3);
  detail::put(out + 3, s.seq, 6);
  detail::put(out + 9, static_cast<std::uint64_t>(s.sent_us), 7);
  std::uint64_t h = (std::uint64_t{s.sender} << 36 | s.seq) * 0x9E3779B97F4A7C15ull;
  for (std::size_t i = kStampSize; i < size; ++i) {
    h = h * 6364136223846793005ull + 1442695040888963407ull;
    out[i] = detail::kAlphabet[h >> 58];
  }
}

/// Reads the stamp at the start of `payload`; false if it is not one.
inline bool decode_stamp(std::string_view payload, Stamp& s) {
  if (payload.size() < kStampSize) return false;
  std::uint64_t sender, seq, ts;
  if (!detail::get(payload.data(), 3, sender) || !detail::get(payload.data() + 3, 6, seq) ||
      !detail::get(payload.data() + 9, 7, ts)) {
    return false;
  }
  s.sender = static_cast<std::uint32_t>(sender);
  s.seq = seq;
  s.sent_us = static_cast<std::int64_t>(ts);
  return true;
}

}  // namespace ws_load
