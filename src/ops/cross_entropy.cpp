// The fused op SparseSoftmaxCrossEntropyWithLogits (public API in
// nabla/ops/cross_entropy.h). Kernel: src/kernels/cpu/cross_entropy_kernels.cpp.
// Inputs are (logits, labels) as in TensorFlow's raw op; the gradient with
// respect to logits is (softmax(logits) - one_hot(labels)) * upstream[..., None],
// composed of registry ops so that it can be differentiated again.
#include "nabla/ops/cross_entropy.h"

#include "nabla/ops/cast.h"
#include "nabla/ops/creation.h"
#include "nabla/ops/elementwise.h"
#include "nabla/ops/nn.h"
#include "nabla/ops/registry.h"
#include "nabla/ops/shape_ops.h"
#include "ops/op_util.h"

namespace nabla {
namespace {

constexpr const char* kOpName = "SparseSoftmaxCrossEntropyWithLogits";

std::vector<TensorSpec> infer_sparse_xent(Inputs in, const Attrs&) {
  const Tensor& logits = in[0];
  const Tensor& labels = in[1];
  ops::check_dtype_in(kOpName, 0, logits, ops::kFloatTypes);
  NB_CHECK(is_integral(labels.dtype()) || is_floating(labels.dtype()), InvalidArgument, kOpName,
           ": labels must hold class indices in an integer or floating-point dtype, got a ",
           dtype_name(labels.dtype()), " tensor");
  NB_CHECK(logits.rank() >= 1, InvalidArgument, kOpName,
           ": logits must have rank >= 1 (classes on the last axis), got shape ", logits.shape().str());
  const Shape batch(logits.shape().begin(), logits.shape().end() - 1);
  NB_CHECK(labels.shape() == batch, InvalidArgument, kOpName, ": labels must have shape ", batch.str(),
           " (logits shape ", logits.shape().str(), " without its class axis), got labels shape ",
           labels.shape().str());
  return {{batch, logits.dtype()}};
}

NB_REGISTER_OP(kSparseXent) {
  OpDef d;
  d.name = kOpName;
  d.min_inputs = d.max_inputs = 2;
  d.infer = &infer_sparse_xent;
  d.gradient = [](const GradContext& ctx) -> TensorList {
    if (!ctx.needs(0)) return {Tensor(), Tensor()};
    const Tensor& logits = ctx.inputs[0];
    const Tensor& labels = ctx.inputs[1];
    // Float labels were checked to be whole numbers by the forward kernel.
    const Tensor index = is_floating(labels.dtype()) ? cast(labels, DType::int64) : labels;
    const Tensor target = one_hot(index, logits.dim(-1), {.dtype = logits.dtype()});
    return {(softmax(logits, -1) - target) * expand_dims(ctx.output_grads[0], -1), Tensor()};
  };
  return d;
}

}  // namespace

Tensor sparse_softmax_cross_entropy_with_logits(const Tensor& labels, const Tensor& logits) {
  return call_op1(kSparseXent, {logits, labels});
}

}  // namespace nabla
