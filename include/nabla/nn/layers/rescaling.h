// Rescaling: y = cast(x) * scale + offset (keras.layers.Rescaling). Accepts
// integer inputs (e.g. uint8 images) and casts them to the layer's dtype.
#pragma once
#include "nabla/nn/layer.h"

namespace nabla::layers {

struct RescalingOptions {
  double offset = 0.0;
  std::string name = {};
  bool trainable = true;
  DType dtype = DType::float32;
  std::vector<int64_t> input_shape = {};
};

class RescalingImpl : public Layer {
 public:
  explicit RescalingImpl(double scale, const RescalingOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::string class_name() const override { return "Rescaling"; }
  nlohmann::json get_config() const override;
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
 private:
  double scale_;
  double offset_;
};

class Rescaling : public LayerHolder<RescalingImpl> {
 public:
  explicit Rescaling(double scale, const RescalingOptions& options = {})
      : LayerHolder(std::make_shared<RescalingImpl>(scale, options)) {}
};

}  // namespace nabla::layers
