// Element-wise ops: values against hand-computed results and independent
// references (<cmath> in double, naive loops written here), every supported
// dtype, broadcasting, strided/transposed/reversed inputs, half types,
// operators, error messages, and a randomised broadcasting property test.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <nabla/nabla.h>

namespace nb = nabla;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr float kInfF = std::numeric_limits<float>::infinity();
constexpr float kNaNF = std::numeric_limits<float>::quiet_NaN();

// A tensor of C++ type T's dtype holding `v` (row-major) in shape `s`.
template <typename T> nb::Tensor make(const std::vector<double>& v, const nb::Shape& s) {
  return nb::constant(v, s, nb::dtype_of<T>());
}
template <typename T> nb::Tensor make(const std::vector<double>& v) {
  return make<T>(v, nb::Shape{int64_t(v.size())});
}
template <typename T> std::vector<T> vals(const nb::Tensor& t) {
  EXPECT_EQ(t.dtype(), nb::dtype_of<T>());
  return t.to_vector<T>();
}
std::vector<double> dvals(const nb::Tensor& t) { return t.to_vector<double>(); }
std::vector<float> fvals(const nb::Tensor& t) { return t.to_vector<float>(); }
std::vector<int> bvals(const nb::Tensor& t) {  // bool as 0/1 ints (readable failures)
  EXPECT_EQ(t.dtype(), nb::bool_);
  std::vector<int> out;
  for (bool b : t.to_vector<bool>()) out.push_back(b ? 1 : 0);
  return out;
}
template <typename T> std::vector<T> cast_vec(const std::vector<double>& v) {
  return std::vector<T>(v.begin(), v.end());
}

// Distance in units in the last place of float32 between `got` and the exact
// value `ref` (subnormal spacing below FLT_MIN). inf/nan must match exactly.
double ulp_error(float got, double ref) {
  if (std::isnan(ref)) return std::isnan(got) ? 0.0 : 1e30;
  const float rf = float(ref);
  if (std::isinf(rf) || std::isinf(got)) return got == rf ? 0.0 : 1e30;
  double unit;
  if (std::fabs(ref) < double(std::numeric_limits<float>::min())) {
    unit = std::ldexp(1.0, -149);
  } else {
    int e = 0;
    std::frexp(std::fabs(ref), &e);
    unit = std::ldexp(1.0, e - 24);
  }
  return std::fabs(double(got) - ref) / unit;
}

// Expects `fn` to throw E whose message contains `needle`.
template <typename E> void expect_error(const std::function<void()>& fn, const std::string& needle) {
  try {
    fn();
    ADD_FAILURE() << "expected an exception containing: " << needle;
  } catch (const E& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos)
        << "message: " << e.what() << "\nexpected to contain: " << needle;
  }
}

void expect_close(const std::vector<double>& got, const std::vector<double>& want, double rtol,
                  double atol = 0.0) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << "at " << i << ": got " << got[i];
    } else if (std::isinf(want[i])) {
      EXPECT_EQ(got[i], want[i]) << "at " << i;
    } else {
      EXPECT_NEAR(got[i], want[i], atol + rtol * std::fabs(want[i])) << "at " << i;
    }
  }
}

template <typename F> std::vector<double> map(const std::vector<double>& x, F f) {
  std::vector<double> out;
  for (double v : x) out.push_back(f(v));
  return out;
}

// ---------------------------------------------------------------------------
// The documented TensorFlow examples.

TEST(ElementwiseTfDocs, AddMatrices) {
  auto a = nb::constant({{1, 2}, {3, 4}});
  auto b = nb::constant({{5, 6}, {8, 9}});
  auto c = nb::add(a, b);
  EXPECT_EQ(c.shape(), (nb::Shape{2, 2}));
  EXPECT_EQ(vals<int32_t>(c), (std::vector<int32_t>{6, 8, 11, 13}));
  EXPECT_EQ(vals<int32_t>(a + b), (std::vector<int32_t>{6, 8, 11, 13}));
}

TEST(ElementwiseTfDocs, MultiplyMatrices) {
  auto a = nb::constant({{1, 2}, {3, 4}});
  auto b = nb::constant({{5, 6}, {8, 9}});
  EXPECT_EQ(vals<int32_t>(nb::multiply(a, b)), (std::vector<int32_t>{5, 12, 24, 36}));
  EXPECT_EQ(vals<int32_t>(a * b), (std::vector<int32_t>{5, 12, 24, 36}));
}

TEST(ElementwiseTfDocs, AddScalar) {
  auto r = nb::constant({1, 2}) + 1;
  EXPECT_EQ(r.dtype(), nb::int32);
  EXPECT_EQ(vals<int32_t>(r), (std::vector<int32_t>{2, 3}));
}

TEST(ElementwiseTfDocs, Greater) {
  auto x = nb::constant({1, 2, 3});
  EXPECT_EQ(bvals(nb::greater(x, nb::constant({5, 1, 7}))), (std::vector<int>{0, 1, 0}));
  EXPECT_EQ(bvals(nb::greater(x, nb::constant(1))), (std::vector<int>{0, 1, 1}));
  EXPECT_EQ(bvals(x > 1), (std::vector<int>{0, 1, 1}));
}

TEST(ElementwiseTfDocs, SigmoidOfThree) {
  EXPECT_NEAR(nb::sigmoid(nb::constant(3.0f)).item<float>(), 0.95257413f, 1e-6f);
}

// ---------------------------------------------------------------------------
// Typed tests over every native numeric dtype.

template <typename T> class NumericTyped : public ::testing::Test {};
using NumericTypes = ::testing::Types<float, double, int8_t, int16_t, int32_t, int64_t, uint8_t>;
TYPED_TEST_SUITE(NumericTyped, NumericTypes);

TYPED_TEST(NumericTyped, AddSubMulDiv) {
  using T = TypeParam;
  const std::vector<double> a = {0, 1, 7, 12, 100, 9}, b = {3, 5, 2, 4, 1, 3};
  auto ta = make<T>(a), tb = make<T>(b);
  std::vector<T> add, sub, mul, div;
  for (size_t i = 0; i < a.size(); ++i) {
    add.push_back(T(a[i] + b[i]));
    sub.push_back(T(T(a[i]) - T(b[i])));  // uint8 wraps: 0 - 3 = 253
    mul.push_back(T(a[i] * b[i]));
    div.push_back(std::is_integral_v<T> ? T(int64_t(a[i]) / int64_t(b[i])) : T(T(a[i]) / T(b[i])));
  }
  EXPECT_EQ(vals<T>(nb::add(ta, tb)), add);
  EXPECT_EQ(vals<T>(nb::subtract(ta, tb)), sub);
  EXPECT_EQ(vals<T>(nb::multiply(ta, tb)), mul);
  EXPECT_EQ(vals<T>(nb::divide(ta, tb)), div);
}

TYPED_TEST(NumericTyped, FloorDivAndModOnNonNegatives) {
  using T = TypeParam;
  const std::vector<double> a = {0, 1, 7, 12, 100, 9, 5}, b = {3, 5, 2, 4, 7, 3, 9};
  std::vector<T> q, r;
  for (size_t i = 0; i < a.size(); ++i) {
    q.push_back(T(std::floor(a[i] / b[i])));
    r.push_back(T(a[i] - b[i] * std::floor(a[i] / b[i])));
  }
  EXPECT_EQ(vals<T>(nb::floordiv(make<T>(a), make<T>(b))), q);
  EXPECT_EQ(vals<T>(nb::mod(make<T>(a), make<T>(b))), r);
}

TYPED_TEST(NumericTyped, MinimumMaximum) {
  using T = TypeParam;
  const std::vector<double> a = {0, 9, 7, 120, 3}, b = {3, 5, 7, 4, 100};
  std::vector<T> lo, hi;
  for (size_t i = 0; i < a.size(); ++i) {
    lo.push_back(T(std::min(a[i], b[i])));
    hi.push_back(T(std::max(a[i], b[i])));
  }
  EXPECT_EQ(vals<T>(nb::minimum(make<T>(a), make<T>(b))), lo);
  EXPECT_EQ(vals<T>(nb::maximum(make<T>(a), make<T>(b))), hi);
}

