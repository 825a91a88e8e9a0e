#include "nabla/nn/layers/average_pooling1d.h"

#include <nlohmann/json.hpp>

namespace nabla::layers {

std::shared_ptr<Layer> AveragePooling1DImpl::from_config(const nlohmann::json& config) {
  auto [pool_size, options] = parse_config(config);
  NB_CHECK(!pool_size.empty(), InvalidArgument, "AveragePooling1D config needs \"pool_size\"");
  return std::make_shared<AveragePooling1DImpl>(pool_size, options);
}

NB_REGISTER_LAYER(AveragePooling1DImpl, "AveragePooling1D");

}  // namespace nabla::layers
