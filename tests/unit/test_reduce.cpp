// Reductions (reduce_sum/mean/max/min/prod/any/all/logsumexp), argmax/argmin,
// cumsum and moments: TensorFlow's documented values, a naive reference
// (double / exact integer arithmetic, written independently here) over random
// shapes, axes, keepdims, dtypes and strided views, errors, empty tensors,
// the accuracy of large float32 sums and thread-count independence.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include <nabla/nabla.h>

namespace nb = nabla;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<double> vals(const nb::Tensor& t) { return t.to_vector<double>(); }
std::vector<int64_t> ivals(const nb::Tensor& t) { return t.to_vector<int64_t>(); }

// Expects `fn` to throw E with a message containing every part of `parts`.
template <typename E>
void expect_error(const std::function<void()>& fn, const std::vector<std::string>& parts) {
  try {
    fn();
    ADD_FAILURE() << "expected an exception";
  } catch (const E& e) {
    const std::string msg = e.what();
    for (const auto& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "message: " << msg;
  }
}

// ------------------------------------------------------------ naive reference

// Reduces row-major `x` of `shape` over `axes` (normalised, any order) with
// `step(acc, v)` from `init`; returns one accumulator per output (row-major
// over the kept dims) and the count per output.
template <typename A, typename V>
std::vector<A> ref_reduce(const std::vector<V>& x, const nb::Shape& shape, const std::vector<int64_t>& axes,
                          A init, const std::function<A(A, V)>& step) {
  const int64_t r = shape.rank();
  std::vector<bool> red(size_t(r), false);
  for (int64_t a : axes) red[size_t(a)] = true;
  int64_t nout = 1;
  for (int64_t d = 0; d < r; ++d)
    if (!red[size_t(d)]) nout *= shape[size_t(d)];
  std::vector<A> out(size_t(nout), init);
  std::vector<int64_t> idx(size_t(r), 0);
  for (size_t flat = 0; flat < x.size(); ++flat) {
    int64_t rem = int64_t(flat), o = 0;
    for (int64_t d = r - 1; d >= 0; --d) {
      idx[size_t(d)] = rem % shape[size_t(d)];
      rem /= shape[size_t(d)];
    }
    for (int64_t d = 0; d < r; ++d)
      if (!red[size_t(d)]) o = o * shape[size_t(d)] + idx[size_t(d)];
    out[size_t(o)] = step(out[size_t(o)], x[flat]);
  }
  return out;
}

nb::Shape ref_shape(const nb::Shape& in, const std::vector<int64_t>& axes, bool keepdims) {
  nb::Shape s;
  for (int64_t d = 0; d < in.rank(); ++d) {
    if (std::find(axes.begin(), axes.end(), d) == axes.end()) s.push_back(in[size_t(d)]);
    else if (keepdims) s.push_back(1);
  }
  return s;
}

// Integer wrap-around to the width of `dt` (two's complement).
int64_t wrap(uint64_t v, nb::DType dt) {
  switch (dt) {
    case nb::DType::int8: return int8_t(uint8_t(v));
    case nb::DType::int16: return int16_t(uint16_t(v));
    case nb::DType::int32: return int32_t(uint32_t(v));
    case nb::DType::uint8: return uint8_t(v);
    default: return int64_t(v);
  }
}

// Identities of max/min per dtype (TensorFlow: -inf/+inf for floats, the
// lowest/highest value for integers).
double int_lowest(nb::DType dt) {
  switch (dt) {
    case nb::DType::int8: return -128;
    case nb::DType::int16: return -32768;
    case nb::DType::int32: return -2147483648.0;
    case nb::DType::int64: return -9223372036854775808.0;
    case nb::DType::uint8: return 0;
    default: return -kInf;
  }
}
double int_highest(nb::DType dt) {
  switch (dt) {
    case nb::DType::int8: return 127;
    case nb::DType::int16: return 32767;
    case nb::DType::int32: return 2147483647.0;
    case nb::DType::int64: return 9223372036854775807.0;
    case nb::DType::uint8: return 255;
    default: return kInf;
  }
}

// ------------------------------------------------------------ random inputs

struct Case {
  nb::Tensor x;      // possibly a strided view
  nb::Shape shape;   // its shape
  std::string view;  // how it was made (for messages)
};

// Random values for `dt`: floats in [lo, hi]; integers over a range that
// makes sums overflow int8/uint8 (wrap-around is checked).
std::vector<double> random_values(std::mt19937& g, int64_t n, nb::DType dt, double lo = -2, double hi = 2) {
  std::vector<double> v(static_cast<size_t>(n));
  if (nb::is_floating(dt)) {
    std::uniform_real_distribution<double> u(lo, hi);
    for (auto& e : v) e = u(g);
    if (dt == nb::float32) for (auto& e : v) e = double(float(e));
  } else {
    int64_t a = -100, b = 100;
    if (dt == nb::uint8) a = 0, b = 255;
    if (dt == nb::int16) a = -30000, b = 30000;
    if (dt == nb::int32) a = -2000000000, b = 2000000000;
    if (dt == nb::int64) a = -(int64_t(1) << 50), b = int64_t(1) << 50;
    if (dt == nb::bool_) a = 0, b = 1;
    std::uniform_int_distribution<int64_t> u(a, b);
    for (auto& e : v) e = double(u(g));
  }
  return v;
}

nb::Tensor make(const std::vector<double>& v, const nb::Shape& s, nb::DType dt) {
  if (nb::is_floating(dt)) return nb::constant(v, s, dt);
  std::vector<int64_t> iv(v.begin(), v.end());
  return nb::constant(iv, s, dt);
}

// A tensor of `shape` whose memory layout is one of: contiguous, transposed
// (a permuted contiguous tensor, then transposed back), reversed along axis 0
// or the last axis (negative strides), every second element of a larger
// tensor, or broadcast (zero strides).
Case random_case(std::mt19937& g, const nb::Shape& shape, nb::DType dt, int kind) {
  const int64_t r = shape.rank();
  const int64_t n = shape.num_elements();
  if (r == 0) kind = 0;
  switch (kind) {
    case 1: {  // transposed
      std::vector<int64_t> perm(static_cast<size_t>(r));
      std::iota(perm.begin(), perm.end(), 0);
      std::shuffle(perm.begin(), perm.end(), g);
      nb::Shape ps;
      for (int64_t p : perm) ps.push_back(shape[size_t(p)]);
      std::vector<int64_t> inv(static_cast<size_t>(r));
      for (int64_t i = 0; i < r; ++i) inv[size_t(perm[size_t(i)])] = i;
      nb::Tensor base = make(random_values(g, n, dt), ps, dt);
      return {nb::transpose(base, inv), shape, "transposed"};
    }
    case 2: {  // reversed axis 0
      return {make(random_values(g, n, dt), shape, dt)["::-1"], shape, "reversed axis 0"};
    }
    case 3: {  // reversed last axis
      return {make(random_values(g, n, dt), shape, dt)["..., ::-1"], shape, "reversed last axis"};
    }
    case 4: {  // every second element along the last axis
      nb::Shape big = shape;
      big[size_t(r - 1)] *= 2;
      return {make(random_values(g, big.num_elements(), dt), big, dt)["..., ::2"], shape, "step 2"};
    }
    case 5: {  // broadcast along axis 0
      nb::Shape one = shape;
      one[0] = 1;
      nb::Tensor base = make(random_values(g, one.num_elements(), dt), one, dt);
      return {nb::broadcast_to(base, shape), shape, "broadcast"};
    }
    default:
      return {make(random_values(g, n, dt), shape, dt), shape, "contiguous"};
  }
}

nb::Shape random_shape(std::mt19937& g, int64_t rank, bool allow_zero = false) {
  nb::Shape s;
  std::uniform_int_distribution<int64_t> d(1, 5);
  for (int64_t i = 0; i < rank; ++i) s.push_back(d(g));
  if (allow_zero && rank > 0 && g() % 8 == 0) s[size_t(g() % size_t(rank))] = 0;
  return s;
}

// A random subset of axes, written with random signs (negative = from the end).
std::vector<int64_t> random_axes(std::mt19937& g, int64_t rank, std::vector<int64_t>& normalised) {
  std::vector<int64_t> axes;
  normalised.clear();
  for (int64_t d = 0; d < rank; ++d)
    if (g() % 2) {
      normalised.push_back(d);
      axes.push_back(g() % 2 ? d - rank : d);
    }
  std::shuffle(axes.begin(), axes.end(), g);
  if (axes.empty()) {  // empty list means all axes
    for (int64_t d = 0; d < rank; ++d) normalised.push_back(d);
  }
  return axes;
}

std::string describe(const Case& c, const std::vector<int64_t>& axes, bool keepdims) {
  std::string s = "shape " + c.shape.str() + " (" + c.view + ") axes [";
  for (int64_t a : axes) s += std::to_string(a) + ",";
  return s + "] keepdims " + (keepdims ? "1" : "0") + " dtype " + std::string(nb::dtype_name(c.x.dtype()));
}

void expect_near_all(const std::vector<double>& got, const std::vector<double>& want, double rtol,
                     double atol, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << what << " at " << i;
    } else if (std::isinf(want[i])) {
      EXPECT_EQ(got[i], want[i]) << what << " at " << i;
    } else {
      EXPECT_NEAR(got[i], want[i], atol + rtol * std::abs(want[i])) << what << " at " << i;
    }
  }
}