TYPED_TEST(NumericTyped, Comparisons) {
  using T = TypeParam;
  const std::vector<double> a = {0, 9, 7, 120, 3, 5}, b = {3, 5, 7, 4, 100, 5};
  std::vector<int> lt, le, gt, ge, eq, ne;
  for (size_t i = 0; i < a.size(); ++i) {
    lt.push_back(a[i] < b[i]);
    le.push_back(a[i] <= b[i]);
    gt.push_back(a[i] > b[i]);
    ge.push_back(a[i] >= b[i]);
    eq.push_back(a[i] == b[i]);
    ne.push_back(a[i] != b[i]);
  }
  auto ta = make<T>(a), tb = make<T>(b);
  EXPECT_EQ(bvals(nb::less(ta, tb)), lt);
  EXPECT_EQ(bvals(nb::less_equal(ta, tb)), le);
  EXPECT_EQ(bvals(nb::greater(ta, tb)), gt);
  EXPECT_EQ(bvals(nb::greater_equal(ta, tb)), ge);
  EXPECT_EQ(bvals(nb::equal(ta, tb)), eq);
  EXPECT_EQ(bvals(nb::not_equal(ta, tb)), ne);
}

TYPED_TEST(NumericTyped, PowSmallValues) {
  using T = TypeParam;
  const std::vector<double> a = {2, 3, 0, 1, 5, 0, 7}, b = {3, 4, 0, 9, 3, 2, 1};
  std::vector<T> want;
  for (size_t i = 0; i < a.size(); ++i) {
    double p = 1;
    for (int k = 0; k < int(b[i]); ++k) p *= a[i];  // independent: repeated multiplication
    want.push_back(T(p));
  }
  EXPECT_EQ(vals<T>(nb::pow(make<T>(a), make<T>(b))), want);
}

TYPED_TEST(NumericTyped, AbsSignSquareReluRound) {
  using T = TypeParam;
  const std::vector<double> x = {0, 3, 11, 1, 7};
  auto t = make<T>(x);
  EXPECT_EQ(vals<T>(nb::abs(t)), cast_vec<T>(x));
  EXPECT_EQ(vals<T>(nb::sign(t)), cast_vec<T>({0, 1, 1, 1, 1}));
  EXPECT_EQ(vals<T>(nb::square(t)), cast_vec<T>({0, 9, 121, 1, 49}));
  EXPECT_EQ(vals<T>(nb::relu(t)), cast_vec<T>(x));
  EXPECT_EQ(vals<T>(nb::round(t)), cast_vec<T>(x));
}

TYPED_TEST(NumericTyped, ClipByValueScalarAndTensorBounds) {
  using T = TypeParam;
  auto x = make<T>({0, 2, 5, 9, 12, 100}, {2, 3});
  EXPECT_EQ(vals<T>(nb::clip_by_value(x, 2, 10)), cast_vec<T>({2, 2, 5, 9, 10, 10}));
  // Row bounds broadcast over the rows of x.
  auto lo = make<T>({1, 3, 6}, {3});
  auto hi = make<T>({4, 4, 50}, {3});
  EXPECT_EQ(vals<T>(nb::clip_by_value(x, lo, hi)), cast_vec<T>({1, 3, 6, 4, 4, 50}));
}

TYPED_TEST(NumericTyped, SelectPicksPerElement) {
  using T = TypeParam;
  auto cond = nb::constant({true, false, true, false});
  auto x = make<T>({1, 2, 3, 4}), y = make<T>({10, 20, 30, 40});
  EXPECT_EQ(vals<T>(nb::where(cond, x, y)), cast_vec<T>({1, 20, 3, 40}));
  // Scalar x and y broadcast against a (2, 2) condition.
  auto c2 = nb::constant({{true, false}, {false, true}});
  EXPECT_EQ(vals<T>(nb::where(c2, make<T>({7}, {}), make<T>({9}, {}))), cast_vec<T>({7, 9, 9, 7}));
}

TYPED_TEST(NumericTyped, BroadcastRowColumnScalarRankMismatch) {
  using T = TypeParam;
  auto m = make<T>({1, 2, 3, 4, 5, 6}, {2, 3});
  auto row = make<T>({10, 20, 30}, {1, 3});
  auto col = make<T>({100, 50}, {2, 1});
  auto vec = make<T>({1, 2, 3}, {3});
  auto s = make<T>({2}, {});
  EXPECT_EQ(vals<T>(nb::add(m, row)), cast_vec<T>({11, 22, 33, 14, 25, 36}));
  EXPECT_EQ(vals<T>(nb::add(col, m)), cast_vec<T>({101, 102, 103, 54, 55, 56}));
  EXPECT_EQ(vals<T>(nb::multiply(m, s)), cast_vec<T>({2, 4, 6, 8, 10, 12}));
  EXPECT_EQ(vals<T>(nb::multiply(s, m)), cast_vec<T>({2, 4, 6, 8, 10, 12}));
  EXPECT_EQ(vals<T>(nb::maximum(vec, m)), cast_vec<T>({1, 2, 3, 4, 5, 6}));
  // (2, 1) against (3,) -> (2, 3) outer sum.
  auto outer = nb::add(col, vec);
  EXPECT_EQ(outer.shape(), (nb::Shape{2, 3}));
  EXPECT_EQ(vals<T>(outer), cast_vec<T>({101, 102, 103, 51, 52, 53}));
  // Rank 3 against rank 1.
  auto r3 = make<T>({1, 2, 3, 4, 5, 6}, {2, 1, 3});
  auto sum3 = nb::add(r3, vec);
  EXPECT_EQ(sum3.shape(), (nb::Shape{2, 1, 3}));
  EXPECT_EQ(vals<T>(sum3), cast_vec<T>({2, 4, 6, 5, 7, 9}));
}

TYPED_TEST(NumericTyped, StridedTransposedReversedInputs) {
  using T = TypeParam;
  auto m = make<T>({1, 2, 3, 4, 5, 6}, {2, 3});
  auto mt = nb::transpose(m);  // (3, 2) view, not contiguous
  ASSERT_FALSE(mt.is_contiguous());
  auto n = make<T>({10, 20, 30, 40, 50, 60}, {3, 2});
  EXPECT_EQ(vals<T>(nb::add(mt, n)), cast_vec<T>({11, 24, 32, 45, 53, 66}));
  auto v = make<T>({1, 2, 3, 4, 5});
  auto rv = v["::-1"];  // negative stride
  EXPECT_EQ(vals<T>(nb::subtract(make<T>({10, 10, 10, 10, 10}), rv)), cast_vec<T>({5, 6, 7, 8, 9}));
  EXPECT_EQ(vals<T>(nb::maximum(rv, v)), cast_vec<T>({5, 4, 3, 4, 5}));
  EXPECT_EQ(bvals(nb::less(rv, v)), (std::vector<int>{0, 0, 0, 1, 1}));
  EXPECT_EQ(vals<T>(nb::square(v["::2"])), cast_vec<T>({1, 9, 25}));
  EXPECT_EQ(vals<T>(nb::abs(mt)), cast_vec<T>({1, 4, 2, 5, 3, 6}));
  auto cond = nb::constant({true, false, true, false, true});
  EXPECT_EQ(vals<T>(nb::where(cond["::-1"], rv, v)), cast_vec<T>({5, 2, 3, 4, 1}));
  EXPECT_EQ(vals<T>(nb::clip_by_value(rv, 2, 4)), cast_vec<T>({4, 4, 3, 2, 2}));
}

// ---------------------------------------------------------------------------
// Signed integers.

template <typename T> class SignedIntTyped : public ::testing::Test {};
using SignedIntTypes = ::testing::Types<int8_t, int16_t, int32_t, int64_t>;
TYPED_TEST_SUITE(SignedIntTyped, SignedIntTypes);

TYPED_TEST(SignedIntTyped, FloorDivModFollowPython) {
  using T = TypeParam;
  auto a = make<T>({7, -7, 7, -7, 6, -6, 0, 1});
  auto b = make<T>({2, 2, -2, -2, 3, 3, -5, -5});
  // Python: 7//2=3, -7//2=-4, 7//-2=-4, -7//-2=3, 6//3=2, -6//3=-2, 0//-5=0, 1//-5=-1
  EXPECT_EQ(vals<T>(nb::floordiv(a, b)), cast_vec<T>({3, -4, -4, 3, 2, -2, 0, -1}));
  // Python: 7%2=1, -7%2=1, 7%-2=-1, -7%-2=-1, 0, 0, 0, 1%-5=-4
  EXPECT_EQ(vals<T>(nb::mod(a, b)), cast_vec<T>({1, 1, -1, -1, 0, 0, 0, -4}));
  EXPECT_EQ(vals<T>(a % b), cast_vec<T>({1, 1, -1, -1, 0, 0, 0, -4}));
  // Div truncates toward zero (C++ semantics, tf.truncatediv).
  EXPECT_EQ(vals<T>(nb::divide(a, b)), cast_vec<T>({3, -3, -3, 3, 2, -2, 0, 0}));
}

