// softmax / log_softmax: TensorFlow's documented values, a double-precision
// reference over random shapes, axes, dtypes and strided views, numerical
// stability, special values, errors and the parallel row/column paths.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include <nabla/nabla.h>

namespace nb = nabla;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<double> vals(const nb::Tensor& t) { return t.to_vector<double>(); }

// Reference softmax / log_softmax of row-major `x` along `axis`, in double
// with the textbook formula (max subtracted).
std::vector<double> ref_softmax(const std::vector<double>& x, const nb::Shape& shape, int64_t axis, bool log) {
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= shape[size_t(d)];
  for (int64_t d = axis + 1; d < shape.rank(); ++d) inner *= shape[size_t(d)];
  const int64_t n = shape[size_t(axis)];
  std::vector<double> y(x.size());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      auto at = [&](int64_t k) { return size_t((o * n + k) * inner + i); };
      double m = -kInf;
      for (int64_t k = 0; k < n; ++k) m = std::max(m, x[at(k)]);
      double s = 0;
      for (int64_t k = 0; k < n; ++k) s += std::exp(x[at(k)] - m);
      for (int64_t k = 0; k < n; ++k)
        y[at(k)] = log ? x[at(k)] - m - std::log(s) : std::exp(x[at(k)] - m) / s;
    }
  return y;
}

void expect_close(const std::vector<double>& got, const std::vector<double>& want, double rtol, double atol,
                  const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isinf(want[i])) EXPECT_EQ(got[i], want[i]) << what << " at " << i;
    else EXPECT_NEAR(got[i], want[i], atol + rtol * std::abs(want[i])) << what << " at " << i;
  }
}

std::vector<double> random_values(std::mt19937& g, int64_t n, double lo, double hi) {
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<double> v(static_cast<size_t>(n));
  for (auto& e : v) e = u(g);
  return v;
}

// ============================================================ documented values

TEST(SoftmaxTF, DocumentedValues) {
  auto s = vals(nb::softmax(nb::constant({3.f, 0.f})));
  EXPECT_NEAR(s[0], 0.95257413, 1e-7);
  EXPECT_NEAR(s[1], 0.04742587, 1e-7);
  auto x = nb::constant({{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}});
  auto y = nb::softmax(x, -1);
  EXPECT_EQ(y.shape(), (nb::Shape{2, 3}));
  EXPECT_EQ(y.dtype(), nb::float32);
  const std::vector<double> row = {0.09003057, 0.24472848, 0.66524094};
  auto v = vals(y);
  for (int r = 0; r < 2; ++r)
    for (int c = 0; c < 3; ++c) EXPECT_NEAR(v[size_t(r * 3 + c)], row[size_t(c)], 1e-7);
  // Along axis 0 every column is softmax([a, a + 3]).
  auto c = vals(nb::softmax(x, 0));
  for (int j = 0; j < 3; ++j) {
    EXPECT_NEAR(c[size_t(j)], 0.04742587, 1e-7);
    EXPECT_NEAR(c[size_t(3 + j)], 0.95257413, 1e-7);
  }
  auto l = vals(nb::log_softmax(x));
  for (int j = 0; j < 6; ++j) EXPECT_NEAR(l[size_t(j)], std::log(row[size_t(j % 3)]), 1e-6);
  EXPECT_NEAR(nb::reduce_sum(x).item<float>(), 21.f, 0);
}

TEST(SoftmaxTF, DefaultAxisIsLast) {
  auto x = nb::constant({{{1.0, 2.0}, {3.0, 5.0}}}, nb::float64);
  const std::vector<double> want = ref_softmax(vals(x), x.shape(), 2, false);
  expect_close(vals(nb::softmax(x)), want, 1e-15, 1e-15, "default axis");
  expect_close(vals(nb::softmax(x, 2)), want, 1e-15, 1e-15, "axis 2");
  expect_close(vals(nb::softmax(x, -1)), want, 1e-15, 1e-15, "axis -1");
}

TEST(SoftmaxTF, ThreeDMiddleAxis) {
  // x[i][j][k] = j * (k + 1): softmax over j (axis 1) for each (i, k).
  std::vector<double> v;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 2; ++k) v.push_back(double(j * (k + 1)));
  auto x = nb::constant(v, {2, 3, 2}, nb::float32);
  auto s = vals(nb::softmax(x, 1));
  const double z1 = 1 + std::exp(1.0) + std::exp(2.0), z2 = 1 + std::exp(2.0) + std::exp(4.0);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j) {
      EXPECT_NEAR(s[size_t(i * 6 + j * 2 + 0)], std::exp(double(j)) / z1, 1e-7);
      EXPECT_NEAR(s[size_t(i * 6 + j * 2 + 1)], std::exp(2.0 * j) / z2, 1e-7);
    }
}

