// ElementwiseIter: walks an output and its broadcast inputs together.
// Dimensions are aligned NumPy-style, broadcast dimensions get stride 0,
// and adjacent dimensions that are contiguous for every operand are merged,
// so the common cases become one long 1-D loop. The range of output elements
// is split across the thread pool.
//
// A loop body receives (char* const* ptrs, const int64_t* byte_strides, n):
// ptrs[0] is the output, ptrs[k] input k-1; element j of operand k lives at
// ptrs[k] + j * byte_strides[k]. Use is_contiguous()/is_scalar() helpers to
// pick a vectorisable path.
#pragma once
#include <array>
#include <cstdint>
#include <span>

#include "nabla/core/tensor.h"
#include "nabla/core/thread_pool.h"

namespace nabla::cpu {

inline constexpr int kMaxOperands = 4;
inline constexpr int64_t kElementwiseGrain = 32768;

class ElementwiseIter {
 public:
  // `out` may be strided (slice assignment); inputs broadcast to out's shape
  // (callers check shapes before). Strides are taken in bytes of each
  // operand's own dtype.
  ElementwiseIter(const Tensor& out, std::span<const Tensor> inputs);

  int num_operands() const { return nops_; }
  int64_t numel() const { return numel_; }
  int ndim() const { return ndim_; }

  // Calls loop(ptrs, strides, n) over all elements, in parallel when large.
  template <typename Loop> void for_each(Loop&& loop, int64_t grain = kElementwiseGrain) const {
    parallel_for(0, numel_, grain, [&](int64_t b, int64_t e) { run_range(b, e, loop); });
  }
  // Serial variant (for kernels that must run in order).
  template <typename Loop> void for_each_serial(Loop&& loop) const { run_range(0, numel_, loop); }

 private:
  template <typename Loop> void run_range(int64_t begin, int64_t end, Loop& loop) const {
    if (begin >= end) return;
    // Multi-index of `begin` (dims ordered outer..inner, dims_[ndim_-1] innermost).
    int64_t idx[kMaxDims] = {};
    int64_t rem = begin;
    for (int d = ndim_ - 1; d >= 0; --d) {
      idx[d] = rem % shape_[d];
      rem /= shape_[d];
    }
    std::array<char*, kMaxOperands> ptrs{};
    for (int k = 0; k < nops_; ++k) {
      char* p = base_[k];
      for (int d = 0; d < ndim_; ++d) p += idx[d] * strides_[k][d];
      ptrs[k] = p;
    }
    int64_t inner_strides[kMaxOperands];
    for (int k = 0; k < nops_; ++k) inner_strides[k] = ndim_ ? strides_[k][ndim_ - 1] : 0;
    const int64_t inner = ndim_ ? shape_[ndim_ - 1] : 1;
    int64_t pos = begin;
    while (pos < end) {
      const int64_t col = ndim_ ? idx[ndim_ - 1] : 0;
      const int64_t n = std::min(inner - col, end - pos);
      loop(ptrs.data(), inner_strides, n);
      pos += n;
      if (pos >= end) break;
      // Advance to the start of the next row (carry through outer dims).
      for (int k = 0; k < nops_; ++k) ptrs[k] += (n - 0) * inner_strides[k];
      if (ndim_) idx[ndim_ - 1] += n;
      for (int d = ndim_ - 1; d > 0 && idx[d] == shape_[d]; --d) {
        for (int k = 0; k < nops_; ++k) ptrs[k] += strides_[k][d - 1] - shape_[d] * strides_[k][d];
        idx[d] = 0;
        ++idx[d - 1];
      }
    }
  }

  static constexpr int kMaxDims = 16;
  int nops_ = 0;
  int ndim_ = 0;
  int64_t numel_ = 0;
  int64_t shape_[kMaxDims] = {};
  int64_t strides_[kMaxOperands][kMaxDims] = {};
  char* base_[kMaxOperands] = {};
};

// True when all `nops` operands advance by exactly their element size.
template <typename... Ts> inline bool all_contiguous(const int64_t* s) {
  int k = 0;
  return ((s[k++] == int64_t(sizeof(Ts))) && ...);
}

}  // namespace nabla::cpu
