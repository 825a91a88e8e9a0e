// CPU kernels: comparisons (-> bool) and binary logical ops on bool.
// Comparisons with nan are false except NotEqual (IEEE).
#include "kernels/cpu/elementwise_loops.h"

namespace nabla::cpu {
namespace {

struct EqualOp { template <typename T> static bool f(T a, T b) { return a == b; } };
struct NotEqualOp { template <typename T> static bool f(T a, T b) { return a != b; } };
struct LessOp { template <typename T> static bool f(T a, T b) { return a < b; } };
struct LessEqualOp { template <typename T> static bool f(T a, T b) { return a <= b; } };
struct GreaterOp { template <typename T> static bool f(T a, T b) { return a > b; } };
struct GreaterEqualOp { template <typename T> static bool f(T a, T b) { return a >= b; } };
// Bitwise on 0/1 bytes: no short-circuit, so the loops vectorise.
struct LogicalAndOp { static bool f(bool a, bool b) { return bool(uint8_t(a) & uint8_t(b)); } };
struct LogicalOrOp { static bool f(bool a, bool b) { return bool(uint8_t(a) | uint8_t(b)); } };
struct LogicalXorOp { static bool f(bool a, bool b) { return bool(uint8_t(a) ^ uint8_t(b)); } };

template <typename Op> void reg_numeric(const char* name) {
  register_binary<Op, float, double, int8_t, int16_t, int32_t, int64_t, uint8_t>(name);
}

NB_REGISTER_KERNELS(kCompare) {
  register_binary<EqualOp, float, double, int8_t, int16_t, int32_t, int64_t, uint8_t, bool>("Equal");
  register_binary<NotEqualOp, float, double, int8_t, int16_t, int32_t, int64_t, uint8_t, bool>("NotEqual");
  reg_numeric<LessOp>("Less");
  reg_numeric<LessEqualOp>("LessEqual");
  reg_numeric<GreaterOp>("Greater");
  reg_numeric<GreaterEqualOp>("GreaterEqual");
  register_binary<LogicalAndOp, bool>("LogicalAnd");
  register_binary<LogicalOrOp, bool>("LogicalOr");
  register_binary<LogicalXorOp, bool>("LogicalXor");
}

}  // namespace
}  // namespace nabla::cpu
