// FrameReader on arbitrary client bytes. The first two input bytes choose the configuration
// (deflate on/off, context takeover, size limit) and how the rest is split into reads. The
// same stream is read whole, in pseudo-random chunks and byte by byte: all three must produce
// the same events, and every event must keep the reader's promises.

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "ws/close.hpp"
#include "ws/deflate.hpp"
#include "ws/frame.hpp"
#include "ws/frame_reader.hpp"
#include "ws/utf8.hpp"

namespace {

using pulsarcpp::ws::FrameReader;
using pulsarcpp::ws::FrameReaderOptions;
using pulsarcpp::ws::Inflater;
using Kind = pulsarcpp::ws::ReadEvent::Kind;

struct Recorded {
  Kind kind;
  std::string payload;
  std::uint16_t code;
  bool operator==(const Recorded&) const = default;
};

void check(bool condition) {
  if (!condition) std::abort();
}

void check_event(const pulsarcpp::ws::ReadEvent& ev, std::size_t input_size,
                 const FrameReaderOptions& options) {
  check(ev.consumed <= input_size);
  switch (ev.kind) {
    case Kind::text:
      check(pulsarcpp::ws::is_valid_utf8(ev.payload));
      [[fallthrough]];
    case Kind::binary:
      check(ev.payload.size() <= options.max_payload_length);
      break;
    case Kind::ping:
    case Kind::pong:
      check(ev.payload.size() <= pulsarcpp::ws::kMaxControlPayload);
      break;
    case Kind::close:
      check(ev.close_code == 1005 || pulsarcpp::ws::is_valid_close_code(ev.close_code));
      check(pulsarcpp::ws::is_valid_utf8(ev.payload));
      break;
    case Kind::error:
      check(ev.close_code == 1002 || ev.close_code == 1007 || ev.close_code == 1009);
      break;
    case Kind::need_more:
      break;
  }
}

// Reads `wire` delivered in chunks whose sizes come from `next_chunk`.
template <typename NextChunk>
std::vector<Recorded> run(const std::string& wire, const FrameReaderOptions& options,
                          std::optional<Inflater>& inflater, NextChunk next_chunk) {
  FrameReader reader(options, inflater ? &*inflater : nullptr);
  std::vector<Recorded> events;
  std::string buffer;
  std::size_t fed = 0;
  while (fed < wire.size()) {
    const std::size_t n = std::min(next_chunk(), wire.size() - fed);
    buffer.append(wire, fed, n);
    fed += n;
    for (;;) {
      const auto ev = reader.read(std::span<char>(buffer.data(), buffer.size()));
      check_event(ev, buffer.size(), options);
      if (ev.kind != Kind::need_more)
        events.push_back({ev.kind, std::string(ev.payload), ev.close_code});
      buffer.erase(0, ev.consumed);
      if (ev.kind == Kind::error) return events;
      if (ev.kind == Kind::need_more) break;
    }
  }
  return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint8_t config = data[0];
  std::uint32_t seed = data[1];
  const std::string wire(reinterpret_cast<const char*>(data + 2), size - 2);

  static constexpr std::size_t kLimits[] = {0, 16, 300, 70000};
  const FrameReaderOptions options{.max_payload_length = kLimits[(config >> 2) & 3]};
  const bool deflate = config & 1;
  const bool takeover = config & 2;
  const auto make_inflater = [&] {
    return deflate ? Inflater::create(15, !takeover) : std::nullopt;
  };

  std::optional<Inflater> a = make_inflater();
  const auto whole = run(wire, options, a, [&] { return wire.size(); });

  std::optional<Inflater> b = make_inflater();
  const auto chunked = run(wire, options, b, [&] {
    seed = seed * 1103515245u + 12345u;
    return std::size_t{1} + (seed >> 16) % 97;
  });
  check(whole == chunked);

  if (wire.size() <= 4096) {
    std::optional<Inflater> c = make_inflater();
    check(whole == run(wire, options, c, [] { return std::size_t{1}; }));
  }
  return 0;
}
