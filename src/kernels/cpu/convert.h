// Element conversion between storage types with defined results everywhere:
// float -> integer truncates toward zero, saturates at the integer range and
// maps NaN to 0 (C++ leaves those cases undefined); anything -> bool is x != 0.
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "nabla/core/half.h"

namespace nabla::cpu {

template <typename T> inline constexpr bool is_half_v =
    std::is_same_v<T, float16_t> || std::is_same_v<T, bfloat16_t>;

// The type arithmetic on T is done in (float for half types).
template <typename T> using compute_t = std::conditional_t<is_half_v<T>, float, T>;

template <typename D, typename S> inline D convert(S s) {
  if constexpr (std::is_same_v<D, S>) {
    return s;
  } else if constexpr (std::is_same_v<D, bool>) {
    return static_cast<compute_t<S>>(s) != compute_t<S>(0);
  } else if constexpr (is_half_v<D>) {
    return D(static_cast<float>(static_cast<compute_t<S>>(s)));
  } else if constexpr (std::is_integral_v<D> && !std::is_integral_v<S>) {
    const double v = static_cast<double>(static_cast<compute_t<S>>(s));
    if (std::isnan(v)) return D(0);
    if (v <= double(std::numeric_limits<D>::min())) return std::numeric_limits<D>::min();
    if (v >= double(std::numeric_limits<D>::max())) return std::numeric_limits<D>::max();
    return static_cast<D>(v);
  } else {
    return static_cast<D>(static_cast<compute_t<S>>(s));
  }
}

}  // namespace nabla::cpu
