#include "nabla/nn/layers/concatenate.h"

#include <nlohmann/json.hpp>

#include "nabla/ops/shape_ops.h"
#include "nn/layer_config.h"

namespace nabla::layers {

ConcatenateImpl::ConcatenateImpl(const ConcatenateOptions& options)
    : Layer(LayerOptions{.name = options.name, .trainable = options.trainable, .dtype = options.dtype}),
      axis_(options.axis) {}

std::vector<Tensor> ConcatenateImpl::call_list(const std::vector<Tensor>& xs, bool) {
  NB_CHECK(xs.size() >= 2, InvalidArgument, "Concatenate '", name(), "' needs at least 2 inputs, got ", xs.size());
  return {concat(xs, axis_)};
}

nlohmann::json ConcatenateImpl::get_config() const {
  nlohmann::json c = nlohmann::json::object();
  base_config(c);
  c["axis"] = axis_;
  return c;
}

std::shared_ptr<Layer> ConcatenateImpl::from_config(const nlohmann::json& c) {
  LayerOptions b = detail::layer_options_from_config(c);
  return std::make_shared<ConcatenateImpl>(ConcatenateOptions{
      .axis = c.value("axis", int64_t(-1)), .name = b.name, .trainable = b.trainable, .dtype = b.dtype});
}

NB_REGISTER_LAYER(ConcatenateImpl, "Concatenate");

}  // namespace nabla::layers
