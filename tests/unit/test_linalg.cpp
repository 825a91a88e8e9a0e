// matmul and tensordot: documented TensorFlow results, randomised comparison
// with a naive triple loop written here (random shapes, batch broadcasting,
// transpose flags, transposed/strided/reversed/broadcast inputs, several
// thread counts), integer wrap-around, and the error messages.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>

#include <nabla/nabla.h>

namespace nb = nabla;

namespace {

std::vector<double> vd(const nb::Tensor& t) { return t.to_vector<double>(); }

template <typename E, typename F> std::string message_of(F&& fn) {
  try {
    fn();
  } catch (const E& e) {
    return e.what();
  }
  return "";
}

nb::Tensor random_tensor(std::mt19937& rng, const nb::Shape& shape, nb::DType dt, int lo = -9, int hi = 9) {
  std::vector<double> v(size_t(shape.num_elements()));
  if (nb::is_floating(dt)) {
    std::uniform_real_distribution<double> d(-1.0, 1.0);
    for (auto& x : v) x = d(rng);
  } else {
    std::uniform_int_distribution<int> d(lo, hi);
    for (auto& x : v) x = d(rng);
  }
  return nb::constant(v, shape, dt);
}

// Naive batched matmul of a [..., M, K] (after the flags) and b [..., K, N]
// with NumPy batch broadcasting, in double (or exact int64) arithmetic.
struct Ref {
  nb::Shape shape;
  std::vector<double> values;
};
Ref naive_matmul(const nb::Tensor& a, const nb::Tensor& b, bool ta = false, bool tb = false) {
  const auto av = vd(a), bv = vd(b);
  const nb::Shape &sa = a.shape(), &sb = b.shape();
  const int64_t ra = sa.rank(), rb = sb.rank();
  const int64_t m = ta ? sa[size_t(ra - 1)] : sa[size_t(ra - 2)];
  const int64_t k = ta ? sa[size_t(ra - 2)] : sa[size_t(ra - 1)];
  const int64_t n = tb ? sb[size_t(rb - 2)] : sb[size_t(rb - 1)];
  const int64_t nbd = std::max(ra, rb) - 2;
  nb::Shape batch(size_t(nbd), 1);
  for (int64_t i = 0; i < nbd; ++i) {
    const int64_t ia = i - (nbd - (ra - 2)), ib = i - (nbd - (rb - 2));
    const int64_t da = ia >= 0 ? sa[size_t(ia)] : 1, db = ib >= 0 ? sb[size_t(ib)] : 1;
    batch[size_t(i)] = std::max(da, db);
  }
  Ref r;
  r.shape = batch;
  r.shape.push_back(m);
  r.shape.push_back(n);
  r.values.assign(size_t(r.shape.num_elements()), 0.0);
  const int64_t nbatch = batch.num_elements();
  for (int64_t bi = 0; bi < nbatch; ++bi) {
    // Batch multi-index -> flat matrix index in a and b.
    int64_t rem = bi, fa = 0, fb = 0, mula = 1, mulb = 1;
    for (int64_t i = nbd - 1; i >= 0; --i) {
      const int64_t idx = rem % batch[size_t(i)];
      rem /= batch[size_t(i)];
      const int64_t ia = i - (nbd - (ra - 2)), ib = i - (nbd - (rb - 2));
      if (ia >= 0) {
        fa += (sa[size_t(ia)] == 1 ? 0 : idx) * mula;
        mula *= sa[size_t(ia)];
      }
      if (ib >= 0) {
        fb += (sb[size_t(ib)] == 1 ? 0 : idx) * mulb;
        mulb *= sb[size_t(ib)];
      }
    }
    const size_t abase = size_t(fa * m * k), bbase = size_t(fb * k * n);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double s = 0;
        for (int64_t q = 0; q < k; ++q) {
          const double x = ta ? av[abase + size_t(q * m + i)] : av[abase + size_t(i * k + q)];
          const double y = tb ? bv[bbase + size_t(j * k + q)] : bv[bbase + size_t(q * n + j)];
          s += x * y;
        }
        r.values[size_t((bi * m + i) * n + j)] = s;
      }
  }
  return r;
}

