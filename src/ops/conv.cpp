// Convolution ops: "Conv" (N-d, grouped, strided, dilated, padded) and its
// gradients "ConvBackpropInput" / "ConvBackpropFilter". The three are linear
// in each input, so each one's gradient is written with the other two and
// all of them can be differentiated again. Kernels: src/kernels/cpu/
// conv_kernels.cpp (oneDNN for float32) and conv_reference.cpp (loops).
#include "nabla/ops/conv.h"

#include <atomic>

#include "nabla/ops/shape_ops.h"
#include "ops/conv_geometry.h"
#include "ops/op_util.h"

namespace nabla {
namespace {

const std::vector<std::string> kConvAttrNames = {"strides", "dilations", "padding", "explicit_paddings",
                                                 "data_format"};

void check_conv_dtypes(const char* op, Inputs in) {
  ops::check_same_dtype(op, in);
  ops::check_dtype_in(op, 0, in[0], ops::kFloatTypes);
}

// The Shape held in an integer-list attribute (input_sizes / filter_sizes).
Shape shape_attr(const Attrs& a, const char* name) {
  const std::vector<int64_t> v = ops::int_list(a, name);
  NB_CHECK(!v.empty(), InvalidArgument, "the attribute ", name, " (the result shape) is required");
  for (int64_t d : v) NB_CHECK(d >= 0, InvalidArgument, name, " must be non-negative, got ", ops::list_str(v));
  return Shape(v);
}

Attrs with_shape(const Attrs& a, const char* name, const Shape& s) {
  Attrs r = ops::conv_attrs(a);
  r.set(name, s.vec());
  return r;
}

const OpDef& conv_op();
const OpDef& backprop_input_op();
const OpDef& backprop_filter_op();

// FusedConv(x, w, bias): activation(Conv(x, w) + bias) with bias a vector of the
// output channels. Created only by nb::function's fusion pass (src/graph/fusion.cpp),
// after the backward pass is recorded: it has no gradient.
NB_REGISTER_OP(kFusedConv) {
  OpDef d;
  d.name = "FusedConv";
  d.min_inputs = d.max_inputs = 3;
  d.attr_names = kConvAttrNames;
  d.attr_names.push_back("activation");
  d.differentiable = false;
  d.infer = [](Inputs in, const Attrs& a) -> std::vector<TensorSpec> {
    check_conv_dtypes("FusedConv", in.subspan(0, 2));
    const ops::ConvGeometry g = ops::conv_geometry(in[0].shape(), in[1].shape(), a);
    NB_CHECK(in[2].rank() == 1 && in[2].shape()[0] == g.c_out && in[2].dtype() == in[0].dtype(), InvalidArgument,
             "FusedConv: the bias must be a vector of ", g.c_out, " ", dtype_name(in[0].dtype()), ", got ",
             dtype_name(in[2].dtype()), in[2].shape().str());
    const std::string act = a.get_or<std::string>("activation", "");
    NB_CHECK(act.empty() || act == "relu", InvalidArgument, "FusedConv: unknown activation '", act, "'");
    return {{g.output_shape(), in[0].dtype()}};
  };
  return d;
}

NB_REGISTER_OP(kConv) {
  OpDef d;
  d.name = "Conv";
  d.onnx_name = "Conv";
  d.min_inputs = d.max_inputs = 2;
  d.attr_names = kConvAttrNames;
  d.infer = [](Inputs in, const Attrs& a) -> std::vector<TensorSpec> {
    check_conv_dtypes("Conv", in);
    return {{ops::conv_geometry(in[0].shape(), in[1].shape(), a).output_shape(), in[0].dtype()}};
  };
  d.gradient = [](const GradContext& ctx) -> TensorList {
    const Tensor &x = ctx.inputs[0], &w = ctx.inputs[1], &g = ctx.output_grads[0];
    TensorList r(2);
    if (ctx.needs(0)) r[0] = call_op1(backprop_input_op(), {g, w}, with_shape(ctx.attrs, "input_sizes", x.shape()));
    if (ctx.needs(1)) r[1] = call_op1(backprop_filter_op(), {x, g}, with_shape(ctx.attrs, "filter_sizes", w.shape()));
    return r;
  };
  return d;
}

// inputs: output_grad (conv output shape), filters; attr input_sizes.
NB_REGISTER_OP(kConvBackpropInput) {
  OpDef d;
  d.name = "ConvBackpropInput";
  d.onnx_name = "ConvTranspose";
  d.min_inputs = d.max_inputs = 2;
  d.attr_names = kConvAttrNames;
  d.attr_names.push_back("input_sizes");
  d.infer = [](Inputs in, const Attrs& a) -> std::vector<TensorSpec> {
    check_conv_dtypes("ConvBackpropInput", in);
    const Shape xs = shape_attr(a, "input_sizes");
    const ops::ConvGeometry g = ops::conv_geometry(xs, in[1].shape(), a);
    NB_CHECK(g.output_shape() == in[0].shape(), InvalidArgument,
             "ConvBackpropInput: the output gradient has shape ", in[0].shape().str(), " but a convolution of an input ",
             xs.str(), " with filters ", in[1].shape().str(), " produces ", g.output_shape().str());
    return {{xs, in[0].dtype()}};
  };
  d.gradient = [](const GradContext& ctx) -> TensorList {
    const Tensor &dy = ctx.inputs[0], &w = ctx.inputs[1], &g = ctx.output_grads[0];
    TensorList r(2);
    if (ctx.needs(0)) r[0] = call_op1(conv_op(), {g, w}, ops::conv_attrs(ctx.attrs));
    if (ctx.needs(1)) r[1] = call_op1(backprop_filter_op(), {g, dy}, with_shape(ctx.attrs, "filter_sizes", w.shape()));
    return r;
  };
  return d;
}

// inputs: input, output_grad; attr filter_sizes.
NB_REGISTER_OP(kConvBackpropFilter) {
  OpDef d;
  d.name = "ConvBackpropFilter";
  d.min_inputs = d.max_inputs = 2;
  d.attr_names = kConvAttrNames;
  d.attr_names.push_back("filter_sizes");
  d.infer = [](Inputs in, const Attrs& a) -> std::vector<TensorSpec> {
    check_conv_dtypes("ConvBackpropFilter", in);
    const Shape ws = shape_attr(a, "filter_sizes");
    const ops::ConvGeometry g = ops::conv_geometry(in[0].shape(), ws, a);
    NB_CHECK(g.output_shape() == in[1].shape(), InvalidArgument,
             "ConvBackpropFilter: the output gradient has shape ", in[1].shape().str(), " but a convolution of input ",
             in[0].shape().str(), " with filters ", ws.str(), " produces ", g.output_shape().str());
    return {{ws, in[0].dtype()}};
  };
  d.gradient = [](const GradContext& ctx) -> TensorList {
    const Tensor &x = ctx.inputs[0], &dy = ctx.inputs[1], &g = ctx.output_grads[0];
    TensorList r(2);
    if (ctx.needs(0)) r[0] = call_op1(backprop_input_op(), {dy, g}, with_shape(ctx.attrs, "input_sizes", x.shape()));
    if (ctx.needs(1)) r[1] = call_op1(conv_op(), {x, g}, ops::conv_attrs(ctx.attrs));
    return r;
  };
  return d;
}

const OpDef& conv_op() { return kConv; }
const OpDef& backprop_input_op() { return kConvBackpropInput; }
const OpDef& backprop_filter_op() { return kConvBackpropFilter; }

Attrs to_attrs(const ConvOptions& o) {
  Attrs a{{"padding", ops::normalize_padding(o.padding)}, {"data_format", o.data_format}};
  if (!o.strides.empty()) a.set("strides", o.strides);
  if (!o.dilations.empty()) a.set("dilations", o.dilations);
  if (!o.explicit_paddings.empty()) a.set("explicit_paddings", o.explicit_paddings);
  return a;
}

std::atomic<bool> g_conv_reference{false};

void check_rank(const char* fn, const Tensor& x, int64_t rank, const char* layout) {
  NB_CHECK(x.defined(), InvalidArgument, fn, ": undefined input tensor");
  NB_CHECK(x.rank() == rank, InvalidArgument, fn, " expects an input of rank ", rank, " ", layout, ", got shape ",
           x.shape().str());
}

}  // namespace

Tensor conv(const Tensor& input, const Tensor& filters, const ConvOptions& options) {
  return call_op1(kConv, {input, filters}, to_attrs(options));
}

Tensor conv1d(const Tensor& input, const Tensor& filters, const ConvOptions& options) {
  check_rank("conv1d", input, 3, "(batch, width, channels)");
  return conv(input, filters, options);
}

Tensor conv2d(const Tensor& input, const Tensor& filters, const ConvOptions& options) {
  check_rank("conv2d", input, 4, "(batch, height, width, channels)");
  return conv(input, filters, options);
}

Tensor conv_backprop_input(const Tensor& output_grad, const Tensor& filters, const Shape& input_shape,
                           const ConvOptions& options) {
  Attrs a = to_attrs(options);
  a.set("input_sizes", input_shape.vec());
  return call_op1(kConvBackpropInput, {output_grad, filters}, a);
}

Tensor conv_backprop_filter(const Tensor& input, const Tensor& output_grad, const Shape& filter_shape,
                            const ConvOptions& options) {
  Attrs a = to_attrs(options);
  a.set("filter_sizes", filter_shape.vec());
  return call_op1(kConvBackpropFilter, {input, output_grad}, a);
}

Tensor conv_transpose(const Tensor& input, const Tensor& filters, const Shape& output_shape,
                      const ConvOptions& options) {
  return conv_backprop_input(input, filters, output_shape, options);
}

Tensor depthwise_conv2d(const Tensor& input, const Tensor& filters, const ConvOptions& options) {
  check_rank("depthwise_conv2d", input, 4, "(batch, height, width, channels)");
  NB_CHECK(filters.defined() && filters.rank() == 4, InvalidArgument,
           "depthwise_conv2d expects filters of rank 4 (height, width, channels, multiplier), got ",
           filters.defined() ? filters.shape().str() : std::string("an undefined tensor"));
  const Shape& f = filters.shape();
  const int64_t c = ops::is_channels_first(options.data_format) ? input.shape()[1] : input.shape()[3];
  NB_CHECK(f[2] == c, InvalidArgument, "depthwise_conv2d: filters ", f.str(), " have ", f[2],
           " input channels but the input ", input.shape().str(), " has ", c);
  return conv(input, reshape(filters, Shape{f[0], f[1], 1, f[2] * f[3]}), options);
}

int64_t conv_output_length(int64_t in, int64_t kernel, int64_t stride, int64_t dilation, const std::string& padding) {
  Attrs a{{"padding", padding}, {"strides", std::vector<int64_t>{stride}}, {"dilations", std::vector<int64_t>{dilation}}};
  return ops::conv_geometry(Shape{1, in, 1}, Shape{kernel, 1, 1}, a).out[0];
}

void set_conv_reference(bool use_reference) { g_conv_reference.store(use_reference); }
bool conv_reference() { return g_conv_reference.load(std::memory_order_relaxed); }

}  // namespace nabla
