// Element-wise ops: definitions (inference, ONNX names) and the public API.
// Kernels live in src/kernels/cpu/{binary,unary,compare}_kernels.cpp.
#include "nabla/ops/elementwise.h"

#include "nabla/ops/creation.h"
#include "autodiff/grad_util.h"
#include "ops/op_util.h"

namespace nabla {
namespace {

using ops::check_dtype_in;
using ops::check_same_dtype;

enum class Result { SameAsInput, Bool };

// Inference of a binary/ternary op whose inputs share one dtype from `allowed`.
template <Result R>
std::vector<TensorSpec> infer_nary(const char* name, Inputs in, std::initializer_list<DType> allowed) {
  check_same_dtype(name, in);
  check_dtype_in(name, 0, in[0], allowed);
  return {{ops::broadcast_all(in), R == Result::Bool ? DType::bool_ : in[0].dtype()}};
}

#define NB_DEFINE_BINARY(IDENT, NAME, ONNX, ALLOWED, RESULT, DIFF)                     \
  NB_REGISTER_OP(IDENT) {                                                              \
    OpDef d;                                                                           \
    d.name = NAME;                                                                     \
    d.onnx_name = ONNX;                                                                \
    d.min_inputs = d.max_inputs = 2;                                                   \
    d.differentiable = DIFF;                                                           \
    d.infer = [](Inputs in, const Attrs&) { return infer_nary<RESULT>(NAME, in, ALLOWED); }; \
    return d;                                                                          \
  }

#define NB_DEFINE_UNARY(IDENT, NAME, ONNX, ALLOWED, DIFF)                              \
  NB_REGISTER_OP(IDENT) {                                                              \
    OpDef d;                                                                           \
    d.name = NAME;                                                                     \
    d.onnx_name = ONNX;                                                                \
    d.min_inputs = d.max_inputs = 1;                                                   \
    d.differentiable = DIFF;                                                           \
    d.infer = [](Inputs in, const Attrs&) -> std::vector<TensorSpec> {                 \
      check_dtype_in(NAME, 0, in[0], ALLOWED);                                         \
      return {{in[0].shape(), in[0].dtype()}};                                         \
    };                                                                                 \
    return d;                                                                          \
  }

constexpr auto kNum = ops::kNumericTypes;
constexpr auto kFloat = ops::kFloatTypes;
constexpr auto kSigned = ops::kSignedNumericTypes;
constexpr auto kAll = ops::kAllTypes;
constexpr std::initializer_list<DType> kBool = {DType::bool_};

// Arithmetic.
NB_DEFINE_BINARY(kAdd, "Add", "Add", kNum, Result::SameAsInput, true)
NB_DEFINE_BINARY(kSub, "Sub", "Sub", kNum, Result::SameAsInput, true)
NB_DEFINE_BINARY(kMul, "Mul", "Mul", kNum, Result::SameAsInput, true)
NB_DEFINE_BINARY(kDiv, "Div", "Div", kNum, Result::SameAsInput, true)
NB_DEFINE_BINARY(kFloorDiv, "FloorDiv", "", kNum, Result::SameAsInput, false)
NB_DEFINE_BINARY(kFloorMod, "FloorMod", "Mod", kNum, Result::SameAsInput, true)
NB_DEFINE_BINARY(kPow, "Pow", "Pow", kNum, Result::SameAsInput, true)
NB_DEFINE_BINARY(kMinimum, "Minimum", "Min", kNum, Result::SameAsInput, true)
NB_DEFINE_BINARY(kMaximum, "Maximum", "Max", kNum, Result::SameAsInput, true)
// Comparisons.
NB_DEFINE_BINARY(kEqual, "Equal", "Equal", kAll, Result::Bool, false)
NB_DEFINE_BINARY(kNotEqual, "NotEqual", "", kAll, Result::Bool, false)
NB_DEFINE_BINARY(kLess, "Less", "Less", kNum, Result::Bool, false)
NB_DEFINE_BINARY(kLessEqual, "LessEqual", "LessOrEqual", kNum, Result::Bool, false)
NB_DEFINE_BINARY(kGreater, "Greater", "Greater", kNum, Result::Bool, false)
NB_DEFINE_BINARY(kGreaterEqual, "GreaterEqual", "GreaterOrEqual", kNum, Result::Bool, false)
// Logical.
NB_DEFINE_BINARY(kLogicalAnd, "LogicalAnd", "And", kBool, Result::Bool, false)
NB_DEFINE_BINARY(kLogicalOr, "LogicalOr", "Or", kBool, Result::Bool, false)
NB_DEFINE_BINARY(kLogicalXor, "LogicalXor", "Xor", kBool, Result::Bool, false)
NB_DEFINE_UNARY(kLogicalNot, "LogicalNot", "Not", kBool, false)

// Unary math.
NB_DEFINE_UNARY(kNeg, "Neg", "Neg", kSigned, true)
NB_DEFINE_UNARY(kAbs, "Abs", "Abs", kNum, true)
NB_DEFINE_UNARY(kSign, "Sign", "Sign", kNum, false)
NB_DEFINE_UNARY(kSquare, "Square", "", kNum, true)
NB_DEFINE_UNARY(kSqrt, "Sqrt", "Sqrt", kFloat, true)
NB_DEFINE_UNARY(kRsqrt, "Rsqrt", "", kFloat, true)
NB_DEFINE_UNARY(kExp, "Exp", "Exp", kFloat, true)
NB_DEFINE_UNARY(kLog, "Log", "Log", kFloat, true)
NB_DEFINE_UNARY(kLog1p, "Log1p", "", kFloat, true)
NB_DEFINE_UNARY(kExpm1, "Expm1", "", kFloat, true)
NB_DEFINE_UNARY(kSin, "Sin", "Sin", kFloat, true)
NB_DEFINE_UNARY(kCos, "Cos", "Cos", kFloat, true)
NB_DEFINE_UNARY(kTan, "Tan", "Tan", kFloat, true)
NB_DEFINE_UNARY(kTanh, "Tanh", "Tanh", kFloat, true)
NB_DEFINE_UNARY(kSigmoid, "Sigmoid", "Sigmoid", kFloat, true)
NB_DEFINE_UNARY(kRelu, "Relu", "Relu", kNum, true)
NB_DEFINE_UNARY(kErf, "Erf", "Erf", kFloat, true)
NB_DEFINE_UNARY(kRound, "Round", "Round", kNum, false)
NB_DEFINE_UNARY(kFloor, "Floor", "Floor", kFloat, false)
NB_DEFINE_UNARY(kCeil, "Ceil", "Ceil", kFloat, false)

// Ternary.
NB_REGISTER_OP(kClip) {
  OpDef d;
  d.name = "ClipByValue";
  d.onnx_name = "Clip";
  d.min_inputs = d.max_inputs = 3;
  d.infer = [](Inputs in, const Attrs&) -> std::vector<TensorSpec> {
    check_same_dtype("ClipByValue", in);
    check_dtype_in("ClipByValue", 0, in[0], kNum);
    const Shape s = ops::broadcast_all(in);
    NB_CHECK(s == in[0].shape(), InvalidArgument, "clip_by_value: clip bounds of shapes ",
             in[1].shape().str(), " and ", in[2].shape().str(), " must broadcast to x's shape ",
             in[0].shape().str());
    return {{s, in[0].dtype()}};
  };
  return d;
}

NB_REGISTER_OP(kSelect) {
  OpDef d;
  d.name = "Select";
  d.onnx_name = "Where";
  d.min_inputs = d.max_inputs = 3;
  d.kernel_dtype = [](Inputs in, const Attrs&) { return in[1].dtype(); };
  d.infer = [](Inputs in, const Attrs&) -> std::vector<TensorSpec> {
    NB_CHECK(in[0].dtype() == DType::bool_, InvalidArgument,
             "where: condition must be a bool tensor, got ", dtype_name(in[0].dtype()));
    check_same_dtype("Select", in.subspan(1));
    return {{ops::broadcast_all(in), in[1].dtype()}};
  };
  return d;
}

}  // namespace

Tensor scalar_like(Scalar s, const Tensor& like) {
  NB_CHECK(like.defined(), InvalidArgument, "cannot combine a scalar with an undefined tensor");
  const Tensor t = s.kind() == Scalar::Kind::Float ? detail::make_from_doubles({s.to_double()}, {}, like.dtype())
                                                   : detail::make_from_int64s({s.to_int()}, {}, like.dtype());
  return t.to(like.device());
}

#define NB_BINARY_API(FN, DEF) \
  Tensor FN(const Tensor& a, const Tensor& b) { return call_op1(DEF, {a, b}); }
NB_BINARY_API(add, kAdd)
NB_BINARY_API(subtract, kSub)
NB_BINARY_API(multiply, kMul)
NB_BINARY_API(divide, kDiv)
NB_BINARY_API(floordiv, kFloorDiv)
NB_BINARY_API(mod, kFloorMod)
NB_BINARY_API(pow, kPow)
NB_BINARY_API(minimum, kMinimum)
NB_BINARY_API(maximum, kMaximum)
NB_BINARY_API(equal, kEqual)
NB_BINARY_API(not_equal, kNotEqual)
NB_BINARY_API(less, kLess)
NB_BINARY_API(less_equal, kLessEqual)
NB_BINARY_API(greater, kGreater)
NB_BINARY_API(greater_equal, kGreaterEqual)
NB_BINARY_API(logical_and, kLogicalAnd)
NB_BINARY_API(logical_or, kLogicalOr)
NB_BINARY_API(logical_xor, kLogicalXor)
#undef NB_BINARY_API

#define NB_UNARY_API(FN, DEF) \
  Tensor FN(const Tensor& x) { return call_op1(DEF, {x}); }
NB_UNARY_API(logical_not, kLogicalNot)
NB_UNARY_API(negative, kNeg)
NB_UNARY_API(abs, kAbs)
NB_UNARY_API(sign, kSign)
NB_UNARY_API(square, kSquare)
NB_UNARY_API(sqrt, kSqrt)
NB_UNARY_API(rsqrt, kRsqrt)
NB_UNARY_API(exp, kExp)
NB_UNARY_API(log, kLog)
NB_UNARY_API(log1p, kLog1p)
NB_UNARY_API(expm1, kExpm1)
NB_UNARY_API(sin, kSin)
NB_UNARY_API(cos, kCos)
NB_UNARY_API(tan, kTan)
NB_UNARY_API(tanh, kTanh)
NB_UNARY_API(sigmoid, kSigmoid)
NB_UNARY_API(relu, kRelu)
NB_UNARY_API(erf, kErf)
NB_UNARY_API(round, kRound)
NB_UNARY_API(floor, kFloor)
NB_UNARY_API(ceil, kCeil)
#undef NB_UNARY_API

Tensor clip_by_value(const Tensor& x, const Tensor& lo, const Tensor& hi) {
  return call_op1(kClip, {x, lo, hi});
}
Tensor clip_by_value(const Tensor& x, Scalar lo, Scalar hi) {
  return clip_by_value(x, scalar_like(lo, x), scalar_like(hi, x));
}
Tensor where(const Tensor& cond, const Tensor& x, const Tensor& y) {
  return call_op1(kSelect, {cond, x, y});
}

#define NB_DEFINE_OPERATOR(OP, FN)                                                          \
  Tensor operator OP(const Tensor& a, const Tensor& b) { return FN(a, b); }                 \
  Tensor operator OP(const Tensor& a, Scalar b) { return FN(a, scalar_like(b, a)); }        \
  Tensor operator OP(Scalar a, const Tensor& b) { return FN(scalar_like(a, b), b); }
NB_DEFINE_OPERATOR(+, add)
NB_DEFINE_OPERATOR(-, subtract)
NB_DEFINE_OPERATOR(*, multiply)
NB_DEFINE_OPERATOR(/, divide)
NB_DEFINE_OPERATOR(%, mod)
NB_DEFINE_OPERATOR(<, less)
NB_DEFINE_OPERATOR(<=, less_equal)
NB_DEFINE_OPERATOR(>, greater)
NB_DEFINE_OPERATOR(>=, greater_equal)
NB_DEFINE_OPERATOR(==, equal)
NB_DEFINE_OPERATOR(!=, not_equal)
NB_DEFINE_OPERATOR(&&, logical_and)
NB_DEFINE_OPERATOR(||, logical_or)
#undef NB_DEFINE_OPERATOR
Tensor operator-(const Tensor& x) { return negative(x); }
Tensor operator!(const Tensor& x) { return logical_not(x); }

}  // namespace nabla

