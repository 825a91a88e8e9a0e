#include "nabla/nn/layers/base_conv.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "nabla/nn/regularizers.h"
#include "nabla/ops/conv.h"
#include "nn/layers/conv_layer_util.h"

namespace nabla::layers {

namespace cu = conv_util;

BaseConvImpl::BaseConvImpl(std::string class_name, int rank, int64_t filters, const IntTuple& kernel_size,
                           const ConvLayerOptions& options)
    : Layer(cu::base_options(options)),
      class_name_(std::move(class_name)),
      rank_(rank),
      filters_(filters),
      options_(options) {
  NB_CHECK(filters > 0, InvalidArgument, class_name_,
           ": invalid value for argument `filters`. Expected a strictly positive value. Received filters=", filters);
  NB_CHECK(options.groups > 0, InvalidArgument, class_name_,
           ": the number of groups must be a positive integer. Received: groups=", options.groups);
  NB_CHECK(filters % options.groups == 0, InvalidArgument, class_name_,
           ": the number of filters must be evenly divisible by the number of groups. Received: groups=",
           options.groups, ", filters=", filters);
  kernel_size_ = kernel_size.expand(rank, "kernel_size");
  strides_ = options.strides.expand(rank, "strides");
  dilation_ = options.dilation_rate.expand(rank, "dilation_rate");
  padding_ = cu::standardize_padding(options.padding, rank == 1, class_name_);
  data_format_ = cu::standardize_data_format(options.data_format, class_name_);
  channels_first_ = data_format_ == "channels_first";
  const int64_t max_stride = *std::max_element(strides_.begin(), strides_.end());
  const int64_t max_dilation = *std::max_element(dilation_.begin(), dilation_.end());
  NB_CHECK(max_stride == 1 || max_dilation == 1, InvalidArgument, class_name_,
           ": `strides > 1` not supported in conjunction with `dilation_rate > 1` (as Keras). Received: strides=",
           cu::tuple_json(strides_).dump(), " and dilation_rate=", cu::tuple_json(dilation_).dump());
  activation_ = options.activation.resolve();
  activity_regularizer_ = options.activity_regularizer.get();
}

void BaseConvImpl::build(const std::vector<Shape>& input_shapes) {
  NB_CHECK(input_shapes.size() == 1, InvalidArgument, class_name_, " takes one input, got ", input_shapes.size());
  const Shape& s = input_shapes[0];
  cu::check_input(*this, s, rank_, channels_first_, -1);
  const int64_t in = s[cu::channel_axis(s.rank(), channels_first_)];
  NB_CHECK(in % options_.groups == 0, InvalidArgument, class_name_, " '", name(),
           "': the number of input channels must be evenly divisible by the number of groups. Received groups=",
           options_.groups, ", but the input has ", in, " channels (full input shape is ", s.tuple_str(), ")");
  cu::check_windows(*this, s, channels_first_, kernel_size_, strides_, dilation_, padding_);
  in_channels_ = in;
  Shape kshape(kernel_size_);
  kshape.push_back(in / options_.groups);
  kshape.push_back(filters_);
  kernel_ = &add_weight("kernel", kshape,
                        {.initializer = options_.kernel_initializer, .regularizer = options_.kernel_regularizer,
                         .dtype = dtype()});
  if (options_.use_bias)
    bias_ = &add_weight("bias", Shape{filters_},
                        {.initializer = options_.bias_initializer, .regularizer = options_.bias_regularizer,
                         .dtype = dtype()});
}

Tensor BaseConvImpl::call(const Tensor& x, bool) {
  cu::check_input(*this, x.shape(), rank_, channels_first_, in_channels_);
  NB_CHECK(x.dtype() == dtype(), InvalidArgument, class_name_, " '", name(), "' expects ", dtype_name(dtype()),
           " inputs, got ", dtype_name(x.dtype()), " (cast it, or start the model with a Rescaling layer)");
  cu::check_windows(*this, x.shape(), channels_first_, kernel_size_, strides_, dilation_, padding_);
  ConvOptions o{.strides = strides_, .padding = padding_, .dilations = dilation_, .data_format = data_format_};
  if (padding_ == "causal") {  // Keras: pad dilation * (kernel - 1) on the left, then valid
    o.padding = "explicit";
    o.explicit_paddings = {dilation_[0] * (kernel_size_[0] - 1), 0};
  }
  Tensor y = conv(x, kernel_->value(), o);
  if (bias_) y = cu::add_bias(y, bias_->value(), channels_first_);
  if (!options_.activation.is_linear()) y = activation_(y);
  if (activity_regularizer_) add_loss((*activity_regularizer_)(y));
  return y;
}

Variable& BaseConvImpl::kernel() const {
  NB_CHECK(kernel_ != nullptr, FailedPrecondition, class_name_, " '", name(), "' is not built yet (call it once first)");
  return *kernel_;
}

Variable& BaseConvImpl::bias() const {
  NB_CHECK(bias_ != nullptr, FailedPrecondition, class_name_, " '", name(),
           "' has no bias (not built, or use_bias=false)");
  return *bias_;
}

nlohmann::json BaseConvImpl::get_config() const {
  nlohmann::json c = nlohmann::json::object();
  base_config(c);
  cu::check_savable_activation(options_.activation, *this);
  c["filters"] = filters_;
  c["kernel_size"] = cu::tuple_json(kernel_size_);
  c["strides"] = cu::tuple_json(strides_);
  c["padding"] = padding_;
  c["data_format"] = data_format_;
  c["dilation_rate"] = cu::tuple_json(dilation_);
  c["groups"] = options_.groups;
  c["kernel_initializer"] = nabla::detail::initializer_to_config(options_.kernel_initializer);
  c["kernel_regularizer"] = nabla::detail::regularizer_to_config(options_.kernel_regularizer);
  cu::write_activation_and_bias(c, options_);
  c["kernel_constraint"] = nullptr;
  c["bias_constraint"] = nullptr;
  return c;
}

BaseConvImpl::FromConfig BaseConvImpl::parse_config(const nlohmann::json& c, const std::string& class_name) {
  cu::reject_unsupported(c, {"kernel_constraint", "bias_constraint", "lora_rank"}, class_name);
  NB_CHECK(c.contains("filters") && c["filters"].is_number_integer(), InvalidArgument, class_name,
           " config needs an integer \"filters\"");
  NB_CHECK(c.contains("kernel_size"), InvalidArgument, class_name, " config needs \"kernel_size\"");
  FromConfig r;
  r.filters = c["filters"].get<int64_t>();
  r.kernel_size = cu::tuple_from_config(c, "kernel_size", {});
  ConvLayerOptions& o = r.options;
  cu::read_base(c, o);
  o.strides = cu::tuple_from_config(c, "strides", o.strides);
  o.padding = cu::string_from_config(c, "padding", o.padding);
  o.data_format = cu::string_from_config(c, "data_format", o.data_format);
  o.dilation_rate = cu::tuple_from_config(c, "dilation_rate", o.dilation_rate);
  if (c.contains("groups") && !c["groups"].is_null()) o.groups = c["groups"].get<int64_t>();
  if (c.contains("kernel_initializer"))
    o.kernel_initializer = nabla::detail::initializer_from_config(c["kernel_initializer"]);
  if (c.contains("kernel_regularizer"))
    o.kernel_regularizer = nabla::detail::regularizer_from_config(c["kernel_regularizer"]);
  cu::read_activation_and_bias(c, o);
  return r;
}

}  // namespace nabla::layers
