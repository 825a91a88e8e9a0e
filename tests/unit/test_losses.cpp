// Losses (nabla/train/losses.h) and the fused op SparseSoftmaxCrossEntropyWithLogits
// (nabla/ops/cross_entropy.h): per-sample values, reduced values and gradients against
// real Keras 3.15 (tests/data/keras_losses_metrics.json, from
// tests/tools/gen_keras_losses_metrics.py), hand-computed values, float64 finite
// differences, numerical stability at logits of +-1000, errors, lookup and config round
// trips, and the op count of the training hot path.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <nabla/nabla.h>
#include <nabla/ops/cross_entropy.h>
#include <nabla/train/losses.h>
#include <nlohmann/json.hpp>

#include "unit/gradient_check.h"
#include "unit/keras_reference.h"

namespace nb = nabla;
namespace L = nabla::losses;
namespace gc = nabla::gradcheck;
using keras_ref::close;
using keras_ref::json;
using nb::DType;
using nb::Shape;
using nb::Tensor;

namespace {

std::vector<double> vals(const Tensor& t) { return t.to_vector<double>(); }

Tensor f32(const std::vector<double>& v, const Shape& s) { return nb::detail::make_from_doubles(v, s, DType::float32); }
Tensor f64(const std::vector<double>& v, const Shape& s) { return nb::detail::make_from_doubles(v, s, DType::float64); }
Tensor ints(const std::vector<int64_t>& v, const Shape& s, DType dt = DType::int32) {
  return nb::detail::make_from_int64s(v, s, dt);
}

// d sum(loss(y_true, y_pred, sw)) / d y_pred with nabla's GradientTape.
Tensor grad_of(const L::Loss& loss, const Tensor& y_true, const Tensor& y_pred, const Tensor& sw = Tensor()) {
  nb::GradientTape tape;
  tape.watch(y_pred);
  const Tensor v = loss(y_true, y_pred, sw);
  return tape.gradient(v, y_pred);
}

template <typename E, typename F> std::string error_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("wrong exception type: ") + e.what();
  }
  return "no exception";
}

// ================================================================== Keras reference data

class KerasLoss : public ::testing::TestWithParam<size_t> {};

TEST_P(KerasLoss, MatchesKeras) {
  const json& c = keras_ref::data().at("losses").at(GetParam());
  SCOPED_TRACE(c.at("name").get<std::string>());
  const std::shared_ptr<L::Loss> loss =
      L::from_config(json{{"class_name", c.at("class_name")}, {"config", c.at("config")}});
  ASSERT_EQ(loss->class_name(), c.at("class_name").get<std::string>());
  EXPECT_EQ(loss->name(), c.at("config").at("name").get<std::string>());
  const Tensor yt = keras_ref::tensor(c.at("y_true"));
  const Tensor yp = keras_ref::tensor(c.at("y_pred"));
  const Tensor sw = keras_ref::tensor(c.at("sample_weight"));
  const Tensor want_ps = keras_ref::tensor(c.at("per_sample"));
  const Tensor want_value = keras_ref::tensor(c.at("value"));
  const Tensor want_grad = keras_ref::tensor(c.at("grad"));

  const Tensor per_sample = loss->call(yt, yp);
  EXPECT_EQ(per_sample.shape(), want_ps.shape());
  EXPECT_EQ(per_sample.dtype(), DType::float32);
  EXPECT_TRUE(close(vals(per_sample), vals(want_ps))) << "per-sample values";

  const Tensor value = (*loss)(yt, yp, sw);
  EXPECT_EQ(value.shape(), want_value.shape());
  EXPECT_TRUE(close(vals(value), vals(want_value))) << "reduced value";

  const Tensor g = grad_of(*loss, yt, yp, sw);
  ASSERT_TRUE(g.defined()) << "no gradient";
  EXPECT_EQ(g.shape(), yp.shape());
  EXPECT_TRUE(close(vals(g), vals(want_grad), 2e-5, 1e-6)) << "gradient";
}

std::vector<size_t> indices(const char* key) {
  std::vector<size_t> v(keras_ref::data().at(key).size());
  for (size_t i = 0; i < v.size(); ++i) v[i] = i;
  return v;
}

INSTANTIATE_TEST_SUITE_P(Keras, KerasLoss, ::testing::ValuesIn(indices("losses")),
                         [](const ::testing::TestParamInfo<size_t>& i) {
                           return keras_ref::param_name(
                               keras_ref::data().at("losses").at(i.param).at("name").get<std::string>(), i.param);
                         });

