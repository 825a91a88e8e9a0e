// SeparableConv2D: a depthwise convolution followed by a 1x1 (pointwise)
// convolution mixing the channels (keras.layers.SeparableConv2D):
//   y = activation(conv2d(depthwise_conv2d(x, depthwise_kernel), pointwise_kernel) + bias)
// depthwise_kernel (kh, kw, in_channels, depth_multiplier), pointwise_kernel
// (1, 1, in_channels * depth_multiplier, filters), bias (filters), as Keras.
//
//   nb::layers::SeparableConv2D(16, 3, {.padding = "same", .activation = "relu"});
#pragma once
#include "nabla/nn/activation_arg.h"
#include "nabla/nn/layer.h"
#include "nabla/nn/layers/int_tuple.h"

namespace nabla::layers {

struct SeparableConv2DOptions {
  IntTuple strides = 1;
  std::string padding = "valid";  // or "same", any case
  std::string data_format = "channels_last";  // or "channels_first"
  IntTuple dilation_rate = 1;  // may be combined with strides > 1 (as Keras)
  int64_t depth_multiplier = 1;
  ActivationArg activation = {};
  bool use_bias = true;
  InitializerArg depthwise_initializer = "glorot_uniform";
  InitializerArg pointwise_initializer = "glorot_uniform";
  InitializerArg bias_initializer = "zeros";
  RegularizerArg depthwise_regularizer = {};
  RegularizerArg pointwise_regularizer = {};
  RegularizerArg bias_regularizer = {};
  RegularizerArg activity_regularizer = {};
  std::string name = {};
  bool trainable = true;
  DType dtype = DType::float32;
  std::vector<int64_t> input_shape = {};
};

class SeparableConv2DImpl : public Layer {
 public:
  // filters > 0, depth_multiplier > 0, kernel_size one value or 2, each > 0;
  // InvalidArgument (Keras's checks) otherwise or for a bad padding / data_format.
  SeparableConv2DImpl(int64_t filters, const IntTuple& kernel_size, const SeparableConv2DOptions& options = {});
  // Creates the kernels and bias from the input's channel count; InvalidArgument
  // for a rank other than 4 or (valid padding) an input smaller than the kernel.
  void build(const std::vector<Shape>& input_shapes) override;
  // Input of rank 4 with the channel count it was built with, of the layer's dtype.
  Tensor call(const Tensor& x, bool training) override;
  int64_t filters() const { return filters_; }
  const std::vector<int64_t>& kernel_size() const { return kernel_size_; }
  Variable& depthwise_kernel() const;  // FailedPrecondition before build
  Variable& pointwise_kernel() const;  // FailedPrecondition before build
  Variable& bias() const;              // FailedPrecondition if not built or use_bias is false
  std::string class_name() const override { return "SeparableConv2D"; }
  nlohmann::json get_config() const override;
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);

 private:
  int64_t filters_;
  std::vector<int64_t> kernel_size_, strides_, dilation_;
  std::string padding_, data_format_;
  bool channels_first_ = false;
  SeparableConv2DOptions options_;
  ActivationArg::Fn activation_;
  std::shared_ptr<regularizers::Regularizer> activity_regularizer_;
  int64_t in_channels_ = -1;
  Variable* depthwise_ = nullptr;  // owned by Layer
  Variable* pointwise_ = nullptr;
  Variable* bias_ = nullptr;
};

class SeparableConv2D : public LayerHolder<SeparableConv2DImpl> {
 public:
  SeparableConv2D(int64_t filters, const IntTuple& kernel_size, const SeparableConv2DOptions& options = {})
      : LayerHolder(std::make_shared<SeparableConv2DImpl>(filters, kernel_size, options)) {}
};

}  // namespace nabla::layers
