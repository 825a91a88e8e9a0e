// Concatenate: joins inputs along `axis` (keras.layers.Concatenate).
#pragma once
#include "nabla/nn/layer.h"

namespace nabla::layers {

struct ConcatenateOptions {
  int64_t axis = -1;
  std::string name = {};
  bool trainable = true;
  DType dtype = DType::float32;
};

class ConcatenateImpl : public Layer {
 public:
  explicit ConcatenateImpl(const ConcatenateOptions& options = {});
  // Two or more inputs equal in every dimension but `axis`.
  std::vector<Tensor> call_list(const std::vector<Tensor>& xs, bool training) override;
  std::string class_name() const override { return "Concatenate"; }
  nlohmann::json get_config() const override;
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
 private:
  int64_t axis_;
};

class Concatenate : public LayerHolder<ConcatenateImpl> {
 public:
  explicit Concatenate(const ConcatenateOptions& options = {})
      : LayerHolder(std::make_shared<ConcatenateImpl>(options)) {}
};

}  // namespace nabla::layers
