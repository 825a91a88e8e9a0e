// Pooling ops: "MaxPool", "AvgPool" and their gradients "MaxPoolGrad",
// "AvgPoolGrad"; "MaxPoolGradGrad" (the gradient of MaxPoolGrad with respect
// to its output gradient) closes the chain so every pooling op can be
// differentiated again. Kernels: src/kernels/cpu/pool_kernels.cpp.
#include "nabla/ops/pooling.h"

#include "nabla/ops/creation.h"
#include "ops/conv_geometry.h"
#include "ops/op_util.h"

namespace nabla {
namespace {

const std::vector<std::string> kPoolAttrNames = {"ksize", "strides", "padding", "data_format"};

void check_pool_dtypes(const char* op, Inputs in) {
  ops::check_same_dtype(op, in);
  ops::check_dtype_in(op, 0, in[0], ops::kFloatTypes);
}

void check_like(const char* op, const char* what, const Tensor& t, const Shape& expected) {
  NB_CHECK(t.shape() == expected, InvalidArgument, op, ": ", what, " must have shape ", expected.str(), ", got ",
           t.shape().str());
}

const OpDef& max_pool_grad_op();
const OpDef& max_pool_grad_grad_op();
const OpDef& avg_pool_op();
const OpDef& avg_pool_grad_op();

NB_REGISTER_OP(kMaxPool) {
  OpDef d;
  d.name = "MaxPool";
  d.onnx_name = "MaxPool";
  d.min_inputs = d.max_inputs = 1;
  d.attr_names = kPoolAttrNames;
  d.infer = [](Inputs in, const Attrs& a) -> std::vector<TensorSpec> {
    check_pool_dtypes("MaxPool", in);
    return {{ops::pool_geometry(in[0].shape(), a).output_shape(), in[0].dtype()}};
  };
  d.gradient = [](const GradContext& ctx) -> TensorList {
    return {call_op1(max_pool_grad_op(), {ctx.inputs[0], ctx.output_grads[0]}, ctx.attrs)};
  };
  return d;
}

// inputs: x, output_grad (MaxPool's output shape) -> dx: each output gradient
// goes to the first maximum of its window.
// MaxPoolWithArgmax(x) -> (MaxPool(x), argmax) and MaxPoolGradWithArgmax(dy, argmax)
// -> MaxPoolGrad(x, dy): argmax holds, per output element, the offset of its
// window's first maximum within the batch entry (int64; -1 for an empty window).
// nb::function's fusion pass pairs them so that the backward pass reads the maxima
// the forward pass found instead of searching every window again. No gradient.
NB_REGISTER_OP(kMaxPoolWithArgmax) {
  OpDef d;
  d.name = "MaxPoolWithArgmax";
  d.min_inputs = d.max_inputs = 1;
  d.num_outputs = 2;
  d.attr_names = kPoolAttrNames;
  d.differentiable = false;
  d.infer = [](Inputs in, const Attrs& a) -> std::vector<TensorSpec> {
    check_pool_dtypes("MaxPoolWithArgmax", in);
    const Shape y = ops::pool_geometry(in[0].shape(), a).output_shape();
    return {{y, in[0].dtype()}, {y, DType::int64}};
  };
  return d;
}

NB_REGISTER_OP(kMaxPoolGradWithArgmax) {
  OpDef d;
  d.name = "MaxPoolGradWithArgmax";
  // Inputs: dy, argmax [, pooled]. With the forward's pooled values as a third input,
  // a window's gradient counts only where its pooled value is > 0: the gradient of a
  // ReLU just before the pooling, fused (nb::function's fusion pass; y > 0 at the
  // window's argmax exactly when the window's maximum is > 0).
  d.min_inputs = 2;
  d.max_inputs = 3;
  d.attr_names = kPoolAttrNames;
  d.attr_names.push_back("input_sizes");
  d.differentiable = false;
  d.infer = [](Inputs in, const Attrs& a) -> std::vector<TensorSpec> {
    const Shape xs(std::vector<int64_t>(a.get<std::vector<int64_t>>("input_sizes")));
    check_pool_dtypes("MaxPoolGradWithArgmax", in.subspan(0, 1));
    const Shape y = ops::pool_geometry(xs, a).output_shape();
    check_like("MaxPoolGradWithArgmax", "the output gradient", in[0], y);
    NB_CHECK(in[1].dtype() == DType::int64 && in[1].shape() == y, InvalidArgument,
             "MaxPoolGradWithArgmax: argmax must be int64 of shape ", y.str(), ", got ", dtype_name(in[1].dtype()),
             in[1].shape().str());
    if (in.size() == 3) {
      check_like("MaxPoolGradWithArgmax", "the pooled values", in[2], y);
      NB_CHECK(in[2].dtype() == in[0].dtype(), InvalidArgument, "MaxPoolGradWithArgmax: the pooled values must be ",
               dtype_name(in[0].dtype()), " like the output gradient, got ", dtype_name(in[2].dtype()));
    }
    return {{xs, in[0].dtype()}};
  };
  return d;
}

NB_REGISTER_OP(kMaxPoolGrad) {
  OpDef d;
  d.name = "MaxPoolGrad";
  d.min_inputs = d.max_inputs = 2;
  d.attr_names = kPoolAttrNames;
  d.infer = [](Inputs in, const Attrs& a) -> std::vector<TensorSpec> {
    check_pool_dtypes("MaxPoolGrad", in);
    check_like("MaxPoolGrad", "the output gradient", in[1], ops::pool_geometry(in[0].shape(), a).output_shape());
    return {{in[0].shape(), in[0].dtype()}};
  };
  // Piecewise constant in x; linear in the output gradient.
  d.gradient = [](const GradContext& ctx) -> TensorList {
    TensorList r(2);
    if (ctx.needs(0)) r[0] = zeros_like(ctx.inputs[0]);
    if (ctx.needs(1)) r[1] = call_op1(max_pool_grad_grad_op(), {ctx.inputs[0], ctx.output_grads[0]}, ctx.attrs);
    return r;
  };
  return d;
}

// inputs: x, g (x's shape) -> for each window, g at the window's first maximum.
NB_REGISTER_OP(kMaxPoolGradGrad) {
  OpDef d;
  d.name = "MaxPoolGradGrad";
  d.min_inputs = d.max_inputs = 2;
  d.attr_names = kPoolAttrNames;
  d.infer = [](Inputs in, const Attrs& a) -> std::vector<TensorSpec> {
    check_pool_dtypes("MaxPoolGradGrad", in);
    check_like("MaxPoolGradGrad", "the gradient", in[1], in[0].shape());
    return {{ops::pool_geometry(in[0].shape(), a).output_shape(), in[0].dtype()}};
  };
  d.gradient = [](const GradContext& ctx) -> TensorList {
    TensorList r(2);
    if (ctx.needs(0)) r[0] = zeros_like(ctx.inputs[0]);
    if (ctx.needs(1)) r[1] = call_op1(max_pool_grad_op(), {ctx.inputs[0], ctx.output_grads[0]}, ctx.attrs);
    return r;
  };
  return d;
}

NB_REGISTER_OP(kAvgPool) {
  OpDef d;
  d.name = "AvgPool";
  d.onnx_name = "AveragePool";
  d.min_inputs = d.max_inputs = 1;
  d.attr_names = kPoolAttrNames;
  d.infer = [](Inputs in, const Attrs& a) -> std::vector<TensorSpec> {
    check_pool_dtypes("AvgPool", in);
    return {{ops::pool_geometry(in[0].shape(), a).output_shape(), in[0].dtype()}};
  };
  d.gradient = [](const GradContext& ctx) -> TensorList {
    Attrs a = ctx.attrs;
    a.set("input_sizes", ctx.inputs[0].shape().vec());
    return {call_op1(avg_pool_grad_op(), {ctx.output_grads[0]}, a)};
  };
  return d;
}

// input: output_grad; attr input_sizes -> dx (each output gradient spread
// evenly over the real elements of its window).
NB_REGISTER_OP(kAvgPoolGrad) {
  OpDef d;
  d.name = "AvgPoolGrad";
  d.min_inputs = d.max_inputs = 1;
  d.attr_names = kPoolAttrNames;
  d.attr_names.push_back("input_sizes");
  d.infer = [](Inputs in, const Attrs& a) -> std::vector<TensorSpec> {
    check_pool_dtypes("AvgPoolGrad", in);
    const Shape xs(ops::int_list(a, "input_sizes"));
    check_like("AvgPoolGrad", "the output gradient", in[0], ops::pool_geometry(xs, a).output_shape());
    return {{xs, in[0].dtype()}};
  };
  d.gradient = [](const GradContext& ctx) -> TensorList {
    return {call_op1(avg_pool_op(), {ctx.output_grads[0]}, ops::conv_attrs(ctx.attrs))};
  };
  return d;
}

const OpDef& max_pool_grad_op() { return kMaxPoolGrad; }
const OpDef& max_pool_grad_grad_op() { return kMaxPoolGradGrad; }
const OpDef& avg_pool_op() { return kAvgPool; }
const OpDef& avg_pool_grad_op() { return kAvgPoolGrad; }

Attrs pool_attrs(const std::vector<int64_t>& pool_size, const PoolOptions& o) {
  Attrs a{{"ksize", pool_size}, {"padding", ops::normalize_padding(o.padding)}, {"data_format", o.data_format}};
  a.set("strides", o.strides.empty() ? pool_size : o.strides);
  NB_CHECK(a.get<std::string>("padding") != "EXPLICIT", InvalidArgument,
           "pooling: padding must be 'valid' or 'same', got '", o.padding, "'");
  return a;
}

}  // namespace

Tensor max_pool(const Tensor& input, const std::vector<int64_t>& pool_size, const PoolOptions& options) {
  return call_op1(kMaxPool, {input}, pool_attrs(pool_size, options));
}

Tensor avg_pool(const Tensor& input, const std::vector<int64_t>& pool_size, const PoolOptions& options) {
  return call_op1(kAvgPool, {input}, pool_attrs(pool_size, options));
}

}  // namespace nabla
