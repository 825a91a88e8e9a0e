// Keras's squeeze_or_expand_to_same_rank (keras/src/losses/loss.py), shared by
// losses and metrics: when two ranks differ by exactly one and the longer
// shape ends in 1, that axis is squeezed, or (for a rank-1 partner and
// expand_rank_1) a trailing 1 is added to the partner instead.
#pragma once
#include "nabla/core/shape.h"
#include "nabla/core/tensor.h"

namespace nabla::train_detail {

inline void match_ranks(Shape& a, Shape& b, bool expand_rank_1 = true) {
  const int64_t ra = a.rank(), rb = b.rank();
  if (ra == rb + 1 && a.back() == 1) {
    if (rb == 1 && expand_rank_1) b.push_back(1);
    else a.pop_back();
  } else if (rb == ra + 1 && b.back() == 1) {
    if (ra == 1 && expand_rank_1) a.push_back(1);
    else b.pop_back();
  }
}

// The tensor form: reshapes (views) a and b in place.
inline void match_ranks(Tensor& a, Tensor& b, bool expand_rank_1 = true) {
  Shape sa = a.shape(), sb = b.shape();
  match_ranks(sa, sb, expand_rank_1);
  if (sa.rank() != a.rank()) a = a.reshape(sa);
  if (sb.rank() != b.rank()) b = b.reshape(sb);
}

}  // namespace nabla::train_detail
