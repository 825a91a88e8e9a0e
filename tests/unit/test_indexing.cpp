// NumPy indexing: t.index({...}) and t["..."] agree with Python's rules.
#include <gtest/gtest.h>

#include <nabla/nabla.h>

namespace nb = nabla;

namespace {

std::vector<int32_t> vals(const nb::Tensor& t) { return t.to_vector<int32_t>(); }

nb::Tensor fib() { return nb::constant({0, 1, 1, 2, 3, 5, 8, 13, 21, 34}); }

TEST(Indexing, FibonacciSlicesLikePython) {
  auto f = fib();
  EXPECT_EQ(vals(f[":4"]), (std::vector<int32_t>{0, 1, 1, 2}));
  EXPECT_EQ(vals(f["4:"]), (std::vector<int32_t>{3, 5, 8, 13, 21, 34}));
  EXPECT_EQ(vals(f["2:7"]), (std::vector<int32_t>{1, 2, 3, 5, 8}));
  EXPECT_EQ(vals(f["::2"]), (std::vector<int32_t>{0, 1, 3, 8, 21}));
  EXPECT_EQ(vals(f["::-1"]), (std::vector<int32_t>{34, 21, 13, 8, 5, 3, 2, 1, 1, 0}));
  EXPECT_EQ(vals(f.index({nb::Slice(nb::None, 4)})), vals(f[":4"]));
  EXPECT_EQ(vals(f.index({nb::Slice(nb::None, nb::None, -1)})), vals(f["::-1"]));
}

// A reference for 1-D slicing: Python's slice.indices semantics written out.
std::vector<int32_t> py_slice(const std::vector<int32_t>& v, std::optional<int64_t> start,
                              std::optional<int64_t> stop, int64_t step) {
  const int64_t n = int64_t(v.size());
  auto norm = [&](std::optional<int64_t> x, int64_t dflt, int64_t lo, int64_t hi) {
    if (!x) return dflt;
    int64_t y = *x < 0 ? *x + n : *x;
    return std::clamp(y, lo, hi);
  };
  std::vector<int32_t> out;
  if (step > 0) {
    const int64_t b = norm(start, 0, 0, n), e = norm(stop, n, 0, n);
    for (int64_t i = b; i < e; i += step) out.push_back(v[size_t(i)]);
  } else {
    const int64_t b = norm(start, n - 1, -1, n - 1), e = norm(stop, -1, -1, n - 1);
    for (int64_t i = b; i > e; i += step) out.push_back(v[size_t(i)]);
  }
  return out;
}

TEST(Indexing, ExhaustiveOneDimensionalSlicesMatchPython) {
  auto f = fib();
  const auto v = vals(f);
  const std::vector<std::optional<int64_t>> bounds = {std::nullopt, -12, -10, -3, -1, 0, 1, 4, 9, 10, 15};
  int checked = 0;
  for (auto b : bounds)
    for (auto e : bounds)
      for (int64_t step : {-3, -2, -1, 1, 2, 3}) {
        nb::SliceBound sb = b ? nb::SliceBound(*b) : nb::SliceBound(nb::None);
        nb::SliceBound se = e ? nb::SliceBound(*e) : nb::SliceBound(nb::None);
        auto got = vals(f.index({nb::Slice(sb, se, step)}));
        ASSERT_EQ(got, py_slice(v, b, e, step)) << "start=" << (b ? std::to_string(*b) : "None")
                                                << " stop=" << (e ? std::to_string(*e) : "None")
                                                << " step=" << step;
        ++checked;
      }
  EXPECT_EQ(checked, 11 * 11 * 6);
}

TEST(Indexing, MatrixExamplesFromTheCourse) {
  auto x = nb::constant({{1, 2, 3}, {4, 5, 6}});
  auto s = x[":, 1:"];
  EXPECT_EQ(s.shape(), (nb::Shape{2, 2}));
  EXPECT_EQ(vals(s), (std::vector<int32_t>{2, 3, 5, 6}));
  EXPECT_EQ(x.index({1, 1}).item<int32_t>(), 5);
  EXPECT_EQ(x["1, 1"].rank(), 0);
  EXPECT_EQ(vals(x.index({nb::Slice(1, nb::None), -1})), (std::vector<int32_t>{6}));
  EXPECT_EQ(vals(x["1:, ::-1"]), (std::vector<int32_t>{6, 5, 4}));
  EXPECT_EQ(vals(x[1]), (std::vector<int32_t>{4, 5, 6}));
  EXPECT_EQ(vals(x[-2]), (std::vector<int32_t>{1, 2, 3}));
}

TEST(Indexing, Rank3ColumnPick) {
  auto t = nb::reshape(nb::arange(30), {3, 2, 5});
  auto c = t[":, :, 4"];
  EXPECT_EQ(c.shape(), (nb::Shape{3, 2}));
  EXPECT_EQ(vals(c), (std::vector<int32_t>{4, 9, 14, 19, 24, 29}));
  EXPECT_EQ(vals(t.index({nb::Slice(), nb::Slice(), 4})), vals(c));
}

TEST(Indexing, EllipsisAndNewAxis) {
  auto t = nb::reshape(nb::arange(24), {2, 3, 4});
  EXPECT_EQ(t["..., 0"].shape(), (nb::Shape{2, 3}));
  EXPECT_EQ(vals(t["..., 0"]), (std::vector<int32_t>{0, 4, 8, 12, 16, 20}));
  EXPECT_EQ(t["0, ..."].shape(), (nb::Shape{3, 4}));
  EXPECT_EQ(t["0, ..., 1"].shape(), (nb::Shape{3}));
  EXPECT_EQ(t.index({nb::Ellipsis, 1, nb::Slice()}).shape(), (nb::Shape{2, 4}));
  EXPECT_EQ(t["None, 1"].shape(), (nb::Shape{1, 3, 4}));
  EXPECT_EQ(t.index({nb::Slice(), nb::NewAxis}).shape(), (nb::Shape{2, 1, 3, 4}));
  EXPECT_EQ(t["..."].shape(), t.shape());
  EXPECT_THROW(t["..., 0, ..."], nb::InvalidArgument);
}

TEST(Indexing, OutOfRangeSaysIndexAndDimension) {
  auto t = nb::zeros({3, 4});
  try {
    t.index({0, 7});
    FAIL() << "expected OutOfRange";
  } catch (const nb::OutOfRange& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("index 7"), std::string::npos) << m;
    EXPECT_NE(m.find("dimension 1"), std::string::npos) << m;
    EXPECT_NE(m.find("size 4"), std::string::npos) << m;
  }
  EXPECT_THROW(t[-4], nb::OutOfRange);
  EXPECT_THROW(t[3], nb::OutOfRange);
  EXPECT_NO_THROW(t[-3]);
  EXPECT_THROW(t["0, 0, 0"], nb::InvalidArgument);  // too many indices
  // slices clamp instead of failing (NumPy)
  EXPECT_EQ(t["5:10"].shape(), (nb::Shape{0, 4}));
}

TEST(Indexing, MalformedStringsAreRejected) {
  auto t = nb::zeros({3, 4});
  for (const char* bad : {"", "1:2:3:4", "a", "1,,2", "::0", "1.5", "1 2"})
    EXPECT_THROW(t[bad], nb::InvalidArgument) << bad;
}

TEST(Indexing, SlicesOfSlicesAndReversedViews) {
  auto t = nb::reshape(nb::arange(20), {4, 5});
  auto a = t["::-1, 1:4"];
  EXPECT_EQ(vals(a), (std::vector<int32_t>{16, 17, 18, 11, 12, 13, 6, 7, 8, 1, 2, 3}));
  auto b = a["1:3, ::-2"];
  EXPECT_EQ(vals(b), (std::vector<int32_t>{13, 11, 8, 6}));
  EXPECT_EQ(b.storage().get(), t.storage().get());
  // arithmetic on reversed/strided views
  EXPECT_EQ(vals(b + 1), (std::vector<int32_t>{14, 12, 9, 7}));
}

}  // namespace
