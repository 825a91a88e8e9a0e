#include "nabla/nn/layers/flatten.h"

#include <nlohmann/json.hpp>

#include "nn/layer_config.h"

namespace nabla::layers {

Tensor FlattenImpl::call(const Tensor& x, bool) {
  NB_CHECK(x.rank() >= 1, InvalidArgument, "Flatten '", name(), "' needs a batch dimension, got a scalar");
  int64_t batch = x.shape()[0];
  int64_t rest = 1;
  for (int64_t i = 1; i < x.rank(); ++i) rest *= x.shape()[i];
  return x.reshape(Shape{batch, rest});
}

std::shared_ptr<Layer> FlattenImpl::from_config(const nlohmann::json& c) {
  return std::make_shared<FlattenImpl>(detail::layer_options_from_config(c));
}

NB_REGISTER_LAYER(FlattenImpl, "Flatten");

}  // namespace nabla::layers
