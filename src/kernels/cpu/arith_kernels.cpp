// CPU kernels: Add, Sub, Mul, Div.
#include "kernels/cpu/elementwise_loops.h"

namespace nabla::cpu {
namespace {

// Integer arithmetic wraps around (as TensorFlow): computed in uint64_t, where
// overflow is defined, then truncated.
struct AddOp {
  template <typename T> static T f(T a, T b) {
    if constexpr (std::is_integral_v<T>) return T(uint64_t(a) + uint64_t(b));
    else return a + b;
  }
};
struct SubOp {
  template <typename T> static T f(T a, T b) {
    if constexpr (std::is_integral_v<T>) return T(uint64_t(a) - uint64_t(b));
    else return a - b;
  }
};
struct MulOp {
  template <typename T> static T f(T a, T b) {
    if constexpr (std::is_integral_v<T>) return T(uint64_t(a) * uint64_t(b));
    else return a * b;
  }
};
struct DivOp { template <typename T> static T f(T a, T b) { return T(a / b); } };

// Integer division: truncating; division by zero is an error, and
// INT_MIN / -1 wraps (as two's complement) instead of trapping.
template <typename T> void int_div_kernel(Inputs in, std::span<Tensor> out, const Attrs&) {
  ElementwiseIter it(out[0], in);
  it.for_each([](char* const* p, const int64_t* s, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      const T a = *reinterpret_cast<const T*>(p[1] + i * s[1]);
      const T b = *reinterpret_cast<const T*>(p[2] + i * s[2]);
      NB_CHECK(b != 0, InvalidArgument, "Integer division by zero");
      T r;
      if constexpr (std::is_signed_v<T>) r = (b == T(-1)) ? T(0 - uint64_t(a)) : T(a / b);
      else r = T(a / b);
      *reinterpret_cast<T*>(p[0] + i * s[0]) = r;
    }
  });
}

NB_REGISTER_KERNELS(kArith) {
  register_binary<AddOp, float, double, int8_t, int16_t, int32_t, int64_t, uint8_t>("Add");
  register_binary<SubOp, float, double, int8_t, int16_t, int32_t, int64_t, uint8_t>("Sub");
  register_binary<MulOp, float, double, int8_t, int16_t, int32_t, int64_t, uint8_t>("Mul");
  register_binary<DivOp, float, double>("Div");
  register_kernel("Div", DeviceType::CPU, {DType::int8}, &int_div_kernel<int8_t>);
  register_kernel("Div", DeviceType::CPU, {DType::int16}, &int_div_kernel<int16_t>);
  register_kernel("Div", DeviceType::CPU, {DType::int32}, &int_div_kernel<int32_t>);
  register_kernel("Div", DeviceType::CPU, {DType::int64}, &int_div_kernel<int64_t>);
  register_kernel("Div", DeviceType::CPU, {DType::uint8}, &int_div_kernel<uint8_t>);
}

}  // namespace
}  // namespace nabla::cpu
