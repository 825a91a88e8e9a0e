// float16 and bfloat16 storage types. Both are stored as 16 bits and converted
// to float32 for arithmetic (DESIGN.md §5). Conversions round to nearest even
// and keep NaN / infinity.
#pragma once
#include <bit>
#include <cstdint>
#include <cstring>

namespace nabla {

namespace detail {
inline float f16_bits_to_float(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1Fu;
  uint32_t man = h & 0x3FFu;
  uint32_t bits;
  if (exp == 0) {
    if (man == 0) {
      bits = sign;
    } else {  // subnormal: normalise
      int e = -1;
      do { ++e; man <<= 1; } while ((man & 0x400u) == 0);
      bits = sign | uint32_t(127 - 15 - e) << 23 | (man & 0x3FFu) << 13;
    }
  } else if (exp == 0x1F) {
    bits = sign | 0x7F800000u | man << 13;
  } else {
    bits = sign | (exp + (127 - 15)) << 23 | man << 13;
  }
  return std::bit_cast<float>(bits);
}

inline uint16_t float_to_f16_bits(float f) {
  const uint32_t x = std::bit_cast<uint32_t>(f);
  const uint32_t sign = (x >> 16) & 0x8000u;
  const uint32_t ax = x & 0x7FFFFFFFu;
  if (ax >= 0x7F800000u)  // inf or nan
    return uint16_t(sign | 0x7C00u | (ax > 0x7F800000u ? 0x200u : 0u));
  if (ax >= 0x477FF000u) return uint16_t(sign | 0x7C00u);  // overflow -> inf
  if (ax < 0x38800000u) {  // subnormal or zero in half
    if (ax < 0x33000000u) return uint16_t(sign);  // rounds to zero
    const uint32_t e = ax >> 23;
    const uint32_t m = (ax & 0x7FFFFFu) | 0x800000u;
    const uint32_t right = 126 - e;  // value = m * 2^(e-150); half subnormal unit = 2^-24
    uint32_t mant = m >> right;
    const uint32_t rem = m & ((1u << right) - 1u);
    const uint32_t half = 1u << (right - 1);
    if (rem > half || (rem == half && (mant & 1u))) ++mant;
    return uint16_t(sign | mant);
  }
  uint32_t h = ((ax - 0x38000000u) >> 13);  // rebias exponent (112 << 23)
  const uint32_t rem = ax & 0x1FFFu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) ++h;
  return uint16_t(sign | h);
}

inline float bf16_bits_to_float(uint16_t b) { return std::bit_cast<float>(uint32_t(b) << 16); }

inline uint16_t float_to_bf16_bits(float f) {
  uint32_t x = std::bit_cast<uint32_t>(f);
  if ((x & 0x7FFFFFFFu) > 0x7F800000u) return uint16_t((x >> 16) | 0x40u);  // quiet NaN
  x += 0x7FFFu + ((x >> 16) & 1u);
  return uint16_t(x >> 16);
}
}  // namespace detail

// IEEE 754 binary16. Arithmetic converts to float.
struct float16_t {
  uint16_t bits = 0;
  float16_t() = default;
  float16_t(float f) : bits(detail::float_to_f16_bits(f)) {}  // NOLINT: implicit like a number
  operator float() const { return detail::f16_bits_to_float(bits); }
  static float16_t from_bits(uint16_t b) { float16_t h; h.bits = b; return h; }
};

// bfloat16: the upper 16 bits of a float32. Arithmetic converts to float.
struct bfloat16_t {
  uint16_t bits = 0;
  bfloat16_t() = default;
  bfloat16_t(float f) : bits(detail::float_to_bf16_bits(f)) {}  // NOLINT
  operator float() const { return detail::bf16_bits_to_float(bits); }
  static bfloat16_t from_bits(uint16_t b) { bfloat16_t h; h.bits = b; return h; }
};

}  // namespace nabla
