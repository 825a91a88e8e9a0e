// Reductions: definitions (inference, ONNX names) and the public API of
// nabla/ops/reduce.h. Kernels live in src/kernels/cpu/{reduce,arg,cumsum}_kernels.cpp.
#include "nabla/ops/reduce.h"

#include "nabla/ops/cast.h"
#include "nabla/ops/elementwise.h"
#include "nabla/ops/shape_ops.h"
#include "autodiff/grad_util.h"
#include "ops/op_util.h"

namespace nabla {
namespace {

using ops::check_dtype_in;

// Shape/dtype of a reduction over attribute "axes" (empty = all) with "keepdims".
std::vector<TensorSpec> infer_reduce(const char* name, Inputs in, const Attrs& a,
                                     std::initializer_list<DType> allowed) {
  check_dtype_in(name, 0, in[0], allowed);
  const std::vector<int64_t> axes = ops::normalize_axes(ops::int_list(a, "axes"), in[0].rank());
  return {{ops::reduced_shape(in[0].shape(), axes, a.get_or<bool>("keepdims", false)), in[0].dtype()}};
}

#define NB_DEFINE_REDUCE(IDENT, NAME, ONNX, ALLOWED, DIFF)                       \
  NB_REGISTER_OP(IDENT) {                                                        \
    OpDef d;                                                                     \
    d.name = NAME;                                                               \
    d.onnx_name = ONNX;                                                          \
    d.min_inputs = d.max_inputs = 1;                                             \
    d.attr_names = {"axes", "keepdims"};                                         \
    d.differentiable = DIFF;                                                     \
    d.infer = [](Inputs in, const Attrs& a) { return infer_reduce(NAME, in, a, ALLOWED); }; \
    return d;                                                                    \
  }

constexpr auto kNum = ops::kNumericTypes;
constexpr auto kFloat = ops::kFloatTypes;
constexpr std::initializer_list<DType> kBool = {DType::bool_};

NB_DEFINE_REDUCE(kReduceSum, "ReduceSum", "ReduceSum", kNum, true)
NB_DEFINE_REDUCE(kReduceMean, "ReduceMean", "ReduceMean", kNum, true)
NB_DEFINE_REDUCE(kReduceMax, "ReduceMax", "ReduceMax", kNum, true)
NB_DEFINE_REDUCE(kReduceMin, "ReduceMin", "ReduceMin", kNum, true)
NB_DEFINE_REDUCE(kReduceProd, "ReduceProd", "ReduceProd", kNum, true)
NB_DEFINE_REDUCE(kReduceAny, "ReduceAny", "", kBool, false)
NB_DEFINE_REDUCE(kReduceAll, "ReduceAll", "", kBool, false)
NB_DEFINE_REDUCE(kReduceLogSumExp, "ReduceLogSumExp", "ReduceLogSumExp", kFloat, true)
#undef NB_DEFINE_REDUCE

// ArgMax/ArgMin: attribute "axis"; the axis must not be empty; int64 result.
std::vector<TensorSpec> infer_arg(const char* name, Inputs in, const Attrs& a) {
  const Tensor& x = in[0];
  check_dtype_in(name, 0, x, kNum);
  const int64_t axis = normalize_axis(a.get<int64_t>("axis"), x.rank(), name);
  NB_CHECK(x.shape()[size_t(axis)] > 0, InvalidArgument, "Reduction axis ", axis,
           " is empty in shape ", x.shape().str());
  Shape s;
  for (int64_t d = 0; d < x.rank(); ++d)
    if (d != axis) s.push_back(x.shape()[size_t(d)]);
  return {{s, DType::int64}};
}

NB_REGISTER_OP(kArgMax) {
  OpDef d;
  d.name = "ArgMax";
  d.onnx_name = "ArgMax";
  d.min_inputs = d.max_inputs = 1;
  d.attr_names = {"axis"};
  d.differentiable = false;
  d.infer = [](Inputs in, const Attrs& a) { return infer_arg("ArgMax", in, a); };
  return d;
}

NB_REGISTER_OP(kArgMin) {
  OpDef d;
  d.name = "ArgMin";
  d.onnx_name = "ArgMin";
  d.min_inputs = d.max_inputs = 1;
  d.attr_names = {"axis"};
  d.differentiable = false;
  d.infer = [](Inputs in, const Attrs& a) { return infer_arg("ArgMin", in, a); };
  return d;
}

NB_REGISTER_OP(kCumsum) {
  OpDef d;
  d.name = "Cumsum";
  d.onnx_name = "CumSum";
  d.min_inputs = d.max_inputs = 1;
  d.attr_names = {"axis", "exclusive", "reverse"};
  d.infer = [](Inputs in, const Attrs& a) -> std::vector<TensorSpec> {
    check_dtype_in("Cumsum", 0, in[0], kNum);
    normalize_axis(a.get<int64_t>("axis"), in[0].rank(), "Cumsum");
    return {{in[0].shape(), in[0].dtype()}};
  };
  return d;
}

Attrs reduce_attrs(const Axes& axes, bool keepdims) {
  return Attrs{{"axes", std::vector<int64_t>(axes)}, {"keepdims", keepdims}};
}

}  // namespace

Tensor reduce_sum(const Tensor& x, const Axes& axes, bool keepdims) {
  return call_op1(kReduceSum, {x}, reduce_attrs(axes, keepdims));
}
Tensor reduce_mean(const Tensor& x, const Axes& axes, bool keepdims) {
  return call_op1(kReduceMean, {x}, reduce_attrs(axes, keepdims));
}
Tensor reduce_max(const Tensor& x, const Axes& axes, bool keepdims) {
  return call_op1(kReduceMax, {x}, reduce_attrs(axes, keepdims));
}
Tensor reduce_min(const Tensor& x, const Axes& axes, bool keepdims) {
  return call_op1(kReduceMin, {x}, reduce_attrs(axes, keepdims));
}
Tensor reduce_prod(const Tensor& x, const Axes& axes, bool keepdims) {
  return call_op1(kReduceProd, {x}, reduce_attrs(axes, keepdims));
}
Tensor reduce_any(const Tensor& x, const Axes& axes, bool keepdims) {
  return call_op1(kReduceAny, {x}, reduce_attrs(axes, keepdims));
}
Tensor reduce_all(const Tensor& x, const Axes& axes, bool keepdims) {
  return call_op1(kReduceAll, {x}, reduce_attrs(axes, keepdims));
}
Tensor reduce_logsumexp(const Tensor& x, const Axes& axes, bool keepdims) {
  return call_op1(kReduceLogSumExp, {x}, reduce_attrs(axes, keepdims));
}
Tensor argmax(const Tensor& x, int64_t axis) { return call_op1(kArgMax, {x}, {{"axis", axis}}); }
Tensor argmin(const Tensor& x, int64_t axis) { return call_op1(kArgMin, {x}, {{"axis", axis}}); }
Tensor cumsum(const Tensor& x, int64_t axis, bool exclusive, bool reverse) {
  return call_op1(kCumsum, {x}, {{"axis", axis}, {"exclusive", exclusive}, {"reverse", reverse}});
}

// Composed of registry ops (so the tape differentiates it as TensorFlow does):
// mean = reduce_mean(x), variance = reduce_mean((x - mean)^2). float16 and
// bfloat16 inputs are computed in float32 and the results cast back.
Moments moments(const Tensor& x, const Axes& axes, bool keepdims) {
  NB_CHECK(x.defined(), InvalidArgument, "moments: x is an undefined tensor");
  const Tensor xc = is_half(x.dtype()) ? cast(x, DType::float32) : x;
  const Tensor mean = reduce_mean(xc, axes, true);
  const Tensor dev = subtract(xc, mean);
  Tensor variance = reduce_mean(multiply(dev, dev), axes, true);
  Tensor m = mean;
  if (!keepdims) {
    const Shape s = ops::reduced_shape(x.shape(), ops::normalize_axes(axes, x.rank()), false);
    m = reshape(m, s);
    variance = reshape(variance, s);
  }
  if (xc.dtype() != x.dtype()) {
    m = cast(m, x.dtype());
    variance = cast(variance, x.dtype());
  }
  return {m, variance};
}

}  // namespace nabla

