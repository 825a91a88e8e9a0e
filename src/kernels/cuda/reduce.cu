// Reductions and softmax on CUDA: one warp per output element (or row); lanes
// stride over the reduced elements and combine with __shfl_xor_sync. float16
// and bfloat16 accumulate in float32, float32 in float32, float64 in float64,
// integers in int64.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>
#include <type_traits>

#include "kernels/cuda/cuda_context.h"
#include "kernels/cuda/device_values.cuh"
#include "kernels/cuda/reduce_launch.h"

namespace nabla::cuda_backend {
namespace {

template <typename T> struct Acc { using type = std::conditional_t<std::is_integral_v<T>, int64_t, T>; };
template <> struct Acc<__half> { using type = float; };
template <> struct Acc<__nv_bfloat16> { using type = float; };
template <> struct Acc<bool> { using type = int; };
template <typename T> using acc_t = typename Acc<T>::type;

template <typename T> __device__ __forceinline__ acc_t<T> ld(const T* p, int64_t i) { return load_as<acc_t<T>>(p, i); }
template <typename T, typename A> __device__ __forceinline__ T st(A v) { return store_as<T>(v); }

template <typename A> __device__ __forceinline__ A combine(ReduceOp op, A a, A b) {
  switch (op) {
    case ReduceOp::Sum: case ReduceOp::Mean: return a + b;
    case ReduceOp::Prod: return a * b;
    case ReduceOp::Max: case ReduceOp::Any:
      if constexpr (std::is_floating_point_v<A>) {
        if (a != a || b != b) return a + b;  // NaN propagates
      }
      return a > b ? a : b;
    case ReduceOp::Min: case ReduceOp::All:
      if constexpr (std::is_floating_point_v<A>) {
        if (a != a || b != b) return a + b;
      }
      return a < b ? a : b;
  }
  return a;
}

template <typename A> __device__ __forceinline__ A identity(ReduceOp op) {
  switch (op) {
    case ReduceOp::Sum: case ReduceOp::Mean: case ReduceOp::Any: return A(0);
    case ReduceOp::Prod: case ReduceOp::All: return A(1);
    case ReduceOp::Max:
      if constexpr (std::is_floating_point_v<A>) return A(-INFINITY);
      else return A(INT64_MIN);
    case ReduceOp::Min:
      if constexpr (std::is_floating_point_v<A>) return A(INFINITY);
      else return A(INT64_MAX);
  }
  return A(0);
}

template <typename A> __device__ __forceinline__ A warp_reduce(ReduceOp op, A v) {
  for (int m = 16; m > 0; m >>= 1) v = combine(op, v, A(__shfl_xor_sync(0xffffffffu, v, m)));
  return v;
}

__device__ __forceinline__ int64_t unravel(int64_t i, int rank, const int64_t* shape, const int64_t* stride) {
  int64_t off = 0;
  for (int d = rank - 1; d >= 0; --d) {
    off += (i % shape[d]) * stride[d];
    i /= shape[d];
  }
  return off;
}

constexpr int kThreads = 256, kWarps = kThreads / 32;

template <typename T>
__global__ void reduce_kernel(ReduceOp op, T* out, const T* in, ReduceGeometry g) {
  using A = acc_t<T>;
  const int lane = threadIdx.x & 31;
  for (int64_t o = int64_t(blockIdx.x) * kWarps + threadIdx.x / 32; o < g.n_out; o += int64_t(gridDim.x) * kWarps) {
    const int64_t base = unravel(o, g.kept_rank, g.kept_shape, g.kept_stride);
    A acc = identity<A>(op);
    for (int64_t r = lane; r < g.n_red; r += 32)
      acc = combine(op, acc, ld(in, base + unravel(r, g.red_rank, g.red_shape, g.red_stride)));
    acc = warp_reduce(op, acc);
    if (lane == 0) {
      if constexpr (std::is_floating_point_v<A>) {
        if (op == ReduceOp::Mean) acc = g.n_red ? A(acc / A(g.n_red)) : A(NAN);  // Mean: floating types only
      }
      out[o] = st<T>(acc);
    }
  }
}

template <typename T>
__global__ void softmax_kernel(bool log, T* out, const T* in, int64_t outer, int64_t len, int64_t inner) {
  using A = acc_t<T>;
  const int lane = threadIdx.x & 31;
  for (int64_t row = int64_t(blockIdx.x) * kWarps + threadIdx.x / 32; row < outer * inner;
       row += int64_t(gridDim.x) * kWarps) {
    const int64_t base = (row / inner) * len * inner + row % inner;
    A m = A(-INFINITY);
    for (int64_t j = lane; j < len; j += 32) m = combine(ReduceOp::Max, m, ld(in, base + j * inner));
    m = warp_reduce(ReduceOp::Max, m);
    A s = A(0);
    for (int64_t j = lane; j < len; j += 32) s += exp(ld(in, base + j * inner) - m);
    s = warp_reduce(ReduceOp::Sum, s);
    const A ls = log ? A(m + ::log(s)) : A(0);
    for (int64_t j = lane; j < len; j += 32) {
      const A x = ld(in, base + j * inner);
      out[base + j * inner] = st<T>(log ? A(x - ls) : A(exp(x - m) / s));
    }
  }
}

dim3 warps_grid(int64_t n) {
  int64_t blocks = (n + kWarps - 1) / kWarps;
  if (blocks > 65535) blocks = 65535;
  return dim3(unsigned(blocks < 1 ? 1 : blocks));
}

template <typename F> void visit_reduce(Dt dt, F&& f) {
  switch (dt) {
    case Dt::f32: return f.template operator()<float>();
    case Dt::f64: return f.template operator()<double>();
    case Dt::f16: return f.template operator()<__half>();
    case Dt::bf16: return f.template operator()<__nv_bfloat16>();
    case Dt::i32: return f.template operator()<int32_t>();
    case Dt::i64: return f.template operator()<int64_t>();
    case Dt::b8: return f.template operator()<bool>();
    default: return;
  }
}

bool floating(Dt dt) { return dt == Dt::f32 || dt == Dt::f64 || dt == Dt::f16 || dt == Dt::bf16; }

}  // namespace

bool reduce_supported(ReduceOp op, Dt dt) {
  if (op == ReduceOp::Any || op == ReduceOp::All) return dt == Dt::b8;
  if (op == ReduceOp::Mean) return floating(dt);
  return floating(dt) || dt == Dt::i32 || dt == Dt::i64;
}

void launch_reduce(ReduceOp op, Dt dt, void* out, const void* in, const ReduceGeometry& g, cudaStream_t s) {
  if (g.n_out == 0) return;
  visit_reduce(dt, [&]<typename T>() {
    reduce_kernel<T><<<warps_grid(g.n_out), kThreads, 0, s>>>(op, static_cast<T*>(out), static_cast<const T*>(in), g);
  });
  check(cudaGetLastError(), "reduction kernel launch");
}

void launch_softmax(bool log, Dt dt, void* out, const void* in, int64_t outer, int64_t len, int64_t inner,
                    cudaStream_t s) {
  if (outer * len * inner == 0) return;
  visit_reduce(dt, [&]<typename T>() {
    if constexpr (std::is_floating_point_v<acc_t<T>>)
      softmax_kernel<T><<<warps_grid(outer * inner), kThreads, 0, s>>>(log, static_cast<T*>(out),
                                                                        static_cast<const T*>(in), outer, len, inner);
  });
  check(cudaGetLastError(), "softmax kernel launch");
}

}  // namespace nabla::cuda_backend