void expect_matches(const nb::Tensor& got, const Ref& want, double tol, const std::string& what) {
  ASSERT_EQ(got.shape(), want.shape) << what;
  const auto g = vd(got);
  for (size_t i = 0; i < g.size(); ++i)
    ASSERT_NEAR(g[i], want.values[i], tol * (1.0 + std::abs(want.values[i]))) << what << " at " << i;
}

// ---- documented results ------------------------------------------------------------

TEST(Matmul, TfDocumentedResults) {
  auto a = nb::constant({{1.f, 2.f}, {3.f, 4.f}});
  auto m = nb::matmul(a, nb::constant({{1.f}, {1.f}}));
  EXPECT_EQ(m.shape(), (nb::Shape{2, 1}));
  EXPECT_EQ(m.to_vector<float>(), (std::vector<float>{3.f, 7.f}));
  auto x = nb::constant({{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}});
  auto g = nb::matmul(x, nb::transpose(x));
  EXPECT_EQ(g.shape(), (nb::Shape{2, 2}));
  EXPECT_EQ(g.to_vector<float>(), (std::vector<float>{14.f, 32.f, 32.f, 77.f}));
  // tf.linalg.matmul example: a = [[1,2,3],[4,5,6]], b = [[7,8],[9,10],[11,12]].
  auto b = nb::constant({{7, 8}, {9, 10}, {11, 12}});
  EXPECT_EQ(nb::matmul(nb::constant({{1, 2, 3}, {4, 5, 6}}), b).to_vector<int32_t>(),
            (std::vector<int32_t>{58, 64, 139, 154}));
}

TEST(Matmul, TfDocumentedBatch) {
  // a = range(1, 13) reshaped [2, 2, 3]; b = range(13, 25) reshaped [2, 3, 2].
  auto a = nb::reshape(nb::arange(1, 13), {2, 2, 3});
  auto b = nb::reshape(nb::arange(13, 25), {2, 3, 2});
  auto c = nb::matmul(a, b);
  EXPECT_EQ(c.shape(), (nb::Shape{2, 2, 2}));
  EXPECT_EQ(c.to_vector<int32_t>(), (std::vector<int32_t>{94, 100, 229, 244, 508, 532, 697, 730}));
  auto cf = nb::matmul(nb::cast(a, nb::float32), nb::cast(b, nb::float32));
  EXPECT_EQ(cf.to_vector<float>(), (std::vector<float>{94, 100, 229, 244, 508, 532, 697, 730}));
}

TEST(Matmul, TransposeFlagsEqualExplicitTranspose) {
  auto x = nb::constant({{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}});
  auto y = nb::constant({{1.f, 0.f, 2.f}, {0.f, 1.f, -1.f}});
  EXPECT_EQ(nb::matmul(x, y, {.transpose_b = true}).to_vector<float>(),
            (std::vector<float>{7.f, -1.f, 16.f, -1.f}));
  EXPECT_EQ(nb::matmul(x, y, {.transpose_a = true}).to_vector<float>(),
            nb::matmul(nb::transpose(x), y).to_vector<float>());
  EXPECT_EQ(nb::matmul(x, x, {.transpose_a = true}).shape(), (nb::Shape{3, 3}));
  EXPECT_EQ(nb::matmul(x, nb::transpose(x), {.transpose_a = true, .transpose_b = true}).to_vector<float>(),
            nb::matmul(nb::transpose(x), x).to_vector<float>());
}

// ---- randomised comparison with the naive loop -------------------------------------

