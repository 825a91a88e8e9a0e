// Dense: y = activation(x @ kernel + bias) over the last axis (keras.layers.Dense).
#pragma once
#include "nabla/nn/activation_arg.h"
#include "nabla/nn/layer.h"

namespace nabla::layers {

struct DenseOptions {
  ActivationArg activation = {};  // none (linear) by default
  bool use_bias = true;
  InitializerArg kernel_initializer = "glorot_uniform";
  InitializerArg bias_initializer = "zeros";
  RegularizerArg kernel_regularizer = {};
  RegularizerArg bias_regularizer = {};
  RegularizerArg activity_regularizer = {};
  std::string name = {};
  bool trainable = true;
  DType dtype = DType::float32;
  std::vector<int64_t> input_shape = {};
};

class DenseImpl : public Layer {
 public:
  // units > 0 (InvalidArgument otherwise).
  explicit DenseImpl(int64_t units, const DenseOptions& options = {});
  // kernel (in, units) and bias (units) from the input's last dimension.
  void build(const std::vector<Shape>& input_shapes) override;
  // Input of rank >= 2 with last dimension `in` (InvalidArgument naming both otherwise).
  Tensor call(const Tensor& x, bool training) override;
  int64_t units() const { return units_; }
  Variable& kernel() const;
  Variable& bias() const;  // FailedPrecondition if use_bias is false
  std::string class_name() const override { return "Dense"; }
  nlohmann::json get_config() const override;
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
 private:
  int64_t units_;
  DenseOptions options_;
  ActivationArg::Fn activation_;
  Variable* kernel_ = nullptr;  // owned by Layer
  Variable* bias_ = nullptr;
  std::shared_ptr<regularizers::Regularizer> activity_regularizer_;
};

class Dense : public LayerHolder<DenseImpl> {
 public:
  explicit Dense(int64_t units, const DenseOptions& options = {})
      : LayerHolder(std::make_shared<DenseImpl>(units, options)) {}
};

}  // namespace nabla::layers