TEST(KerasLossFunctions, MatchKeras) {
  const json& cases = keras_ref::data().at("functions");
  ASSERT_GE(cases.size(), 10u);
  for (const json& c : cases) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    const Tensor yt = keras_ref::tensor(c.at("y_true")), yp = keras_ref::tensor(c.at("y_pred"));
    const json& kw = c.at("kwargs");
    const std::string fn = c.at("fn");
    const bool logits = kw.value("from_logits", false);
    const double smoothing = kw.value("label_smoothing", 0.0);
    Tensor got;
    if (fn == "mean_squared_error") got = L::mean_squared_error(yt, yp);
    else if (fn == "mean_absolute_error") got = L::mean_absolute_error(yt, yp);
    else if (fn == "huber") got = L::huber(yt, yp, kw.value("delta", 1.0));
    else if (fn == "binary_crossentropy") got = L::binary_crossentropy(yt, yp, logits, smoothing);
    else if (fn == "categorical_crossentropy") got = L::categorical_crossentropy(yt, yp, logits, smoothing);
    else if (fn == "sparse_categorical_crossentropy") got = L::sparse_categorical_crossentropy(yt, yp, logits);
    else if (fn == "kl_divergence") got = L::kl_divergence(yt, yp);
    else FAIL() << "unknown function " << fn;
    const Tensor want = keras_ref::tensor(c.at("value"));
    EXPECT_EQ(got.shape(), want.shape());
    EXPECT_TRUE(close(vals(got), vals(want)));
  }
}

// ================================================================== hand-computed values

TEST(Losses, SampleWeightsAndReductionsByHand) {
  // Per-sample squared errors [1, 4, 9, 16]; weights [1, 0, 2, 0.5] -> weighted [1, 0, 18, 8].
  const Tensor yt = f32({0, 0, 0, 0}, {4, 1}), yp = f32({1, 2, 3, 4}, {4, 1}), sw = f32({1, 0, 2, 0.5}, {4});
  auto with = [&](L::Reduction r) { return L::MeanSquaredError({.reduction = r})(yt, yp, sw); };
  EXPECT_DOUBLE_EQ(with(L::Reduction::SumOverBatchSize).item<double>(), 27.0 / 4);
  EXPECT_DOUBLE_EQ(with(L::Reduction::Mean).item<double>(), 27.0 / 4);
  EXPECT_DOUBLE_EQ(with(L::Reduction::Sum).item<double>(), 27.0);
  EXPECT_NEAR(with(L::Reduction::MeanWithSampleWeight).item<double>(), 27.0 / 3.5, 1e-6);
  const Tensor none = with(L::Reduction::None);
  EXPECT_EQ(none.shape(), (Shape{4}));
  EXPECT_EQ(vals(none), (std::vector<double>{1, 0, 18, 8}));
  // No weights: the plain mean; mean_with_sample_weight falls back to it.
  EXPECT_DOUBLE_EQ(L::MeanSquaredError()(yt, yp).item<double>(), 7.5);
  EXPECT_DOUBLE_EQ(L::MeanSquaredError({.reduction = L::Reduction::MeanWithSampleWeight})(yt, yp).item<double>(), 7.5);
  // All-zero weights with mean_with_sample_weight: divide_no_nan gives 0.
  EXPECT_EQ(L::MeanSquaredError({.reduction = L::Reduction::MeanWithSampleWeight})(yt, yp, f32({0, 0, 0, 0}, {4}))
                .item<double>(),
            0.0);
}

TEST(Losses, SparseCategoricalByHand) {
  // -log(softmax([1, 2, 3]))[label] = logsumexp - x[label].
  const double lse = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0));
  const Tensor logits = f64({1, 2, 3, 1, 2, 3}, {2, 3});
  const Tensor per = L::sparse_categorical_crossentropy(ints({2, 0}, {2}), logits, true);
  EXPECT_EQ(per.dtype(), DType::float64);
  EXPECT_NEAR(vals(per)[0], lse - 3, 1e-14);
  EXPECT_NEAR(vals(per)[1], lse - 1, 1e-14);
  // From probabilities: -log(p[label]) for rows that sum to 1.
  const Tensor probs = f64({0.2, 0.3, 0.5}, {1, 3});
  EXPECT_NEAR(vals(L::sparse_categorical_crossentropy(ints({1}, {1}), probs))[0], -std::log(0.3), 1e-12);
  // ignore_class: the ignored row gives 0 and is left out of the mean.
  L::SparseCategoricalCrossentropy ignoring({.from_logits = true, .ignore_class = 7});
  const Tensor v = ignoring(ints({2, 7}, {2}), logits);
  EXPECT_NEAR(v.item<double>(), lse - 3, 1e-14);
  EXPECT_EQ(vals(ignoring.call(ints({2, 7}, {2}), logits))[1], 0.0);
}