TYPED_TEST(SignedIntTyped, MinValueWrapsInsteadOfOverflowing) {
  using T = TypeParam;
  constexpr T lo = std::numeric_limits<T>::min();
  auto x = nb::constant(std::vector<T>{lo, T(-5), T(5)}, {3});
  EXPECT_EQ(vals<T>(nb::negative(x)), (std::vector<T>{lo, T(5), T(-5)}));
  EXPECT_EQ(vals<T>(-x), (std::vector<T>{lo, T(5), T(-5)}));
  EXPECT_EQ(vals<T>(nb::abs(x)), (std::vector<T>{lo, T(5), T(5)}));
  auto m1 = nb::constant(std::vector<T>{T(-1), T(-1), T(-1)}, {3});
  EXPECT_EQ(vals<T>(nb::floordiv(x, m1)), (std::vector<T>{lo, T(5), T(-5)}));
  EXPECT_EQ(vals<T>(nb::mod(x, m1)), (std::vector<T>{0, 0, 0}));
  EXPECT_EQ(vals<T>(nb::divide(x, m1)), (std::vector<T>{lo, T(5), T(-5)}));
}

TYPED_TEST(SignedIntTyped, SignReluAbsNegatives) {
  using T = TypeParam;
  auto x = make<T>({-9, -1, 0, 1, 9});
  EXPECT_EQ(vals<T>(nb::sign(x)), cast_vec<T>({-1, -1, 0, 1, 1}));
  EXPECT_EQ(vals<T>(nb::relu(x)), cast_vec<T>({0, 0, 0, 1, 9}));
  EXPECT_EQ(vals<T>(nb::abs(x)), cast_vec<T>({9, 1, 0, 1, 9}));
  EXPECT_EQ(vals<T>(nb::negative(x)), cast_vec<T>({9, 1, 0, -1, -9}));
  EXPECT_EQ(vals<T>(nb::square(x)), cast_vec<T>({81, 1, 0, 1, 81}));
  EXPECT_EQ(vals<T>(nb::pow(x, make<T>({1, 3, 0, 5, 2}))), cast_vec<T>({-9, -1, 1, 1, 81}));
}

TYPED_TEST(SignedIntTyped, DivisionByZeroIsAnError) {
  using T = TypeParam;
  auto a = make<T>({1, 2, 3}), z = make<T>({1, 0, 1});
  expect_error<nb::InvalidArgument>([&] { nb::floordiv(a, z); }, "Integer division by zero [Op:FloorDiv]");
  expect_error<nb::InvalidArgument>([&] { nb::mod(a, z); }, "Integer division by zero [Op:FloorMod]");
  expect_error<nb::InvalidArgument>([&] { nb::divide(a, z); }, "Integer division by zero [Op:Div]");
}

TYPED_TEST(SignedIntTyped, NegativeIntegerPowerIsAnError) {
  using T = TypeParam;
  expect_error<nb::InvalidArgument>([] { nb::pow(make<T>({2, 2}), make<T>({1, -1})); },
                                    "Integers to negative integer powers are not allowed [Op:Pow]");
}

TEST(ElementwiseInt, OverflowWrapsAround) {
  // int8: 16^2 = 256 -> 0, 100 + 100 = 200 -> -56, (-128) - 1 -> 127, 2^7 -> -128.
  auto a = nb::constant(std::vector<int8_t>{16, 100, -128, 2}, {4});
  EXPECT_EQ(vals<int8_t>(nb::square(a)), (std::vector<int8_t>{0, 16, 0, 4}));
  EXPECT_EQ(vals<int8_t>(nb::add(a, a)), (std::vector<int8_t>{32, -56, 0, 4}));
  EXPECT_EQ(vals<int8_t>(a - int8_t(1)), (std::vector<int8_t>{15, 99, 127, 1}));
  EXPECT_EQ(vals<int8_t>(nb::pow(a, nb::constant(std::vector<int8_t>{1, 1, 1, 7}, {4}))),
            (std::vector<int8_t>{16, 100, -128, -128}));
  // int32: 3^40 mod 2^32, computed independently with uint32 multiplication.
  uint32_t p = 1;
  for (int i = 0; i < 40; ++i) p *= 3u;
  EXPECT_EQ(nb::pow(nb::constant(3), nb::constant(40)).item<int32_t>(), int32_t(p));
  // int64: 7^22 = 3909821048582988049 still fits.
  EXPECT_EQ(nb::pow(nb::constant(int64_t(7)), nb::constant(int64_t(22))).item<int64_t>(),
            int64_t(3909821048582988049LL));
  // int16 square of 300 = 90000 -> 90000 - 65536 = 24464.
  EXPECT_EQ(nb::square(nb::constant(int16_t(300))).item<int16_t>(), int16_t(24464));
}

TEST(ElementwiseInt, Uint8Semantics) {
  auto a = nb::constant(std::vector<uint8_t>{0, 5, 200, 255}, {4});
  auto b = nb::constant(std::vector<uint8_t>{1, 3, 100, 2}, {4});
  EXPECT_EQ(vals<uint8_t>(nb::subtract(a, b)), (std::vector<uint8_t>{255, 2, 100, 253}));
  EXPECT_EQ(vals<uint8_t>(nb::floordiv(a, b)), (std::vector<uint8_t>{0, 1, 2, 127}));
  EXPECT_EQ(vals<uint8_t>(nb::mod(a, b)), (std::vector<uint8_t>{0, 2, 0, 1}));
  EXPECT_EQ(vals<uint8_t>(nb::abs(a)), (std::vector<uint8_t>{0, 5, 200, 255}));
  EXPECT_EQ(vals<uint8_t>(nb::sign(a)), (std::vector<uint8_t>{0, 1, 1, 1}));
  EXPECT_EQ(vals<uint8_t>(nb::square(a)), (std::vector<uint8_t>{0, 25, 64, 1}));  // mod 256
  EXPECT_EQ(vals<uint8_t>(nb::pow(b, nb::constant(std::vector<uint8_t>{9, 5, 1, 8}, {4}))),
            (std::vector<uint8_t>{1, 243, 100, 0}));
  expect_error<nb::InvalidArgument>([&] { nb::negative(a); }, "[Op:Neg]");
  expect_error<nb::InvalidArgument>([&] { nb::mod(a, nb::zeros_like(a)); }, "Integer division by zero");
}

// ---------------------------------------------------------------------------
// Floating point: values against <cmath> in double, special values.

template <typename T> class FloatTyped : public ::testing::Test {};
using FloatTypes = ::testing::Types<float, double>;
TYPED_TEST_SUITE(FloatTyped, FloatTypes);

// Relative tolerance of a float32 result vs a double reference.
template <typename T> double rtol() { return std::is_same_v<T, float> ? 4e-7 : 1e-15; }

TYPED_TEST(FloatTyped, TranscendentalsMatchCmath) {
  using T = TypeParam;
  const std::vector<double> x = {-20, -3.5, -1, -0.3, -1e-5, 0, 1e-6, 0.1, 0.5, 0.9, 1.7, 2.5, 10, 60};
  std::vector<double> xt;  // the inputs as rounded to T
  for (double v : x) xt.push_back(double(T(v)));
  auto t = make<T>(x);
  const double r = rtol<T>();
  expect_close(dvals(nb::exp(t)), map(xt, [](double v) { return std::exp(v); }), 2 * r);
  expect_close(dvals(nb::expm1(t)), map(xt, [](double v) { return std::expm1(v); }), 2 * r);
  expect_close(dvals(nb::sin(t)), map(xt, [](double v) { return std::sin(v); }), 2 * r, 1e-300);
  expect_close(dvals(nb::cos(t)), map(xt, [](double v) { return std::cos(v); }), 2 * r);
  expect_close(dvals(nb::tan(t)), map(xt, [](double v) { return std::tan(v); }), 2 * r);
  expect_close(dvals(nb::tanh(t)), map(xt, [](double v) { return std::tanh(v); }), 2 * r);
  expect_close(dvals(nb::erf(t)), map(xt, [](double v) { return std::erf(v); }), 2 * r);
  expect_close(dvals(nb::sigmoid(t)), map(xt, [](double v) { return 1.0 / (1.0 + std::exp(-v)); }), 3 * r);
  expect_close(dvals(nb::square(t)), map(xt, [](double v) { return v * v; }), r);
  // Functions of positive arguments.
  const std::vector<double> p = {1e-30, 1e-5, 0.25, 0.5, 1, 2, 3.7, 100, 12345.5, 1e30};
  std::vector<double> pt;
  for (double v : p) pt.push_back(double(T(v)));
  auto tp = make<T>(p);
  expect_close(dvals(nb::log(tp)), map(pt, [](double v) { return std::log(v); }), 2 * r);
  expect_close(dvals(nb::log1p(tp)), map(pt, [](double v) { return std::log1p(v); }), 2 * r);
  expect_close(dvals(nb::sqrt(tp)), map(pt, [](double v) { return std::sqrt(v); }), r);
  expect_close(dvals(nb::rsqrt(tp)), map(pt, [](double v) { return 1.0 / std::sqrt(v); }), 2 * r);
}

