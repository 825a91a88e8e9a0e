// Generic element-wise CPU loops over ElementwiseIter with contiguous and
// scalar-broadcast fast paths that the compiler vectorises (-O3, the build's
// vector ISA). An op is a struct with `static R f(T...)`.
//
// Registering: register_unary<SqrtOp, float, double>("Sqrt");
//              register_binary<AddOp, float, double, int32_t>("Add");
#pragma once
#include <span>

#include "kernels/cpu/tensor_iter.h"
#include "nabla/ops/registry.h"

namespace nabla::cpu {

template <typename Op, typename T> using unary_result_t = decltype(Op::f(std::declval<T>()));
template <typename Op, typename T>
using binary_result_t = decltype(Op::f(std::declval<T>(), std::declval<T>()));

template <typename Op, typename T> void unary_kernel(Inputs in, std::span<Tensor> out, const Attrs&) {
  using R = unary_result_t<Op, T>;
  ElementwiseIter it(out[0], in);
  it.for_each([](char* const* p, const int64_t* s, int64_t n) {
    R* o = reinterpret_cast<R*>(p[0]);
    if (s[0] == int64_t(sizeof(R)) && s[1] == int64_t(sizeof(T))) {
      const T* x = reinterpret_cast<const T*>(p[1]);
      for (int64_t i = 0; i < n; ++i) o[i] = Op::f(x[i]);
    } else {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<R*>(p[0] + i * s[0]) = Op::f(*reinterpret_cast<const T*>(p[1] + i * s[1]));
    }
  });
}

template <typename Op, typename T> void binary_kernel(Inputs in, std::span<Tensor> out, const Attrs&) {
  using R = binary_result_t<Op, T>;
  ElementwiseIter it(out[0], in);
  it.for_each([](char* const* p, const int64_t* s, int64_t n) {
    R* o = reinterpret_cast<R*>(p[0]);
    const T* a = reinterpret_cast<const T*>(p[1]);
    const T* b = reinterpret_cast<const T*>(p[2]);
    constexpr int64_t rs = sizeof(R), ts = sizeof(T);
    if (s[0] == rs && s[1] == ts && s[2] == ts) {
      for (int64_t i = 0; i < n; ++i) o[i] = Op::f(a[i], b[i]);
    } else if (s[0] == rs && s[1] == ts && s[2] == 0) {
      const T bv = *b;
      for (int64_t i = 0; i < n; ++i) o[i] = Op::f(a[i], bv);
    } else if (s[0] == rs && s[1] == 0 && s[2] == ts) {
      const T av = *a;
      for (int64_t i = 0; i < n; ++i) o[i] = Op::f(av, b[i]);
    } else {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<R*>(p[0] + i * s[0]) =
            Op::f(*reinterpret_cast<const T*>(p[1] + i * s[1]), *reinterpret_cast<const T*>(p[2] + i * s[2]));
    }
  });
}

// Ternary op where all three inputs have type T (clip).
template <typename Op, typename T> void ternary_kernel(Inputs in, std::span<Tensor> out, const Attrs&) {
  ElementwiseIter it(out[0], in);
  it.for_each([](char* const* p, const int64_t* s, int64_t n) {
    for (int64_t i = 0; i < n; ++i)
      *reinterpret_cast<T*>(p[0] + i * s[0]) =
          Op::f(*reinterpret_cast<const T*>(p[1] + i * s[1]), *reinterpret_cast<const T*>(p[2] + i * s[2]),
                *reinterpret_cast<const T*>(p[3] + i * s[3]));
  });
}

template <typename Op, typename... Ts> void register_unary(const char* name) {
  (register_kernel(name, DeviceType::CPU, {dtype_of<Ts>()}, &unary_kernel<Op, Ts>), ...);
}
template <typename Op, typename... Ts> void register_binary(const char* name) {
  (register_kernel(name, DeviceType::CPU, {dtype_of<Ts>()}, &binary_kernel<Op, Ts>), ...);
}
template <typename Op, typename... Ts> void register_ternary(const char* name) {
  (register_kernel(name, DeviceType::CPU, {dtype_of<Ts>()}, &ternary_kernel<Op, Ts>), ...);
}

}  // namespace nabla::cpu

// Runs a block of kernel registrations at static-initialisation time.
#define NB_REGISTER_KERNELS(ident)                                          \
  static void ident##_fn();                                                 \
  [[maybe_unused]] static const bool ident = (ident##_fn(), true);          \
  static void ident##_fn()