TEST(Losses, LabelDtypesAndShapesAgree) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> u(-3, 3);
  std::vector<double> x(6 * 4);
  for (double& e : x) e = u(rng);
  const Tensor logits = f32(x, {6, 4});
  const std::vector<int64_t> lab = {0, 3, 1, 2, 2, 0};
  L::SparseCategoricalCrossentropy loss({.from_logits = true});
  const std::vector<double> ref = vals(loss(ints(lab, {6}, DType::int64), logits));
  for (DType dt : {DType::uint8, DType::int8, DType::int16, DType::int32, DType::int64, DType::float32,
                   DType::float64, DType::float16}) {
    SCOPED_TRACE(std::string(nb::dtype_name(dt)));
    EXPECT_EQ(vals(loss(ints(lab, {6}, dt), logits)), ref);
    EXPECT_EQ(vals(loss(ints(lab, {6, 1}, dt), logits)), ref) << "labels of shape (N, 1)";
  }
}

TEST(Losses, EmptyBatchReducesToZero) {
  const Tensor yp = f32({}, {0, 3});
  nb::GradientTape tape;
  tape.watch(yp);
  const Tensor v = L::SparseCategoricalCrossentropy({.from_logits = true})(ints({}, {0}), yp);
  EXPECT_EQ(v.shape(), Shape{});
  EXPECT_EQ(v.item<double>(), 0.0);
  const Tensor g = tape.gradient(v, yp);
  ASSERT_TRUE(g.defined());
  EXPECT_EQ(g.shape(), (Shape{0, 3}));
  EXPECT_EQ(L::MeanSquaredError()(f32({}, {0, 2}), f32({}, {0, 2})).item<double>(), 0.0);
}

// ================================================================== stability

TEST(LossStability, SparseLogitsOfPlusMinus1000) {
  for (DType dt : {DType::float32, DType::float64}) {
    SCOPED_TRACE(std::string(nb::dtype_name(dt)));
    const Tensor logits = nb::detail::make_from_doubles({1000, -1000, 0, 1000, -1000, 0}, {2, 3}, dt);
    L::SparseCategoricalCrossentropy loss({.from_logits = true, .reduction = L::Reduction::None});
    const Tensor labels = ints({0, 1}, {2});
    const std::vector<double> v = vals(loss(labels, logits));
    EXPECT_EQ(v[0], 0.0);
    EXPECT_NEAR(v[1], 2000.0, 1e-9);
    nb::GradientTape tape;
    tape.watch(logits);
    const Tensor g = tape.gradient(loss(labels, logits), logits);
    // softmax - one_hot: row 0 [1, 0, 0] - [1, 0, 0], row 1 [1, 0, 0] - [0, 1, 0].
    const std::vector<double> gv = vals(g);
    const std::vector<double> want = {0, 0, 0, 1, -1, 0};
    for (size_t i = 0; i < gv.size(); ++i) {
      EXPECT_TRUE(std::isfinite(gv[i]));
      EXPECT_NEAR(gv[i], want[i], 1e-12) << i;
    }
  }
}

