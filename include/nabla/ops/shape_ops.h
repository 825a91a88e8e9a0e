// Shape ops. reshape/transpose/expand_dims/squeeze/broadcast_to/slice/
// strided_slice/reverse return views of the input's storage where strides
// allow (tensors are immutable, so sharing is safe); the rest copy.
#pragma once
#include <vector>

#include "nabla/core/tensor.h"

namespace nabla {

// New shape with the same number of elements; one dimension may be -1.
Tensor reshape(const Tensor& x, const Shape& shape);
// Permutes axes (default: reverse them, as tf.transpose).
Tensor transpose(const Tensor& x, const std::vector<int64_t>& perm = {});
// Alias of transpose with an explicit permutation (torch.permute).
Tensor permute(const Tensor& x, const std::vector<int64_t>& perm);
// Inserts a size-1 axis at `axis` (negative counts from the end of the result).
Tensor expand_dims(const Tensor& x, int64_t axis);
// Removes size-1 axes (all of them when `axes` is empty); a listed axis whose
// size is not 1 raises InvalidArgument.
Tensor squeeze(const Tensor& x, const std::vector<int64_t>& axes = {});
// Joins tensors along an existing axis / a new axis.
Tensor concat(const std::vector<Tensor>& xs, int64_t axis);
Tensor stack(const std::vector<Tensor>& xs, int64_t axis = 0);
// Splits into `num` equal parts, or into parts of the given sizes (one may be -1).
std::vector<Tensor> split(const Tensor& x, int64_t num, int64_t axis = 0);
std::vector<Tensor> split(const Tensor& x, const std::vector<int64_t>& sizes, int64_t axis = 0);
// Repeats x multiples[i] times along axis i.
Tensor tile(const Tensor& x, const std::vector<int64_t>& multiples);
// Broadcasts to `shape` (a view with zero strides).
Tensor broadcast_to(const Tensor& x, const Shape& shape);

enum class PadMode { Constant, Reflect, Symmetric };
// paddings[i] = {before, after} for axis i.
Tensor pad(const Tensor& x, const std::vector<std::pair<int64_t, int64_t>>& paddings,
           PadMode mode = PadMode::Constant, Scalar constant_value = 0);
// tf.gather: slices of x along `axis` at integer `indices` (any shape);
// out-of-range indices raise OutOfRange. batch_dims as TF.
Tensor gather(const Tensor& x, const Tensor& indices, int64_t axis = 0, int64_t batch_dims = 0);
// tf.gather_nd: indices[..., k] index the first k dims of x.
Tensor gather_nd(const Tensor& x, const Tensor& indices);
// tf.slice: `size[i] == -1` takes the rest of axis i.
Tensor slice(const Tensor& x, const std::vector<int64_t>& begin, const std::vector<int64_t>& size);

// tf.strided_slice with TensorFlow's masks (bit i refers to spec entry i).
struct StridedSliceOptions {
  int64_t begin_mask = 0;
  int64_t end_mask = 0;
  int64_t ellipsis_mask = 0;
  int64_t new_axis_mask = 0;
  int64_t shrink_axis_mask = 0;
};
Tensor strided_slice(const Tensor& x, const std::vector<int64_t>& begin,
                     const std::vector<int64_t>& end, const std::vector<int64_t>& strides,
                     StridedSliceOptions options = {});
// Reverses the listed axes (tf.reverse), a view with negative strides.
Tensor reverse(const Tensor& x, const std::vector<int64_t>& axes);
// The same values (a new handle; recorded by the tape as an op).
Tensor identity(const Tensor& x);
// tf.tensor_scatter_nd_update: a copy of x with x[indices[i]] = updates[i].
Tensor scatter_nd_update(const Tensor& x, const Tensor& indices, const Tensor& updates);

}  // namespace nabla
