// Shape ops that return views: reshape, transpose, expand_dims, squeeze,
// broadcast_to, strided_slice (behind indexing), identity; and
// StridedSliceGrad, the (copying) gradient of strided_slice. Every op here
// has its gradient, written with registry ops.
#include <algorithm>

#include "autodiff/grad_util.h"
#include "nabla/ops/shape_ops.h"
#include "ops/op_util.h"
#include "ops/strided_slice.h"

namespace nabla {
namespace {

using ops::int_list;

Shape resolve_reshape(const Shape& in, const std::vector<int64_t>& req) {
  Shape out(req);
  int64_t known = 1, infer_at = -1;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == -1) {
      NB_CHECK(infer_at < 0, InvalidArgument, "only one input size may be -1, not both ", infer_at,
               " and ", i);
      infer_at = int64_t(i);
    } else {
      NB_CHECK(out[i] >= 0, InvalidArgument, "size ", i, " must be non-negative, not ", out[i]);
      known *= out[i];
    }
  }
  const int64_t n = in.num_elements();
  if (infer_at >= 0) {
    NB_CHECK(known != 0 && n % known == 0, InvalidArgument, "Input to reshape is a tensor with ", n,
             " values, but the requested shape requires a multiple of ", known);
    out[size_t(infer_at)] = n / known;
  } else {
    NB_CHECK(known == n, InvalidArgument, "Input to reshape is a tensor with ", n,
             " values, but the requested shape has ", known);
  }
  return out;
}

NB_REGISTER_OP(kReshape) {
  OpDef d;
  d.name = "Reshape";
  d.onnx_name = "Reshape";
  d.min_inputs = d.max_inputs = 1;
  d.attr_names = {"shape"};
  d.is_view = true;
  d.compute = [](Inputs in, const Attrs& a) -> TensorList {
    const Shape s = resolve_reshape(in[0].shape(), int_list(a, "shape"));
    const Tensor c = in[0].contiguous();
    return {Tensor::view_of(c, s, contiguous_strides(s), c.offset())};
  };
  // The gradient has the input's shape again.
  d.gradient = [](const GradContext& ctx) -> TensorList {
    return {reshape(ctx.output_grads[0], ctx.inputs[0].shape())};
  };
  return d;
}

NB_REGISTER_OP(kTranspose) {
  OpDef d;
  d.name = "Transpose";
  d.onnx_name = "Transpose";
  d.min_inputs = d.max_inputs = 1;
  d.attr_names = {"perm"};
  d.is_view = true;
  d.compute = [](Inputs in, const Attrs& a) -> TensorList {
    const Tensor& x = in[0];
    std::vector<int64_t> perm = int_list(a, "perm");
    const int64_t r = x.rank();
    NB_CHECK(int64_t(perm.size()) == r, InvalidArgument, "transpose expects a permutation of ", r,
             " axes, got ", ops::list_str(perm));
    std::vector<bool> seen(size_t(r), false);
    Shape s;
    Strides st;
    for (int64_t p : perm) {
      NB_CHECK(p >= -r && p < r, InvalidArgument, "transpose: axis ", p, " out of range for rank ", r);
      const int64_t q = p < 0 ? p + r : p;
      NB_CHECK(!seen[size_t(q)], InvalidArgument, "transpose: ", ops::list_str(perm),
               " is not a permutation (axis ", q, " repeats)");
      seen[size_t(q)] = true;
      s.push_back(x.shape()[size_t(q)]);
      st.push_back(x.strides()[size_t(q)]);
    }
    return {Tensor::view_of(x, s, st, x.offset())};
  };
  // Transpose back with the inverse permutation.
  d.gradient = [](const GradContext& ctx) -> TensorList {
    const std::vector<int64_t> perm = int_list(ctx.attrs, "perm");
    const int64_t r = int64_t(perm.size());
    std::vector<int64_t> inv(perm.size());
    for (int64_t i = 0; i < r; ++i) {
      const int64_t p = perm[size_t(i)];
      inv[size_t(p < 0 ? p + r : p)] = i;
    }
    return {transpose(ctx.output_grads[0], inv)};
  };
  return d;
}

