#pragma once
// A raw WebSocket client for server tests, on top of RawClient: performs the opening handshake
// with exact bytes, sends masked frames (any opcode, fragmented or not, compressed or not) and
// reads the server's frames with deadlines, so a test fails instead of hanging.

#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "support/http_response.hpp"
#include "support/raw_client.hpp"
#include "ws/close.hpp"
#include "ws/frame.hpp"
#include "ws/handshake.hpp"

namespace pulsarcpp::test {

/// The key of RFC 6455 §1.3's example; its accept value is "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=".
inline constexpr std::string_view kSampleKey = "dGhlIHNhbXBsZSBub25jZQ==";

/// An upgrade request for `path` with the usual headers and any `extra_headers` lines.
inline std::string upgrade_request(std::string_view path = "/ws",
                                   std::string_view extra_headers = {},
                                   std::string_view key = kSampleKey) {
  return "GET " + std::string(path) +
         " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " +
         std::string(key) + "\r\n" + std::string(extra_headers) + "\r\n";
}

/// A masked client frame.
inline std::string masked_frame(ws::Opcode opcode, std::string_view payload, bool fin = true,
                                bool rsv1 = false) {
  std::string out;
  ws::append_masked_frame(out, opcode, payload, ws::MaskKey{0x12, 0x34, 0x56, 0x78}, fin, rsv1);
  return out;
}

/// A close payload: the code (big-endian) then the reason.
inline std::string close_payload(std::uint16_t code, std::string_view reason = {}) {
  std::string payload;
  payload.push_back(static_cast<char>(code >> 8));
  payload.push_back(static_cast<char>(code & 0xFF));
  payload.append(reason);
  return payload;
}

/// A permessage-deflate decoder as strict as the agreement: zlib is given a few bytes of output
/// at a time, so a back-reference beyond the agreed window fails ("invalid distance too far
/// back") instead of being served from the output buffer, and the context is kept between
/// messages unless the server promised server_no_context_takeover.
class StrictInflater {
 public:
  StrictInflater(int window_bits, bool reset_per_message)
      : stream_(new z_stream{}), reset_(reset_per_message) {
    ok_ = inflateInit2(stream_.get(), -std::max(window_bits, 9)) == Z_OK;
  }
  ~StrictInflater() {
    if (ok_) inflateEnd(stream_.get());
  }
  StrictInflater(const StrictInflater&) = delete;
  StrictInflater& operator=(const StrictInflater&) = delete;

  /// The message, or nullopt when the payload is not valid within the agreement.
  std::optional<std::string> inflate_message(std::string_view payload) {
    if (!ok_) return std::nullopt;
    std::string input(payload);
    input.append("\x00\x00\xff\xff", 4);  // the tail RFC 7692 §7.2.2 removes
    std::string out;
    stream_->next_in = reinterpret_cast<Bytef*>(input.data());
    stream_->avail_in = static_cast<uInt>(input.size());
    unsigned char chunk[64];
    while (stream_->avail_in > 0) {
      stream_->next_out = chunk;
      stream_->avail_out = sizeof chunk;
      const int status = inflate(stream_.get(), Z_SYNC_FLUSH);
      const std::size_t produced = sizeof chunk - stream_->avail_out;
      out.append(reinterpret_cast<char*>(chunk), produced);
      if (status == Z_STREAM_END) break;
      if (status != Z_OK && !(status == Z_BUF_ERROR && produced > 0)) return std::nullopt;
    }
    if (reset_) inflateReset(stream_.get());
    return out;
  }

 private:
  std::unique_ptr<z_stream> stream_;
  bool reset_ = true;
  bool ok_ = false;
};

/// A frame the server sent, decompressed when it carried RSV1 and the client negotiated deflate.
struct WsFrame {
  ws::Opcode opcode = ws::Opcode::continuation;
  bool fin = false;
  bool rsv1 = false;          // arrived compressed
  bool masked = false;        // servers must never mask
  std::string payload;        // decompressed
  std::size_t wire_size = 0;  // header + payload bytes as sent

  bool is_text() const { return opcode == ws::Opcode::text; }
  bool is_binary() const { return opcode == ws::Opcode::binary; }
  bool is_close() const { return opcode == ws::Opcode::close; }
  /// The code of a close frame; 1005 for an empty payload.
  int close_code() const {
    if (payload.size() < 2) return ws::close_code::no_status;
    return (static_cast<unsigned char>(payload[0]) << 8) | static_cast<unsigned char>(payload[1]);
  }
  std::string close_reason() const { return payload.size() > 2 ? payload.substr(2) : ""; }
};

struct WsClientOptions {
  std::string path = "/ws";
  /// Header lines added to the upgrade request, each ending in "\r\n".
  std::string extra_headers = {};
  /// Bytes sent in the same write as the upgrade request (frames the server must not lose).
  std::string early_data = {};
  ClientOptions socket = {};
};

class WsClient {
 public:
  using Clock = std::chrono::steady_clock;