TEST(LossStability, CategoricalAndBinaryLogitsOfPlusMinus1000) {
  const Tensor logits = f64({1000, -1000, 0}, {1, 3});
  const Tensor onehot = f64({0, 1, 0}, {1, 3});
  nb::GradientTape tape;
  tape.watch(logits);
  const Tensor cce = L::CategoricalCrossentropy({.from_logits = true})(onehot, logits);
  EXPECT_NEAR(cce.item<double>(), 2000.0, 1e-9);
  const std::vector<double> g = vals(tape.gradient(cce, logits));
  EXPECT_NEAR(g[0], 1.0, 1e-12);
  EXPECT_NEAR(g[1], -1.0, 1e-12);
  EXPECT_NEAR(g[2], 0.0, 1e-12);

  // BCE: per element softplus(x) - x z, so [1000 (z=0), 1000 (z=1 at x=-1000), log 2 (x=0)].
  const Tensor x = f64({1000, -1000, 0}, {1, 3}), z = f64({0, 1, 1}, {1, 3});
  nb::GradientTape tape2;
  tape2.watch(x);
  const Tensor bce = L::BinaryCrossentropy({.from_logits = true, .reduction = L::Reduction::Sum})(z, x);
  EXPECT_NEAR(bce.item<double>(), (1000 + 1000 + std::log(2.0)) / 3, 1e-9);
  const std::vector<double> gb = vals(tape2.gradient(bce, x));
  // d/dx = (sigmoid(x) - z) / 3; at x = 0 the TF form gives 0.5 - z exactly.
  EXPECT_NEAR(gb[0], 1.0 / 3, 1e-12);
  EXPECT_NEAR(gb[1], -1.0 / 3, 1e-12);
  EXPECT_NEAR(gb[2], -0.5 / 3, 1e-12);
}

TEST(LossStability, ProbabilitiesAreClipped) {
  // p = 0 for the true class: -log(1e-7) instead of inf; p = 1: log(1 - 1e-7) ~ 1e-7.
  const Tensor p = f64({0, 1, 1, 0}, {2, 2});
  const std::vector<double> v = vals(L::sparse_categorical_crossentropy(ints({0, 0}, {2}), p));
  EXPECT_NEAR(v[0], -std::log(1e-7 / (1e-7 + (1 - 1e-7))), 1e-9);
  EXPECT_NEAR(v[1], -std::log((1 - 1e-7) / (1e-7 + (1 - 1e-7))), 1e-12);
  const std::vector<double> b = vals(L::binary_crossentropy(f64({1, 0}, {1, 2}), f64({0, 1}, {1, 2})));
  EXPECT_NEAR(b[0], -std::log(1e-7), 1e-6);
}

// ================================================================== gradients (float64)

TEST(LossGradients, FiniteDifferencesFloat64) {
  std::mt19937 rng(11);
  auto uni = [&](const Shape& s, double lo, double hi) {
    std::uniform_real_distribution<double> u(lo, hi);
    std::vector<double> v(size_t(s.num_elements()));
    for (double& e : v) e = u(rng);
    return f64(v, s);
  };
  const Tensor yt_reg = uni({4, 3}, -1, 1);
  const Tensor probs = uni({4, 3}, 0.05, 0.95), logits = uni({4, 3}, -3, 3);
  const Tensor onehot = f64({1, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0}, {4, 3});
  const Tensor labels = ints({0, 2, 1, 0}, {4});
  struct Case {
    std::string name;
    std::shared_ptr<L::Loss> loss;
    Tensor y_true, y_pred;
  };
  const std::vector<Case> cases = {
      {"mse", std::make_shared<L::MeanSquaredError>(), yt_reg, uni({4, 3}, -1, 1)},
      {"mae", std::make_shared<L::MeanAbsoluteError>(), yt_reg, uni({4, 3}, -1, 1)},
      {"huber", std::make_shared<L::Huber>(L::Huber::Options{.delta = 0.3}), yt_reg, uni({4, 3}, -1, 1)},
      {"bce probs", std::make_shared<L::BinaryCrossentropy>(L::BinaryCrossentropy::Options{.label_smoothing = 0.1}),
       onehot, probs},
      {"bce logits", std::make_shared<L::BinaryCrossentropy>(L::BinaryCrossentropy::Options{.from_logits = true}),
       onehot, logits},
      {"cce probs",
       std::make_shared<L::CategoricalCrossentropy>(L::CategoricalCrossentropy::Options{.label_smoothing = 0.2}),
       onehot, probs},
      {"cce logits axis 0",
       std::make_shared<L::CategoricalCrossentropy>(L::CategoricalCrossentropy::Options{.from_logits = true, .axis = 0}),
       onehot, logits},
      {"scce probs", std::make_shared<L::SparseCategoricalCrossentropy>(), labels, probs},
      {"scce logits",
       std::make_shared<L::SparseCategoricalCrossentropy>(L::SparseCategoricalCrossentropy::Options{.from_logits = true}),
       labels, logits},
      {"scce ignore_class",
       std::make_shared<L::SparseCategoricalCrossentropy>(
           L::SparseCategoricalCrossentropy::Options{.from_logits = true, .ignore_class = 2}),
       labels, logits},
      {"kld", std::make_shared<L::KLDivergence>(), probs, uni({4, 3}, 0.05, 0.95)},
  };
  for (const Case& c : cases) {
    for (bool weighted : {false, true}) {
      const std::string label = c.name + (weighted ? " weighted" : "");
      const std::shared_ptr<L::Loss> loss = c.loss;
      const Tensor y_true = c.y_true;
      // Weights shaped like the per-sample values (axis 0 reduces the other axis).
      const Tensor weight = weighted ? uni(c.loss->call(y_true, c.y_pred).shape(), 0.2, 1.5) : Tensor();
      gc::CheckOptions o;
      o.diff = {true};
      EXPECT_TRUE(gc::check_gradient(
          label, [loss, y_true, weight](const nb::TensorList& in) { return nb::TensorList{(*loss)(y_true, in[0], weight)}; },
          {c.y_pred}, o));
    }
  }
}

