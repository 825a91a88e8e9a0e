// CPU kernels: ReduceSum, ReduceMean (see reduce_ops.h and reduce_engine.h).
#include "kernels/cpu/reduce_ops.h"

namespace nabla::cpu {
namespace {
NB_REGISTER_KERNELS(kReduceKernels) {
  register_reduce_numeric<SumRed>("ReduceSum");
  register_reduce_numeric<MeanRed>("ReduceMean");
}
}  // namespace
}  // namespace nabla::cpu
