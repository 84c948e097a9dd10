// Checks server-to-client WebSocket frames, RFC 6455 §5: unmasked, minimal lengths, valid
// opcodes, control frames whole and short, RSV1 only on the first frame of a message and only
// when permessage-deflate was agreed, compressed messages that inflate, text valid UTF-8 (after
// inflating), and nothing after a close frame.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "check.hpp"
#include "message_inflater.hpp"
#include "ws/close.hpp"
#include "ws/utf8.hpp"

namespace connection_fuzz {

class FrameChecker {
 public:
  explicit FrameChecker(bool deflate)
      : inflater_(deflate ? std::make_unique<MessageInflater>() : nullptr) {}

  bool closed() const noexcept { return closed_; }

  // Called with every whole data message that passed the checks (inflated when compressed).
  void on_message(std::function<void(std::string_view)> handler) {
    on_message_ = std::move(handler);
  }

  // Every byte must belong to a whole frame: the answer to an input that has ended.
  void check_all(std::string_view bytes) {
    check(check_whole(bytes) == bytes.size(), "a cut frame");
  }

  // Checks the whole frames at the start of `bytes` (a stream still arriving) and returns the
  // bytes they take; the rest is a frame cut by the read.
  std::size_t check_whole(std::string_view bytes) {
    std::size_t used = 0;
    while (const auto bounds = frame_bounds(bytes.substr(used))) {
      check(!closed_, "bytes after the server's close frame");
      frame(static_cast<std::uint8_t>(bytes[used]),
            bytes.substr(used + bounds->header, bounds->payload));
      used += bounds->header + bounds->payload;
    }
    return used;
  }

  // The payloads of the pings checked since the last call, for the pongs that answer them.
  std::vector<std::string> take_pings() { return std::exchange(pings_, {}); }

 private:
  struct Bounds {
    std::size_t header = 0;
    std::size_t payload = 0;
  };

  // Where the frame at the start of `bytes` ends; nothing while it is incomplete.
  static std::optional<Bounds> frame_bounds(std::string_view bytes) {
    if (bytes.size() < 2) return std::nullopt;
    const auto b1 = static_cast<std::uint8_t>(bytes[1]);
    check((b1 & 0x80) == 0, "a masked server frame");
    Bounds bounds{.header = 2, .payload = b1 & 0x7fu};
    if (bounds.payload >= 126) {
      const std::size_t extra = bounds.payload == 126 ? 2 : 8;
      if (bytes.size() < 2 + extra) return std::nullopt;
      std::uint64_t length = 0;
      for (std::size_t i = 0; i < extra; ++i) {
        length = (length << 8) | static_cast<std::uint8_t>(bytes[2 + i]);
      }
      check(extra == 2 ? length >= 126 : length > 0xffff, "a length not in its shortest form");
      check(length <= (1u << 30), "a frame longer than anything the fuzzer's server sends");
      bounds = {.header = 2 + extra, .payload = static_cast<std::size_t>(length)};
    }
    if (bytes.size() - bounds.header < bounds.payload) return std::nullopt;
    return bounds;
  }

  void frame(std::uint8_t b0, std::string_view payload) {
    const bool fin = (b0 & 0x80) != 0;
    const bool rsv1 = (b0 & 0x40) != 0;
    const int opcode = b0 & 0x0f;
    check((b0 & 0x30) == 0, "RSV2 or RSV3 set");
    if (opcode >= 8) return control(opcode, fin, rsv1, payload);
    check(opcode <= 2, "a reserved data opcode");
    check((opcode == 0) == in_message_, "a continuation out of place, or a message in a message");
    if (opcode != 0) {
      compressed_ = rsv1;
      text_ = opcode == 1;
      utf8_ = {};
    } else {
      check(!rsv1, "RSV1 on a continuation frame");
    }
    check(!rsv1 || inflater_, "RSV1 without permessage-deflate");
    in_message_ = !fin;
    if (!compressed_ && text_) check(utf8_.feed(payload), "invalid UTF-8 in a text message");
    if (compressed_ || on_message_) message_.append(payload);
    if (!fin) return;
    if (compressed_) message_ = inflater_->inflate(std::exchange(message_, {}));
    const bool utf8 = compressed_ ? pulsarcpp::ws::is_valid_utf8(message_) : utf8_.complete();
    check(!text_ || utf8, "invalid UTF-8 in a text message");
    if (on_message_) on_message_(message_);
    message_.clear();
  }

  void control(int opcode, bool fin, bool rsv1, std::string_view payload) {
    check(opcode <= 10, "a reserved control opcode");
    check(fin && !rsv1 && payload.size() <= 125, "a fragmented, compressed or long control frame");
    if (opcode == 9) pings_.emplace_back(payload);
    if (opcode != 8) return;
    closed_ = true;
    if (payload.empty()) return;
    check(payload.size() >= 2, "a close frame with one byte");
    const auto code = static_cast<std::uint16_t>((static_cast<std::uint8_t>(payload[0]) << 8) |
                                                 static_cast<std::uint8_t>(payload[1]));
    check(pulsarcpp::ws::is_valid_close_code(code), "an invalid close code");
    check(pulsarcpp::ws::is_valid_utf8(payload.substr(2)), "a close reason that is not UTF-8");
  }

  std::unique_ptr<MessageInflater> inflater_;  // with permessage-deflate only
  bool closed_ = false;
  bool in_message_ = false;
  bool compressed_ = false;
  bool text_ = false;
  pulsarcpp::ws::Utf8Validator utf8_;  // an uncompressed text message so far
  std::string message_;  // the message so far, when compressed or when someone wants it
  std::function<void(std::string_view)> on_message_;
  std::vector<std::string> pings_;
};

}  // namespace connection_fuzz
