#include "nabla/nn/layers/global_average_pooling1d.h"

#include <nlohmann/json.hpp>

namespace nabla::layers {

std::shared_ptr<Layer> GlobalAveragePooling1DImpl::from_config(const nlohmann::json& config) {
  return std::make_shared<GlobalAveragePooling1DImpl>(parse_config(config));
}

NB_REGISTER_LAYER(GlobalAveragePooling1DImpl, "GlobalAveragePooling1D");

}  // namespace nabla::layers
