// BaseConvImpl: the N-d convolution layer behind Conv1D and Conv2D
// (keras.layers.Conv1D / Conv2D, Keras's BaseConv):
//   y = activation(conv(x, kernel) + bias)
// kernel (kernel_size..., in_channels / groups, filters) and bias (filters),
// exactly as Keras, so weights copy over one to one.
#pragma once
#include "nabla/nn/activation_arg.h"
#include "nabla/nn/layer.h"
#include "nabla/nn/layers/int_tuple.h"

namespace nabla::layers {

// Options of Conv1D / Conv2D (Keras's keyword arguments and defaults).
struct ConvLayerOptions {
  IntTuple strides = 1;
  // "valid" or "same" (TensorFlow's rule: output = ceil(in / stride)); Conv1D
  // also "causal" (left padding dilation * (kernel - 1), then valid). Any case.
  std::string padding = "valid";
  std::string data_format = "channels_last";  // or "channels_first"
  // strides > 1 together with dilation_rate > 1 is rejected, as Keras does.
  IntTuple dilation_rate = 1;
  int64_t groups = 1;  // divides filters and the input channels
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

class BaseConvImpl : public Layer {
 public:
  // `rank` spatial dimensions (1 or 2); `class_name` is the Keras class name
  // used in messages and configs. InvalidArgument (Keras's checks) for
  // filters <= 0, groups <= 0, filters % groups != 0, kernel_size/strides/
  // dilation_rate of the wrong length or <= 0, strides > 1 together with
  // dilation_rate > 1, or a bad padding / data_format.
  BaseConvImpl(std::string class_name, int rank, int64_t filters, const IntTuple& kernel_size,
               const ConvLayerOptions& options);
  // Creates kernel and bias from the input's channel count. InvalidArgument for
  // a wrong input rank, channels not divisible by groups, or (valid padding) an
  // input smaller than the dilated kernel.
  void build(const std::vector<Shape>& input_shapes) override;
  // Input (batch, spatial..., channels) or (batch, channels, spatial...) with
  // the channel count it was built with, of the layer's dtype.
  Tensor call(const Tensor& x, bool training) override;
  int64_t filters() const { return filters_; }
  const std::vector<int64_t>& kernel_size() const { return kernel_size_; }
  const std::vector<int64_t>& strides() const { return strides_; }
  const std::vector<int64_t>& dilation_rate() const { return dilation_; }
  const std::string& padding() const { return padding_; }
  const std::string& data_format() const { return data_format_; }
  int64_t groups() const { return options_.groups; }
  Variable& kernel() const;  // FailedPrecondition before build
  Variable& bias() const;    // FailedPrecondition if not built or use_bias is false
  std::string class_name() const override { return class_name_; }
  nlohmann::json get_config() const override;

 protected:
  // The filters, kernel_size and options stored in a Keras config (Unimplemented
  // for constraints or LoRA, which nabla lacks).
  struct FromConfig {
    int64_t filters = 0;
    IntTuple kernel_size = {};
    ConvLayerOptions options = {};
  };
  static FromConfig parse_config(const nlohmann::json& config, const std::string& class_name);

 private:
  std::string class_name_;
  int rank_;
  int64_t filters_;
  std::vector<int64_t> kernel_size_, strides_, dilation_;
  std::string padding_, data_format_;
  bool channels_first_ = false;
  ConvLayerOptions options_;
  ActivationArg::Fn activation_;
  std::shared_ptr<regularizers::Regularizer> activity_regularizer_;
  int64_t in_channels_ = -1;
  Variable* kernel_ = nullptr;  // owned by Layer
  Variable* bias_ = nullptr;
};

}  // namespace nabla::layers