TYPED_TEST(FloatTyped, SpecialValues) {
  using T = TypeParam;
  auto t = make<T>({kInf, -kInf, kNaN, 0.0, -0.0});
  expect_close(dvals(nb::exp(t)), {kInf, 0, kNaN, 1, 1}, 0);
  expect_close(dvals(nb::log(t)), {kInf, kNaN, kNaN, -kInf, -kInf}, 0);
  expect_close(dvals(nb::tanh(t)), {1, -1, kNaN, 0, 0}, 0);
  expect_close(dvals(nb::sigmoid(t)), {1, 0, kNaN, 0.5, 0.5}, 0);
  expect_close(dvals(nb::sqrt(t)), {kInf, kNaN, kNaN, 0, 0}, 0);
  expect_close(dvals(nb::rsqrt(t)), {0, kNaN, kNaN, kInf, -kInf}, 0);
  expect_close(dvals(nb::relu(t)), {kInf, 0, kNaN, 0, 0}, 0);
  expect_close(dvals(nb::abs(t)), {kInf, kInf, kNaN, 0, 0}, 0);
  expect_close(dvals(nb::sign(t)), {1, -1, kNaN, 0, 0}, 0);
  expect_close(dvals(nb::floor(t)), {kInf, -kInf, kNaN, 0, 0}, 0);
  expect_close(dvals(nb::round(t)), {kInf, -kInf, kNaN, 0, 0}, 0);
  expect_close(dvals(nb::expm1(t)), {kInf, -1, kNaN, 0, 0}, 0);
  expect_close(dvals(nb::erf(t)), {1, -1, kNaN, 0, 0}, 0);
  // tanh(-0) and tanh of tiny values keep the sign (odd function).
  EXPECT_TRUE(std::signbit(nb::tanh(make<T>({-0.0}, {})).template item<T>()));
  EXPECT_TRUE(std::signbit(nb::negative(make<T>({0.0}, {})).template item<T>()));
  EXPECT_EQ(nb::tanh(make<T>({-1e-30}, {})).template item<T>(), T(-1e-30));
  EXPECT_EQ(nb::exp(make<T>({1000}, {})).template item<T>(), T(kInf));
  EXPECT_EQ(nb::exp(make<T>({-1000}, {})).template item<T>(), T(0));
}

TYPED_TEST(FloatTyped, RoundHalfToEvenFloorCeil) {
  using T = TypeParam;
  auto x = make<T>({-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 0.49999997, -3.7, 3.7, 1e10, -1e10});
  EXPECT_EQ(vals<T>(nb::round(x)), cast_vec<T>({-2, -2, -0.0, 0, 2, 2, 4, 0, -4, 4, 1e10, -1e10}));
  EXPECT_EQ(vals<T>(nb::floor(x)), cast_vec<T>({-3, -2, -1, 0, 1, 2, 3, 0, -4, 3, 1e10, -1e10}));
  EXPECT_EQ(vals<T>(nb::ceil(x)), cast_vec<T>({-2, -1, -0.0, 1, 2, 3, 4, 1, -3, 4, 1e10, -1e10}));
  EXPECT_TRUE(std::signbit(nb::ceil(make<T>({-0.5}, {})).template item<T>()));  // as std::ceil: -0
  // Large non-integers near the precision limit.
  const double big = std::is_same_v<T, float> ? 4194304.5 : 2251799813685248.5;  // 2^22 + .5, 2^51 + .5
  auto b = make<T>({big, -big});
  EXPECT_EQ(dvals(nb::floor(b)), (std::vector<double>{big - 0.5, -big - 0.5}));
  EXPECT_EQ(dvals(nb::ceil(b)), (std::vector<double>{big + 0.5, -big + 0.5}));
  EXPECT_EQ(dvals(nb::round(b)), (std::vector<double>{big - 0.5, -big + 0.5}));  // even neighbour
}

TYPED_TEST(FloatTyped, FloorDivModFollowTensorFlow) {
  using T = TypeParam;
  auto a = make<T>({7.5, -7.5, 7.5, -7.5, 6, 1, -1});
  auto b = make<T>({2, 2, -2, -2, 3, 0, 0});
  // floordiv = floor(a / b); division by zero gives +-inf.
  expect_close(dvals(nb::floordiv(a, b)), {3, -4, -4, 3, 2, kInf, -kInf}, 0);
  // floormod: sign of b; x % 0 is nan.
  expect_close(dvals(nb::mod(a, b)), {1.5, 0.5, -0.5, -1.5, 0, kNaN, kNaN}, 0);
  expect_close(dvals(a % T(0.75)), {0, 0, 0, 0, 0, 0.25, 0.5}, 1e-7);
}

TYPED_TEST(FloatTyped, PowMatchesCmath) {
  using T = TypeParam;
  const std::vector<double> a = {2, 2, 9, 0, -8, -2, 0.5, 10}, b = {10, -1, 0.5, 0, 1.0 / 3, 3, -2, 2.5};
  std::vector<double> want;
  for (size_t i = 0; i < a.size(); ++i) want.push_back(std::pow(double(T(a[i])), double(T(b[i]))));
  expect_close(dvals(nb::pow(make<T>(a), make<T>(b))), want, 2 * rtol<T>());
  EXPECT_TRUE(std::isnan(want[4]));  // (-8)^(1/3) is nan, also in nabla (checked above)
}

TYPED_TEST(FloatTyped, MinMaxPropagateNaN) {
  using T = TypeParam;
  auto a = make<T>({kNaN, 1, kNaN, -kInf, 3});
  auto b = make<T>({1, kNaN, kNaN, 0, 3});
  expect_close(dvals(nb::minimum(a, b)), {kNaN, kNaN, kNaN, -kInf, 3}, 0);
  expect_close(dvals(nb::maximum(a, b)), {kNaN, kNaN, kNaN, 0, 3}, 0);
  // clip_by_value keeps nan; bounds with lo > hi give lo (maximum(minimum(x, hi), lo)).
  expect_close(dvals(nb::clip_by_value(make<T>({kNaN, -5, 5, 0.5}), 0, 1)), {kNaN, 0, 1, 0.5}, 0);
  expect_close(dvals(nb::clip_by_value(make<T>({-5, 5, 0.5}), 3, 1)), {3, 3, 3}, 0);
  // A nan bound gives nan (minimum/maximum propagate it), with tensor and scalar bounds.
  expect_close(dvals(nb::clip_by_value(make<T>({0.5, 0.5, 7}), make<T>({kNaN, 0, 1}), make<T>({1, kNaN, 2}))),
               {kNaN, kNaN, 2}, 0);
  expect_close(dvals(nb::clip_by_value(make<T>({0.5, 9}), kNaN, 1.0)), {kNaN, kNaN}, 0);
}

TYPED_TEST(FloatTyped, ComparisonsWithNaN) {
  using T = TypeParam;
  auto a = make<T>({kNaN, kNaN, 1, -0.0});
  auto b = make<T>({kNaN, 1, kNaN, 0.0});
  EXPECT_EQ(bvals(nb::equal(a, b)), (std::vector<int>{0, 0, 0, 1}));  // -0 == 0
  EXPECT_EQ(bvals(nb::not_equal(a, b)), (std::vector<int>{1, 1, 1, 0}));
  EXPECT_EQ(bvals(nb::less(a, b)), (std::vector<int>{0, 0, 0, 0}));
  EXPECT_EQ(bvals(nb::less_equal(a, b)), (std::vector<int>{0, 0, 0, 1}));
  EXPECT_EQ(bvals(nb::greater(a, b)), (std::vector<int>{0, 0, 0, 0}));
  EXPECT_EQ(bvals(nb::greater_equal(a, b)), (std::vector<int>{0, 0, 0, 1}));
}

TYPED_TEST(FloatTyped, SigmoidIsStableForLargeMagnitudes) {
  using T = TypeParam;
  const std::vector<double> x = {-1000, -745, -100, -88, -40, -20, 20, 40, 100, 1000};
  auto s = dvals(nb::sigmoid(make<T>(x)));
  for (size_t i = 0; i < x.size(); ++i) {
    const double xv = x[i];
    // Independent reference: for x < 0, sigmoid(x) = e^x / (1 + e^x) in long double.
    const long double e = std::exp(-std::fabs((long double)xv));
    const double want = double(xv >= 0 ? 1.0L / (1.0L + e) : e / (1.0L + e));
    // Relative accuracy, down to the subnormal spacing of T.
    const double tol = std::max(4 * rtol<T>() * want, double(std::numeric_limits<T>::denorm_min()));
    EXPECT_NEAR(s[i], want, tol) << "x=" << xv;
    EXPECT_FALSE(std::isnan(s[i]));
  }
  EXPECT_GT(s[2], 0.0);  // sigmoid(-100) = 3.7e-44: not flushed to 0 in either dtype
}

