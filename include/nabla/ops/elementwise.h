// Element-wise ops with NumPy broadcasting (DESIGN.md §5). Binary ops require
// both inputs to have the same dtype ("cannot compute Add as input #1(zero-based)
// was expected to be a float32 tensor but is a int32 tensor [Op:Add]"); a C++
// scalar takes the tensor's dtype. Shapes that do not broadcast raise
// "Incompatible shapes: [2] vs. [3] [Op:Add]".
#pragma once
#include "nabla/core/tensor.h"

namespace nabla {

// Arithmetic (numeric dtypes; bool is rejected).
Tensor add(const Tensor& a, const Tensor& b);
Tensor subtract(const Tensor& a, const Tensor& b);
Tensor multiply(const Tensor& a, const Tensor& b);
// Floats: a / b. Integers: C++ truncating division (tf.truncatediv); integer
// division by zero throws InvalidArgument (TensorFlow returns garbage).
Tensor divide(const Tensor& a, const Tensor& b);
// Floor division (Python //): floor(a / b); integer division by zero throws.
Tensor floordiv(const Tensor& a, const Tensor& b);
// Python-style modulo: result has the sign of b (tf.math.floormod).
Tensor mod(const Tensor& a, const Tensor& b);
Tensor pow(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);
Tensor maximum(const Tensor& a, const Tensor& b);

// Unary math. Float-only ops (sqrt, exp, ... ) reject integer inputs.
Tensor negative(const Tensor& x);
Tensor abs(const Tensor& x);
Tensor sign(const Tensor& x);
Tensor square(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor rsqrt(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor log1p(const Tensor& x);
Tensor expm1(const Tensor& x);
Tensor sin(const Tensor& x);
Tensor cos(const Tensor& x);
Tensor tan(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor relu(const Tensor& x);
Tensor erf(const Tensor& x);
// Rounds half to even (tf.round).
Tensor round(const Tensor& x);
Tensor floor(const Tensor& x);
Tensor ceil(const Tensor& x);
// max(min(x, hi), lo) (TensorFlow: lo wins when lo > hi); lo and hi broadcast
// against x and must not change its shape.
Tensor clip_by_value(const Tensor& x, const Tensor& lo, const Tensor& hi);
Tensor clip_by_value(const Tensor& x, Scalar lo, Scalar hi);

// Comparisons -> bool.
Tensor equal(const Tensor& a, const Tensor& b);
Tensor not_equal(const Tensor& a, const Tensor& b);
Tensor less(const Tensor& a, const Tensor& b);
Tensor less_equal(const Tensor& a, const Tensor& b);
Tensor greater(const Tensor& a, const Tensor& b);
Tensor greater_equal(const Tensor& a, const Tensor& b);

// Logical ops on bool tensors.
Tensor logical_and(const Tensor& a, const Tensor& b);
Tensor logical_or(const Tensor& a, const Tensor& b);
Tensor logical_xor(const Tensor& a, const Tensor& b);
Tensor logical_not(const Tensor& x);

// Elements of x where cond is true, else of y (all three broadcast; cond bool).
Tensor where(const Tensor& cond, const Tensor& x, const Tensor& y);

// A tensor of the same dtype as `like`, holding `s` (for scalar operands).
Tensor scalar_like(Scalar s, const Tensor& like);

// Operators. Tensor-tensor, tensor-scalar and scalar-tensor forms.
#define NB_DECLARE_BINARY_OPERATOR(OP)                      \
  Tensor operator OP(const Tensor& a, const Tensor& b);     \
  Tensor operator OP(const Tensor& a, Scalar b);            \
  Tensor operator OP(Scalar a, const Tensor& b);
NB_DECLARE_BINARY_OPERATOR(+)
NB_DECLARE_BINARY_OPERATOR(-)
NB_DECLARE_BINARY_OPERATOR(*)
NB_DECLARE_BINARY_OPERATOR(/)
NB_DECLARE_BINARY_OPERATOR(%)
NB_DECLARE_BINARY_OPERATOR(<)
NB_DECLARE_BINARY_OPERATOR(<=)
NB_DECLARE_BINARY_OPERATOR(>)
NB_DECLARE_BINARY_OPERATOR(>=)
NB_DECLARE_BINARY_OPERATOR(==)
NB_DECLARE_BINARY_OPERATOR(!=)
NB_DECLARE_BINARY_OPERATOR(&&)
NB_DECLARE_BINARY_OPERATOR(||)
#undef NB_DECLARE_BINARY_OPERATOR
Tensor operator-(const Tensor& x);
Tensor operator!(const Tensor& x);

}  // namespace nabla
