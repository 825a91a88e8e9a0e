// BatchNormalization: normalises each channel (the `axis` dimension) with the
// batch's statistics in training and with moving averages of them in
// inference, then scales by gamma and shifts by beta
// (keras.layers.BatchNormalization, Keras 3 semantics).
//
// Weights, in Keras's order: gamma (if scale), beta (if center) - trainable -
// then moving_mean and moving_variance (non-trainable: not seen by optimisers,
// saved with the model). A call with training=true on a trainable layer
// normalises with the batch mean and biased variance and updates
//   moving = moving * momentum + batch_statistic * (1 - momentum)
// outside any gradient tape. Otherwise (training=false, or the layer frozen
// with trainable=false, as Keras 3) it normalises with the moving statistics.
#pragma once
#include "nabla/nn/layer.h"

namespace nabla::layers {

struct BatchNormalizationOptions {
  int64_t axis = -1;  // the channel axis (1 after a channels_first convolution)
  double momentum = 0.99;
  double epsilon = 1e-3;
  bool center = true;  // add beta
  bool scale = true;   // multiply by gamma
  InitializerArg beta_initializer = "zeros";
  InitializerArg gamma_initializer = "ones";
  InitializerArg moving_mean_initializer = "zeros";
  InitializerArg moving_variance_initializer = "ones";
  RegularizerArg beta_regularizer = {};
  RegularizerArg gamma_regularizer = {};
  std::string name = {};
  bool trainable = true;
  DType dtype = DType::float32;
  std::vector<int64_t> input_shape = {};
};

class BatchNormalizationImpl : public Layer {
 public:
  // 0 <= momentum <= 1 and epsilon > 0 (InvalidArgument otherwise).
  explicit BatchNormalizationImpl(const BatchNormalizationOptions& options = {});
  // Weights of shape (C) with C = input_shape[axis]; the input rank must be >= 2
  // and `axis` inside it (InvalidArgument naming both otherwise).
  void build(const std::vector<Shape>& input_shapes) override;
  // Floating inputs (cast to the layer's dtype), same rank and channel count
  // as the build input; returns the normalised tensor of the input's shape.
  Tensor call(const Tensor& x, bool training) override;
  const BatchNormalizationOptions& options() const { return options_; }
  // The weights (FailedPrecondition before build, or gamma/beta when disabled).
  Variable& gamma() const;
  Variable& beta() const;
  Variable& moving_mean() const;
  Variable& moving_variance() const;
  std::string class_name() const override { return "BatchNormalization"; }
  nlohmann::json get_config() const override;
  // Unimplemented for non-default renorm, synchronized or constraints.
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);

 private:
  BatchNormalizationOptions options_;
  int64_t rank_ = 0;  // input rank at build time
  Variable* gamma_ = nullptr;  // owned by Layer
  Variable* beta_ = nullptr;
  Variable* moving_mean_ = nullptr;
  Variable* moving_variance_ = nullptr;
};

class BatchNormalization : public LayerHolder<BatchNormalizationImpl> {
 public:
  explicit BatchNormalization(const BatchNormalizationOptions& options = {})
      : LayerHolder(std::make_shared<BatchNormalizationImpl>(options)) {}
};

}  // namespace nabla::layers
