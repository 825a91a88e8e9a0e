// Fused cross-entropy ops (TensorFlow's tf.nn.*_cross_entropy_with_logits).
#pragma once
#include "nabla/core/tensor.h"

namespace nabla {

// Per-example loss -log(softmax(logits)[..., label]) computed in one stable
// pass per row (log-sum-exp with the row maximum subtracted), registry op
// "SparseSoftmaxCrossEntropyWithLogits".
//   logits: float16/bfloat16/float32/float64, rank >= 1, classes on the last axis.
//   labels: class indices of shape logits.shape[:-1], of any integer dtype or
//           a floating dtype holding whole numbers.
// Returns a tensor of shape logits.shape[:-1] and logits' dtype. Differentiable
// with respect to logits: d/dlogits = softmax(logits) - one_hot(labels), itself
// differentiable (built from registry ops). Throws InvalidArgument for a shape
// or dtype mismatch, and on the CPU for a label outside [0, num_classes)
// ("label 12 is out of range [0, 10)") or a non-integral float label.
Tensor sparse_softmax_cross_entropy_with_logits(const Tensor& labels, const Tensor& logits);

}  // namespace nabla
