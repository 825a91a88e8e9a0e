// Loading and storing element values in CUDA kernels (internal, .cu files only):
// float16 and bfloat16 go through float32, bool stores `v != 0`.
#pragma once
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>
#include <type_traits>

namespace nabla::cuda_backend {

template <typename T> constexpr bool kHalf = std::is_same_v<T, __half> || std::is_same_v<T, __nv_bfloat16>;

// p[i] converted to A (halves through float32).
template <typename A, typename T> __device__ __forceinline__ A load_as(const T* p, int64_t i) {
  if constexpr (std::is_same_v<T, __half>) return A(__half2float(p[i]));
  else if constexpr (std::is_same_v<T, __nv_bfloat16>) return A(__bfloat162float(p[i]));
  else return A(p[i]);
}

// v converted to R, rounding to nearest even for halves.
template <typename R, typename V> __device__ __forceinline__ R store_as(V v) {
  if constexpr (std::is_same_v<R, __half>) return __float2half_rn(float(v));
  else if constexpr (std::is_same_v<R, __nv_bfloat16>) return __float2bfloat16_rn(float(v));
  else if constexpr (std::is_same_v<R, bool>) return v != V(0);
  else return R(v);
}

}  // namespace nabla::cuda_backend
