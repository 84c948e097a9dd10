#pragma once
// A growable byte buffer with a read cursor, for socket input. Unlike std::string it never
// zero-fills the space a recv() is about to overwrite, and consuming from the front is O(1).

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

namespace pulsarcpp::net {

class ByteBuffer {
 public:
  char* data() noexcept { return storage_.get() + begin_; }
  const char* data() const noexcept { return storage_.get() + begin_; }
  std::size_t size() const noexcept { return end_ - begin_; }
  bool empty() const noexcept { return begin_ == end_; }
  std::string_view view() const noexcept { return {data(), size()}; }
  std::size_t capacity() const noexcept { return capacity_; }

  /// Free space after the data, making at least `min_free` bytes available (compacting first,
  /// then growing). Invalidates pointers into the buffer.
  char* prepare(std::size_t min_free) {
    if (capacity_ - end_ >= min_free) return storage_.get() + end_;
    if (begin_ > 0) compact();
    if (capacity_ - end_ < min_free) grow(end_ + min_free);
    return storage_.get() + end_;
  }
  std::size_t writable() const noexcept { return capacity_ - end_; }
  void commit(std::size_t n) noexcept { end_ += n; }
  void consume(std::size_t n) noexcept {
    begin_ += n;
    if (begin_ >= end_) begin_ = end_ = 0;
  }
  /// Drops everything and gives the memory back (idle connections keep no buffer).
  void release() noexcept {
    storage_.reset();
    capacity_ = begin_ = end_ = 0;
  }

 private:
  static constexpr std::size_t kMinCapacity = 256;

  void compact() noexcept {
    std::memmove(storage_.get(), storage_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  void grow(std::size_t needed) {
    // Sized to what arrives: a connection's first request decides, and most fit in a few
    // hundred bytes.
    std::size_t capacity = capacity_ ? capacity_ : kMinCapacity;
    while (capacity < needed) capacity *= 2;
    auto storage = std::make_unique_for_overwrite<char[]>(capacity);
    if (end_ > begin_) std::memcpy(storage.get(), storage_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
    storage_ = std::move(storage);
    capacity_ = capacity;
  }

  std::unique_ptr<char[]> storage_;
  std::size_t capacity_ = 0;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
};

}  // namespace pulsarcpp::net
