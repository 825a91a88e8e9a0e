#include "nabla/nn/layers/global_max_pooling2d.h"

#include <nlohmann/json.hpp>

namespace nabla::layers {

std::shared_ptr<Layer> GlobalMaxPooling2DImpl::from_config(const nlohmann::json& config) {
  return std::make_shared<GlobalMaxPooling2DImpl>(parse_config(config));
}

NB_REGISTER_LAYER(GlobalMaxPooling2DImpl, "GlobalMaxPooling2D");

}  // namespace nabla::layers