// ================================================================== the fused op

// Reference: log-sum-exp - x[label], in long double.
std::vector<double> ref_xent(const std::vector<double>& x, const std::vector<int64_t>& lab, int64_t classes) {
  std::vector<double> out(lab.size());
  for (size_t r = 0; r < lab.size(); ++r) {
    long double m = -INFINITY, s = 0;
    for (int64_t c = 0; c < classes; ++c) m = std::max<long double>(m, x[r * size_t(classes) + size_t(c)]);
    for (int64_t c = 0; c < classes; ++c) s += std::exp((long double)x[r * size_t(classes) + size_t(c)] - m);
    out[r] = double(m + std::log(s) - x[r * size_t(classes) + size_t(lab[r])]);
  }
  return out;
}

TEST(SparseSoftmaxCrossEntropyWithLogits, MatchesReferenceOnTheHotPathShapeAndBig) {
  std::mt19937 rng(5);
  for (const auto& [rows, classes] : std::vector<std::pair<int64_t, int64_t>>{{32, 10}, {1000, 257}, {7, 1}}) {
    std::uniform_real_distribution<double> u(-8, 8);
    std::uniform_int_distribution<int64_t> l(0, classes - 1);
    std::vector<double> x(size_t(rows * classes));
    for (double& e : x) e = double(float(u(rng)));
    std::vector<int64_t> lab(static_cast<size_t>(rows));
    for (int64_t& e : lab) e = l(rng);
    const std::vector<double> want = ref_xent(x, lab, classes);
    for (DType dt : {DType::float32, DType::float64}) {
      const Tensor out = nb::sparse_softmax_cross_entropy_with_logits(ints(lab, {rows}, classes < 256 ? DType::uint8 : DType::int32),
                                                                      nb::detail::make_from_doubles(x, {rows, classes}, dt));
      EXPECT_EQ(out.shape(), Shape{rows});
      EXPECT_EQ(out.dtype(), dt);
      EXPECT_TRUE(close(vals(out), want, dt == DType::float32 ? 1e-6 : 1e-13, dt == DType::float32 ? 1e-6 : 1e-13))
          << rows << "x" << classes << " " << nb::dtype_name(dt);
    }
  }
}

TEST(SparseSoftmaxCrossEntropyWithLogits, StridedHalfAndHigherRank) {
  // A transposed (non-contiguous) view gives the same values as its copy.
  const Tensor base = f32({0.5, -1, 2, 3, 0, 1.5, -2, 1}, {2, 4});
  const Tensor view = nb::transpose(base);  // [4, 2]
  ASSERT_FALSE(view.is_contiguous());
  const Tensor lab = ints({1, 0, 1, 1}, {4});
  EXPECT_EQ(vals(nb::sparse_softmax_cross_entropy_with_logits(lab, view)),
            vals(nb::sparse_softmax_cross_entropy_with_logits(lab, view.contiguous())));
  // float16 logits run in float32 and come back as float16.
  const Tensor h = nb::cast(base, DType::float16);
  const Tensor hv = nb::sparse_softmax_cross_entropy_with_logits(ints({3, 0}, {2}), h);
  EXPECT_EQ(hv.dtype(), DType::float16);
  EXPECT_TRUE(close(vals(hv), ref_xent(vals(base), {3, 0}, 4), 2e-3, 2e-3));
  // Rank 3: [2, 2, 3] with labels [2, 2].
  const Tensor x3 = f64({1, 2, 3, 0, 0, 0, -1, 5, 2, 4, 4, 1}, {2, 2, 3});
  const std::vector<int64_t> l3 = {2, 1, 1, 0};
  const Tensor out = nb::sparse_softmax_cross_entropy_with_logits(ints(l3, {2, 2}, DType::int64), x3);
  EXPECT_EQ(out.shape(), (Shape{2, 2}));
  EXPECT_TRUE(close(vals(out), ref_xent(vals(x3), l3, 3), 1e-13, 1e-13));
}

