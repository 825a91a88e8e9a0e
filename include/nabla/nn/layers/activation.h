// Activation: applies an activation function (keras.layers.Activation).
#pragma once
#include "nabla/nn/activation_arg.h"
#include "nabla/nn/layer.h"

namespace nabla::layers {

using ActivationOptions = LayerOptions;

class ActivationImpl : public Layer {
 public:
  explicit ActivationImpl(ActivationArg activation, const ActivationOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::string class_name() const override { return "Activation"; }
  nlohmann::json get_config() const override;
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
 private:
  ActivationArg activation_;
  ActivationArg::Fn fn_;
};

class Activation : public LayerHolder<ActivationImpl> {
 public:
  explicit Activation(ActivationArg activation, const ActivationOptions& options = {})
      : LayerHolder(std::make_shared<ActivationImpl>(std::move(activation), options)) {}
};

}  // namespace nabla::layers
