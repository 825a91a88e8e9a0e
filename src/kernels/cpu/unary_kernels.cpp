// CPU kernels: unary element-wise math (Neg ... Ceil) and LogicalNot.
// float32 Exp/Log/Tanh/Sigmoid use the vectorisable versions of vec_math.h;
// float64 uses <cmath>. Integer Neg/Abs/Square wrap around like TensorFlow
// (abs(INT_MIN) == INT_MIN) instead of overflowing.
#include <cmath>
#include <type_traits>

#include "kernels/cpu/elementwise_loops.h"
#include "kernels/cpu/vec_math.h"

namespace nabla::cpu {
namespace {

template <typename T> constexpr bool kFloat = std::is_floating_point_v<T>;

// -x in two's complement, computed in unsigned arithmetic (no UB on INT_MIN).
template <typename T> T wrap_neg(T x) {
  using U = std::make_unsigned_t<T>;
  return T(U(U(0) - U(x)));
}
// x * x wrapping around (32-bit at least, so int16 does not promote to int).
template <typename T> T wrap_square(T x) {
  using W = std::conditional_t<(sizeof(T) < 8), uint32_t, uint64_t>;
  return T(W(x) * W(x));
}

struct NegOp {
  template <typename T> static T f(T x) {
    if constexpr (kFloat<T>) return -x;
    else return wrap_neg(x);
  }
};
struct AbsOp {
  template <typename T> static T f(T x) {
    if constexpr (kFloat<T>) return std::fabs(x);
    else if constexpr (std::is_signed_v<T>) return x < 0 ? wrap_neg(x) : x;
    else return x;
  }
};
// -1, 0 or 1; floats keep nan and the sign of zero.
struct SignOp {
  template <typename T> static T f(T x) {
    if constexpr (kFloat<T>) return x > T(0) ? T(1) : x < T(0) ? T(-1) : x;
    else return T((x > 0) - (x < 0));
  }
};
struct SquareOp {
  template <typename T> static T f(T x) {
    if constexpr (kFloat<T>) return x * x;
    else return wrap_square(x);
  }
};
struct SqrtOp { template <typename T> static T f(T x) { return std::sqrt(x); } };
struct RsqrtOp { template <typename T> static T f(T x) { return T(1) / std::sqrt(x); } };
struct ExpOp {
  template <typename T> static T f(T x) {
    if constexpr (std::is_same_v<T, float>) return vm::exp_f32(x);
    else return std::exp(x);
  }
};
struct LogOp {
  template <typename T> static T f(T x) {
    if constexpr (std::is_same_v<T, float>) return vm::log_f32(x);
    else return std::log(x);
  }
};
struct Log1pOp { template <typename T> static T f(T x) { return std::log1p(x); } };
struct Expm1Op { template <typename T> static T f(T x) { return std::expm1(x); } };
struct SinOp { template <typename T> static T f(T x) { return std::sin(x); } };
struct CosOp { template <typename T> static T f(T x) { return std::cos(x); } };
struct TanOp { template <typename T> static T f(T x) { return std::tan(x); } };
struct TanhOp {
  template <typename T> static T f(T x) {
    if constexpr (std::is_same_v<T, float>) return vm::tanh_f32(x);
    else return std::tanh(x);
  }
};
// 1 / (1 + e^-x) from e^-|x|: no overflow, and relative accuracy for x << 0.
struct SigmoidOp {
  template <typename T> static T f(T x) {
    if constexpr (std::is_same_v<T, float>) {
      return vm::sigmoid_f32(x);
    } else {
      const T e = std::exp(-std::fabs(x));
      const T r = T(1) / (T(1) + e);
      return x >= T(0) ? r : e * r;
    }
  }
};
// max(x, 0); nan stays nan.
struct ReluOp { template <typename T> static T f(T x) { return x <= T(0) ? T(0) : x; } };
struct ErfOp { template <typename T> static T f(T x) { return std::erf(x); } };
// Half to even (the default rounding mode); integers are already round.
struct RoundOp {
  template <typename T> static T f(T x) {
    if constexpr (kFloat<T>) return std::nearbyint(x);
    else return x;
  }
};
// floor/ceil from rint (GCC vectorises rint, not floor): exact for all
// finite x, since |x| >= 2^52 (2^23) is already an integer.
struct FloorOp {
  template <typename T> static T f(T x) {
    const T r = std::rint(x);
    return r > x ? r - T(1) : r;
  }
};
struct CeilOp {
  template <typename T> static T f(T x) {
    const T r = std::rint(x);
    return r < x ? r + T(1) : r;
  }
};
struct LogicalNotOp { static bool f(bool x) { return bool(uint8_t(x) ^ 1u); } };

template <typename Op> void reg_float(const char* name) { register_unary<Op, float, double>(name); }
template <typename Op> void reg_signed(const char* name) {
  register_unary<Op, float, double, int8_t, int16_t, int32_t, int64_t>(name);
}
template <typename Op> void reg_numeric(const char* name) {
  register_unary<Op, float, double, int8_t, int16_t, int32_t, int64_t, uint8_t>(name);
}

NB_REGISTER_KERNELS(kUnary) {
  reg_signed<NegOp>("Neg");
  reg_numeric<AbsOp>("Abs");
  reg_numeric<SignOp>("Sign");
  reg_numeric<SquareOp>("Square");
  reg_float<SqrtOp>("Sqrt");
  reg_float<RsqrtOp>("Rsqrt");
  reg_float<ExpOp>("Exp");
  reg_float<LogOp>("Log");
  reg_float<Log1pOp>("Log1p");
  reg_float<Expm1Op>("Expm1");
  reg_float<SinOp>("Sin");
  reg_float<CosOp>("Cos");
  reg_float<TanOp>("Tan");
  reg_float<TanhOp>("Tanh");
  reg_float<SigmoidOp>("Sigmoid");
  reg_numeric<ReluOp>("Relu");
  reg_float<ErfOp>("Erf");
  reg_numeric<RoundOp>("Round");
  reg_float<FloorOp>("Floor");
  reg_float<CeilOp>("Ceil");
  register_unary<LogicalNotOp, bool>("LogicalNot");
}

}  // namespace
}  // namespace nabla::cpu
