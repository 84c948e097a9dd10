#pragma once
// Incremental UTF-8 validation (RFC 3629) for text messages: a DFA that keeps its state between
// calls, so a message split into fragments (or a frame read in pieces) is validated as it
// arrives, and rejected at the first byte that cannot start or continue a valid sequence.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace pulsarcpp::ws {

class Utf8Validator {
 public:
  /// Validates the next `len` bytes. Returns false as soon as the input seen so far cannot be a
  /// prefix of valid UTF-8 (overlong forms, surrogates U+D800..U+DFFF, code points above
  /// U+10FFFF, bytes C0, C1, F5..FF, stray continuation bytes). Once false, always false.
  bool feed(const char* data, std::size_t len) noexcept;
  bool feed(std::string_view bytes) noexcept { return feed(bytes.data(), bytes.size()); }

  /// True when everything fed so far is valid and no code point is left unfinished.
  bool complete() const noexcept { return state_ == kAccept; }
  bool failed() const noexcept { return state_ == kReject; }
  void reset() noexcept { state_ = kAccept; }

  // DFA states, pre-multiplied by the number of byte classes so a transition is one lookup.
  static constexpr std::uint8_t kAccept = 0;
  static constexpr std::uint8_t kReject = 12;

 private:
  std::uint8_t state_ = kAccept;
};

/// Whole-buffer validation: true when `bytes` is complete, valid UTF-8.
bool is_valid_utf8(std::string_view bytes) noexcept;

/// The longest prefix of `bytes` no longer than `max_bytes` that does not end inside a multi-byte
/// sequence (for cutting a close reason to 123 bytes). Expects valid UTF-8; on invalid input it
/// still never cuts before a lead byte, but cannot make the prefix valid.
std::size_t utf8_prefix_length(std::string_view bytes, std::size_t max_bytes) noexcept;

}  // namespace pulsarcpp::ws
