// Linear algebra ops: BatchMatMulV2 (matmul) and tensordot. Kernels live in
// src/kernels/cpu/matmul_kernels.cpp (OpenBLAS for float32/float64, a loop
// for integers; float16/bfloat16 run the float32 kernel).
#include "nabla/ops/linalg.h"

#include <algorithm>
#include <numeric>

#include "nabla/ops/shape_ops.h"
#include "autodiff/grad_util.h"
#include "ops/op_util.h"

namespace nabla {
namespace {

NB_REGISTER_OP(kMatMul) {
  OpDef d;
  d.name = "BatchMatMulV2";
  d.onnx_name = "MatMul";
  d.min_inputs = d.max_inputs = 2;
  d.attr_names = {"transpose_a", "transpose_b"};
  d.infer = [](Inputs in, const Attrs& a) -> std::vector<TensorSpec> {
    ops::check_same_dtype("BatchMatMulV2", in);
    ops::check_dtype_in("BatchMatMulV2", 0, in[0], ops::kNumericTypes);
    const Shape &sa = in[0].shape(), &sb = in[1].shape();
    NB_CHECK(sa.rank() >= 2, InvalidArgument, "In[0] ndims must be >= 2: ", sa.rank(),
             " (shape ", sa.str(), ")");
    NB_CHECK(sb.rank() >= 2, InvalidArgument, "In[1] ndims must be >= 2: ", sb.rank(),
             " (shape ", sb.str(), ")");
    const bool ta = a.get_or<bool>("transpose_a", false), tb = a.get_or<bool>("transpose_b", false);
    const int64_t ra = sa.rank(), rb = sb.rank();
    const int64_t m = sa[size_t(ra - (ta ? 1 : 2))], ka = sa[size_t(ra - (ta ? 2 : 1))];
    const int64_t kb = sb[size_t(rb - (tb ? 1 : 2))], n = sb[size_t(rb - (tb ? 2 : 1))];
    if (ka != kb) {
      const std::string flags = ta || tb ? detail::str_cat(" (transpose_a=", ta ? "true" : "false",
                                                           ", transpose_b=", tb ? "true" : "false", ")")
                                         : std::string();
      throw InvalidArgument(detail::str_cat("Matrix size-incompatible: In[0]: ", sa.str(), ", In[1]: ",
                                            sb.str(), flags));
    }
    const Shape ba(sa.begin(), sa.end() - 2), bb(sb.begin(), sb.end() - 2);
    Shape out;
    try {
      out = broadcast_shapes(ba, bb, nullptr);
    } catch (const InvalidArgument&) {
      throw InvalidArgument(detail::str_cat("In[0] and In[1] must have compatible batch dimensions: ",
                                            sa.str(), " vs. ", sb.str()));
    }
    out.push_back(m);
    out.push_back(n);
    return {{out, in[0].dtype()}};
  };
  // TF's BatchMatMulV2 gradient for each combination of transpose flags; the
  // batch dimensions a or b were broadcast over are summed back.
  d.gradient = [](const GradContext& ctx) -> TensorList {
    const Tensor &a = ctx.inputs[0], &b = ctx.inputs[1], &g = ctx.output_grads[0];
    const bool ta = ctx.attrs.get_or<bool>("transpose_a", false);
    const bool tb = ctx.attrs.get_or<bool>("transpose_b", false);
    Tensor ga, gb;
    if (ctx.needs(0)) {
      ga = !ta ? matmul(g, b, {.transpose_a = false, .transpose_b = !tb})
               : matmul(b, g, {.transpose_a = tb, .transpose_b = true});
    }
    if (ctx.needs(1)) {
      gb = !tb ? matmul(a, g, {.transpose_a = !ta, .transpose_b = false})
               : matmul(g, a, {.transpose_a = true, .transpose_b = ta});
    }
    return grad::binary_result(ctx, ga, gb);
  };
  return d;
}

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b, MatmulOptions options) {
  return call_op1(kMatMul, {a, b},
                  Attrs{{"transpose_a", options.transpose_a}, {"transpose_b", options.transpose_b}});
}

// tensordot is a composition (each step is a recorded op, so it needs no
// gradient of its own): a is transposed to [free_a..., contracted...] and
// reshaped to a matrix [prod(free_a), prod(contracted)], b likewise to
// [prod(contracted), prod(free_b)]; one matmul, then a reshape to
// free_a + free_b.
Tensor tensordot(const Tensor& a, const Tensor& b, const std::vector<int64_t>& axes_a,
                 const std::vector<int64_t>& axes_b) {
  NB_CHECK(a.defined() && b.defined(), InvalidArgument, "tensordot: undefined input tensor");
  NB_CHECK(axes_a.size() == axes_b.size(), InvalidArgument,
           "tensordot: axes_a and axes_b must have the same length, got ", ops::list_str(axes_a),
           " and ", ops::list_str(axes_b));
  NB_CHECK(a.dtype() == b.dtype(), InvalidArgument, "tensordot: both tensors must have the same dtype, got ",
           dtype_name(a.dtype()), " and ", dtype_name(b.dtype()));
  const int64_t ra = a.rank(), rb = b.rank();
  std::vector<bool> used_a(size_t(ra), false), used_b(size_t(rb), false);
  std::vector<int64_t> ca, cb;
  int64_t kprod = 1;
  for (size_t i = 0; i < axes_a.size(); ++i) {
    const int64_t x = normalize_axis(axes_a[i], ra, "tensordot");
    const int64_t y = normalize_axis(axes_b[i], rb, "tensordot");
    NB_CHECK(!used_a[size_t(x)] && !used_b[size_t(y)], InvalidArgument,
             "tensordot: an axis is contracted twice: axes_a ", ops::list_str(axes_a), ", axes_b ",
             ops::list_str(axes_b));
    used_a[size_t(x)] = used_b[size_t(y)] = true;
    NB_CHECK(a.shape()[size_t(x)] == b.shape()[size_t(y)], InvalidArgument,
             "tensordot: dimension mismatch: axis ", x, " of a ", a.shape().str(), " has size ",
             a.shape()[size_t(x)], " but axis ", y, " of b ", b.shape().str(), " has size ",
             b.shape()[size_t(y)]);
    ca.push_back(x);
    cb.push_back(y);
    kprod *= a.shape()[size_t(x)];
  }
  std::vector<int64_t> perm_a, perm_b;
  Shape out;
  int64_t m = 1, n = 1;
  for (int64_t i = 0; i < ra; ++i)
    if (!used_a[size_t(i)]) {
      perm_a.push_back(i);
      out.push_back(a.shape()[size_t(i)]);
      m *= a.shape()[size_t(i)];
    }
  perm_a.insert(perm_a.end(), ca.begin(), ca.end());
  perm_b = cb;
  for (int64_t i = 0; i < rb; ++i)
    if (!used_b[size_t(i)]) {
      perm_b.push_back(i);
      out.push_back(b.shape()[size_t(i)]);
      n *= b.shape()[size_t(i)];
    }
  const Tensor am = reshape(transpose(a, perm_a), Shape{m, kprod});
  const Tensor bm = reshape(transpose(b, perm_b), Shape{kprod, n});
  return reshape(matmul(am, bm), out);
}

Tensor tensordot(const Tensor& a, const Tensor& b, int64_t axes) {
  NB_CHECK(a.defined() && b.defined(), InvalidArgument, "tensordot: undefined input tensor");
  NB_CHECK(axes >= 0 && axes <= a.rank() && axes <= b.rank(), InvalidArgument,
           "tensordot: axes must be in [0, min(rank(a), rank(b))] = [0, ", std::min(a.rank(), b.rank()),
           "], got ", axes);
  std::vector<int64_t> axes_a(static_cast<size_t>(axes)), axes_b(static_cast<size_t>(axes));
  std::iota(axes_a.begin(), axes_a.end(), a.rank() - axes);
  std::iota(axes_b.begin(), axes_b.end(), int64_t(0));
  return tensordot(a, b, axes_a, axes_b);
}

}  // namespace nabla
