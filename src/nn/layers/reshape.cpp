#include "nabla/nn/layers/reshape.h"

#include <nlohmann/json.hpp>

#include "nabla/nn/keras_tensor.h"
#include "nn/layer_config.h"

namespace nabla::layers {

ReshapeImpl::ReshapeImpl(std::vector<int64_t> target_shape, const ReshapeOptions& options)
    : Layer(options), target_shape_(std::move(target_shape)) {
  int unknown = 0;
  for (int64_t d : target_shape_) {
    NB_CHECK(d > 0 || d == -1, InvalidArgument, "Reshape: target_shape ", shape_to_keras_str(target_shape_),
             " may hold positive sizes and at most one -1");
    unknown += d == -1;
  }
  NB_CHECK(unknown <= 1, InvalidArgument, "Reshape: target_shape ", shape_to_keras_str(target_shape_),
           " has more than one -1");
}

Tensor ReshapeImpl::call(const Tensor& x, bool) {
  NB_CHECK(x.rank() >= 1, InvalidArgument, "Reshape '", name(), "' needs a batch dimension");
  int64_t batch = x.shape()[0];
  int64_t per_sample = batch == 0 ? 0 : x.size() / batch;
  int64_t known = 1;
  int64_t unknown_at = -1;
  for (size_t i = 0; i < target_shape_.size(); ++i) {
    if (target_shape_[i] == -1) unknown_at = int64_t(i);
    else known *= target_shape_[i];
  }
  Shape out{batch};
  for (int64_t d : target_shape_) out.push_back(d);
  if (unknown_at >= 0) {
    NB_CHECK(known > 0 && per_sample % known == 0, InvalidArgument, "Reshape '", name(), "': cannot reshape ",
             x.shape().tuple_str(), " to (None, ", shape_to_keras_str(target_shape_).substr(1));
    out[unknown_at + 1] = per_sample / known;
  } else {
    NB_CHECK(known == per_sample, InvalidArgument, "Reshape '", name(), "': input ", x.shape().tuple_str(), " has ",
             per_sample, " values per sample, target shape ", shape_to_keras_str(target_shape_), " needs ", known);
  }
  return x.reshape(out);
}

nlohmann::json ReshapeImpl::get_config() const {
  nlohmann::json c = nlohmann::json::object();
  base_config(c);
  c["target_shape"] = target_shape_;
  return c;
}

std::shared_ptr<Layer> ReshapeImpl::from_config(const nlohmann::json& c) {
  NB_CHECK(c.contains("target_shape") && c["target_shape"].is_array(), InvalidArgument,
           "Reshape config needs a \"target_shape\" list");
  return std::make_shared<ReshapeImpl>(c["target_shape"].get<std::vector<int64_t>>(),
                                       detail::layer_options_from_config(c));
}

NB_REGISTER_LAYER(ReshapeImpl, "Reshape");

}  // namespace nabla::layers
