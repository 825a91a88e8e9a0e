// CPU kernels: ReduceProd (see reduce_ops.h and reduce_engine.h).
#include "kernels/cpu/reduce_ops.h"

namespace nabla::cpu {
namespace {
NB_REGISTER_KERNELS(kReduceKernels) {
  register_reduce_numeric<ProdRed>("ReduceProd");
}
}  // namespace
}  // namespace nabla::cpu
