#pragma once
// Appending many short pieces to a string in two passes over the same code: the first only adds
// up their sizes, the second copies them into space grown once. Appending piece by piece pays a
// capacity check and an out-of-line copy for each piece, which dominates when the pieces are a
// dozen header names, separators and values.
//
//   append_sized(out, [&](auto& sink) { sink.put("Date: "); sink.put(date); sink.put("\r\n"); });

#include <charconv>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace pulsarcpp::net {

struct SizeSink {
  std::size_t size = 0;
  void put(std::string_view piece) noexcept { size += piece.size(); }
};

/// Copies `n` bytes. Most pieces are a few bytes long (": ", a header name, a status line), so
/// up to 16 bytes are copied inline with two overlapping moves instead of a call into memcpy.
inline void copy_piece(char* to, const char* from, std::size_t n) noexcept {
  const auto overlapping = [to, from, n]<class Word>(Word) {
    Word head;
    Word tail;
    std::memcpy(&head, from, sizeof head);
    std::memcpy(&tail, from + n - sizeof tail, sizeof tail);
    std::memcpy(to, &head, sizeof head);
    std::memcpy(to + n - sizeof tail, &tail, sizeof tail);
  };
  if (n > 16) {
    std::memcpy(to, from, n);
  } else if (n >= 8) {
    overlapping(std::uint64_t{});
  } else if (n >= 4) {
    overlapping(std::uint32_t{});
  } else if (n > 0) {  // an empty piece's data() may be null: nothing is read from it
    to[0] = from[0];
    to[n / 2] = from[n / 2];
    to[n - 1] = from[n - 1];
  }
}

struct CopySink {
  char* cursor;
  void put(std::string_view piece) noexcept {
    copy_piece(cursor, piece.data(), piece.size());
    cursor += piece.size();
  }
};

/// Calls `put(sink)` once with a SizeSink and once with a CopySink: `put` must put the same
/// pieces both times.
template <class Put>
void append_sized(std::string& out, Put put) {
  SizeSink size;
  put(size);
  const std::size_t start = out.size();
  out.resize(start + size.size);
  CopySink copy{out.data() + start};
  put(copy);
}

/// An integer's decimal digits, formatted once so both passes put the same piece.
class Decimal {
 public:
  template <std::integral Integer>
  explicit Decimal(Integer value) noexcept
      : size_(static_cast<std::size_t>(
            std::to_chars(digits_, digits_ + sizeof digits_, value).ptr - digits_)) {}
  std::string_view view() const noexcept { return {digits_, size_}; }

 private:
  char digits_[24];  // a 64-bit integer with its sign
  std::size_t size_;
};

}  // namespace pulsarcpp::net
