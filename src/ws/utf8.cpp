#include "ws/utf8.hpp"

#include <array>
#include <cstring>

namespace pulsarcpp::ws {
namespace {

// Byte classes: every byte that plays the same role in every state shares a class, which keeps
// the transition table at 9 states x 12 classes.
enum ByteClass : std::uint8_t {
  kAscii,    // 00..7F
  kCont80,   // 80..8F
  kCont90,   // 90..9F
  kContA0,   // A0..BF
  kIllegal,  // C0, C1, F5..FF: never valid (overlong 2-byte leads, beyond U+10FFFF)
  kLead2,    // C2..DF
  kLeadE0,   // E0: second byte A0..BF (else overlong)
  kLead3,    // E1..EC, EE, EF
  kLeadED,   // ED: second byte 80..9F (else a surrogate)
  kLeadF0,   // F0: second byte 90..BF (else overlong)
  kLead4,    // F1..F3
  kLeadF4,   // F4: second byte 80..8F (else above U+10FFFF)
};
constexpr std::size_t kClassCount = kLeadF4 + 1;

enum State : std::uint8_t {
  kAcceptState,
  kRejectState,
  kNeed1,  // one continuation byte of any value
  kNeed2,  // two continuation bytes
  kNeed3,  // three continuation bytes
  kAfterE0,
  kAfterED,
  kAfterF0,
  kAfterF4,
};
constexpr std::size_t kStateCount = kAfterF4 + 1;

constexpr ByteClass classify(unsigned byte) {
  if (byte < 0x80) return kAscii;
  if (byte < 0x90) return kCont80;
  if (byte < 0xA0) return kCont90;
  if (byte < 0xC0) return kContA0;
  if (byte < 0xC2) return kIllegal;
  if (byte < 0xE0) return kLead2;
  if (byte == 0xE0) return kLeadE0;
  if (byte == 0xED) return kLeadED;
  if (byte < 0xF0) return kLead3;
  if (byte == 0xF0) return kLeadF0;
  if (byte < 0xF4) return kLead4;
  if (byte == 0xF4) return kLeadF4;
  return kIllegal;
}

constexpr State next_state(State state, ByteClass c) {
  const bool any_cont = c == kCont80 || c == kCont90 || c == kContA0;
  switch (state) {
    case kAcceptState:
      switch (c) {
        case kAscii:
          return kAcceptState;
        case kLead2:
          return kNeed1;
        case kLeadE0:
          return kAfterE0;
        case kLead3:
          return kNeed2;
        case kLeadED:
          return kAfterED;
        case kLeadF0:
          return kAfterF0;
        case kLead4:
          return kNeed3;
        case kLeadF4:
          return kAfterF4;
        default:
          return kRejectState;
      }
    case kNeed1:
      return any_cont ? kAcceptState : kRejectState;
    case kNeed2:
      return any_cont ? kNeed1 : kRejectState;
    case kNeed3:
      return any_cont ? kNeed2 : kRejectState;
    case kAfterE0:
      return c == kContA0 ? kNeed1 : kRejectState;
    case kAfterED:
      return c == kCont80 || c == kCont90 ? kNeed1 : kRejectState;
    case kAfterF0:
      return c == kCont90 || c == kContA0 ? kNeed2 : kRejectState;
    case kAfterF4:
      return c == kCont80 ? kNeed2 : kRejectState;
    default:
      return kRejectState;
  }
}

constexpr std::array<std::uint8_t, 256> make_classes() {
  std::array<std::uint8_t, 256> table{};
  for (unsigned b = 0; b < 256; ++b) table[b] = classify(b);
  return table;
}

// Indexed by pre-multiplied state + class; the value is the next pre-multiplied state.
constexpr std::array<std::uint8_t, kStateCount * kClassCount> make_transitions() {
  std::array<std::uint8_t, kStateCount * kClassCount> table{};
  for (unsigned s = 0; s < kStateCount; ++s) {
    for (unsigned c = 0; c < kClassCount; ++c) {
      table[s * kClassCount + c] =
          static_cast<std::uint8_t>(unsigned{next_state(State(s), ByteClass(c))} * kClassCount);
    }
  }
  return table;
}

constexpr auto kClasses = make_classes();
constexpr auto kTransitions = make_transitions();
static_assert(Utf8Validator::kAccept == unsigned{kAcceptState} * kClassCount);
static_assert(Utf8Validator::kReject == unsigned{kRejectState} * kClassCount);
// feed() relies on every pending state sorting above reject.
static_assert(kAcceptState == 0 && kRejectState == 1 && kNeed1 == 2);

constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;

// Skips ASCII, a 64-bit word at a time and then byte by byte; only valid when no sequence is
// pending.
std::size_t skip_ascii(const unsigned char* p, std::size_t i, std::size_t len) noexcept {
  while (i + 8 <= len) {
    std::uint64_t word;
    std::memcpy(&word, p + i, sizeof word);
    if (word & kHighBits) break;
    i += 8;
  }
  while (i < len && p[i] < 0x80) ++i;
  return i;
}

}  // namespace

bool Utf8Validator::feed(const char* data, std::size_t len) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(data);
  std::uint8_t state = state_;
  std::size_t i = 0;
  while (i < len && state != kReject) {
    if (state == kAccept) {
      i = skip_ascii(p, i, len);
      if (i == len) break;
    }
    // Run the DFA through one multi-byte sequence; every state but accept and reject is above
    // kReject, so this stops at the end of the sequence or at the first impossible byte.
    do {
      state = kTransitions[state + kClasses[p[i++]]];
    } while (state > kReject && i < len);
  }
  state_ = state;
  return state != kReject;
}

bool is_valid_utf8(std::string_view bytes) noexcept {
  Utf8Validator validator;
  return validator.feed(bytes) && validator.complete();
}

std::size_t utf8_prefix_length(std::string_view bytes, std::size_t max_bytes) noexcept {
  if (bytes.size() <= max_bytes) return bytes.size();
  std::size_t n = max_bytes;
  // bytes[n] is the first byte cut off; while it is a continuation byte the cut is inside a
  // sequence, so back up to its lead byte (at most 3 steps in valid UTF-8).
  for (int steps = 0; n > 0 && steps < 4; ++steps) {
    if ((static_cast<unsigned char>(bytes[n]) & 0xC0) != 0x80) break;
    --n;
  }
  return n;
}

}  // namespace pulsarcpp::ws