TEST(SparseSoftmaxCrossEntropyWithLogits, GradientIsSoftmaxMinusOneHot) {
  const Tensor x = f64({1, 2, 3, -1, 0, 4}, {2, 3});
  const Tensor g = f64({0.5, -2}, {2});
  nb::GradientTape tape;
  tape.watch(x);
  const Tensor y = nb::sparse_softmax_cross_entropy_with_logits(ints({0, 2}, {2}), x);
  const std::vector<Tensor> dx =
      tape.gradient(std::vector<Tensor>{y}, {nb::GradientSource(x)}, nb::GradientOptions{.output_gradients = {g}});
  const std::vector<double> xv = vals(x);
  std::vector<double> want;
  for (int r = 0; r < 2; ++r) {
    double s = 0;
    for (int c = 0; c < 3; ++c) s += std::exp(xv[size_t(r * 3 + c)]);
    for (int c = 0; c < 3; ++c)
      want.push_back((std::exp(xv[size_t(r * 3 + c)]) / s - ((r == 0 && c == 0) || (r == 1 && c == 2) ? 1 : 0)) *
                     vals(g)[size_t(r)]);
  }
  EXPECT_TRUE(close(vals(dx[0]), want, 1e-13, 1e-14));
}

TEST(SparseSoftmaxCrossEntropyWithLogits, Errors) {
  const Tensor logits = f32(std::vector<double>(20, 0.0), {2, 10});
  std::string e = error_of<nb::InvalidArgument>([&] { nb::sparse_softmax_cross_entropy_with_logits(ints({0, 12}, {2}), logits); });
  EXPECT_NE(e.find("label 12 is out of range [0, 10)"), std::string::npos) << e;
  EXPECT_NE(e.find("[Op:SparseSoftmaxCrossEntropyWithLogits]"), std::string::npos) << e;
  e = error_of<nb::InvalidArgument>([&] { nb::sparse_softmax_cross_entropy_with_logits(ints({-1, 0}, {2}, DType::int8), logits); });
  EXPECT_NE(e.find("label -1 is out of range [0, 10)"), std::string::npos) << e;
  e = error_of<nb::InvalidArgument>([&] { nb::sparse_softmax_cross_entropy_with_logits(ints({200, 0}, {2}, DType::uint8), logits); });
  EXPECT_NE(e.find("label 200 is out of range [0, 10)"), std::string::npos) << e;
  e = error_of<nb::InvalidArgument>([&] { nb::sparse_softmax_cross_entropy_with_logits(f32({2.5, 0}, {2}), logits); });
  EXPECT_NE(e.find("label 2.5 is not a whole number"), std::string::npos) << e;
  e = error_of<nb::InvalidArgument>([&] { nb::sparse_softmax_cross_entropy_with_logits(ints({0, 1, 2}, {3}), logits); });
  EXPECT_NE(e.find("[2]"), std::string::npos) << e;
  EXPECT_NE(e.find("[2,10]"), std::string::npos) << e;
  EXPECT_NE(e.find("[3]"), std::string::npos) << e;
  e = error_of<nb::InvalidArgument>([&] { nb::sparse_softmax_cross_entropy_with_logits(ints({0, 1}, {2}), ints(std::vector<int64_t>(20, 0), {2, 10})); });
  EXPECT_NE(e.find("float"), std::string::npos) << e;
  e = error_of<nb::InvalidArgument>(
      [&] { nb::sparse_softmax_cross_entropy_with_logits(nb::detail::make_from_int64s({1, 0}, {2}, DType::bool_), logits); });
  EXPECT_NE(e.find("bool"), std::string::npos) << e;
  // The loss reports out-of-range labels the same way, from probabilities too.
  for (bool from_logits : {true, false}) {
    e = error_of<nb::InvalidArgument>(
        [&] { L::SparseCategoricalCrossentropy({.from_logits = from_logits})(ints({0, 12}, {2}), logits); });
    EXPECT_NE(e.find("label 12 is out of range [0, 10)"), std::string::npos) << e;
  }
}

