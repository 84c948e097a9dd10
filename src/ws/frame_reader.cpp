#include "ws/frame_reader.hpp"

#include <algorithm>

#include "ws/close.hpp"
#include "ws/mask.hpp"

namespace pulsarcpp::ws {
namespace {

using Kind = ReadEvent::Kind;

// Buffers that grew past this for one large message are given back before the next one, so an
// idle connection does not keep a 16 MiB peak forever.
constexpr std::size_t kKeptCapacity = std::size_t{256} * 1024;

ReadEvent event(Kind kind, std::size_t consumed, std::string_view payload = {},
                std::uint16_t code = 0) noexcept {
  return ReadEvent{kind, consumed, payload, code};
}

}  // namespace

// One step of read(): either an event for the caller, or "a non-final frame ended after
// `event.consumed` bytes, go on with the next header".
struct FrameReader::Step {
  ReadEvent event;
  bool again = false;
};

ReadEvent FrameReader::read(std::span<char> input) {
  // A loop, not recursion: a buffer full of tiny fragments must not grow the stack.
  std::size_t used = 0;
  for (;;) {
    Step s = step(input.subspan(used));
    s.event.consumed += used;
    if (!s.again) return s.event;
    used = s.event.consumed;
  }
}

FrameReader::Step FrameReader::step(std::span<char> input) {
  switch (phase_) {
    case Phase::header:
      return read_header(input);
    case Phase::payload:
      return read_payload(input, 0);
    case Phase::closed:
      return {event(Kind::need_more, input.size())};
    case Phase::failed:
      break;
  }
  return {event(Kind::error, 0, {}, error_code_)};
}

FrameReader::Step FrameReader::read_header(std::span<char> input) {
  const HeaderParseResult parsed = parse_frame_header(input.data(), input.size(), frame_);
  if (parsed.status == HeaderStatus::incomplete) return {event(Kind::need_more, 0)};
  if (parsed.status == HeaderStatus::error) return {fail(parsed.close_code)};
  if (const std::uint16_t code = header_error()) return {fail(code)};
  if (is_control(frame_.opcode)) return {control_frame(input)};
  if (frame_.opcode != Opcode::continuation) release_large_buffers();
  const bool whole_frame_here = input.size() - frame_.header_size >= frame_.payload_length;
  if (!message_open_ && frame_.fin && whole_frame_here) return {single_frame_message(input)};
  start_streaming();
  return read_payload(input, frame_.header_size);
}

// The rules a header must follow given what came before (RFC 6455 §5.1-5.5, RFC 7692 §6.1).
std::uint16_t FrameReader::header_error() const noexcept {
  const FrameHeader& f = frame_;
  if (!f.masked || f.rsv2 || f.rsv3 || !is_known_opcode(f.opcode)) {
    return close_code::protocol_error;
  }
  if (is_control(f.opcode)) {
    const bool ok = f.fin && !f.rsv1 && f.payload_length <= kMaxControlPayload;
    return ok ? 0 : close_code::protocol_error;
  }
  const bool continuation = f.opcode == Opcode::continuation;
  // A continuation needs an open message and a new message needs none; RSV1 marks a compressed
  // message, so only its first frame may carry it, and only once deflate was negotiated.
  if (continuation != message_open_) return close_code::protocol_error;
  if (f.rsv1 && (continuation || inflater_ == nullptr)) return close_code::protocol_error;
  const std::uint64_t before = continuation ? message_size_ : 0;
  if (f.payload_length > max_payload_ - before) return close_code::message_too_big;
  return 0;
}

ReadEvent FrameReader::control_frame(std::span<char> input) {
  // At most 131 bytes: wait until the whole frame is here rather than buffer it.
  if (input.size() - frame_.header_size < frame_.payload_length) return event(Kind::need_more, 0);
  char* payload = input.data() + frame_.header_size;
  const std::size_t length = frame_.payload_length;
  const std::size_t consumed = frame_.header_size + length;
  apply_mask(payload, length, frame_.mask, 0);
  const std::string_view data(payload, length);
  if (frame_.opcode == Opcode::ping) return event(Kind::ping, consumed, data);
  if (frame_.opcode == Opcode::pong) return event(Kind::pong, consumed, data);
  const ClosePayload close = parse_close_payload(data);
  if (close.error != 0) return fail(close.error);
  phase_ = Phase::closed;
  return event(Kind::close, consumed, close.reason, close.code);
}

ReadEvent FrameReader::single_frame_message(std::span<char> input) {
  char* payload = input.data() + frame_.header_size;
  const std::size_t length = frame_.payload_length;
  apply_mask(payload, length, frame_.mask, 0);
  const std::string_view data(payload, length);
  message_opcode_ = frame_.opcode;
  if (message_opcode_ == Opcode::text && !frame_.rsv1 && !is_valid_utf8(data)) {
    return fail(close_code::invalid_payload);
  }
  return finish_message(data, frame_.rsv1, frame_.header_size + length);
}

void FrameReader::start_streaming() {
  if (frame_.opcode != Opcode::continuation) {
    message_open_ = true;
    message_opcode_ = frame_.opcode;
    message_compressed_ = frame_.rsv1;
    message_size_ = 0;
    buffers().message.clear();
    utf8_.reset();
  }
  // header_error() let the frame in only if the message stays within max_payload_.
  message_size_ += static_cast<std::uint32_t>(frame_.payload_length);
  frame_remaining_ = frame_.payload_length;
  phase_ = Phase::payload;
}

FrameReader::Step FrameReader::read_payload(std::span<char> input, std::size_t offset) {
  const std::size_t available = input.size() - offset;
  const std::size_t n =
      static_cast<std::size_t>(std::min<std::uint64_t>(frame_remaining_, available));
  char* data = input.data() + offset;
  // Where this slice starts within the frame's payload, which sets the mask's phase.
  const std::uint64_t frame_offset = frame_.payload_length - frame_remaining_;
  apply_mask(data, n, frame_.mask, frame_offset);
  const bool check_utf8 = message_opcode_ == Opcode::text && !message_compressed_;
  if (check_utf8 && !utf8_.feed(data, n)) return {fail(close_code::invalid_payload)};
  buffers_->message.append(data, n);
  frame_remaining_ -= n;
  const std::size_t consumed = offset + n;
  if (frame_remaining_ != 0) return {event(Kind::need_more, consumed)};
  phase_ = Phase::header;
  if (!frame_.fin) return {event(Kind::need_more, consumed), true};
  message_open_ = false;
  if (check_utf8 && !utf8_.complete()) return {fail(close_code::invalid_payload)};
  return {finish_message(buffers_->message, message_compressed_, consumed)};
}

ReadEvent FrameReader::finish_message(std::string_view payload, bool compressed,
                                      std::size_t consumed) {
  const Kind kind = message_opcode_ == Opcode::text ? Kind::text : Kind::binary;
  if (!compressed) return event(kind, consumed, payload);
  std::string& inflated = buffers().inflated;
  const InflateStatus status =
      inflater_->inflate_message(payload, max_payload_, inflated);
  if (status == InflateStatus::too_large) return fail(close_code::message_too_big);
  if (status == InflateStatus::corrupt) return fail(close_code::invalid_payload);
  if (kind == Kind::text && !is_valid_utf8(inflated)) return fail(close_code::invalid_payload);
  return event(kind, consumed, inflated);
}

ReadEvent FrameReader::fail(std::uint16_t code) noexcept {
  phase_ = Phase::failed;
  error_code_ = code;
  return event(Kind::error, 0, {}, code);
}

FrameReader::Buffers& FrameReader::buffers() {
  if (!buffers_) buffers_ = std::make_unique<Buffers>();
  return *buffers_;
}

void FrameReader::release_large_buffers() noexcept {
  if (!buffers_) return;
  if (buffers_->message.capacity() > kKeptCapacity) std::string().swap(buffers_->message);
  if (buffers_->inflated.capacity() > kKeptCapacity) std::string().swap(buffers_->inflated);
}

}  // namespace pulsarcpp::ws