NB_REGISTER_OP(kExpandDims) {
  OpDef d;
  d.name = "ExpandDims";
  d.onnx_name = "Unsqueeze";
  d.min_inputs = d.max_inputs = 1;
  d.attr_names = {"axis"};
  d.is_view = true;
  d.compute = [](Inputs in, const Attrs& a) -> TensorList {
    const Tensor& x = in[0];
    const int64_t axis = normalize_axis(a.get<int64_t>("axis"), x.rank() + 1, "ExpandDims");
    Shape s = x.shape();
    Strides st = x.strides();
    const int64_t stride = axis < x.rank() ? st[size_t(axis)] * s[size_t(axis)] : 1;
    s.insert(s.begin() + axis, 1);
    st.insert(st.begin() + axis, stride);
    return {Tensor::view_of(x, s, st, x.offset())};
  };
  // The gradient has the input's shape again.
  d.gradient = [](const GradContext& ctx) -> TensorList {
    return {reshape(ctx.output_grads[0], ctx.inputs[0].shape())};
  };
  return d;
}

NB_REGISTER_OP(kSqueeze) {
  OpDef d;
  d.name = "Squeeze";
  d.onnx_name = "Squeeze";
  d.min_inputs = d.max_inputs = 1;
  d.attr_names = {"axes"};
  d.is_view = true;
  d.compute = [](Inputs in, const Attrs& a) -> TensorList {
    const Tensor& x = in[0];
    const std::vector<int64_t> req = int_list(a, "axes");
    std::vector<bool> drop(size_t(x.rank()), false);
    if (req.empty()) {
      for (int64_t i = 0; i < x.rank(); ++i) drop[size_t(i)] = x.shape()[size_t(i)] == 1;
    } else {
      for (int64_t ax : req) {
        const int64_t n = normalize_axis(ax, x.rank(), "Squeeze");
        NB_CHECK(x.shape()[size_t(n)] == 1, InvalidArgument, "Can not squeeze dim[", n,
                 "], expected a dimension of 1, got ", x.shape()[size_t(n)]);
        drop[size_t(n)] = true;
      }
    }
    Shape s;
    Strides st;
    for (int64_t i = 0; i < x.rank(); ++i)
      if (!drop[size_t(i)]) { s.push_back(x.shape()[size_t(i)]); st.push_back(x.strides()[size_t(i)]); }
    return {Tensor::view_of(x, s, st, x.offset())};
  };
  // The gradient has the input's shape again.
  d.gradient = [](const GradContext& ctx) -> TensorList {
    return {reshape(ctx.output_grads[0], ctx.inputs[0].shape())};
  };
  return d;
}

NB_REGISTER_OP(kBroadcastTo) {
  OpDef d;
  d.name = "BroadcastTo";
  d.onnx_name = "Expand";
  d.min_inputs = d.max_inputs = 1;
  d.attr_names = {"shape"};
  d.is_view = true;
  d.compute = [](Inputs in, const Attrs& a) -> TensorList {
    const Tensor& x = in[0];
    const Shape target(int_list(a, "shape"));
    const Shape b = broadcast_shapes(x.shape(), target, nullptr);
    NB_CHECK(b == target, InvalidArgument, "Unable to broadcast tensor of shape ", x.shape().str(),
             " to tensor of shape ", target.str());
    Strides st(target.size(), 0);
    const size_t lead = target.size() - x.shape().size();
    for (size_t i = 0; i < x.shape().size(); ++i)
      st[lead + i] = x.shape()[i] == 1 && target[lead + i] != 1 ? 0 : x.strides()[i];
    return {Tensor::view_of(x, target, st, x.offset())};
  };
  // Sum over the broadcast axes.
  d.gradient = [](const GradContext& ctx) -> TensorList {
    return {grad::unbroadcast(ctx.output_grads[0], ctx.inputs[0].shape())};
  };
  return d;
}

// NumPy/TF slice bounds for one dimension. Returns (start, length).
std::pair<int64_t, int64_t> slice_dim(int64_t n, int64_t b, int64_t e, int64_t step, bool bmask, bool emask) {
  if (step > 0) {
    int64_t start = bmask ? 0 : (b < 0 ? b + n : b);
    int64_t stop = emask ? n : (e < 0 ? e + n : e);
    start = std::clamp<int64_t>(start, 0, n);
    stop = std::clamp<int64_t>(stop, 0, n);
    const int64_t len = stop > start ? (stop - start + step - 1) / step : 0;
    return {start, len};
  }
  int64_t start = bmask ? n - 1 : (b < 0 ? b + n : b);
  int64_t stop = emask ? -1 : (e < 0 ? e + n : e);
  start = std::clamp<int64_t>(start, -1, n - 1);
  stop = std::clamp<int64_t>(stop, -1, n - 1);
  const int64_t len = start > stop ? (start - stop + (-step) - 1) / (-step) : 0;
  return {start, len};
}

}  // namespace

