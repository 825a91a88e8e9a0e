// DepthwiseConv2D: each input channel convolved with its own depth_multiplier
// filters (keras.layers.DepthwiseConv2D):
//   y = activation(depthwise_conv2d(x, kernel) + bias)
// kernel (kh, kw, in_channels, depth_multiplier), bias (in_channels *
// depth_multiplier), as Keras; output channel c * depth_multiplier + m.
//
//   nb::layers::DepthwiseConv2D(3, {.depth_multiplier = 2, .padding = "same"});
#pragma once
#include "nabla/nn/activation_arg.h"
#include "nabla/nn/layer.h"
#include "nabla/nn/layers/int_tuple.h"

namespace nabla::layers {

struct DepthwiseConv2DOptions {
  IntTuple strides = 1;
  std::string padding = "valid";  // or "same", any case
  int64_t depth_multiplier = 1;
  std::string data_format = "channels_last";  // or "channels_first"
  IntTuple dilation_rate = 1;  // may be combined with strides > 1 (as Keras)
  ActivationArg activation = {};
  bool use_bias = true;
  InitializerArg depthwise_initializer = "glorot_uniform";
  InitializerArg bias_initializer = "zeros";
  RegularizerArg depthwise_regularizer = {};
  RegularizerArg bias_regularizer = {};
  RegularizerArg activity_regularizer = {};
  std::string name = {};
  bool trainable = true;
  DType dtype = DType::float32;
  std::vector<int64_t> input_shape = {};
};

class DepthwiseConv2DImpl : public Layer {
 public:
  // kernel_size one value or 2, each > 0; depth_multiplier > 0; InvalidArgument
  // (Keras's checks) otherwise or for a bad padding / data_format.
  explicit DepthwiseConv2DImpl(const IntTuple& kernel_size, const DepthwiseConv2DOptions& options = {});
  // Creates kernel and bias from the input's channel count; InvalidArgument for
  // a rank other than 4 or (valid padding) an input smaller than the kernel.
  void build(const std::vector<Shape>& input_shapes) override;
  // Input of rank 4 with the channel count it was built with, of the layer's dtype.
  Tensor call(const Tensor& x, bool training) override;
  const std::vector<int64_t>& kernel_size() const { return kernel_size_; }
  int64_t depth_multiplier() const { return options_.depth_multiplier; }
  Variable& kernel() const;  // FailedPrecondition before build
  Variable& bias() const;    // FailedPrecondition if not built or use_bias is false
  std::string class_name() const override { return "DepthwiseConv2D"; }
  nlohmann::json get_config() const override;
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);

 private:
  std::vector<int64_t> kernel_size_, strides_, dilation_;
  std::string padding_, data_format_;
  bool channels_first_ = false;
  DepthwiseConv2DOptions options_;
  ActivationArg::Fn activation_;
  std::shared_ptr<regularizers::Regularizer> activity_regularizer_;
  int64_t in_channels_ = -1;
  Variable* kernel_ = nullptr;  // owned by Layer
  Variable* bias_ = nullptr;
};

class DepthwiseConv2D : public LayerHolder<DepthwiseConv2DImpl> {
 public:
  explicit DepthwiseConv2D(const IntTuple& kernel_size, const DepthwiseConv2DOptions& options = {})
      : LayerHolder(std::make_shared<DepthwiseConv2DImpl>(kernel_size, options)) {}
};

}  // namespace nabla::layers
