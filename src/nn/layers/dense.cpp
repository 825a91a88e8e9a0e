#include "nabla/nn/layers/dense.h"

#include <nlohmann/json.hpp>

#include "nabla/nn/regularizers.h"
#include "nabla/ops/elementwise.h"
#include "nabla/ops/linalg.h"
#include "nabla/ops/reduce.h"
#include "nn/layer_config.h"

namespace nabla::layers {

DenseImpl::DenseImpl(int64_t units, const DenseOptions& options)
    : Layer(LayerOptions{.name = options.name, .trainable = options.trainable, .dtype = options.dtype,
                         .input_shape = options.input_shape}),
      units_(units),
      options_(options) {
  NB_CHECK(units > 0, InvalidArgument, "Dense: units must be a positive integer, got ", units);
  activation_ = options.activation.resolve();
  activity_regularizer_ = options.activity_regularizer.get();
}

void DenseImpl::build(const std::vector<Shape>& input_shapes) {
  NB_CHECK(input_shapes.size() == 1, InvalidArgument, "Dense takes one input, got ", input_shapes.size());
  const Shape& s = input_shapes[0];
  NB_CHECK(s.rank() >= 2, InvalidArgument, "Dense '", name(), "' expects an input of rank >= 2 (batch, ..., features), got shape ",
           s.tuple_str());
  int64_t in = s[s.rank() - 1];
  kernel_ = &add_weight("kernel", Shape{in, units_},
                        {.initializer = options_.kernel_initializer, .regularizer = options_.kernel_regularizer,
                         .dtype = dtype()});
  if (options_.use_bias)
    bias_ = &add_weight("bias", Shape{units_},
                        {.initializer = options_.bias_initializer, .regularizer = options_.bias_regularizer,
                         .dtype = dtype()});
}

Tensor DenseImpl::call(const Tensor& x, bool) {
  const int64_t in = kernel_->shape()[0];
  NB_CHECK(x.rank() >= 2 && x.shape()[x.rank() - 1] == in, InvalidArgument, "Dense '", name(),
           "' expects inputs of shape (None, ", in, "), got ", x.shape().tuple_str());
  NB_CHECK(x.dtype() == dtype(), InvalidArgument, "Dense '", name(), "' expects ", dtype_name(dtype()),
           " inputs, got ", dtype_name(x.dtype()), " (cast it, or start the model with a Rescaling layer)");
  Tensor y;
  if (x.rank() == 2) {
    y = matmul(x, kernel_->value());
  } else {
    Shape flat{x.size() / in, in};
    Shape out = x.shape();
    out[out.rank() - 1] = units_;
    y = matmul(x.reshape(flat), kernel_->value()).reshape(out);
  }
  if (bias_) y = y + bias_->value();
  if (!options_.activation.is_linear()) y = activation_(y);
  if (activity_regularizer_) add_loss((*activity_regularizer_)(y));  // Keras 3: not divided by the batch size
  return y;
}

Variable& DenseImpl::kernel() const {
  NB_CHECK(kernel_ != nullptr, FailedPrecondition, "Dense '", name(), "' is not built yet (call it once first)");
  return *kernel_;
}

Variable& DenseImpl::bias() const {
  NB_CHECK(bias_ != nullptr, FailedPrecondition, "Dense '", name(), "' has no bias (not built, or use_bias=false)");
  return *bias_;
}

nlohmann::json DenseImpl::get_config() const {
  nlohmann::json c = nlohmann::json::object();
  base_config(c);
  NB_CHECK(options_.activation.name() != "custom", Unimplemented, "Dense '", name(),
           "': an activation given as a C++ function cannot be saved; use an activation name");
  c["units"] = units_;
  c["activation"] = options_.activation.name();
  c["use_bias"] = options_.use_bias;
  c["kernel_initializer"] = detail::initializer_to_config(options_.kernel_initializer);
  c["bias_initializer"] = detail::initializer_to_config(options_.bias_initializer);
  c["kernel_regularizer"] = detail::regularizer_to_config(options_.kernel_regularizer);
  c["bias_regularizer"] = detail::regularizer_to_config(options_.bias_regularizer);
  c["activity_regularizer"] = detail::regularizer_to_config(options_.activity_regularizer);
  return c;
}

std::shared_ptr<Layer> DenseImpl::from_config(const nlohmann::json& c) {
  LayerOptions base = detail::layer_options_from_config(c);
  NB_CHECK(c.contains("units") && c["units"].is_number_integer(), InvalidArgument,
           "Dense config needs an integer \"units\"");
  DenseOptions o;
  o.name = base.name;
  o.trainable = base.trainable;
  o.dtype = base.dtype;
  o.input_shape = base.input_shape;
  if (c.contains("activation") && c["activation"].is_string()) o.activation = c["activation"].get<std::string>();
  if (c.contains("use_bias")) o.use_bias = c["use_bias"].get<bool>();
  if (c.contains("kernel_initializer")) o.kernel_initializer = detail::initializer_from_config(c["kernel_initializer"]);
  if (c.contains("bias_initializer")) o.bias_initializer = detail::initializer_from_config(c["bias_initializer"]);
  if (c.contains("kernel_regularizer")) o.kernel_regularizer = detail::regularizer_from_config(c["kernel_regularizer"]);
  if (c.contains("bias_regularizer")) o.bias_regularizer = detail::regularizer_from_config(c["bias_regularizer"]);
  if (c.contains("activity_regularizer"))
    o.activity_regularizer = detail::regularizer_from_config(c["activity_regularizer"]);
  return std::make_shared<DenseImpl>(c["units"].get<int64_t>(), o);
}

NB_REGISTER_LAYER(DenseImpl, "Dense");

}  // namespace nabla::layers
