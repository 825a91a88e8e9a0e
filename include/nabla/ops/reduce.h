// Reductions (tf.reduce_*). `axes` empty = all axes; axes may be negative;
// repeated or out-of-range axes raise InvalidArgument. keepdims keeps reduced
// axes with size 1. Sums/means of integers stay in the integer dtype (as TF):
// integer sums and products wrap around; integer means are the exact mean
// truncated toward zero. Reducing over nothing gives the identity: sum 0,
// prod 1, max -inf/lowest, min +inf/highest, mean NaN (0 for integers),
// logsumexp -inf, any false, all true. Results never depend on the number of
// threads (partial results are combined in a fixed order).
#pragma once
#include <vector>

#include "nabla/core/tensor.h"

namespace nabla {

// Axes to reduce over; an empty list means every axis.
using Axes = std::vector<int64_t>;

// Numeric dtypes (float16/bfloat16 accumulate in float32); float sums are
// pairwise/cascaded, so float32 sums of millions of elements stay accurate.
Tensor reduce_sum(const Tensor& x, const Axes& axes = {}, bool keepdims = false);
Tensor reduce_mean(const Tensor& x, const Axes& axes = {}, bool keepdims = false);
// Max/min propagate NaN: a NaN among the reduced elements gives NaN.
Tensor reduce_max(const Tensor& x, const Axes& axes = {}, bool keepdims = false);
Tensor reduce_min(const Tensor& x, const Axes& axes = {}, bool keepdims = false);
Tensor reduce_prod(const Tensor& x, const Axes& axes = {}, bool keepdims = false);
// Logical reductions of bool tensors.
Tensor reduce_any(const Tensor& x, const Axes& axes = {}, bool keepdims = false);
Tensor reduce_all(const Tensor& x, const Axes& axes = {}, bool keepdims = false);
// log(sum(exp(x))) computed stably (max subtracted first, as TF: -inf when
// every element is -inf, +inf with a +inf element, NaN with a NaN). Floats only.
Tensor reduce_logsumexp(const Tensor& x, const Axes& axes = {}, bool keepdims = false);
// Index of the largest/smallest element along `axis` (first one on ties),
// int64, numeric dtypes. A NaN counts as larger (argmax) and smaller (argmin)
// than every number, so the first NaN wins, consistent with reduce_max/min.
// An empty axis raises InvalidArgument.
Tensor argmax(const Tensor& x, int64_t axis = 0);
Tensor argmin(const Tensor& x, int64_t axis = 0);
// Cumulative sum along axis; exclusive shifts by one, reverse runs from the end.
// Same dtype as x (integers wrap around); float sums run in order, as TF.
Tensor cumsum(const Tensor& x, int64_t axis = 0, bool exclusive = false, bool reverse = false);

// Mean and (population) variance over axes (tf.nn.moments), composed of
// reduce_mean, subtract and multiply; float16/bfloat16 computed in float32.
struct Moments {
  Tensor mean;
  Tensor variance;
};
Moments moments(const Tensor& x, const Axes& axes, bool keepdims = false);

}  // namespace nabla
