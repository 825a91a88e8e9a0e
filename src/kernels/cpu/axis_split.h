// Views a contiguous tensor as (outer, n, inner) around one axis: element
// (o, k, i) lives at (o * n + k) * inner + i. Used by the kernels that work
// along a single axis (argmax, cumsum, softmax).
#pragma once
#include <cstdint>

#include "nabla/core/shape.h"

namespace nabla::cpu {

struct AxisSplit {
  int64_t outer = 1;  // product of the dims before the axis
  int64_t n = 1;      // size of the axis
  int64_t inner = 1;  // product of the dims after the axis
};

// `axis` must already be normalised into [0, rank).
inline AxisSplit split_at_axis(const Shape& s, int64_t axis) {
  AxisSplit r;
  for (int64_t d = 0; d < s.rank(); ++d) {
    if (d < axis) r.outer *= s[size_t(d)];
    else if (d == axis) r.n = s[size_t(d)];
    else r.inner *= s[size_t(d)];
  }
  return r;
}

// Columns of the inner dimension processed together by one task.
inline constexpr int64_t kAxisColChunk = 256;

}  // namespace nabla::cpu
