// Neural-network ops with an axis: Softmax, LogSoftmax (definitions and the
// public API of nabla/ops/nn.h). Kernels: src/kernels/cpu/softmax_kernels.cpp.
#include "nabla/ops/nn.h"

#include "nabla/ops/elementwise.h"
#include "nabla/ops/reduce.h"
#include "nabla/ops/registry.h"
#include "ops/op_util.h"

namespace nabla {
namespace {

// Same shape and dtype as the input; float types only; "axis" must be valid.
std::vector<TensorSpec> infer_softmax(const char* name, Inputs in, const Attrs& a) {
  ops::check_dtype_in(name, 0, in[0], ops::kFloatTypes);
  NB_CHECK(in[0].rank() >= 1, InvalidArgument, name, ": logits must have >= 1 dimension, got shape ",
           in[0].shape().str());
  normalize_axis(a.get<int64_t>("axis"), in[0].rank(), name);
  return {{in[0].shape(), in[0].dtype()}};
}

NB_REGISTER_OP(kSoftmax) {
  OpDef d;
  d.name = "Softmax";
  d.onnx_name = "Softmax";
  d.min_inputs = d.max_inputs = 1;
  d.attr_names = {"axis"};
  d.infer = [](Inputs in, const Attrs& a) { return infer_softmax("Softmax", in, a); };
  // dx = (g - sum(g * y, axis)) * y
  d.gradient = [](const GradContext& ctx) -> TensorList {
    const Tensor &y = ctx.outputs[0], &g = ctx.output_grads[0];
    const int64_t axis = ctx.attrs.get<int64_t>("axis");
    return {(g - reduce_sum(g * y, {axis}, true)) * y};
  };
  return d;
}

NB_REGISTER_OP(kLogSoftmax) {
  OpDef d;
  d.name = "LogSoftmax";
  d.onnx_name = "LogSoftmax";
  d.min_inputs = d.max_inputs = 1;
  d.attr_names = {"axis"};
  d.infer = [](Inputs in, const Attrs& a) { return infer_softmax("LogSoftmax", in, a); };
  // dx = g - softmax(x) * sum(g, axis), with softmax(x) = exp(y) (stable: y <= 0)
  d.gradient = [](const GradContext& ctx) -> TensorList {
    const Tensor &y = ctx.outputs[0], &g = ctx.output_grads[0];
    const int64_t axis = ctx.attrs.get<int64_t>("axis");
    return {g - exp(y) * reduce_sum(g, {axis}, true)};
  };
  return d;
}

}  // namespace

Tensor softmax(const Tensor& x, int64_t axis) { return call_op1(kSoftmax, {x}, {{"axis", axis}}); }
Tensor log_softmax(const Tensor& x, int64_t axis) { return call_op1(kLogSoftmax, {x}, {{"axis", axis}}); }

}  // namespace nabla
