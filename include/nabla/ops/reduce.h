// Reductions (tf.reduce_*). `axes` empty = all axes; axes may be negative;
// repeated or out-of-range axes raise InvalidArgument. keepdims keeps reduced
// axes with size 1. Sums/means of integers stay in the integer dtype (as TF).
#pragma once
#include <vector>

#include "nabla/core/tensor.h"

namespace nabla {

// Axes to reduce over; an empty list means every axis.
using Axes = std::vector<int64_t>;

Tensor reduce_sum(const Tensor& x, const Axes& axes = {}, bool keepdims = false);
Tensor reduce_mean(const Tensor& x, const Axes& axes = {}, bool keepdims = false);
Tensor reduce_max(const Tensor& x, const Axes& axes = {}, bool keepdims = false);
Tensor reduce_min(const Tensor& x, const Axes& axes = {}, bool keepdims = false);
Tensor reduce_prod(const Tensor& x, const Axes& axes = {}, bool keepdims = false);
// Logical reductions of bool tensors.
Tensor reduce_any(const Tensor& x, const Axes& axes = {}, bool keepdims = false);
Tensor reduce_all(const Tensor& x, const Axes& axes = {}, bool keepdims = false);
// log(sum(exp(x))) computed stably (max subtracted first).
Tensor reduce_logsumexp(const Tensor& x, const Axes& axes = {}, bool keepdims = false);
// Index of the largest/smallest element along `axis` (first one on ties), int64.
Tensor argmax(const Tensor& x, int64_t axis = 0);
Tensor argmin(const Tensor& x, int64_t axis = 0);
// Cumulative sum along axis; exclusive shifts by one, reverse runs from the end.
Tensor cumsum(const Tensor& x, int64_t axis = 0, bool exclusive = false, bool reverse = false);

// Mean and (population) variance over axes (tf.nn.moments).
struct Moments {
  Tensor mean;
  Tensor variance;
};
Moments moments(const Tensor& x, const Axes& axes, bool keepdims = false);

}  // namespace nabla
