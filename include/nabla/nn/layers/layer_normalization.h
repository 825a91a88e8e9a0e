// LayerNormalization: normalises each sample over `axis` (default the last
// axis) with its own mean and variance, then scales by gamma and shifts by
// beta, which have the shape of the normalised axes
// (keras.layers.LayerNormalization; the same in training and inference).
//   y = x * inv + (beta - mean * inv),  inv = gamma / sqrt(variance + epsilon)
#pragma once
#include "nabla/nn/layer.h"

namespace nabla::layers {

struct LayerNormalizationOptions {
  std::vector<int64_t> axis = {-1};  // one or more axes (not the batch axis)
  double epsilon = 1e-3;
  bool center = true;  // add beta
  bool scale = true;   // multiply by gamma
  InitializerArg beta_initializer = "zeros";
  InitializerArg gamma_initializer = "ones";
  RegularizerArg beta_regularizer = {};
  RegularizerArg gamma_regularizer = {};
  std::string name = {};
  bool trainable = true;
  DType dtype = DType::float32;
  std::vector<int64_t> input_shape = {};
};

class LayerNormalizationImpl : public Layer {
 public:
  // A non-empty axis list without repeats, epsilon > 0 (InvalidArgument otherwise).
  explicit LayerNormalizationImpl(const LayerNormalizationOptions& options = {});
  // gamma and beta of shape (input_shape[a] for a in the sorted axes); the
  // axes must lie inside the input and not be the batch axis.
  void build(const std::vector<Shape>& input_shapes) override;
  // Inputs of the build rank and normalised-axis sizes (cast to the layer's dtype).
  Tensor call(const Tensor& x, bool training) override;
  const LayerNormalizationOptions& options() const { return options_; }
  Variable& gamma() const;  // FailedPrecondition if not built or scale=false
  Variable& beta() const;   // FailedPrecondition if not built or center=false
  std::string class_name() const override { return "LayerNormalization"; }
  nlohmann::json get_config() const override;
  // Unimplemented for rms_scaling=true or constraints.
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);

 private:
  LayerNormalizationOptions options_;
  std::vector<int64_t> axes_;  // normalised, sorted (set by build)
  Shape param_shape_;          // broadcast shape of gamma/beta: 1 except on axes_
  int64_t rank_ = 0;
  Variable* gamma_ = nullptr;  // owned by Layer
  Variable* beta_ = nullptr;
};

class LayerNormalization : public LayerHolder<LayerNormalizationImpl> {
 public:
  explicit LayerNormalization(const LayerNormalizationOptions& options = {})
      : LayerHolder(std::make_shared<LayerNormalizationImpl>(options)) {}
};

}  // namespace nabla::layers