TEST(Matmul, RandomShapesFloat32Float64Int32) {
  std::mt19937 rng(1234);
  std::uniform_int_distribution<int64_t> dim(1, 37);
  for (nb::DType dt : {nb::float32, nb::float64, nb::int32}) {
    for (int trial = 0; trial < 25; ++trial) {
      const int64_t m = dim(rng), n = dim(rng), k = dim(rng);
      const bool ta = trial % 2, tb = (trial / 2) % 2;
      auto a = random_tensor(rng, ta ? nb::Shape{k, m} : nb::Shape{m, k}, dt);
      auto b = random_tensor(rng, tb ? nb::Shape{n, k} : nb::Shape{k, n}, dt);
      auto c = nb::matmul(a, b, {.transpose_a = ta, .transpose_b = tb});
      EXPECT_EQ(c.dtype(), dt);
      const double tol = dt == nb::float32 ? 1e-5 : dt == nb::float64 ? 1e-12 : 0.0;
      expect_matches(c, naive_matmul(a, b, ta, tb), tol,
                     std::string(nb::dtype_name(dt)) + " trial " + std::to_string(trial));
    }
  }
}

TEST(Matmul, BatchBroadcasting) {
  std::mt19937 rng(5);
  for (nb::DType dt : {nb::float32, nb::float64, nb::int32, nb::int64}) {
    auto a = random_tensor(rng, {2, 1, 3, 4}, dt);
    auto b = random_tensor(rng, {5, 4, 2}, dt);
    auto c = nb::matmul(a, b);
    EXPECT_EQ(c.shape(), (nb::Shape{2, 5, 3, 2}));
    expect_matches(c, naive_matmul(a, b), 1e-5, "broadcast " + std::string(nb::dtype_name(dt)));
    // A rank-2 operand broadcasts against a batch.
    auto w = random_tensor(rng, {4, 6}, dt);
    expect_matches(nb::matmul(a, w), naive_matmul(a, w), 1e-5, "rank-2 rhs");
    auto l = random_tensor(rng, {7, 3}, dt);
    expect_matches(nb::matmul(l, a), naive_matmul(l, a), 1e-5, "rank-2 lhs");
    // Batch of 3 (not a multiple of the thread count) with flags.
    auto p = random_tensor(rng, {3, 40, 30}, dt);
    auto q = random_tensor(rng, {3, 50, 40}, dt);
    expect_matches(nb::matmul(p, q, {.transpose_a = true, .transpose_b = true}),
                   naive_matmul(p, q, true, true), 1e-5, "batch 3");
  }
}

TEST(Matmul, TransposedStridedReversedAndBroadcastViews) {
  std::mt19937 rng(9);
  for (nb::DType dt : {nb::float32, nb::float64, nb::int32}) {
    auto base = random_tensor(rng, {2, 12, 10}, dt);
    auto rhs = random_tensor(rng, {2, 10, 7}, dt);
    // Transposed view: BLAS gets it through the trans flag, without a copy.
    auto t = nb::transpose(base, {0, 2, 1});  // (2, 10, 12)
    auto r3 = random_tensor(rng, {12, 3}, dt);
    expect_matches(nb::matmul(t, r3), naive_matmul(t.contiguous(), r3), 1e-5, "transposed lhs");
    expect_matches(nb::matmul(r3, t, {.transpose_a = true, .transpose_b = true}),
                   naive_matmul(r3, t.contiguous(), true, true), 1e-5, "transposed rhs + flags");
    // A transposed view passed with transpose_a: the two transpositions cancel.
    auto rr = random_tensor(rng, {2, 10, 7}, dt);
    expect_matches(nb::matmul(t, rr, {.transpose_a = true}), naive_matmul(base, rr), 1e-5, "t + flag");
    // Row-strided view: last dim contiguous, rows every 2 (lda = 2 * cols).
    auto strided = base[":, ::2, :"];  // (2, 6, 10)
    expect_matches(nb::matmul(strided, rhs), naive_matmul(strided.contiguous(), rhs), 1e-5, "row stride");
    // Column-strided view: needs a copy.
    auto cols = base[":, :, ::2"];  // (2, 12, 5)
    auto r5 = random_tensor(rng, {5, 4}, dt);
    expect_matches(nb::matmul(cols, r5), naive_matmul(cols.contiguous(), r5), 1e-5, "column stride");
    // Offset view (a slice not starting at element 0).
    auto off = base[":, 3:9, 2:"];  // (2, 6, 8)
    auto r8 = random_tensor(rng, {8, 5}, dt);
    expect_matches(nb::matmul(off, r8), naive_matmul(off.contiguous(), r8), 1e-5, "offset view");
    // Reversed (negative strides) on both operands.
    auto rev = nb::reverse(base, {1, 2});
    auto rrev = nb::reverse(rhs, {2});
    expect_matches(nb::matmul(rev, rrev), naive_matmul(rev.contiguous(), rrev.contiguous()), 1e-5, "reversed");
    // Zero-stride (broadcast) rows, and a broadcast batch dimension.
    auto row = nb::broadcast_to(random_tensor(rng, {1, 10}, dt), {6, 10});
    expect_matches(nb::matmul(row, rhs), naive_matmul(row.contiguous(), rhs), 1e-5, "broadcast rows");
    auto bb = nb::broadcast_to(random_tensor(rng, {10, 7}, dt), {4, 10, 7});
    auto lhs = random_tensor(rng, {4, 3, 10}, dt);
    auto c = nb::matmul(lhs, bb);
    EXPECT_EQ(c.shape(), (nb::Shape{4, 3, 7}));
    expect_matches(c, naive_matmul(lhs, bb.contiguous()), 1e-5, "broadcast batch");
  }
}

