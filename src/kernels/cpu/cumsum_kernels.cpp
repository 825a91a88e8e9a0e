// CPU kernel: Cumsum (tf.math.cumsum) with exclusive/reverse. Integer sums
// wrap around (as TensorFlow); floats accumulate in their own type.
#include <type_traits>

#include "kernels/cpu/axis_split.h"
#include "kernels/cpu/elementwise_loops.h"

namespace nabla::cpu {
namespace {

constexpr int64_t kGrain = 32768;

// Floats accumulate in their own type; integers in the unsigned type of the
// same width, where overflow wraps around.
template <typename T, bool = std::is_floating_point_v<T>> struct ScanAcc { using type = T; };
template <typename T> struct ScanAcc<T, false> { using type = std::make_unsigned_t<T>; };

template <typename T> void cumsum_kernel(Inputs in, std::span<Tensor> out, const Attrs& a) {
  using Acc = typename ScanAcc<T>::type;
  if (out[0].size() == 0) return;
  const Tensor x = in[0].contiguous();
  const int64_t axis = normalize_axis(a.get<int64_t>("axis"), x.rank(), "Cumsum");
  const bool exclusive = a.get_or<bool>("exclusive", false);
  const bool reverse = a.get_or<bool>("reverse", false);
  const AxisSplit sp = split_at_axis(x.shape(), axis);
  const T* p = x.data<T>();
  T* o = out[0].mutable_data<T>();
  const int64_t n = sp.n, inner = sp.inner;
  const int64_t cw = std::min(inner, kAxisColChunk);
  const int64_t nc = (inner + cw - 1) / cw;
  parallel_for(0, sp.outer * nc, std::max<int64_t>(1, kGrain / (n * cw)), [&](int64_t b, int64_t e) {
    Acc acc[kAxisColChunk];
    for (int64_t task = b; task < e; ++task) {
      const int64_t oi = task / nc, c0 = (task % nc) * cw;
      const int64_t w = std::min(cw, inner - c0);
      // Row k of the scan (in scan order) starts at element at(k).
      auto at = [&](int64_t k) { return (oi * n + (reverse ? n - 1 - k : k)) * inner + c0; };
      if (w == 1) {
        Acc s = Acc(0);
        for (int64_t k = 0; k < n; ++k) {
          const int64_t i = at(k);
          const Acc v = Acc(p[i]);
          if (exclusive) {
            o[i] = T(s);
            s = Acc(s + v);
          } else {
            s = Acc(s + v);
            o[i] = T(s);
          }
        }
        continue;
      }
      for (int64_t j = 0; j < w; ++j) acc[j] = Acc(0);
      for (int64_t k = 0; k < n; ++k) {
        const T* src = p + at(k);
        T* dst = o + at(k);
        if (exclusive) {
          for (int64_t j = 0; j < w; ++j) {
            dst[j] = T(acc[j]);
            acc[j] = Acc(acc[j] + Acc(src[j]));
          }
        } else {
          for (int64_t j = 0; j < w; ++j) {
            acc[j] = Acc(acc[j] + Acc(src[j]));
            dst[j] = T(acc[j]);
          }
        }
      }
    }
  });
}

template <typename... Ts> void register_cumsum() {
  (register_kernel("Cumsum", DeviceType::CPU, {dtype_of<Ts>()}, &cumsum_kernel<Ts>), ...);
}

NB_REGISTER_KERNELS(kCumsumKernels) {
  register_cumsum<float, double, int8_t, int16_t, int32_t, int64_t, uint8_t>();
}

}  // namespace
}  // namespace nabla::cpu
