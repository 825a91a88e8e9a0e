// Row helpers shared by Softmax/LogSoftmax and ReduceLogSumExp: the maximum
// of a contiguous row and sums of exp(x - m), vectorised (float32 uses
// vm::exp_f32, float64 std::exp).
#pragma once
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "kernels/cpu/vec_math.h"

namespace nabla::cpu {

template <typename T> inline T exp_t(T x) {
  if constexpr (std::is_same_v<T, float>) return vm::exp_f32(x);
  else return std::exp(x);
}

// Lanes of independent accumulators (one 512-bit register's worth).
template <typename T> inline constexpr int kExpLanes = int(64 / sizeof(T));

// Largest of x[0..n) (n >= 1). NaNs are skipped unless x[0] is NaN; callers
// rely on exp(NaN - m) to turn a NaN anywhere into NaN results.
template <typename T> T row_max(const T* __restrict x, int64_t n) {
  constexpr int L = kExpLanes<T>;
  T m = x[0];
  int64_t i = 0;
  if (n >= L) {
    T a[L];
    for (int j = 0; j < L; ++j) a[j] = x[j];
    for (i = L; i + L <= n; i += L)
      for (int j = 0; j < L; ++j) a[j] = x[i + j] > a[j] ? x[i + j] : a[j];
    for (int j = 0; j < L; ++j) m = a[j] > m ? a[j] : m;
  }
  for (; i < n; ++i) m = x[i] > m ? x[i] : m;
  return m;
}

// y[i] = exp(x[i] - m); returns the sum of the y[i].
template <typename T> T row_exp_sum(const T* __restrict x, T* __restrict y, int64_t n, T m) {
  constexpr int L = kExpLanes<T>;
  T a[L] = {};
  int64_t i = 0;
  for (; i + L <= n; i += L)
    for (int j = 0; j < L; ++j) {
      const T e = exp_t<T>(x[i + j] - m);
      y[i + j] = e;
      a[j] += e;
    }
  T s = 0;
  for (; i < n; ++i) {
    const T e = exp_t<T>(x[i] - m);
    y[i] = e;
    s += e;
  }
  for (int j = 0; j < L; ++j) s += a[j];
  return s;
}

// Sum of exp(x[i] - m) without storing the exponentials.
template <typename T> T row_sum_exp(const T* __restrict x, int64_t n, T m) {
  constexpr int L = kExpLanes<T>;
  T a[L] = {};
  int64_t i = 0;
  for (; i + L <= n; i += L)
    for (int j = 0; j < L; ++j) a[j] += exp_t<T>(x[i + j] - m);
  T s = 0;
  for (; i < n; ++i) s += exp_t<T>(x[i] - m);
  for (int j = 0; j < L; ++j) s += a[j];
  return s;
}

}  // namespace nabla::cpu
