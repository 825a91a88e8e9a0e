// The reduction planner and the CPU kernels ReduceAny, ReduceAll,
// ReduceLogSumExp (on the engine of reduce_engine.h). Sum/Mean, Max/Min and
// Prod are registered in reduce_{sum,minmax,prod}_kernels.cpp.
// reduce_ops.h comes first: it sets the 512-bit vector preference for the
// whole translation unit (make_reduce_plan must see one consistent target).
#include "kernels/cpu/reduce_ops.h"

namespace nabla::cpu {

ReducePlan make_reduce_plan(const Tensor& x, const std::vector<int64_t>& axes) {
  ReducePlan p;
  const int64_t r = x.rank();
  const Shape& shape = x.shape();
  const Strides& strides = x.strides();
  std::vector<bool> red(size_t(r), false);
  for (int64_t a : axes) red[size_t(a)] = true;
  // Output strides of the kept dims (the output is contiguous).
  std::vector<int64_t> ostride(size_t(r), 0);
  int64_t acc = 1;
  for (int64_t d = r - 1; d >= 0; --d) {
    if (red[size_t(d)]) {
      p.R *= shape[size_t(d)];
    } else {
      ostride[size_t(d)] = acc;
      acc *= shape[size_t(d)];
    }
  }
  p.M = acc;

  struct Dim {
    int64_t size, in, out;
    bool red;
  };
  std::vector<Dim> dims;
  for (int64_t d = 0; d < r; ++d) {
    const int64_t n = shape[size_t(d)];
    if (n == 1) continue;
    Dim e{n, strides[size_t(d)], ostride[size_t(d)], red[size_t(d)]};
    if (e.in < 0) {  // walk reversed axes forwards
      p.in_off += e.in * (n - 1);
      e.in = -e.in;
      p.out_off += e.out * (n - 1);
      e.out = -e.out;
    }
    dims.push_back(e);
  }
  // Outer -> inner by input stride; broadcast (stride 0) dims outermost.
  auto key = [](const Dim& d) { return d.in == 0 ? std::numeric_limits<int64_t>::max() : d.in; };
  std::stable_sort(dims.begin(), dims.end(), [&](const Dim& a, const Dim& b) { return key(a) > key(b); });
  std::vector<Dim> merged;
  for (const Dim& d : dims) {
    if (!merged.empty()) {
      Dim& a = merged.back();
      if (a.red == d.red && a.in == d.in * d.size && a.out == d.out * d.size) {
        a = Dim{a.size * d.size, d.in, d.out, d.red};
        continue;
      }
    }
    merged.push_back(d);
  }
  NB_CHECK(int64_t(merged.size()) <= ReducePlan::kMaxDims, Unimplemented, "reductions support at most ",
           ReducePlan::kMaxDims, " non-trivial dimensions, got ", merged.size());
  for (const Dim& d : merged) {
    if (d.red) {
      p.rsize[p.nr] = d.size;
      p.rin[p.nr] = d.in;
      ++p.nr;
    } else {
      p.ksize[p.nk] = d.size;
      p.kin[p.nk] = d.in;
      p.kout[p.nk] = d.out;
      ++p.nk;
    }
  }
  if (p.nr == 0) {  // nothing left to reduce (only size-1 axes): one row of length 1
    p.rsize[0] = 1;
    p.rin[0] = 0;
    p.nr = 1;
  }
  p.inner_reduced = merged.empty() || merged.back().red;
  return p;
}

namespace {
NB_REGISTER_KERNELS(kReduceKernels) {
  register_kernel("ReduceAny", DeviceType::CPU, {DType::bool_}, &reduce_kernel<AnyRed>);
  register_kernel("ReduceAll", DeviceType::CPU, {DType::bool_}, &reduce_kernel<AllRed>);
  register_kernel("ReduceLogSumExp", DeviceType::CPU, {DType::float32}, &logsumexp_kernel<float>);
  register_kernel("ReduceLogSumExp", DeviceType::CPU, {DType::float64}, &logsumexp_kernel<double>);
}
}  // namespace
}  // namespace nabla::cpu
