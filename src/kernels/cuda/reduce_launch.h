// Launchers of the reduction and softmax CUDA kernels (internal; plain types,
// see elementwise_launch.h).
#pragma once
#include <cuda_runtime_api.h>

#include <cstdint>

#include "kernels/cuda/elementwise_launch.h"

namespace nabla::cuda_backend {

// Output element o reads the input elements base(o) + offset(r) for every r in
// the reduced index space: kept dimensions give base(o), reduced ones offset(r).
struct ReduceGeometry {
  int64_t n_out = 0, n_red = 0;
  int kept_rank = 0, red_rank = 0;
  int64_t kept_shape[kMaxDims] = {}, kept_stride[kMaxDims] = {};
  int64_t red_shape[kMaxDims] = {}, red_stride[kMaxDims] = {};
};

enum class ReduceOp : int { Sum, Mean, Max, Min, Prod, Any, All };

bool reduce_supported(ReduceOp op, Dt dt);
// out (contiguous, n_out elements) = op over each output's reduced elements;
// one warp per output element, combined with warp shuffles.
void launch_reduce(ReduceOp op, Dt dt, void* out, const void* in, const ReduceGeometry& g, cudaStream_t stream);

// Softmax (log = false) or LogSoftmax over rows of `len` elements, `stride`
// apart, in a contiguous tensor of outer * len * inner elements (stride = inner).
void launch_softmax(bool log, Dt dt, void* out, const void* in, int64_t outer, int64_t len, int64_t inner,
                    cudaStream_t stream);

}  // namespace nabla::cuda_backend
