#include "nabla/nn/layers/global_average_pooling2d.h"

#include <nlohmann/json.hpp>

namespace nabla::layers {

std::shared_ptr<Layer> GlobalAveragePooling2DImpl::from_config(const nlohmann::json& config) {
  return std::make_shared<GlobalAveragePooling2DImpl>(parse_config(config));
}

NB_REGISTER_LAYER(GlobalAveragePooling2DImpl, "GlobalAveragePooling2D");

}  // namespace nabla::layers
