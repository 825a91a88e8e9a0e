// Reshape: (batch, ...) -> (batch, target_shape) (keras.layers.Reshape); one
// entry of target_shape may be -1 (inferred).
#pragma once
#include "nabla/nn/layer.h"

namespace nabla::layers {

using ReshapeOptions = LayerOptions;

class ReshapeImpl : public Layer {
 public:
  explicit ReshapeImpl(std::vector<int64_t> target_shape, const ReshapeOptions& options = {});
  // InvalidArgument when the element count per sample does not match.
  Tensor call(const Tensor& x, bool training) override;
  const std::vector<int64_t>& target_shape() const { return target_shape_; }
  std::string class_name() const override { return "Reshape"; }
  nlohmann::json get_config() const override;
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
 private:
  std::vector<int64_t> target_shape_;
};

class Reshape : public LayerHolder<ReshapeImpl> {
 public:
  explicit Reshape(std::vector<int64_t> target_shape, const ReshapeOptions& options = {})
      : LayerHolder(std::make_shared<ReshapeImpl>(std::move(target_shape), options)) {}
};

}  // namespace nabla::layers
