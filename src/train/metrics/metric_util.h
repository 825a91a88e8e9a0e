// Helpers shared by the metric implementations (internal): CPU access,
// NumPy broadcasting of index maps, means over trailing axes, Keras's argmax.
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "nabla/core/tensor.h"

namespace nabla::metrics::metric_detail {

// t itself when contiguous, else a contiguous copy; throws InvalidArgument
// for an undefined tensor and Unimplemented for a tensor not on the CPU.
Tensor cpu_contiguous(const Tensor& t, const std::string& metric, const char* what);

// For each element of shape `to` (row-major), the flat index of the element
// of a tensor of shape `from` that NumPy's broadcast_to maps onto it. Throws
// InvalidArgument naming both shapes when `from` does not broadcast to `to`.
std::vector<int64_t> broadcast_index(const Shape& from, const Shape& to, const std::string& metric,
                                     const char* what);

// Replaces row-major `v` of shape `shape` by its means over the axes
// [keep, rank) (NaN for empty blocks); `shape` becomes shape[:keep].
void mean_trailing(std::vector<double>& v, Shape& shape, int64_t keep);

// Keras's argmax key: -0.0 ranks below +0.0 (replaced by -tiny).
template <typename T> inline T argmax_key(T v) {
  if constexpr (std::is_floating_point_v<T>) return (v == T(0) && std::signbit(v)) ? -std::numeric_limits<T>::min() : v;
  else return v;
}
template <typename T> inline bool is_nan(T v) {
  if constexpr (std::is_floating_point_v<T>) return std::isnan(v);
  else return false;
}
// Index of the first largest element of x[0..n) (n >= 1) under argmax_key,
// as tf.argmax: NaNs rank below every number (index 0 when all are NaN).
template <typename T> int64_t row_argmax_exact(const T* x, int64_t n) {
  int64_t best = 0;
  T bv = argmax_key(x[0]);
  for (int64_t i = 1; i < n; ++i) {
    const T v = argmax_key(x[i]);
    if (v > bv || (is_nan(bv) && !is_nan(v))) {
      best = i;
      bv = v;
    }
  }
  return best;
}
// row_argmax_exact with a plain comparison loop for the common case (no NaN,
// maximum not zero), where the result is the same.
template <typename T> inline int64_t row_argmax(const T* x, int64_t n) {
  int64_t best = 0;
  T bv = x[0];
  bool special = is_nan(bv);
  for (int64_t i = 1; i < n; ++i) {
    const T v = x[i];
    if (v > bv) {
      best = i;
      bv = v;
    }
    special |= is_nan(v);
  }
  if (special || bv == T(0)) [[unlikely]]
    return row_argmax_exact(x, n);
  return best;
}

// The NumPy broadcast of two shapes; InvalidArgument naming both otherwise.
Shape broadcast_shape(const Shape& a, const Shape& b, const std::string& metric);

// y_pred as a contiguous float32/float64 CPU tensor (other dtypes are cast to float32).
Tensor float_pred(const Tensor& y_pred, const std::string& metric);

// Calls f(const T* data) with T the storage type of contiguous tensor t.
template <typename F> inline void visit_data(const Tensor& t, F&& f) {
  visit_dtype(t.dtype(), [&]<typename T>() { f(static_cast<const T*>(t.raw_data())); });
}
// As visit_data for a float32/float64 tensor.
template <typename F> inline void visit_float_data(const Tensor& t, F&& f) {
  if (t.dtype() == DType::float32) f(t.data<float>());
  else f(t.data<double>());
}

// Element i of a contiguous tensor's data of storage type T, as double.
template <typename T> inline double as_double(T v) {
  if constexpr (std::is_arithmetic_v<T>) return double(v);
  else return double(float(v));  // float16 / bfloat16
}

// The elements of contiguous CPU tensor t converted to D (no op runs, so
// nothing is recorded on a tape).
template <typename D> inline std::vector<D> read_as(const Tensor& t) {
  std::vector<D> out(static_cast<size_t>(t.size()));
  visit_data(t, [&](const auto* p) {
    for (size_t i = 0; i < out.size(); ++i) out[i] = D(as_double(p[i]));
  });
  return out;
}

}  // namespace nabla::metrics::metric_detail
