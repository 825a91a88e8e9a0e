#include "autodiff/grad_util.h"

#include "nabla/ops/creation.h"
#include "nabla/ops/reduce.h"
#include "nabla/ops/shape_ops.h"
#include "ops/op_util.h"

namespace nabla::grad {

Tensor unbroadcast(const Tensor& g, const Shape& shape) {
  if (!g.defined() || g.shape() == shape) return g;
  const int64_t lead = g.rank() - shape.rank();
  NB_CHECK(lead >= 0, Internal, "unbroadcast: gradient of shape ", g.shape().str(),
           " cannot be summed to shape ", shape.str());
  std::vector<int64_t> axes;
  for (int64_t i = 0; i < g.rank(); ++i)
    if (i < lead || (shape[size_t(i - lead)] == 1 && g.shape()[size_t(i)] != 1)) axes.push_back(i);
  Tensor r = axes.empty() ? g : reduce_sum(g, axes, true);
  return r.shape() == shape ? r : reshape(r, shape);
}

Tensor output_grad_or_zeros(const GradContext& ctx, size_t i) {
  if (ctx.output_grads[i].defined()) return ctx.output_grads[i];
  return zeros_like(ctx.outputs[i]);
}

Tensor keep_reduced_dims(const Tensor& g, const Shape& in_shape, const std::vector<int64_t>& axes) {
  const Shape kept = ops::reduced_shape(in_shape, axes, true);
  return g.shape() == kept ? g : reshape(g, kept);
}

Tensor expand_reduced(const Tensor& g, const Shape& in_shape, const std::vector<int64_t>& axes) {
  const Tensor k = keep_reduced_dims(g, in_shape, axes);
  return k.shape() == in_shape ? k : broadcast_to(k, in_shape);
}

Tensor scalar_of(double v, const Tensor& like) { return detail::make_from_doubles({v}, {}, like.dtype()); }

TensorList binary_result(const GradContext& ctx, const Tensor& ga, const Tensor& gb) {
  TensorList r(2);
  if (ctx.needs(0) && ga.defined()) r[0] = unbroadcast(ga, ctx.inputs[0].shape());
  if (ctx.needs(1) && gb.defined()) r[1] = unbroadcast(gb, ctx.inputs[1].shape());
  return r;
}

}  // namespace nabla::grad
