// Element-wise CUDA kernels: unary, binary (broadcasting), cast, select.
// Grid-stride loops; a dense path indexes linearly, the general path walks the
// output index through the shape to each operand's strided offset. float16 and
// bfloat16 compute in float32 and round once, as the CPU kernels do.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>
#include <type_traits>

#include "kernels/cuda/cuda_context.h"
#include "kernels/cuda/device_values.cuh"
#include "kernels/cuda/elementwise_launch.h"

namespace nabla::cuda_backend {
namespace {

template <typename T> struct Compute { using type = T; };
template <> struct Compute<__half> { using type = float; };
template <> struct Compute<__nv_bfloat16> { using type = float; };
template <typename T> using compute_t = typename Compute<T>::type;

template <typename T> __device__ __forceinline__ compute_t<T> load(const T* p, int64_t i) {
  return load_as<compute_t<T>>(p, i);
}
template <typename R, typename C> __device__ __forceinline__ R to(C v) { return store_as<R>(v); }

// The offset of output element i in operand k.
__device__ __forceinline__ int64_t offset(const Geometry& g, int k, int64_t i) {
  int64_t off = 0;
  for (int d = g.rank - 1; d >= 0; --d) {
    const int64_t c = i % g.shape[d];
    i /= g.shape[d];
    off += c * g.stride[k][d];
  }
  return off;
}

template <typename F> __device__ __forceinline__ void grid_stride(int64_t n, F&& f) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) f(i);
}

dim3 grid_for(int64_t n) {
  constexpr int64_t kThreads = 256, kMaxBlocks = 65535;
  int64_t blocks = (n + kThreads - 1) / kThreads;
  if (blocks > kMaxBlocks) blocks = kMaxBlocks;
  return dim3(unsigned(blocks < 1 ? 1 : blocks));
}

template <typename C> __device__ __forceinline__ C unary_value(UnaryOp op, C x) {
  if constexpr (std::is_floating_point_v<C>) {
    switch (op) {
      case UnaryOp::Neg: return -x;
      case UnaryOp::Abs: return fabs(x);
      case UnaryOp::Sign: return x > C(0) ? C(1) : x < C(0) ? C(-1) : x;
      case UnaryOp::Square: return x * x;
      case UnaryOp::Sqrt: return sqrt(x);
      case UnaryOp::Rsqrt: return C(1) / sqrt(x);
      case UnaryOp::Exp: return exp(x);
      case UnaryOp::Log: return log(x);
      case UnaryOp::Log1p: return log1p(x);
      case UnaryOp::Expm1: return expm1(x);
      case UnaryOp::Sin: return sin(x);
      case UnaryOp::Cos: return cos(x);
      case UnaryOp::Tan: return tan(x);
      case UnaryOp::Tanh: return tanh(x);
      case UnaryOp::Sigmoid: return C(1) / (C(1) + exp(-x));
      case UnaryOp::Relu: return x <= C(0) ? C(0) : x;
      case UnaryOp::Erf: return erf(x);
      case UnaryOp::Round: return rint(x);
      case UnaryOp::Floor: return floor(x);
      case UnaryOp::Ceil: return ceil(x);
      default: return x;
    }
  } else {
    if constexpr (std::is_same_v<C, bool>) {
      return op == UnaryOp::LogicalNot ? !x : x;
    } else if constexpr (std::is_unsigned_v<C>) {
      switch (op) {
        case UnaryOp::Sign: return C(x != C(0));
        case UnaryOp::Square: return C(x * x);
        default: return x;  // Abs, Relu, Round of an unsigned integer
      }
    } else {
      switch (op) {
        case UnaryOp::Neg: return C(-x);
        case UnaryOp::Abs: return x < C(0) ? C(-x) : x;
        case UnaryOp::Sign: return C((x > C(0)) - (x < C(0)));
        case UnaryOp::Square: return C(x * x);
        case UnaryOp::Relu: return x <= C(0) ? C(0) : x;
        default: return x;  // Round of an integer
      }
    }
  }
}

template <typename T>
__global__ void unary_kernel(UnaryOp op, T* out, const T* in, Geometry g) {
  grid_stride(g.n, [&](int64_t i) {
    const int64_t o = g.contiguous ? i : offset(g, 0, i), a = g.contiguous ? i : offset(g, 1, i);
    out[o] = to<T>(unary_value(op, load(in, a)));
  });
}

template <typename C> __device__ __forceinline__ C arith(BinaryOp op, C a, C b) {
  switch (op) {
    case BinaryOp::Add: return a + b;
    case BinaryOp::Sub: return a - b;
    case BinaryOp::Mul: return a * b;
    case BinaryOp::Div: return a / b;
    case BinaryOp::Maximum:
      if constexpr (std::is_floating_point_v<C>) {
        if (a != a || b != b) return a + b;  // NaN wins, as on the CPU
      }
      return a > b ? a : b;
    case BinaryOp::Minimum:
      if constexpr (std::is_floating_point_v<C>) {
        if (a != a || b != b) return a + b;
      }
      return a < b ? a : b;
    case BinaryOp::Pow:
      if constexpr (std::is_floating_point_v<C>) return pow(a, b);
      return a;
    default: return a;
  }
}

__device__ __forceinline__ bool compare(BinaryOp op, auto a, auto b) {
  switch (op) {
    case BinaryOp::Equal: return a == b;
    case BinaryOp::NotEqual: return a != b;
    case BinaryOp::Less: return a < b;
    case BinaryOp::LessEqual: return a <= b;
    case BinaryOp::Greater: return a > b;
    case BinaryOp::GreaterEqual: return a >= b;
    case BinaryOp::LogicalAnd: return bool(a) && bool(b);
    case BinaryOp::LogicalOr: return bool(a) || bool(b);
    case BinaryOp::LogicalXor: return bool(a) != bool(b);
    default: return false;
  }
}

