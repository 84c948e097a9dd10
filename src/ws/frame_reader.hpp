#pragma once
// The receiving half of an RFC 6455 server connection: turns the bytes a client sends into
// messages, pings, pongs and a close, enforcing every framing rule, and reports a violation as
// the close code to fail the connection with.
//
// Use, on each read:
//
//   std::span<char> input = unread bytes in the connection's buffer;
//   for (;;) {
//     ReadEvent ev = reader.read(input);
//     ... handle ev (its payload may point into `input`) ...
//     input = input.subspan(ev.consumed);
//     if (ev.kind == ReadEvent::Kind::need_more || ev.kind == ReadEvent::Kind::error) break;
//   }
//   keep the remaining `input` bytes (at most one frame header or one control frame) and
//   append the next read after them.
//
// The input is unmasked in place. A message that arrives as one unfragmented frame, entirely in
// the input, is delivered as a view into the input without a copy; fragmented messages and
// frames that span reads are copied into the reader's buffer as they arrive, so the caller never
// has to hold more than one control frame. Text is UTF-8 checked as it arrives, so an invalid
// byte fails the connection at once, not at the end of the message.

#include <cstddef>
#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "ws/deflate.hpp"
#include "ws/frame.hpp"
#include "ws/utf8.hpp"

namespace pulsarcpp::ws {

struct FrameReaderOptions {
  /// Largest data message in bytes, after decompression (Bun maxPayloadLength, 16 MiB); one byte
  /// more fails with 1009. Checked on each frame header before any payload is buffered, on the
  /// compressed size, and on the decompressed size. Control frames have their own 125 limit.
  /// Values above 4 GiB - 1 act as 4 GiB - 1 (as in uWebSockets): no message that large can be
  /// held in memory anyway, and the reader keeps its sizes in 32 bits.
  std::size_t max_payload_length = 16 * 1024 * 1024;
};

struct ReadEvent {
  enum class Kind : std::uint8_t {
    need_more,  // everything usable was consumed; call again with more bytes
    text,       // payload: the whole message, valid UTF-8, decompressed
    binary,     // payload: the whole message, decompressed
    ping,       // payload: the ping's application data (answer with a pong)
    pong,       // payload: the pong's application data
    close,      // close_code: the client's code (1005 if none); payload: its reason (UTF-8)
    error,      // close_code: 1002, 1007 or 1009 to close with; nothing more will be read
  };
  Kind kind = Kind::need_more;
  std::size_t consumed = 0;  // bytes of the input this call used up
  std::string_view payload;  // valid until the next read() and while the input is unchanged
  std::uint16_t close_code = 0;
};

class FrameReader {
 public:
  /// `inflater`: the connection's own or its loop's shared one when permessage-deflate was
  /// negotiated, nullptr otherwise (RSV1 is then a protocol error). Not owned; must outlive
  /// the reader or be replaced with set_inflater.
  explicit FrameReader(FrameReaderOptions options = {}, Inflater* inflater = nullptr) noexcept
      : max_payload_(static_cast<std::uint32_t>(
            std::min<std::size_t>(options.max_payload_length, UINT32_MAX))),
        inflater_(inflater) {}

  void set_inflater(Inflater* inflater) noexcept { inflater_ = inflater; }

  /// Reads up to one event from the start of `input`, unmasking it in place. After the close
  /// event every later call discards its input (need_more, all consumed): RFC 6455 §1.4 ends the
  /// data. After an error every later call consumes nothing and repeats the error.
  ReadEvent read(std::span<char> input);

  /// True while a data message has started (a first fragment, or an unfragmented frame that
  /// spans reads) and not yet completed.
  bool in_message() const noexcept { return message_open_; }

 private:
  enum class Phase : std::uint8_t { header, payload, closed, failed };
  struct Step;

  Step step(std::span<char> input);
  Step read_header(std::span<char> input);
  Step read_payload(std::span<char> input, std::size_t offset);
  std::uint16_t header_error() const noexcept;
  ReadEvent control_frame(std::span<char> input);
  ReadEvent single_frame_message(std::span<char> input);
  void start_streaming();
  ReadEvent finish_message(std::string_view payload, bool compressed, std::size_t consumed);
  ReadEvent fail(std::uint16_t code) noexcept;
  void release_large_buffers() noexcept;

  // Allocated by the first message that needs one: most connections only ever see messages that
  // arrive whole and uncompressed, and an idle server holds thousands of readers.
  struct Buffers {
    std::string message;   // collected payload of the open message
    std::string inflated;  // decompressed message, the payload of the last compressed message
  };
  Buffers& buffers();

  std::uint32_t max_payload_;    // FrameReaderOptions::max_payload_length
  std::uint32_t message_size_ = 0;  // wire bytes of the open message so far (<= max_payload_)
  Inflater* inflater_ = nullptr;
  std::unique_ptr<Buffers> buffers_;

  FrameHeader frame_;                  // the frame being read
  std::uint64_t frame_remaining_ = 0;  // payload bytes of frame_ not yet read
  Utf8Validator utf8_;

  Phase phase_ = Phase::header;
  std::uint16_t error_code_ = 0;
  bool message_open_ = false;  // a fragmented or split message is being collected
  Opcode message_opcode_ = Opcode::text;
  bool message_compressed_ = false;
};

}  // namespace pulsarcpp::ws