namespace ops {

StridedView strided_slice_view(const Shape& xshape, const Strides& xstrides, int64_t xoffset,
                               const Attrs& a) {
  const auto begin = int_list(a, "begin"), end = int_list(a, "end"), strides = int_list(a, "strides");
  const int64_t bm = a.get_or<int64_t>("begin_mask", 0), em = a.get_or<int64_t>("end_mask", 0),
                elm = a.get_or<int64_t>("ellipsis_mask", 0), nm = a.get_or<int64_t>("new_axis_mask", 0),
                sm = a.get_or<int64_t>("shrink_axis_mask", 0);
  const size_t n = begin.size();
  const int64_t rank = int64_t(xshape.size());
  NB_CHECK(end.size() == n && strides.size() == n, InvalidArgument,
           "begin, end and strides must have the same length, got ", n, ", ", end.size(), " and ",
           strides.size());
  NB_CHECK(n <= 63, InvalidArgument, "strided_slice supports at most 63 index entries, got ", n);
  int ellipses = 0;
  int64_t consuming = 0;
  for (size_t i = 0; i < n; ++i) {
    const int64_t bit = int64_t(1) << i;
    if (elm & bit) ++ellipses;
    else if (!(nm & bit)) ++consuming;
  }
  NB_CHECK(ellipses <= 1, InvalidArgument, "an index can only have a single ellipsis ('...')");
  NB_CHECK(consuming <= rank, InvalidArgument, "too many indices for a tensor of rank ", rank, ": ",
           consuming, " were given");
  StridedView v{Shape{}, Strides{}, xoffset};
  int64_t dim = 0;
  auto full_dim = [&](int64_t dd) {
    v.shape.push_back(xshape[size_t(dd)]);
    v.strides.push_back(xstrides[size_t(dd)]);
  };
  for (size_t i = 0; i < n; ++i) {
    const int64_t bit = int64_t(1) << i;
    if (elm & bit) {
      const int64_t span = rank - consuming;
      for (int64_t k = 0; k < span; ++k) full_dim(dim++);
      continue;
    }
    if (nm & bit) {
      v.shape.push_back(1);
      v.strides.push_back(0);
      continue;
    }
    const int64_t size = xshape[size_t(dim)];
    const int64_t stride = xstrides[size_t(dim)];
    if (sm & bit) {
      const int64_t idx = begin[i];
      NB_CHECK(idx >= -size && idx < size, OutOfRange, "index ", idx,
               " is out of bounds for dimension ", dim, " with size ", size);
      v.offset += (idx < 0 ? idx + size : idx) * stride;
    } else {
      NB_CHECK(strides[i] != 0, InvalidArgument, "slice step cannot be zero (dimension ", dim, ")");
      auto [start, len] = slice_dim(size, begin[i], end[i], strides[i], bm & bit, em & bit);
      if (len > 0) v.offset += start * stride;
      v.shape.push_back(len);
      v.strides.push_back(stride * strides[i]);
    }
    ++dim;
  }
  while (dim < rank) full_dim(dim++);
  return v;
}

}  // namespace ops

