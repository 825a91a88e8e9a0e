// CPU kernels: ReduceProd (see reduce_ops.h and reduce_engine.h).
#if defined(__AVX512F__) && defined(__GNUC__) && !defined(__clang__)
#pragma GCC target("prefer-vector-width=512")
#endif
#include "kernels/cpu/reduce_ops.h"

namespace nabla::cpu {
namespace {
NB_REGISTER_KERNELS(kReduceKernels) {
#define NB_NUMERIC float, double, int8_t, int16_t, int32_t, int64_t, uint8_t
  register_reduce<ProdRed, NB_NUMERIC>("ReduceProd");
#undef NB_NUMERIC
}
}  // namespace
}  // namespace nabla::cpu