// ---- Gradients (TensorFlow's formulas; composed of registry ops) ----------
namespace nabla {
namespace {

using grad::binary_result;
using grad::scalar_of;

Tensor zero_of(const Tensor& like) { return scalar_of(0, like); }

NB_REGISTER_GRADIENT(add_grad, "Add") {
  const Tensor& g = ctx.output_grads[0];
  return binary_result(ctx, g, g);
}
NB_REGISTER_GRADIENT(sub_grad, "Sub") {
  const Tensor& g = ctx.output_grads[0];
  return binary_result(ctx, g, ctx.needs(1) ? negative(g) : Tensor());
}
NB_REGISTER_GRADIENT(mul_grad, "Mul") {
  const Tensor &g = ctx.output_grads[0], &a = ctx.inputs[0], &b = ctx.inputs[1];
  return binary_result(ctx, ctx.needs(0) ? g * b : Tensor(), ctx.needs(1) ? g * a : Tensor());
}
NB_REGISTER_GRADIENT(div_grad, "Div") {
  const Tensor &g = ctx.output_grads[0], &a = ctx.inputs[0], &b = ctx.inputs[1];
  return binary_result(ctx, ctx.needs(0) ? g / b : Tensor(),
                       ctx.needs(1) ? g * (negative(a) / b / b) : Tensor());
}
// x mod y = x - floor(x / y) * y.
NB_REGISTER_GRADIENT(floormod_grad, "FloorMod") {
  const Tensor &g = ctx.output_grads[0], &a = ctx.inputs[0], &b = ctx.inputs[1];
  return binary_result(ctx, g, ctx.needs(1) ? negative(g) * floordiv(a, b) : Tensor());
}
// d(x^y)/dx = y x^(y-1); d(x^y)/dy = x^y log(x) for x > 0, else 0 (as TF).
NB_REGISTER_GRADIENT(pow_grad, "Pow") {
  const Tensor &g = ctx.output_grads[0], &x = ctx.inputs[0], &y = ctx.inputs[1], &z = ctx.outputs[0];
  Tensor gx, gy;
  if (ctx.needs(0)) gx = g * y * pow(x, y - scalar_of(1, y));
  if (ctx.needs(1)) {
    const Tensor pos = greater(x, zero_of(x));
    // log of a safe value, so that no NaN/inf enters even the unselected branch.
    const Tensor log_x = where(pos, log(where(pos, x, scalar_of(1, x))), zero_of(x));
    gy = g * z * log_x;
  }
  return binary_result(ctx, gx, gy);
}
// Ties: the whole gradient goes to x (TF's greater_equal / less_equal masks).
TensorList min_max_grad(const GradContext& ctx, bool is_max) {
  const Tensor &g = ctx.output_grads[0], &x = ctx.inputs[0], &y = ctx.inputs[1];
  const Tensor x_wins = is_max ? greater_equal(x, y) : less_equal(x, y);
  const Tensor z = zero_of(g);
  return binary_result(ctx, ctx.needs(0) ? where(x_wins, g, z) : Tensor(),
                       ctx.needs(1) ? where(x_wins, z, g) : Tensor());
}
NB_REGISTER_GRADIENT(maximum_grad, "Maximum") { return min_max_grad(ctx, true); }
NB_REGISTER_GRADIENT(minimum_grad, "Minimum") { return min_max_grad(ctx, false); }

NB_REGISTER_GRADIENT(neg_grad, "Neg") { return {negative(ctx.output_grads[0])}; }
NB_REGISTER_GRADIENT(abs_grad, "Abs") { return {ctx.output_grads[0] * sign(ctx.inputs[0])}; }
NB_REGISTER_GRADIENT(square_grad, "Square") {
  return {ctx.output_grads[0] * (scalar_of(2, ctx.inputs[0]) * ctx.inputs[0])};
}
// 0.5 g / sqrt(x): inf at x = 0, as TF.
NB_REGISTER_GRADIENT(sqrt_grad, "Sqrt") {
  return {ctx.output_grads[0] * scalar_of(0.5, ctx.outputs[0]) / ctx.outputs[0]};
}
NB_REGISTER_GRADIENT(rsqrt_grad, "Rsqrt") {
  const Tensor& y = ctx.outputs[0];
  return {ctx.output_grads[0] * (y * y * y) * scalar_of(-0.5, y)};
}
NB_REGISTER_GRADIENT(exp_grad, "Exp") { return {ctx.output_grads[0] * ctx.outputs[0]}; }
NB_REGISTER_GRADIENT(log_grad, "Log") { return {ctx.output_grads[0] / ctx.inputs[0]}; }
NB_REGISTER_GRADIENT(log1p_grad, "Log1p") {
  return {ctx.output_grads[0] / (scalar_of(1, ctx.inputs[0]) + ctx.inputs[0])};
}
NB_REGISTER_GRADIENT(expm1_grad, "Expm1") { return {ctx.output_grads[0] * exp(ctx.inputs[0])}; }
NB_REGISTER_GRADIENT(sin_grad, "Sin") { return {ctx.output_grads[0] * cos(ctx.inputs[0])}; }
NB_REGISTER_GRADIENT(cos_grad, "Cos") { return {negative(ctx.output_grads[0]) * sin(ctx.inputs[0])}; }
NB_REGISTER_GRADIENT(tan_grad, "Tan") {
  const Tensor c = cos(ctx.inputs[0]);
  return {ctx.output_grads[0] / (c * c)};
}
NB_REGISTER_GRADIENT(tanh_grad, "Tanh") {
  const Tensor& y = ctx.outputs[0];
  return {ctx.output_grads[0] * (scalar_of(1, y) - y * y)};
}
NB_REGISTER_GRADIENT(sigmoid_grad, "Sigmoid") {
  const Tensor& y = ctx.outputs[0];
  return {ctx.output_grads[0] * (y * (scalar_of(1, y) - y))};
}
// 0 at x = 0, as TF. Written with the output (y > 0 exactly where x > 0) so that a
// compiled graph can drop the pre-activation once the ReLU is fused into its producer.
NB_REGISTER_GRADIENT(relu_grad, "Relu") {
  const Tensor& y = ctx.outputs[0];
  return {where(greater(y, zero_of(y)), ctx.output_grads[0], zero_of(y))};
}
NB_REGISTER_GRADIENT(erf_grad, "Erf") {
  const Tensor& x = ctx.inputs[0];
  return {ctx.output_grads[0] * (scalar_of(1.1283791670955126, x) * exp(negative(x * x)))};
}
// The gradient flows to x where lo <= x <= hi, to lo where x < lo, to hi where x > hi.
NB_REGISTER_GRADIENT(clip_grad, "ClipByValue") {
  const Tensor &g = ctx.output_grads[0], &x = ctx.inputs[0];
  const Tensor below = less(x, ctx.inputs[1]), above = greater(x, ctx.inputs[2]);
  const Tensor z = zero_of(g);
  TensorList r(3);
  if (ctx.needs(0)) r[0] = where(logical_or(below, above), z, g);
  if (ctx.needs(1)) r[1] = grad::unbroadcast(where(below, g, z), ctx.inputs[1].shape());
  if (ctx.needs(2)) r[2] = grad::unbroadcast(where(above, g, z), ctx.inputs[2].shape());
  return r;
}
NB_REGISTER_GRADIENT(select_grad, "Select") {
  const Tensor &g = ctx.output_grads[0], &c = ctx.inputs[0];
  const Tensor z = zero_of(g);
  TensorList r(3);
  if (ctx.needs(1)) r[1] = grad::unbroadcast(where(c, g, z), ctx.inputs[1].shape());
  if (ctx.needs(2)) r[2] = grad::unbroadcast(where(c, z, g), ctx.inputs[2].shape());
  return r;
}

}  // namespace
}  // namespace nabla