TEST(SparseSoftmaxCrossEntropyWithLogits, TrainingStepRunsTwoOps) {
  // The hot path: loss value = fused op + mean; no casts of uint8 labels, no softmax.
  const Tensor logits = f32(std::vector<double>(320, 0.25), {32, 10});
  const Tensor labels = ints(std::vector<int64_t>(32, 3), {32}, DType::uint8);
  L::SparseCategoricalCrossentropy loss({.from_logits = true});
  keras_ref::OpCounter counter;
  const Tensor v = loss(labels, logits);
  EXPECT_EQ(counter.ops, (std::vector<std::string>{"SparseSoftmaxCrossEntropyWithLogits", "ReduceMean"}));
  EXPECT_NEAR(v.item<double>(), std::log(10.0), 1e-6);
}

// ================================================================== errors

TEST(LossErrors, ShapesAndDtypes) {
  std::string e = error_of<nb::InvalidArgument>([] { L::MeanSquaredError()(f32({0, 0, 0, 0, 0, 0}, {2, 3}), f32(std::vector<double>(8, 0), {2, 4})); });
  EXPECT_NE(e.find("[2,3]"), std::string::npos) << e;
  EXPECT_NE(e.find("[2,4]"), std::string::npos) << e;
  e = error_of<nb::InvalidArgument>([] { L::BinaryCrossentropy()(f32({0, 1, 0}, {1, 3}), f32({0.5, 0.5}, {1, 2})); });
  EXPECT_NE(e.find("[1,3]"), std::string::npos) << e;
  EXPECT_NE(e.find("[1,2]"), std::string::npos) << e;
  e = error_of<nb::InvalidArgument>([] { L::CategoricalCrossentropy()(f32({0, 1, 0}, {1, 3}), f32({0.5, 0.5}, {1, 2})); });
  EXPECT_NE(e.find("[1,3]"), std::string::npos) << e;
  e = error_of<nb::InvalidArgument>([] { L::SparseCategoricalCrossentropy()(ints({0, 1, 1}, {3}), f32(std::vector<double>(8, 0.25), {2, 4})); });
  EXPECT_NE(e.find("[3]"), std::string::npos) << e;
  EXPECT_NE(e.find("[2,4]"), std::string::npos) << e;
  e = error_of<nb::InvalidArgument>([] { L::MeanSquaredError()(f64({0, 0}, {2}), f32({0, 0}, {2})); });
  EXPECT_NE(e.find("float64"), std::string::npos) << e;
  EXPECT_NE(e.find("float32"), std::string::npos) << e;
  e = error_of<nb::InvalidArgument>([] { L::MeanSquaredError()(ints({0, 0}, {2}), ints({0, 0}, {2})); });
  EXPECT_NE(e.find("floating-point"), std::string::npos) << e;
  e = error_of<nb::InvalidArgument>([] { L::MeanSquaredError()(f32({0, 0}, {2, 1}), f32({1, 1}, {2, 1}), f32({1, 1, 1}, {3})); });
  EXPECT_NE(e.find("Incompatible shapes"), std::string::npos) << e;
}

TEST(LossErrors, Options) {
  EXPECT_THROW(L::Huber({.delta = 0}), nb::InvalidArgument);
  EXPECT_THROW(L::BinaryCrossentropy({.label_smoothing = 1.5}), nb::InvalidArgument);
  EXPECT_THROW(L::CategoricalCrossentropy({.label_smoothing = -0.1}), nb::InvalidArgument);
  EXPECT_THROW(L::SparseCategoricalCrossentropy({.axis = 0}), nb::InvalidArgument);
  EXPECT_THROW(L::sparse_categorical_crossentropy(ints({0}, {1}), f32({0.5, 0.5}, {1, 2}), false, 0),
               nb::InvalidArgument);
  const std::string e = error_of<nb::InvalidArgument>([] { L::reduction_from_name("average"); });
  EXPECT_NE(e.find("sum_over_batch_size"), std::string::npos) << e;
}

// ================================================================== lookup and configs

