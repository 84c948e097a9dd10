#define ZLIB_CONST
#include "ws/deflate.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstring>

namespace pulsarcpp::ws {
namespace {

constexpr unsigned char kTail[4] = {0x00, 0x00, 0xFF, 0xFF};
constexpr std::size_t kMaxChunk = std::size_t{1} << 30;  // zlib counts in 32-bit uInt
constexpr std::size_t kMinOutput = 4096;
constexpr int kMaxWindowBits = 15;

// Output grows by doubling from a guess based on the input, never past the limit, so a bomb
// stops after at most `max_size` bytes were allocated.
std::size_t next_output_size(std::size_t current, std::size_t input_size, std::size_t max_size) {
  const std::size_t guess =
      input_size < kMaxChunk ? std::max(kMinOutput, input_size * 4) : kMaxChunk;
  const std::size_t wanted = current == 0 ? guess : current + std::min(current, kMaxChunk);
  return std::min(wanted, max_size);
}

// Grows `out` to `size` keeping its first `used` bytes. A fresh allocation of the exact size,
// because std::string's own growth may round a request up to twice the old capacity, which
// would let a bomb allocate past the limit.
void grow_exact(std::string& out, std::size_t used, std::size_t size) {
  if (size <= out.capacity()) {
    out.resize(size);
    return;
  }
  std::string bigger;
  bigger.reserve(size);
  bigger.append(out, 0, used);
  bigger.resize(size);
  out.swap(bigger);
}

// Feeds at most kMaxChunk bytes at a time when zlib's input is empty.
struct Input {
  const unsigned char* next;
  std::size_t remaining;

