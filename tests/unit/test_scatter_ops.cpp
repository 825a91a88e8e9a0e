// Scatter ops (unsorted_segment_sum, scatter_nd, tensor_scatter_nd_add) and
// the StridedSliceGrad op: forward values hand-computed (several from the
// TensorFlow documentation) for every kernel dtype, error types and messages,
// thread-count independence. Then gradients of the shape and scatter ops
// beyond the registry-wide cases of test_gradient_check.cpp: edge cases
// against finite differences, and every gradient function differentiated
// again with respect to its upstream gradient.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include <nabla/nabla.h>

#include "unit/gradient_check.h"

namespace nb = nabla;
namespace gc = nabla::gradcheck;

namespace {

using Ints = std::vector<int64_t>;
using nb::Attrs;
using nb::Shape;
using nb::Tensor;
using nb::TensorList;

const std::vector<nb::DType> kScatterDTypes = {nb::float32, nb::float64, nb::int32,
                                               nb::int64,   nb::float16, nb::bfloat16};

Tensor i64(const Ints& v, const Shape& s) { return nb::detail::make_from_int64s(v, s, nb::int64); }
Tensor i32(const Ints& v, const Shape& s) { return nb::detail::make_from_int64s(v, s, nb::int32); }
Tensor of(const Ints& v, const Shape& s, nb::DType dt) { return nb::detail::make_from_int64s(v, s, dt); }
std::vector<double> vd(const Tensor& t) { return t.to_vector<double>(); }
std::vector<double> dl(const Ints& v) { return std::vector<double>(v.begin(), v.end()); }

template <typename E, typename F> std::string message_of(F&& fn) {
  try {
    fn();
  } catch (const E& e) {
    return e.what();
  }
  return "";
}
#define EXPECT_MSG(E, expr, substr)                                                    \
  EXPECT_NE(message_of<E>([&] { (void)(expr); }).find(substr), std::string::npos)      \
      << "message: " << message_of<E>([&] { (void)(expr); })

// Uniform values in [-1, 1] (float64).
Tensor rnd(std::mt19937_64& r, const Shape& s) {
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::vector<double> v(size_t(s.num_elements()));
  for (double& x : v) x = u(r);
  return nb::constant(v, s);
}

// ---- UnsortedSegmentSum ---------------------------------------------------------------

TEST(UnsortedSegmentSum, TensorFlowExampleEveryDType) {
  for (nb::DType dt : kScatterDTypes) {
    const Tensor c = of({1, 2, 3, 4, 5, 6, 7, 8, 4, 3, 2, 1}, {3, 4}, dt);
    const Tensor r = nb::unsorted_segment_sum(c, i32({0, 1, 0}, {3}), 2);
    EXPECT_EQ(r.dtype(), dt) << nb::dtype_name(dt);
    EXPECT_EQ(r.shape(), Shape({2, 4}));
    EXPECT_EQ(vd(r), dl({5, 5, 5, 5, 5, 6, 7, 8})) << nb::dtype_name(dt);
  }
}

TEST(UnsortedSegmentSum, MultiDimIdsEmptySegmentsAndDroppedNegatives) {
  // data [2,3,2], ids [2,3] -> out [4,2]; segment 3 gets nothing; id -1 dropped.
  const Tensor data = of({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, {2, 3, 2}, nb::float64);
  const Tensor r = nb::unsorted_segment_sum(data, i64({2, 0, 2, -1, 1, 0}, {2, 3}), 4);
  EXPECT_EQ(r.shape(), Shape({4, 2}));
  EXPECT_EQ(vd(r), dl({3 + 11, 4 + 12, 9, 10, 1 + 5, 2 + 6, 0, 0}));
  // ids with data's full shape: a scalar per element.
  const Tensor s = nb::unsorted_segment_sum(of({1, 2, 3, 4}, {2, 2}, nb::int32), i32({1, 1, 0, 1}, {2, 2}), 3);
  EXPECT_EQ(s.shape(), Shape({3}));
  EXPECT_EQ(vd(s), dl({3, 7, 0}));
}

TEST(UnsortedSegmentSum, EmptyInputs) {
  const Tensor r = nb::unsorted_segment_sum(nb::zeros({0, 3}), i64({}, {0}), 2);
  EXPECT_EQ(r.shape(), Shape({2, 3}));
  EXPECT_EQ(vd(r), std::vector<double>(6, 0.0));
  EXPECT_EQ(nb::unsorted_segment_sum(nb::zeros({0}), i64({}, {0}), 0).shape(), Shape({0}));
}

TEST(UnsortedSegmentSum, Errors) {
  const Tensor data = nb::ones({3, 2});
  EXPECT_MSG(nb::OutOfRange, nb::unsorted_segment_sum(data, i64({0, 5, 1}, {3}), 2),
             "segment_ids[1] = 5 is out of range [0, 2)");
  EXPECT_MSG(nb::InvalidArgument, nb::unsorted_segment_sum(data, i64({0, 1}, {2}), 2),
             "segment_ids.shape = [2] must be a prefix of data.shape = [3,2]");
  EXPECT_MSG(nb::InvalidArgument, nb::unsorted_segment_sum(data, nb::zeros({3}), 2), "int32");
  EXPECT_MSG(nb::InvalidArgument, nb::unsorted_segment_sum(data, i64({0, 1, 1}, {3}), -1),
             "num_segments must be non-negative, got -1");
  EXPECT_THROW(nb::unsorted_segment_sum(of({1, 0, 1}, {3}, nb::bool_), i64({0, 1, 1}, {3}), 2),
               nb::Unimplemented);
}

// Many duplicates, odd sizes: the same bits with 1 and 4 threads.
TEST(UnsortedSegmentSum, ResultDoesNotDependOnThreadCount) {
  std::mt19937_64 r(7);
  const Tensor data = nb::cast(rnd(r, {3000, 301}), nb::float32);
  std::uniform_int_distribution<int64_t> u(-1, 9);
  Ints ids(3000);
  for (auto& v : ids) v = u(r);
  Ints rows(3000);  // ScatterNd row indices in [0, 5)
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = (ids[i] + 1) % 5;
  const int saved = nb::get_num_threads();
  nb::set_num_threads(1);
  const std::vector<float> one = nb::unsorted_segment_sum(data, i64(ids, {3000}), 10).to_vector<float>();
  const std::vector<float> sn = nb::scatter_nd(i64(rows, {3000, 1}), data, Shape{5, 301}).to_vector<float>();
  nb::set_num_threads(4);
  const std::vector<float> four = nb::unsorted_segment_sum(data, i64(ids, {3000}), 10).to_vector<float>();
  const std::vector<float> sn4 = nb::scatter_nd(i64(rows, {3000, 1}), data, Shape{5, 301}).to_vector<float>();
  nb::set_num_threads(saved);
  EXPECT_EQ(one, four);
  EXPECT_EQ(sn, sn4);
}

// ---- ScatterNd / TensorScatterAdd --------------------------------------------------------

TEST(ScatterNd, TensorFlowExamplesEveryDType) {
  for (nb::DType dt : kScatterDTypes) {
    const Tensor r = nb::scatter_nd(i64({4, 3, 1, 7}, {4, 1}), of({9, 10, 11, 12}, {4}, dt), Shape{8});
    EXPECT_EQ(r.dtype(), dt);
    EXPECT_EQ(vd(r), dl({0, 11, 0, 10, 9, 0, 0, 12})) << nb::dtype_name(dt);
  }
  // Slices: rows 0 and 2 of a [3,2,2] tensor.
  const Tensor s = nb::scatter_nd(i32({0, 2}, {2, 1}), of({1, 2, 3, 4, 5, 6, 7, 8}, {2, 2, 2}, nb::float32),
                                  Shape{3, 2, 2});
  EXPECT_EQ(vd(s), dl({1, 2, 3, 4, 0, 0, 0, 0, 5, 6, 7, 8}));
}

TEST(ScatterNd, DuplicatesAddAndFullIndexTuples) {
  const Tensor r = nb::scatter_nd(i64({0, 1, 2, 2, 0, 1}, {3, 2}), of({5, 7, 1}, {3}, nb::int32), Shape{3, 3});
  EXPECT_EQ(vd(r), dl({0, 6, 0, 0, 0, 0, 0, 0, 7}));
  // k = 0: every update is the whole tensor.
  const Tensor w = nb::scatter_nd(i64({}, {2, 0}), of({1, 2, 10, 20}, {2, 2}, nb::float64), Shape{2});
  EXPECT_EQ(vd(w), dl({11, 22}));
  EXPECT_EQ(vd(nb::scatter_nd(i64({}, {0, 1}), nb::zeros({0}), Shape{3})), dl({0, 0, 0}));
}

TEST(ScatterNd, Errors) {
  EXPECT_MSG(nb::OutOfRange, nb::scatter_nd(i64({1, 8}, {2, 1}), nb::ones({2}), Shape{8}),
             "indices[1] = [8] does not index into shape [8]");
  EXPECT_MSG(nb::OutOfRange, nb::scatter_nd(i64({-1}, {1, 1}), nb::ones({1}), Shape{8}), "[-1]");
  EXPECT_MSG(nb::InvalidArgument, nb::scatter_nd(i64({1, 2}, {2, 1}), nb::ones({3}), Shape{8}),
             "updates must have shape indices.shape[:-1] + shape[indices.shape[-1]:] = [2], got [3]");
  EXPECT_MSG(nb::InvalidArgument, nb::scatter_nd(i64({1, 2}, {1, 2}), nb::ones({1}), Shape{8}),
             "indices.shape[-1] must be <= the rank of the output shape [8] (1), got 2");
  EXPECT_MSG(nb::InvalidArgument, nb::scatter_nd(i64({1}, {1}), nb::ones({}), Shape{-2}),
             "shape must be non-negative");
  EXPECT_MSG(nb::InvalidArgument, nb::scatter_nd(nb::ones({1, 1}), nb::ones({1}), Shape{8}), "int32");
  EXPECT_MSG(nb::InvalidArgument, nb::scatter_nd(i64({1}, {}), nb::ones({}), Shape{8}),
             "indices must be at least a vector");
}

TEST(TensorScatterAdd, ValuesDuplicatesAndErrors) {
  for (nb::DType dt : kScatterDTypes) {
    const Tensor x = of({1, 1, 1, 1, 1, 1, 1, 1}, {8}, dt);
    const Tensor r = nb::tensor_scatter_nd_add(x, i64({4, 3, 1, 7, 4}, {5, 1}), of({9, 10, 11, 12, 2}, {5}, dt));
    EXPECT_EQ(vd(r), dl({1, 12, 1, 11, 12, 1, 1, 13})) << nb::dtype_name(dt);
  }
  // Row updates on a non-contiguous tensor.
  const Tensor x = nb::transpose(of({1, 2, 3, 4, 5, 6}, {2, 3}, nb::float64));  // [[1,4],[2,5],[3,6]]
  const Tensor r = nb::tensor_scatter_nd_add(x, i32({2, 0}, {2, 1}), of({10, 20, 30, 40}, {2, 2}, nb::float64));
  EXPECT_EQ(vd(r), dl({31, 44, 2, 5, 13, 26}));
  EXPECT_MSG(nb::InvalidArgument,
             nb::tensor_scatter_nd_add(nb::ones({4}), i64({1}, {1, 1}), nb::ones({1}, nb::float64)),
             "updates must have the dtype of the tensor (float32), got float64");
  EXPECT_MSG(nb::OutOfRange, nb::tensor_scatter_nd_add(nb::ones({4}), i64({4}, {1, 1}), nb::ones({1})),
             "indices[0] = [4] does not index into shape [4]");
  EXPECT_MSG(nb::InvalidArgument, nb::tensor_scatter_nd_add(nb::ones({4, 2}), i64({1}, {1, 1}), nb::ones({1})),
             "got [1]");
}

// ---- StridedSliceGrad -------------------------------------------------------------------

Attrs slice_attrs(Ints b, Ints e, Ints s, int64_t bm = 0, int64_t em = 0, int64_t elm = 0, int64_t nm = 0,
                  int64_t sm = 0) {
  return Attrs{{"begin", b},          {"end", e},           {"strides", s},      {"begin_mask", bm},
               {"end_mask", em},      {"ellipsis_mask", elm}, {"new_axis_mask", nm}, {"shrink_axis_mask", sm}};
}

TEST(StridedSliceGrad, WritesIntoTheSlicedView) {
  const nb::OpDef& op = *nb::find_op("StridedSliceGrad");
  Attrs a = slice_attrs({0}, {0}, {-2}, 1, 1);  // x[::-2] of a [5] tensor
  a.set("shape", Ints{5});
  EXPECT_EQ(vd(nb::call_op1(op, {of({1, 2, 3}, {3}, nb::int32)}, a)), dl({3, 0, 2, 0, 1}));
  // x[1, None, ::2] of [3,4]: shrink, new axis, step.
  Attrs b = slice_attrs({1, 0, 0}, {2, 0, 0}, {1, 1, 2}, 6, 6, 0, 2, 1);
  b.set("shape", Ints{3, 4});
  EXPECT_EQ(vd(nb::call_op1(op, {of({7, 8}, {1, 2}, nb::float64)}, b)), dl({0, 0, 0, 0, 7, 0, 8, 0, 0, 0, 0, 0}));
  EXPECT_MSG(nb::InvalidArgument, nb::call_op1(op, {nb::ones({2})}, a),
             "dy must have the shape of the slice, [3], got [2]");
}

// ---- gradients through the tape (hand-computed) --------------------------------------------

TEST(ShapeOpGradients, GatherRepeatsAccumulate) {
  const Tensor x = nb::constant(std::vector<double>{1, 2, 3, 4}, Shape{4});
  nb::GradientTape tape;
  tape.watch(x);
  const Tensor y = nb::gather(x, i32({0, 0, 2, 0}, {4}));
  EXPECT_EQ(vd(tape.gradient(y, x)), std::vector<double>({3, 0, 1, 0}));
}

TEST(ShapeOpGradients, MirrorPadFoldsBorders) {
  const Tensor x = nb::constant(std::vector<double>{1, 2, 3}, Shape{3});
  {
    nb::GradientTape tape;
    tape.watch(x);
    const Tensor y = nb::pad(x, {{2, 1}}, nb::PadMode::Reflect);  // [3,2,1,2,3,2]
    EXPECT_EQ(vd(tape.gradient(y, x)), std::vector<double>({1, 3, 2}));
  }
  {
    nb::GradientTape tape;
    tape.watch(x);
    const Tensor y = nb::pad(x, {{3, 2}}, nb::PadMode::Symmetric);  // [3,2,1,1,2,3,3,2]
    EXPECT_EQ(vd(tape.gradient(y, x)), std::vector<double>({2, 3, 3}));
  }
}

// ---- finite differences: edge cases --------------------------------------------------------

struct GradCase {
  std::string name;
  std::string op;
  TensorList inputs;
  Attrs attrs;
  int num_grads = 1;  // for VJP cases: how many trailing inputs are upstream gradients
};

std::vector<GradCase> edge_cases() {
  std::mt19937_64 r(42);
  auto mp = [](Ints p, const char* mode) { return Attrs{{"paddings", p}, {"mode", std::string(mode)}}; };
  auto ga = [](int64_t axis, int64_t bd) { return Attrs{{"axis", axis}, {"batch_dims", bd}}; };
  std::vector<GradCase> v;
  v.push_back({"Tile with a zero multiple", "Tile", {rnd(r, {2, 3})}, Attrs{{"multiples", Ints{0, 2}}}});
  v.push_back({"Tile rank 3", "Tile", {rnd(r, {2, 1, 3})}, Attrs{{"multiples", Ints{2, 3, 2}}}});
  v.push_back({"MirrorPad REFLECT max", "MirrorPad", {rnd(r, {3, 4, 2})}, mp({2, 2, 3, 1, 1, 1}, "REFLECT")});
  v.push_back({"MirrorPad SYMMETRIC max", "MirrorPad", {rnd(r, {3, 2, 2})}, mp({3, 3, 0, 2, 2, 1}, "SYMMETRIC")});
  v.push_back({"GatherV2 [2,3,4,2] axis=2 bd=1", "GatherV2",
               {rnd(r, {2, 3, 4, 2}), i64({3, 3, 0, 1, 1, 2, 2, 2, 0, 3}, {2, 5})}, ga(2, 1)});
  v.push_back({"GatherV2 [2,3,4] axis=2 bd=2", "GatherV2",
               {rnd(r, {2, 3, 4}), i32({3, 3, 0, 1, 1, 2, 2, 2, 0, 3, 3, 3}, {2, 3, 2})}, ga(2, 2)});
  v.push_back({"GatherV2 empty indices", "GatherV2", {rnd(r, {3, 2}), i64({}, {0})}, ga(0, 0)});
  v.push_back({"GatherNd k=0", "GatherNd", {rnd(r, {2, 3}), i64({}, {3, 0})}, Attrs{}});
  v.push_back({"UnsortedSegmentSum dropped ids", "UnsortedSegmentSum",
               {rnd(r, {5, 2}), i64({-1, 2, 2, -3, 0}, {5})}, Attrs{{"num_segments", int64_t(3)}}});
  v.push_back({"StridedSlice new axis, ellipsis, shrink", "StridedSlice", {rnd(r, {3, 4, 5})},
               slice_attrs({0, 0, -1, 4}, {0, 0, 0, 0}, {1, 1, 1, -2}, 0, 8, 2, 1, 4)});
  v.push_back({"StridedSlice masks, negative steps", "StridedSlice", {rnd(r, {6, 5})},
               slice_attrs({-2, 0}, {0, -6}, {-3, -1}, 2, 1)});
  v.push_back({"StridedSlice empty", "StridedSlice", {rnd(r, {4})}, slice_attrs({3}, {1}, {1})});
  v.push_back({"SplitV sizes with zero", "SplitV", {rnd(r, {2, 5})},
               Attrs{{"size_splits", Ints{2, 0, 3}}, {"axis", int64_t(1)}}});
  v.push_back({"Slice size -1", "Slice", {rnd(r, {3, 4, 2})},
               Attrs{{"begin", Ints{1, 2, 0}}, {"size", Ints{-1, 2, -1}}}});
  v.push_back({"Transpose negative perm", "Transpose", {rnd(r, {2, 3, 4})}, Attrs{{"perm", Ints{-1, 0, -2}}}});
  v.push_back({"TensorScatterUpdate slices", "TensorScatterUpdate",
               {rnd(r, {4, 3}), i64({3, 0}, {2, 1}), rnd(r, {2, 3})}, Attrs{}});
  v.push_back({"ScatterNd k=0", "ScatterNd", {i64({}, {2, 0}), rnd(r, {2, 3})}, Attrs{{"shape", Ints{3}}}});
  return v;
}

TEST(ShapeOpGradients, EdgeCasesMatchFiniteDifferences) {
  for (const GradCase& c : edge_cases()) {
    const nb::OpDef* op = nb::find_op(c.op);
    ASSERT_NE(op, nullptr) << c.op;
    EXPECT_TRUE(gc::check_gradient(c.op + " [" + c.name + "]", gc::op_fn(*op, c.attrs), c.inputs));
  }
}

// ---- gradients of the gradient functions ------------------------------------------------------

// The VJP of `op` as a function of its inputs followed by the upstream
// gradients (one per output); returns the defined input gradients.
gc::Fn vjp_fn(const nb::OpDef& op, Attrs attrs, size_t num_inputs) {
  return [&op, attrs, num_inputs](const TensorList& in) -> TensorList {
    const nb::Inputs xs(in.data(), num_inputs);
    const TensorList outs = nb::call_op(op, xs, attrs);
    const nb::Inputs gs(in.data() + num_inputs, in.size() - num_inputs);
    const TensorList r = op.gradient(nb::GradContext{xs, outs, gs, attrs});
    TensorList defined;
    for (const Tensor& t : r)
      if (t.defined()) defined.push_back(t);
    return defined;
  };
}

// Each gradient is linear in the upstream gradient dy: its gradient with
// respect to dy (through the ops it is written with) must match finite
// differences. This differentiates every op used inside the gradient.
TEST(ShapeOpGradients, GradientFunctionsAreDifferentiable) {
  std::mt19937_64 r(3);
  auto mp = [](Ints p, const char* mode) { return Attrs{{"paddings", p}, {"mode", std::string(mode)}}; };
  auto ga = [](int64_t axis, int64_t bd) { return Attrs{{"axis", axis}, {"batch_dims", bd}}; };
  std::vector<GradCase> cases = edge_cases();
  cases.push_back({"ConcatV2", "ConcatV2", {rnd(r, {2, 3}), rnd(r, {2, 1})}, Attrs{{"axis", int64_t(1)}}});
  cases.push_back({"Pack", "Pack", {rnd(r, {2, 3}), rnd(r, {2, 3})}, Attrs{{"axis", int64_t(1)}}});
  cases.push_back({"SplitV", "SplitV", {rnd(r, {6, 2})}, Attrs{{"num_split", int64_t(3)}, {"axis", int64_t(0)}}});
  cases.push_back({"PadV2", "PadV2", {rnd(r, {2, 3})}, Attrs{{"paddings", Ints{1, 0, 2, 1}}, {"constant_value", 0.0}}});
  cases.push_back({"MirrorPad REFLECT", "MirrorPad", {rnd(r, {3, 4})}, mp({1, 2, 2, 1}, "REFLECT")});
  cases.push_back({"GatherV2 axis=1", "GatherV2", {rnd(r, {3, 4}), i64({3, 0, 3}, {3})}, ga(1, 0)});
  cases.push_back({"GatherNd", "GatherNd", {rnd(r, {4, 3}), i64({0, 1, 3, 2, 0, 1}, {3, 2})}, Attrs{}});
  cases.push_back({"TensorScatterAdd", "TensorScatterAdd", {rnd(r, {5, 3}), i64({1, 3, 1}, {3, 1}), rnd(r, {3, 3})},
                   Attrs{}});
  cases.push_back({"ReverseV2", "ReverseV2", {rnd(r, {2, 3})}, Attrs{{"axis", Ints{0, 1}}}});
  cases.push_back({"BroadcastTo", "BroadcastTo", {rnd(r, {2, 1})}, Attrs{{"shape", Ints{3, 2, 4}}}});
  cases.push_back({"Reshape", "Reshape", {rnd(r, {2, 3})}, Attrs{{"shape", Ints{3, 2}}}});
  cases.push_back({"ExpandDims", "ExpandDims", {rnd(r, {2, 3})}, Attrs{{"axis", int64_t(1)}}});
  cases.push_back({"Squeeze", "Squeeze", {rnd(r, {2, 1, 3})}, Attrs{{"axes", Ints{}}}});
  cases.push_back({"Identity", "Identity", {rnd(r, {3})}, Attrs{}});
  Attrs sg = slice_attrs({1, 0}, {5, 0}, {2, -1}, 2, 2);  // x[1:5:2, ::-1]
  sg.set("shape", Ints{6, 4});
  cases.push_back({"StridedSliceGrad", "StridedSliceGrad", {rnd(r, {2, 4})}, sg});
  for (GradCase c : cases) {
    const nb::OpDef* op = nb::find_op(c.op);
    ASSERT_NE(op, nullptr) << c.op;
    const size_t n = c.inputs.size();
    const TensorList outs = nb::call_op(*op, nb::Inputs(c.inputs.data(), n), c.attrs);
    gc::CheckOptions opt;
    opt.diff.assign(n, false);
    for (const Tensor& o : outs) {
      c.inputs.push_back(rnd(r, o.shape()));
      opt.diff.push_back(true);
    }
    EXPECT_TRUE(gc::check_gradient(c.op + " VJP [" + c.name + "]", vjp_fn(*op, c.attrs, n), c.inputs, opt));
  }
}

}  // namespace