// ---- Gradients -------------------------------------------------------------
namespace nabla {
namespace {

std::vector<int64_t> reduced_axes(const GradContext& ctx) {
  return ops::normalize_axes(ops::int_list(ctx.attrs, "axes"), ctx.inputs[0].rank());
}
int64_t reduced_count(const Shape& s, const std::vector<int64_t>& axes) {
  int64_t n = 1;
  for (int64_t a : axes) n *= s[size_t(a)];
  return n;
}

NB_REGISTER_GRADIENT(sum_grad, "ReduceSum") {
  return {grad::expand_reduced(ctx.output_grads[0], ctx.inputs[0].shape(), reduced_axes(ctx))};
}
NB_REGISTER_GRADIENT(mean_grad, "ReduceMean") {
  const auto axes = reduced_axes(ctx);
  const Tensor& x = ctx.inputs[0];
  const Tensor g = ctx.output_grads[0] / grad::scalar_of(double(reduced_count(x.shape(), axes)), x);
  return {grad::expand_reduced(g, x.shape(), axes)};
}
// The gradient goes to the positions of the extremum, split evenly among ties (as TF).
TensorList extremum_grad(const GradContext& ctx) {
  const auto axes = reduced_axes(ctx);
  const Tensor& x = ctx.inputs[0];
  const Tensor y = grad::keep_reduced_dims(ctx.outputs[0], x.shape(), axes);
  const Tensor hits = cast(equal(x, y), x.dtype());
  const Tensor count = reduce_sum(hits, axes, true);
  const Tensor g = grad::keep_reduced_dims(ctx.output_grads[0], x.shape(), axes);
  return {hits * (g / count)};
}
NB_REGISTER_GRADIENT(max_grad, "ReduceMax") { return extremum_grad(ctx); }
NB_REGISTER_GRADIENT(min_grad, "ReduceMin") { return extremum_grad(ctx); }
// d(prod)/dx_i = product of the others, exact when x contains zeros: with no
// zero it is prod/x_i; with one zero only that position gets the product of
// the non-zeros; with two or more zeros every derivative is 0.
NB_REGISTER_GRADIENT(prod_grad, "ReduceProd") {
  const auto axes = reduced_axes(ctx);
  const Tensor& x = ctx.inputs[0];
  const Tensor zero = grad::scalar_of(0, x), one = grad::scalar_of(1, x);
  const Tensor is_zero = equal(x, zero);
  const Tensor zeros_in_slice = reduce_sum(cast(is_zero, x.dtype()), axes, true);
  const Tensor x_nz = where(is_zero, one, x);
  const Tensor prod_nz = reduce_prod(x_nz, axes, true);
  const Tensor others = where(equal(zeros_in_slice, zero), prod_nz / x_nz,
                              where(logical_and(is_zero, equal(zeros_in_slice, one)),
                                    broadcast_to(prod_nz, x.shape()), zero));
  return {others * grad::keep_reduced_dims(ctx.output_grads[0], x.shape(), axes)};
}
NB_REGISTER_GRADIENT(logsumexp_grad, "ReduceLogSumExp") {
  const auto axes = reduced_axes(ctx);
  const Tensor& x = ctx.inputs[0];
  const Tensor y = grad::keep_reduced_dims(ctx.outputs[0], x.shape(), axes);
  return {grad::keep_reduced_dims(ctx.output_grads[0], x.shape(), axes) * exp(x - y)};
}
NB_REGISTER_GRADIENT(cumsum_grad, "Cumsum") {
  return {cumsum(ctx.output_grads[0], ctx.attrs.get<int64_t>("axis"),
                 ctx.attrs.get_or<bool>("exclusive", false), !ctx.attrs.get_or<bool>("reverse", false))};
}

}  // namespace
}  // namespace nabla