// ============================================================ documented values

TEST(ReduceTF, DocumentedValues) {
  auto x = nb::constant({{1.f, 2.f}, {3.f, 4.f}});
  EXPECT_EQ(nb::reduce_sum(x).item<float>(), 10.f);
  EXPECT_EQ(nb::reduce_mean(x).item<float>(), 2.5f);
  EXPECT_EQ(nb::reduce_max(x).item<float>(), 4.f);
  EXPECT_EQ(nb::reduce_min(x).item<float>(), 1.f);
  EXPECT_EQ(nb::reduce_prod(x).item<float>(), 24.f);
  EXPECT_EQ(vals(nb::reduce_sum(x, {0})), (std::vector<double>{4, 6}));
  EXPECT_EQ(vals(nb::reduce_sum(x, {1})), (std::vector<double>{3, 7}));
  EXPECT_EQ(nb::reduce_sum(x).dtype(), nb::float32);
  EXPECT_EQ(nb::reduce_sum(x).shape(), nb::Shape{});
  EXPECT_EQ(nb::argmax(nb::constant({4, 0, 5, -4})).item<int64_t>(), 2);
  EXPECT_EQ(nb::argmax(nb::constant({4, 0, 5, -4})).dtype(), nb::int64);
  auto y = nb::constant({{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}});
  EXPECT_EQ(nb::reduce_sum(y).item<float>(), 21.f);
}