TEST(SoftmaxTF, Float64Exact) {
  auto x = nb::constant({3.0, 0.0}, nb::float64);
  auto s = vals(nb::softmax(x));
  EXPECT_NEAR(s[0], 1.0 / (1.0 + std::exp(-3.0)), 1e-16);
  EXPECT_NEAR(s[1], std::exp(-3.0) / (1.0 + std::exp(-3.0)), 1e-17);
  auto l = vals(nb::log_softmax(x));
  EXPECT_NEAR(l[0], -std::log1p(std::exp(-3.0)), 1e-16);
  EXPECT_NEAR(l[1], -3.0 - std::log1p(std::exp(-3.0)), 1e-15);
}

TEST(SoftmaxTF, HalfDtypesKeepTheirDtype) {
  for (nb::DType dt : {nb::float16, nb::bfloat16}) {
    auto x = nb::constant({3.f, 0.f}, dt);
    auto s = nb::softmax(x);
    EXPECT_EQ(s.dtype(), dt);
    EXPECT_NEAR(vals(s)[0], 0.95257413, dt == nb::float16 ? 1e-3 : 4e-3);
    EXPECT_EQ(nb::log_softmax(x).dtype(), dt);
  }
}

TEST(SoftmaxIdentities, ShiftInvarianceAndUniformRows) {
  std::mt19937 g(34);
  auto x = nb::constant(random_values(g, 4 * 50, -3, 3), {4, 50}, nb::float64);
  expect_close(vals(nb::softmax(x + 100.0)), vals(nb::softmax(x)), 1e-12, 1e-15, "shift");
  expect_close(vals(nb::log_softmax(x - 50.0)), vals(nb::log_softmax(x)), 1e-12, 1e-12, "shift log");
  auto c = vals(nb::softmax(nb::fill({3, 7}, 2.5f, nb::float32)));
  for (double v : c) EXPECT_NEAR(v, 1.0 / 7, 1e-7);
  auto lc = vals(nb::log_softmax(nb::fill({3, 7}, -2.5f, nb::float32), 0));
  for (double v : lc) EXPECT_NEAR(v, -std::log(3.0), 1e-6);
}

TEST(SoftmaxIdentities, LogSoftmaxIsLogOfSoftmax) {
  std::mt19937 g(35);
  auto x = nb::constant(random_values(g, 6 * 33, -10, 10), {6, 33}, nb::float32);
  for (int64_t axis : {0, 1}) {
    auto s = vals(nb::softmax(x, axis));
    auto l = vals(nb::log_softmax(x, axis));
    for (size_t i = 0; i < s.size(); ++i) EXPECT_NEAR(l[i], std::log(s[i]), 1e-5 * std::abs(l[i]) + 1e-5);
  }
}

// ============================================================ random vs reference

TEST(SoftmaxRandom, AllAxesDtypesLayouts) {
  std::mt19937 g(31);
  for (nb::DType dt : {nb::float32, nb::float64, nb::float16, nb::bfloat16}) {
    for (int c = 0; c < 50; ++c) {
      const int64_t rank = 1 + int64_t(g() % 4);
      nb::Shape shape;
      for (int64_t d = 0; d < rank; ++d) shape.push_back(1 + int64_t(g() % 6));
      if (c % 10 == 0) shape[size_t(rank - 1)] = 40 + int64_t(g() % 60);  // longer rows: vector lanes + tail
      const int64_t n = shape.num_elements();
      const int kind = int(g() % 4);
      nb::Tensor x;
      std::string view;
      if (kind == 1 && rank >= 2) {  // transposed view
        nb::Shape ts = shape;
        std::swap(ts[0], ts[size_t(rank - 1)]);
        std::vector<int64_t> perm(static_cast<size_t>(rank));
        std::iota(perm.begin(), perm.end(), 0);
        std::swap(perm[0], perm[size_t(rank - 1)]);
        x = nb::transpose(nb::constant(random_values(g, n, -8, 8), ts, dt), perm);
        view = "transposed";
      } else if (kind == 2) {  // reversed
        x = nb::constant(random_values(g, n, -8, 8), shape, dt)["..., ::-1"];
        view = "reversed";
      } else if (kind == 3) {  // every second element
        nb::Shape big = shape;
        big[0] *= 2;
        x = nb::constant(random_values(g, big.num_elements(), -8, 8), big, dt)["::2"];
        view = "step 2";
      } else {
        x = nb::constant(random_values(g, n, -8, 8), shape, dt);
        view = "contiguous";
      }
      ASSERT_EQ(x.shape(), shape);
      const int64_t axis = int64_t(g() % uint32_t(rank)) - (g() % 2 ? rank : 0);
      const int64_t ax = axis < 0 ? axis + rank : axis;
      const std::vector<double> xv = vals(x);
      const std::string what = "shape " + shape.str() + " axis " + std::to_string(axis) + " " + view + " " +
                               std::string(nb::dtype_name(dt));
      const double tol = dt == nb::float64 ? 1e-14 : dt == nb::float32 ? 3e-6 : dt == nb::float16 ? 2e-3 : 1e-2;
      const nb::Tensor s = nb::softmax(x, axis);
      const nb::Tensor l = nb::log_softmax(x, axis);
      EXPECT_EQ(s.dtype(), dt);
      EXPECT_EQ(l.shape(), shape);
      expect_close(vals(s), ref_softmax(xv, shape, ax, false), tol, tol * 1e-2, "softmax " + what);
      expect_close(vals(l), ref_softmax(xv, shape, ax, true), tol, tol * 10, "log_softmax " + what);
      // Probabilities along the axis sum to one.
      for (double t : vals(nb::reduce_sum(nb::cast(s, nb::float64), {axis})))
        EXPECT_NEAR(t, 1.0, dt == nb::float64 ? 1e-14 : dt == nb::float32 ? 1e-5 : 2e-2) << what;
    }
  }
}

