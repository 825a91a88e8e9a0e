// CPU kernel of FusedBatchNorm. x is viewed as (outer, C, inner): channels_last
// has inner = 1, channels_first has outer = N and inner = the spatial size.
// Training: per-channel mean, then the biased variance from a second pass
// (both accumulated in double, so float32 statistics are exact to rounding);
// then y = x * a + b with a = scale / sqrt(var + eps), b = offset - mean * a.
#include <cmath>
#include <vector>

#include "kernels/cpu/elementwise_loops.h"
#include "nabla/core/thread_pool.h"
#include "nabla/ops/registry.h"
#include "ops/conv_geometry.h"

namespace nabla::cpu {
namespace {

template <typename T> void fused_batch_norm_kernel(Inputs in, std::span<Tensor> out, const Attrs& attrs) {
  const Tensor x = in[0].contiguous();
  const bool cf = ops::is_channels_first(attrs.get_or<std::string>("data_format", "channels_last"));
  const bool training = attrs.get_or<bool>("is_training", true);
  const double eps = attrs.get_or<double>("epsilon", 1e-3);
  const int64_t rank = x.rank();
  const int64_t C = x.shape()[size_t(cf ? 1 : rank - 1)];
  const int64_t outer = cf ? x.shape()[0] : (C > 0 ? x.size() / C : 0);
  const int64_t inner = cf && C > 0 && outer > 0 ? x.size() / (outer * C) : 1;
  const T* xp = x.data<T>();
  const Tensor scale = in[1].contiguous(), offset = in[2].contiguous();
  const Tensor mean_in = in[3].contiguous(), var_in = in[4].contiguous();
  std::vector<double> mean(static_cast<size_t>(C)), var(static_cast<size_t>(C));
  const double count = double(outer * inner);
  if (training) {
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t c = 0; c < C; ++c) {
        const T* r = xp + (o * C + c) * inner;
        double s = 0;
        for (int64_t i = 0; i < inner; ++i) s += double(r[i]);
        mean[size_t(c)] += s;
      }
    for (int64_t c = 0; c < C; ++c) mean[size_t(c)] = count > 0 ? mean[size_t(c)] / count : 0.0;
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t c = 0; c < C; ++c) {
        const T* r = xp + (o * C + c) * inner;
        const double m = mean[size_t(c)];
        double s = 0;
        for (int64_t i = 0; i < inner; ++i) s += (double(r[i]) - m) * (double(r[i]) - m);
        var[size_t(c)] += s;
      }
    for (int64_t c = 0; c < C; ++c) var[size_t(c)] = count > 0 ? var[size_t(c)] / count : 0.0;
  } else {
    for (int64_t c = 0; c < C; ++c) {
      mean[size_t(c)] = double(mean_in.data<T>()[c]);
      var[size_t(c)] = double(var_in.data<T>()[c]);
    }
  }
  std::vector<T> ka(static_cast<size_t>(C)), kb(static_cast<size_t>(C));
  for (int64_t c = 0; c < C; ++c) {
    const double k = double(scale.data<T>()[c]) / std::sqrt(var[size_t(c)] + eps);
    ka[size_t(c)] = T(k);
    kb[size_t(c)] = T(double(offset.data<T>()[c]) - mean[size_t(c)] * k);
  }
  T* y = out[0].mutable_data<T>();
  parallel_for(0, outer, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, C * inner)), [&](int64_t b, int64_t e) {
    for (int64_t o = b; o < e; ++o)
      for (int64_t c = 0; c < C; ++c) {
        const T* r = xp + (o * C + c) * inner;
        T* w = y + (o * C + c) * inner;
        const T a = ka[size_t(c)], bb = kb[size_t(c)];
        if (inner == 1) {
          w[0] = r[0] * a + bb;
        } else {
          for (int64_t i = 0; i < inner; ++i) w[i] = r[i] * a + bb;
        }
      }
  });
  T* bm = out[1].mutable_data<T>();
  T* bv = out[2].mutable_data<T>();
  for (int64_t c = 0; c < C; ++c) {
    bm[c] = T(mean[size_t(c)]);
    bv[c] = T(var[size_t(c)]);
  }
}

NB_REGISTER_KERNELS(kBatchNormKernels) {
  register_kernel("FusedBatchNorm", DeviceType::CPU, {DType::float32}, &fused_batch_norm_kernel<float>);
  register_kernel("FusedBatchNorm", DeviceType::CPU, {DType::float64}, &fused_batch_norm_kernel<double>);
}

}  // namespace
}  // namespace nabla::cpu