  void refill(z_stream& z) noexcept {
    if (z.avail_in != 0 || remaining == 0) return;
    const std::size_t chunk = std::min(remaining, kMaxChunk);
    z.next_in = next;
    z.avail_in = static_cast<uInt>(chunk);
    next += chunk;
    remaining -= chunk;
  }
  bool exhausted(const z_stream& z) const noexcept { return z.avail_in == 0 && remaining == 0; }
};

}  // namespace

namespace detail {
void InflateEnd::operator()(z_stream_s* stream) const noexcept {
  inflateEnd(stream);
  delete stream;
}
void DeflateEnd::operator()(z_stream_s* stream) const noexcept {
  deflateEnd(stream);
  delete stream;
}
}  // namespace detail

// ---------------------------------------------------------------------------------------------
// Inflater

struct Inflater::Run {
  std::string& out;
  std::size_t input_size;
  std::size_t max_size;
  std::size_t produced = 0;
  bool in_tail = false;
  bool stream_ended = false;  // a final (BFINAL) block ended the message's data
};

Inflater::Inflater(std::unique_ptr<z_stream_s, detail::InflateEnd> stream, bool reset_per_message)
    : stream_(std::move(stream)), reset_per_message_(reset_per_message) {}

std::optional<Inflater> Inflater::create(int window_bits, bool reset_per_message) {
  if (window_bits < 8 || window_bits > kMaxWindowBits) return std::nullopt;
  // Peers told to use 8 may still use 9, as zlib itself does; a larger window only costs memory.
  const int bits = std::max(window_bits, 9);
  std::unique_ptr<z_stream_s, detail::InflateEnd> stream(new z_stream{});
  if (inflateInit2(stream.get(), -bits) != Z_OK) return std::nullopt;
  return Inflater(std::move(stream), reset_per_message);
}

InflateStatus Inflater::inflate_message(std::string_view compressed, std::size_t max_size,
                                        std::string& out) {
  out.clear();
  // An empty payload is not a DEFLATE block, but some peers send it for an empty message; it
  // decodes to nothing without touching the stream.
  if (compressed.empty()) return InflateStatus::ok;
  Run run{out, compressed.size(), max_size};
  InflateStatus status = inflate_piece(
      run, reinterpret_cast<const unsigned char*>(compressed.data()), compressed.size());
  if (status == InflateStatus::ok && !run.stream_ended) {
    run.in_tail = true;
    status = inflate_piece(run, kTail, sizeof kTail);
    // After the tail a complete message leaves the decoder between blocks (RFC 7692 §7.2.2);
    // anywhere else means the payload was cut or forged. (data_type bit 128: at a block start.)
    if (status == InflateStatus::ok && !run.stream_ended && (stream_->data_type & 128) == 0) {
      status = InflateStatus::corrupt;
    }
  }
  out.resize(run.produced);
  if (status != InflateStatus::ok || reset_per_message_) inflateReset(stream_.get());
  return status;
}

InflateStatus Inflater::inflate_piece(Run& run, const unsigned char* data, std::size_t size) {
  z_stream& z = *stream_;
  Input input{data, size};
  z.avail_in = 0;
  for (;;) {
    input.refill(z);
    unsigned char probe = 0;
    const bool at_limit = run.produced == run.max_size;
    if (at_limit) {
      // Any further byte makes the message too large; a one-byte probe finds out without
      // allocating it.
      z.next_out = &probe;
      z.avail_out = 1;
    } else {
      if (run.produced == run.out.size()) {
        grow_exact(run.out, run.produced,
                   next_output_size(run.out.size(), run.input_size, run.max_size));
      }
      z.next_out = reinterpret_cast<unsigned char*>(run.out.data()) + run.produced;
      z.avail_out = static_cast<uInt>(std::min(run.out.size() - run.produced, kMaxChunk));
    }
    const uInt in_before = z.avail_in;
    const uInt out_before = z.avail_out;
    const int ret = ::inflate(&z, Z_SYNC_FLUSH);
    const std::size_t written = out_before - z.avail_out;
    if (at_limit && written != 0) return InflateStatus::too_large;
    run.produced += written;
    if (ret == Z_STREAM_END) {
      // A final block ends the DEFLATE stream, but RFC 7692 §7.2.3.4 lets blocks follow it in
      // the same message, and with context takeover later messages may refer back into it:
      // start a new stream that keeps the window (O(1), no copy of the window).
      inflateResetKeep(&z);
      if (run.in_tail || input.exhausted(z)) {
        run.stream_ended = true;  // our own tail bytes after the final block are not needed
        return InflateStatus::ok;
      }
      continue;
    }
    if (ret != Z_OK && ret != Z_BUF_ERROR) return InflateStatus::corrupt;
    if (input.exhausted(z) && z.avail_out != 0) return InflateStatus::ok;
    if (z.avail_in == in_before && written == 0) return InflateStatus::corrupt;  // no progress
  }
}

// ---------------------------------------------------------------------------------------------
// Deflater

Deflater::Deflater(std::unique_ptr<z_stream_s, detail::DeflateEnd> stream, bool reset_per_message)
    : stream_(std::move(stream)), reset_per_message_(reset_per_message) {}

std::optional<Deflater> Deflater::create(int window_bits, bool reset_per_message, int level,
                                         int mem_level) {
  if (window_bits < 9 || window_bits > kMaxWindowBits || level < 0 || level > 9 || mem_level < 1 ||
      mem_level > 9) {
    return std::nullopt;
  }
  std::unique_ptr<z_stream_s, detail::DeflateEnd> stream(new z_stream{});
  if (deflateInit2(stream.get(), level, Z_DEFLATED, -window_bits, mem_level, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return std::nullopt;
  }
  return Deflater(std::move(stream), reset_per_message);
}

bool Deflater::deflate_message(std::string_view message, std::string& out) {
  z_stream& z = *stream_;
  const std::size_t start = out.size();
  Input input{reinterpret_cast<const unsigned char*>(message.data()), message.size()};
  z.avail_in = 0;
  std::size_t produced = start;
  const std::size_t bound =
      message.size() < kMaxChunk ? deflateBound(&z, message.size()) : kMaxChunk;
  out.resize(start + bound + 8);  // + room for the sync flush's empty stored block
  bool ok = true;
  for (;;) {
    input.refill(z);
    if (produced == out.size()) out.resize(out.size() + std::min(out.size() - start, kMaxChunk));
    z.next_out = reinterpret_cast<unsigned char*>(out.data()) + produced;
    z.avail_out = static_cast<uInt>(std::min(out.size() - produced, kMaxChunk));
    const uInt out_before = z.avail_out;
    const int flush = input.exhausted(z) ? Z_SYNC_FLUSH : Z_NO_FLUSH;
    const int ret = ::deflate(&z, flush);
    produced += out_before - z.avail_out;
    if (ret != Z_OK && ret != Z_BUF_ERROR) {
      ok = false;
      break;
    }
    if (flush == Z_SYNC_FLUSH && z.avail_out != 0) break;
  }
  if (ok && produced == start && message.empty()) {
    // zlib emits nothing for a second flush in a row; RFC 7692 §7.2.3.6 spells an empty
    // message as a lone 0x00 (an empty stored block once the tail is added back).
    out.resize(start + 1);
    out[start] = '\0';
  } else {
    // A sync flush always ends with an empty stored block, 00 00 ff ff, which the receiver
    // adds back (RFC 7692 §7.2.1).
    ok = ok && produced - start >= sizeof kTail &&
         std::memcmp(out.data() + produced - sizeof kTail, kTail, sizeof kTail) == 0;
    out.resize(ok ? produced - sizeof kTail : start);
  }
  if (!ok || reset_per_message_) deflateReset(&z);
  return ok;
}

}  // namespace pulsarcpp::ws
