// cast: dtype conversion (tf.cast). float->int truncates toward zero,
// bool->number gives 0/1, number->bool is (x != 0).
#pragma once
#include "nabla/core/tensor.h"

namespace nabla {

// Converts `x` to `dtype`. Returns `x` itself when the dtype already matches.
Tensor cast(const Tensor& x, DType dtype);

namespace detail {
// Copies src (broadcast to dst's shape, converting dtype) into the view dst,
// which may be strided. Used by contiguous(), cast and slice assignment.
void copy_into(const Tensor& dst, const Tensor& src);
// A contiguous copy of x made by the op Cast (to x's own dtype), so that tapes and
// graph tracers see it.
Tensor contiguous_copy(const Tensor& x);
}  // namespace detail

}  // namespace nabla
