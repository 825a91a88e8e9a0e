// Scatter ops: UnsortedSegmentSum, ScatterNd, TensorScatterAdd (definitions,
// inference, gradients). The CPU kernels are in
// src/kernels/cpu/scatter_kernels.cpp: float32/float64/int32/int64, with
// float16/bfloat16 computed in float32.
#include "nabla/ops/scatter_ops.h"

#include "nabla/ops/creation.h"
#include "nabla/ops/elementwise.h"
#include "nabla/ops/shape_ops.h"
#include "ops/op_util.h"

namespace nabla {
namespace {

constexpr std::initializer_list<DType> kIndexTypes = {DType::int32, DType::int64};

// The shape updates must have: indices.shape[:-1] + shape[k:], k = indices.shape[-1].
// Checks indices' dtype and depth.
Shape expected_updates_shape(const char* op, int index_pos, const Tensor& idx, const Shape& shape) {
  ops::check_dtype_in(op, index_pos, idx, kIndexTypes);
  NB_CHECK(idx.rank() >= 1, InvalidArgument, op, ": indices must be at least a vector, got shape ",
           idx.shape().str());
  const int64_t k = idx.shape().back();
  NB_CHECK(k <= shape.rank(), InvalidArgument, op, ": indices.shape[-1] must be <= the rank of the output shape ",
           shape.str(), " (", shape.rank(), "), got ", k, " (indices shape ", idx.shape().str(), ")");
  Shape expect(idx.shape().begin(), idx.shape().end() - 1);
  for (size_t i = size_t(k); i < shape.size(); ++i) expect.push_back(shape[i]);
  return expect;
}

void check_updates(const char* op, const Tensor& upd, const Shape& expect, const Tensor& idx,
                   const Shape& shape) {
  NB_CHECK(upd.shape() == expect, InvalidArgument, op,
           ": updates must have shape indices.shape[:-1] + shape[indices.shape[-1]:] = ", expect.str(),
           ", got ", upd.shape().str(), " (indices ", idx.shape().str(), ", shape ", shape.str(), ")");
}

// TensorFlow's _GatherDropNegatives: g gathered at ids, with zero rows where
// an id is negative (those were dropped by the segment sum).
Tensor gather_drop_negatives(const Tensor& g, const Tensor& ids) {
  const Tensor zero = scalar_like(0, ids);
  Tensor gathered = gather(g, maximum(ids, zero));
  Shape mask_shape = ids.shape();
  for (int64_t i = 1; i < g.rank(); ++i) mask_shape.push_back(1);
  const Tensor keep = reshape(greater_equal(ids, zero), mask_shape);
  return where(keep, gathered, zeros_like(gathered));
}

NB_REGISTER_OP(kUnsortedSegmentSum) {
  OpDef d;
  d.name = "UnsortedSegmentSum";
  d.onnx_name = "";  // ONNX: ScatterElements with reduction "add" on zeros
  d.min_inputs = d.max_inputs = 2;
  d.attr_names = {"num_segments"};
  d.infer = [](Inputs in, const Attrs& a) -> std::vector<TensorSpec> {
    const Tensor &data = in[0], &ids = in[1];
    ops::check_dtype_in("UnsortedSegmentSum", 1, ids, kIndexTypes);
    const int64_t num = a.get<int64_t>("num_segments");
    NB_CHECK(num >= 0, InvalidArgument, "num_segments must be non-negative, got ", num);
    bool prefix = ids.rank() <= data.rank();
    for (int64_t i = 0; prefix && i < ids.rank(); ++i) prefix = ids.shape()[size_t(i)] == data.shape()[size_t(i)];
    NB_CHECK(prefix, InvalidArgument, "segment_ids.shape = ", ids.shape().str(),
             " must be a prefix of data.shape = ", data.shape().str());
    Shape out{num};
    for (size_t i = size_t(ids.rank()); i < data.shape().size(); ++i) out.push_back(data.shape()[i]);
    return {{out, data.dtype()}};
  };
  // data: dy gathered at the segment ids (zero where an id was dropped).
  d.gradient = [](const GradContext& ctx) -> TensorList {
    if (!ctx.needs(0)) return {Tensor(), Tensor()};
    return {gather_drop_negatives(ctx.output_grads[0], ctx.inputs[1]), Tensor()};
  };
  return d;
}

NB_REGISTER_OP(kScatterNd) {
  OpDef d;
  d.name = "ScatterNd";
  d.onnx_name = "";  // ONNX: ScatterND with reduction "add" on zeros
  d.min_inputs = d.max_inputs = 2;
  d.attr_names = {"shape"};
  d.kernel_dtype = [](Inputs in, const Attrs&) { return in[1].dtype(); };
  d.infer = [](Inputs in, const Attrs& a) -> std::vector<TensorSpec> {
    const Tensor &idx = in[0], &upd = in[1];
    const Shape shape(ops::int_list(a, "shape"));
    for (size_t i = 0; i < shape.size(); ++i)
      NB_CHECK(shape[i] >= 0, InvalidArgument, "ScatterNd: shape must be non-negative, got ", shape.str());
    check_updates("ScatterNd", upd, expected_updates_shape("ScatterNd", 0, idx, shape), idx, shape);
    return {{shape, upd.dtype()}};
  };
  // updates: dy gathered at the indices; indices: none.
  d.gradient = [](const GradContext& ctx) -> TensorList {
    if (!ctx.needs(1)) return {Tensor(), Tensor()};
    return {Tensor(), gather_nd(ctx.output_grads[0], ctx.inputs[0])};
  };
  return d;
}

NB_REGISTER_OP(kTensorScatterAdd) {
  OpDef d;
  d.name = "TensorScatterAdd";
  d.onnx_name = "ScatterND";  // reduction "add"
  d.min_inputs = d.max_inputs = 3;
  d.infer = [](Inputs in, const Attrs&) -> std::vector<TensorSpec> {
    const Tensor &x = in[0], &idx = in[1], &upd = in[2];
    NB_CHECK(upd.dtype() == x.dtype(), InvalidArgument,
             "TensorScatterAdd: updates must have the dtype of the tensor (", dtype_name(x.dtype()),
             "), got ", dtype_name(upd.dtype()));
    check_updates("TensorScatterAdd", upd, expected_updates_shape("TensorScatterAdd", 1, idx, x.shape()), idx,
                  x.shape());
    return {{x.shape(), x.dtype()}};
  };
  // tensor: dy; updates: dy gathered at the indices; indices: none.
  d.gradient = [](const GradContext& ctx) -> TensorList {
    const Tensor& g = ctx.output_grads[0];
    TensorList r(3);
    if (ctx.needs(0)) r[0] = g;
    if (ctx.needs(2)) r[2] = gather_nd(g, ctx.inputs[1]);
    return r;
  };
  return d;
}

}  // namespace

Tensor unsorted_segment_sum(const Tensor& data, const Tensor& segment_ids, int64_t num_segments) {
  return call_op1(kUnsortedSegmentSum, {data, segment_ids}, Attrs{{"num_segments", num_segments}});
}
Tensor scatter_nd(const Tensor& indices, const Tensor& updates, const Shape& shape) {
  return call_op1(kScatterNd, {indices, updates}, Attrs{{"shape", shape.vec()}});
}
Tensor tensor_scatter_nd_add(const Tensor& x, const Tensor& indices, const Tensor& updates) {
  return call_op1(kTensorScatterAdd, {x, indices, updates});
}

}  // namespace nabla