namespace {

// The StridedSlice attributes of `a` (drops StridedSliceGrad's "shape").
Attrs strided_slice_attrs(const Attrs& a) {
  Attrs r;
  for (const auto& [k, v] : a.items())
    if (k != "shape") r.set(k, v);
  return r;
}

NB_REGISTER_OP(kStridedSlice) {
  OpDef d;
  d.name = "StridedSlice";
  d.onnx_name = "Slice";
  d.min_inputs = d.max_inputs = 1;
  d.attr_names = {"begin", "end", "strides", "begin_mask", "end_mask", "ellipsis_mask",
                  "new_axis_mask", "shrink_axis_mask"};
  d.is_view = true;
  d.compute = [](Inputs in, const Attrs& a) -> TensorList {
    const Tensor& x = in[0];
    const ops::StridedView v = ops::strided_slice_view(x.shape(), x.strides(), x.offset(), a);
    return {Tensor::view_of(x, v.shape, v.strides, v.offset)};
  };
  // dx: dy written into the sliced view of zeros (StridedSliceGrad).
  d.gradient = [](const GradContext& ctx) -> TensorList {
    Attrs a = strided_slice_attrs(ctx.attrs);
    a.set("shape", ctx.inputs[0].shape().vec());
    return {call_op1(*find_op("StridedSliceGrad"), {ctx.output_grads[0]}, a)};
  };
  return d;
}

// The gradient of StridedSlice: a tensor of attribute `shape` that is zero
// except for the strided view selected by the other attributes, which holds
// the input dy (shaped like the StridedSlice output). Linear in dy; its own
// gradient is the StridedSlice of the incoming gradient.
NB_REGISTER_OP(kStridedSliceGrad) {
  OpDef d;
  d.name = "StridedSliceGrad";
  d.min_inputs = d.max_inputs = 1;
  d.attr_names = {"shape",    "begin",         "end",           "strides",         "begin_mask",
                  "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask"};
  d.half_via_float = false;  // moves bytes only
  d.infer = [](Inputs in, const Attrs& a) -> std::vector<TensorSpec> {
    const Shape shape(int_list(a, "shape"));
    for (size_t i = 0; i < shape.size(); ++i)
      NB_CHECK(shape[i] >= 0, InvalidArgument, "StridedSliceGrad: shape ", shape.str(),
               " has a negative dimension ", i);
    const ops::StridedView v = ops::strided_slice_view(shape, contiguous_strides(shape), 0, a);
    NB_CHECK(in[0].shape() == v.shape, InvalidArgument,
             "StridedSliceGrad: dy must have the shape of the slice, ", v.shape.str(), ", got ",
             in[0].shape().str(), " (input shape ", shape.str(), ")");
    return {{shape, in[0].dtype()}};
  };
  d.gradient = [](const GradContext& ctx) -> TensorList {
    return {call_op1(kStridedSlice, {ctx.output_grads[0]}, strided_slice_attrs(ctx.attrs))};
  };
  return d;
}

NB_REGISTER_OP(kIdentity) {
  OpDef d;
  d.name = "Identity";
  d.onnx_name = "Identity";
  d.min_inputs = d.max_inputs = 1;
  d.is_view = true;
  d.compute = [](Inputs in, const Attrs&) -> TensorList {
    const Tensor& x = in[0];
    return {Tensor::view_of(x, x.shape(), x.strides(), x.offset())};
  };
  d.gradient = [](const GradContext& ctx) -> TensorList { return {ctx.output_grads[0]}; };
  return d;
}

}  // namespace

Tensor reshape(const Tensor& x, const Shape& shape) {
  return call_op1(kReshape, {x}, Attrs{{"shape", shape.vec()}});
}
Tensor transpose(const Tensor& x, const std::vector<int64_t>& perm) {
  std::vector<int64_t> p = perm;
  if (p.empty() && x.defined())
    for (int64_t i = x.rank() - 1; i >= 0; --i) p.push_back(i);
  return call_op1(kTranspose, {x}, Attrs{{"perm", p}});
}
Tensor permute(const Tensor& x, const std::vector<int64_t>& perm) {
  NB_CHECK(!perm.empty() || (x.defined() && x.rank() == 0), InvalidArgument,
           "permute needs an explicit permutation");
  return call_op1(kTranspose, {x}, Attrs{{"perm", perm}});
}
Tensor expand_dims(const Tensor& x, int64_t axis) {
  return call_op1(kExpandDims, {x}, Attrs{{"axis", axis}});
}
Tensor squeeze(const Tensor& x, const std::vector<int64_t>& axes) {
  return call_op1(kSqueeze, {x}, Attrs{{"axes", axes}});
}
Tensor broadcast_to(const Tensor& x, const Shape& shape) {
  return call_op1(kBroadcastTo, {x}, Attrs{{"shape", shape.vec()}});
}
Tensor strided_slice(const Tensor& x, const std::vector<int64_t>& begin, const std::vector<int64_t>& end,
                     const std::vector<int64_t>& strides, StridedSliceOptions o) {
  return call_op1(kStridedSlice, {x},
                  Attrs{{"begin", begin}, {"end", end}, {"strides", strides},
                        {"begin_mask", o.begin_mask}, {"end_mask", o.end_mask},
                        {"ellipsis_mask", o.ellipsis_mask}, {"new_axis_mask", o.new_axis_mask},
                        {"shrink_axis_mask", o.shrink_axis_mask}});
}
Tensor identity(const Tensor& x) { return call_op1(kIdentity, {x}); }

}  // namespace nabla
