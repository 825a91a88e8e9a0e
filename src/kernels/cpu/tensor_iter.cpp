#include "kernels/cpu/tensor_iter.h"

namespace nabla::cpu {

ElementwiseIter::ElementwiseIter(const Tensor& out, std::span<const Tensor> inputs) {
  nops_ = int(inputs.size()) + 1;
  NB_CHECK(nops_ <= kMaxOperands, Internal, "ElementwiseIter supports at most ", kMaxOperands - 1,
           " inputs");
  const Shape& oshape = out.shape();
  const int nd = int(oshape.size());
  NB_CHECK(nd <= kMaxDims, Unimplemented, "tensors of rank ", nd, " are not supported (max ",
           kMaxDims, ")");
  numel_ = oshape.num_elements();
  // Per-operand byte strides aligned to the output's dims.
  int64_t st[kMaxOperands][kMaxDims] = {};
  for (int k = 0; k < nops_; ++k) {
    const Tensor& t = k == 0 ? out : inputs[size_t(k - 1)];
    const int64_t esize = int64_t(dtype_size(t.dtype()));
    const int r = int(t.rank());
    NB_CHECK(r <= nd, Internal, "ElementwiseIter: input rank ", r, " exceeds output rank ", nd);
    for (int d = 0; d < nd; ++d) {
      const int td = d - (nd - r);
      if (td < 0 || (t.shape()[size_t(td)] == 1 && oshape[size_t(d)] != 1)) st[k][d] = 0;
      else st[k][d] = t.strides()[size_t(td)] * esize;
    }
    base_[k] = static_cast<char*>(const_cast<void*>(t.raw_data()));
  }
  // Drop size-1 dims and merge contiguous neighbours (outer into inner).
  ndim_ = 0;
  for (int d = 0; d < nd; ++d) {
    const int64_t n = oshape[size_t(d)];
    if (n == 1) continue;
    if (ndim_ > 0) {
      bool mergeable = true;
      for (int k = 0; k < nops_; ++k)
        if (strides_[k][ndim_ - 1] != st[k][d] * n) { mergeable = false; break; }
      if (mergeable) {
        shape_[ndim_ - 1] *= n;
        for (int k = 0; k < nops_; ++k) strides_[k][ndim_ - 1] = st[k][d];
        continue;
      }
    }
    shape_[ndim_] = n;
    for (int k = 0; k < nops_; ++k) strides_[k][ndim_] = st[k][d];
    ++ndim_;
  }
  if (numel_ == 0) ndim_ = 0;
}

}  // namespace nabla::cpu
