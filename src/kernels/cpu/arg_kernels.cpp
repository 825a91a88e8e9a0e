// CPU kernels: ArgMax, ArgMin. The first index wins on ties; a NaN counts as
// larger (ArgMax) / smaller (ArgMin) than any number, so the first NaN wins.
#include <cmath>
#include <type_traits>

#include "kernels/cpu/axis_split.h"
#include "kernels/cpu/elementwise_loops.h"

namespace nabla::cpu {
namespace {

constexpr int64_t kGrain = 32768;

// True when v replaces the current best b.
template <typename T, bool kMax> inline bool better(T v, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if constexpr (kMax) return v > b || (v != v && b == b);
    else return v < b || (v != v && b == b);
  } else {
    if constexpr (kMax) return v > b;
    else return v < b;
  }
}

// Index of the extreme of a contiguous row (n >= 1): a vectorised pass for
// the value (NaN-ignoring, with a NaN flag), then a search for its first index.
template <typename T, bool kMax> int64_t arg_row(const T* __restrict x, int64_t n) {
  constexpr int K = int(128 / sizeof(T));
  T a[K];
  unsigned char nan[K] = {};
  for (int j = 0; j < K; ++j) a[j] = x[0];
  int64_t i = 0;
  for (; i + K <= n; i += K) {
    for (int j = 0; j < K; ++j) {
      const T v = x[i + j];
      if constexpr (kMax) a[j] = v > a[j] ? v : a[j];
      else a[j] = v < a[j] ? v : a[j];
      if constexpr (std::is_floating_point_v<T>) nan[j] |= (v != v);
    }
  }
  T m = a[0];
  bool any_nan = false;
  for (int j = 0; j < K; ++j) {
    if constexpr (kMax) m = a[j] > m ? a[j] : m;
    else m = a[j] < m ? a[j] : m;
    any_nan |= nan[j] != 0;
  }
  for (; i < n; ++i) {
    if constexpr (kMax) m = x[i] > m ? x[i] : m;
    else m = x[i] < m ? x[i] : m;
    if constexpr (std::is_floating_point_v<T>) any_nan |= x[i] != x[i];
  }
  if constexpr (std::is_floating_point_v<T>) {
    if (any_nan || m != m) {
      for (int64_t k = 0; k < n; ++k)
        if (x[k] != x[k]) return k;
    }
  }
  for (int64_t k = 0; k < n; ++k)
    if (x[k] == m) return k;
  return 0;
}

template <typename T, bool kMax> void arg_kernel(Inputs in, std::span<Tensor> out, const Attrs& a) {
  if (out[0].size() == 0) return;
  const Tensor x = in[0].contiguous();
  const int64_t axis = normalize_axis(a.get<int64_t>("axis"), x.rank(), kMax ? "ArgMax" : "ArgMin");
  const AxisSplit sp = split_at_axis(x.shape(), axis);
  const T* p = x.data<T>();
  int64_t* o = out[0].mutable_data<int64_t>();
  const int64_t n = sp.n, inner = sp.inner;
  if (inner == 1) {
    parallel_for(0, sp.outer, std::max<int64_t>(1, kGrain / n), [&](int64_t b, int64_t e) {
      for (int64_t r = b; r < e; ++r) o[r] = arg_row<T, kMax>(p + r * n, n);
    });
    return;
  }
  const int64_t nc = (inner + kAxisColChunk - 1) / kAxisColChunk;
  const int64_t work = n * std::min(inner, kAxisColChunk);
  parallel_for(0, sp.outer * nc, std::max<int64_t>(1, kGrain / work), [&](int64_t b, int64_t e) {
    T best[kAxisColChunk];
    int64_t bi[kAxisColChunk];
    for (int64_t task = b; task < e; ++task) {
      const int64_t oi = task / nc, c0 = (task % nc) * kAxisColChunk;
      const int64_t w = std::min(kAxisColChunk, inner - c0);
      const T* base = p + oi * n * inner + c0;
      for (int64_t j = 0; j < w; ++j) {
        best[j] = base[j];
        bi[j] = 0;
      }
      for (int64_t k = 1; k < n; ++k) {
        const T* row = base + k * inner;
        for (int64_t j = 0; j < w; ++j) {
          const bool u = better<T, kMax>(row[j], best[j]);
          best[j] = u ? row[j] : best[j];
          bi[j] = u ? k : bi[j];
        }
      }
      int64_t* dst = o + oi * inner + c0;
      for (int64_t j = 0; j < w; ++j) dst[j] = bi[j];
    }
  });
}

template <bool kMax, typename... Ts> void register_arg(const char* name) {
  (register_kernel(name, DeviceType::CPU, {dtype_of<Ts>()}, &arg_kernel<Ts, kMax>), ...);
}

NB_REGISTER_KERNELS(kArgKernels) {
  register_arg<true, float, double, int8_t, int16_t, int32_t, int64_t, uint8_t>("ArgMax");
  register_arg<false, float, double, int8_t, int16_t, int32_t, int64_t, uint8_t>("ArgMin");
}

}  // namespace
}  // namespace nabla::cpu
