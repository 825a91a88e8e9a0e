// Index helpers shared by the CPU gather/scatter kernels (internal).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "nabla/core/error.h"
#include "nabla/core/tensor.h"
#include "ops/op_util.h"

namespace nabla::cpu {

// "[1,2]" for the position `flat` in a tensor of shape `s` ("" for scalars).
inline std::string position_str(int64_t flat, const Shape& s) {
  if (s.empty()) return "";
  std::vector<int64_t> idx(s.size());
  for (size_t i = s.size(); i-- > 0;) {
    idx[i] = s[i] ? flat % s[i] : 0;
    flat = s[i] ? flat / s[i] : 0;
  }
  return ops::list_str(idx);
}

// Calls f(p) with p a const pointer to the (contiguous) int32/int64 indices.
template <typename F> void with_indices(const Tensor& idx, F&& f) {
  if (idx.dtype() == DType::int32) f(idx.data<int32_t>());
  else f(idx.data<int64_t>());
}

// Element offsets (into a contiguous tensor of shape `xs`) of the index
// tuples in idx (shape [..., k]); throws OutOfRange naming the first bad tuple.
template <typename I>
std::vector<int64_t> tuple_offsets(const I* ip, const Shape& idx_shape, const Shape& xs, const char* what) {
  const int64_t k = idx_shape.back();
  const Shape batch(idx_shape.begin(), idx_shape.end() - 1);
  const int64_t count = batch.num_elements();
  const Strides xst = contiguous_strides(xs);
  std::vector<int64_t> offs(static_cast<size_t>(count));
  for (int64_t t = 0; t < count; ++t) {
    int64_t off = 0;
    for (int64_t j = 0; j < k; ++j) {
      const int64_t v = int64_t(ip[t * k + j]);
      if (v < 0 || v >= xs[size_t(j)]) {
        std::string ts = "[";
        for (int64_t q = 0; q < k; ++q) ts += (q ? ", " : "") + std::to_string(int64_t(ip[t * k + q]));
        throw OutOfRange(detail::str_cat("indices", position_str(t, batch), " = ", ts,
                                         "] does not index into ", what, xs.str()));
      }
      off += v * xst[size_t(j)];
    }
    offs[size_t(t)] = off;
  }
  return offs;
}

}  // namespace nabla::cpu
