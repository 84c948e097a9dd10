#pragma once
// RFC 6455 §5.3 masking: payload byte i is XORed with key[i % 4]. The same operation masks and
// unmasks. The offset lets a payload that arrives in pieces be unmasked piece by piece.

#include <array>
#include <cstddef>
#include <cstdint>

namespace pulsarcpp::ws {

using MaskKey = std::array<std::uint8_t, 4>;

/// XORs `len` bytes at `data` in place with `key`, where data[0] is byte `offset` of the payload.
void apply_mask(char* data, std::size_t len, const MaskKey& key, std::uint64_t offset) noexcept;

}  // namespace pulsarcpp::ws
