// Scatter ops: sums into segments / positions given by integer indices
// (TensorFlow semantics). Duplicate indices add up, in index order, so the
// results do not depend on the thread count. These are also the gradients of
// gather and gather_nd.
#pragma once
#include "nabla/core/tensor.h"

namespace nabla {

// tf.math.unsorted_segment_sum: out[s, ...] = sum of data[i..., ...] over the
// index tuples i with segment_ids[i...] == s. segment_ids (int32/int64) must
// have a prefix of data's shape; the result has shape
// [num_segments] + data.shape[segment_ids.rank:]. Negative ids are dropped (as
// TensorFlow); an id >= num_segments raises OutOfRange.
Tensor unsorted_segment_sum(const Tensor& data, const Tensor& segment_ids, int64_t num_segments);

// tf.scatter_nd: a zero tensor of `shape` (dtype of updates) into which
// updates[i...] is added at position indices[i..., :] (int32/int64, last
// dimension k <= rank of shape indexing the first k dims). updates must have
// shape indices.shape[:-1] + shape[k:]. Out-of-range indices raise OutOfRange.
Tensor scatter_nd(const Tensor& indices, const Tensor& updates, const Shape& shape);

// tf.tensor_scatter_nd_add: a copy of x with updates added at the indices
// (as scatter_nd with shape = x.shape, plus x).
Tensor tensor_scatter_nd_add(const Tensor& x, const Tensor& indices, const Tensor& updates);

}  // namespace nabla
