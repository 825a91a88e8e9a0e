// Opcodes of the FusedElementwise op (internal; see src/ops/fused.cpp). Each
// matches the eager kernel of the op it replaces bit for bit.
#pragma once
#include <cstdint>

namespace nabla {

enum class FusedOpcode : int64_t {
  Add, Sub, Mul, Div, Maximum, Minimum, Neg, Relu, Abs, Square, Sqrt,
  Greater, GreaterEqual, Less, LessEqual,  // 1.0 where true, else 0.0
  Select,                                  // a != 0 ? b : c
  kCount
};
constexpr int64_t kFusedMaxRegisters = 32;

}  // namespace nabla
