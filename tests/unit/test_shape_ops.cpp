// Shape ops that copy or select data: concat, stack, split, tile, pad,
// gather, gather_nd, slice, reverse, scatter_nd_update. Values are checked
// against hand-computed results (many from the TensorFlow documentation) and
// against naive reference implementations written here, for every dtype.
#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <string>

#include <nabla/nabla.h>

namespace nb = nabla;

namespace {

using Idx = std::vector<int64_t>;

const std::vector<nb::DType> kAllDTypes = {nb::float16, nb::bfloat16, nb::float32, nb::float64, nb::int8,
                                           nb::int16,   nb::int32,    nb::int64,   nb::uint8,   nb::bool_};

std::vector<int32_t> vi(const nb::Tensor& t) { return t.to_vector<int32_t>(); }
std::vector<double> vd(const nb::Tensor& t) { return t.to_vector<double>(); }

// 0, 1, 2, ... (mod 7 so every dtype holds them; bool gets x != 0) in `shape`.
nb::Tensor ramp(const nb::Shape& shape, nb::DType dt, int64_t start = 0) {
  std::vector<int64_t> v(size_t(shape.num_elements()));
  for (size_t i = 0; i < v.size(); ++i) v[i] = (start + int64_t(i)) % 7 + (dt == nb::bool_ ? 0 : 1);
  return nb::constant(v, shape, dt);
}

// Calls f(idx) for every multi-index of `shape` in row-major order.
void for_each_index(const nb::Shape& shape, const std::function<void(const Idx&)>& f) {
  if (shape.num_elements() == 0) return;
  Idx idx(shape.size(), 0);
  for (int64_t n = 0; n < shape.num_elements(); ++n) {
    f(idx);
    for (size_t d = shape.size(); d-- > 0;) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

// Row-major flat position of idx in shape.
int64_t flat(const nb::Shape& shape, const Idx& idx) {
  int64_t f = 0;
  for (size_t d = 0; d < shape.size(); ++d) f = f * shape[d] + idx[d];
  return f;
}

// The exception message thrown by fn (empty when nothing is thrown).
template <typename E, typename F> std::string message_of(F&& fn) {
  try {
    fn();
  } catch (const E& e) {
    return e.what();
  }
  return "";
}

#define EXPECT_MSG(E, expr, substr) EXPECT_NE(message_of<E>([&] { (void)(expr); }).find(substr), std::string::npos) \
    << "message: " << message_of<E>([&] { (void)(expr); })

// ---- concat ----------------------------------------------------------------------

TEST(Concat, ValuesAlongEachAxis) {
  auto a = nb::constant({{1, 2, 3}, {4, 5, 6}});
  auto b = nb::constant({{7, 8, 9}, {10, 11, 12}});
  auto c0 = nb::concat({a, b}, 0);
  EXPECT_EQ(c0.shape(), (nb::Shape{4, 3}));
  EXPECT_EQ(vi(c0), (std::vector<int32_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}));
  auto c1 = nb::concat({a, b}, 1);
  EXPECT_EQ(c1.shape(), (nb::Shape{2, 6}));
  EXPECT_EQ(vi(c1), (std::vector<int32_t>{1, 2, 3, 7, 8, 9, 4, 5, 6, 10, 11, 12}));
  EXPECT_EQ(vi(nb::concat({a, b}, -1)), vi(c1));
  EXPECT_EQ(vi(nb::concat({a, b}, -2)), vi(c0));
}

TEST(Concat, TfDocumentedShape) {
  auto x = nb::constant({{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}});
  auto c = nb::concat({x, x, x}, 0);
  EXPECT_EQ(c.shape(), (nb::Shape{6, 3}));
  EXPECT_EQ(c.dtype(), nb::float32);
  EXPECT_EQ(nb::concat({x, x, x}, 1).shape(), (nb::Shape{2, 9}));
}

TEST(Concat, DifferentSizesAlongAxisAndEmptyParts) {
  auto a = nb::constant({1, 2});
  auto e = nb::zeros({0}, nb::int32);
  auto b = nb::constant({3, 4, 5});
  EXPECT_EQ(vi(nb::concat({a, e, b}, 0)), (std::vector<int32_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(vi(nb::concat({a}, 0)), (std::vector<int32_t>{1, 2}));
  auto m = nb::concat({nb::zeros({2, 0}, nb::int32), nb::zeros({2, 0}, nb::int32)}, 1);
  EXPECT_EQ(m.shape(), (nb::Shape{2, 0}));
}

TEST(Concat, AllDTypesMatchNaiveReference) {
  for (nb::DType dt : kAllDTypes) {
    for (int64_t axis : {0, 1, 2, -1}) {
      const int64_t ax = axis < 0 ? axis + 3 : axis;
      std::vector<nb::Tensor> xs;
      for (int i = 0; i < 3; ++i) {
        nb::Shape s{2, 3, 4};
        s[size_t(ax)] = i + 1;
        xs.push_back(ramp(s, dt, 5 * i));
      }
      auto out = nb::concat(xs, axis);
      ASSERT_EQ(out.dtype(), dt);
      const auto got = vd(out);
      for_each_index(out.shape(), [&](const Idx& idx) {
        Idx in = idx;
        size_t k = 0;
        while (in[size_t(ax)] >= xs[k].shape()[size_t(ax)]) in[size_t(ax)] -= xs[k++].shape()[size_t(ax)];
        EXPECT_EQ(got[size_t(flat(out.shape(), idx))], vd(xs[k])[size_t(flat(xs[k].shape(), in))])
            << nb::dtype_name(dt) << " axis " << axis;
      });
    }
  }
}

TEST(Concat, StridedAndReversedInputs) {
  auto base = nb::reshape(nb::arange(12), {3, 4});
  auto t = nb::transpose(base);                   // (4, 3), non-contiguous
  auto r = nb::reverse(nb::reshape(nb::arange(6), {2, 3}), {0, 1});  // negative strides
  auto c = nb::concat({t, r}, 0);
  EXPECT_EQ(c.shape(), (nb::Shape{6, 3}));
  EXPECT_EQ(vi(c), (std::vector<int32_t>{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11, 5, 4, 3, 2, 1, 0}));
  auto bc = nb::broadcast_to(nb::constant({1, 2, 3}), {2, 3});  // zero strides
  EXPECT_EQ(vi(nb::concat({bc, r}, 1)), (std::vector<int32_t>{1, 2, 3, 5, 4, 3, 1, 2, 3, 2, 1, 0}));
}

TEST(Concat, LargeInputsUseThePoolAndStayCorrect) {
  auto a = nb::reshape(nb::arange(0, 300000, 1, nb::int64), {300, 1000});
  auto b = nb::reshape(nb::arange(300000, 600000, 1, nb::int64), {300, 1000});
  auto c = nb::concat({a, b}, 1);
  const auto v = c.to_vector<int64_t>();
  EXPECT_EQ(v[0], 0);
  EXPECT_EQ(v[999], 999);
  EXPECT_EQ(v[1000], 300000);
  EXPECT_EQ(v[2000], 1000);
  EXPECT_EQ(v[599999], 599999);
}

TEST(Concat, Errors) {
  auto a = nb::constant({{1, 2, 3}, {4, 5, 6}});
  auto b = nb::constant({{1, 2}, {3, 4}});
  EXPECT_EQ(message_of<nb::InvalidArgument>([&] { nb::concat({a, b}, 0); }),
            "ConcatOp : Dimension 1 in both shapes must be equal: shape[0] = [2,3] vs. shape[1] = [2,2] "
            "[Op:ConcatV2]");
  EXPECT_NO_THROW(nb::concat({a, b}, 1));
  EXPECT_MSG(nb::InvalidArgument, nb::concat({a, nb::constant({1, 2, 3})}, 0),
             "Ranks of all input tensors should match: shape[0] = [2,3] vs. shape[1] = [3]");
  EXPECT_MSG(nb::InvalidArgument, nb::concat({a, nb::cast(a, nb::float32)}, 0), "input #1");
  EXPECT_MSG(nb::InvalidArgument, nb::concat({nb::constant(1), nb::constant(2)}, 0), "scalars");
  EXPECT_THROW(nb::concat({a, a}, 2), nb::InvalidArgument);
  EXPECT_THROW(nb::concat({a, a}, -3), nb::InvalidArgument);
  EXPECT_THROW(nb::concat({}, 0), nb::InvalidArgument);
  // The third input is the one named.
  EXPECT_MSG(nb::InvalidArgument, nb::concat({a, a, b}, 0), "shape[2] = [2,2]");
}

// ---- stack -----------------------------------------------------------------------

TEST(Stack, ValuesForEachAxis) {
  auto x = nb::constant({1, 4});
  auto y = nb::constant({2, 5});
  auto z = nb::constant({3, 6});
  auto s0 = nb::stack({x, y, z});
  EXPECT_EQ(s0.shape(), (nb::Shape{3, 2}));
  EXPECT_EQ(vi(s0), (std::vector<int32_t>{1, 4, 2, 5, 3, 6}));
  auto s1 = nb::stack({x, y, z}, 1);
  EXPECT_EQ(s1.shape(), (nb::Shape{2, 3}));
  EXPECT_EQ(vi(s1), (std::vector<int32_t>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(vi(nb::stack({x, y, z}, -1)), vi(s1));
  auto sc = nb::stack({nb::constant(1.5f), nb::constant(2.5f)});
  EXPECT_EQ(sc.shape(), (nb::Shape{2}));
  EXPECT_EQ(sc.to_vector<float>(), (std::vector<float>{1.5f, 2.5f}));
}

TEST(Stack, AllDTypesMatchNaiveReference) {
  for (nb::DType dt : kAllDTypes) {
    for (int64_t axis : {0, 1, 2, -2}) {
      std::vector<nb::Tensor> xs = {ramp({2, 3}, dt, 0), ramp({2, 3}, dt, 3), ramp({2, 3}, dt, 4),
                                    nb::transpose(ramp({3, 2}, dt, 1))};
      auto out = nb::stack(xs, axis);
      const int64_t ax = axis < 0 ? axis + 3 : axis;
      ASSERT_EQ(out.shape()[size_t(ax)], 4);
      const auto got = vd(out);
      for_each_index(out.shape(), [&](const Idx& idx) {
        Idx in = idx;
        const int64_t k = in[size_t(ax)];
        in.erase(in.begin() + ax);
        EXPECT_EQ(got[size_t(flat(out.shape(), idx))], vd(xs[size_t(k)])[size_t(flat({2, 3}, in))]);
      });
    }
  }
}

TEST(Stack, Errors) {
  auto a = nb::constant({1, 2});
  auto b = nb::constant({1, 2, 3});
  EXPECT_EQ(message_of<nb::InvalidArgument>([&] { nb::stack({a, b}); }),
            "Shapes of all inputs must match: values[0].shape = [2] != values[1].shape = [3] [Op:Pack]");
  EXPECT_THROW(nb::stack({a, a}, 2), nb::InvalidArgument);
  EXPECT_THROW(nb::stack({a, nb::cast(a, nb::int64)}), nb::InvalidArgument);
}

// ---- split -----------------------------------------------------------------------

TEST(Split, EqualPartsAreViews) {
  auto x = nb::reshape(nb::arange(12), {2, 6});
  auto parts = nb::split(x, 3, 1);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].shape(), (nb::Shape{2, 2}));
  EXPECT_EQ(vi(parts[0]), (std::vector<int32_t>{0, 1, 6, 7}));
  EXPECT_EQ(vi(parts[1]), (std::vector<int32_t>{2, 3, 8, 9}));
  EXPECT_EQ(vi(parts[2]), (std::vector<int32_t>{4, 5, 10, 11}));
  for (auto& p : parts) EXPECT_EQ(p.storage().get(), x.storage().get());
  auto rows = nb::split(x, 2);
  EXPECT_EQ(vi(rows[1]), (std::vector<int32_t>{6, 7, 8, 9, 10, 11}));
}

TEST(Split, SizesWithInferredPartAndNegativeAxis) {
  auto x = nb::reshape(nb::arange(20), {2, 10});
  auto parts = nb::split(x, std::vector<int64_t>{3, -1, 2}, -1);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].shape(), (nb::Shape{2, 3}));
  EXPECT_EQ(parts[1].shape(), (nb::Shape{2, 5}));
  EXPECT_EQ(parts[2].shape(), (nb::Shape{2, 2}));
  EXPECT_EQ(vi(parts[1]), (std::vector<int32_t>{3, 4, 5, 6, 7, 13, 14, 15, 16, 17}));
  EXPECT_EQ(vi(parts[2]), (std::vector<int32_t>{8, 9, 18, 19}));
  auto z = nb::split(x, std::vector<int64_t>{0, 10}, 1);
  EXPECT_EQ(z[0].shape(), (nb::Shape{2, 0}));
  EXPECT_EQ(vi(z[1]), vi(x));
}

TEST(Split, ConcatInvertsSplitForAllDTypes) {
  for (nb::DType dt : kAllDTypes) {
    auto x = ramp({3, 4, 5}, dt);
    auto parts = nb::split(x, std::vector<int64_t>{1, 3, 1}, 2);
    EXPECT_EQ(vd(nb::concat(parts, 2)), vd(x)) << nb::dtype_name(dt);
    auto halves = nb::split(nb::transpose(x), 5, 0);  // split of a strided view
    EXPECT_EQ(vd(nb::concat(halves, 0)), vd(nb::transpose(x))) << nb::dtype_name(dt);
  }
}

TEST(Split, Errors) {
  auto x = nb::reshape(nb::arange(10), {2, 5});
  EXPECT_EQ(message_of<nb::InvalidArgument>([&] { nb::split(x, 2, 1); }),
            "Number of ways to split should evenly divide the split dimension, but got split_dim 1 "
            "(size = 5) and num_split 2 [Op:SplitV]");
  EXPECT_MSG(nb::InvalidArgument, nb::split(x, std::vector<int64_t>{2, 2}, 1), "add up to 4");
  EXPECT_MSG(nb::InvalidArgument, nb::split(x, std::vector<int64_t>{-1, -1}, 1), "only be one -1");
  EXPECT_MSG(nb::InvalidArgument, nb::split(x, std::vector<int64_t>{6, -1}, 1), "more than the size 5");
  EXPECT_THROW(nb::split(x, 0, 1), nb::InvalidArgument);
  EXPECT_THROW(nb::split(x, 1, 2), nb::InvalidArgument);
  EXPECT_THROW(nb::split(nb::constant(1), 1, 0), nb::InvalidArgument);
}

// ---- tile ------------------------------------------------------------------------

TEST(Tile, TfDocumentedValues) {
  auto a = nb::constant({{1, 2, 3}, {4, 5, 6}});
  auto t = nb::tile(a, {1, 2});
  EXPECT_EQ(t.shape(), (nb::Shape{2, 6}));
  EXPECT_EQ(vi(t), (std::vector<int32_t>{1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6}));
  auto u = nb::tile(a, {2, 1});
  EXPECT_EQ(vi(u), (std::vector<int32_t>{1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6}));
  auto w = nb::tile(a, {2, 2});
  EXPECT_EQ(w.shape(), (nb::Shape{4, 6}));
  EXPECT_EQ(vi(w), (std::vector<int32_t>{1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6,
                                         1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6}));
}

nb::Tensor naive_tile_check(const nb::Tensor& x, const std::vector<int64_t>& m) {
  auto out = nb::tile(x, m);
  const auto got = vd(out), xv = vd(x);
  for_each_index(out.shape(), [&](const Idx& idx) {
    Idx in = idx;
    for (size_t d = 0; d < in.size(); ++d) in[d] %= x.shape()[d];
    EXPECT_EQ(got[size_t(flat(out.shape(), idx))], xv[size_t(flat(x.shape(), in))]);
  });
  return out;
}

TEST(Tile, AllDTypesAndStridedInputsMatchNaiveReference) {
  for (nb::DType dt : kAllDTypes) {
    auto out = naive_tile_check(ramp({2, 3, 2}, dt), {2, 1, 3});
    EXPECT_EQ(out.shape(), (nb::Shape{4, 3, 6}));
    EXPECT_EQ(out.dtype(), dt);
    naive_tile_check(nb::reverse(nb::transpose(ramp({3, 2}, dt)), {1}), {3, 2});
  }
}

TEST(Tile, ZeroMultiplesScalarsAndHighRank) {
  auto a = nb::constant({{1, 2}, {3, 4}});
  EXPECT_EQ(nb::tile(a, {0, 3}).shape(), (nb::Shape{0, 6}));
  EXPECT_EQ(nb::tile(nb::constant(5), {}).item<int32_t>(), 5);
  // Rank 9 with every axis tiled: 18 broadcast dims, beyond the iterator's 16.
  auto h = ramp({2, 1, 2, 1, 1, 2, 1, 1, 1}, nb::int16);
  auto out = naive_tile_check(h, {2, 2, 2, 2, 2, 2, 2, 2, 2});
  EXPECT_EQ(out.shape(), (nb::Shape{4, 2, 4, 2, 2, 4, 2, 2, 2}));
}

TEST(Tile, Errors) {
  auto a = nb::constant({{1, 2}, {3, 4}});
  EXPECT_EQ(message_of<nb::InvalidArgument>([&] { nb::tile(a, {2}); }),
            "Expected multiples argument to be a vector of length 2 but got length 1 [Op:Tile]");
  EXPECT_MSG(nb::InvalidArgument, nb::tile(a, {1, -1}), "multiples[1] >= 0");
}

// ---- pad -------------------------------------------------------------------------

TEST(Pad, TfDocumentedConstantReflectSymmetric) {
  auto t = nb::constant({{1, 2, 3}, {4, 5, 6}});
  const std::vector<std::pair<int64_t, int64_t>> p = {{1, 1}, {2, 2}};
  auto c = nb::pad(t, p);
  EXPECT_EQ(c.shape(), (nb::Shape{4, 7}));
  EXPECT_EQ(vi(c), (std::vector<int32_t>{0, 0, 0, 0, 0, 0, 0,  //
                                         0, 0, 1, 2, 3, 0, 0,  //
                                         0, 0, 4, 5, 6, 0, 0,  //
                                         0, 0, 0, 0, 0, 0, 0}));
  auto r = nb::pad(t, p, nb::PadMode::Reflect);
  EXPECT_EQ(vi(r), (std::vector<int32_t>{6, 5, 4, 5, 6, 5, 4,  //
                                         3, 2, 1, 2, 3, 2, 1,  //
                                         6, 5, 4, 5, 6, 5, 4,  //
                                         3, 2, 1, 2, 3, 2, 1}));
  auto s = nb::pad(t, p, nb::PadMode::Symmetric);
  EXPECT_EQ(vi(s), (std::vector<int32_t>{2, 1, 1, 2, 3, 3, 2,  //
                                         2, 1, 1, 2, 3, 3, 2,  //
                                         5, 4, 4, 5, 6, 6, 5,  //
                                         5, 4, 4, 5, 6, 6, 5}));
}

TEST(Pad, ConstantValuesPerDType) {
  auto f = nb::pad(nb::constant({1.f, 2.f}), {{1, 2}}, nb::PadMode::Constant, -1.5);
  EXPECT_EQ(f.to_vector<float>(), (std::vector<float>{-1.5f, 1.f, 2.f, -1.5f, -1.5f}));
  auto i64 = nb::pad(nb::constant(std::vector<int64_t>{7}, {1}), {{1, 0}}, nb::PadMode::Constant,
                     int64_t(1) << 40);
  EXPECT_EQ(i64.to_vector<int64_t>(), (std::vector<int64_t>{int64_t(1) << 40, 7}));
  auto b = nb::pad(nb::constant({false}), {{1, 1}}, nb::PadMode::Constant, true);
  EXPECT_EQ(b.to_vector<bool>(), (std::vector<bool>{true, false, true}));
  auto h = nb::pad(nb::constant({1.f}, nb::float16), {{0, 1}}, nb::PadMode::Constant, 0.5);
  EXPECT_EQ(h.dtype(), nb::float16);
  EXPECT_EQ(h.to_vector<float>(), (std::vector<float>{1.f, 0.5f}));
  auto z = nb::pad(nb::zeros({0, 2}), {{1, 0}, {0, 1}}, nb::PadMode::Constant, 3);
  EXPECT_EQ(z.shape(), (nb::Shape{1, 3}));
  EXPECT_EQ(z.to_vector<float>(), (std::vector<float>{3.f, 3.f, 3.f}));
}

// Independent mirror index: position i of a padded axis (before = b, size n).
int64_t mirror(int64_t i, int64_t b, int64_t n, bool reflect) {
  int64_t j = i - b;
  if (j < 0) j = reflect ? -j : -j - 1;
  if (j >= n) j = reflect ? 2 * (n - 1) - j : 2 * n - 1 - j;
  return j;
}

TEST(Pad, AllModesAllDTypesMatchNaiveReference) {
  std::mt19937 rng(7);
  for (nb::DType dt : kAllDTypes) {
    for (int mode = 0; mode < 3; ++mode) {
      const nb::Shape shape{3, 4, 2};
      std::vector<std::pair<int64_t, int64_t>> p;
      for (int64_t n : shape) {
        const int64_t hi = mode == 1 ? n - 1 : n;
        std::uniform_int_distribution<int64_t> d(0, hi);
        p.push_back({d(rng), d(rng)});
      }
      auto x = nb::transpose(ramp({2, 4, 3}, dt), {2, 1, 0});  // strided input of shape (3, 4, 2)
      auto out = nb::pad(x, p, nb::PadMode(mode), 3);
      const auto got = vd(out), xv = vd(x);
      const double cval = nb::constant(3, dt).item<double>();
      for_each_index(out.shape(), [&](const Idx& idx) {
        Idx in(3);
        bool inside = true;
        for (size_t d = 0; d < 3; ++d) {
          if (mode == 0) {
            in[d] = idx[d] - p[d].first;
            inside = inside && in[d] >= 0 && in[d] < shape[d];
          } else {
            in[d] = mirror(idx[d], p[d].first, shape[d], mode == 1);
          }
        }
        const double want = inside ? xv[size_t(flat(shape, in))] : cval;
        EXPECT_EQ(got[size_t(flat(out.shape(), idx))], want) << nb::dtype_name(dt) << " mode " << mode;
      });
    }
  }
}

TEST(Pad, Errors) {
  auto t = nb::constant({{1, 2, 3}, {4, 5, 6}});
  EXPECT_MSG(nb::InvalidArgument, nb::pad(t, {{2, 0}, {0, 0}}, nb::PadMode::Reflect),
             "paddings must be less than the dimension size in REFLECT mode: 2, 0 not less than 2");
  EXPECT_NO_THROW(nb::pad(t, {{2, 0}, {0, 0}}, nb::PadMode::Symmetric));
  EXPECT_MSG(nb::InvalidArgument, nb::pad(t, {{3, 0}, {0, 0}}, nb::PadMode::Symmetric),
             "no greater than the dimension size");
  EXPECT_MSG(nb::InvalidArgument, nb::pad(t, {{0, 0}}), "2 pairs");
  EXPECT_MSG(nb::InvalidArgument, nb::pad(t, {{0, -1}, {0, 0}}), "non-negative");
}

// ---- gather ----------------------------------------------------------------------

TEST(Gather, Axis0WithMatrixIndices) {
  auto params = nb::constant({10.f, 11.f, 12.f, 13.f, 14.f});
  auto g = nb::gather(params, nb::constant({3, 1, 1}));
  EXPECT_EQ(g.to_vector<float>(), (std::vector<float>{13.f, 11.f, 11.f}));
  auto m = nb::gather(params, nb::constant({{2, 0}, {4, 4}}));
  EXPECT_EQ(m.shape(), (nb::Shape{2, 2}));
  EXPECT_EQ(m.to_vector<float>(), (std::vector<float>{12.f, 10.f, 14.f, 14.f}));
  auto s = nb::gather(params, nb::constant(2));
  EXPECT_EQ(s.shape(), (nb::Shape{}));
  EXPECT_EQ(s.item<float>(), 12.f);
}

TEST(Gather, InnerAndNegativeAxes) {
  auto p = nb::constant({{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9, 10, 11}});
  auto rows = nb::gather(p, nb::constant({2, 0}));
  EXPECT_EQ(vi(rows), (std::vector<int32_t>{8, 9, 10, 11, 0, 1, 2, 3}));
  auto cols = nb::gather(p, nb::constant({3, 1}), 1);
  EXPECT_EQ(cols.shape(), (nb::Shape{3, 2}));
  EXPECT_EQ(vi(cols), (std::vector<int32_t>{3, 1, 7, 5, 11, 9}));
  EXPECT_EQ(vi(nb::gather(p, nb::constant({3, 1}), -1)), vi(cols));
  auto c2 = nb::gather(p, nb::constant(std::vector<int64_t>{0, 2, 2, 0}, {2, 2}), 1);
  EXPECT_EQ(c2.shape(), (nb::Shape{3, 2, 2}));
  EXPECT_EQ(vi(c2), (std::vector<int32_t>{0, 2, 2, 0, 4, 6, 6, 4, 8, 10, 10, 8}));
}

TEST(Gather, BatchDimsTfDocumented) {
  // tf.gather(params, indices, axis=1, batch_dims=1) picks per batch entry.
  auto params = nb::constant({{1, 2, 3}, {4, 5, 6}});
  auto indices = nb::constant({{2, 0}, {1, 1}});
  auto g = nb::gather(params, indices, 1, 1);
  EXPECT_EQ(g.shape(), (nb::Shape{2, 2}));
  EXPECT_EQ(vi(g), (std::vector<int32_t>{3, 1, 5, 5}));
  EXPECT_EQ(vi(nb::gather(params, indices, 1, -1)), vi(g));
}

TEST(Gather, RandomAxesBatchDimsAllDTypesMatchNaiveReference) {
  std::mt19937 rng(11);
  const nb::Shape xs{2, 3, 4, 2};
  for (nb::DType dt : kAllDTypes) {
    auto x = ramp(xs, dt);
    for (int64_t bd = 0; bd <= 2; ++bd) {
      for (int64_t axis = bd; axis < 4; ++axis) {
        nb::Shape is(xs.begin(), xs.begin() + bd);
        is.push_back(3);
        is.push_back(2);
        std::vector<int64_t> iv(size_t(is.num_elements()));
        std::uniform_int_distribution<int64_t> d(0, xs[size_t(axis)] - 1);
        for (auto& v : iv) v = d(rng);
        auto idx = nb::constant(iv, is, axis % 2 ? nb::int64 : nb::int32);
        auto out = nb::gather(x, idx, axis, bd);
        ASSERT_EQ(out.rank(), 4 - 1 + 2) << "bd " << bd << " axis " << axis;
        const auto got = vd(out), xv = vd(x);
        for_each_index(out.shape(), [&](const Idx& o) {
          // out = x[:axis] + idx[bd:] + x[axis+1:]
          Idx ii(o.begin(), o.begin() + bd);
          ii.insert(ii.end(), o.begin() + axis, o.begin() + axis + 2);
          Idx xi(o.begin(), o.begin() + axis);
          xi.push_back(iv[size_t(flat(is, ii))]);
          xi.insert(xi.end(), o.begin() + axis + 2, o.end());
          EXPECT_EQ(got[size_t(flat(out.shape(), o))], xv[size_t(flat(xs, xi))]);
        });
      }
    }
  }
}

TEST(Gather, OutOfRangeAndBadArguments) {
  auto p = nb::constant({1, 2, 3});
  EXPECT_EQ(message_of<nb::OutOfRange>([&] { nb::gather(p, nb::constant({0, 5})); }),
            "indices[1] = 5 is not in [0, 3) [Op:GatherV2]");
  EXPECT_EQ(message_of<nb::OutOfRange>([&] { nb::gather(p, nb::constant({{0, 1}, {-1, 2}})); }),
            "indices[1,0] = -1 is not in [0, 3) [Op:GatherV2]");
  EXPECT_MSG(nb::InvalidArgument, nb::gather(p, nb::constant({0.f})), "does not accept dtype float32");
  EXPECT_THROW(nb::gather(p, nb::constant({0}), 1), nb::InvalidArgument);
  auto m = nb::constant({{1, 2}, {3, 4}});
  EXPECT_MSG(nb::InvalidArgument, nb::gather(m, nb::constant({{0}, {1}}), 0, 1), "batch_dims (1) must be less");
  EXPECT_MSG(nb::InvalidArgument, nb::gather(m, nb::constant({{0}, {1}, {1}}), 1, 1),
             "should be equal to indices.shape[0]");
}

// ---- gather_nd -------------------------------------------------------------------

TEST(GatherNd, TfDocumentedExamples) {
  auto p = nb::constant({{1, 2}, {3, 4}});
  EXPECT_EQ(vi(nb::gather_nd(p, nb::constant({{0, 0}, {1, 1}}))), (std::vector<int32_t>{1, 4}));
  auto rows = nb::gather_nd(p, nb::constant({{1}, {0}}));
  EXPECT_EQ(rows.shape(), (nb::Shape{2, 2}));
  EXPECT_EQ(vi(rows), (std::vector<int32_t>{3, 4, 1, 2}));
  auto batched = nb::gather_nd(p, nb::constant({{{0, 1}}, {{1, 0}}}));
  EXPECT_EQ(batched.shape(), (nb::Shape{2, 1}));
  EXPECT_EQ(vi(batched), (std::vector<int32_t>{2, 3}));
  auto p3 = nb::reshape(nb::arange(8), {2, 2, 2});
  auto g = nb::gather_nd(p3, nb::constant(std::vector<int64_t>{1, 0}, {2}));
  EXPECT_EQ(g.shape(), (nb::Shape{2}));
  EXPECT_EQ(vi(g), (std::vector<int32_t>{4, 5}));
}

TEST(GatherNd, AllDTypesMatchNaiveReference) {
  for (nb::DType dt : kAllDTypes) {
    auto x = nb::transpose(ramp({3, 2, 4}, dt), {2, 0, 1});  // (4, 3, 2), strided
    const std::vector<int64_t> iv = {3, 2, 0, 0, 1, 1, 2, 0, 3, 1};
    auto out = nb::gather_nd(x, nb::constant(iv, {5, 2}));
    ASSERT_EQ(out.shape(), (nb::Shape{5, 2}));
    const auto got = vd(out), xv = vd(x);
    for (int64_t t = 0; t < 5; ++t)
      for (int64_t j = 0; j < 2; ++j)
        EXPECT_EQ(got[size_t(t * 2 + j)], xv[size_t(flat({4, 3, 2}, {iv[size_t(2 * t)], iv[size_t(2 * t + 1)], j}))]);
  }
}

TEST(GatherNd, Errors) {
  auto p = nb::constant({{1, 2}, {3, 4}});
  EXPECT_EQ(message_of<nb::OutOfRange>([&] { nb::gather_nd(p, nb::constant({{0, 1}, {2, 0}})); }),
            "indices[1] = [2, 0] does not index into param shape [2,2] [Op:GatherNd]");
  EXPECT_MSG(nb::InvalidArgument, nb::gather_nd(p, nb::constant({{0, 1, 0}})), "innermost dimension");
  EXPECT_THROW(nb::gather_nd(p, nb::constant({{0.f, 1.f}})), nb::InvalidArgument);
}

// ---- slice -----------------------------------------------------------------------

TEST(SliceOp, TfDocumentedValues) {
  auto t = nb::constant({{{1, 1, 1}, {2, 2, 2}}, {{3, 3, 3}, {4, 4, 4}}, {{5, 5, 5}, {6, 6, 6}}});
  auto a = nb::slice(t, {1, 0, 0}, {1, 1, 3});
  EXPECT_EQ(a.shape(), (nb::Shape{1, 1, 3}));
  EXPECT_EQ(vi(a), (std::vector<int32_t>{3, 3, 3}));
  auto b = nb::slice(t, {1, 0, 0}, {1, 2, 3});
  EXPECT_EQ(vi(b), (std::vector<int32_t>{3, 3, 3, 4, 4, 4}));
  auto c = nb::slice(t, {1, 0, 0}, {2, 1, 3});
  EXPECT_EQ(c.shape(), (nb::Shape{2, 1, 3}));
  EXPECT_EQ(vi(c), (std::vector<int32_t>{3, 3, 3, 5, 5, 5}));
}

TEST(SliceOp, IsAViewAndMinusOneTakesTheRest) {
  auto x = nb::reshape(nb::arange(20), {4, 5});
  auto s = nb::slice(x, {1, 2}, {-1, 2});
  EXPECT_EQ(s.shape(), (nb::Shape{3, 2}));
  EXPECT_EQ(vi(s), (std::vector<int32_t>{7, 8, 12, 13, 17, 18}));
  EXPECT_EQ(s.storage().get(), x.storage().get());
  auto e = nb::slice(x, {4, 0}, {-1, -1});
  EXPECT_EQ(e.shape(), (nb::Shape{0, 5}));
  // Slice of a transposed view.
  auto st = nb::slice(nb::transpose(x), {1, 1}, {2, 2});
  EXPECT_EQ(vi(st), (std::vector<int32_t>{6, 11, 7, 12}));
  for (nb::DType dt : kAllDTypes) {
    auto r = ramp({3, 4}, dt);
    auto v = nb::slice(r, {1, 1}, {2, 3});
    const auto rv = vd(r);
    EXPECT_EQ(vd(v), (std::vector<double>{rv[5], rv[6], rv[7], rv[9], rv[10], rv[11]})) << nb::dtype_name(dt);
  }
}

TEST(SliceOp, Errors) {
  auto x = nb::reshape(nb::arange(6), {2, 3});
  EXPECT_EQ(message_of<nb::InvalidArgument>([&] { nb::slice(x, {0, 4}, {1, 1}); }),
            "Expected begin[1] in [0, 3], but got 4 [Op:Slice]");
  EXPECT_MSG(nb::InvalidArgument, nb::slice(x, {1, 0}, {2, 1}), "Expected size[0] in [0, 1], but got 2");
  EXPECT_MSG(nb::InvalidArgument, nb::slice(x, {0}, {1}), "vectors of length 2");
  EXPECT_THROW(nb::slice(x, {-1, 0}, {1, 1}), nb::InvalidArgument);
}

// ---- reverse ---------------------------------------------------------------------

TEST(Reverse, ValuesAndNegativeStrideView) {
  auto x = nb::constant({{1, 2, 3}, {4, 5, 6}});
  auto r1 = nb::reverse(x, {1});
  EXPECT_EQ(vi(r1), (std::vector<int32_t>{3, 2, 1, 6, 5, 4}));
  EXPECT_EQ(r1.storage().get(), x.storage().get());
  EXPECT_LT(r1.strides()[1], 0);
  EXPECT_EQ(vi(nb::reverse(x, {-1})), vi(r1));
  EXPECT_EQ(vi(nb::reverse(x, {0})), (std::vector<int32_t>{4, 5, 6, 1, 2, 3}));
  EXPECT_EQ(vi(nb::reverse(x, {0, 1})), (std::vector<int32_t>{6, 5, 4, 3, 2, 1}));
  EXPECT_EQ(vi(nb::reverse(x, {})), vi(x));
  EXPECT_EQ(vi(nb::reverse(nb::reverse(x, {1}), {1})), vi(x));
  EXPECT_EQ(vi(nb::reverse(x, {1}).contiguous()), vi(r1));
  EXPECT_EQ(vi(x + nb::reverse(x, {1})), (std::vector<int32_t>{4, 4, 4, 10, 10, 10}));
}

TEST(Reverse, AllDTypes) {
  for (nb::DType dt : kAllDTypes) {
    auto x = ramp({2, 3, 4}, dt);
    auto r = nb::reverse(x, {0, 2});
    const auto got = vd(r), xv = vd(x);
    for_each_index(r.shape(), [&](const Idx& i) {
      EXPECT_EQ(got[size_t(flat(r.shape(), i))], xv[size_t(flat(x.shape(), {1 - i[0], i[1], 3 - i[2]}))]);
    });
  }
}

TEST(Reverse, Errors) {
  auto x = nb::constant({{1, 2}, {3, 4}});
  EXPECT_MSG(nb::InvalidArgument, nb::reverse(x, {0, -2}), "specified more than once");
  EXPECT_THROW(nb::reverse(x, {2}), nb::InvalidArgument);
}

// ---- scatter_nd_update -----------------------------------------------------------

TEST(ScatterNdUpdate, TfDocumentedExamples) {
  auto tensor = nb::zeros({8}, nb::int32);
  auto out = nb::scatter_nd_update(tensor, nb::constant({{4}, {3}, {1}, {7}}), nb::constant({9, 10, 11, 12}));
  EXPECT_EQ(vi(out), (std::vector<int32_t>{0, 11, 0, 10, 9, 0, 0, 12}));
  EXPECT_EQ(vi(tensor), (std::vector<int32_t>(8, 0)));  // input untouched
  EXPECT_NE(out.storage().get(), tensor.storage().get());
  // Slices: indices.shape[-1] = 1 < rank 3 replaces whole [4, 4] planes.
  auto t3 = nb::zeros({4, 4, 4}, nb::int32);
  auto plane = nb::constant({{5, 5, 5, 5}, {6, 6, 6, 6}, {7, 7, 7, 7}, {8, 8, 8, 8}});
  auto upd = nb::stack({plane, plane + 0});
  auto o3 = nb::scatter_nd_update(t3, nb::constant({{0}, {2}}), upd);
  const auto v = vi(o3);
  for (int p = 0; p < 4; ++p)
    for (int r = 0; r < 4; ++r)
      for (int c = 0; c < 4; ++c)
        EXPECT_EQ(v[size_t(p * 16 + r * 4 + c)], (p == 0 || p == 2) ? 5 + r : 0);
}

TEST(ScatterNdUpdate, ElementIndicesLastWinsAllDTypes) {
  for (nb::DType dt : kAllDTypes) {
    auto x = ramp({3, 2}, dt);
    auto idx = nb::constant(std::vector<int64_t>{2, 1, 0, 0, 2, 1}, {3, 2});
    auto u = ramp({3}, dt, 4);
    auto out = nb::scatter_nd_update(nb::transpose(nb::transpose(x)), idx, u);
    auto want = vd(x);
    const auto uv = vd(u);
    want[5] = uv[2];  // (2,1): the later update wins
    want[0] = uv[1];
    EXPECT_EQ(vd(out), want) << nb::dtype_name(dt);
    EXPECT_EQ(out.dtype(), dt);
  }
}

TEST(ScatterNdUpdate, Errors) {
  auto x = nb::zeros({4}, nb::float32);
  EXPECT_EQ(message_of<nb::OutOfRange>([&] {
              nb::scatter_nd_update(x, nb::constant({{1}, {5}}), nb::constant({1.f, 2.f}));
            }),
            "indices[1] = [5] does not index into shape [4] [Op:TensorScatterUpdate]");
  EXPECT_THROW(nb::scatter_nd_update(x, nb::constant({{-1}}), nb::constant({1.f})), nb::OutOfRange);
  EXPECT_MSG(nb::InvalidArgument, nb::scatter_nd_update(x, nb::constant({{1}}), nb::constant({1.f, 2.f})),
             "updates must have shape");
  EXPECT_MSG(nb::InvalidArgument, nb::scatter_nd_update(x, nb::constant({{1}}), nb::constant({1})),
             "updates must have the dtype");
  EXPECT_THROW(nb::scatter_nd_update(x, nb::constant({{1, 1}}), nb::constant({1.f})), nb::InvalidArgument);
}

TEST(ScatterNdUpdate, VariableUsesIt) {
  nb::Variable var({{1, 2, 3}, {4, 5, 6}});
  var.scatter_nd_update(nb::constant({{0, 0}, {1, 2}}), nb::constant({100, 200}));
  EXPECT_EQ(vi(var.value()), (std::vector<int32_t>{100, 2, 3, 4, 5, 200}));
}

// ---- hand-written values for bool and half types ---------------------------------------

TEST(ShapeOpsTypes, BoolAndHalfValuesByHand) {
  auto b1 = nb::constant({true, false});
  auto b2 = nb::constant({false, false, true});
  EXPECT_EQ(nb::concat({b1, b2}, 0).to_vector<bool>(), (std::vector<bool>{true, false, false, false, true}));
  EXPECT_EQ(nb::gather(b2, nb::constant({2, 2, 0})).to_vector<bool>(), (std::vector<bool>{true, true, false}));
  EXPECT_EQ(nb::reverse(b1, {0}).to_vector<bool>(), (std::vector<bool>{false, true}));
  auto h = nb::constant({0.5f, -1.25f, 3.f}, nb::float16);
  auto bf = nb::constant({0.5f, -1.25f, 3.f}, nb::bfloat16);
  for (const auto& t : {h, bf}) {
    auto st = nb::stack({t, nb::reverse(t, {0})});
    EXPECT_EQ(st.dtype(), t.dtype());
    EXPECT_EQ(st.to_vector<float>(), (std::vector<float>{0.5f, -1.25f, 3.f, 3.f, -1.25f, 0.5f}));
    EXPECT_EQ(nb::tile(t, {2}).to_vector<float>(), (std::vector<float>{0.5f, -1.25f, 3.f, 0.5f, -1.25f, 3.f}));
    EXPECT_EQ(nb::pad(t, {{1, 1}}, nb::PadMode::Reflect).to_vector<float>(),
              (std::vector<float>{-1.25f, 0.5f, -1.25f, 3.f, -1.25f}));
    EXPECT_EQ(nb::scatter_nd_update(t, nb::constant({{1}}), nb::constant({7.f}, t.dtype())).to_vector<float>(),
              (std::vector<float>{0.5f, 7.f, 3.f}));
  }
}

TEST(ShapeOpsTypes, StackManyInputsAndConcatManyInputs) {
  std::vector<nb::Tensor> xs;
  for (int i = 0; i < 50; ++i) xs.push_back(nb::constant({i, -i}));
  auto s = nb::stack(xs, 1);
  ASSERT_EQ(s.shape(), (nb::Shape{2, 50}));
  const auto v = vi(s);
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(v[size_t(i)], i);
    EXPECT_EQ(v[size_t(50 + i)], -i);
  }
  auto c = nb::concat(xs, 0);
  ASSERT_EQ(c.shape(), (nb::Shape{100}));
  EXPECT_EQ(vi(c)[99], -49);
}

// ---- larger inputs (parallel paths) and edge cases -----------------------------------

TEST(ShapeOpsLarge, GatherEmbeddingRowsMatchNaive) {
  const int64_t vocab = 1000, dim = 64;
  auto table = nb::reshape(nb::arange(0, vocab * dim, 1, nb::int32), {vocab, dim});
  std::mt19937 rng(3);
  std::uniform_int_distribution<int64_t> d(0, vocab - 1);
  std::vector<int64_t> ids(4096);
  for (auto& i : ids) i = d(rng);
  auto out = nb::gather(table, nb::constant(ids, {64, 64}));
  ASSERT_EQ(out.shape(), (nb::Shape{64, 64, dim}));
  const auto v = vi(out);
  for (size_t r = 0; r < ids.size(); r += 7)
    for (int64_t c = 0; c < dim; c += 9) ASSERT_EQ(v[r * size_t(dim) + size_t(c)], ids[r] * dim + c);
}

TEST(ShapeOpsLarge, TileAndPadLargeTensors) {
  auto x = nb::reshape(nb::arange(0, 200 * 300, 1, nb::int32), {200, 300});
  auto t = nb::tile(x, {3, 2});
  ASSERT_EQ(t.shape(), (nb::Shape{600, 600}));
  const auto tv = vi(t);
  for (int64_t i = 0; i < 600; i += 13)
    for (int64_t j = 0; j < 600; j += 11) ASSERT_EQ(tv[size_t(i * 600 + j)], (i % 200) * 300 + j % 300);
  auto p = nb::pad(x, {{5, 7}, {100, 3}}, nb::PadMode::Symmetric);
  ASSERT_EQ(p.shape(), (nb::Shape{212, 403}));
  const auto pv = vi(p);
  for (int64_t i = 0; i < 212; i += 5)
    for (int64_t j = 0; j < 403; j += 7)
      ASSERT_EQ(pv[size_t(i * 403 + j)], mirror(i, 5, 200, false) * 300 + mirror(j, 100, 300, false));
}

TEST(ShapeOpsEdge, EmptyIndicesAndWholeTensorGathers) {
  auto x = nb::reshape(nb::arange(6), {2, 3});
  auto g = nb::gather(x, nb::zeros({0}, nb::int32), 1);
  EXPECT_EQ(g.shape(), (nb::Shape{2, 0}));
  // gather_nd with index tuples of length 0 copies the whole tensor per tuple.
  auto w = nb::gather_nd(x, nb::zeros({2, 0}, nb::int64));
  EXPECT_EQ(w.shape(), (nb::Shape{2, 2, 3}));
  EXPECT_EQ(vi(w), (std::vector<int32_t>{0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5}));
  auto e = nb::scatter_nd_update(x, nb::zeros({0, 1}, nb::int32), nb::zeros({0, 3}, nb::int32));
  EXPECT_EQ(vi(e), vi(x));
  EXPECT_EQ(vi(nb::pad(x, {{0, 0}, {0, 0}})), vi(x));
  EXPECT_EQ(nb::pad(nb::constant(4), {}).item<int32_t>(), 4);
  auto one = nb::split(x, 1, 0);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(vi(one[0]), vi(x));
}

TEST(ShapeOpsEdge, CopyingOpsReturnFreshStorage) {
  auto x = nb::constant({1, 2, 3});
  EXPECT_NE(nb::concat({x}, 0).storage().get(), x.storage().get());
  EXPECT_NE(nb::tile(x, {1}).storage().get(), x.storage().get());
  EXPECT_NE(nb::gather(x, nb::constant({0, 1, 2})).storage().get(), x.storage().get());
  EXPECT_EQ(nb::slice(x, {0}, {-1}).storage().get(), x.storage().get());
}

TEST(ShapeOpsEdge, SliceOfReversedAndScatterWithStridedUpdates) {
  auto x = nb::reshape(nb::arange(12), {3, 4});
  auto r = nb::reverse(x, {1});
  EXPECT_EQ(vi(nb::slice(r, {1, 1}, {2, 2})), (std::vector<int32_t>{6, 5, 10, 9}));
  auto upd = nb::transpose(nb::constant({{100, 200}, {101, 201}, {102, 202}, {103, 203}}));  // (2, 4)
  auto out = nb::scatter_nd_update(x, nb::constant({{2}, {0}}), upd);
  EXPECT_EQ(vi(out), (std::vector<int32_t>{200, 201, 202, 203, 4, 5, 6, 7, 100, 101, 102, 103}));
}

TEST(ShapeOpsRegistry, CallOpThroughTheRegistry) {
  // The path taken by graph execution and ONNX import: op by name + attributes.
  auto a = nb::constant({1, 2});
  auto b = nb::constant({3});
  std::vector<nb::Tensor> in = {a, b};
  auto c = nb::call_op1(*nb::find_op("ConcatV2"), in, nb::Attrs{{"axis", int64_t(0)}});
  EXPECT_EQ(vi(c), (std::vector<int32_t>{1, 2, 3}));
  std::vector<nb::Tensor> one = {c};
  auto parts = nb::call_op(*nb::find_op("SplitV"), one,
                           nb::Attrs{{"size_splits", std::vector<int64_t>{1, 2}}, {"axis", int64_t(0)}});
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(vi(parts[1]), (std::vector<int32_t>{2, 3}));
  try {
    nb::call_op1(*nb::find_op("GatherV2"), std::vector<nb::Tensor>{a, nb::constant({2})},
                 nb::Attrs{{"axis", int64_t(0)}});
    FAIL() << "expected OutOfRange";
  } catch (const nb::OutOfRange& e) {
    EXPECT_STREQ(e.what(), "indices[0] = 2 is not in [0, 2) [Op:GatherV2]");
  }
}

// ---- registry entries and documented TF reshape/indexing results ----------------------

TEST(ShapeOpsRegistry, EntriesMoveBytesForEveryDType) {
  for (const char* name : {"ConcatV2", "Pack", "Tile", "PadV2", "MirrorPad", "GatherV2", "GatherNd",
                           "TensorScatterUpdate"}) {
    const nb::OpDef* op = nb::find_op(name);
    ASSERT_NE(op, nullptr) << name;
    EXPECT_FALSE(op->half_via_float) << name;
    EXPECT_EQ(op->kernel_dtypes(nb::DeviceType::CPU).size(), size_t(nb::kNumDTypes)) << name;
  }
  for (const char* name : {"SplitV", "Slice", "ReverseV2"}) {
    const nb::OpDef* op = nb::find_op(name);
    ASSERT_NE(op, nullptr) << name;
    EXPECT_TRUE(op->is_view) << name;
  }
  EXPECT_EQ(nb::find_op("ConcatV2")->onnx_name, "Concat");
  EXPECT_EQ(nb::find_op("GatherNd")->onnx_name, "GatherND");
  EXPECT_EQ(nb::find_op("TensorScatterUpdate")->onnx_name, "ScatterND");
}

TEST(ShapeOpsTf, ArangeReshapeAndIndex) {
  auto t = nb::reshape(nb::arange(30), {3, 2, 5});
  EXPECT_EQ(vi(t[":, :, 4"]), (std::vector<int32_t>{4, 9, 14, 19, 24, 29}));
  EXPECT_EQ(t[":, :, 4"].shape(), (nb::Shape{3, 2}));
  EXPECT_EQ(nb::reshape(t, {-1}).shape(), (nb::Shape{30}));
  EXPECT_EQ(nb::reshape(t, {6, 5}).shape(), (nb::Shape{6, 5}));
  EXPECT_EQ(nb::reshape(t, {3, -1}).shape(), (nb::Shape{3, 10}));
}

}  // namespace
