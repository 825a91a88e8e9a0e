#include "nabla/nn/layers/conv2d.h"

#include <nlohmann/json.hpp>

namespace nabla::layers {

std::shared_ptr<Layer> Conv2DImpl::from_config(const nlohmann::json& config) {
  FromConfig c = parse_config(config, "Conv2D");
  return std::make_shared<Conv2DImpl>(c.filters, c.kernel_size, c.options);
}

NB_REGISTER_LAYER(Conv2DImpl, "Conv2D");

}  // namespace nabla::layers