// ============================================================ stability and specials

TEST(SoftmaxStability, LargeAndTinyInputs) {
  auto big = vals(nb::softmax(nb::constant({1000.f, 1001.f, 999.f})));
  const auto want = ref_softmax({1000, 1001, 999}, {3}, 0, false);
  expect_close(big, want, 1e-6, 1e-7, "large");
  auto tiny = vals(nb::softmax(nb::constant({-1000.f, -1001.f})));
  expect_close(tiny, ref_softmax({-1000, -1001}, {2}, 0, false), 1e-6, 1e-7, "tiny");
  auto l = vals(nb::log_softmax(nb::constant({0.f, -200.f})));
  EXPECT_NEAR(l[0], 0.0, 1e-7);
  EXPECT_NEAR(l[1], -200.0, 1e-4);  // exp(-200) underflows; log_softmax does not
  auto d = vals(nb::log_softmax(nb::constant({1e4, 0.0}, nb::float64)));
  EXPECT_EQ(d[0], 0.0);
  EXPECT_EQ(d[1], -1e4);
  // A TensorFlow case: widely spread logits give exact zeros and ones.
  auto w = vals(nb::softmax(nb::constant({{-575.979f, -575.979f, -561.53094f}, {-249.93358f, 281.89874f, -508.78378f}})));
  EXPECT_NEAR(w[0], 5.312357e-07, 1e-12);
  EXPECT_NEAR(w[2], 0.99999905, 3e-7);  // within 2 ulp: TF sums in another order
  EXPECT_EQ(w[3], 0.0);
  EXPECT_EQ(w[4], 1.0);
  EXPECT_EQ(w[5], 0.0);
}

TEST(SoftmaxStability, InfinitiesAndNaN) {
  auto s = vals(nb::softmax(nb::constant({-INFINITY, 0.f, -INFINITY})));
  EXPECT_EQ(s, (std::vector<double>{0, 1, 0}));
  auto l = vals(nb::log_softmax(nb::constant({-INFINITY, 0.f})));
  EXPECT_EQ(l[0], -kInf);
  EXPECT_EQ(l[1], 0.0);
  for (double v : vals(nb::softmax(nb::constant({1.f, NAN, 2.f})))) EXPECT_TRUE(std::isnan(v));
  for (double v : vals(nb::log_softmax(nb::constant({NAN, 2.f})))) EXPECT_TRUE(std::isnan(v));
  // NaN in one column leaves the other columns alone (axis 0 path).
  auto c = vals(nb::softmax(nb::constant({{NAN, 1.f}, {0.f, 1.f}}), 0));
  EXPECT_TRUE(std::isnan(c[0]));
  EXPECT_TRUE(std::isnan(c[2]));
  EXPECT_NEAR(c[1], 0.5, 1e-7);
  EXPECT_NEAR(c[3], 0.5, 1e-7);
}

TEST(SoftmaxStability, SingleElementAndSizeOneAxis) {
  EXPECT_EQ(vals(nb::softmax(nb::constant({42.f}))), (std::vector<double>{1}));
  EXPECT_EQ(vals(nb::log_softmax(nb::constant({42.f}))), (std::vector<double>{0}));
  auto x = nb::constant({{1.f, 2.f, 3.f}});
  EXPECT_EQ(vals(nb::softmax(x, 0)), (std::vector<double>{1, 1, 1}));
}

TEST(SoftmaxEmpty, EmptyTensors) {
  EXPECT_EQ(nb::softmax(nb::zeros({0, 5})).shape(), (nb::Shape{0, 5}));
  EXPECT_EQ(nb::softmax(nb::zeros({5, 0})).shape(), (nb::Shape{5, 0}));
  EXPECT_EQ(nb::log_softmax(nb::zeros({3, 0, 2}), 1).shape(), (nb::Shape{3, 0, 2}));
}

