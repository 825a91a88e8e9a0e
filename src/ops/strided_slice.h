// The view selected by tf.strided_slice (internal). Shared by the StridedSlice
// op (a view of its input) and the CPU kernel of StridedSliceGrad (which writes
// the incoming gradient into that same view of a zero-filled tensor), so the
// two can never disagree.
#pragma once
#include <cstdint>

#include "nabla/ops/registry.h"

namespace nabla::ops {

struct StridedView {
  Shape shape;      // the sliced shape (new axes included, shrunk axes removed)
  Strides strides;  // element strides into the sliced tensor's storage
  int64_t offset;   // element offset of the first selected element
};

// The view of a tensor with `shape`, `strides` and `offset` selected by the
// StridedSlice attributes in `a` (begin, end, strides and the five masks).
// Throws InvalidArgument for malformed specs and OutOfRange for a shrink
// index outside its dimension.
StridedView strided_slice_view(const Shape& shape, const Strides& strides, int64_t offset,
                               const Attrs& a);

}  // namespace nabla::ops
