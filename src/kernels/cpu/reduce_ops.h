// Reduction functors and kernel templates shared by the reduce_*_kernels.cpp
// files (split so each translation unit compiles quickly). Include once per
// .cpp, after reduce_engine.h; everything is in an anonymous namespace.
#pragma once
// Reductions are bound by memory bandwidth; full-width (512-bit) vectors
// halve the load instructions per cache line, which keeps more lines in
// flight. Applies to the including translation unit from here on.
#if defined(__AVX512F__) && defined(__GNUC__) && !defined(__clang__)
#pragma GCC target("prefer-vector-width=512")
#endif
#include <cmath>
#include <limits>
#include <type_traits>

#include "kernels/cpu/elementwise_loops.h"
#include "kernels/cpu/exp_rows.h"
#include "kernels/cpu/reduce_engine.h"
#include "ops/op_util.h"

namespace nabla::cpu {
namespace {


template <typename T> inline constexpr bool is_float_v = std::is_floating_point_v<T>;

// Accumulator of sums and products: the type itself for floats; for integers
// an unsigned type, where overflow wraps around as in TensorFlow.
template <typename T, bool = is_float_v<T>> struct SumAcc { using type = T; };
template <typename T> struct SumAcc<T, false> { using type = std::make_unsigned_t<T>; };
template <typename T> using sum_acc_t = typename SumAcc<T>::type;
template <typename T> using wide_acc_t = std::conditional_t<is_float_v<T>, T, uint64_t>;
// Integer -> uint64_t with sign extension (exact modulo 2^64).
template <typename T> inline uint64_t to_u64(T v) { return uint64_t(int64_t(v)); }
// v in its wide accumulator type (floats unchanged).
template <typename T> inline wide_acc_t<T> widen(T v) {
  if constexpr (is_float_v<T>) return v;
  else return to_u64(v);
}

template <typename T> struct SumRed {
  using In = T;
  using Acc = sum_acc_t<T>;
  using Out = T;
  static constexpr bool kCascade = true;
  static Acc init() { return Acc(0); }
  static Acc map(T v) { return Acc(v); }
  static Acc combine(Acc a, Acc b) { return Acc(a + b); }
  static Out finalize(Acc a, int64_t) { return Out(a); }
};

// Integer means are accumulated in 64 bits and truncated toward zero (the
// exact truncated mean; TensorFlow's may wrap when the sum overflows the
// dtype). The mean of nothing is NaN for floats and 0 for integers.
template <typename T> struct MeanRed {
  using In = T;
  using Acc = wide_acc_t<T>;
  using Out = T;
  static constexpr bool kCascade = true;
  static Acc init() { return Acc(0); }
  static Acc map(T v) { return widen(v); }
  static Acc combine(Acc a, Acc b) { return a + b; }
  static Out finalize(Acc a, int64_t n) {
    if constexpr (is_float_v<T>) {
      return n == 0 ? std::numeric_limits<T>::quiet_NaN() : T(a / T(n));
    } else {
      if (n == 0) return T(0);
      if constexpr (std::is_signed_v<T>) return T(int64_t(a) / n);
      else return T(a / uint64_t(n));
    }
  }
};

template <typename T> struct ProdRed {
  using In = T;
  using Acc = wide_acc_t<T>;
  using Out = T;
  static constexpr bool kCascade = true;
  static Acc init() { return Acc(1); }
  static Acc map(T v) { return widen(v); }
  static Acc combine(Acc a, Acc b) { return a * b; }
  static Out finalize(Acc a, int64_t) { return Out(a); }
};

// Max/min propagate NaN (a NaN anywhere gives NaN). Empty: -inf/+inf for
// floats, the lowest/highest value for integers (as TensorFlow).
template <typename T> struct MaxRed {
  using In = T;
  using Acc = T;
  using Out = T;
  static constexpr bool kCascade = false;
  static Acc init() {
    if constexpr (is_float_v<T>) return -std::numeric_limits<T>::infinity();
    else return std::numeric_limits<T>::lowest();
  }
  static Acc map(T v) { return v; }
  static Acc combine(Acc a, Acc b) {
    if constexpr (is_float_v<T>) return (b > a || b != b) ? b : a;
    else return b > a ? b : a;
  }
  static Out finalize(Acc a, int64_t) { return a; }
};

template <typename T> struct MinRed {
  using In = T;
  using Acc = T;
  using Out = T;
  static constexpr bool kCascade = false;
  static Acc init() {
    if constexpr (is_float_v<T>) return std::numeric_limits<T>::infinity();
    else return std::numeric_limits<T>::max();
  }
  static Acc map(T v) { return v; }
  static Acc combine(Acc a, Acc b) {
    if constexpr (is_float_v<T>) return (b < a || b != b) ? b : a;
    else return b < a ? b : a;
  }
  static Out finalize(Acc a, int64_t) { return a; }
};

struct AnyRed {
  using In = bool;
  using Acc = uint8_t;
  using Out = bool;
  static constexpr bool kCascade = false;
  static Acc init() { return 0; }
  static Acc map(bool v) { return uint8_t(v); }
  static Acc combine(Acc a, Acc b) { return uint8_t(a | b); }
  static Out finalize(Acc a, int64_t) { return a != 0; }
};

struct AllRed {
  using In = bool;
  using Acc = uint8_t;
  using Out = bool;
  static constexpr bool kCascade = false;
  static Acc init() { return 1; }
  static Acc map(bool v) { return uint8_t(v); }
  static Acc combine(Acc a, Acc b) { return uint8_t(a & b); }
  static Out finalize(Acc a, int64_t) { return a != 0; }
};

[[maybe_unused]] std::vector<int64_t> kernel_axes(const Tensor& x, const Attrs& a) {
  return ops::normalize_axes(ops::int_list(a, "axes"), x.rank());
}

template <typename Red> void reduce_kernel(Inputs in, std::span<Tensor> out, const Attrs& a) {
  run_reduction<Red>(in[0], kernel_axes(in[0], a), out[0]);
}

// log(sum(exp(x - m))) + m with m = max(x) where finite, else 0 (as
// TensorFlow): stable, -inf when every input is -inf, NaN when one is NaN.
template <typename T> inline T lse_shift(T m) { return std::isfinite(m) ? m : T(0); }

template <typename T> void logsumexp_kernel(Inputs in, std::span<Tensor> out, const Attrs& a) {
  const Tensor& x = in[0];
  const std::vector<int64_t> axes = kernel_axes(x, a);
  const int64_t M = out[0].size();
  if (M == 0) return;
  T* o = out[0].mutable_data<T>();
  if (x.size() > 0) {
    const ReducePlan p = make_reduce_plan(x, axes);
    if (p.inner_reduced && p.nr == 1 && p.rin[0] == 1) {
      // Each output reduces one contiguous row: max, then sum of exp, fused.
      const T* xp = static_cast<const T*>(x.raw_data());
      const int64_t R = p.R;
      parallel_for(0, M, std::max<int64_t>(1, 16384 / R), [&](int64_t b, int64_t e) {
        for (int64_t m = b; m < e; ++m) {
          const T* row = xp + p.in_offset(m);
          const T shift = lse_shift(row_max(row, R));
          o[p.out_offset(m)] = std::log(row_sum_exp(row, R, shift)) + shift;
        }
      });
      return;
    }
  }
  // General layout: max, exp(x - max) into a temporary, sum.
  Tensor m = Tensor::empty(ops::reduced_shape(x.shape(), axes, true), x.dtype());
  run_reduction<MaxRed<T>>(x, axes, m);
  T* mp = m.mutable_data<T>();
  for (int64_t i = 0; i < M; ++i) mp[i] = lse_shift(mp[i]);
  Tensor e = Tensor::empty(x.shape(), x.dtype());
  const Tensor ops_in[2] = {x, m};
  ElementwiseIter it(e, ops_in);
  it.for_each([](char* const* p, const int64_t* s, int64_t n) {
    for (int64_t i = 0; i < n; ++i)
      *reinterpret_cast<T*>(p[0] + i * s[0]) =
          exp_t<T>(*reinterpret_cast<const T*>(p[1] + i * s[1]) - *reinterpret_cast<const T*>(p[2] + i * s[2]));
  });
  run_reduction<SumRed<T>>(e, axes, out[0]);
  for (int64_t i = 0; i < M; ++i) o[i] = std::log(o[i]) + mp[i];
}

template <template <typename> class Red, typename... Ts> void register_reduce(const char* name) {
  (register_kernel(name, DeviceType::CPU, {dtype_of<Ts>()}, &reduce_kernel<Red<Ts>>), ...);
}
// Registers Red for every numeric kernel dtype (float16/bfloat16 run float32).
template <template <typename> class Red> void register_reduce_numeric(const char* name) {
  register_reduce<Red, float, double, int8_t, int16_t, int32_t, int64_t, uint8_t>(name);
}

}  // namespace
}  // namespace nabla::cpu
