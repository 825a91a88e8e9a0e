// InputLayer: the layer behind nb::Input (keras.layers.InputLayer).
#pragma once
#include "nabla/nn/keras_tensor.h"
#include "nabla/nn/layer.h"

namespace nabla::layers {

struct InputLayerOptions {
  std::vector<int64_t> shape = {};  // without the batch dimension
  DType dtype = DType::float32;
  std::string name = {};
};

class InputLayerImpl : public Layer {
 public:
  explicit InputLayerImpl(const InputLayerOptions& options);
  // The symbolic tensor this input produces (shape (None, ...shape)).
  KerasTensor output();
  const std::vector<int64_t>& shape() const { return shape_; }
  DType input_dtype() const { return input_dtype_; }
  // Identity, after checking the rank and non-batch dimensions.
  Tensor call(const Tensor& x, bool training) override;
  std::string class_name() const override { return "InputLayer"; }
  nlohmann::json get_config() const override;
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
 private:
  std::vector<int64_t> shape_;
  DType input_dtype_;
  std::weak_ptr<Node> node_;  // weak: the node owns this layer (no reference cycle)
};

}  // namespace nabla::layers
