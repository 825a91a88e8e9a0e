// Neural-network ops on tensors (activations with an axis).
#pragma once
#include "nabla/core/tensor.h"

namespace nabla {

// exp(x - max) / sum(exp(x - max)) along `axis` (numerically stable); float
// dtypes, rank >= 1. A NaN in a slice along `axis` makes that slice NaN.
Tensor softmax(const Tensor& x, int64_t axis = -1);
// x - max - log(sum(exp(x - max))) along `axis`.
Tensor log_softmax(const Tensor& x, int64_t axis = -1);

}  // namespace nabla