// ============================================================ errors

TEST(SoftmaxErrors, DtypeRankAxis) {
  auto expect_msg = [](const std::function<void()>& f, const std::vector<std::string>& parts) {
    try {
      f();
      ADD_FAILURE() << "expected InvalidArgument";
    } catch (const nb::InvalidArgument& e) {
      for (const auto& p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
    }
  };
  expect_msg([] { nb::softmax(nb::constant({1, 2})); }, {"int32", "[Op:Softmax]"});
  expect_msg([] { nb::log_softmax(nb::zeros({2}, nb::bool_)); }, {"bool", "[Op:LogSoftmax]"});
  expect_msg([] { nb::softmax(nb::constant(1.f)); }, {"logits must have >= 1 dimension", "[Op:Softmax]"});
  expect_msg([] { nb::softmax(nb::zeros({2, 3}), 2); }, {"axis 2", "[Op:Softmax]"});
  expect_msg([] { nb::log_softmax(nb::zeros({2, 3}), -3); }, {"axis -3", "[Op:LogSoftmax]"});
  const nb::OpDef* op = nb::find_op("Softmax");
  ASSERT_NE(op, nullptr);
  EXPECT_EQ(op->onnx_name, "Softmax");
  EXPECT_TRUE(op->differentiable);
  ASSERT_NE(nb::find_op("LogSoftmax"), nullptr);
  EXPECT_EQ(nb::find_op("LogSoftmax")->onnx_name, "LogSoftmax");
}

// ============================================================ large / parallel

TEST(SoftmaxLarge, BatchRowsAndColumns) {
  std::mt19937 g(32);
  for (auto [rows, cols, axis] : {std::tuple<int64_t, int64_t, int64_t>{4096, 10, 1},
                                  {512, 1000, 1}, {300, 700, 0}, {2, 50000, 1}}) {
    const std::vector<double> v = random_values(g, rows * cols, -20, 20);
    auto x = nb::constant(v, {rows, cols}, nb::float32);
    const std::vector<double> xf = vals(x);
    const auto s = vals(nb::softmax(x, axis));
    const auto want = ref_softmax(xf, {rows, cols}, axis, false);
    for (size_t i = 0; i < s.size(); ++i) ASSERT_NEAR(s[i], want[i], 5e-6 * want[i] + 1e-9) << rows << "x" << cols;
    const auto l = vals(nb::log_softmax(x, axis));
    const auto lw = ref_softmax(xf, {rows, cols}, axis, true);
    for (size_t i = 0; i < l.size(); ++i) ASSERT_NEAR(l[i], lw[i], 2e-6 * std::abs(lw[i]) + 2e-5) << rows << "x" << cols;
  }
}

TEST(SoftmaxLarge, ThreadCountDoesNotChangeResults) {
  std::mt19937 g(33);
  auto x = nb::constant(random_values(g, 2048 * 100, -5, 5), {2048, 100}, nb::float32);
  const int saved = nb::get_num_threads();
  nb::set_num_threads(1);
  const auto a = vals(nb::softmax(x));
  const auto a0 = vals(nb::softmax(x, 0));
  nb::set_num_threads(2);
  const auto b = vals(nb::softmax(x));
  const auto b0 = vals(nb::softmax(x, 0));
  nb::set_num_threads(saved);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a0, b0);
}

TEST(SoftmaxLarge, StridedBatchAndDeepTensors) {
  std::mt19937 g(36);
  // A transposed (classes, batch) tensor: softmax over classes (axis 0 of the base).
  const std::vector<double> v = random_values(g, 64 * 1000, -4, 4);
  auto base = nb::constant(v, {64, 1000}, nb::float32);
  auto t = nb::transpose(base);  // (1000, 64), strided
  auto s = vals(nb::softmax(t, -1));
  auto want = ref_softmax(vals(t), {1000, 64}, 1, false);
  expect_close(s, want, 3e-6, 1e-9, "transposed batch");
  // Rank 4, softmax over axis 1 (columns path with inner = 5 * 6).
  const std::vector<double> w = random_values(g, 3 * 4 * 5 * 6, -4, 4);
  auto x = nb::constant(w, {3, 4, 5, 6}, nb::float64);
  expect_close(vals(nb::softmax(x, 1)), ref_softmax(w, {3, 4, 5, 6}, 1, false), 1e-14, 1e-16, "rank 4");
  expect_close(vals(nb::log_softmax(x, -3)), ref_softmax(w, {3, 4, 5, 6}, 1, true), 1e-14, 1e-14, "rank 4 log");
}

}  // namespace