// ---------------------------------------------------------------------------
// float32 functions with vectorised implementations: accuracy in ulp over the
// whole float range (every 4093rd bit pattern, ~1M values, both signs).

std::vector<float> float_sweep() {
  std::vector<float> xs;
  for (uint64_t b = 0; b < (uint64_t(1) << 32); b += 4093) xs.push_back(std::bit_cast<float>(uint32_t(b)));
  for (float v : {0.0f, -0.0f, kInfF, -kInfF, kNaNF, 1.0f, -1.0f, 88.72283f, 88.7229f, -87.33655f,
                  -103.972f, -103.98f, 0.625f, -0.625f, 1e-45f, 1.17549435e-38f, 3.4028235e38f})
    xs.push_back(v);
  return xs;
}

void check_ulp(const char* name, nb::Tensor (*op)(const nb::Tensor&), double (*ref)(double),
               double max_ulp) {
  const std::vector<float> xs = float_sweep();
  const std::vector<float> got = fvals(op(nb::constant(xs, {int64_t(xs.size())})));
  double worst = 0;
  float worst_x = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    const double e = ulp_error(got[i], ref(double(xs[i])));
    if (e > worst) { worst = e; worst_x = xs[i]; }
  }
  EXPECT_LE(worst, max_ulp) << name << ": worst error " << worst << " ulp at x=" << worst_x;
}

TEST(ElementwiseFloat32Accuracy, Exp) {
  check_ulp("exp", &nb::exp, [](double x) { return std::exp(x); }, 2.0);
}
TEST(ElementwiseFloat32Accuracy, Log) {
  check_ulp("log", &nb::log, [](double x) { return std::log(x); }, 2.0);
}
TEST(ElementwiseFloat32Accuracy, Tanh) {
  check_ulp("tanh", &nb::tanh, [](double x) { return std::tanh(x); }, 2.0);
}
TEST(ElementwiseFloat32Accuracy, Sigmoid) {
  check_ulp("sigmoid", &nb::sigmoid, [](double x) { return 1.0 / (1.0 + std::exp(-x)); }, 3.0);
}
TEST(ElementwiseFloat32Accuracy, SqrtAndRsqrt) {
  check_ulp("sqrt", &nb::sqrt, [](double x) { return std::sqrt(x); }, 0.5);
  check_ulp("rsqrt", &nb::rsqrt, [](double x) { return 1.0 / std::sqrt(x); }, 1.5);
}
TEST(ElementwiseFloat32Accuracy, ExpSubnormalResultsAndOverflowEdge) {
  // e^-100 = 3.72e-44 is subnormal in float32; e^88.7 is just below FLT_MAX.
  auto got = fvals(nb::exp(nb::constant({-100.0f, -90.0f, -87.5f, 88.7f, 88.73f})));
  const std::vector<double> want = {std::exp(double(-100.0f)), std::exp(double(-90.0f)),
                                    std::exp(double(-87.5f)), std::exp(double(88.7f)), kInf};
  for (size_t i = 0; i < got.size(); ++i) EXPECT_LE(ulp_error(got[i], want[i]), 1.0) << i;
  // Subnormal inputs to log.
  auto lg = fvals(nb::log(nb::constant({1e-45f, 1e-40f, 1.5e-39f})));
  EXPECT_LE(ulp_error(lg[0], std::log(double(1e-45f))), 1.0);
  EXPECT_LE(ulp_error(lg[1], std::log(double(1e-40f))), 1.0);
  EXPECT_LE(ulp_error(lg[2], std::log(double(1.5e-39f))), 1.0);
}

// ---------------------------------------------------------------------------
// Bool: logical ops, equality, select.

TEST(ElementwiseBool, LogicalTruthTables) {
  auto a = nb::constant({true, true, false, false});
  auto b = nb::constant({true, false, true, false});
  EXPECT_EQ(bvals(nb::logical_and(a, b)), (std::vector<int>{1, 0, 0, 0}));
  EXPECT_EQ(bvals(nb::logical_or(a, b)), (std::vector<int>{1, 1, 1, 0}));
  EXPECT_EQ(bvals(nb::logical_xor(a, b)), (std::vector<int>{0, 1, 1, 0}));
  EXPECT_EQ(bvals(nb::logical_not(a)), (std::vector<int>{0, 0, 1, 1}));
  EXPECT_EQ(bvals(a && b), (std::vector<int>{1, 0, 0, 0}));
  EXPECT_EQ(bvals(a || b), (std::vector<int>{1, 1, 1, 0}));
  EXPECT_EQ(bvals(!b), (std::vector<int>{0, 1, 0, 1}));
  EXPECT_EQ(bvals(a && true), (std::vector<int>{1, 1, 0, 0}));
  EXPECT_EQ(bvals(false || b), (std::vector<int>{1, 0, 1, 0}));
  EXPECT_EQ(bvals(nb::equal(a, b)), (std::vector<int>{1, 0, 0, 1}));
  EXPECT_EQ(bvals(nb::not_equal(a, b)), (std::vector<int>{0, 1, 1, 0}));
  EXPECT_EQ(bvals(a == b), (std::vector<int>{1, 0, 0, 1}));
}

TEST(ElementwiseBool, LogicalBroadcastAndStrided) {
  auto col = nb::constant({{true}, {false}});             // (2, 1)
  auto row = nb::constant({true, false, true});           // (3,)
  EXPECT_EQ(bvals(nb::logical_or(col, row)), (std::vector<int>{1, 1, 1, 1, 0, 1}));
  EXPECT_EQ(bvals(nb::logical_xor(col, row["::-1"])), (std::vector<int>{0, 1, 0, 1, 0, 1}));
  auto m = nb::constant({{true, false, false}, {true, true, false}});
  EXPECT_EQ(bvals(nb::logical_not(nb::transpose(m))), (std::vector<int>{0, 0, 1, 0, 1, 1}));
}

TEST(ElementwiseBool, SelectBoolAndHalfValuesAreCopiedExactly) {
  auto c = nb::constant({true, false, true});
  auto xb = nb::constant({true, true, true}), yb = nb::constant({false, false, false});
  EXPECT_EQ(bvals(nb::where(c, xb, yb)), (std::vector<int>{1, 0, 1}));
  auto xf = nb::cast(nb::constant({1.5f, -0.0f, 65504.0f}), nb::float16);
  auto yf = nb::cast(nb::constant({kNaNF, 2.0f, 3.0f}), nb::float16);
  auto r = nb::where(nb::constant({false, true, true}), xf, yf);
  EXPECT_EQ(r.dtype(), nb::float16);
  auto rv = fvals(r);
  EXPECT_TRUE(std::isnan(rv[0]));
  EXPECT_EQ(rv[1], 0.0f);
  EXPECT_TRUE(std::signbit(rv[1]));
  EXPECT_EQ(rv[2], 65504.0f);
  auto xbf = nb::cast(nb::constant({1.0f, 2.0f}), nb::bfloat16);
  auto ybf = nb::cast(nb::constant({3.0f, 4.0f}), nb::bfloat16);
  auto rb = nb::where(nb::constant({false, true}), xbf, ybf);
  EXPECT_EQ(rb.dtype(), nb::bfloat16);
  EXPECT_EQ(fvals(rb), (std::vector<float>{3, 2}));
}

TEST(ElementwiseSelect, BroadcastsConditionColumnAndScalars) {
  auto cond = nb::constant({{true}, {false}});  // (2, 1)
  auto x = nb::constant({1.f, 2.f, 3.f});       // (3,)
  auto y = nb::constant(-1.f);                  // ()
  auto r = nb::where(cond, x, y);
  EXPECT_EQ(r.shape(), (nb::Shape{2, 3}));
  EXPECT_EQ(fvals(r), (std::vector<float>{1, 2, 3, -1, -1, -1}));
  // Condition broadcasts against larger x/y with a transposed y.
  auto c1 = nb::constant({true, false});
  auto ym = nb::transpose(nb::constant({{10, 20}, {30, 40}}));  // [[10 30] [20 40]]
  auto xm = nb::constant({{1, 2}, {3, 4}});
  EXPECT_EQ(vals<int32_t>(nb::where(c1, xm, ym)), (std::vector<int32_t>{1, 30, 3, 40}));
}

