// Cast: dtype conversion (ONNX Cast).
#include "nabla/ops/cast.h"

#include "ops/op_util.h"

namespace nabla {
namespace {

NB_REGISTER_OP(kCast) {
  OpDef d;
  d.name = "Cast";
  d.onnx_name = "Cast";
  d.min_inputs = d.max_inputs = 1;
  d.attr_names = {"dtype"};
  d.half_via_float = false;
  d.infer = [](Inputs in, const Attrs& a) -> std::vector<TensorSpec> {
    return {{in[0].shape(), a.get<DType>("dtype")}};
  };
  // Between floating types the gradient is cast back; other casts carry none.
  d.gradient = [](const GradContext& ctx) -> TensorList {
    const DType from = ctx.inputs[0].dtype();
    if (!is_floating(from) || !is_floating(ctx.outputs[0].dtype())) return {Tensor()};
    return {cast(ctx.output_grads[0], from)};
  };
  for (int t = 0; t < kNumDTypes; ++t)
    d.kernels[int(DeviceType::CPU)][t] = [](Inputs in, std::span<Tensor> out, const Attrs&) {
      detail::copy_into(out[0], in[0]);
    };
  return d;
}

}  // namespace

Tensor cast(const Tensor& x, DType dtype) {
  if (x.defined() && x.dtype() == dtype) return x;
  return call_op1(kCast, {x}, Attrs{{"dtype", dtype}});
}

Tensor detail::contiguous_copy(const Tensor& x) { return call_op1(kCast, {x}, Attrs{{"dtype", x.dtype()}}); }

}  // namespace nabla
