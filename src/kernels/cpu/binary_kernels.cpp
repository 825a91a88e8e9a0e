// CPU kernels: FloorDiv, FloorMod, Pow, Minimum, Maximum and ClipByValue.
// Semantics follow TensorFlow: float FloorDiv is floor(a / b), float FloorMod
// is fmod-based with the sign of b; integer division by zero and integer
// negative powers are errors; integer results wrap around on overflow.
#include <cmath>
#include <type_traits>

#include "kernels/cpu/elementwise_loops.h"

namespace nabla::cpu {
namespace {

template <typename T> constexpr bool kFloat = std::is_floating_point_v<T>;

template <typename T> void check_divisor(T b) {
  NB_CHECK(b != T(0), InvalidArgument, "Integer division by zero");
}

// Python's a // b.
struct FloorDivOp {
  template <typename T> static T f(T a, T b) {
    if constexpr (kFloat<T>) {
      return std::floor(a / b);
    } else {
      check_divisor(b);
      if constexpr (std::is_signed_v<T>) {
        if (b == T(-1)) return T(std::make_unsigned_t<T>(0) - std::make_unsigned_t<T>(a));  // INT_MIN wraps
        const T q = T(a / b);
        return (a % b != 0 && ((a < 0) != (b < 0))) ? T(q - 1) : q;
      } else {
        return T(a / b);
      }
    }
  }
};

// Python's a % b: the result has the sign of b (tf.math.floormod).
struct FloorModOp {
  template <typename T> static T f(T a, T b) {
    if constexpr (kFloat<T>) {
      const T r = std::fmod(a, b);
      return (r != T(0) && ((b < T(0)) != (r < T(0)))) ? r + b : r;
    } else {
      check_divisor(b);
      if constexpr (std::is_signed_v<T>) {
        if (b == T(-1)) return T(0);  // INT_MIN % -1 would trap
        const T r = T(a % b);
        return (r != 0 && ((r < 0) != (b < 0))) ? T(r + b) : r;
      } else {
        return T(a % b);
      }
    }
  }
};

// Floats: std::pow. Integers: exponentiation by squaring, wrapping around.
struct PowOp {
  template <typename T> static T f(T a, T b) {
    if constexpr (kFloat<T>) {
      return std::pow(a, b);
    } else {
      if constexpr (std::is_signed_v<T>)
        NB_CHECK(b >= 0, InvalidArgument, "Integers to negative integer powers are not allowed");
      uint64_t result = 1, base = uint64_t(a);
      for (uint64_t e = uint64_t(b); e != 0; e >>= 1) {
        if (e & 1u) result *= base;
        base *= base;
      }
      return T(result);
    }
  }
};

// NaN-propagating min/max (as TensorFlow); written as selects so they vectorise.
template <typename T> T min_nan(T a, T b) {
  if constexpr (kFloat<T>) return ((a < b) | (a != a)) ? a : b;
  else return a < b ? a : b;
}
template <typename T> T max_nan(T a, T b) {
  if constexpr (kFloat<T>) return ((a > b) | (a != a)) ? a : b;
  else return a > b ? a : b;
}
struct MinimumOp { template <typename T> static T f(T a, T b) { return min_nan(a, b); } };
struct MaximumOp { template <typename T> static T f(T a, T b) { return max_nan(a, b); } };

// tf.clip_by_value: maximum(minimum(x, hi), lo), nan if any operand is nan.
// Plain selects plus one nan test: the composition of min_nan/max_nan
// compiles to branches instead of vector code.
template <typename T> T clip_value(T x, T lo, T hi) {
  const T m = x < hi ? x : hi;
  const T r = m > lo ? m : lo;
  if constexpr (kFloat<T>) {
    const bool nan = (x != x) | (lo != lo) | (hi != hi);
    return nan ? T(x + lo + hi) : r;
  } else {
    return r;
  }
}

// Fast paths for contiguous operands and for scalar bounds.
template <typename T> void clip_kernel(Inputs in, std::span<Tensor> out, const Attrs&) {
  ElementwiseIter it(out[0], in);
  it.for_each([](char* const* p, const int64_t* s, int64_t n) {
    T* o = reinterpret_cast<T*>(p[0]);
    const T* x = reinterpret_cast<const T*>(p[1]);
    const T* lo = reinterpret_cast<const T*>(p[2]);
    const T* hi = reinterpret_cast<const T*>(p[3]);
    constexpr int64_t ts = sizeof(T);
    if (s[0] == ts && s[1] == ts && s[2] == 0 && s[3] == 0) {
      const T l = *lo, h = *hi;
      for (int64_t i = 0; i < n; ++i) o[i] = clip_value(x[i], l, h);
    } else if (s[0] == ts && s[1] == ts && s[2] == ts && s[3] == ts) {
      for (int64_t i = 0; i < n; ++i) o[i] = clip_value(x[i], lo[i], hi[i]);
    } else {
      for (int64_t i = 0; i < n; ++i) {
        const T xv = *reinterpret_cast<const T*>(p[1] + i * s[1]);
        const T lv = *reinterpret_cast<const T*>(p[2] + i * s[2]);
        const T hv = *reinterpret_cast<const T*>(p[3] + i * s[3]);
        *reinterpret_cast<T*>(p[0] + i * s[0]) = clip_value(xv, lv, hv);
      }
    }
  });
}

template <typename Op> void reg_numeric(const char* name) {
  register_binary<Op, float, double, int8_t, int16_t, int32_t, int64_t, uint8_t>(name);
}
template <typename T> void reg_clip() {
  register_kernel("ClipByValue", DeviceType::CPU, {dtype_of<T>()}, &clip_kernel<T>);
}

NB_REGISTER_KERNELS(kBinary) {
  reg_numeric<FloorDivOp>("FloorDiv");
  reg_numeric<FloorModOp>("FloorMod");
  reg_numeric<PowOp>("Pow");
  reg_numeric<MinimumOp>("Minimum");
  reg_numeric<MaximumOp>("Maximum");
  reg_clip<float>();
  reg_clip<double>();
  reg_clip<int8_t>();
  reg_clip<int16_t>();
  reg_clip<int32_t>();
  reg_clip<int64_t>();
  reg_clip<uint8_t>();
}

}  // namespace
}  // namespace nabla::cpu
