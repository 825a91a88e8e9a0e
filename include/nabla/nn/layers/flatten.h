// Flatten: (batch, d1, d2, ...) -> (batch, d1*d2*...) (keras.layers.Flatten).
#pragma once
#include "nabla/nn/layer.h"

namespace nabla::layers {

using FlattenOptions = LayerOptions;

class FlattenImpl : public Layer {
 public:
  explicit FlattenImpl(const FlattenOptions& options = {}) : Layer(options) {}
  // A view when the input is contiguous.
  Tensor call(const Tensor& x, bool training) override;
  std::string class_name() const override { return "Flatten"; }
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
};

class Flatten : public LayerHolder<FlattenImpl> {
 public:
  explicit Flatten(const FlattenOptions& options = {}) : LayerHolder(std::make_shared<FlattenImpl>(options)) {}
};

}  // namespace nabla::layers