TEST(Matmul, LargeMatricesSplitAcrossThreads) {
  std::mt19937 rng(21);
  const int saved = nb::get_num_threads();
  for (int threads : {1, 2, 3}) {
    nb::set_num_threads(threads);
    // Tall (split along M), wide (split along N), and a single batch entry.
    auto a = random_tensor(rng, {130, 70}, nb::float32);
    auto b = random_tensor(rng, {70, 90}, nb::float32);
    expect_matches(nb::matmul(a, b), naive_matmul(a, b), 1e-5, "tall, threads " + std::to_string(threads));
    auto w = random_tensor(rng, {20, 60}, nb::float64);
    auto wb = random_tensor(rng, {300, 60}, nb::float64);
    expect_matches(nb::matmul(w, wb, {.transpose_b = true}), naive_matmul(w, wb, false, true), 1e-12,
                   "wide, threads " + std::to_string(threads));
    auto ta = random_tensor(rng, {64, 100}, nb::float32);
    auto tb = random_tensor(rng, {64, 50}, nb::float32);
    expect_matches(nb::matmul(ta, tb, {.transpose_a = true}), naive_matmul(ta, tb, true, false), 1e-5,
                   "transposed lhs split, threads " + std::to_string(threads));
    auto ib = random_tensor(rng, {3, 50, 40}, nb::int32);
    auto ic = random_tensor(rng, {40, 60}, nb::int32);
    expect_matches(nb::matmul(ib, ic), naive_matmul(ib, ic), 0, "int32 threads " + std::to_string(threads));
  }
  nb::set_num_threads(saved);
}

// ---- other dtypes ----------------------------------------------------------------

TEST(Matmul, IntegerDTypesWrapAround) {
  std::mt19937 rng(3);
  for (nb::DType dt : {nb::int8, nb::int16, nb::int32, nb::int64, nb::uint8}) {
    // Products large enough to overflow the narrow types.
    const int lo = dt == nb::uint8 ? 0 : -120, hi = dt == nb::uint8 ? 250 : 120;
    auto a = random_tensor(rng, {5, 7}, nb::int64, lo, hi);
    auto b = random_tensor(rng, {7, 4}, nb::int64, lo, hi);
    auto c = nb::matmul(nb::cast(a, dt), nb::cast(b, dt));
    EXPECT_EQ(c.dtype(), dt);
    // Exact int64 reference, reduced modulo 2^bits (two's complement).
    auto want = nb::cast(nb::matmul(a, b), dt);
    EXPECT_EQ(c.to_vector<int64_t>(), want.to_vector<int64_t>()) << nb::dtype_name(dt);
  }
  // int8 overflow wraps: 100 * 2 + 100 * 1 = 300 -> 44.
  auto x = nb::constant(std::vector<int64_t>{100, 100}, {1, 2}, nb::int8);
  auto y = nb::constant(std::vector<int64_t>{2, 1}, {2, 1}, nb::int8);
  EXPECT_EQ(nb::matmul(x, y).to_vector<int64_t>(), (std::vector<int64_t>{44}));
  // uint8: 200 * 2 = 400 -> 144.
  auto u = nb::constant(std::vector<int64_t>{200}, {1, 1}, nb::uint8);
  auto v = nb::constant(std::vector<int64_t>{2}, {1, 1}, nb::uint8);
  EXPECT_EQ(nb::matmul(u, v).to_vector<int64_t>(), (std::vector<int64_t>{144}));
}

