// "FusedBatchNorm": batch normalisation in one op (TensorFlow's
// FusedBatchNormV3). Outputs y, the batch mean and the biased batch variance
// (training) or the given mean and variance (inference). Its gradient is
// written with registry ops, so it can be differentiated again. Kernels:
// src/kernels/cpu/batch_norm_kernels.cpp.
#include "nabla/ops/normalization.h"

#include "nabla/ops/creation.h"
#include "nabla/ops/elementwise.h"
#include "nabla/ops/reduce.h"
#include "nabla/ops/shape_ops.h"
#include "ops/conv_geometry.h"
#include "ops/op_util.h"

namespace nabla {
namespace {

int64_t channel_axis(const Tensor& x, const Attrs& a) {
  return ops::is_channels_first(a.get_or<std::string>("data_format", "channels_last")) ? 1 : x.rank() - 1;
}

// Every axis but the channel axis.
Axes reduce_axes(const Tensor& x, int64_t caxis) {
  Axes r;
  for (int64_t i = 0; i < x.rank(); ++i)
    if (i != caxis) r.push_back(i);
  return r;
}

// A (C) vector shaped to broadcast against x along the channel axis.
Tensor per_channel(const Tensor& v, const Tensor& x, int64_t caxis) {
  if (caxis == x.rank() - 1) return v;
  Shape s(size_t(x.rank() - caxis), 1);
  s[0] = v.shape()[0];
  return reshape(v, s);
}

NB_REGISTER_OP(kFusedBatchNorm) {
  OpDef d;
  d.name = "FusedBatchNorm";
  d.onnx_name = "BatchNormalization";
  d.min_inputs = d.max_inputs = 5;
  d.num_outputs = 3;
  d.attr_names = {"epsilon", "is_training", "data_format"};
  d.infer = [](Inputs in, const Attrs& a) -> std::vector<TensorSpec> {
    ops::check_same_dtype("FusedBatchNorm", in);
    ops::check_dtype_in("FusedBatchNorm", 0, in[0], ops::kFloatTypes);
    const Tensor& x = in[0];
    NB_CHECK(x.rank() >= 2, InvalidArgument, "FusedBatchNorm: x must have rank >= 2 (batch, ..., channels), got shape ",
             x.shape().str());
    const int64_t c = x.shape()[size_t(channel_axis(x, a))];
    const char* names[] = {"x", "scale", "offset", "mean", "variance"};
    for (int i = 1; i < 5; ++i)
      NB_CHECK(in[i].shape() == Shape{c}, InvalidArgument, "FusedBatchNorm: ", names[i], " must have shape [", c,
               "] (the channels of x ", x.shape().str(), "), got ", in[i].shape().str());
    NB_CHECK(a.get_or<double>("epsilon", 1e-3) >= 0, InvalidArgument, "FusedBatchNorm: epsilon must be >= 0, got ",
             a.get_or<double>("epsilon", 1e-3));
    return {{x.shape(), x.dtype()}, {Shape{c}, x.dtype()}, {Shape{c}, x.dtype()}};
  };
  d.gradient = [](const GradContext& ctx) -> TensorList {
    const Tensor &x = ctx.inputs[0], &scale = ctx.inputs[1];
    const int64_t ca = channel_axis(x, ctx.attrs);
    const Axes ax = reduce_axes(x, ca);
    const bool training = ctx.attrs.get_or<bool>("is_training", true);
    const double eps = ctx.attrs.get_or<double>("epsilon", 1e-3);
    const Tensor &m = ctx.outputs[1], &v = ctx.outputs[2];
    const Tensor inv = rsqrt(v + eps);
    const Tensor xc = x - per_channel(m, x, ca);
    const Tensor xhat = xc * per_channel(inv, x, ca);
    const bool has_gy = ctx.output_grads[0].defined();
    const Tensor gy = has_gy ? ctx.output_grads[0] : zeros_like(x);
    const Tensor sum_gy = reduce_sum(gy, ax);
    const Tensor sum_gy_xhat = reduce_sum(gy * xhat, ax);
    TensorList r(5);
    if (ctx.needs(1)) r[1] = sum_gy_xhat;
    if (ctx.needs(2)) r[2] = sum_gy;
    if (training) {
      if (ctx.needs(0)) {
        const double count = double(x.size()) / double(std::max<int64_t>(1, x.shape()[size_t(ca)]));
        const Tensor k = per_channel(scale * inv, x, ca);
        Tensor dx = k * (gy - per_channel(sum_gy, x, ca) / count - xhat * per_channel(sum_gy_xhat, x, ca) / count);
        if (ctx.output_grads[1].defined()) dx = dx + per_channel(ctx.output_grads[1], x, ca) / count;
        if (ctx.output_grads[2].defined()) dx = dx + per_channel(ctx.output_grads[2], x, ca) * xc * (2.0 / count);
        r[0] = dx;
      }
      // mean and variance are not read in training mode.
      if (ctx.needs(3)) r[3] = zeros_like(ctx.inputs[3]);
      if (ctx.needs(4)) r[4] = zeros_like(ctx.inputs[4]);
    } else {
      const Tensor si = scale * inv;
      if (ctx.needs(0)) r[0] = gy * per_channel(si, x, ca);
      if (ctx.needs(3)) {
        Tensor dm = -(sum_gy * si);
        if (ctx.output_grads[1].defined()) dm = dm + ctx.output_grads[1];
        r[3] = dm;
      }
      if (ctx.needs(4)) {
        Tensor dv = reduce_sum(gy * xc, ax) * si * inv * inv * -0.5;
        if (ctx.output_grads[2].defined()) dv = dv + ctx.output_grads[2];
        r[4] = dv;
      }
    }
    return r;
  };
  return d;
}

}  // namespace

FusedBatchNormResult fused_batch_norm(const Tensor& x, const Tensor& scale, const Tensor& offset, const Tensor& mean,
                                      const Tensor& variance, const FusedBatchNormOptions& options) {
  (void)ops::is_channels_first(options.data_format);  // validates the spelling
  TensorList out = call_op(kFusedBatchNorm, TensorList{x, scale, offset, mean, variance},
                           Attrs{{"epsilon", options.epsilon},
                                 {"is_training", options.training},
                                 {"data_format", options.data_format}});
  return {out[0], out[1], out[2]};
}

Tensor batch_normalization(const Tensor& x, const Tensor& mean, const Tensor& variance, const Tensor& offset,
                           const Tensor& scale, double variance_epsilon) {
  Tensor inv = rsqrt(variance + variance_epsilon);
  if (scale.defined()) inv = inv * scale;
  Tensor y = (x - mean) * inv;
  return offset.defined() ? y + offset : y;
}

}  // namespace nabla