TEST(ElementwiseSelect, Errors) {
  auto x = nb::constant({1.f, 2.f});
  expect_error<nb::InvalidArgument>([&] { nb::where(nb::constant({1, 0}), x, x); },
                                    "condition must be a bool tensor, got int32 [Op:Select]");
  expect_error<nb::InvalidArgument>([&] { nb::where(nb::constant({true, false}), x, nb::constant({1, 2})); },
                                    "expected to be a float32 tensor but is a int32 tensor [Op:Select]");
  expect_error<nb::InvalidArgument>([&] { nb::where(nb::constant({true, false, true}), x, x); },
                                    "Incompatible shapes: [3] vs. [2] [Op:Select]");
}

// ---------------------------------------------------------------------------
// Errors.

TEST(ElementwiseErrors, DtypeMismatchMessage) {
  expect_error<nb::InvalidArgument>(
      [] { nb::add(nb::constant({1.f, 2.f}), nb::constant({1, 2})); },
      "cannot compute Add as input #1(zero-based) was expected to be a float32 tensor but is a int32 "
      "tensor [Op:Add]");
  expect_error<nb::InvalidArgument>([] { nb::less(nb::constant({1.0}, nb::float64), nb::constant({1.f})); },
                                    "[Op:Less]");
  expect_error<nb::InvalidArgument>([] { nb::constant({1, 2}) * nb::constant({1.f, 2.f}); }, "[Op:Mul]");
}

TEST(ElementwiseErrors, IncompatibleShapesMessage) {
  expect_error<nb::InvalidArgument>([] { nb::add(nb::constant({1, 2}), nb::constant({1, 2, 3})); },
                                    "Incompatible shapes: [2] vs. [3] [Op:Add]");
  expect_error<nb::InvalidArgument>(
      [] { nb::maximum(nb::zeros({2, 3}), nb::zeros({3, 2})); }, "Incompatible shapes: [2,3] vs. [3,2] [Op:Maximum]");
  expect_error<nb::InvalidArgument>([] { nb::clip_by_value(nb::zeros({3}), nb::zeros({2, 3}), nb::zeros({})); },
                                    "[Op:ClipByValue]");
}

TEST(ElementwiseErrors, UnsupportedDtypes) {
  expect_error<nb::InvalidArgument>([] { nb::sqrt(nb::constant({4, 9})); },
                                    "op Sqrt does not accept dtype int32");
  expect_error<nb::InvalidArgument>([] { nb::sqrt(nb::constant({4, 9})); }, "[Op:Sqrt]");
  expect_error<nb::InvalidArgument>([] { nb::exp(nb::constant({true})); }, "[Op:Exp]");
  expect_error<nb::InvalidArgument>([] { nb::add(nb::constant({true}), nb::constant({true})); }, "[Op:Add]");
  expect_error<nb::InvalidArgument>([] { nb::less(nb::constant({true}), nb::constant({true})); }, "[Op:Less]");
  expect_error<nb::InvalidArgument>([] { nb::logical_and(nb::constant({1}), nb::constant({1})); },
                                    "[Op:LogicalAnd]");
  expect_error<nb::InvalidArgument>([] { nb::logical_not(nb::constant({1.f})); }, "[Op:LogicalNot]");
  expect_error<nb::InvalidArgument>([] { nb::floor(nb::constant({1})); }, "[Op:Floor]");
  expect_error<nb::InvalidArgument>([] { nb::add(nb::Tensor(), nb::constant({1})); }, "undefined");
}

TEST(ElementwiseErrors, DivisionByZeroInLargeParallelTensor) {
  // Large enough to be split across the thread pool; the zero is near the end.
  std::vector<int32_t> b(300000, 3);
  b[299990] = 0;
  auto tb = nb::constant(b, {int64_t(b.size())});
  auto ta = nb::ones({int64_t(b.size())}, nb::int32);
  expect_error<nb::InvalidArgument>([&] { nb::floordiv(ta, tb); }, "Integer division by zero [Op:FloorDiv]");
  expect_error<nb::InvalidArgument>([&] { ta % tb; }, "Integer division by zero [Op:FloorMod]");
}

// Every element-wise op has a CPU kernel for every dtype its definition
// accepts (half types through float32): no call ends in Unimplemented.
TEST(ElementwiseRegistry, EveryAcceptedDtypeHasAKernel) {
  const std::vector<std::pair<const char*, int>> ops = {
      {"Add", 2}, {"Sub", 2}, {"Mul", 2}, {"Div", 2}, {"FloorDiv", 2}, {"FloorMod", 2}, {"Pow", 2},
      {"Minimum", 2}, {"Maximum", 2}, {"Equal", 2}, {"NotEqual", 2}, {"Less", 2}, {"LessEqual", 2},
      {"Greater", 2}, {"GreaterEqual", 2}, {"LogicalAnd", 2}, {"LogicalOr", 2}, {"LogicalXor", 2},
      {"LogicalNot", 1}, {"Neg", 1}, {"Abs", 1}, {"Sign", 1}, {"Square", 1}, {"Sqrt", 1}, {"Rsqrt", 1},
      {"Exp", 1}, {"Log", 1}, {"Log1p", 1}, {"Expm1", 1}, {"Sin", 1}, {"Cos", 1}, {"Tan", 1},
      {"Tanh", 1}, {"Sigmoid", 1}, {"Relu", 1}, {"Erf", 1}, {"Round", 1}, {"Floor", 1}, {"Ceil", 1},
      {"ClipByValue", 3}, {"Select", 3}};
  int accepted = 0;
  for (const auto& [name, arity] : ops) {
    const nb::OpDef* def = nb::find_op(name);
    ASSERT_NE(def, nullptr) << name;
    for (int d = 0; d < nb::kNumDTypes; ++d) {
      const nb::DType dt = nb::DType(d);
      std::vector<nb::Tensor> in;
      for (int i = 0; i < arity; ++i)
        in.push_back(nb::ones({2}, std::string(name) == "Select" && i == 0 ? nb::bool_ : dt));
      try {
        auto out = nb::call_op1(*def, in);
        EXPECT_EQ(out.shape(), (nb::Shape{2})) << name;
        ++accepted;
        if (!nb::is_half(dt)) {
          EXPECT_NE(def->kernel(nb::DeviceType::CPU, dt), nullptr) << name << " " << nb::dtype_name(dt);
        }
      } catch (const nb::InvalidArgument& e) {
        // Rejected by the definition's dtype check: fine, but the message must say so.
        EXPECT_NE(std::string(e.what()).find("[Op:"), std::string::npos) << e.what();
      } catch (const nb::Error& e) {
        ADD_FAILURE() << name << " on " << nb::dtype_name(dt) << ": " << e.what();
      }
    }
  }
  EXPECT_GT(accepted, 250);
}

// ---------------------------------------------------------------------------
// Operators with tensors and C++ scalars.

TEST(ElementwiseOperators, TensorTensor) {
  auto a = nb::constant({7, -7, 6});
  auto b = nb::constant({2, 2, -4});
  EXPECT_EQ(vals<int32_t>(a + b), (std::vector<int32_t>{9, -5, 2}));
  EXPECT_EQ(vals<int32_t>(a - b), (std::vector<int32_t>{5, -9, 10}));
  EXPECT_EQ(vals<int32_t>(a * b), (std::vector<int32_t>{14, -14, -24}));
  EXPECT_EQ(vals<int32_t>(a / b), (std::vector<int32_t>{3, -3, -1}));
  EXPECT_EQ(vals<int32_t>(a % b), (std::vector<int32_t>{1, 1, -2}));
  EXPECT_EQ(bvals(a < b), (std::vector<int>{0, 1, 0}));
  EXPECT_EQ(bvals(a <= b), (std::vector<int>{0, 1, 0}));
  EXPECT_EQ(bvals(a > b), (std::vector<int>{1, 0, 1}));
  EXPECT_EQ(bvals(a >= b), (std::vector<int>{1, 0, 1}));
  EXPECT_EQ(bvals(a == a), (std::vector<int>{1, 1, 1}));
  EXPECT_EQ(bvals(a != b), (std::vector<int>{1, 1, 1}));
  EXPECT_EQ(vals<int32_t>(-a), (std::vector<int32_t>{-7, 7, -6}));
  EXPECT_EQ(bvals((a > b) && (b > 0)), (std::vector<int>{1, 0, 0}));
  EXPECT_EQ(bvals((a > b) || (b > 0)), (std::vector<int>{1, 1, 1}));
  EXPECT_EQ(bvals(!(a > b)), (std::vector<int>{0, 1, 0}));
}