TEST(Matmul, HalfTypesRunThroughFloat32) {
  for (nb::DType dt : {nb::float16, nb::bfloat16}) {
    auto a = nb::constant({{1.f, 2.f}, {3.f, 4.f}}, dt);
    auto b = nb::constant({{0.5f, -1.f}, {2.f, 0.25f}}, dt);
    auto c = nb::matmul(a, b);
    EXPECT_EQ(c.dtype(), dt);
    EXPECT_EQ(c.to_vector<float>(), (std::vector<float>{4.5f, -0.5f, 9.5f, -2.f}));
  }
}

TEST(Matmul, EmptyDimensions) {
  auto c = nb::matmul(nb::zeros({3, 0}), nb::zeros({0, 4}));
  EXPECT_EQ(c.shape(), (nb::Shape{3, 4}));
  EXPECT_EQ(c.to_vector<float>(), std::vector<float>(12, 0.f));
  auto ci = nb::matmul(nb::zeros({2, 0}, nb::int32), nb::zeros({0, 2}, nb::int32));
  EXPECT_EQ(ci.to_vector<int32_t>(), std::vector<int32_t>(4, 0));
  EXPECT_EQ(nb::matmul(nb::zeros({0, 5}), nb::zeros({5, 3})).shape(), (nb::Shape{0, 3}));
  EXPECT_EQ(nb::matmul(nb::zeros({0, 2, 5}), nb::zeros({5, 3})).shape(), (nb::Shape{0, 2, 3}));
}

TEST(Matmul, Errors) {
  auto a = nb::zeros({2, 3});
  auto b = nb::zeros({2, 2});
  EXPECT_EQ(message_of<nb::InvalidArgument>([&] { nb::matmul(a, b); }),
            "Matrix size-incompatible: In[0]: [2,3], In[1]: [2,2] [Op:BatchMatMulV2]");
  EXPECT_NE(message_of<nb::InvalidArgument>([&] { nb::matmul(a, a, {.transpose_b = false}); })
                .find("Matrix size-incompatible: In[0]: [2,3], In[1]: [2,3]"),
            std::string::npos);
  EXPECT_NO_THROW(nb::matmul(a, a, {.transpose_b = true}));
  EXPECT_EQ(message_of<nb::InvalidArgument>([&] { nb::matmul(nb::zeros({3}), a); }),
            "In[0] ndims must be >= 2: 1 (shape [3]) [Op:BatchMatMulV2]");
  EXPECT_NE(message_of<nb::InvalidArgument>([&] { nb::matmul(a, nb::zeros({3})); }).find("In[1] ndims"),
            std::string::npos);
  EXPECT_NE(message_of<nb::InvalidArgument>([&] { nb::matmul(nb::zeros({2, 2, 3}), nb::zeros({3, 3, 4})); })
                .find("compatible batch dimensions: [2,2,3] vs. [3,3,4]"),
            std::string::npos);
  EXPECT_NE(message_of<nb::InvalidArgument>([&] { nb::matmul(a, nb::zeros({3, 2}, nb::float64)); })
                .find("expected to be a float32 tensor but is a float64 tensor"),
            std::string::npos);
  EXPECT_THROW(nb::matmul(nb::zeros({2, 2}, nb::bool_), nb::zeros({2, 2}, nb::bool_)), nb::InvalidArgument);
}

