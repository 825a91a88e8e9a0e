// Convolution ops (tf.nn.convolution / conv1d / conv2d / conv2d_transpose /
// depthwise_conv2d). One registry op, "Conv", covers 1, 2 and 3 spatial
// dimensions; its gradients are the registry ops "ConvBackpropInput" and
// "ConvBackpropFilter" (each differentiable again). float32 runs on oneDNN
// (batch split over nabla's thread pool, primitives cached by shape); float64
// and the reference path (set_conv_reference) run a direct loop;
// float16/bfloat16 run the float32 kernel.
//
// Layouts (TensorFlow's):
//   input   channels_last  (N, spatial..., C)   or channels_first (N, C, spatial...)
//   filters (k_spatial..., C / groups, filters)  -- HWIO, whatever the data format
//   output  like the input, with `filters` channels.
// groups = C / filters.shape[-2]; C must be a multiple of it and `filters` a
// multiple of groups (InvalidArgument naming both otherwise).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "nabla/core/tensor.h"

namespace nabla {

struct ConvOptions {
  // One per spatial dimension, or a single value for all (empty: 1).
  std::vector<int64_t> strides = {};
  // "valid" or "same" (TensorFlow's rule: output = ceil(in / stride), extra
  // padding at the end), case-insensitive, or "explicit" with explicit_paddings.
  std::string padding = "valid";
  // 2 per spatial dimension: (before, after) pairs, for padding = "explicit".
  std::vector<int64_t> explicit_paddings = {};
  // One per spatial dimension, or a single value (empty: 1). strides > 1 and
  // dilations > 1 may be combined.
  std::vector<int64_t> dilations = {};
  // "channels_last" (NHWC, default) or "channels_first" (NCHW).
  std::string data_format = "channels_last";
};

// N-d convolution (cross-correlation, as every framework): input of rank
// 3..5, filters of the same rank. Output spatial size, per dimension:
//   valid: floor((in - dilation*(k-1) - 1) / stride) + 1   (InvalidArgument if < 0)
//   same:  ceil(in / stride)
Tensor conv(const Tensor& input, const Tensor& filters, const ConvOptions& options = {});
// conv() checked for rank 3 (N, W, C) / rank 4 (N, H, W, C).
Tensor conv1d(const Tensor& input, const Tensor& filters, const ConvOptions& options = {});
Tensor conv2d(const Tensor& input, const Tensor& filters, const ConvOptions& options = {});

// The gradient of conv() with respect to its input, which is also the
// transposed convolution: `output_grad` shaped like conv's output, `filters`
// as for conv, `input_shape` the full shape of the result (N, spatial..., C).
// InvalidArgument if conv(input_shape) would not produce output_grad's shape.
Tensor conv_backprop_input(const Tensor& output_grad, const Tensor& filters, const Shape& input_shape,
                           const ConvOptions& options = {});
// The gradient of conv() with respect to its filters (shape `filter_shape`).
Tensor conv_backprop_filter(const Tensor& input, const Tensor& output_grad, const Shape& filter_shape,
                            const ConvOptions& options = {});

// tf.nn.conv_transpose / conv2d_transpose: `filters` is (k_spatial..., out_channels,
// in_channels) and `output_shape` the full result shape; the same as
// conv_backprop_input.
Tensor conv_transpose(const Tensor& input, const Tensor& filters, const Shape& output_shape,
                      const ConvOptions& options = {});

// tf.nn.depthwise_conv2d: filters (kh, kw, C, multiplier); output channel
// c * multiplier + m. A grouped conv with groups = C.
Tensor depthwise_conv2d(const Tensor& input, const Tensor& filters, const ConvOptions& options = {});

// The spatial output length of a convolution with TensorFlow's rules (the
// shape inference above), and the (before, after) padding it implies.
int64_t conv_output_length(int64_t in, int64_t kernel, int64_t stride, int64_t dilation,
                           const std::string& padding);

// Testing switch: true makes float32 conv/pool kernels run the reference
// loops instead of oneDNN (process-wide; default false).
void set_conv_reference(bool use_reference);
bool conv_reference();

}  // namespace nabla
