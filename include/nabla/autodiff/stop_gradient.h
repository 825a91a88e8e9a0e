// stop_gradient: the same values, but tapes treat the result as a constant
// (tf.stop_gradient). Registered as the non-differentiable op "StopGradient".
#pragma once
#include "nabla/core/tensor.h"

namespace nabla {

Tensor stop_gradient(const Tensor& x);

}  // namespace nabla
