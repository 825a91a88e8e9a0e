#include "nabla/nn/layers/max_pooling2d.h"

#include <nlohmann/json.hpp>

namespace nabla::layers {

std::shared_ptr<Layer> MaxPooling2DImpl::from_config(const nlohmann::json& config) {
  auto [pool_size, options] = parse_config(config);
  if (pool_size.empty()) pool_size = 2;  // Keras's default
  return std::make_shared<MaxPooling2DImpl>(pool_size, options);
}

NB_REGISTER_LAYER(MaxPooling2DImpl, "MaxPooling2D");

}  // namespace nabla::layers
