#pragma once
// Incremental, in-place decoder for the chunked transfer coding (RFC 9112 §7.1).

#include <cstddef>
#include <cstdint>

namespace pulsarcpp::http {

class ChunkedDecoder {
 public:
  enum class Status { incomplete, complete, error };
  struct Result {
    Status status = Status::incomplete;
    std::size_t consumed = 0;  // complete: raw bytes of the whole chunked body, trailers included
    std::size_t decoded = 0;   // bytes of decoded body now at data[0, decoded)
    int error_status = 0;      // error: 400 (malformed) or 413 (over max_body_bytes)
  };

  explicit ChunkedDecoder(std::size_t max_body_bytes) noexcept : max_body_(max_body_bytes) {}

  /// `data` points at the first byte after the request head and `size` counts every byte
  /// received from there so far. Between calls the caller may only append bytes (the buffer may
  /// move; pass the new pointer). Decoded bytes are written in place, compacted at the front.
  Result decode(char* data, std::size_t size) noexcept;

  void reset() noexcept;

 private:
  enum class State : std::uint8_t;  // defined in chunked_decoder.cpp; value 0 is the start
  enum class Step : std::uint8_t;

  Step on_size_line(const char* data, std::size_t size) noexcept;
  Step on_data(char* data, std::size_t size) noexcept;
  Step on_data_end(const char* data, std::size_t size) noexcept;
  Step on_trailer_line(const char* data, std::size_t size) noexcept;
  Step fail(int status) noexcept;

  std::size_t max_body_;
  // Offsets relative to `data`, so the buffer may be reallocated between calls.
  std::size_t read_ = 0;
  std::size_t written_ = 0;
  std::uint64_t chunk_remaining_ = 0;
  State state_{};
  int error_status_ = 0;
  std::size_t line_bytes_ = 0;     // bytes of the current size/trailer line already searched
  std::size_t trailer_bytes_ = 0;  // bytes of the trailer section so far, bounded
};

}  // namespace pulsarcpp::http
