// CPU kernels: Softmax, LogSoftmax along one axis. Over the last axis each
// row is done in one fused sweep (max, exp and sum, scale) while it sits in
// cache, rows in parallel; over another axis, blocks of columns are done
// together with vector operations.
#include <cmath>
#include <cstdint>

#include "kernels/cpu/axis_split.h"
#include "kernels/cpu/elementwise_loops.h"
#include "kernels/cpu/exp_rows.h"

namespace nabla::cpu {
namespace {

constexpr int64_t kGrain = 16384;

template <typename T, bool kLog> void softmax_row(const T* __restrict x, T* __restrict y, int64_t n) {
  const T m = row_max(x, n);
  if constexpr (kLog) {
    const T shift = m + std::log(row_sum_exp(x, n, m));
    for (int64_t i = 0; i < n; ++i) y[i] = x[i] - shift;
  } else {
    const T inv = T(1) / row_exp_sum(x, y, n, m);
    for (int64_t i = 0; i < n; ++i) y[i] *= inv;
  }
}

// Columns [0, w) of an (n, inner) block: softmax along n for each column.
template <typename T, bool kLog>
void softmax_cols(const T* __restrict x, T* __restrict y, int64_t n, int64_t inner, int64_t w) {
  T m[kAxisColChunk], s[kAxisColChunk];
  for (int64_t j = 0; j < w; ++j) {
    m[j] = x[j];
    s[j] = 0;
  }
  for (int64_t k = 1; k < n; ++k) {
    const T* r = x + k * inner;
    for (int64_t j = 0; j < w; ++j) m[j] = r[j] > m[j] ? r[j] : m[j];
  }
  for (int64_t k = 0; k < n; ++k) {
    const T* r = x + k * inner;
    T* o = y + k * inner;
    for (int64_t j = 0; j < w; ++j) {
      const T e = exp_t<T>(r[j] - m[j]);
      if constexpr (!kLog) o[j] = e;
      s[j] += e;
    }
  }
  if constexpr (kLog) {
    for (int64_t j = 0; j < w; ++j) m[j] += std::log(s[j]);
    for (int64_t k = 0; k < n; ++k)
      for (int64_t j = 0; j < w; ++j) y[k * inner + j] = x[k * inner + j] - m[j];
  } else {
    for (int64_t j = 0; j < w; ++j) s[j] = T(1) / s[j];
    for (int64_t k = 0; k < n; ++k)
      for (int64_t j = 0; j < w; ++j) y[k * inner + j] *= s[j];
  }
}

template <typename T, bool kLog> void softmax_kernel(Inputs in, std::span<Tensor> out, const Attrs& a) {
  if (out[0].size() == 0) return;
  const Tensor x = in[0].contiguous();
  const int64_t axis = normalize_axis(a.get<int64_t>("axis"), x.rank(), kLog ? "LogSoftmax" : "Softmax");
  const AxisSplit sp = split_at_axis(x.shape(), axis);
  const T* p = x.data<T>();
  T* o = out[0].mutable_data<T>();
  const int64_t n = sp.n, inner = sp.inner;
  if (inner == 1) {
    parallel_for(0, sp.outer, std::max<int64_t>(1, kGrain / n), [&](int64_t b, int64_t e) {
      for (int64_t r = b; r < e; ++r) softmax_row<T, kLog>(p + r * n, o + r * n, n);
    });
    return;
  }
  const int64_t nc = (inner + kAxisColChunk - 1) / kAxisColChunk;
  const int64_t work = n * std::min(inner, kAxisColChunk);
  parallel_for(0, sp.outer * nc, std::max<int64_t>(1, kGrain / work), [&](int64_t b, int64_t e) {
    for (int64_t task = b; task < e; ++task) {
      const int64_t oi = task / nc, c0 = (task % nc) * kAxisColChunk;
      const int64_t off = oi * n * inner + c0;
      softmax_cols<T, kLog>(p + off, o + off, n, inner, std::min(kAxisColChunk, inner - c0));
    }
  });
}

NB_REGISTER_KERNELS(kSoftmaxKernels) {
  register_kernel("Softmax", DeviceType::CPU, {DType::float32}, &softmax_kernel<float, false>);
  register_kernel("Softmax", DeviceType::CPU, {DType::float64}, &softmax_kernel<double, false>);
  register_kernel("LogSoftmax", DeviceType::CPU, {DType::float32}, &softmax_kernel<float, true>);
  register_kernel("LogSoftmax", DeviceType::CPU, {DType::float64}, &softmax_kernel<double, true>);
}

}  // namespace
}  // namespace nabla::cpu
