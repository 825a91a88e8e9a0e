#include "nabla/nn/layers/add.h"

#include <nlohmann/json.hpp>

#include "nabla/ops/elementwise.h"
#include "nn/layer_config.h"

namespace nabla::layers {

std::vector<Tensor> AddImpl::call_list(const std::vector<Tensor>& xs, bool) {
  NB_CHECK(xs.size() >= 2, InvalidArgument, "Add '", name(), "' needs at least 2 inputs, got ", xs.size());
  Tensor y = xs[0];
  for (size_t i = 1; i < xs.size(); ++i) y = y + xs[i];
  return {y};
}

std::shared_ptr<Layer> AddImpl::from_config(const nlohmann::json& c) {
  return std::make_shared<AddImpl>(detail::layer_options_from_config(c));
}

NB_REGISTER_LAYER(AddImpl, "Add");

}  // namespace nabla::layers
