// Conv2DTranspose: the transposed 2-D convolution ("deconvolution"), the
// gradient of Conv2D with respect to its input (keras.layers.Conv2DTranspose):
//   y = activation(conv_transpose(x, kernel) + bias)
// kernel (kh, kw, filters, in_channels) and bias (filters), as Keras. Output
// spatial length per dimension (Keras's rule, k' = dilation * (k - 1) + 1):
//   valid: (in - 1) * stride + max(k', stride)     (+ output_padding: (in - 1) * stride + k' + output_padding)
//   same:  in * stride                             (+ output_padding: (in - 1) * stride + k' % 2 + output_padding)
//
//   nb::layers::Conv2DTranspose(16, 3, {.strides = 2, .padding = "same"});
#pragma once
#include "nabla/nn/activation_arg.h"
#include "nabla/nn/layer.h"
#include "nabla/nn/layers/int_tuple.h"

namespace nabla::layers {

struct Conv2DTransposeOptions {
  IntTuple strides = 1;
  std::string padding = "valid";  // or "same", any case
  // Empty (Keras's None): inferred as above. Else one value or 2, each
  // 0 <= output_padding < strides.
  IntTuple output_padding = {};
  std::string data_format = "channels_last";  // or "channels_first"
  IntTuple dilation_rate = 1;  // strides > 1 with dilation_rate > 1 is rejected (as Keras)
  ActivationArg activation = {};
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

class Conv2DTransposeImpl : public Layer {
 public:
  // filters > 0; kernel_size, strides, dilation_rate one value or 2, each > 0;
  // InvalidArgument (Keras's checks) otherwise, for output_padding >= strides,
  // strides > 1 with dilation_rate > 1, or a bad padding / data_format.
  Conv2DTransposeImpl(int64_t filters, const IntTuple& kernel_size, const Conv2DTransposeOptions& options = {});
  // Creates kernel and bias from the input's channel count; InvalidArgument for
  // a rank other than 4.
  void build(const std::vector<Shape>& input_shapes) override;
  // Input of rank 4 with the channel count it was built with, of the layer's dtype.
  Tensor call(const Tensor& x, bool training) override;
  int64_t filters() const { return filters_; }
  const std::vector<int64_t>& kernel_size() const { return kernel_size_; }
  // The output spatial length for input length `in` along dimension `dim` (0 or 1).
  int64_t output_length(int dim, int64_t in) const;
  Variable& kernel() const;  // FailedPrecondition before build
  Variable& bias() const;    // FailedPrecondition if not built or use_bias is false
  std::string class_name() const override { return "Conv2DTranspose"; }
  nlohmann::json get_config() const override;
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);

 private:
  // The full output shape for input shape x; InvalidArgument when a convolution
  // of that shape would not give back x (an even kernel with output_padding 0
  // and "same" padding, as TensorFlow).
  Shape output_shape(const Shape& x) const;
  int64_t filters_;
  std::vector<int64_t> kernel_size_, strides_, dilation_, output_padding_;  // output_padding_ empty: None
  std::string padding_, data_format_;
  bool channels_first_ = false;
  Conv2DTransposeOptions options_;
  ActivationArg::Fn activation_;
  std::shared_ptr<regularizers::Regularizer> activity_regularizer_;
  int64_t in_channels_ = -1;
  Variable* kernel_ = nullptr;  // owned by Layer
  Variable* bias_ = nullptr;
};

class Conv2DTranspose : public LayerHolder<Conv2DTransposeImpl> {
 public:
  Conv2DTranspose(int64_t filters, const IntTuple& kernel_size, const Conv2DTransposeOptions& options = {})
      : LayerHolder(std::make_shared<Conv2DTransposeImpl>(filters, kernel_size, options)) {}
};

}  // namespace nabla::layers
