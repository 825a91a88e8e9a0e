// The results TensorFlow documents (and prints) for the course examples,
// reproduced exactly by nabla. One test per example in the list.
#include <gtest/gtest.h>

#include <nabla/nabla.h>

namespace nb = nabla;

namespace {

template <typename T> std::vector<T> v(const nb::Tensor& t) { return t.to_vector<T>(); }
std::vector<int32_t> vi(const nb::Tensor& t) { return t.to_vector<int32_t>(); }

TEST(TfExamples, AddMultiplyMatmul) {
  auto a = nb::constant({{1, 2}, {3, 4}});
  auto b = nb::constant({{5, 6}, {8, 9}});
  EXPECT_EQ(vi(a + b), (std::vector<int32_t>{6, 8, 11, 13}));
  EXPECT_EQ((a + b).str(), "nb.Tensor(\n[[ 6  8]\n [11 13]], shape=(2, 2), dtype=int32)");
  EXPECT_EQ(vi(nb::multiply(a, b)), (std::vector<int32_t>{5, 12, 24, 36}));
  auto m = nb::matmul(nb::cast(a, nb::float32), nb::constant({{1.f}, {1.f}}));
  EXPECT_EQ(m.shape(), (nb::Shape{2, 1}));
  EXPECT_EQ(v<float>(m), (std::vector<float>{3.f, 7.f}));
}

TEST(TfExamples, BroadcastScalarAndIncompatibleShapes) {
  EXPECT_EQ(vi(nb::constant({1, 2}) + 1), (std::vector<int32_t>{2, 3}));
  try {
    nb::constant({1, 2}) + nb::constant({2, 3, 1});
    FAIL();
  } catch (const nb::InvalidArgument& e) {
    EXPECT_STREQ(e.what(), "Incompatible shapes: [2] vs. [3] [Op:Add]");
  }
}

TEST(TfExamples, NoImplicitPromotion) {
  try {
    nb::constant({1.f}) + nb::constant({1});
    FAIL();
  } catch (const nb::InvalidArgument& e) {
    EXPECT_STREQ(e.what(),
                 "cannot compute Add as input #1(zero-based) was expected to be a float32 tensor but "
                 "is a int32 tensor [Op:Add]");
  }
  EXPECT_THROW(nb::constant({1.f}) + nb::constant({1.0}, nb::float64), nb::InvalidArgument);
}

TEST(TfExamples, Casts) {
  EXPECT_EQ(vi(nb::cast(nb::constant({{1.f, 2.f}, {3.f, -4.f}}), nb::int32)), (std::vector<int32_t>{1, 2, 3, -4}));
  EXPECT_EQ(vi(nb::cast(nb::constant({true, false, true}), nb::int32)), (std::vector<int32_t>{1, 0, 1}));
  EXPECT_EQ((2.0f + nb::cast(nb::constant(40.0, nb::float64), nb::float32)).item<float>(), 42.f);
}

TEST(TfExamples, Comparisons) {
  EXPECT_EQ(v<bool>(nb::greater(nb::constant({1, 2, 3}), nb::constant({5, 1, 7}))),
            (std::vector<bool>{false, true, false}));
  EXPECT_EQ(v<bool>(nb::constant({1, 2, 3}) > 1), (std::vector<bool>{false, true, true}));
}

TEST(TfExamples, Reductions) {
  auto x = nb::constant({{1.f, 2.f}, {3.f, 4.f}});
  EXPECT_EQ(nb::reduce_sum(x).item<float>(), 10.f);
  EXPECT_EQ(nb::reduce_mean(x).item<float>(), 2.5f);
  EXPECT_EQ(nb::reduce_max(x).item<float>(), 4.f);
  EXPECT_EQ(v<float>(nb::reduce_sum(x, {0})), (std::vector<float>{4.f, 6.f}));
  EXPECT_EQ(v<float>(nb::reduce_sum(x, {1})), (std::vector<float>{3.f, 7.f}));
  auto am = nb::argmax(nb::constant({4, 0, 5, -4}));
  EXPECT_EQ(am.dtype(), nb::int64);
  EXPECT_EQ(am.item<int64_t>(), 2);
}

TEST(TfExamples, SoftmaxSigmoid) {
  auto s = v<float>(nb::softmax(nb::constant({3.f, 0.f})));
  EXPECT_NEAR(s[0], 0.953f, 5e-4);
  EXPECT_NEAR(s[1], 0.0474f, 5e-5);
  EXPECT_FLOAT_EQ(s[0], 0.95257413f);
  EXPECT_NEAR(nb::sigmoid(nb::constant(3.f)).item<float>(), 0.953f, 5e-4);
}

TEST(TfExamples, MatrixX) {
  auto x = nb::constant({{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}});
  EXPECT_EQ(nb::concat({x, x, x}, 0).shape(), (nb::Shape{6, 3}));
  auto sm = v<float>(nb::softmax(x, -1));
  const float row[3] = {0.09003057f, 0.24472848f, 0.66524094f};
  for (int r = 0; r < 2; ++r)
    for (int c = 0; c < 3; ++c) EXPECT_NEAR(sm[size_t(r * 3 + c)], row[c], 2e-7f);
  EXPECT_EQ(nb::reduce_sum(x).item<float>(), 21.f);
  EXPECT_EQ(v<float>(nb::matmul(x, nb::transpose(x))), (std::vector<float>{14, 32, 32, 77}));
  EXPECT_EQ(v<float>(x[":, 1:"]), (std::vector<float>{2, 3, 5, 6}));
  EXPECT_EQ(x.index({1, 1}).item<float>(), 5.f);
}

TEST(TfExamples, ArangeReshapeAndSlice) {
  auto t = nb::reshape(nb::arange(30), {3, 2, 5});
  EXPECT_EQ(vi(t[":, :, 4"]), (std::vector<int32_t>{4, 9, 14, 19, 24, 29}));
  EXPECT_EQ(nb::reshape(t, {-1}).shape(), (nb::Shape{30}));
  EXPECT_EQ(nb::reshape(t, {6, 5}).shape(), (nb::Shape{6, 5}));
  EXPECT_EQ(nb::reshape(t, {3, -1}).shape(), (nb::Shape{3, 10}));
}

TEST(TfExamples, Zeros) {
  auto z = nb::zeros({3, 2, 4, 5});
  EXPECT_EQ(z.dtype(), nb::float32);
  EXPECT_EQ(z.rank(), 4);
  EXPECT_EQ(z.size(), 120);
}

TEST(TfExamples, Fibonacci) {
  auto f = nb::constant({0, 1, 1, 2, 3, 5, 8, 13, 21, 34});
  EXPECT_EQ(vi(f[":4"]), (std::vector<int32_t>{0, 1, 1, 2}));
  EXPECT_EQ(vi(f["4:"]), (std::vector<int32_t>{3, 5, 8, 13, 21, 34}));
  EXPECT_EQ(vi(f["2:7"]), (std::vector<int32_t>{1, 2, 3, 5, 8}));
  EXPECT_EQ(vi(f["::2"]), (std::vector<int32_t>{0, 1, 3, 8, 21}));
  EXPECT_EQ(vi(f["::-1"]), (std::vector<int32_t>{34, 21, 13, 8, 5, 3, 2, 1, 1, 0}));
}

TEST(TfExamples, Variables) {
  nb::Variable var({{1, 2, 3}, {4, 5, 6}});
  var.assign(2 * var);
  EXPECT_EQ(vi(var), (std::vector<int32_t>{2, 4, 6, 8, 10, 12}));
  var.index({0, 1}).assign(42);
  var[":, 2"].assign(nb::constant({0, 1}));
  EXPECT_EQ(vi(var), (std::vector<int32_t>{2, 42, 0, 8, 10, 1}));
  var.scatter_nd_update(nb::constant({{0, 0}, {1, 2}}), nb::constant({100, 200}));
  EXPECT_EQ(vi(var), (std::vector<int32_t>{100, 42, 0, 8, 10, 200}));
  nb::Variable a({2, 3});
  nb::Variable b(a);
  a.assign({5, 6});
  EXPECT_EQ(vi(a), (std::vector<int32_t>{5, 6}));
  EXPECT_EQ(vi(b), (std::vector<int32_t>{2, 3}));
  a.assign_add({2, 3});
  EXPECT_EQ(vi(a), (std::vector<int32_t>{7, 9}));
  a.assign_sub({7, 9});
  EXPECT_EQ(vi(a), (std::vector<int32_t>{0, 0}));
}

}  // namespace