TEST(ReduceTF, KeepdimsAndNegativeAxes) {
  auto x = nb::constant({{1, 2, 3}, {4, 5, 6}});
  auto s = nb::reduce_sum(x, {-1}, true);
  EXPECT_EQ(s.shape(), (nb::Shape{2, 1}));
  EXPECT_EQ(ivals(s), (std::vector<int64_t>{6, 15}));
  EXPECT_EQ(s.dtype(), nb::int32);
  auto t = nb::reduce_max(x, {0, 1}, true);
  EXPECT_EQ(t.shape(), (nb::Shape{1, 1}));
  EXPECT_EQ(t.item<int32_t>(), 6);
  EXPECT_EQ(nb::reduce_min(x, {-2}).shape(), (nb::Shape{3}));
  EXPECT_EQ(ivals(nb::reduce_min(x, {-2})), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(ivals(nb::reduce_prod(x, {1})), (std::vector<int64_t>{6, 120}));
}

TEST(ReduceTF, IntegerMeanTruncatesTowardZero) {
  EXPECT_EQ(nb::reduce_mean(nb::constant({1, 2})).item<int32_t>(), 1);
  EXPECT_EQ(nb::reduce_mean(nb::constant({-1, -2})).item<int32_t>(), -1);
  EXPECT_EQ(ivals(nb::reduce_mean(nb::constant({{1, 2, 4}, {-7, 0, 0}}), {1})), (std::vector<int64_t>{2, -2}));
  // Accumulated wider than the dtype: the exact truncated mean.
  auto u = nb::constant(std::vector<int64_t>{200, 250, 255}, {3}, nb::uint8);
  EXPECT_EQ(nb::reduce_mean(u).item<int64_t>(), 235);
  EXPECT_EQ(nb::reduce_mean(u).dtype(), nb::uint8);
}

TEST(ReduceTF, IntegerSumsWrapAround) {
  auto a = nb::constant(std::vector<int64_t>{100, 100}, {2}, nb::int8);
  EXPECT_EQ(nb::reduce_sum(a).item<int64_t>(), -56);
  auto b = nb::constant(std::vector<int64_t>{2147483647, 1}, {2}, nb::int32);
  EXPECT_EQ(nb::reduce_sum(b).item<int64_t>(), -2147483648LL);
  auto c = nb::constant(std::vector<int64_t>{16, 16}, {2}, nb::uint8);
  EXPECT_EQ(nb::reduce_prod(c).item<int64_t>(), 0);  // 256 wraps to 0
}

TEST(ReduceTF, AnyAll) {
  auto b = nb::constant({{true, false}, {false, false}});
  EXPECT_TRUE(nb::reduce_any(b).item<bool>());
  EXPECT_FALSE(nb::reduce_all(b).item<bool>());
  EXPECT_EQ(nb::reduce_any(b, {1}).to_vector<bool>(), (std::vector<bool>{true, false}));
  EXPECT_EQ(nb::reduce_all(b, {0}).to_vector<bool>(), (std::vector<bool>{false, false}));
  EXPECT_EQ(nb::reduce_all(nb::constant({true, true})).item<bool>(), true);
  EXPECT_EQ(nb::reduce_any(b).dtype(), nb::bool_);
}

TEST(ReduceTF, MaxMinNaNPropagates) {
  auto x = nb::constant({1.f, NAN, 3.f});
  EXPECT_TRUE(std::isnan(nb::reduce_max(x).item<float>()));
  EXPECT_TRUE(std::isnan(nb::reduce_min(x).item<float>()));
  EXPECT_TRUE(std::isnan(nb::reduce_sum(x).item<float>()));
  auto y = nb::constant({-INFINITY, -1.f});
  EXPECT_EQ(nb::reduce_max(y).item<float>(), -1.f);
  EXPECT_EQ(nb::reduce_min(y).item<float>(), -INFINITY);
}

// ============================================================ more values per dtype

TEST(ReduceDtypes, Float64AndHalves) {
  auto d = nb::constant({{0.1, 0.2}, {0.3, 0.4}}, nb::float64);
  EXPECT_DOUBLE_EQ(nb::reduce_sum(d).item<double>(), 0.1 + 0.2 + 0.3 + 0.4);
  EXPECT_DOUBLE_EQ(nb::reduce_mean(d, {1}).to_vector<double>()[1], (0.3 + 0.4) / 2);
  auto h = nb::constant({1.5f, 2.25f, -0.75f}, nb::float16);
  EXPECT_EQ(nb::reduce_sum(h).dtype(), nb::float16);
  EXPECT_EQ(nb::reduce_sum(h).item<float>(), 3.0f);
  EXPECT_EQ(nb::reduce_max(h).item<float>(), 2.25f);
  EXPECT_EQ(nb::reduce_prod(h).item<float>(), -2.53125f);
  auto b = nb::constant({1.f, 2.f, 4.f, 8.f}, nb::bfloat16);
  EXPECT_EQ(nb::reduce_sum(b).item<float>(), 15.f);
  EXPECT_EQ(nb::reduce_mean(b).item<float>(), 3.75f);
  EXPECT_EQ(nb::reduce_min(b).dtype(), nb::bfloat16);
  EXPECT_EQ(nb::argmax(b).item<int64_t>(), 3);
}

TEST(ReduceDtypes, SmallIntegers) {
  auto u = nb::constant(std::vector<int64_t>{250, 3, 7}, {3}, nb::uint8);
  EXPECT_EQ(nb::reduce_sum(u).item<int64_t>(), 4);  // 260 mod 256
  EXPECT_EQ(nb::reduce_max(u).item<int64_t>(), 250);
  EXPECT_EQ(nb::reduce_min(u).item<int64_t>(), 3);
  EXPECT_EQ(nb::argmin(u).item<int64_t>(), 1);
  auto i16 = nb::constant(std::vector<int64_t>{-30000, -30000, 5}, {3}, nb::int16);
  EXPECT_EQ(nb::reduce_sum(i16).item<int64_t>(), 5541);  // -59995 + 65536
  EXPECT_EQ(nb::reduce_mean(i16).item<int64_t>(), -19998);
  EXPECT_EQ(nb::reduce_sum(i16).dtype(), nb::int16);
  auto i8 = nb::constant(std::vector<int64_t>{-128, 127, -1}, {3}, nb::int8);
  EXPECT_EQ(nb::reduce_min(i8).item<int64_t>(), -128);
  EXPECT_EQ(nb::reduce_prod(i8).item<int64_t>(), int64_t(int8_t(uint8_t(128 * 127))));
}

TEST(ReduceDtypes, Int64Extremes) {
  const int64_t big = std::numeric_limits<int64_t>::max();
  auto x = nb::constant(std::vector<int64_t>{big, 1}, {2}, nb::int64);
  EXPECT_EQ(nb::reduce_sum(x).item<int64_t>(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(nb::reduce_max(x).item<int64_t>(), big);
  auto y = nb::constant(std::vector<int64_t>{int64_t(1) << 40, int64_t(1) << 30}, {2}, nb::int64);
  EXPECT_EQ(nb::reduce_sum(y).item<int64_t>(), (int64_t(1) << 40) + (int64_t(1) << 30));
  EXPECT_EQ(nb::reduce_prod(y).item<int64_t>(), 0);  // 2^70 wraps to 0
}

TEST(ReduceDtypes, KeepdimsForEveryOp) {
  auto x = nb::constant({{1.f, 5.f, 3.f}, {4.f, 2.f, 6.f}});
  const nb::Shape k0{1, 3}, k1{2, 1};
  EXPECT_EQ(nb::reduce_sum(x, {0}, true).shape(), k0);
  EXPECT_EQ(nb::reduce_mean(x, {1}, true).shape(), k1);
  EXPECT_EQ(vals(nb::reduce_mean(x, {1}, true)), (std::vector<double>{3, 4}));
  EXPECT_EQ(vals(nb::reduce_max(x, {0}, true)), (std::vector<double>{4, 5, 6}));
  EXPECT_EQ(vals(nb::reduce_min(x, {1}, true)), (std::vector<double>{1, 2}));
  EXPECT_EQ(vals(nb::reduce_prod(x, {0}, true)), (std::vector<double>{4, 10, 18}));
  EXPECT_EQ(nb::reduce_logsumexp(x, {1}, true).shape(), k1);
  auto b = nb::constant({{true, false}, {true, true}});
  EXPECT_EQ(nb::reduce_all(b, {1}, true).shape(), (nb::Shape{2, 1}));
  EXPECT_EQ(nb::reduce_any(b, {}, true).shape(), (nb::Shape{1, 1}));
  EXPECT_EQ(nb::reduce_sum(x, {}, true).shape(), (nb::Shape{1, 1}));
  EXPECT_EQ(nb::reduce_sum(x, {}, true).item<float>(), 21.f);
}

// ============================================================ strided layouts

TEST(ReduceLayouts, TransposedThreeD) {
  // x[i][j][k] = 100 i + 10 j + k, viewed as (k, i, j).
  std::vector<int64_t> v;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k) v.push_back(100 * i + 10 * j + k);
  auto x = nb::transpose(nb::constant(v, {2, 3, 4}, nb::int64), {2, 0, 1});
  ASSERT_EQ(x.shape(), (nb::Shape{4, 2, 3}));
  // Sum over k (axis 0): 4 * (100 i + 10 j) + 6.
  std::vector<int64_t> want;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j) want.push_back(4 * (100 * i + 10 * j) + 6);
  EXPECT_EQ(ivals(nb::reduce_sum(x, {0})), want);
  // Max over (i, j) for each k: 100 + 20 + k.
  EXPECT_EQ(ivals(nb::reduce_max(x, {1, 2})), (std::vector<int64_t>{120, 121, 122, 123}));
  // Min over j (axis 2) for each (k, i): 100 i + k.
  EXPECT_EQ(ivals(nb::reduce_min(x, {-1})), (std::vector<int64_t>{0, 100, 1, 101, 2, 102, 3, 103}));
}

TEST(ReduceLayouts, NegativeStridesBothAxes) {
  auto x = nb::constant({{1, 2, 3}, {4, 5, 6}});
  auto r = x["::-1, ::-1"];
  EXPECT_EQ(ivals(nb::reduce_sum(r, {0})), (std::vector<int64_t>{9, 7, 5}));
  EXPECT_EQ(ivals(nb::reduce_sum(r, {1})), (std::vector<int64_t>{15, 6}));
  EXPECT_EQ(ivals(nb::reduce_max(r, {1}, true)), (std::vector<int64_t>{6, 3}));
  EXPECT_EQ(nb::reduce_sum(r).item<int32_t>(), 21);
}

TEST(ReduceLayouts, BroadcastViews) {
  auto s = nb::broadcast_to(nb::constant(0.5f), {1000, 1000});
  EXPECT_EQ(nb::reduce_sum(s).item<float>(), 500000.f);
  EXPECT_EQ(vals(nb::reduce_sum(s, {1}))[999], 500.0);
  auto row = nb::broadcast_to(nb::constant({1, 2, 3}), {4, 3});
  EXPECT_EQ(ivals(nb::reduce_sum(row, {0})), (std::vector<int64_t>{4, 8, 12}));
  EXPECT_EQ(ivals(nb::reduce_sum(row, {1})), (std::vector<int64_t>{6, 6, 6, 6}));
}

TEST(ReduceLayouts, SlicesWithOffsets) {
  auto x = nb::reshape(nb::arange(0, 30), {5, 6});
  auto v = x["1:4, 2::2"];  // rows 1..3, columns 2, 4
  ASSERT_EQ(v.shape(), (nb::Shape{3, 2}));
  EXPECT_EQ(ivals(nb::reduce_sum(v, {0})), (std::vector<int64_t>{8 + 14 + 20, 10 + 16 + 22}));
  EXPECT_EQ(ivals(nb::reduce_sum(v, {1})), (std::vector<int64_t>{18, 30, 42}));
  EXPECT_EQ(ivals(nb::argmax(v, 0)), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(ivals(nb::cumsum(v, 0)), (std::vector<int64_t>{8, 10, 22, 26, 42, 48}));
}

// ============================================================ empty tensors

TEST(ReduceEmpty, IdentitiesOfEmptyReductions) {
  auto e = nb::zeros({0, 3});
  auto s0 = nb::reduce_sum(e, {0});
  EXPECT_EQ(s0.shape(), (nb::Shape{3}));
  EXPECT_EQ(vals(s0), (std::vector<double>{0, 0, 0}));
  EXPECT_EQ(nb::reduce_sum(e, {1}).shape(), (nb::Shape{0}));
  EXPECT_EQ(nb::reduce_sum(e, {1}, true).shape(), (nb::Shape{0, 1}));
  EXPECT_EQ(nb::reduce_sum(e).item<float>(), 0.f);
  EXPECT_EQ(nb::reduce_prod(e).item<float>(), 1.f);
  EXPECT_EQ(nb::reduce_max(e).item<float>(), -INFINITY);
  EXPECT_EQ(nb::reduce_min(e).item<float>(), INFINITY);
  EXPECT_TRUE(std::isnan(nb::reduce_mean(e).item<float>()));
  EXPECT_EQ(nb::reduce_logsumexp(e).item<float>(), -INFINITY);
  EXPECT_EQ(vals(nb::reduce_max(e, {0})), (std::vector<double>{-kInf, -kInf, -kInf}));
  auto ei = nb::zeros({0}, nb::int32);
  EXPECT_EQ(nb::reduce_max(ei).item<int64_t>(), std::numeric_limits<int32_t>::lowest());
  EXPECT_EQ(nb::reduce_min(ei).item<int64_t>(), std::numeric_limits<int32_t>::max());
  EXPECT_EQ(nb::reduce_mean(ei).item<int64_t>(), 0);
  EXPECT_EQ(nb::reduce_max(nb::zeros({0}, nb::uint8)).item<int64_t>(), 0);
  auto eb = nb::zeros({2, 0}, nb::bool_);
  EXPECT_EQ(nb::reduce_any(eb, {1}).to_vector<bool>(), (std::vector<bool>{false, false}));
  EXPECT_EQ(nb::reduce_all(eb, {1}).to_vector<bool>(), (std::vector<bool>{true, true}));
}

TEST(ReduceEmpty, ScansAndArgOfEmpty) {
  auto e = nb::zeros({0, 4});
  EXPECT_EQ(nb::cumsum(e, 0).shape(), (nb::Shape{0, 4}));
  EXPECT_EQ(nb::cumsum(e, 1).shape(), (nb::Shape{0, 4}));
  EXPECT_EQ(nb::argmax(e, 1).shape(), (nb::Shape{0}));
  expect_error<nb::InvalidArgument>([&] { nb::argmax(e, 0); },
                                    {"Reduction axis 0 is empty in shape [0,4]", "[Op:ArgMax]"});
  expect_error<nb::InvalidArgument>([&] { nb::argmin(nb::zeros({0}), 0); }, {"[Op:ArgMin]"});
}

TEST(ReduceEmpty, ScalarInputs) {
  auto s = nb::constant(3.5f);
  EXPECT_EQ(nb::reduce_sum(s).item<float>(), 3.5f);
  EXPECT_EQ(nb::reduce_sum(s).shape(), nb::Shape{});
  EXPECT_EQ(nb::reduce_mean(s, {}, true).shape(), nb::Shape{});
  EXPECT_EQ(nb::reduce_logsumexp(s).item<float>(), 3.5f);
  EXPECT_EQ(nb::reduce_any(nb::constant(true)).item<bool>(), true);
  expect_error<nb::InvalidArgument>([&] { nb::reduce_sum(s, {0}); }, {"[Op:ReduceSum]"});
  expect_error<nb::InvalidArgument>([&] { nb::argmax(s, 0); }, {"[Op:ArgMax]"});
  expect_error<nb::InvalidArgument>([&] { nb::cumsum(s, 0); }, {"[Op:Cumsum]"});
}

TEST(ReduceEmpty, OnlySizeOneAxesReduced) {
  auto x = nb::reshape(nb::constant({1.f, 2.f, 3.f}), {3, 1});
  EXPECT_EQ(vals(nb::reduce_sum(x, {1})), (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(vals(nb::reduce_max(nb::transpose(x), {0})), (std::vector<double>{1, 2, 3}));
}

// ============================================================ errors

TEST(ReduceErrors, BadAxes) {
  auto x = nb::zeros({2, 3});
  expect_error<nb::InvalidArgument>([&] { nb::reduce_sum(x, {2}); },
                                    {"Invalid reduction dimension 2", "2 dimensions", "[Op:ReduceSum]"});
  expect_error<nb::InvalidArgument>([&] { nb::reduce_mean(x, {-3}); }, {"-3", "[Op:ReduceMean]"});
  expect_error<nb::InvalidArgument>([&] { nb::reduce_max(x, {0, -2}); },
                                    {"more than once", "[Op:ReduceMax]"});
  expect_error<nb::InvalidArgument>([&] { nb::argmax(x, 2); }, {"axis 2", "[Op:ArgMax]"});
  expect_error<nb::InvalidArgument>([&] { nb::cumsum(x, -3); }, {"-3", "[Op:Cumsum]"});
  expect_error<nb::InvalidArgument>([&] { nb::moments(x, {5}); }, {"[Op:ReduceMean]"});
}

TEST(ReduceErrors, WrongDtypes) {
  auto f = nb::zeros({2});
  auto b = nb::zeros({2}, nb::bool_);
  expect_error<nb::InvalidArgument>([&] { nb::reduce_any(f); }, {"float32", "bool", "[Op:ReduceAny]"});
  expect_error<nb::InvalidArgument>([&] { nb::reduce_all(nb::zeros({2}, nb::int32)); },
                                    {"int32", "[Op:ReduceAll]"});
  expect_error<nb::InvalidArgument>([&] { nb::reduce_sum(b); }, {"bool", "[Op:ReduceSum]"});
  expect_error<nb::InvalidArgument>([&] { nb::reduce_logsumexp(nb::zeros({2}, nb::int32)); },
                                    {"int32", "[Op:ReduceLogSumExp]"});
  expect_error<nb::InvalidArgument>([&] { nb::argmax(b); }, {"bool", "[Op:ArgMax]"});
  expect_error<nb::InvalidArgument>([&] { nb::cumsum(b); }, {"bool", "[Op:Cumsum]"});
}

TEST(ReduceErrors, UndefinedTensor) {
  nb::Tensor undefined;
  expect_error<nb::InvalidArgument>([&] { nb::reduce_sum(undefined); }, {"undefined", "[Op:ReduceSum]"});
  expect_error<nb::InvalidArgument>([&] { nb::softmax(undefined); }, {"undefined", "[Op:Softmax]"});
  expect_error<nb::InvalidArgument>([&] { nb::moments(undefined, {0}); }, {"undefined"});
}

TEST(ReduceErrors, RegistryEntries) {
  for (const char* name : {"ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceAny",
                           "ReduceAll", "ReduceLogSumExp", "ArgMax", "ArgMin", "Cumsum"}) {
    const nb::OpDef* op = nb::find_op(name);
    ASSERT_NE(op, nullptr) << name;
    EXPECT_EQ(op->min_inputs, 1);
    EXPECT_FALSE(op->kernel_dtypes(nb::DeviceType::CPU).empty()) << name;
  }
  EXPECT_EQ(nb::find_op("ReduceSum")->onnx_name, "ReduceSum");
  EXPECT_EQ(nb::find_op("Cumsum")->onnx_name, "CumSum");
  EXPECT_FALSE(nb::find_op("ArgMax")->differentiable);
  EXPECT_FALSE(nb::find_op("ReduceAny")->differentiable);
  EXPECT_TRUE(nb::find_op("ReduceSum")->differentiable);
}

TEST(ReduceErrors, CallThroughTheRegistry) {
  // Graph/ONNX code calls ops by name with attributes; defaults apply.
  const nb::OpDef& sum = *nb::find_op("ReduceSum");
  auto x = nb::constant({{1, 2}, {3, 4}});
  EXPECT_EQ(nb::call_op1(sum, {x}).item<int32_t>(), 10);
  auto k = nb::call_op1(sum, {x}, {{"axes", std::vector<int64_t>{0}}, {"keepdims", true}});
  EXPECT_EQ(k.shape(), (nb::Shape{1, 2}));
  EXPECT_EQ(ivals(k), (std::vector<int64_t>{4, 6}));
  auto c = nb::call_op1(*nb::find_op("Cumsum"), {x}, {{"axis", int64_t(1)}});
  EXPECT_EQ(ivals(c), (std::vector<int64_t>{1, 3, 3, 7}));
  expect_error<nb::InvalidArgument>([&] { nb::call_op(sum, std::vector<nb::Tensor>{x, x}); },
                                    {"expected 1 inputs, got 2", "[Op:ReduceSum]"});
}

TEST(ReduceRandom, HighRankViews) {
  std::mt19937 g(550);
  for (int c = 0; c < 30; ++c) {
    const int64_t rank = 5 + int64_t(g() % 3);
    nb::Shape shape;
    for (int64_t d = 0; d < rank; ++d) shape.push_back(1 + int64_t(g() % 3));
    const Case cs = random_case(g, shape, nb::float64, int(g() % 5));
    std::vector<int64_t> norm;
    const auto axes = random_axes(g, rank, norm);
    const std::vector<double> xv = vals(cs.x);
    const auto want = ref_reduce<double, double>(xv, shape, norm, 0.0, [](double a, double b) { return a + b; });
    expect_near_all(vals(nb::reduce_sum(cs.x, axes)), want, 1e-12, 1e-12, describe(cs, axes, false));
    const auto mx = ref_reduce<double, double>(xv, shape, norm, -kInf, [](double a, double b) { return std::max(a, b); });
    EXPECT_EQ(vals(nb::reduce_max(cs.x, axes, true)), mx) << describe(cs, axes, true);
  }
}

// ============================================================ random vs reference

struct RandomSpec {
  const char* op;
  std::vector<nb::DType> dtypes;
};

// reduce_sum/mean/max/min over random shapes (rank 0-4), axes, keepdims,
// layouts and dtypes against the reference.
void check_random_reduction(const std::string& op, nb::DType dt, uint32_t seed, int cases) {
  std::mt19937 g(seed);
  for (int c = 0; c < cases; ++c) {
    const int64_t rank = int64_t(g() % 5);
    const nb::Shape shape = random_shape(g, rank, true);
    const Case cs = random_case(g, shape, dt, int(g() % 6));
    std::vector<int64_t> norm;
    const std::vector<int64_t> axes = random_axes(g, rank, norm);
    const bool keepdims = g() % 2;
    const std::string what = op + " " + describe(cs, axes, keepdims);
    const std::vector<double> xv = vals(cs.x);
    nb::Tensor got;
    std::vector<double> want;
    if (op == "sum" || op == "mean") {
      got = op == "sum" ? nb::reduce_sum(cs.x, axes, keepdims) : nb::reduce_mean(cs.x, axes, keepdims);
      if (nb::is_floating(dt)) {
        auto acc = ref_reduce<std::pair<double, int64_t>, double>(
            xv, shape, norm, {0.0, 0}, [](std::pair<double, int64_t> a, double v) {
              return std::pair<double, int64_t>{a.first + v, a.second + 1};
            });
        for (auto& [s, n] : acc) want.push_back(op == "sum" ? s : (n ? s / double(n) : kNaN));
      } else {
        auto acc = ref_reduce<std::pair<uint64_t, int64_t>, double>(
            xv, shape, norm, {0, 0}, [](std::pair<uint64_t, int64_t> a, double v) {
              return std::pair<uint64_t, int64_t>{a.first + uint64_t(int64_t(v)), a.second + 1};
            });
        for (auto& [s, n] : acc) {
          if (op == "sum") want.push_back(double(wrap(s, dt)));
          else want.push_back(n ? double(int64_t(s) / n) : 0.0);
        }
      }
    } else {
      const bool mx = op == "max";
      got = mx ? nb::reduce_max(cs.x, axes, keepdims) : nb::reduce_min(cs.x, axes, keepdims);
      const double init = mx ? int_lowest(dt) : int_highest(dt);
      want = ref_reduce<double, double>(xv, shape, norm, init, [mx](double a, double v) {
        return mx ? std::max(a, v) : std::min(a, v);
      });
    }
    ASSERT_EQ(got.shape(), ref_shape(shape, norm, keepdims)) << what;
    ASSERT_EQ(got.dtype(), dt) << what;
    double rtol = 0;
    if (dt == nb::float32) rtol = 1e-5;
    if (dt == nb::float64) rtol = 1e-12;
    if (nb::is_half(dt)) rtol = dt == nb::bfloat16 ? 1e-2 : 2e-3;
    expect_near_all(vals(got), want, rtol, rtol * 10, what);
  }
}

const std::vector<nb::DType> kAllNumeric = {nb::float32, nb::float64, nb::int8,    nb::int16, nb::int32,
                                            nb::int64,   nb::uint8,   nb::float16, nb::bfloat16};

TEST(ReduceRandom, SumEveryDtype) {
  uint32_t seed = 11;
  for (nb::DType dt : kAllNumeric) check_random_reduction("sum", dt, seed++, 60);
}
TEST(ReduceRandom, MeanEveryDtype) {
  uint32_t seed = 101;
  for (nb::DType dt : kAllNumeric) check_random_reduction("mean", dt, seed++, 60);
}
TEST(ReduceRandom, MaxEveryDtype) {
  uint32_t seed = 201;
  for (nb::DType dt : kAllNumeric) check_random_reduction("max", dt, seed++, 60);
}
TEST(ReduceRandom, MinEveryDtype) {
  uint32_t seed = 301;
  for (nb::DType dt : kAllNumeric) check_random_reduction("min", dt, seed++, 60);
}

TEST(ReduceRandom, ProdEveryDtype) {
  std::mt19937 g(401);
  for (nb::DType dt : kAllNumeric) {
    for (int c = 0; c < 40; ++c) {
      const int64_t rank = int64_t(g() % 4);
      const nb::Shape shape = random_shape(g, rank, true);
      const int64_t n = shape.num_elements();
      std::vector<double> v = nb::is_floating(dt) ? random_values(g, n, dt, 0.5, 1.5) : random_values(g, n, dt);
      if (nb::is_half(dt)) v = vals(nb::cast(nb::constant(v, shape, dt), nb::float64));
      nb::Tensor x = make(v, shape, dt);
      if (rank >= 2 && g() % 2) x = nb::transpose(nb::transpose(x));  // same values
      std::vector<int64_t> norm;
      const auto axes = random_axes(g, rank, norm);
      const nb::Tensor got = nb::reduce_prod(x, axes);
      std::vector<double> want;
      if (nb::is_floating(dt)) {
        want = ref_reduce<double, double>(v, shape, norm, 1.0, [](double a, double b) { return a * b; });
      } else {
        for (uint64_t p : ref_reduce<uint64_t, double>(v, shape, norm, 1, [](uint64_t a, double b) {
               return a * uint64_t(int64_t(b));
             }))
          want.push_back(double(wrap(p, dt)));
      }
      const double rtol = dt == nb::float64 ? 1e-12 : dt == nb::float32 ? 1e-5 : nb::is_half(dt) ? 2e-2 : 0;
      expect_near_all(vals(got), want, rtol, 0, std::string("prod ") + std::string(nb::dtype_name(dt)));
    }
  }
}

TEST(ReduceRandom, AnyAllOverLayouts) {
  std::mt19937 g(501);
  for (int c = 0; c < 120; ++c) {
    const int64_t rank = int64_t(g() % 5);
    const nb::Shape shape = random_shape(g, rank, true);
    const Case cs = random_case(g, shape, nb::bool_, int(g() % 6));
    std::vector<int64_t> norm;
    const auto axes = random_axes(g, rank, norm);
    const bool keepdims = g() % 2;
    const std::vector<double> xv = vals(cs.x);
    auto any = ref_reduce<double, double>(xv, shape, norm, 0, [](double a, double v) { return (a != 0 || v != 0) ? 1.0 : 0.0; });
    auto all = ref_reduce<double, double>(xv, shape, norm, 1, [](double a, double v) { return (a != 0 && v != 0) ? 1.0 : 0.0; });
    const std::string what = describe(cs, axes, keepdims);
    EXPECT_EQ(vals(nb::reduce_any(cs.x, axes, keepdims)), any) << what;
    EXPECT_EQ(vals(nb::reduce_all(cs.x, axes, keepdims)), all) << what;
    EXPECT_EQ(nb::reduce_all(cs.x, axes, keepdims).shape(), ref_shape(shape, norm, keepdims)) << what;
  }
}

TEST(ReduceRandom, LogSumExpOverLayouts) {
  std::mt19937 g(601);
  for (nb::DType dt : {nb::float32, nb::float64, nb::float16}) {
    for (int c = 0; c < 80; ++c) {
      const int64_t rank = int64_t(g() % 5);
      const nb::Shape shape = random_shape(g, rank, true);
      const Case cs = random_case(g, shape, dt, int(g() % 6));
      std::vector<int64_t> norm;
      const auto axes = random_axes(g, rank, norm);
      const bool keepdims = g() % 2;
      const std::vector<double> xv = vals(cs.x);
      auto mx = ref_reduce<double, double>(xv, shape, norm, -kInf, [](double a, double v) { return std::max(a, v); });
      auto se = ref_reduce<double, double>(xv, shape, norm, 0.0, [](double a, double v) { return a + std::exp(v); });
      std::vector<double> want;
      for (size_t i = 0; i < se.size(); ++i) want.push_back(std::log(se[i]));
      const std::string what = describe(cs, axes, keepdims);
      const nb::Tensor got = nb::reduce_logsumexp(cs.x, axes, keepdims);
      EXPECT_EQ(got.shape(), ref_shape(shape, norm, keepdims)) << what;
      const double tol = dt == nb::float64 ? 1e-12 : dt == nb::float32 ? 2e-6 : 2e-3;
      expect_near_all(vals(got), want, tol, tol, what);
    }
  }
}

// ============================================================ logsumexp specials

TEST(ReduceLogSumExp, StableAndSpecialValues) {
  auto big = nb::constant({1000.f, 1000.f});
  EXPECT_NEAR(nb::reduce_logsumexp(big).item<float>(), 1000.f + std::log(2.f), 1e-3);
  auto small = nb::constant({-1000.0, -1000.0}, nb::float64);
  EXPECT_NEAR(nb::reduce_logsumexp(small).item<double>(), -1000.0 + std::log(2.0), 1e-12);
  auto ninf = nb::constant({{-INFINITY, -INFINITY}, {0.f, -INFINITY}});
  auto r = vals(nb::reduce_logsumexp(ninf, {1}));
  EXPECT_EQ(r[0], -kInf);
  EXPECT_EQ(r[1], 0.0);
  EXPECT_EQ(vals(nb::reduce_logsumexp(nb::transpose(ninf), {0}))[0], -kInf);  // strided path
  EXPECT_EQ(nb::reduce_logsumexp(nb::constant({INFINITY, 1.f})).item<float>(), INFINITY);
  EXPECT_TRUE(std::isnan(nb::reduce_logsumexp(nb::constant({NAN, 1.f})).item<float>()));
  EXPECT_NEAR(nb::reduce_logsumexp(nb::constant({{1.f, 2.f}, {3.f, 4.f}})).item<float>(),
              std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0) + std::exp(4.0)), 1e-5);
}

TEST(ReduceLogSumExp, HandComputedAxes) {
  // rows: log(1 + 1) = log 2, log(3 + 1) = log 4.
  auto x = nb::constant({{0.0, 0.0}, {std::log(3.0), 0.0}}, nb::float64);
  auto r = nb::reduce_logsumexp(x, {1}, true);
  EXPECT_EQ(r.shape(), (nb::Shape{2, 1}));
  EXPECT_NEAR(vals(r)[0], std::log(2.0), 1e-15);
  EXPECT_NEAR(vals(r)[1], std::log(4.0), 1e-15);
  auto c = vals(nb::reduce_logsumexp(x, {0}));
  EXPECT_NEAR(c[0], std::log(4.0), 1e-15);
  EXPECT_NEAR(c[1], std::log(2.0), 1e-15);
  EXPECT_NEAR(nb::reduce_logsumexp(x).item<double>(), std::log(6.0), 1e-15);
}

// ============================================================ argmax / argmin

TEST(ArgMax, TiesNaNAndAxes) {
  EXPECT_EQ(nb::argmax(nb::constant({1, 3, 3, 2})).item<int64_t>(), 1);  // first on ties
  EXPECT_EQ(nb::argmin(nb::constant({2, 1, 3, 1})).item<int64_t>(), 1);
  // NaN wins (the first NaN), for argmax and argmin alike.
  EXPECT_EQ(nb::argmax(nb::constant({1.f, NAN, 5.f, NAN})).item<int64_t>(), 1);
  EXPECT_EQ(nb::argmin(nb::constant({1.f, -2.f, NAN})).item<int64_t>(), 2);
  EXPECT_EQ(nb::argmax(nb::constant({NAN, 5.f})).item<int64_t>(), 0);
  auto x = nb::constant({{1, 9, 3}, {7, 2, 8}});
  EXPECT_EQ(ivals(nb::argmax(x, 0)), (std::vector<int64_t>{1, 0, 1}));
  EXPECT_EQ(ivals(nb::argmax(x, 1)), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(ivals(nb::argmax(x, -1)), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(ivals(nb::argmin(x, 0)), (std::vector<int64_t>{0, 1, 0}));
  EXPECT_EQ(ivals(nb::argmin(x, -1)), (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(ivals(nb::argmax(nb::transpose(x), 0)), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(ivals(nb::argmax(x["::-1"], 0)), (std::vector<int64_t>{0, 1, 0}));
  EXPECT_EQ(nb::argmax(nb::constant({-INFINITY, INFINITY, INFINITY})).item<int64_t>(), 1);
}

// Long rows (vectorised value pass) with NaN, ties and extremes at the ends.
TEST(ArgMax, LongRows) {
  std::vector<float> v(1000);
  for (size_t i = 0; i < v.size(); ++i) v[i] = float(i % 97);
  auto x = nb::constant(v, {1000});
  EXPECT_EQ(nb::argmax(x).item<int64_t>(), 96);
  EXPECT_EQ(nb::argmin(x).item<int64_t>(), 0);
  v[999] = 500.f;
  v[3] = -1.f;
  EXPECT_EQ(nb::argmax(nb::constant(v, {1000})).item<int64_t>(), 999);
  EXPECT_EQ(nb::argmin(nb::constant(v, {1000})).item<int64_t>(), 3);
  v[700] = NAN;
  EXPECT_EQ(nb::argmax(nb::constant(v, {1000})).item<int64_t>(), 700);
  EXPECT_EQ(nb::argmin(nb::constant(v, {1000})).item<int64_t>(), 700);
  std::vector<int64_t> iv(300, 5);
  iv[250] = std::numeric_limits<int64_t>::max();
  iv[260] = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(nb::argmax(nb::constant(iv, {300})).item<int64_t>(), 250);
}

TEST(ArgMax, RandomVsReference) {
  std::mt19937 g(701);
  for (nb::DType dt : kAllNumeric) {
    for (int c = 0; c < 30; ++c) {
      const int64_t rank = 1 + int64_t(g() % 4);
      const nb::Shape shape = random_shape(g, rank);
      const Case cs = random_case(g, shape, dt, int(g() % 5));
      const int64_t axis = int64_t(g() % uint32_t(rank)) - (g() % 2 ? rank : 0);
      const int64_t ax = axis < 0 ? axis + rank : axis;
      const std::vector<double> xv = vals(cs.x);
      // Reference: scan along the axis keeping the first strict improvement.
      for (bool mx : {true, false}) {
        std::vector<int64_t> want;
        int64_t outer = 1, inner = 1;
        for (int64_t d = 0; d < ax; ++d) outer *= shape[size_t(d)];
        for (int64_t d = ax + 1; d < rank; ++d) inner *= shape[size_t(d)];
        const int64_t n = shape[size_t(ax)];
        for (int64_t o = 0; o < outer; ++o)
          for (int64_t i = 0; i < inner; ++i) {
            int64_t best = 0;
            for (int64_t k = 1; k < n; ++k) {
              const double v = xv[size_t((o * n + k) * inner + i)], b = xv[size_t((o * n + best) * inner + i)];
              if (mx ? v > b : v < b) best = k;
            }
            want.push_back(best);
          }
        const nb::Tensor got = mx ? nb::argmax(cs.x, axis) : nb::argmin(cs.x, axis);
        EXPECT_EQ(ivals(got), want) << (mx ? "argmax " : "argmin ") << describe(cs, {axis}, false);
        EXPECT_EQ(got.dtype(), nb::int64);
      }
    }
  }
}

TEST(ArgMax, ColumnsPathLarge) {
  // (outer, n, inner) with inner > 1 and many columns: the column sweep.
  std::mt19937 g(702);
  const int64_t n = 37, inner = 300;
  std::vector<double> v = random_values(g, 2 * n * inner, nb::float32);
  auto x = nb::constant(v, {2, n, inner}, nb::float32);
  auto got = ivals(nb::argmax(x, 1));
  for (int64_t o = 0; o < 2; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      int64_t best = 0;
      for (int64_t k = 1; k < n; ++k)
        if (v[size_t((o * n + k) * inner + i)] > v[size_t((o * n + best) * inner + i)]) best = k;
      ASSERT_EQ(got[size_t(o * inner + i)], best);
    }
}

TEST(ArgMax, IntegerDtypesAndMiddleAxis) {
  auto u = nb::constant(std::vector<int64_t>{3, 255, 0, 255}, {4}, nb::uint8);
  EXPECT_EQ(nb::argmax(u).item<int64_t>(), 1);
  EXPECT_EQ(nb::argmin(u).item<int64_t>(), 2);
  auto s = nb::constant(std::vector<int64_t>{-5, -32768, 7, -32768}, {4}, nb::int16);
  EXPECT_EQ(nb::argmin(s).item<int64_t>(), 1);
  EXPECT_EQ(nb::argmax(s).item<int64_t>(), 2);
  // (2, 3, 2): argmax over the middle axis.
  auto x = nb::constant({{{1, 9}, {5, 2}, {3, 9}}, {{0, 0}, {0, 1}, {-1, 1}}});
  auto a = nb::argmax(x, 1);
  EXPECT_EQ(a.shape(), (nb::Shape{2, 2}));
  EXPECT_EQ(ivals(a), (std::vector<int64_t>{1, 0, 0, 1}));
  EXPECT_EQ(ivals(nb::argmin(x, -2)), (std::vector<int64_t>{0, 1, 2, 0}));
}

TEST(ArgMax, ThreadCountDoesNotChangeResults) {
  std::mt19937 g(703);
  auto x = nb::constant(random_values(g, 512 * 300, nb::int8), {512, 300}, nb::int8);
  const int saved = nb::get_num_threads();
  nb::set_num_threads(1);
  const auto a1 = ivals(nb::argmax(x, 1)), b1 = ivals(nb::argmin(x, 0)), c1 = ivals(nb::cumsum(x, 0));
  nb::set_num_threads(2);
  const auto a2 = ivals(nb::argmax(x, 1)), b2 = ivals(nb::argmin(x, 0)), c2 = ivals(nb::cumsum(x, 0));
  nb::set_num_threads(saved);
  EXPECT_EQ(a1, a2);
  EXPECT_EQ(b1, b2);
  EXPECT_EQ(c1, c2);
}

// ============================================================ cumsum

TEST(Cumsum, HandComputed) {
  auto x = nb::constant({1, 2, 3});
  EXPECT_EQ(ivals(nb::cumsum(x)), (std::vector<int64_t>{1, 3, 6}));
  EXPECT_EQ(ivals(nb::cumsum(x, 0, true)), (std::vector<int64_t>{0, 1, 3}));
  EXPECT_EQ(ivals(nb::cumsum(x, 0, false, true)), (std::vector<int64_t>{6, 5, 3}));
  EXPECT_EQ(ivals(nb::cumsum(x, 0, true, true)), (std::vector<int64_t>{5, 3, 0}));
  auto y = nb::constant({{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}});
  EXPECT_EQ(vals(nb::cumsum(y, 0)), (std::vector<double>{1, 2, 3, 5, 7, 9}));
  EXPECT_EQ(vals(nb::cumsum(y, 1)), (std::vector<double>{1, 3, 6, 4, 9, 15}));
  EXPECT_EQ(vals(nb::cumsum(y, -1, true, true)), (std::vector<double>{5, 3, 0, 11, 6, 0}));
  EXPECT_EQ(vals(nb::cumsum(nb::transpose(y), 1)), (std::vector<double>{1, 5, 2, 7, 3, 9}));
  EXPECT_EQ(nb::cumsum(y, 1).dtype(), nb::float32);
  auto w = nb::constant(std::vector<int64_t>{100, 100, 100}, {3}, nb::int8);
  EXPECT_EQ(ivals(nb::cumsum(w)), (std::vector<int64_t>{100, -56, 44}));
}

TEST(Cumsum, ExclusiveReverseOnColumns) {
  auto x = nb::constant({{1, 2}, {3, 4}, {5, 6}});
  EXPECT_EQ(ivals(nb::cumsum(x, 0, true, true)), (std::vector<int64_t>{8, 10, 5, 6, 0, 0}));
  EXPECT_EQ(ivals(nb::cumsum(x, 0, true, false)), (std::vector<int64_t>{0, 0, 1, 2, 4, 6}));
  EXPECT_EQ(ivals(nb::cumsum(x, 0, false, true)), (std::vector<int64_t>{9, 12, 8, 10, 5, 6}));
  EXPECT_EQ(ivals(nb::cumsum(x, -2)), (std::vector<int64_t>{1, 2, 4, 6, 9, 12}));
}

TEST(Cumsum, RandomVsReference) {
  std::mt19937 g(801);
  for (nb::DType dt : kAllNumeric) {
    for (int c = 0; c < 24; ++c) {
      const int64_t rank = 1 + int64_t(g() % 4);
      nb::Shape shape = random_shape(g, rank);
      if (c == 0) shape[size_t(rank - 1)] = 300;  // more than one column block
      const Case cs = random_case(g, shape, dt, int(g() % 6));
      const int64_t axis = int64_t(g() % uint32_t(rank)) - (g() % 2 ? rank : 0);
      const int64_t ax = axis < 0 ? axis + rank : axis;
      const bool exclusive = g() % 2, reverse = g() % 2;
      const std::vector<double> xv = vals(cs.x);
      int64_t outer = 1, inner = 1;
      for (int64_t d = 0; d < ax; ++d) outer *= shape[size_t(d)];
      for (int64_t d = ax + 1; d < rank; ++d) inner *= shape[size_t(d)];
      const int64_t n = shape[size_t(ax)];
      std::vector<double> want(xv.size());
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t i = 0; i < inner; ++i) {
          double s = 0;
          uint64_t si = 0;
          for (int64_t t = 0; t < n; ++t) {
            const int64_t k = reverse ? n - 1 - t : t;
            const size_t at = size_t((o * n + k) * inner + i);
            if (nb::is_floating(dt)) {
              if (!exclusive) s += xv[at];
              want[at] = s;
              if (exclusive) s += xv[at];
            } else {
              if (!exclusive) si += uint64_t(int64_t(xv[at]));
              want[at] = double(wrap(si, dt));
              if (exclusive) si += uint64_t(int64_t(xv[at]));
            }
          }
        }
      const nb::Tensor got = nb::cumsum(cs.x, axis, exclusive, reverse);
      EXPECT_EQ(got.shape(), shape);
      EXPECT_EQ(got.dtype(), dt);
      // float32 scans run sequentially in float32 (as TensorFlow): up to 300
      // terms of magnitude <= 2, hence the absolute tolerance.
      const double tol = dt == nb::float64 ? 1e-12 : dt == nb::float32 ? 1e-5 : nb::is_half(dt) ? 2e-2 : 0;
      const double atol = dt == nb::float64 ? 1e-12 : dt == nb::float32 ? 3e-4 : nb::is_half(dt) ? 0.1 : 0;
      expect_near_all(vals(got), want, tol, atol,
                      "cumsum " + describe(cs, {axis}, false) + (exclusive ? " excl" : "") + (reverse ? " rev" : ""));
    }
  }
}

TEST(Cumsum, ThreeDMiddleAxisAndFloat64) {
  auto x = nb::reshape(nb::cast(nb::arange(0, 24), nb::float64), {2, 3, 4});
  auto c = vals(nb::cumsum(x, 1));
  // Element (i, j, k) = sum over j' <= j of (12 i + 4 j' + k).
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k) {
        double want = 0;
        for (int jj = 0; jj <= j; ++jj) want += 12 * i + 4 * jj + k;
        EXPECT_EQ(c[size_t(i * 12 + j * 4 + k)], want);
      }
  EXPECT_EQ(nb::cumsum(x, 1).dtype(), nb::float64);
}

TEST(Cumsum, LongRowAndHalf) {
  auto ones = nb::ones({5000});
  auto c = vals(nb::cumsum(ones));
  for (size_t i = 0; i < c.size(); ++i) ASSERT_EQ(c[i], double(i + 1));
  auto r = vals(nb::cumsum(ones, 0, true, true));
  EXPECT_EQ(r[0], 4999.0);
  EXPECT_EQ(r[4999], 0.0);
  auto h = nb::cumsum(nb::constant({0.5f, 0.25f, 0.125f}, nb::float16));
  EXPECT_EQ(h.dtype(), nb::float16);
  EXPECT_EQ(vals(h), (std::vector<double>{0.5, 0.75, 0.875}));
}

// ============================================================ moments

TEST(Moments, HandComputed) {
  auto x = nb::constant({1.f, 2.f, 3.f, 4.f});
  auto m = nb::moments(x, {0});
  EXPECT_EQ(m.mean.item<float>(), 2.5f);
  EXPECT_EQ(m.variance.item<float>(), 1.25f);
  auto y = nb::constant({{1.0, 2.0}, {3.0, 6.0}}, nb::float64);
  auto a = nb::moments(y, {0});
  EXPECT_EQ(vals(a.mean), (std::vector<double>{2, 4}));
  EXPECT_EQ(vals(a.variance), (std::vector<double>{1, 4}));
  auto b = nb::moments(y, {-1}, true);
  EXPECT_EQ(b.mean.shape(), (nb::Shape{2, 1}));
  EXPECT_EQ(vals(b.mean), (std::vector<double>{1.5, 4.5}));
  EXPECT_EQ(vals(b.variance), (std::vector<double>{0.25, 2.25}));
  auto c = nb::moments(y, {});
  EXPECT_EQ(c.mean.shape(), nb::Shape{});
  EXPECT_DOUBLE_EQ(c.mean.item<double>(), 3.0);
  EXPECT_DOUBLE_EQ(c.variance.item<double>(), (4 + 1 + 0 + 9) / 4.0);
  auto h = nb::moments(nb::cast(x, nb::float16), {0});
  EXPECT_EQ(h.mean.dtype(), nb::float16);
  EXPECT_EQ(h.variance.dtype(), nb::float16);
  EXPECT_EQ(h.variance.item<float>(), 1.25f);
}

TEST(Moments, RandomVsReference) {
  std::mt19937 g(901);
  for (int c = 0; c < 40; ++c) {
    const int64_t rank = 1 + int64_t(g() % 4);
    const nb::Shape shape = random_shape(g, rank);
    const Case cs = random_case(g, shape, nb::float64, int(g() % 5));
    std::vector<int64_t> norm;
    auto axes = random_axes(g, rank, norm);
    const std::vector<double> xv = vals(cs.x);
    auto sums = ref_reduce<std::pair<double, double>, double>(
        xv, shape, norm, {0.0, 0.0}, [](std::pair<double, double> a, double v) {
          return std::pair<double, double>{a.first + v, a.second + v * v};
        });
    double cnt = 1;
    for (int64_t a : norm) cnt *= double(shape[size_t(a)]);
    std::vector<double> mean, var;
    for (auto& [s, s2] : sums) {
      mean.push_back(s / cnt);
      var.push_back(s2 / cnt - (s / cnt) * (s / cnt));
    }
    const auto m = nb::moments(cs.x, axes);
    EXPECT_EQ(m.mean.shape(), ref_shape(shape, norm, false));
    expect_near_all(vals(m.mean), mean, 1e-12, 1e-12, "moments mean " + describe(cs, axes, false));
    expect_near_all(vals(m.variance), var, 1e-9, 1e-9, "moments variance " + describe(cs, axes, false));
  }
}

TEST(Moments, IntegersAndShapes) {
  auto x = nb::constant({{1, 2}, {3, 5}});
  auto m = nb::moments(x, {1});
  EXPECT_EQ(m.mean.dtype(), nb::int32);
  EXPECT_EQ(ivals(m.mean), (std::vector<int64_t>{1, 4}));      // truncated means
  EXPECT_EQ(ivals(m.variance), (std::vector<int64_t>{0, 1}));  // ((0+1)/2, (1+1)/2)
  auto f = nb::zeros({2, 3, 4});
  auto k = nb::moments(f, {0, 2}, true);
  EXPECT_EQ(k.mean.shape(), (nb::Shape{1, 3, 1}));
  EXPECT_EQ(k.variance.shape(), (nb::Shape{1, 3, 1}));
  EXPECT_EQ(nb::moments(f, {0, 2}).variance.shape(), (nb::Shape{3}));
}

// ============================================================ large tensors

TEST(ReduceLarge, Float32SumOf2To24IsAccurate) {
  const int64_t n = int64_t(1) << 24;
  std::vector<float> v(static_cast<size_t>(n));
  std::mt19937 g(1001);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  double ref = 0;
  for (auto& e : v) {
    e = u(g);
    ref += e;
  }
  auto x = nb::constant(v, {n});
  const double got = nb::reduce_sum(x).item<float>();
  EXPECT_LT(std::abs(got - ref) / ref, 1e-6) << got << " vs " << ref;
  const double mean = nb::reduce_mean(x).item<float>();
  EXPECT_LT(std::abs(mean - ref / double(n)) / (ref / double(n)), 1e-6);
  // Same data as 4096 x 4096: row sums, column sums and their totals.
  auto m = nb::reshape(x, {4096, 4096});
  const auto rows = vals(nb::reduce_sum(m, {1}));
  const auto cols = vals(nb::reduce_sum(m, {0}));
  for (int64_t i : {int64_t(0), int64_t(1234), int64_t(4095)}) {
    double r = 0, c = 0;
    for (int64_t j = 0; j < 4096; ++j) {
      r += v[size_t(i * 4096 + j)];
      c += v[size_t(j * 4096 + i)];
    }
    EXPECT_NEAR(rows[size_t(i)], r, 1e-6 * r);
    EXPECT_NEAR(cols[size_t(i)], c, 1e-6 * c);
  }
  EXPECT_NEAR(std::accumulate(rows.begin(), rows.end(), 0.0), ref, 1e-6 * ref);
  EXPECT_NEAR(std::accumulate(cols.begin(), cols.end(), 0.0), ref, 1e-6 * ref);
}

// Shapes that take the parallel, split-range and widened-row paths, checked
// against the reference, with strided and reversed variants.
TEST(ReduceLarge, ParallelPathsMatchReference) {
  std::mt19937 g(1002);
  struct Spec {
    nb::Shape shape;
    std::vector<int64_t> axes;
  };
  const std::vector<Spec> specs = {
      {{1 << 18, 3}, {0}},      // column sums of narrow rows (widened rows, split range)
      {{3, 1 << 17}, {1}},      // few long rows (split range)
      {{600, 700}, {0}},        // column sums, many column blocks
      {{700, 600}, {1}},        // row sums
      {{64, 50, 70}, {0, 2}},   // outer and inner reduced around a kept axis
      {{40, 30, 20, 10}, {1, 3}},
      {{1 << 20}, {}},
      {{300, 2000}, {}},
  };
  for (const auto& sp : specs) {
    const int64_t n = sp.shape.num_elements();
    const std::vector<double> v = random_values(g, n, nb::float32);
    const nb::Tensor x = nb::constant(v, sp.shape, nb::float32);
    std::vector<int64_t> norm = sp.axes;
    if (norm.empty())
      for (int64_t d = 0; d < sp.shape.rank(); ++d) norm.push_back(d);
    const auto sum = ref_reduce<double, double>(v, sp.shape, norm, 0.0, [](double a, double b) { return a + b; });
    const auto mx = ref_reduce<double, double>(v, sp.shape, norm, -kInf, [](double a, double b) { return std::max(a, b); });
    const auto sabs = ref_reduce<double, double>(v, sp.shape, norm, 0.0, [](double a, double b) { return a + std::abs(b); });
    const auto got = vals(nb::reduce_sum(x, sp.axes));
    ASSERT_EQ(got.size(), sum.size());
    for (size_t i = 0; i < got.size(); ++i) ASSERT_NEAR(got[i], sum[i], 1e-6 * sabs[i] + 1e-6) << sp.shape.str();
    EXPECT_EQ(vals(nb::reduce_max(x, sp.axes)), mx) << sp.shape.str();
    // Reversed along axis 0: sums are the same multiset per output.
    const auto rev = vals(nb::reduce_sum(x["::-1"], sp.axes));
    if (std::find(norm.begin(), norm.end(), 0) != norm.end()) {
      for (size_t i = 0; i < rev.size(); ++i) ASSERT_NEAR(rev[i], sum[i], 1e-6 * sabs[i] + 1e-6);
    }
  }
  // Integers through the same paths, exactly (int64 does not wrap here).
  std::vector<int64_t> iv(size_t(1) << 18);
  for (auto& e : iv) e = int64_t(g() % 1000) - 500;
  auto xi = nb::constant(iv, {int64_t(iv.size()) / 4, 4}, nb::int64);
  auto got = ivals(nb::reduce_sum(xi, {0}));
  for (int64_t c = 0; c < 4; ++c) {
    int64_t s = 0;
    for (size_t r = 0; r < iv.size() / 4; ++r) s += iv[r * 4 + size_t(c)];
    EXPECT_EQ(got[size_t(c)], s);
  }
}

TEST(ReduceLarge, ResultsDoNotDependOnThreadCount) {
  std::mt19937 g(1003);
  const std::vector<double> v = random_values(g, 1 << 20, nb::float32);
  const auto x = nb::constant(v, {1 << 20}, nb::float32);
  const auto m = nb::reshape(x, {1 << 10, 1 << 10});
  const int saved = nb::get_num_threads();
  std::vector<std::vector<double>> results;
  for (int t : {1, 2, 3}) {
    nb::set_num_threads(t);
    std::vector<double> r = vals(nb::reduce_sum(x));
    for (double e : vals(nb::reduce_sum(m, {0}))) r.push_back(e);
    for (double e : vals(nb::reduce_sum(m, {1}))) r.push_back(e);
    for (double e : vals(nb::reduce_logsumexp(m, {1}))) r.push_back(e);
    for (double e : vals(nb::reduce_sum(nb::reshape(x, {1 << 18, 4}), {0}))) r.push_back(e);
    results.push_back(r);
  }
  nb::set_num_threads(saved);
  EXPECT_EQ(results[0], results[1]);
  EXPECT_EQ(results[0], results[2]);
}

TEST(ReduceLarge, SpecialValuesFarFromTheStart) {
  const int64_t n = 1 << 20;
  std::vector<float> v(static_cast<size_t>(n), 1.f);
  v[size_t(n - 3)] = NAN;
  auto x = nb::constant(v, {n});
  EXPECT_TRUE(std::isnan(nb::reduce_max(x).item<float>()));
  EXPECT_TRUE(std::isnan(nb::reduce_min(nb::reshape(x, {1024, 1024}), {0}).to_vector<float>()[1021]));
  EXPECT_EQ(nb::argmax(x).item<int64_t>(), n - 3);
  v[size_t(n - 3)] = 1.f;
  v[size_t(n - 2)] = -5.f;
  auto y = nb::constant(v, {n});
  EXPECT_EQ(nb::reduce_min(y).item<float>(), -5.f);
  EXPECT_EQ(nb::argmin(y).item<int64_t>(), n - 2);
  EXPECT_EQ(nb::reduce_sum(y).item<float>(), float(n - 6));
  std::vector<int64_t> bv(static_cast<size_t>(n), 0);
  bv[size_t(n - 1)] = 1;
  auto b = nb::constant(bv, {n}, nb::bool_);
  EXPECT_TRUE(nb::reduce_any(b).item<bool>());
  EXPECT_FALSE(nb::reduce_all(b).item<bool>());
  EXPECT_FALSE(nb::reduce_any(b["::2"]).item<bool>());  // the true is at an odd index
  EXPECT_EQ(nb::reduce_any(nb::reshape(b, {1024, 1024}), {0}).to_vector<bool>()[1023], true);
}

TEST(ReduceLarge, IntegerPathsExact) {
  std::mt19937 g(1004);
  const int64_t rows = 3000, cols = 700;
  std::vector<int64_t> v(static_cast<size_t>(rows * cols));
  for (auto& e : v) e = int64_t(g() % 2001) - 1000;
  auto x = nb::constant(v, {rows, cols}, nb::int32);
  auto c = ivals(nb::reduce_sum(x, {0}));
  auto r = ivals(nb::reduce_sum(x, {1}));
  auto mc = ivals(nb::reduce_max(x, {0}));
  for (int64_t j = 0; j < cols; j += 97) {
    int64_t s = 0, m = -1001;
    for (int64_t i = 0; i < rows; ++i) {
      s += v[size_t(i * cols + j)];
      m = std::max(m, v[size_t(i * cols + j)]);
    }
    EXPECT_EQ(c[size_t(j)], s);
    EXPECT_EQ(mc[size_t(j)], m);
  }
  for (int64_t i = 0; i < rows; i += 331) {
    int64_t s = 0;
    for (int64_t j = 0; j < cols; ++j) s += v[size_t(i * cols + j)];
    EXPECT_EQ(r[size_t(i)], s);
  }
  int64_t total = std::accumulate(v.begin(), v.end(), int64_t(0));
  EXPECT_EQ(nb::reduce_sum(x).item<int64_t>(), total);
  EXPECT_EQ(nb::reduce_sum(nb::transpose(x)).item<int64_t>(), total);
  EXPECT_EQ(nb::reduce_mean(x).item<int64_t>(), total / (rows * cols));
}

TEST(ReduceLarge, LogSumExpRowsAndColumns) {
  std::mt19937 g(1005);
  const int64_t rows = 2000, cols = 300;
  const std::vector<double> v = random_values(g, rows * cols, nb::float32, -30, 30);
  auto x = nb::constant(v, {rows, cols}, nb::float32);
  auto r = vals(nb::reduce_logsumexp(x, {1}));
  auto c = vals(nb::reduce_logsumexp(x, {0}));
  for (int64_t i = 0; i < rows; i += 111) {
    double m = -kInf, s = 0;
    for (int64_t j = 0; j < cols; ++j) m = std::max(m, v[size_t(i * cols + j)]);
    for (int64_t j = 0; j < cols; ++j) s += std::exp(v[size_t(i * cols + j)] - m);
    EXPECT_NEAR(r[size_t(i)], m + std::log(s), 1e-5 * std::abs(m + std::log(s)) + 1e-5);
  }
  for (int64_t j = 0; j < cols; j += 37) {
    double m = -kInf, s = 0;
    for (int64_t i = 0; i < rows; ++i) m = std::max(m, v[size_t(i * cols + j)]);
    for (int64_t i = 0; i < rows; ++i) s += std::exp(v[size_t(i * cols + j)] - m);
    EXPECT_NEAR(c[size_t(j)], m + std::log(s), 1e-5 * std::abs(m + std::log(s)) + 1e-5);
  }
}

TEST(ReduceLarge, ProdOfManyFactorsUsesPairwiseOrder) {
  // 2^20 factors (1 + 1e-6): the exact product is exp(2^20 * log1p(1e-6)).
  const int64_t n = 1 << 20;
  auto x = nb::fill({n}, 1.0 + 1e-6, nb::float64);
  const double want = std::exp(double(n) * std::log1p(1e-6));
  EXPECT_NEAR(nb::reduce_prod(x).item<double>(), want, 1e-9 * want);
}

TEST(ReduceLarge, Float32MeanAndStridedSumAccuracy) {
  const int64_t n = 1 << 22;
  std::mt19937 g(1006);
  std::uniform_real_distribution<float> u(-1.f, 3.f);
  std::vector<float> v(static_cast<size_t>(n));
  double ref = 0, ref_even = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    v[i] = u(g);
    ref += v[i];
    if (i % 2 == 0) ref_even += v[i];
  }
  auto x = nb::constant(v, {n});
  EXPECT_LT(std::abs(nb::reduce_mean(x).item<float>() - ref / double(n)) / (ref / double(n)), 1e-6);
  EXPECT_LT(std::abs(nb::reduce_sum(x["::2"]).item<float>() - ref_even) / ref_even, 1e-6);
  EXPECT_LT(std::abs(nb::reduce_sum(x["::-1"]).item<float>() - ref) / ref, 1e-6);
  auto t = nb::transpose(nb::reshape(x, {2048, 2048}));
  EXPECT_LT(std::abs(nb::reduce_sum(t).item<float>() - ref) / ref, 1e-6);
}

TEST(ReduceLarge, HalfSumsAccumulateInFloat32) {
  // 4096 ones in float16: float16 accumulation would stall at 2048.
  auto h = nb::ones({4096}, nb::float16);
  EXPECT_EQ(nb::reduce_sum(h).item<float>(), 4096.f);
  auto b = nb::ones({64, 1024}, nb::bfloat16);
  EXPECT_EQ(vals(nb::reduce_sum(b, {0}))[5], 64.0);
  EXPECT_EQ(nb::reduce_mean(b).item<float>(), 1.f);
}

}  // namespace
