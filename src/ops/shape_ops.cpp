// Shape ops that copy or select data: concat, stack, split, tile, pad,
// gather, gather_nd, slice, reverse, scatter_nd_update. They only move bytes,
// so every dtype (bool and the half types included) is handled natively
// (half_via_float = false). split/slice/reverse return views; the others run
// the byte-moving CPU kernels in src/kernels/cpu/shape_kernels.cpp.
// The view ops reshape/transpose/... live in view_ops.cpp. Every op here has
// its gradient (TensorFlow's formulas), written with registry ops.
#include <algorithm>

#include "nabla/ops/shape_ops.h"

#include "autodiff/grad_util.h"
#include "nabla/ops/creation.h"
#include "nabla/ops/elementwise.h"
#include "nabla/ops/reduce.h"
#include "nabla/ops/scatter_ops.h"
#include "ops/op_util.h"

namespace nabla {
namespace {

using ops::int_list;
using ops::list_str;

constexpr std::initializer_list<DType> kIndexTypes = {DType::int32, DType::int64};

// Appends dims [first, last) to s.
void append(Shape& s, const int64_t* first, const int64_t* last) {
  for (; first != last; ++first) s.push_back(*first);
}

// Product of dims [from, to) of s.
int64_t prod(const Shape& s, int64_t from, int64_t to) {
  int64_t n = 1;
  for (int64_t i = from; i < to; ++i) n *= s[size_t(i)];
  return n;
}

// x[..., start:start+len, ...] along `axis`.
Tensor slice_axis(const Tensor& x, int64_t axis, int64_t start, int64_t len) {
  std::vector<int64_t> begin(size_t(x.rank()), 0), size(size_t(x.rank()), -1);
  begin[size_t(axis)] = start;
  size[size_t(axis)] = len;
  return slice(x, begin, size);
}

// x zero-padded by (before, after) along `axis`.
Tensor pad_axis(const Tensor& x, int64_t axis, int64_t before, int64_t after) {
  std::vector<std::pair<int64_t, int64_t>> p(size_t(x.rank()), {0, 0});
  p[size_t(axis)] = {before, after};
  return pad(x, p);
}

// ---- concat / stack ----------------------------------------------------------

NB_REGISTER_OP(kConcat) {
  OpDef d;
  d.name = "ConcatV2";
  d.onnx_name = "Concat";
  d.min_inputs = 1;
  d.max_inputs = -1;
  d.attr_names = {"axis"};
  d.half_via_float = false;
  d.infer = [](Inputs in, const Attrs& a) -> std::vector<TensorSpec> {
    ops::check_same_dtype("ConcatV2", in);
    const Shape& s0 = in[0].shape();
    NB_CHECK(s0.rank() > 0, InvalidArgument, "Can't concatenate scalars (use stack instead)");
    const int64_t axis = normalize_axis(a.get<int64_t>("axis"), s0.rank(), "ConcatV2");
    Shape out = s0;
    for (size_t i = 1; i < in.size(); ++i) {
      const Shape& si = in[i].shape();
      NB_CHECK(si.rank() == s0.rank(), InvalidArgument,
               "ConcatOp : Ranks of all input tensors should match: shape[0] = ", s0.str(),
               " vs. shape[", i, "] = ", si.str());
      for (int64_t dd = 0; dd < s0.rank(); ++dd) {
        if (dd == axis) continue;
        NB_CHECK(si[size_t(dd)] == s0[size_t(dd)], InvalidArgument, "ConcatOp : Dimension ", dd,
                 " in both shapes must be equal: shape[0] = ", s0.str(), " vs. shape[", i,
                 "] = ", si.str());
      }
      out[size_t(axis)] += si[size_t(axis)];
    }
    return {{out, in[0].dtype()}};
  };
  // dy split back into the inputs' extents along the axis.
  d.gradient = [](const GradContext& ctx) -> TensorList {
    const Tensor& g = ctx.output_grads[0];
    if (ctx.inputs.size() == 1) return {g};
    const int64_t axis = normalize_axis(ctx.attrs.get<int64_t>("axis"), g.rank(), "ConcatV2");
    std::vector<int64_t> sizes;
    for (const Tensor& x : ctx.inputs) sizes.push_back(x.shape()[size_t(axis)]);
    TensorList parts = split(g, sizes, axis);
    for (size_t i = 0; i < parts.size(); ++i)
      if (!ctx.needs(i)) parts[i] = Tensor();
    return parts;
  };
  return d;
}

NB_REGISTER_OP(kPack) {
  OpDef d;
  d.name = "Pack";
  d.onnx_name = "";  // ONNX has no Stack: Unsqueeze + Concat
  d.min_inputs = 1;
  d.max_inputs = -1;
  d.attr_names = {"axis"};
  d.half_via_float = false;
  d.infer = [](Inputs in, const Attrs& a) -> std::vector<TensorSpec> {
    ops::check_same_dtype("Pack", in);
    const Shape& s0 = in[0].shape();
    for (size_t i = 1; i < in.size(); ++i)
      NB_CHECK(in[i].shape() == s0, InvalidArgument,
               "Shapes of all inputs must match: values[0].shape = ", s0.str(), " != values[", i,
               "].shape = ", in[i].shape().str());
    const int64_t axis = normalize_axis(a.get<int64_t>("axis"), s0.rank() + 1, "Pack");
    Shape out = s0;
    out.insert(out.begin() + axis, int64_t(in.size()));
    return {{out, in[0].dtype()}};
  };
  // dy unstacked along the new axis.
  d.gradient = [](const GradContext& ctx) -> TensorList {
    const Tensor& g = ctx.output_grads[0];
    const int64_t axis = normalize_axis(ctx.attrs.get<int64_t>("axis"), g.rank(), "Pack");
    TensorList parts = split(g, int64_t(ctx.inputs.size()), axis);
    for (size_t i = 0; i < parts.size(); ++i)
      parts[i] = ctx.needs(i) ? reshape(parts[i], ctx.inputs[i].shape()) : Tensor();
    return parts;
  };
  return d;
}

// ---- split (views) -------------------------------------------------------------

NB_REGISTER_OP(kSplit) {
  OpDef d;
  d.name = "SplitV";
  d.onnx_name = "Split";
  d.min_inputs = d.max_inputs = 1;
  d.num_outputs = -1;  // variadic: one output per part
  d.attr_names = {"size_splits", "num_split", "axis"};
  d.is_view = true;
  d.half_via_float = false;
  d.compute = [](Inputs in, const Attrs& a) -> TensorList {
    const Tensor& x = in[0];
    NB_CHECK(x.rank() > 0, InvalidArgument, "Can't split a scalar (rank-0 tensor)");
    const int64_t axis = normalize_axis(a.get<int64_t>("axis"), x.rank(), "SplitV");
    const int64_t n = x.shape()[size_t(axis)];
    std::vector<int64_t> sizes;
    if (a.has("num_split")) {
      const int64_t num = a.get<int64_t>("num_split");
      NB_CHECK(num >= 1, InvalidArgument, "Number of ways to split should be >= 1, got ", num);
      NB_CHECK(n % num == 0, InvalidArgument,
               "Number of ways to split should evenly divide the split dimension, but got "
               "split_dim ", axis, " (size = ", n, ") and num_split ", num);
      sizes.assign(size_t(num), n / num);
    } else {
      sizes = int_list(a, "size_splits");
      NB_CHECK(!sizes.empty(), InvalidArgument, "split needs at least one size");
      int64_t known = 0, infer_at = -1;
      for (size_t i = 0; i < sizes.size(); ++i) {
        if (sizes[i] == -1) {
          NB_CHECK(infer_at < 0, InvalidArgument,
                   "There can only be one -1 in the input size_splits ", list_str(sizes));
          infer_at = int64_t(i);
        } else {
          NB_CHECK(sizes[i] >= 0, InvalidArgument, "split sizes must be >= 0 (or one -1), got ",
                   list_str(sizes));
          known += sizes[i];
        }
      }
      if (infer_at >= 0) {
        NB_CHECK(known <= n, InvalidArgument, "split sizes ", list_str(sizes), " add up to ", known,
                 ", more than the size ", n, " of dimension ", axis);
        sizes[size_t(infer_at)] = n - known;
      } else {
        NB_CHECK(known == n, InvalidArgument, "split sizes ", list_str(sizes), " add up to ", known,
                 " but dimension ", axis, " of the input ", x.shape().str(), " has size ", n);
      }
    }
    TensorList out;
    out.reserve(sizes.size());
    const int64_t stride = x.strides()[size_t(axis)];
    int64_t pos = 0;
    for (int64_t sz : sizes) {
      Shape s = x.shape();
      s[size_t(axis)] = sz;
      out.push_back(Tensor::view_of(x, s, x.strides(), x.offset() + (sz > 0 ? pos * stride : 0)));
      pos += sz;
    }
    return out;
  };
  // The output gradients concatenated (zeros for parts that got none).
  d.gradient = [](const GradContext& ctx) -> TensorList {
    if (ctx.output_grads.size() == 1) return {grad::output_grad_or_zeros(ctx, 0)};
    const int64_t axis = normalize_axis(ctx.attrs.get<int64_t>("axis"), ctx.inputs[0].rank(), "SplitV");
    std::vector<Tensor> gs;
    gs.reserve(ctx.output_grads.size());
    for (size_t i = 0; i < ctx.output_grads.size(); ++i) gs.push_back(grad::output_grad_or_zeros(ctx, i));
    return {concat(gs, axis)};
  };
  return d;
}

// ---- tile / pad ----------------------------------------------------------------

NB_REGISTER_OP(kTile) {
  OpDef d;
  d.name = "Tile";
  d.onnx_name = "Tile";
  d.min_inputs = d.max_inputs = 1;
  d.attr_names = {"multiples"};
  d.half_via_float = false;
  d.infer = [](Inputs in, const Attrs& a) -> std::vector<TensorSpec> {
    const Tensor& x = in[0];
    const std::vector<int64_t> m = int_list(a, "multiples");
    NB_CHECK(int64_t(m.size()) == x.rank(), InvalidArgument,
             "Expected multiples argument to be a vector of length ", x.rank(), " but got length ",
             m.size());
    Shape out = x.shape();
    for (size_t i = 0; i < m.size(); ++i) {
      NB_CHECK(m[i] >= 0, InvalidArgument, "Expected multiples[", i, "] >= 0, but got ", m[i]);
      out[i] *= m[i];
    }
    return {{out, x.dtype()}};
  };
  // dy reshaped to [m0, d0, m1, d1, ...] and summed over the multiples axes
  // (axes with m == 1 or d == 1 are not split).
  d.gradient = [](const GradContext& ctx) -> TensorList {
    const Tensor &x = ctx.inputs[0], &g = ctx.output_grads[0];
    const std::vector<int64_t> m = int_list(ctx.attrs, "multiples");
    Shape split_shape;
    std::vector<int64_t> axes;
    for (size_t i = 0; i < m.size(); ++i) {
      const int64_t n = x.shape()[i];
      if (m[i] == 1) {
        split_shape.push_back(n);
        continue;
      }
      axes.push_back(int64_t(split_shape.size()));
      split_shape.push_back(m[i]);
      if (n != 1) split_shape.push_back(n);
    }
    if (axes.empty()) return {g};
    return {reshape(reduce_sum(reshape(g, split_shape), axes), x.shape())};
  };
  return d;
}

// paddings attr: flattened [before0, after0, before1, after1, ...].
Shape padded_shape(const Tensor& x, const std::vector<int64_t>& p, const char* op) {
  NB_CHECK(int64_t(p.size()) == 2 * x.rank(), InvalidArgument, op,
           ": expected one (before, after) pair per dimension of the input ", x.shape().str(),
           " (", x.rank(), " pairs), got ", p.size() / 2);
  Shape out = x.shape();
  for (int64_t dd = 0; dd < x.rank(); ++dd) {
    const int64_t b = p[size_t(2 * dd)], e = p[size_t(2 * dd + 1)];
    NB_CHECK(b >= 0 && e >= 0, InvalidArgument, "Paddings must be non-negative: ", b, " ", e,
             " (dimension ", dd, ")");
    out[size_t(dd)] += b + e;
  }
  return out;
}

NB_REGISTER_OP(kPadV2) {
  OpDef d;
  d.name = "PadV2";
  d.onnx_name = "Pad";
  d.min_inputs = d.max_inputs = 1;
  d.attr_names = {"paddings", "constant_value"};
  d.half_via_float = false;
  d.infer = [](Inputs in, const Attrs& a) -> std::vector<TensorSpec> {
    return {{padded_shape(in[0], int_list(a, "paddings"), "PadV2"), in[0].dtype()}};
  };
  // The interior of dy (constant_value is an attribute: no gradient).
  d.gradient = [](const GradContext& ctx) -> TensorList {
    const Tensor& x = ctx.inputs[0];
    const std::vector<int64_t> p = int_list(ctx.attrs, "paddings");
    std::vector<int64_t> begin(size_t(x.rank()));
    for (size_t i = 0; i < begin.size(); ++i) begin[i] = p[2 * i];
    return {slice(ctx.output_grads[0], begin, x.shape().vec())};
  };
  return d;
}

NB_REGISTER_OP(kMirrorPad) {
  OpDef d;
  d.name = "MirrorPad";
  d.onnx_name = "Pad";  // mode "reflect"
  d.min_inputs = d.max_inputs = 1;
  d.attr_names = {"paddings", "mode"};
  d.half_via_float = false;
  d.infer = [](Inputs in, const Attrs& a) -> std::vector<TensorSpec> {
    const Tensor& x = in[0];
    const std::vector<int64_t> p = int_list(a, "paddings");
    const Shape out = padded_shape(x, p, "MirrorPad");
    const std::string& mode = a.get<std::string>("mode");
    NB_CHECK(mode == "REFLECT" || mode == "SYMMETRIC", InvalidArgument,
             "MirrorPad mode must be REFLECT or SYMMETRIC, got ", mode);
    const bool reflect = mode == "REFLECT";
    for (int64_t dd = 0; dd < x.rank(); ++dd) {
      const int64_t b = p[size_t(2 * dd)], e = p[size_t(2 * dd + 1)], n = x.shape()[size_t(dd)];
      if (reflect)
        NB_CHECK(b < n && e < n, InvalidArgument,
                 "paddings must be less than the dimension size in REFLECT mode: ", b, ", ", e,
                 " not less than ", n, " (dimension ", dd, ")");
      else
        NB_CHECK(b <= n && e <= n, InvalidArgument,
                 "paddings must be no greater than the dimension size in SYMMETRIC mode: ", b, ", ",
                 e, " greater than ", n, " (dimension ", dd, ")");
    }
    return {{out, x.dtype()}};
  };
  // Axis by axis, the mirrored borders of dy are folded back onto the
  // positions they were copied from: middle + reversed borders padded into place.
  d.gradient = [](const GradContext& ctx) -> TensorList {
    const Tensor& x = ctx.inputs[0];
    const std::vector<int64_t> p = int_list(ctx.attrs, "paddings");
    const bool reflect = ctx.attrs.get<std::string>("mode") == "REFLECT";
    Tensor g = ctx.output_grads[0];
    for (int64_t dd = 0; dd < x.rank(); ++dd) {
      const int64_t b = p[size_t(2 * dd)], e = p[size_t(2 * dd + 1)], n = x.shape()[size_t(dd)];
      if (b == 0 && e == 0) continue;
      Tensor acc = slice_axis(g, dd, b, n);
      if (b > 0) {
        // Reversed, the left border covers input positions [at, at + b).
        const int64_t at = reflect ? 1 : 0;
        acc = add(acc, pad_axis(reverse(slice_axis(g, dd, 0, b), {dd}), dd, at, n - at - b));
      }
      if (e > 0) {
        const int64_t at = reflect ? n - 1 - e : n - e;
        acc = add(acc, pad_axis(reverse(slice_axis(g, dd, b + n, e), {dd}), dd, at, n - at - e));
      }
      g = acc;
    }
    return {g};
  };
  return d;
}

// ---- gather / gather_nd / scatter_nd_update ----------------------------------

NB_REGISTER_OP(kGather) {
  OpDef d;
  d.name = "GatherV2";
  d.onnx_name = "Gather";
  d.min_inputs = d.max_inputs = 2;
  d.attr_names = {"axis", "batch_dims"};
  d.half_via_float = false;
  d.infer = [](Inputs in, const Attrs& a) -> std::vector<TensorSpec> {
    const Tensor &x = in[0], &idx = in[1];
    ops::check_dtype_in("GatherV2", 1, idx, kIndexTypes);
    NB_CHECK(x.rank() > 0, InvalidArgument, "params must be at least 1 dimensional");
    int64_t bd = a.get_or<int64_t>("batch_dims", 0);
    NB_CHECK(bd >= -idx.rank() && bd <= idx.rank(), InvalidArgument, "Expected batch_dims in the range [",
             -idx.rank(), ", ", idx.rank(), "], but got ", bd);
    if (bd < 0) bd += idx.rank();
    const int64_t axis = normalize_axis(a.get_or<int64_t>("axis", 0), x.rank(), "GatherV2");
    NB_CHECK(bd <= axis, InvalidArgument, "batch_dims (", bd, ") must be less than or equal to axis (",
             axis, ")");
    for (int64_t i = 0; i < bd; ++i)
      NB_CHECK(x.shape()[size_t(i)] == idx.shape()[size_t(i)], InvalidArgument, "params.shape[", i,
               "]: ", x.shape()[size_t(i)], " should be equal to indices.shape[", i,
               "]: ", idx.shape()[size_t(i)], " (batch_dims = ", bd, ")");
    Shape out(x.shape().begin(), x.shape().begin() + axis);
    append(out, idx.shape().begin() + bd, idx.shape().end());
    append(out, x.shape().begin() + axis + 1, x.shape().end());
    return {{out, x.dtype()}};
  };
  // Scatter-add of dy into the gathered rows (UnsortedSegmentSum). dy is seen
  // as [B, O, N, I] (batch, axes before `axis`, index, axes after) and moved
  // to [B*N, O, I]; with batch dims, batch b's ids are offset by b * params.shape[axis].
  d.gradient = [](const GradContext& ctx) -> TensorList {
    if (!ctx.needs(0)) return {Tensor(), Tensor()};
    const Tensor &x = ctx.inputs[0], &idx = ctx.inputs[1], &g = ctx.output_grads[0];
    int64_t bd = ctx.attrs.get_or<int64_t>("batch_dims", 0);
    if (bd < 0) bd += idx.rank();
    const int64_t axis = normalize_axis(ctx.attrs.get_or<int64_t>("axis", 0), x.rank(), "GatherV2");
    const Shape& xs = x.shape();
    const int64_t B = prod(xs, 0, bd), O = prod(xs, bd, axis), A = xs[size_t(axis)],
                  I = prod(xs, axis + 1, x.rank()), N = prod(idx.shape(), bd, idx.rank());
    if (x.size() == 0) return {zeros_like(x), Tensor()};
    Tensor v = reshape(g, Shape{B, O, N, I});
    if (O != 1) v = transpose(v, {0, 2, 1, 3});
    v = reshape(v, Shape{B * N, O, I});
    Tensor ids = reshape(idx, Shape{B, N});
    if (B != 1) ids = add(ids, reshape(arange(0, B * A, A, idx.dtype()), Shape{B, 1}));
    Tensor r = reshape(unsorted_segment_sum(v, reshape(ids, Shape{B * N}), B * A), Shape{B, A, O, I});
    if (O != 1) r = transpose(r, {0, 2, 1, 3});
    return {reshape(r, xs), Tensor()};
  };
  return d;
}

NB_REGISTER_OP(kGatherNd) {
  OpDef d;
  d.name = "GatherNd";
  d.onnx_name = "GatherND";
  d.min_inputs = d.max_inputs = 2;
  d.half_via_float = false;
  d.infer = [](Inputs in, const Attrs&) -> std::vector<TensorSpec> {
    const Tensor &x = in[0], &idx = in[1];
    ops::check_dtype_in("GatherNd", 1, idx, kIndexTypes);
    NB_CHECK(idx.rank() >= 1, InvalidArgument, "indices must be at least a vector, got shape ",
             idx.shape().str());
    const int64_t k = idx.shape().back();
    NB_CHECK(k <= x.rank(), InvalidArgument, "index innermost dimension length must be <= params rank; saw: ",
             k, " vs. ", x.rank(), " (params shape ", x.shape().str(), ")");
    Shape out(idx.shape().begin(), idx.shape().end() - 1);
    append(out, x.shape().begin() + k, x.shape().end());
    return {{out, x.dtype()}};
  };
  // Scatter-add of dy at the gathered positions (ScatterNd; repeats add up).
  d.gradient = [](const GradContext& ctx) -> TensorList {
    if (!ctx.needs(0)) return {Tensor(), Tensor()};
    return {scatter_nd(ctx.inputs[1], ctx.output_grads[0], ctx.inputs[0].shape()), Tensor()};
  };
  return d;
}

NB_REGISTER_OP(kScatterNdUpdate) {
  OpDef d;
  d.name = "TensorScatterUpdate";
  d.onnx_name = "ScatterND";
  d.min_inputs = d.max_inputs = 3;
  d.half_via_float = false;
  d.infer = [](Inputs in, const Attrs&) -> std::vector<TensorSpec> {
    const Tensor &x = in[0], &idx = in[1], &upd = in[2];
    ops::check_dtype_in("TensorScatterUpdate", 1, idx, kIndexTypes);
    NB_CHECK(upd.dtype() == x.dtype(), InvalidArgument,
             "updates must have the dtype of the tensor (", dtype_name(x.dtype()), "), got ",
             dtype_name(upd.dtype()));
    NB_CHECK(idx.rank() >= 1, InvalidArgument, "indices must be at least a vector, got shape ",
             idx.shape().str());
    const int64_t k = idx.shape().back();
    NB_CHECK(k >= 1 && k <= x.rank(), InvalidArgument, "indices.shape[-1] must be in [1, ", x.rank(),
             "] (the tensor's rank), got ", k);
    Shape expect(idx.shape().begin(), idx.shape().end() - 1);
    append(expect, x.shape().begin() + k, x.shape().end());
    NB_CHECK(upd.shape() == expect, InvalidArgument, "updates must have shape indices.shape[:-1] + ",
             "tensor.shape[indices.shape[-1]:] = ", expect.str(), ", got ", upd.shape().str(),
             " (tensor ", x.shape().str(), ", indices ", idx.shape().str(), ")");
    return {{x.shape(), x.dtype()}};
  };
  // tensor: dy with the overwritten positions zeroed; updates: dy gathered
  // at the indices; indices: none.
  d.gradient = [](const GradContext& ctx) -> TensorList {
    const Tensor &idx = ctx.inputs[1], &g = ctx.output_grads[0];
    TensorList r(3);
    if (ctx.needs(0)) r[0] = scatter_nd_update(g, idx, zeros_like(ctx.inputs[2]));
    if (ctx.needs(2)) r[2] = gather_nd(g, idx);
    return r;
  };
  return d;
}

// ---- slice / reverse (views) ---------------------------------------------------

NB_REGISTER_OP(kSlice) {
  OpDef d;
  d.name = "Slice";
  d.onnx_name = "Slice";
  d.min_inputs = d.max_inputs = 1;
  d.attr_names = {"begin", "size"};
  d.is_view = true;
  d.half_via_float = false;
  d.compute = [](Inputs in, const Attrs& a) -> TensorList {
    const Tensor& x = in[0];
    const std::vector<int64_t> begin = int_list(a, "begin"), size = int_list(a, "size");
    NB_CHECK(int64_t(begin.size()) == x.rank() && int64_t(size.size()) == x.rank(), InvalidArgument,
             "Expected begin and size arguments to be vectors of length ", x.rank(),
             " (the input's rank), but got lengths ", begin.size(), " and ", size.size());
    Shape s = x.shape();
    int64_t offset = x.offset();
    for (size_t i = 0; i < begin.size(); ++i) {
      const int64_t n = x.shape()[i];
      NB_CHECK(begin[i] >= 0 && begin[i] <= n, InvalidArgument, "Expected begin[", i, "] in [0, ", n,
               "], but got ", begin[i]);
      const int64_t len = size[i] == -1 ? n - begin[i] : size[i];
      NB_CHECK(len >= 0 && begin[i] + len <= n, InvalidArgument, "Expected size[", i, "] in [0, ",
               n - begin[i], "], but got ", size[i]);
      s[i] = len;
      if (len > 0) offset += begin[i] * x.strides()[i];
    }
    return {Tensor::view_of(x, s, x.strides(), offset)};
  };
  // dy padded with zeros back to the input's shape.
  d.gradient = [](const GradContext& ctx) -> TensorList {
    const Tensor& x = ctx.inputs[0];
    const std::vector<int64_t> begin = int_list(ctx.attrs, "begin"), size = int_list(ctx.attrs, "size");
    std::vector<std::pair<int64_t, int64_t>> pads(begin.size());
    for (size_t i = 0; i < begin.size(); ++i) {
      const int64_t n = x.shape()[i], len = size[i] == -1 ? n - begin[i] : size[i];
      pads[i] = {begin[i], n - begin[i] - len};
    }
    return {pad(ctx.output_grads[0], pads)};
  };
  return d;
}

NB_REGISTER_OP(kReverse) {
  OpDef d;
  d.name = "ReverseV2";
  d.onnx_name = "";  // ONNX: Slice with negative steps
  d.min_inputs = d.max_inputs = 1;
  d.attr_names = {"axis"};
  d.is_view = true;
  d.half_via_float = false;
  d.compute = [](Inputs in, const Attrs& a) -> TensorList {
    const Tensor& x = in[0];
    std::vector<bool> flip(size_t(x.rank()), false);
    for (int64_t ax : int_list(a, "axis")) {
      const int64_t n = normalize_axis(ax, x.rank(), "ReverseV2");
      NB_CHECK(!flip[size_t(n)], InvalidArgument, "axis ", n, " specified more than once");
      flip[size_t(n)] = true;
    }
    Strides st = x.strides();
    int64_t offset = x.offset();
    for (size_t i = 0; i < flip.size(); ++i) {
      if (!flip[i] || x.shape()[i] == 0) continue;
      offset += (x.shape()[i] - 1) * st[i];
      st[i] = -st[i];
    }
    return {Tensor::view_of(x, x.shape(), st, offset)};
  };
  d.gradient = [](const GradContext& ctx) -> TensorList {
    return {reverse(ctx.output_grads[0], int_list(ctx.attrs, "axis"))};
  };
  return d;
}

std::vector<int64_t> flat_paddings(const std::vector<std::pair<int64_t, int64_t>>& p) {
  std::vector<int64_t> v;
  v.reserve(2 * p.size());
  for (auto [b, e] : p) {
    v.push_back(b);
    v.push_back(e);
  }
  return v;
}

}  // namespace

Tensor concat(const std::vector<Tensor>& xs, int64_t axis) {
  return call_op1(kConcat, Inputs(xs.data(), xs.size()), Attrs{{"axis", axis}});
}
Tensor stack(const std::vector<Tensor>& xs, int64_t axis) {
  return call_op1(kPack, Inputs(xs.data(), xs.size()), Attrs{{"axis", axis}});
}
std::vector<Tensor> split(const Tensor& x, int64_t num, int64_t axis) {
  return call_op(kSplit, Inputs(&x, 1), Attrs{{"num_split", num}, {"axis", axis}});
}
std::vector<Tensor> split(const Tensor& x, const std::vector<int64_t>& sizes, int64_t axis) {
  return call_op(kSplit, Inputs(&x, 1), Attrs{{"size_splits", sizes}, {"axis", axis}});
}
Tensor tile(const Tensor& x, const std::vector<int64_t>& multiples) {
  return call_op1(kTile, {x}, Attrs{{"multiples", multiples}});
}
Tensor pad(const Tensor& x, const std::vector<std::pair<int64_t, int64_t>>& paddings, PadMode mode,
           Scalar constant_value) {
  if (mode == PadMode::Constant) {
    Attrs attrs{{"paddings", flat_paddings(paddings)}};
    if (constant_value.is_floating()) attrs.set("constant_value", constant_value.to_double());
    else attrs.set("constant_value", constant_value.to_int());
    return call_op1(kPadV2, {x}, attrs);
  }
  return call_op1(kMirrorPad, {x},
                  Attrs{{"paddings", flat_paddings(paddings)},
                        {"mode", std::string(mode == PadMode::Reflect ? "REFLECT" : "SYMMETRIC")}});
}
Tensor gather(const Tensor& x, const Tensor& indices, int64_t axis, int64_t batch_dims) {
  return call_op1(kGather, {x, indices}, Attrs{{"axis", axis}, {"batch_dims", batch_dims}});
}
Tensor gather_nd(const Tensor& x, const Tensor& indices) { return call_op1(kGatherNd, {x, indices}); }
Tensor slice(const Tensor& x, const std::vector<int64_t>& begin, const std::vector<int64_t>& size) {
  return call_op1(kSlice, {x}, Attrs{{"begin", begin}, {"size", size}});
}
Tensor reverse(const Tensor& x, const std::vector<int64_t>& axes) {
  return call_op1(kReverse, {x}, Attrs{{"axis", axes}});
}
Tensor scatter_nd_update(const Tensor& x, const Tensor& indices, const Tensor& updates) {
  return call_op1(kScatterNdUpdate, {x, indices, updates});
}

}  // namespace nabla
