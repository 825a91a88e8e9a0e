// CRC32C (Castagnoli), the checksum of TFRecord framing (TensorBoard event files).
//
// Computed by Intel ISA-L's crc32_iscsi (hardware CRC32 instructions where the
// CPU has them); this file only adapts its conventions: ISA-L neither
// pre-inverts nor post-inverts, so crc32c() passes ~0 as the seed and inverts
// the result, giving the standard CRC-32C (check value: crc32c("123456789")
// == 0xE3069283).
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace nabla::io {

// The standard CRC-32C of `data`.
uint32_t crc32c(std::span<const std::byte> data);
inline uint32_t crc32c(std::string_view data) {
  return crc32c(std::as_bytes(std::span<const char>(data.data(), data.size())));
}

// TFRecord's masked CRC (a CRC of data that itself contains CRCs is weak, so
// TensorFlow rotates and offsets it): ((c >> 15) | (c << 17)) + 0xa282ead8.
constexpr uint32_t mask_crc32c(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }
// The inverse of mask_crc32c.
constexpr uint32_t unmask_crc32c(uint32_t masked) {
  uint32_t rot = masked - 0xa282ead8u;
  return (rot >> 17) | (rot << 15);
}

// mask_crc32c(crc32c(data)).
inline uint32_t masked_crc32c(std::span<const std::byte> data) { return mask_crc32c(crc32c(data)); }
inline uint32_t masked_crc32c(std::string_view data) { return mask_crc32c(crc32c(data)); }

}  // namespace nabla::io