TEST(LossLookup, GetByNameAndAlias) {
  const std::vector<std::pair<std::string, std::string>> names = {
      {"mse", "MeanSquaredError"},      {"mean_squared_error", "MeanSquaredError"},
      {"mae", "MeanAbsoluteError"},     {"huber", "Huber"},
      {"binary_crossentropy", "BinaryCrossentropy"},
      {"categorical_crossentropy", "CategoricalCrossentropy"},
      {"sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"},
      {"kl_divergence", "KLDivergence"}, {"kld", "KLDivergence"}};
  for (const auto& [name, cls] : names) {
    const auto loss = L::get(name);
    EXPECT_EQ(loss->class_name(), cls) << name;
    EXPECT_EQ(loss->name(), name) << "a loss got by function name is named after it, as in Keras's compile()";
    EXPECT_EQ(loss->reduction(), L::Reduction::SumOverBatchSize);
  }
  for (const char* cls : {"MeanSquaredError", "MeanAbsoluteError", "Huber", "BinaryCrossentropy",
                          "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "KLDivergence"}) {
    const auto loss = L::get(cls);
    EXPECT_EQ(loss->class_name(), cls);
  }
  EXPECT_EQ(L::get("Huber")->name(), "huber_loss");
  EXPECT_EQ(L::get("SparseCategoricalCrossentropy")->name(), "sparse_categorical_crossentropy");
  const std::string e = error_of<nb::InvalidArgument>([] { L::get("hinge"); });
  EXPECT_NE(e.find("hinge"), std::string::npos) << e;
  EXPECT_NE(e.find("sparse_categorical_crossentropy"), std::string::npos) << e;
}

TEST(LossLookup, ConfigRoundTrips) {
  std::vector<std::shared_ptr<L::Loss>> losses = {
      std::make_shared<L::MeanSquaredError>(L::MeanSquaredError::Options{.reduction = L::Reduction::Sum, .name = "a"}),
      std::make_shared<L::MeanAbsoluteError>(L::MeanAbsoluteError::Options{.reduction = L::Reduction::None}),
      std::make_shared<L::Huber>(L::Huber::Options{.delta = 0.25, .reduction = L::Reduction::Mean}),
      std::make_shared<L::BinaryCrossentropy>(
          L::BinaryCrossentropy::Options{.from_logits = true, .label_smoothing = 0.1, .axis = 0}),
      std::make_shared<L::CategoricalCrossentropy>(L::CategoricalCrossentropy::Options{
          .from_logits = true, .label_smoothing = 0.2, .reduction = L::Reduction::MeanWithSampleWeight}),
      std::make_shared<L::SparseCategoricalCrossentropy>(
          L::SparseCategoricalCrossentropy::Options{.from_logits = true, .ignore_class = 255, .name = "scce"}),
      std::make_shared<L::KLDivergence>()};
  for (const auto& loss : losses) {
    const json s = L::serialize(*loss);
    const auto back = L::from_config(s);
    EXPECT_EQ(back->class_name(), loss->class_name());
    EXPECT_EQ(L::serialize(*back), s) << s.dump();
  }
  const auto sparse = L::from_config(L::serialize(*losses[5]));
  const auto& opts = dynamic_cast<const L::SparseCategoricalCrossentropy&>(*sparse).options();
  EXPECT_TRUE(opts.from_logits);
  EXPECT_EQ(opts.ignore_class, 255);
  EXPECT_EQ(sparse->name(), "scce");
  // Keras writes None for reduction="none".
  EXPECT_EQ(L::from_config(json{{"class_name", "MeanSquaredError"}, {"config", {{"reduction", nullptr}}}})->reduction(),
            L::Reduction::None);
  EXPECT_EQ(L::from_config(json{{"class_name", "KLDivergence"}})->name(), "kl_divergence");
}

TEST(LossLookup, BadConfigs) {
  std::string e = error_of<nb::InvalidArgument>([] { L::from_config(json{{"class_name", "Hinge"}, {"config", json::object()}}); });
  EXPECT_NE(e.find("Hinge"), std::string::npos) << e;
  e = error_of<nb::InvalidArgument>([] { L::from_config(json{{"class_name", "Huber"}, {"config", {{"delt", 1.0}}}}); });
  EXPECT_NE(e.find("delt"), std::string::npos) << e;
  e = error_of<nb::InvalidArgument>([] { L::from_config(json{{"class_name", "Huber"}, {"config", {{"delta", "big"}}}}); });
  EXPECT_NE(e.find("delta"), std::string::npos) << e;
  e = error_of<nb::InvalidArgument>([] { L::from_config(json{{"class_name", "MeanSquaredError"}, {"config", {{"reduction", "avg"}}}}); });
  EXPECT_NE(e.find("avg"), std::string::npos) << e;
  EXPECT_THROW(L::from_config(json::array()), nb::InvalidArgument);
}

}  // namespace
