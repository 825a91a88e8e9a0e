#include "nabla/nn/layers/average_pooling2d.h"

#include <nlohmann/json.hpp>

namespace nabla::layers {

std::shared_ptr<Layer> AveragePooling2DImpl::from_config(const nlohmann::json& config) {
  auto [pool_size, options] = parse_config(config);
  NB_CHECK(!pool_size.empty(), InvalidArgument, "AveragePooling2D config needs \"pool_size\"");
  return std::make_shared<AveragePooling2DImpl>(pool_size, options);
}

NB_REGISTER_LAYER(AveragePooling2DImpl, "AveragePooling2D");

}  // namespace nabla::layers
