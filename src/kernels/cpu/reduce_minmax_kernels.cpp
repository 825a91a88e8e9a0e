// CPU kernels: ReduceMax, ReduceMin (see reduce_ops.h and reduce_engine.h).
#include "kernels/cpu/reduce_ops.h"

namespace nabla::cpu {
namespace {
NB_REGISTER_KERNELS(kReduceKernels) {
  register_reduce_numeric<MaxRed>("ReduceMax");
  register_reduce_numeric<MinRed>("ReduceMin");
}
}  // namespace
}  // namespace nabla::cpu
