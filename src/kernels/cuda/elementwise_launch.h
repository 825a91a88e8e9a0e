// Launchers of the element-wise CUDA kernels (internal). Plain types only, so
// that the .cu file needs no nabla header and the .cpp side (which sees
// Tensors) needs no CUDA compiler.
#pragma once
#include <cuda_runtime_api.h>

#include <cstdint>

namespace nabla::cuda_backend {

inline constexpr int kMaxDims = 8;
inline constexpr int kMaxOperands = 4;  // output + up to 3 inputs

// Where each operand's elements are: the output's shape, and per operand
// (0 = output) its strides in elements, 0 along broadcast dimensions.
struct Geometry {
  int rank = 0;
  int operands = 0;
  int64_t n = 0;            // elements of the output
  bool contiguous = false;  // every operand is dense in the output's shape
  int64_t shape[kMaxDims] = {};
  int64_t stride[kMaxOperands][kMaxDims] = {};
};

// Element types, in the CPU DType's order of meaning.
enum class Dt : int { f32, f64, f16, bf16, i8, i16, i32, i64, u8, b8 };

enum class UnaryOp : int {
  Neg, Abs, Sign, Square, Sqrt, Rsqrt, Exp, Log, Log1p, Expm1, Sin, Cos, Tan, Tanh, Sigmoid, Relu, Erf,
  Round, Floor, Ceil, LogicalNot
};
enum class BinaryOp : int {
  Add, Sub, Mul, Div, Maximum, Minimum, Pow,
  Equal, NotEqual, Less, LessEqual, Greater, GreaterEqual,  // -> bool
  LogicalAnd, LogicalOr, LogicalXor                         // bool -> bool
};

// True when the kernel exists for this op and type.
bool unary_supported(UnaryOp op, Dt dt);
bool binary_supported(BinaryOp op, Dt dt);

// Launch on `stream`; return without waiting.
void launch_unary(UnaryOp op, Dt dt, void* out, const void* in, const Geometry& g, cudaStream_t stream);
void launch_binary(BinaryOp op, Dt dt, void* out, const void* a, const void* b, const Geometry& g, cudaStream_t stream);
// out[i] = T_to(in[i]) (also a strided copy when to == from).
void launch_cast(Dt to, Dt from, void* out, const void* in, const Geometry& g, cudaStream_t stream);
// out[i] = cond[i] ? a[i] : b[i] (cond is bool).
void launch_select(Dt dt, void* out, const void* cond, const void* a, const void* b, const Geometry& g,
                   cudaStream_t stream);

}  // namespace nabla::cuda_backend