TEST(ElementwiseOperators, ScalarsTakeTheTensorDtype) {
  auto f = nb::constant({1.f, 2.f, 4.f});
  auto r1 = f + 1;  // int scalar -> float32
  EXPECT_EQ(r1.dtype(), nb::float32);
  EXPECT_EQ(fvals(r1), (std::vector<float>{2, 3, 5}));
  EXPECT_EQ(fvals(1 - f), (std::vector<float>{0, -1, -3}));
  EXPECT_EQ(fvals(2.5 * f), (std::vector<float>{2.5, 5, 10}));
  EXPECT_EQ(fvals(f / 2), (std::vector<float>{0.5, 1, 2}));
  EXPECT_EQ(fvals(8 / f), (std::vector<float>{8, 4, 2}));
  EXPECT_EQ(fvals(f % 3), (std::vector<float>{1, 2, 1}));
  EXPECT_EQ(bvals(f < 2), (std::vector<int>{1, 0, 0}));
  EXPECT_EQ(bvals(2 <= f), (std::vector<int>{0, 1, 1}));
  EXPECT_EQ(bvals(f > 1.5), (std::vector<int>{0, 1, 1}));
  EXPECT_EQ(bvals(3 >= f), (std::vector<int>{1, 1, 0}));
  EXPECT_EQ(bvals(f == 4), (std::vector<int>{0, 0, 1}));
  EXPECT_EQ(bvals(2 != f), (std::vector<int>{1, 0, 1}));
  auto i = nb::constant({10, 20});
  auto r2 = i * 2.7;  // float scalar -> int32 (converted like tf.cast: truncation)
  EXPECT_EQ(r2.dtype(), nb::int32);
  EXPECT_EQ(vals<int32_t>(r2), (std::vector<int32_t>{20, 40}));
  auto d = nb::constant({1.0, 2.0}, nb::float64);
  EXPECT_EQ((d + 0.1).dtype(), nb::float64);
  EXPECT_EQ(dvals(d + 0.1), (std::vector<double>{1.1, 2.1}));  // 0.1 kept in double precision
  auto u = nb::constant(std::vector<uint8_t>{250, 3}, {2});
  EXPECT_EQ(vals<uint8_t>(u + 10), (std::vector<uint8_t>{4, 13}));
  auto h = nb::cast(f, nb::float16);
  EXPECT_EQ((h * 0.5).dtype(), nb::float16);
  EXPECT_EQ(fvals(h * 0.5), (std::vector<float>{0.5, 1, 2}));
}

// ---------------------------------------------------------------------------
// float16 / bfloat16 inputs: computed through float32, results in the half dtype.

TEST(ElementwiseHalf, ResultsStayInHalfDtypeAndMatchFloat32) {
  const std::vector<float> xs = {-3.5f, -1.25f, -0.1f, 0.0f, 0.3f, 1.0f, 2.75f, 7.0f};
  auto x32 = nb::constant(xs, {int64_t(xs.size())});
  for (nb::DType dt : {nb::float16, nb::bfloat16}) {
    const double tol = dt == nb::float16 ? 2e-3 : 1.6e-2;  // a couple of half ulps
    auto xh = nb::cast(x32, dt);
    auto xr = nb::cast(xh, nb::float32);  // the half-rounded inputs
    using UnaryFn = nb::Tensor (*)(const nb::Tensor&);
    for (UnaryFn fn : {UnaryFn(&nb::exp), UnaryFn(&nb::tanh), UnaryFn(&nb::sigmoid), UnaryFn(&nb::abs),
                       UnaryFn(&nb::negative), UnaryFn(&nb::square), UnaryFn(&nb::relu), UnaryFn(&nb::sin),
                       UnaryFn(&nb::floor), UnaryFn(&nb::round), UnaryFn(&nb::sign), UnaryFn(&nb::erf)}) {
      auto got = fn(xh);
      ASSERT_EQ(got.dtype(), dt);
      expect_close(dvals(got), dvals(fn(xr)), tol, 1e-6);
    }
    auto yh = nb::cast(nb::constant({2.f, 2.f, 2.f, 2.f, 2.f, 2.f, 2.f, 2.f}), dt);
    auto y32 = nb::cast(yh, nb::float32);
    using BinaryFn = nb::Tensor (*)(const nb::Tensor&, const nb::Tensor&);
    for (BinaryFn fn : {BinaryFn(&nb::add), BinaryFn(&nb::multiply), BinaryFn(&nb::maximum),
                        BinaryFn(&nb::minimum), BinaryFn(&nb::pow), BinaryFn(&nb::mod), BinaryFn(&nb::floordiv)}) {
      auto got = fn(xh, yh);
      ASSERT_EQ(got.dtype(), dt);
      expect_close(dvals(got), dvals(fn(xr, y32)), tol, 1e-6);
    }
    auto lt = nb::less(xh, yh);
    EXPECT_EQ(lt.dtype(), nb::bool_);
    EXPECT_EQ(bvals(lt), (std::vector<int>{1, 1, 1, 1, 1, 1, 0, 0}));
    EXPECT_EQ(bvals(nb::equal(xh, xh)), (std::vector<int>(8, 1)));
    auto cl = nb::clip_by_value(xh, -1, 1);
    EXPECT_EQ(cl.dtype(), dt);
    expect_close(dvals(cl), dvals(nb::clip_by_value(xr, -1, 1)), 0);
    auto sq = nb::sqrt(nb::abs(xh));
    EXPECT_EQ(sq.dtype(), dt);
    expect_close(dvals(sq), dvals(nb::sqrt(nb::abs(xr))), tol, 1e-6);
  }
}

// ---------------------------------------------------------------------------
// Large tensors (run in parallel chunks) against scalar references.

TEST(ElementwiseLarge, ParallelChunksMatchReference) {
  const int64_t rows = 513, cols = 1031;  // ~529k elements, odd sizes
  std::vector<float> a(static_cast<size_t>(rows * cols)), b(static_cast<size_t>(cols));
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> dist(-10, 10);
  for (auto& v : a) v = dist(rng);
  for (auto& v : b) v = dist(rng);
  auto ta = nb::constant(a, {rows, cols});
  auto tb = nb::constant(b, {cols});
  auto sum = fvals(nb::add(ta, tb));
  auto ex = fvals(nb::exp(ta));
  auto mx = fvals(nb::maximum(nb::transpose(nb::transpose(ta).contiguous()), tb));  // strided a
  auto lt = nb::less(ta, tb).to_vector<bool>();
  auto th = fvals(nb::tanh(ta["::-1"]));  // rows reversed
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      const size_t i = size_t(r * cols + c);
      ASSERT_EQ(sum[i], a[i] + b[size_t(c)]);
      ASSERT_LE(ulp_error(ex[i], std::exp(double(a[i]))), 2.0);
      ASSERT_EQ(mx[i], std::max(a[i], b[size_t(c)]));
      ASSERT_EQ(lt[i], a[i] < b[size_t(c)]);
      ASSERT_LE(ulp_error(th[i], std::tanh(double(a[size_t((rows - 1 - r) * cols + c)]))), 2.0);
    }
  }
}

TEST(ElementwiseEmpty, ZeroSizedShapesBroadcast) {
  auto e = nb::add(nb::zeros({0, 3}), nb::ones({1, 3}));
  EXPECT_EQ(e.shape(), (nb::Shape{0, 3}));
  EXPECT_EQ(nb::exp(nb::zeros({4, 0})).shape(), (nb::Shape{4, 0}));
  EXPECT_EQ(nb::where(nb::zeros({0}, nb::bool_), nb::ones({1}), nb::ones({})).shape(), (nb::Shape{0}));
}

// ---------------------------------------------------------------------------
// Randomised property test: random shapes up to rank 4 with random
// broadcasting and random memory layouts, against a naive reference loop.

struct RandomOperand {
  nb::Shape shape;
  std::vector<double> v;  // row-major values for `shape`
};

// A tensor with values v in shape s, laid out contiguously, as a transposed
// view, or as a view with a negative stride on axis 0.
nb::Tensor with_layout(const RandomOperand& op, nb::DType dt, int layout) {
  nb::Tensor c = nb::constant(op.v, op.shape, dt);
  if (op.shape.empty()) return c;
  if (layout == 1) return nb::transpose(nb::transpose(c).contiguous());
  if (layout == 2) return c["::-1"].contiguous()["::-1"];
  return c;
}

// Value of `op` at output multi-index `idx` (NumPy broadcasting from the right).
double at(const RandomOperand& op, const std::vector<int64_t>& idx) {
  const size_t off = idx.size() - op.shape.size();
  int64_t flat = 0;
  for (size_t d = 0; d < op.shape.size(); ++d) {
    const int64_t i = op.shape[d] == 1 ? 0 : idx[off + d];
    flat = flat * op.shape[d] + i;
  }
  return op.v[size_t(flat)];
}