TEST(Matmul, RegistryEntry) {
  const nb::OpDef* op = nb::find_op("BatchMatMulV2");
  ASSERT_NE(op, nullptr);
  EXPECT_EQ(op->onnx_name, "MatMul");
  EXPECT_TRUE(op->differentiable);
  EXPECT_NE(op->kernel(nb::DeviceType::CPU, nb::float32), nullptr);
  EXPECT_NE(op->kernel(nb::DeviceType::CPU, nb::int8), nullptr);
  EXPECT_EQ(op->kernel(nb::DeviceType::CPU, nb::bool_), nullptr);
}

TEST(Matmul, VectorShapedOperandsAndColumnViews) {
  std::mt19937 rng(31);
  for (nb::DType dt : {nb::float32, nb::float64, nb::int32}) {
    auto m = random_tensor(rng, {9, 6}, dt);
    auto col = random_tensor(rng, {6, 1}, dt);
    auto row = random_tensor(rng, {1, 9}, dt);
    expect_matches(nb::matmul(m, col), naive_matmul(m, col), 1e-5, "matrix-vector");
    expect_matches(nb::matmul(row, m), naive_matmul(row, m), 1e-5, "vector-matrix");
    expect_matches(nb::matmul(row, row, {.transpose_b = true}), naive_matmul(row, row, false, true), 1e-5, "dot");
    // A column sliced out of a matrix: shape (9, 1), stride 6 between rows.
    auto c = m[":, 2:3"];
    auto w = random_tensor(rng, {1, 4}, dt);
    expect_matches(nb::matmul(c, w), naive_matmul(c.contiguous(), w), 1e-5, "column view");
    expect_matches(nb::matmul(c, c, {.transpose_a = true}), naive_matmul(c.contiguous(), c.contiguous(), true, false),
                   1e-5, "column view gram");
  }
}

TEST(Matmul, IdentityIsExactAndHighRankBatch) {
  std::mt19937 rng(41);
  auto a = random_tensor(rng, {2, 3, 1, 5, 4}, nb::float32);
  EXPECT_EQ(nb::matmul(a, nb::eye(4)).to_vector<float>(), a.to_vector<float>());
  EXPECT_EQ(nb::matmul(nb::eye(5, std::nullopt, nb::float32), a).to_vector<float>(), a.to_vector<float>());
  auto b = random_tensor(rng, {3, 2, 4, 6}, nb::float32);
  auto c = nb::matmul(a, b);
  EXPECT_EQ(c.shape(), (nb::Shape{2, 3, 2, 5, 6}));
  expect_matches(c, naive_matmul(a, b), 1e-5, "rank 5 batch");
}

TEST(Matmul, ResultsDoNotDependOnThreadCount) {
  std::mt19937 rng(51);
  auto a = random_tensor(rng, {3, 96, 80}, nb::float32);
  auto b = random_tensor(rng, {80, 120}, nb::float32);
  const int saved = nb::get_num_threads();
  nb::set_num_threads(1);
  const auto one = nb::matmul(a, b).to_vector<float>();
  for (int t : {2, 4}) {
    nb::set_num_threads(t);
    const auto many = nb::matmul(a, b).to_vector<float>();
    ASSERT_EQ(many.size(), one.size());
    for (size_t i = 0; i < one.size(); ++i) ASSERT_NEAR(many[i], one[i], 1e-5f * (1 + std::abs(one[i])));
  }
  nb::set_num_threads(saved);
}

TEST(Matmul, Int64ExactBeyondInt32AndHalfVsNaive) {
  // Sums beyond 2^31 stay exact in int64.
  auto a = nb::constant(std::vector<int64_t>{3000000000LL, 2, -5, 4000000000LL}, {2, 2});
  auto b = nb::constant(std::vector<int64_t>{3, 1, 7, -2}, {2, 2});
  EXPECT_EQ(nb::matmul(a, b).to_vector<int64_t>(),
            (std::vector<int64_t>{9000000014LL, 2999999996LL, 27999999985LL, -8000000005LL}));
  // float16 inputs (rounded), float32 accumulation, float16 output.
  std::mt19937 rng(61);
  auto x = random_tensor(rng, {17, 23}, nb::float16);
  auto y = random_tensor(rng, {23, 11}, nb::float16);
  auto z = nb::matmul(x, y);
  EXPECT_EQ(z.dtype(), nb::float16);
  expect_matches(z, naive_matmul(x, y), 2e-3, "float16");
}

