#include "nabla/nn/layers/max_pooling1d.h"

#include <nlohmann/json.hpp>

namespace nabla::layers {

std::shared_ptr<Layer> MaxPooling1DImpl::from_config(const nlohmann::json& config) {
  auto [pool_size, options] = parse_config(config);
  if (pool_size.empty()) pool_size = 2;  // Keras's default
  return std::make_shared<MaxPooling1DImpl>(pool_size, options);
}

NB_REGISTER_LAYER(MaxPooling1DImpl, "MaxPooling1D");

}  // namespace nabla::layers