template <typename T>
__global__ void binary_kernel(BinaryOp op, void* out_v, const T* a, const T* b, Geometry g) {
  const bool to_bool = op >= BinaryOp::Equal;
  grid_stride(g.n, [&](int64_t i) {
    const int64_t o = g.contiguous ? i : offset(g, 0, i);
    const auto x = load(a, g.contiguous ? i : offset(g, 1, i));
    const auto y = load(b, g.contiguous ? i : offset(g, 2, i));
    if (to_bool) static_cast<bool*>(out_v)[o] = compare(op, x, y);
    else static_cast<T*>(out_v)[o] = to<T>(arith(op, x, y));
  });
}

template <typename R, typename T>
__global__ void cast_kernel(R* out, const T* in, Geometry g) {
  grid_stride(g.n, [&](int64_t i) {
    const int64_t o = g.contiguous ? i : offset(g, 0, i), a = g.contiguous ? i : offset(g, 1, i);
    if constexpr (std::is_same_v<R, T>) out[o] = in[a];
    else out[o] = to<R>(load(in, a));
  });
}

template <typename T>
__global__ void select_kernel(T* out, const bool* c, const T* a, const T* b, Geometry g) {
  grid_stride(g.n, [&](int64_t i) {
    const int64_t o = g.contiguous ? i : offset(g, 0, i);
    out[o] = c[g.contiguous ? i : offset(g, 1, i)] ? a[g.contiguous ? i : offset(g, 2, i)]
                                                   : b[g.contiguous ? i : offset(g, 3, i)];
  });
}

// Calls f.template operator()<T>() for the C++ type of `dt`.
template <typename F> void visit(Dt dt, F&& f) {
  switch (dt) {
    case Dt::f32: return f.template operator()<float>();
    case Dt::f64: return f.template operator()<double>();
    case Dt::f16: return f.template operator()<__half>();
    case Dt::bf16: return f.template operator()<__nv_bfloat16>();
    case Dt::i8: return f.template operator()<int8_t>();
    case Dt::i16: return f.template operator()<int16_t>();
    case Dt::i32: return f.template operator()<int32_t>();
    case Dt::i64: return f.template operator()<int64_t>();
    case Dt::u8: return f.template operator()<uint8_t>();
    case Dt::b8: return f.template operator()<bool>();
  }
}

bool is_float(Dt dt) { return dt == Dt::f32 || dt == Dt::f64 || dt == Dt::f16 || dt == Dt::bf16; }

}  // namespace

bool unary_supported(UnaryOp op, Dt dt) {
  if (op == UnaryOp::LogicalNot) return dt == Dt::b8;
  if (dt == Dt::b8) return false;
  if (is_float(dt)) return true;
  switch (op) {
    case UnaryOp::Neg: case UnaryOp::Abs: case UnaryOp::Sign: case UnaryOp::Square: case UnaryOp::Relu:
    case UnaryOp::Round:
      return dt != Dt::u8 || op != UnaryOp::Neg;
    default: return false;
  }
}

bool binary_supported(BinaryOp op, Dt dt) {
  if (op >= BinaryOp::LogicalAnd) return dt == Dt::b8;
  if (op >= BinaryOp::Equal) return true;
  if (dt == Dt::b8) return false;
  if (op == BinaryOp::Div || op == BinaryOp::Pow) return is_float(dt);  // integer division: CPU only
  return true;
}

void launch_unary(UnaryOp op, Dt dt, void* out, const void* in, const Geometry& g, cudaStream_t s) {
  if (g.n == 0) return;
  visit(dt, [&]<typename T>() {
    unary_kernel<T><<<grid_for(g.n), 256, 0, s>>>(op, static_cast<T*>(out), static_cast<const T*>(in), g);
  });
  check(cudaGetLastError(), "unary kernel launch");
}

void launch_binary(BinaryOp op, Dt dt, void* out, const void* a, const void* b, const Geometry& g, cudaStream_t s) {
  if (g.n == 0) return;
  visit(dt, [&]<typename T>() {
    binary_kernel<T><<<grid_for(g.n), 256, 0, s>>>(op, out, static_cast<const T*>(a), static_cast<const T*>(b), g);
  });
  check(cudaGetLastError(), "binary kernel launch");
}

void launch_cast(Dt to_dt, Dt from_dt, void* out, const void* in, const Geometry& g, cudaStream_t s) {
  if (g.n == 0) return;
  visit(to_dt, [&]<typename R>() {
    visit(from_dt, [&]<typename T>() {
      cast_kernel<R, T><<<grid_for(g.n), 256, 0, s>>>(static_cast<R*>(out), static_cast<const T*>(in), g);
    });
  });
  check(cudaGetLastError(), "cast kernel launch");
}

void launch_select(Dt dt, void* out, const void* c, const void* a, const void* b, const Geometry& g, cudaStream_t s) {
  if (g.n == 0) return;
  visit(dt, [&]<typename T>() {
    select_kernel<T><<<grid_for(g.n), 256, 0, s>>>(static_cast<T*>(out), static_cast<const bool*>(c),
                                                   static_cast<const T*>(a), static_cast<const T*>(b), g);
  });
  check(cudaGetLastError(), "select kernel launch");
}

}  // namespace nabla::cuda_backend
