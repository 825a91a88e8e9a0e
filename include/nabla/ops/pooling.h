// Pooling ops (tf.nn.max_pool / avg_pool for 1, 2 and 3 spatial dimensions).
// Registry ops "MaxPool" and "AvgPool"; their gradients are "MaxPoolGrad"
// (itself differentiable through "MaxPoolGradGrad") and "AvgPoolGrad".
// Windows never dilate. With padding "same", max pooling ignores the padded
// positions and average pooling divides by the number of real elements in
// the window (TensorFlow's rule, PyTorch's count_include_pad=false).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "nabla/core/tensor.h"

namespace nabla {

struct PoolOptions {
  // One per spatial dimension, or a single value (empty: the pool size, as Keras).
  std::vector<int64_t> strides = {};
  std::string padding = "valid";  // "valid" or "same", case-insensitive
  std::string data_format = "channels_last";  // or "channels_first"
};

// input rank 3..5; pool_size one per spatial dimension or a single value.
// Output spatial size: valid floor((in - k) / s) + 1, same ceil(in / s).
// float dtypes. Ties in max pooling send the gradient to the first maximum
// in row-major window order.
Tensor max_pool(const Tensor& input, const std::vector<int64_t>& pool_size, const PoolOptions& options = {});
Tensor avg_pool(const Tensor& input, const std::vector<int64_t>& pool_size, const PoolOptions& options = {});

}  // namespace nabla
