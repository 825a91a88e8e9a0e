// Printing must match what TensorFlow prints (NumPy's str() of the value).
// Expected strings were produced by NumPy 1.26 `str(np.array(...))`.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <sstream>

#include <nabla/nabla.h>

namespace nb = nabla;

namespace {

TEST(TensorPrint, IntMatrixLikeTensorFlow) {
  auto t = nb::constant({{1, 2}, {3, 4}}) + nb::constant({{5, 6}, {8, 9}});
  EXPECT_EQ(t.str(), "nb.Tensor(\n[[ 6  8]\n [11 13]], shape=(2, 2), dtype=int32)");
  std::ostringstream os;
  os << t;
  EXPECT_EQ(os.str(), t.str());
}

TEST(TensorPrint, VectorAndScalar) {
  EXPECT_EQ(nb::constant({2, 3}).str(), "nb.Tensor([2 3], shape=(2,), dtype=int32)");
  EXPECT_EQ(nb::constant(6).str(), "nb.Tensor(6, shape=(), dtype=int32)");
  EXPECT_EQ(nb::constant(3.0f).str(), "nb.Tensor(3.0, shape=(), dtype=float32)");
  EXPECT_EQ(nb::constant(42.0, nb::float64).str(), "nb.Tensor(42.0, shape=(), dtype=float64)");
}

struct FloatCase {
  std::vector<double> values;
  nb::DType dtype;
  std::string expected;
};

class TensorPrintFloats : public ::testing::TestWithParam<FloatCase> {};

TEST_P(TensorPrintFloats, MatchesNumpy) {
  const FloatCase& c = GetParam();
  auto t = nb::constant(c.values, nb::Shape{int64_t(c.values.size())}, c.dtype);
  EXPECT_EQ(t.values_str(), c.expected);
}

const double kNan = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

INSTANTIATE_TEST_SUITE_P(
    Numpy, TensorPrintFloats,
    ::testing::Values(FloatCase{{0.1, 0.25}, nb::float32, "[0.1  0.25]"},
                      FloatCase{{1.0, 2.0}, nb::float32, "[1. 2.]"},
                      FloatCase{{1e-5, 1.5}, nb::float32, "[1.0e-05 1.5e+00]"},
                      FloatCase{{kNan, 1.0, -kInf}, nb::float32, "[ nan   1. -inf]"},
                      FloatCase{{1e10, 1.0}, nb::float64, "[1.e+10 1.e+00]"},
                      FloatCase{{0.0, 0.0}, nb::float32, "[0. 0.]"},
                      FloatCase{{-0.5, 123456.789}, nb::float64, "[-5.00000000e-01  1.23456789e+05]"},
                      FloatCase{{0.1}, nb::float16, "[0.1]"},
                      FloatCase{{0.95257413, 0.04742587}, nb::float32, "[0.95257413 0.04742587]"}));

TEST(TensorPrint, FloatMatrixScientific) {
  auto t = nb::constant({{1.5f, -2.25f}, {100.f, 0.001f}});
  EXPECT_EQ(t.values_str(), "[[ 1.50e+00 -2.25e+00]\n [ 1.00e+02  1.00e-03]]");
}

TEST(TensorPrint, LongRowsWrapAt75Columns) {
  // np.arange(30, dtype=np.float32) / 7
  std::vector<float> v;
  for (int i = 0; i < 30; ++i) v.push_back(float(i) / 7.0f);
  auto t = nb::constant(v, {30});
  EXPECT_EQ(t.values_str(),
            "[0.         0.14285715 0.2857143  0.42857143 0.5714286  0.71428573\n"
            " 0.85714287 1.         1.1428572  1.2857143  1.4285715  1.5714285\n"
            " 1.7142857  1.8571428  2.         2.142857   2.2857144  2.4285715\n"
            " 2.5714285  2.7142856  2.857143   3.         3.142857   3.2857144\n"
            " 3.4285715  3.5714285  3.7142856  3.857143   4.         4.142857  ]");
}

TEST(TensorPrint, IntWrap) {
  std::vector<int32_t> v;
  for (int i = 0; i < 100; ++i) v.push_back(i * 1000);
  // str(np.arange(100, dtype=np.int32) * 1000)
  EXPECT_EQ(nb::constant(v, {100}).values_str(),
            "[    0  1000  2000  3000  4000  5000  6000  7000  8000  9000 10000 11000\n 12000 13000 14000 15000 16000 17000 18000 19000 20000 21000 22000 23000\n 24000 25000 26000 27000 28000 29000 30000 31000 32000 33000 34000 35000\n 36000 37000 38000 39000 40000 41000 42000 43000 44000 45000 46000 47000\n 48000 49000 50000 51000 52000 53000 54000 55000 56000 57000 58000 59000\n 60000 61000 62000 63000 64000 65000 66000 67000 68000 69000 70000 71000\n 72000 73000 74000 75000 76000 77000 78000 79000 80000 81000 82000 83000\n 84000 85000 86000 87000 88000 89000 90000 91000 92000 93000 94000 95000\n 96000 97000 98000 99000]");
}

TEST(TensorPrint, ScalarsLikeNumpyScalars) {
  EXPECT_EQ(nb::constant(1e-5f).values_str(), "1e-05");
  EXPECT_EQ(nb::constant(0.95257413f).values_str(), "0.95257413");
  EXPECT_EQ(nb::constant(1e16, nb::float64).values_str(), "1e+16");
  EXPECT_EQ(nb::constant(-2.5f).values_str(), "-2.5");
  EXPECT_EQ(nb::constant(123456789.0f).values_str(), "1.2345679e+08");
  EXPECT_EQ(nb::constant(10000.0f).values_str(), "10000.0");
  EXPECT_EQ(nb::constant(0.1, nb::float64).values_str(), "0.1");
  EXPECT_EQ(nb::constant(std::nanf("")).values_str(), "nan");
}

TEST(TensorPrint, BoolAndRank3) {
  EXPECT_EQ(nb::constant({{true, false}, {false, true}}).values_str(), "[[ True False]\n [False  True]]");
  EXPECT_EQ(nb::reshape(nb::arange(24), {2, 3, 4}).values_str(),
            "[[[ 0  1  2  3]\n  [ 4  5  6  7]\n  [ 8  9 10 11]]\n\n"
            " [[12 13 14 15]\n  [16 17 18 19]\n  [20 21 22 23]]]");
}

TEST(TensorPrint, SummarisesLargeTensors) {
  EXPECT_EQ(nb::arange(2000).values_str(), "[   0    1    2 ... 1997 1998 1999]");
  EXPECT_EQ(nb::reshape(nb::arange(3000), {3, 1000}).values_str(),
            "[[   0    1    2 ...  997  998  999]\n [1000 1001 1002 ... 1997 1998 1999]\n"
            " [2000 2001 2002 ... 2997 2998 2999]]");
}

TEST(TensorPrint, EmptyAndUndefined) {
  EXPECT_EQ(nb::zeros({2, 0}).values_str(), "[]");
  EXPECT_EQ(nb::Tensor().str(), "nb.Tensor(<undefined>)");
}

TEST(TensorPrint, StridedViewsPrintTheirValues) {
  auto f = nb::constant({0, 1, 1, 2, 3, 5, 8, 13, 21, 34});
  EXPECT_EQ(f["::-1"].values_str(), "[34 21 13  8  5  3  2  1  1  0]");
  EXPECT_EQ(nb::transpose(nb::constant({{1, 2, 3}, {4, 5, 6}})).values_str(), "[[1 4]\n [2 5]\n [3 6]]");
}

TEST(TensorPrint, VariableLikeTensorFlow) {
  nb::Variable v({1, 2}, {.name = "v"});
  EXPECT_EQ(v.str(), "<nb.Variable 'v' shape=(2,) dtype=int32, numpy=[1 2]>");
}

}  // namespace
