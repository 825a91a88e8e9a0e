// Element strides of convolution/pooling tensors in either data format
// (internal to the CPU kernels): offset = n*sn + c*sc + sum(i_d * ss[d]).
#pragma once
#include <cstdint>

#include "ops/conv_geometry.h"

namespace nabla::cpu {

struct ActLayout {
  int64_t sn = 0, sc = 0, ss[ops::kMaxSpatial] = {0, 0, 0};
};

// Strides of a contiguous activation with `c` channels and spatial sizes `sp`.
inline ActLayout act_layout(const ops::ConvGeometry& g, int64_t c, const int64_t* sp) {
  ActLayout l;
  int64_t spatial = 1;
  for (int d = ops::kMaxSpatial - 1; d >= 0; --d) {
    l.ss[d] = g.channels_first ? spatial : spatial * c;
    spatial *= sp[d];
  }
  l.sc = g.channels_first ? spatial : 1;
  l.sn = spatial * c;
  return l;
}

}  // namespace nabla::cpu