TEST(Matmul, PermutedBatchDimsAndSharedRhs) {
  std::mt19937 rng(71);
  // Batch dims that are not in row-major order (a permuted view).
  auto base = random_tensor(rng, {4, 3, 5, 6}, nb::float32);
  auto a = nb::permute(base, {1, 0, 2, 3});  // (3, 4, 5, 6)
  auto b = random_tensor(rng, {3, 1, 6, 2}, nb::float32);
  expect_matches(nb::matmul(a, b), naive_matmul(a.contiguous(), b), 1e-5, "permuted batch");
  // Batch dims permuted together with the matrix dims.
  auto c = nb::permute(base, {2, 0, 3, 1});  // (5, 4, 6, 3)
  auto d = random_tensor(rng, {3, 7}, nb::float32);
  expect_matches(nb::matmul(c, d), naive_matmul(c.contiguous(), d), 1e-5, "permuted all");
}

// ---- tensordot -------------------------------------------------------------------

// Naive tensordot: out[free_a..., free_b...] = sum over contracted indices.
std::vector<double> naive_tensordot(const nb::Tensor& a, const nb::Tensor& b, const std::vector<int64_t>& ax,
                                    const std::vector<int64_t>& bx, nb::Shape& out_shape) {
  const auto av = vd(a), bv = vd(b);
  std::vector<int64_t> fa, fb;
  for (int64_t i = 0; i < a.rank(); ++i)
    if (std::find(ax.begin(), ax.end(), i) == ax.end()) fa.push_back(i);
  for (int64_t i = 0; i < b.rank(); ++i)
    if (std::find(bx.begin(), bx.end(), i) == bx.end()) fb.push_back(i);
  out_shape = {};
  for (int64_t i : fa) out_shape.push_back(a.shape()[size_t(i)]);
  for (int64_t i : fb) out_shape.push_back(b.shape()[size_t(i)]);
  nb::Shape cshape;
  for (int64_t i : ax) cshape.push_back(a.shape()[size_t(i)]);
  auto flat = [](const nb::Shape& s, const std::vector<int64_t>& idx) {
    int64_t f = 0;
    for (size_t d = 0; d < s.size(); ++d) f = f * s[d] + idx[d];
    return f;
  };
  auto unflat = [](const nb::Shape& s, int64_t f) {
    std::vector<int64_t> idx(s.size());
    for (size_t d = s.size(); d-- > 0;) {
      idx[d] = f % s[d];
      f /= s[d];
    }
    return idx;
  };
  std::vector<double> out(size_t(out_shape.num_elements()), 0.0);
  for (int64_t o = 0; o < out_shape.num_elements(); ++o) {
    const auto oi = unflat(out_shape, o);
    for (int64_t c = 0; c < cshape.num_elements(); ++c) {
      const auto ci = unflat(cshape, c);
      std::vector<int64_t> ia(size_t(a.rank())), ib(size_t(b.rank()));
      for (size_t i = 0; i < fa.size(); ++i) ia[size_t(fa[i])] = oi[i];
      for (size_t i = 0; i < fb.size(); ++i) ib[size_t(fb[i])] = oi[fa.size() + i];
      for (size_t i = 0; i < ax.size(); ++i) {
        ia[size_t(ax[i])] = ci[i];
        ib[size_t(bx[i])] = ci[i];
      }
      out[size_t(o)] += av[size_t(flat(a.shape(), ia))] * bv[size_t(flat(b.shape(), ib))];
    }
  }
  return out;
}

