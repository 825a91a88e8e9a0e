#include "nabla/nn/layers/rescaling.h"

#include <nlohmann/json.hpp>

#include "nabla/ops/cast.h"
#include "nabla/ops/elementwise.h"
#include "nn/layer_config.h"

namespace nabla::layers {

RescalingImpl::RescalingImpl(double scale, const RescalingOptions& options)
    : Layer(LayerOptions{.name = options.name, .trainable = options.trainable, .dtype = options.dtype,
                         .input_shape = options.input_shape}),
      scale_(scale),
      offset_(options.offset) {}

Tensor RescalingImpl::call(const Tensor& x, bool) {
  Tensor y = x.dtype() == dtype() ? x : cast(x, dtype());
  y = y * scalar_like(scale_, y);
  if (offset_ != 0.0) y = y + scalar_like(offset_, y);
  return y;
}

nlohmann::json RescalingImpl::get_config() const {
  nlohmann::json c = nlohmann::json::object();
  base_config(c);
  c["scale"] = scale_;
  c["offset"] = offset_;
  return c;
}

std::shared_ptr<Layer> RescalingImpl::from_config(const nlohmann::json& c) {
  NB_CHECK(c.contains("scale") && c["scale"].is_number(), InvalidArgument, "Rescaling config needs a number \"scale\"");
  LayerOptions b = detail::layer_options_from_config(c);
  return std::make_shared<RescalingImpl>(
      c["scale"].get<double>(), RescalingOptions{.offset = c.value("offset", 0.0), .name = b.name,
                                                 .trainable = b.trainable, .dtype = b.dtype, .input_shape = b.input_shape});
}

NB_REGISTER_LAYER(RescalingImpl, "Rescaling");

}  // namespace nabla::layers