  /// Connects and performs the handshake; check open() (a 101 with the right accept value).
  explicit WsClient(std::uint16_t port, WsClientOptions options = {}) : raw_(port, options.socket) {
    if (!raw_.connected()) return;
    if (!raw_.send(upgrade_request(options.path, options.extra_headers) + options.early_data)) {
      return;
    }
    auto response = raw_.read_response(std::chrono::seconds(5));
    if (!response) return;
    handshake_ = std::move(*response);
    open_ = handshake_.status == 101 &&
            handshake_.header("Sec-WebSocket-Accept") == ws::compute_accept_key(kSampleKey);
    if (auto extensions = handshake_.header("Sec-WebSocket-Extensions")) {
      if (extensions->starts_with("permessage-deflate")) {
        // Inflate exactly as agreed: a smaller window, and a context kept across messages
        // unless the server promised to reset it, so a server that broke either is caught.
        int bits = 15;
        const std::string_view param = "server_max_window_bits=";
        if (auto at = extensions->find(param); at != std::string::npos) {
          bits = std::stoi(extensions->substr(at + param.size()));
        }
        const bool reset = extensions->find("server_no_context_takeover") != std::string::npos;
        inflater_ = std::make_unique<StrictInflater>(bits, reset);
      }
    }
  }

  bool open() const { return open_; }
  const HttpResponse& handshake() const { return handshake_; }
  RawClient& raw() { return raw_; }
  bool deflate() const { return inflater_ != nullptr; }

  bool send_raw(std::string_view bytes) { return raw_.send(bytes); }
  bool send_frame(ws::Opcode opcode, std::string_view payload, bool fin = true, bool rsv1 = false) {
    return raw_.send(masked_frame(opcode, payload, fin, rsv1));
  }
  bool send_text(std::string_view text) { return send_frame(ws::Opcode::text, text); }
  bool send_binary(std::string_view bytes) { return send_frame(ws::Opcode::binary, bytes); }
  bool send_ping(std::string_view data = {}) { return send_frame(ws::Opcode::ping, data); }
  bool send_pong(std::string_view data = {}) { return send_frame(ws::Opcode::pong, data); }
  bool send_close(std::uint16_t code, std::string_view reason = {}) {
    return send_frame(ws::Opcode::close, close_payload(code, reason));
  }
  /// A close frame without a status code (the server reports 1005).
  bool send_close_empty() { return send_frame(ws::Opcode::close, {}); }

  /// The next frame, or nullopt when none came complete in time or the connection ended.
  std::optional<WsFrame> next_frame(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      if (auto frame = parse_one()) return frame;
      if (malformed_) return std::nullopt;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left <= std::chrono::milliseconds(0) || raw_.read_once(left) <= 0) {
        return parse_one();
      }
    }
  }

  /// The next text, binary or close frame; pings and pongs in between are skipped (and counted).
  std::optional<WsFrame> next_data(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left < std::chrono::milliseconds(0)) left = std::chrono::milliseconds(0);
      auto frame = next_frame(left);
      if (!frame) return std::nullopt;
      if (frame->opcode == ws::Opcode::ping) {
        ++pings_seen_;
        continue;
      }
      if (frame->opcode == ws::Opcode::pong) continue;
      return frame;
    }
  }

  /// The payload of the next text message, or nullopt (timeout, or another kind of frame).
  std::optional<std::string> next_text(
      std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    auto frame = next_data(timeout);
    if (!frame || !frame->is_text()) return std::nullopt;
    return std::move(frame->payload);
  }

  /// Reads until the server closes the TCP connection; frames that arrive meanwhile are kept
  /// for next_frame(). False when it is still open at the deadline.
  bool wait_closed(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    return raw_.wait_closed(timeout);
  }

  /// True when no frame arrives (and the connection stays open) for `window`.
  bool stays_silent(std::chrono::milliseconds window) {
    if (!raw_.buffer().empty()) return false;
    return raw_.stays_silent(window);
  }

  bool eof() const { return raw_.eof(); }
  int pings_seen() const { return pings_seen_; }
  /// True when the bytes the server sent did not parse as frames.
  bool malformed() const { return malformed_; }

 private:
  std::optional<WsFrame> parse_one() {
    std::string& buffer = raw_.buffer();
    ws::FrameHeader header;
    auto parsed = ws::parse_frame_header(buffer.data(), buffer.size(), header);
    if (parsed.status == ws::HeaderStatus::error) {
      malformed_ = true;
      return std::nullopt;
    }
    if (parsed.status == ws::HeaderStatus::incomplete) return std::nullopt;
    const std::size_t total = header.header_size + header.payload_length;
    if (buffer.size() < total) return std::nullopt;
    WsFrame frame;
    frame.opcode = header.opcode;
    frame.fin = header.fin;
    frame.rsv1 = header.rsv1;
    frame.masked = header.masked;
    frame.wire_size = total;
    frame.payload.assign(buffer, header.header_size, header.payload_length);
    buffer.erase(0, total);
    if (frame.rsv1) {
      auto inflated = inflater_ ? inflater_->inflate_message(frame.payload) : std::nullopt;
      if (!inflated) {
        malformed_ = true;
        return std::nullopt;
      }
      frame.payload = std::move(*inflated);
    }
    return frame;
  }

  RawClient raw_;
  HttpResponse handshake_;
  bool open_ = false;
  bool malformed_ = false;
  int pings_seen_ = 0;
  std::unique_ptr<StrictInflater> inflater_;
};

}  // namespace pulsarcpp::test
