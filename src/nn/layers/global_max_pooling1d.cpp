#include "nabla/nn/layers/global_max_pooling1d.h"

#include <nlohmann/json.hpp>

namespace nabla::layers {

std::shared_ptr<Layer> GlobalMaxPooling1DImpl::from_config(const nlohmann::json& config) {
  return std::make_shared<GlobalMaxPooling1DImpl>(parse_config(config));
}

NB_REGISTER_LAYER(GlobalMaxPooling1DImpl, "GlobalMaxPooling1D");

}  // namespace nabla::layers
