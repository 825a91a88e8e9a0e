#include "nabla/nn/layers/conv1d.h"

#include <nlohmann/json.hpp>

namespace nabla::layers {

std::shared_ptr<Layer> Conv1DImpl::from_config(const nlohmann::json& config) {
  FromConfig c = parse_config(config, "Conv1D");
  return std::make_shared<Conv1DImpl>(c.filters, c.kernel_size, c.options);
}

NB_REGISTER_LAYER(Conv1DImpl, "Conv1D");

}  // namespace nabla::layers
