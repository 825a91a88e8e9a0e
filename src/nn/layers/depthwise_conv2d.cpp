#include "nabla/nn/layers/depthwise_conv2d.h"

#include <nlohmann/json.hpp>

#include "nabla/nn/regularizers.h"
#include "nabla/ops/conv.h"
#include "nn/layers/conv_layer_util.h"

namespace nabla::layers {

namespace cu = conv_util;

DepthwiseConv2DImpl::DepthwiseConv2DImpl(const IntTuple& kernel_size, const DepthwiseConv2DOptions& options)
    : Layer(cu::base_options(options)), options_(options) {
  NB_CHECK(options.depth_multiplier > 0, InvalidArgument,
           "DepthwiseConv2D: invalid value for argument `depth_multiplier`. Expected a strictly positive value. "
           "Received depth_multiplier=",
           options.depth_multiplier);
  kernel_size_ = kernel_size.expand(2, "kernel_size");
  strides_ = options.strides.expand(2, "strides");
  dilation_ = options.dilation_rate.expand(2, "dilation_rate");
  padding_ = cu::standardize_padding(options.padding, false, "DepthwiseConv2D");
  data_format_ = cu::standardize_data_format(options.data_format, "DepthwiseConv2D");
  channels_first_ = data_format_ == "channels_first";
  activation_ = options.activation.resolve();
  activity_regularizer_ = options.activity_regularizer.get();
}

void DepthwiseConv2DImpl::build(const std::vector<Shape>& input_shapes) {
  NB_CHECK(input_shapes.size() == 1, InvalidArgument, "DepthwiseConv2D takes one input, got ", input_shapes.size());
  const Shape& s = input_shapes[0];
  cu::check_input(*this, s, 2, channels_first_, -1);
  cu::check_windows(*this, s, channels_first_, kernel_size_, strides_, dilation_, padding_);
  in_channels_ = s[cu::channel_axis(s.rank(), channels_first_)];
  const int64_t mult = options_.depth_multiplier;
  kernel_ = &add_weight("kernel", Shape{kernel_size_[0], kernel_size_[1], in_channels_, mult},
                        {.initializer = options_.depthwise_initializer,
                         .regularizer = options_.depthwise_regularizer,
                         .dtype = dtype()});
  if (options_.use_bias)
    bias_ = &add_weight("bias", Shape{in_channels_ * mult},
                        {.initializer = options_.bias_initializer, .regularizer = options_.bias_regularizer,
                         .dtype = dtype()});
}

Tensor DepthwiseConv2DImpl::call(const Tensor& x, bool) {
  cu::check_input(*this, x.shape(), 2, channels_first_, in_channels_);
  NB_CHECK(x.dtype() == dtype(), InvalidArgument, "DepthwiseConv2D '", name(), "' expects ", dtype_name(dtype()),
           " inputs, got ", dtype_name(x.dtype()));
  cu::check_windows(*this, x.shape(), channels_first_, kernel_size_, strides_, dilation_, padding_);
  Tensor y = depthwise_conv2d(
      x, kernel_->value(),
      ConvOptions{.strides = strides_, .padding = padding_, .dilations = dilation_, .data_format = data_format_});
  if (bias_) y = cu::add_bias(y, bias_->value(), channels_first_);
  if (!options_.activation.is_linear()) y = activation_(y);
  if (activity_regularizer_) add_loss((*activity_regularizer_)(y));
  return y;
}

Variable& DepthwiseConv2DImpl::kernel() const {
  NB_CHECK(kernel_ != nullptr, FailedPrecondition, "DepthwiseConv2D '", name(),
           "' is not built yet (call it once first)");
  return *kernel_;
}

Variable& DepthwiseConv2DImpl::bias() const {
  NB_CHECK(bias_ != nullptr, FailedPrecondition, "DepthwiseConv2D '", name(),
           "' has no bias (not built, or use_bias=false)");
  return *bias_;
}

nlohmann::json DepthwiseConv2DImpl::get_config() const {
  nlohmann::json c = nlohmann::json::object();
  base_config(c);
  cu::check_savable_activation(options_.activation, *this);
  c["depth_multiplier"] = options_.depth_multiplier;
  c["kernel_size"] = cu::tuple_json(kernel_size_);
  c["strides"] = cu::tuple_json(strides_);
  c["padding"] = padding_;
  c["data_format"] = data_format_;
  c["dilation_rate"] = cu::tuple_json(dilation_);
  c["depthwise_initializer"] = nabla::detail::initializer_to_config(options_.depthwise_initializer);
  c["depthwise_regularizer"] = nabla::detail::regularizer_to_config(options_.depthwise_regularizer);
  cu::write_activation_and_bias(c, options_);
  c["depthwise_constraint"] = nullptr;
  c["bias_constraint"] = nullptr;
  return c;
}

std::shared_ptr<Layer> DepthwiseConv2DImpl::from_config(const nlohmann::json& c) {
  cu::reject_unsupported(c, {"depthwise_constraint", "bias_constraint"}, "DepthwiseConv2D");
  NB_CHECK(c.contains("kernel_size"), InvalidArgument, "DepthwiseConv2D config needs \"kernel_size\"");
  DepthwiseConv2DOptions o;
  cu::read_base(c, o);
  o.strides = cu::tuple_from_config(c, "strides", o.strides);
  o.padding = cu::string_from_config(c, "padding", o.padding);
  o.data_format = cu::string_from_config(c, "data_format", o.data_format);
  o.dilation_rate = cu::tuple_from_config(c, "dilation_rate", o.dilation_rate);
  if (c.contains("depth_multiplier") && !c["depth_multiplier"].is_null())
    o.depth_multiplier = c["depth_multiplier"].get<int64_t>();
  if (c.contains("depthwise_initializer"))
    o.depthwise_initializer = nabla::detail::initializer_from_config(c["depthwise_initializer"]);
  if (c.contains("depthwise_regularizer"))
    o.depthwise_regularizer = nabla::detail::regularizer_from_config(c["depthwise_regularizer"]);
  cu::read_activation_and_bias(c, o);
  return std::make_shared<DepthwiseConv2DImpl>(cu::tuple_from_config(c, "kernel_size", {}), o);
}

NB_REGISTER_LAYER(DepthwiseConv2DImpl, "DepthwiseConv2D");

}  // namespace nabla::layers
