// Add: the element-wise sum of several inputs of the same shape (keras.layers.Add).
#pragma once
#include "nabla/nn/layer.h"

namespace nabla::layers {

using AddOptions = LayerOptions;

class AddImpl : public Layer {
 public:
  explicit AddImpl(const AddOptions& options = {}) : Layer(options) {}
  // Two or more inputs whose shapes broadcast (InvalidArgument naming them otherwise).
  std::vector<Tensor> call_list(const std::vector<Tensor>& xs, bool training) override;
  std::string class_name() const override { return "Add"; }
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
};

class Add : public LayerHolder<AddImpl> {
 public:
  explicit Add(const AddOptions& options = {}) : LayerHolder(std::make_shared<AddImpl>(options)) {}
};

}  // namespace nabla::layers
