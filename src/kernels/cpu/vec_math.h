// Branch-free float32 math functions written so that GCC/Clang vectorise the
// loops that call them (std::exp & co. are library calls that do not). Each
// is accurate to a few ulp over the whole float range, keeps IEEE special
// values (inf, nan, -0) and handles subnormal inputs and results. Internal.
#pragma once
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

// Forced inline: called once per element inside loops that must vectorise;
// an out-of-line call (through the PLT in the shared library) would not.
#if defined(__GNUC__)
#define NB_VM_INLINE [[gnu::always_inline]] inline
#else
#define NB_VM_INLINE inline
#endif

namespace nabla::cpu::vm {

// a * b + c, fused where the target has FMA (a single instruction then).
NB_VM_INLINE float fmadd(float a, float b, float c) {
#ifdef __FMA__
  return std::fma(a, b, c);
#else
  return a * b + c;
#endif
}

// e^x. Cody-Waite reduction x = n ln2 + r, |r| <= ln2/2, then the Cephes
// minimax polynomial for e^r; 2^n is applied in two halves so that results
// in the subnormal range are rounded once. Max error about 1 ulp.
NB_VM_INLINE float exp_f32(float x) {
  constexpr float kMagic = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
  float xc = x < -104.0f ? -104.0f : x;  // e^-104 rounds to 0
  xc = xc > 89.0f ? 89.0f : xc;          // e^89 overflows to inf
  const float fn0 = fmadd(xc, 1.44269504088896341f, kMagic);
  const int32_t n = int32_t(std::bit_cast<uint32_t>(fn0) - std::bit_cast<uint32_t>(kMagic));
  const float fn = fn0 - kMagic;
  float r = fmadd(fn, -0.693359375f, xc);
  r = fmadd(fn, 2.12194440e-4f, r);
  float p = 1.9875691500e-4f;
  p = fmadd(p, r, 1.3981999507e-3f);
  p = fmadd(p, r, 8.3334519073e-3f);
  p = fmadd(p, r, 4.1665795894e-2f);
  p = fmadd(p, r, 1.6666665459e-1f);
  p = fmadd(p, r, 5.0000001201e-1f);
  const float y = fmadd(p, r * r, r) + 1.0f;
  const int32_t n1 = n >> 1;
  const int32_t n2 = n - n1;
  const float s1 = std::bit_cast<float>(uint32_t(n1 + 127) << 23);
  const float s2 = std::bit_cast<float>(uint32_t(n2 + 127) << 23);
  const float res = y * s1 * s2;
  return x != x ? x : res;
}

// Natural logarithm (Cephes logf): x = m 2^e with m in [sqrt(1/2), sqrt(2)),
// log(m) by a minimax polynomial. Subnormal inputs are rescaled first.
// log(+-0) = -inf, log(x<0) = nan, log(inf) = inf.
NB_VM_INLINE float log_f32(float x) {
  // Tests are on the bit pattern and selects pick constants only: GCC will
  // not if-convert (so not vectorise) float compares that it has duplicated
  // into conditional paths, since they "could trap".
  const uint32_t ix = std::bit_cast<uint32_t>(x);
  const bool sub = ix < 0x00800000u;  // +0 or positive subnormal
  const uint32_t bits = std::bit_cast<uint32_t>(x * (sub ? 8388608.0f : 1.0f));  // * 2^23
  const uint32_t mant = bits & 0x007fffffu;
  const bool lo = mant < 0x003504f3u;  // m < sqrt(1/2), m in [0.5, 1)
  const int32_t e = int32_t((bits >> 23) & 0xffu) - (sub ? 149 : 126) - (lo ? 1 : 0);
  const float m = std::bit_cast<float>(mant | (lo ? 0x3f800000u : 0x3f000000u)) - 1.0f;
  // float(e) via the 1.5 * 2^23 trick (GCC treats int->float as trapping).
  const float fe = std::bit_cast<float>(uint32_t(0x4b400000 + e)) - 12582912.0f;
  const float z = m * m;
  float y = 7.0376836292e-2f;
  y = fmadd(y, m, -1.1514610310e-1f);
  y = fmadd(y, m, 1.1676998740e-1f);
  y = fmadd(y, m, -1.2420140846e-1f);
  y = fmadd(y, m, 1.4249322787e-1f);
  y = fmadd(y, m, -1.6668057665e-1f);
  y = fmadd(y, m, 2.0000714765e-1f);
  y = fmadd(y, m, -2.4999993993e-1f);
  y = fmadd(y, m, 3.3333331174e-1f);
  y = y * m * z;
  y = fmadd(fe, -2.12194440e-4f, y);
  y = fmadd(z, -0.5f, y);
  const float res = fmadd(fe, 0.693359375f, m + y);
  const uint32_t ax = ix & 0x7fffffffu;
  const float special = ax == 0 ? -std::numeric_limits<float>::infinity()
                        : ax > 0x7f800000u || ix == 0x7f800000u ? x  // nan, +inf
                                                                : std::numeric_limits<float>::quiet_NaN();
  return (ix - 1u) < 0x7f7fffffu ? res : special;  // finite positive: 0 < ix < 0x7f800000
}

// tanh: odd minimax polynomial (Cephes tanhf) for |x| < 0.625, else
// 1 - 2 / (e^{2|x|} + 1); computed for |x|, then the sign bit of x is
// copied over (so tanh(-0) = -0).
NB_VM_INLINE float tanh_f32(float x) {
  const float ax = std::fabs(x);
  const float z = ax * ax;
  float p = -5.70498872745e-3f;
  p = fmadd(p, z, 2.06390887954e-2f);
  p = fmadd(p, z, -5.37397155531e-2f);
  p = fmadd(p, z, 1.33314422036e-1f);
  p = fmadd(p, z, -3.33332819422e-1f);
  const float small = fmadd(p * z, ax, ax);
  const float e = exp_f32(2.0f * ax);
  const float big = 1.0f - 2.0f / (e + 1.0f);
  const float r = ax < 0.625f ? small : big;
  return std::bit_cast<float>(std::bit_cast<uint32_t>(r) | (std::bit_cast<uint32_t>(x) & 0x80000000u));
}

// 1 / (1 + e^-x), computed from e^-|x| so that neither side overflows and
// large negative x keeps its relative accuracy (e^x / (1 + e^x)).
NB_VM_INLINE float sigmoid_f32(float x) {
  const float e = exp_f32(-std::fabs(x));
  const float r = 1.0f / (1.0f + e);
  return x >= 0.0f ? r : e * r;
}

}  // namespace nabla::cpu::vm