TEST(Tensordot, IntAxesMatchMatmulOuterAndFullContraction) {
  auto a = nb::constant({{1.f, 2.f}, {3.f, 4.f}});
  auto b = nb::constant({{5.f, 6.f}, {7.f, 8.f}});
  EXPECT_EQ(nb::tensordot(a, b, 1).to_vector<float>(), nb::matmul(a, b).to_vector<float>());
  auto outer = nb::tensordot(a, b, 0);
  EXPECT_EQ(outer.shape(), (nb::Shape{2, 2, 2, 2}));
  EXPECT_EQ(outer.to_vector<float>()[size_t(1 * 8 + 0 * 4 + 1 * 2 + 1)], 3.f * 8.f);
  auto full = nb::tensordot(a, b, 2);
  EXPECT_EQ(full.shape(), (nb::Shape{}));
  EXPECT_EQ(full.item<float>(), 1.f * 5 + 2.f * 6 + 3.f * 7 + 4.f * 8);
}

TEST(Tensordot, ExplicitAxesMatchNaiveReference) {
  std::mt19937 rng(17);
  auto a = random_tensor(rng, {3, 4, 5}, nb::float64);
  auto b = random_tensor(rng, {5, 2, 4}, nb::float64);
  struct Case {
    std::vector<int64_t> ax, bx;
  };
  for (const Case& c : {Case{{2}, {0}}, Case{{1, 2}, {2, 0}}, Case{{-1, 1}, {0, -1}}, Case{{1}, {2}}}) {
    auto got = nb::tensordot(a, b, c.ax, c.bx);
    std::vector<int64_t> ax, bx;
    for (int64_t x : c.ax) ax.push_back(x < 0 ? x + 3 : x);
    for (int64_t x : c.bx) bx.push_back(x < 0 ? x + 3 : x);
    nb::Shape want_shape;
    const auto want = naive_tensordot(a, b, ax, bx, want_shape);
    ASSERT_EQ(got.shape(), want_shape);
    const auto g = vd(got);
    for (size_t i = 0; i < g.size(); ++i) EXPECT_NEAR(g[i], want[i], 1e-12);
  }
  // int32 works through the integer kernel.
  auto ia = nb::reshape(nb::arange(24), {2, 3, 4});
  auto ib = nb::reshape(nb::arange(12), {4, 3});
  nb::Shape ws;
  const auto want = naive_tensordot(ia, ib, {1, 2}, {1, 0}, ws);
  auto got = nb::tensordot(ia, ib, {1, 2}, {1, 0});
  EXPECT_EQ(got.shape(), ws);
  EXPECT_EQ(vd(got), want);
}

TEST(Tensordot, VectorDotAndTransposedInputs) {
  auto v = nb::constant({1.0, 2.0, 3.0}, nb::float64);
  EXPECT_EQ(nb::tensordot(v, v, 1).item<double>(), 14.0);
  auto x = nb::constant({{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}});
  auto g = nb::tensordot(x, nb::transpose(x), 1);
  EXPECT_EQ(g.to_vector<float>(), (std::vector<float>{14.f, 32.f, 32.f, 77.f}));
  auto h = nb::tensordot(x, x, {1}, {1});
  EXPECT_EQ(h.to_vector<float>(), (std::vector<float>{14.f, 32.f, 32.f, 77.f}));
}

TEST(Tensordot, Errors) {
  auto a = nb::zeros({2, 3});
  auto b = nb::zeros({4, 2});
  EXPECT_NE(message_of<nb::InvalidArgument>([&] { nb::tensordot(a, b, 1); })
                .find("axis 1 of a [2,3] has size 3 but axis 0 of b [4,2] has size 4"),
            std::string::npos);
  EXPECT_NO_THROW(nb::tensordot(a, b, {0}, {1}));
  EXPECT_THROW(nb::tensordot(a, b, 3), nb::InvalidArgument);
  EXPECT_THROW(nb::tensordot(a, b, -1), nb::InvalidArgument);
  EXPECT_THROW(nb::tensordot(a, b, {0, 1}, {1}), nb::InvalidArgument);
  EXPECT_THROW(nb::tensordot(a, b, {0, 0}, {1, 1}), nb::InvalidArgument);
  EXPECT_THROW(nb::tensordot(a, b, {2}, {0}), nb::InvalidArgument);
  EXPECT_THROW(nb::tensordot(a, nb::zeros({3, 2}, nb::float64), 1), nb::InvalidArgument);
}

}  // namespace
