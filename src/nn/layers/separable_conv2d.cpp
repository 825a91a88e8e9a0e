#include "nabla/nn/layers/separable_conv2d.h"

#include <nlohmann/json.hpp>

#include "nabla/nn/regularizers.h"
#include "nabla/ops/conv.h"
#include "nn/layers/conv_layer_util.h"

namespace nabla::layers {

namespace cu = conv_util;

SeparableConv2DImpl::SeparableConv2DImpl(int64_t filters, const IntTuple& kernel_size,
                                         const SeparableConv2DOptions& options)
    : Layer(cu::base_options(options)), filters_(filters), options_(options) {
  NB_CHECK(options.depth_multiplier > 0, InvalidArgument,
           "SeparableConv2D: invalid value for argument `depth_multiplier`. Expected a strictly positive value. "
           "Received depth_multiplier=",
           options.depth_multiplier);
  NB_CHECK(filters > 0, InvalidArgument,
           "SeparableConv2D: invalid value for argument `filters`. Expected a strictly positive value. "
           "Received filters=",
           filters);
  kernel_size_ = kernel_size.expand(2, "kernel_size");
  strides_ = options.strides.expand(2, "strides");
  dilation_ = options.dilation_rate.expand(2, "dilation_rate");
  padding_ = cu::standardize_padding(options.padding, false, "SeparableConv2D");
  data_format_ = cu::standardize_data_format(options.data_format, "SeparableConv2D");
  channels_first_ = data_format_ == "channels_first";
  activation_ = options.activation.resolve();
  activity_regularizer_ = options.activity_regularizer.get();
}

void SeparableConv2DImpl::build(const std::vector<Shape>& input_shapes) {
  NB_CHECK(input_shapes.size() == 1, InvalidArgument, "SeparableConv2D takes one input, got ", input_shapes.size());
  const Shape& s = input_shapes[0];
  cu::check_input(*this, s, 2, channels_first_, -1);
  cu::check_windows(*this, s, channels_first_, kernel_size_, strides_, dilation_, padding_);
  in_channels_ = s[cu::channel_axis(s.rank(), channels_first_)];
  const int64_t mult = options_.depth_multiplier;
  depthwise_ = &add_weight("depthwise_kernel", Shape{kernel_size_[0], kernel_size_[1], in_channels_, mult},
                           {.initializer = options_.depthwise_initializer,
                            .regularizer = options_.depthwise_regularizer,
                            .dtype = dtype()});
  pointwise_ = &add_weight("pointwise_kernel", Shape{1, 1, in_channels_ * mult, filters_},
                           {.initializer = options_.pointwise_initializer,
                            .regularizer = options_.pointwise_regularizer,
                            .dtype = dtype()});
  if (options_.use_bias)
    bias_ = &add_weight("bias", Shape{filters_},
                        {.initializer = options_.bias_initializer, .regularizer = options_.bias_regularizer,
                         .dtype = dtype()});
}

Tensor SeparableConv2DImpl::call(const Tensor& x, bool) {
  cu::check_input(*this, x.shape(), 2, channels_first_, in_channels_);
  NB_CHECK(x.dtype() == dtype(), InvalidArgument, "SeparableConv2D '", name(), "' expects ", dtype_name(dtype()),
           " inputs, got ", dtype_name(x.dtype()));
  cu::check_windows(*this, x.shape(), channels_first_, kernel_size_, strides_, dilation_, padding_);
  Tensor h = depthwise_conv2d(
      x, depthwise_->value(),
      ConvOptions{.strides = strides_, .padding = padding_, .dilations = dilation_, .data_format = data_format_});
  Tensor y = conv2d(h, pointwise_->value(), ConvOptions{.data_format = data_format_});
  if (bias_) y = cu::add_bias(y, bias_->value(), channels_first_);
  if (!options_.activation.is_linear()) y = activation_(y);
  if (activity_regularizer_) add_loss((*activity_regularizer_)(y));
  return y;
}

Variable& SeparableConv2DImpl::depthwise_kernel() const {
  NB_CHECK(depthwise_ != nullptr, FailedPrecondition, "SeparableConv2D '", name(),
           "' is not built yet (call it once first)");
  return *depthwise_;
}

Variable& SeparableConv2DImpl::pointwise_kernel() const {
  NB_CHECK(pointwise_ != nullptr, FailedPrecondition, "SeparableConv2D '", name(),
           "' is not built yet (call it once first)");
  return *pointwise_;
}

Variable& SeparableConv2DImpl::bias() const {
  NB_CHECK(bias_ != nullptr, FailedPrecondition, "SeparableConv2D '", name(),
           "' has no bias (not built, or use_bias=false)");
  return *bias_;
}

nlohmann::json SeparableConv2DImpl::get_config() const {
  nlohmann::json c = nlohmann::json::object();
  base_config(c);
  cu::check_savable_activation(options_.activation, *this);
  c["depth_multiplier"] = options_.depth_multiplier;
  c["filters"] = filters_;
  c["kernel_size"] = cu::tuple_json(kernel_size_);
  c["strides"] = cu::tuple_json(strides_);
  c["padding"] = padding_;
  c["data_format"] = data_format_;
  c["dilation_rate"] = cu::tuple_json(dilation_);
  c["depthwise_initializer"] = nabla::detail::initializer_to_config(options_.depthwise_initializer);
  c["pointwise_initializer"] = nabla::detail::initializer_to_config(options_.pointwise_initializer);
  c["depthwise_regularizer"] = nabla::detail::regularizer_to_config(options_.depthwise_regularizer);
  c["pointwise_regularizer"] = nabla::detail::regularizer_to_config(options_.pointwise_regularizer);
  cu::write_activation_and_bias(c, options_);
  c["depthwise_constraint"] = nullptr;
  c["pointwise_constraint"] = nullptr;
  c["bias_constraint"] = nullptr;
  return c;
}

std::shared_ptr<Layer> SeparableConv2DImpl::from_config(const nlohmann::json& c) {
  cu::reject_unsupported(c, {"depthwise_constraint", "pointwise_constraint", "bias_constraint"}, "SeparableConv2D");
  NB_CHECK(c.contains("filters") && c["filters"].is_number_integer(), InvalidArgument,
           "SeparableConv2D config needs an integer \"filters\"");
  NB_CHECK(c.contains("kernel_size"), InvalidArgument, "SeparableConv2D config needs \"kernel_size\"");
  SeparableConv2DOptions o;
  cu::read_base(c, o);
  o.strides = cu::tuple_from_config(c, "strides", o.strides);
  o.padding = cu::string_from_config(c, "padding", o.padding);
  o.data_format = cu::string_from_config(c, "data_format", o.data_format);
  o.dilation_rate = cu::tuple_from_config(c, "dilation_rate", o.dilation_rate);
  if (c.contains("depth_multiplier") && !c["depth_multiplier"].is_null())
    o.depth_multiplier = c["depth_multiplier"].get<int64_t>();
  if (c.contains("depthwise_initializer"))
    o.depthwise_initializer = nabla::detail::initializer_from_config(c["depthwise_initializer"]);
  if (c.contains("pointwise_initializer"))
    o.pointwise_initializer = nabla::detail::initializer_from_config(c["pointwise_initializer"]);
  if (c.contains("depthwise_regularizer"))
    o.depthwise_regularizer = nabla::detail::regularizer_from_config(c["depthwise_regularizer"]);
  if (c.contains("pointwise_regularizer"))
    o.pointwise_regularizer = nabla::detail::regularizer_from_config(c["pointwise_regularizer"]);
  cu::read_activation_and_bias(c, o);
  return std::make_shared<SeparableConv2DImpl>(c["filters"].get<int64_t>(), cu::tuple_from_config(c, "kernel_size", {}),
                                               o);
}

NB_REGISTER_LAYER(SeparableConv2DImpl, "SeparableConv2D");

}  // namespace nabla::layers