class RandomBroadcast {
 public:
  explicit RandomBroadcast(uint32_t seed) : rng_(seed) {}
  nb::Shape out_shape() {
    const int rank = int(rng_() % 5);
    nb::Shape s;
    for (int d = 0; d < rank; ++d) s.push_back(int64_t(1 + rng_() % 4));
    return s;
  }
  // A shape that broadcasts to `out`: a suffix of it with some dims set to 1.
  nb::Shape operand_shape(const nb::Shape& out, bool full) {
    const size_t rank = full ? out.size() : size_t(rng_() % (out.size() + 1));
    nb::Shape s;
    for (size_t d = out.size() - rank; d < out.size(); ++d) s.push_back((!full && rng_() % 3 == 0) ? 1 : out[d]);
    return s;
  }
  RandomOperand operand(const nb::Shape& s, int lo, int hi, bool nonzero = false) {
    RandomOperand op{s, {}};
    std::uniform_int_distribution<int> dist(lo, hi);
    for (int64_t i = 0; i < s.num_elements(); ++i) {
      int v = dist(rng_);
      while (nonzero && v == 0) v = dist(rng_);
      op.v.push_back(double(v));
    }
    return op;
  }
  int layout() { return int(rng_() % 3); }
  std::mt19937& rng() { return rng_; }

 private:
  std::mt19937 rng_;
};

// Calls fn on every multi-index of `shape` in row-major order.
void for_each_index(const nb::Shape& shape, const std::function<void(const std::vector<int64_t>&)>& fn) {
  std::vector<int64_t> idx(shape.size(), 0);
  const int64_t n = shape.num_elements();
  for (int64_t k = 0; k < n; ++k) {
    fn(idx);
    for (int d = int(shape.size()) - 1; d >= 0; --d) {
      if (++idx[size_t(d)] < shape[size_t(d)]) break;
      idx[size_t(d)] = 0;
    }
  }
}

double py_floordiv(double a, double b) { return std::floor(a / b); }
double py_mod(double a, double b) { return a - b * std::floor(a / b); }

TEST(ElementwiseProperty, RandomBroadcastBinaryOpsMatchNaiveLoops) {
  struct BinCase {
    const char* name;
    nb::Tensor (*fn)(const nb::Tensor&, const nb::Tensor&);
    double (*ref)(double, double);
    bool nonzero_rhs;
  };
  const std::vector<BinCase> cases = {
      {"add", &nb::add, [](double a, double b) { return a + b; }, false},
      {"subtract", &nb::subtract, [](double a, double b) { return a - b; }, false},
      {"multiply", &nb::multiply, [](double a, double b) { return a * b; }, false},
      {"minimum", &nb::minimum, [](double a, double b) { return std::min(a, b); }, false},
      {"maximum", &nb::maximum, [](double a, double b) { return std::max(a, b); }, false},
      {"floordiv", &nb::floordiv, &py_floordiv, true},
      {"mod", &nb::mod, &py_mod, true},
      {"less", &nb::less, [](double a, double b) { return double(a < b); }, false},
      {"less_equal", &nb::less_equal, [](double a, double b) { return double(a <= b); }, false},
      {"greater", &nb::greater, [](double a, double b) { return double(a > b); }, false},
      {"equal", &nb::equal, [](double a, double b) { return double(a == b); }, false},
      {"not_equal", &nb::not_equal, [](double a, double b) { return double(a != b); }, false},
  };
  RandomBroadcast gen(20240601);
  int checked = 0;
  for (int iter = 0; iter < 60; ++iter) {
    const nb::Shape out = gen.out_shape();
    // Left full, right full, or both broadcast (e.g. (3, 1) with (1, 4)).
    const int full = int(gen.rng()() % 3);
    const nb::Shape sa = gen.operand_shape(out, full == 0);
    const nb::Shape sb = gen.operand_shape(out, full == 1);
    for (const BinCase& c : cases) {
      for (nb::DType dt : {nb::float32, nb::int32, nb::int8, nb::float64}) {
        const RandomOperand a = gen.operand(sa, -9, 9);
        const RandomOperand b = gen.operand(sb, -9, 9, c.nonzero_rhs);
        const int la = gen.layout(), lb = gen.layout();
        nb::Tensor r = c.fn(with_layout(a, dt, la), with_layout(b, dt, lb));
        // The broadcast shape of sa and sb (padding with 1s on the left).
        const size_t rank = std::max(sa.size(), sb.size());
        nb::Shape want_shape;
        for (size_t d = 0; d < rank; ++d) {
          const int64_t da = d + sa.size() >= rank ? sa[d + sa.size() - rank] : 1;
          const int64_t db = d + sb.size() >= rank ? sb[d + sb.size() - rank] : 1;
          want_shape.push_back(std::max(da, db));
        }
        ASSERT_EQ(r.shape(), want_shape) << c.name;
        const std::vector<double> got = dvals(r);
        size_t k = 0;
        for_each_index(want_shape, [&](const std::vector<int64_t>& idx) {
          const double want = c.ref(at(a, idx), at(b, idx));
          EXPECT_EQ(got[k], want) << c.name << " " << nb::dtype_name(dt) << " a" << sa.str() << " b"
                                  << sb.str() << " layouts " << la << "," << lb << " at flat " << k;
          ++k;
        });
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 60 * 12 * 4);
}

TEST(ElementwiseProperty, RandomBroadcastSelectAndClipMatchNaiveLoops) {
  RandomBroadcast gen(7);
  for (int iter = 0; iter < 150; ++iter) {
    const nb::Shape out = gen.out_shape();
    const RandomOperand c = gen.operand(gen.operand_shape(out, false), 0, 1);
    const RandomOperand x = gen.operand(gen.operand_shape(out, true), -9, 9);
    const RandomOperand y = gen.operand(gen.operand_shape(out, false), -9, 9);
    const nb::DType dt = iter % 3 == 0 ? nb::float32 : iter % 3 == 1 ? nb::int64 : nb::int16;
    nb::Tensor r = nb::where(with_layout(c, nb::bool_, gen.layout()), with_layout(x, dt, gen.layout()),
                             with_layout(y, dt, gen.layout()));
    ASSERT_EQ(r.shape(), out);
    std::vector<double> got = dvals(r);
    size_t k = 0;
    for_each_index(out, [&](const std::vector<int64_t>& idx) {
      EXPECT_EQ(got[k++], at(c, idx) != 0 ? at(x, idx) : at(y, idx)) << "select iter " << iter;
    });
    // clip: bounds broadcast to x's (full) shape; lo <= hi not required.
    const RandomOperand lo = gen.operand(gen.operand_shape(out, false), -5, 2);
    const RandomOperand hi = gen.operand(gen.operand_shape(out, false), -2, 5);
    r = nb::clip_by_value(with_layout(x, dt, gen.layout()), with_layout(lo, dt, gen.layout()),
                          with_layout(hi, dt, gen.layout()));
    ASSERT_EQ(r.shape(), out);
    got = dvals(r);
    k = 0;
    for_each_index(out, [&](const std::vector<int64_t>& idx) {
      EXPECT_EQ(got[k++], std::max(std::min(at(x, idx), at(hi, idx)), at(lo, idx))) << "clip iter " << iter;
    });
  }
}

TEST(ElementwiseProperty, RandomStridedUnaryOpsMatchCmath) {
  RandomBroadcast gen(99);
  std::uniform_real_distribution<double> dist(-6, 6);
  for (int iter = 0; iter < 40; ++iter) {
    const nb::Shape s = gen.out_shape();
    RandomOperand x{s, {}};
    for (int64_t i = 0; i < s.num_elements(); ++i) x.v.push_back(double(float(dist(gen.rng()))));
    const nb::Tensor t = with_layout(x, nb::float32, gen.layout());
    const auto e = fvals(nb::exp(t));
    const auto th = fvals(nb::tanh(t));
    const auto sg = fvals(nb::sigmoid(t));
    const auto ab = fvals(nb::abs(t));
    const auto fl = fvals(nb::floor(t));
    for (size_t i = 0; i < x.v.size(); ++i) {
      EXPECT_LE(ulp_error(e[i], std::exp(x.v[i])), 2.0);
      EXPECT_LE(ulp_error(th[i], std::tanh(x.v[i])), 2.0);
      EXPECT_LE(ulp_error(sg[i], 1.0 / (1.0 + std::exp(-x.v[i]))), 3.0);
      EXPECT_EQ(ab[i], float(std::fabs(x.v[i])));
      EXPECT_EQ(fl[i], float(std::floor(x.v[i])));
    }
  }
}

}  // namespace
