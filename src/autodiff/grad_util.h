// Helpers for writing gradient functions (internal). Everything here is
// composed of registry ops, so gradients built with it can be differentiated
// again and run on any device.
#pragma once
#include <vector>

#include "nabla/ops/registry.h"

namespace nabla::grad {

// Sums `g` down to `shape` (the inverse of NumPy broadcasting): leading axes
// and axes where `shape` has 1 but g does not are summed. Returns g unchanged
// when the shapes already agree.
Tensor unbroadcast(const Tensor& g, const Shape& shape);
// ctx.output_grads[i], or zeros shaped like output i when it got no gradient.
Tensor output_grad_or_zeros(const GradContext& ctx, size_t i);
// The gradient of a reduction: g (the reduced shape, with or without kept
// dims) reshaped to keep the reduced `axes` (normalised, sorted) as size 1,
// then broadcast to `in_shape`.
Tensor expand_reduced(const Tensor& g, const Shape& in_shape, const std::vector<int64_t>& axes);
// g reshaped so the reduced `axes` are kept as size-1 dims (no broadcast).
Tensor keep_reduced_dims(const Tensor& g, const Shape& in_shape, const std::vector<int64_t>& axes);
// A scalar of x's dtype.
Tensor scalar_of(double v, const Tensor& like);
// Casts the inputs' gradients of a binary op back from broadcasting:
// {unbroadcast(ga, a.shape), unbroadcast(gb, b.shape)} honouring ctx.needs.
TensorList binary_result(const GradContext& ctx, const Tensor& ga, const Tensor& gb);

}  // namespace nabla::grad
