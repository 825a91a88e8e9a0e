#include "nabla/nn/layers/conv2d_transpose.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "nabla/nn/regularizers.h"
#include "nabla/ops/conv.h"
#include "nn/layers/conv_layer_util.h"

namespace nabla::layers {

namespace cu = conv_util;

Conv2DTransposeImpl::Conv2DTransposeImpl(int64_t filters, const IntTuple& kernel_size,
                                         const Conv2DTransposeOptions& options)
    : Layer(cu::base_options(options)), filters_(filters), options_(options) {
  NB_CHECK(filters > 0, InvalidArgument,
           "Conv2DTranspose: invalid value for argument `filters`. Expected a strictly positive value. "
           "Received filters=",
           filters);
  kernel_size_ = kernel_size.expand(2, "kernel_size");
  strides_ = options.strides.expand(2, "strides");
  dilation_ = options.dilation_rate.expand(2, "dilation_rate");
  if (!options.output_padding.empty()) output_padding_ = options.output_padding.expand(2, "output_padding", true);
  padding_ = cu::standardize_padding(options.padding, false, "Conv2DTranspose");
  data_format_ = cu::standardize_data_format(options.data_format, "Conv2DTranspose");
  channels_first_ = data_format_ == "channels_first";
  for (size_t i = 0; i < output_padding_.size(); ++i)
    NB_CHECK(output_padding_[i] < strides_[i], InvalidArgument,
             "Conv2DTranspose: `output_padding` must be strictly less than `strides` for all dimensions. At "
             "dimension ",
             i, ", `output_padding` is ", output_padding_[i], " but `strides` is ", strides_[i]);
  const int64_t max_stride = std::max(strides_[0], strides_[1]);
  const int64_t max_dilation = std::max(dilation_[0], dilation_[1]);
  NB_CHECK(max_stride == 1 || max_dilation == 1, InvalidArgument,
           "Conv2DTranspose: `strides > 1` not supported in conjunction with `dilation_rate > 1` (as Keras). "
           "Received: strides=",
           cu::tuple_json(strides_).dump(), " and dilation_rate=", cu::tuple_json(dilation_).dump());
  activation_ = options.activation.resolve();
  activity_regularizer_ = options.activity_regularizer.get();
}

int64_t Conv2DTransposeImpl::output_length(int dim, int64_t in) const {
  const size_t i = size_t(dim);
  const int64_t k = dilation_[i] * (kernel_size_[i] - 1) + 1, s = strides_[i];
  if (padding_ == "valid")
    return output_padding_.empty() ? (in - 1) * s + std::max(k, s) : (in - 1) * s + k + output_padding_[i];
  return output_padding_.empty() ? in * s : (in - 1) * s + k % 2 + output_padding_[i];
}

Shape Conv2DTransposeImpl::output_shape(const Shape& x) const {
  const std::vector<int64_t> sp = cu::spatial_dims(x, channels_first_);
  Shape out{x[0]};
  if (channels_first_) out.push_back(filters_);
  for (int d = 0; d < 2; ++d) {
    const size_t i = size_t(d);
    const int64_t len = output_length(d, sp[i]);
    const int64_t eff = dilation_[i] * (kernel_size_[i] - 1) + 1;
    const int64_t back = padding_ == "same" ? (len + strides_[i] - 1) / strides_[i]
                                            : (len >= eff ? (len - eff) / strides_[i] + 1 : 0);
    NB_CHECK(len > 0 && back == sp[i], InvalidArgument, "Conv2DTranspose '", name(), "': input shape ",
             x.tuple_str(), " gives an output length ", len, " along spatial dimension ", d,
             ", which a convolution with these kernel_size/strides/padding/output_padding maps to ", back,
             " instead of ", sp[i]);
    out.push_back(len);
  }
  if (!channels_first_) out.push_back(filters_);
  return out;
}

void Conv2DTransposeImpl::build(const std::vector<Shape>& input_shapes) {
  NB_CHECK(input_shapes.size() == 1, InvalidArgument, "Conv2DTranspose takes one input, got ", input_shapes.size());
  const Shape& s = input_shapes[0];
  cu::check_input(*this, s, 2, channels_first_, -1);
  output_shape(s);  // validates the geometry
  in_channels_ = s[cu::channel_axis(s.rank(), channels_first_)];
  kernel_ = &add_weight("kernel", Shape{kernel_size_[0], kernel_size_[1], filters_, in_channels_},
                        {.initializer = options_.kernel_initializer, .regularizer = options_.kernel_regularizer,
                         .dtype = dtype()});
  if (options_.use_bias)
    bias_ = &add_weight("bias", Shape{filters_},
                        {.initializer = options_.bias_initializer, .regularizer = options_.bias_regularizer,
                         .dtype = dtype()});
}

Tensor Conv2DTransposeImpl::call(const Tensor& x, bool) {
  cu::check_input(*this, x.shape(), 2, channels_first_, in_channels_);
  NB_CHECK(x.dtype() == dtype(), InvalidArgument, "Conv2DTranspose '", name(), "' expects ", dtype_name(dtype()),
           " inputs, got ", dtype_name(x.dtype()));
  Tensor y = conv_transpose(
      x, kernel_->value(), output_shape(x.shape()),
      ConvOptions{.strides = strides_, .padding = padding_, .dilations = dilation_, .data_format = data_format_});
  if (bias_) y = cu::add_bias(y, bias_->value(), channels_first_);
  if (!options_.activation.is_linear()) y = activation_(y);
  if (activity_regularizer_) add_loss((*activity_regularizer_)(y));
  return y;
}

Variable& Conv2DTransposeImpl::kernel() const {
  NB_CHECK(kernel_ != nullptr, FailedPrecondition, "Conv2DTranspose '", name(),
           "' is not built yet (call it once first)");
  return *kernel_;
}

Variable& Conv2DTransposeImpl::bias() const {
  NB_CHECK(bias_ != nullptr, FailedPrecondition, "Conv2DTranspose '", name(),
           "' has no bias (not built, or use_bias=false)");
  return *bias_;
}

nlohmann::json Conv2DTransposeImpl::get_config() const {
  nlohmann::json c = nlohmann::json::object();
  base_config(c);
  cu::check_savable_activation(options_.activation, *this);
  c["filters"] = filters_;
  c["kernel_size"] = cu::tuple_json(kernel_size_);
  c["strides"] = cu::tuple_json(strides_);
  c["padding"] = padding_;
  c["output_padding"] = output_padding_.empty() ? nlohmann::json(nullptr) : cu::tuple_json(output_padding_);
  c["data_format"] = data_format_;
  c["dilation_rate"] = cu::tuple_json(dilation_);
  c["kernel_initializer"] = nabla::detail::initializer_to_config(options_.kernel_initializer);
  c["kernel_regularizer"] = nabla::detail::regularizer_to_config(options_.kernel_regularizer);
  cu::write_activation_and_bias(c, options_);
  c["kernel_constraint"] = nullptr;
  c["bias_constraint"] = nullptr;
  return c;
}

std::shared_ptr<Layer> Conv2DTransposeImpl::from_config(const nlohmann::json& c) {
  cu::reject_unsupported(c, {"kernel_constraint", "bias_constraint"}, "Conv2DTranspose");
  NB_CHECK(c.contains("filters") && c["filters"].is_number_integer(), InvalidArgument,
           "Conv2DTranspose config needs an integer \"filters\"");
  NB_CHECK(c.contains("kernel_size"), InvalidArgument, "Conv2DTranspose config needs \"kernel_size\"");
  Conv2DTransposeOptions o;
  cu::read_base(c, o);
  o.strides = cu::tuple_from_config(c, "strides", o.strides);
  o.padding = cu::string_from_config(c, "padding", o.padding);
  o.output_padding = cu::tuple_from_config(c, "output_padding", {});
  o.data_format = cu::string_from_config(c, "data_format", o.data_format);
  o.dilation_rate = cu::tuple_from_config(c, "dilation_rate", o.dilation_rate);
  if (c.contains("kernel_initializer"))
    o.kernel_initializer = nabla::detail::initializer_from_config(c["kernel_initializer"]);
  if (c.contains("kernel_regularizer"))
    o.kernel_regularizer = nabla::detail::regularizer_from_config(c["kernel_regularizer"]);
  cu::read_activation_and_bias(c, o);
  return std::make_shared<Conv2DTransposeImpl>(c["filters"].get<int64_t>(), cu::tuple_from_config(c, "kernel_size", {}),
                                               o);
}

NB_REGISTER_LAYER(Conv2DTransposeImpl, "Conv2DTranspose");

}  // namespace nabla::layers
