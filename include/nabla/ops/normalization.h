// Batch normalisation as one registry op ("FusedBatchNorm", TensorFlow's
// FusedBatchNormV3 / PyTorch's batch_norm), and tf.nn.batch_normalization.
#pragma once
#include <string>

#include "nabla/core/tensor.h"

namespace nabla {

struct FusedBatchNormOptions {
  double epsilon = 1e-3;
  // true: normalise with the statistics of this batch (over every axis but the
  // channel axis) and return them; false: use `mean` and `variance`.
  bool training = true;
  // "channels_last": the channel axis is the last one; "channels_first": axis 1.
  std::string data_format = "channels_last";
};

struct FusedBatchNormResult {
  Tensor y;
  Tensor batch_mean;      // training: the batch mean; inference: `mean` unchanged
  Tensor batch_variance;  // training: the biased batch variance; inference: `variance`
};

// y = (x - m) / sqrt(v + epsilon) * scale + offset, per channel. x of rank >= 2
// (float dtypes); scale, offset, mean, variance of shape (C) and x's dtype
// (in training mode mean and variance are not read but must still have that
// shape). Differentiable with respect to x, scale and offset (and, in
// inference mode, mean and variance); the gradient of the batch statistics
// outputs is included.
FusedBatchNormResult fused_batch_norm(const Tensor& x, const Tensor& scale, const Tensor& offset,
                                      const Tensor& mean, const Tensor& variance,
                                      const FusedBatchNormOptions& options = {});

// tf.nn.batch_normalization: (x - mean) * rsqrt(variance + epsilon) * scale + offset
// with broadcasting (scale/offset may be undefined tensors: 1 and 0).
Tensor batch_normalization(const Tensor& x, const Tensor& mean, const Tensor& variance, const Tensor& offset,
                           const Tensor& scale, double variance_epsilon);

}  // namespace nabla
