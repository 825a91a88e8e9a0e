// Metrics (nabla/train/metrics.h): sequences of update_state / result / reset_state
// against real Keras 3.15 (tests/data/keras_losses_metrics.json, from
// tests/tools/gen_keras_losses_metrics.py), hand-computed values, accuracy resolution
// by shape, lookup and config round trips, clone, errors, and the absence of op calls
// on the per-step paths.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include <nabla/nabla.h>
#include <nabla/train/metrics.h>
#include <nlohmann/json.hpp>

#include "unit/keras_reference.h"

namespace nb = nabla;
namespace M = nabla::metrics;
using keras_ref::close;
using keras_ref::json;
using nb::DType;
using nb::Shape;
using nb::Tensor;

namespace {

Tensor f32(const std::vector<double>& v, const Shape& s) { return nb::detail::make_from_doubles(v, s, DType::float32); }
Tensor ints(const std::vector<int64_t>& v, const Shape& s, DType dt = DType::int32) {
  return nb::detail::make_from_int64s(v, s, dt);
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

void run_step(M::Metric& m, const json& step) {
  const Tensor sw = keras_ref::tensor(step.at("sample_weight"));
  if (m.class_name() == "Mean") dynamic_cast<M::Mean&>(m).update_state(keras_ref::tensor(step.at("y_pred")), sw);
  else m.update_state(keras_ref::tensor(step.at("y_true")), keras_ref::tensor(step.at("y_pred")), sw);
}

class KerasMetric : public ::testing::TestWithParam<size_t> {};

TEST_P(KerasMetric, MatchesKeras) {
  const json& c = keras_ref::data().at("metrics").at(GetParam());
  SCOPED_TRACE(c.at("name").get<std::string>());
  const std::unique_ptr<M::Metric> m = M::from_config(json{{"class_name", c.at("class_name")}, {"config", c.at("config")}});
  ASSERT_EQ(m->class_name(), c.at("class_name").get<std::string>());
  EXPECT_EQ(m->name(), c.at("config").at("name").get<std::string>());
  // Keras accumulates in float32, nabla in double.
  const double rtol = 1e-5, atol = 1e-6;
  int i = 0;
  for (const json& step : c.at("steps")) {
    run_step(*m, step);
    EXPECT_TRUE(close(m->result_values(), keras_ref::values(step.at("result")), rtol, atol)) << "after update " << ++i;
  }
  m->reset_state();
  EXPECT_TRUE(close(m->result_values(), keras_ref::values(c.at("after_reset")), rtol, atol)) << "after reset_state";
  run_step(*m, c.at("after_reset_step"));
  EXPECT_TRUE(close(m->result_values(), keras_ref::values(c.at("after_reset_step").at("result")), rtol, atol))
      << "update after reset_state";
  // The configuration survives a round trip; a clone starts fresh and then agrees.
  EXPECT_EQ(M::serialize(*M::from_config(M::serialize(*m))), M::serialize(*m));
  std::unique_ptr<M::Metric> fresh = m->clone();
  EXPECT_EQ(M::serialize(*fresh), M::serialize(*m));
  run_step(*fresh, c.at("after_reset_step"));
  EXPECT_EQ(fresh->result_values(), m->result_values());
}

std::vector<size_t> metric_indices() {
  std::vector<size_t> v(keras_ref::data().at("metrics").size());
  for (size_t i = 0; i < v.size(); ++i) v[i] = i;
  return v;
}

INSTANTIATE_TEST_SUITE_P(Keras, KerasMetric, ::testing::ValuesIn(metric_indices()),
                         [](const ::testing::TestParamInfo<size_t>& i) {
                           return keras_ref::param_name(
                               keras_ref::data().at("metrics").at(i.param).at("name").get<std::string>(), i.param);
                         });

TEST(MetricLookup, AccuracyResolvedByShapeAsKeras) {
  const json& cases = keras_ref::data().at("accuracy_resolution");
  ASSERT_GE(cases.size(), 8u);
  for (const json& c : cases) {
    const Shape yt(c.at("y_true_shape").get<std::vector<int64_t>>()), yp(c.at("y_pred_shape").get<std::vector<int64_t>>());
    for (const char* name : {"accuracy", "acc", "ACC"}) {
      const auto m = M::get(name, yt, yp);
      EXPECT_EQ(m->class_name(), c.at("class_name").get<std::string>()) << yt.str() << " " << yp.str();
      EXPECT_EQ(m->name(), name);
    }
  }
}

// ================================================================== hand-computed values

TEST(Metrics, SparseCategoricalAccuracyByHand) {
  // argmax rows: 2, 0, 1 (first of the tied maxima), 0.
  const Tensor yp = f32({0.1, 0.2, 0.7, 0.9, 0.05, 0.05, 0.3, 0.4, 0.4, 0.5, 0.1, 0.4}, {4, 3});
  for (DType dt : {DType::uint8, DType::int8, DType::int16, DType::int32, DType::int64, DType::float32,
                   DType::float64, DType::float16}) {
    SCOPED_TRACE(std::string(nb::dtype_name(dt)));
    M::SparseCategoricalAccuracy acc;
    acc.update_state(ints({2, 0, 2, 0}, {4}, dt), yp);
    EXPECT_DOUBLE_EQ(acc.result(), 0.75);
    acc.update_state(ints({1, 1, 1, 1}, {4, 1}, dt), yp, f32({1, 1, 3, 1}, {4}));
    EXPECT_DOUBLE_EQ(acc.result(), (3.0 + 3.0) / (4.0 + 6.0));
  }
}

TEST(Metrics, ArgmaxTiesSignedZerosAndNaNAsKeras) {
  // tf.argmax via keras.ops.argmax: the first maximum wins, +0.0 beats -0.0,
  // NaNs rank below every number ([1, 0, 2, 0] for the rows below).
  const double nan = std::nan("");
  const Tensor yp = f32({-0.0, 0.0, -1.0, 0.0, -0.0, -1.0, 1.0, nan, 2.0, nan, 3.0, 3.0}, {4, 3});
  for (const std::vector<int64_t>& labels : {std::vector<int64_t>{1, 0, 2, 1}, std::vector<int64_t>{0, 1, 1, 2}}) {
    M::SparseCategoricalAccuracy acc;
    acc.update_state(ints(labels, {4}), yp);
    EXPECT_DOUBLE_EQ(acc.result(), labels[0] == 1 ? 1.0 : 0.0);
  }
  M::CategoricalAccuracy cat;
  cat.update_state(f32({0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0}, {4, 3}), yp);
  EXPECT_DOUBLE_EQ(cat.result(), 1.0);
}

TEST(Metrics, MeanTracksLossesWithoutTensors) {
  M::Mean loss({.name = "loss"});
  EXPECT_EQ(loss.result(), 0.0);
  loss.update_state(2.0);
  loss.update_state(nb::constant(4.0f));
  loss.update_state(1.0, 2.0);
  EXPECT_DOUBLE_EQ(loss.result(), (2.0 + 4.0 + 2.0) / 4.0);
  EXPECT_EQ(loss.count(), 4.0);
  loss.reset_state();
  EXPECT_EQ(loss.result(), 0.0);
  EXPECT_EQ(loss.name(), "loss");
  // The (y_true, y_pred) form is rejected, also through the base class.
  const std::string e = error_of<nb::InvalidArgument>([&] { loss.update_state(f32({1}, {1}), f32({1}, {1}), Tensor()); });
  EXPECT_NE(e.find("update_state(values"), std::string::npos) << e;
  M::Metric& base = loss;
  EXPECT_THROW(base.update_state(f32({1}, {1}), f32({1}, {1})), nb::InvalidArgument);
}

TEST(Metrics, AucOfSeparatedAndReversedScores) {
  const Tensor yt = f32({0, 0, 1, 1}, {4});
  M::AUC roc;
  roc.update_state(yt, f32({0.1, 0.2, 0.8, 0.9}, {4}));
  EXPECT_NEAR(roc.result(), 1.0, 1e-12);
  M::AUC reversed;
  reversed.update_state(yt, f32({0.9, 0.8, 0.2, 0.1}, {4}));
  EXPECT_NEAR(reversed.result(), 0.0, 1e-12);
  M::AUC pr({.curve = "PR"});
  pr.update_state(yt, f32({0.1, 0.2, 0.8, 0.9}, {4}));
  EXPECT_NEAR(pr.result(), 1.0, 1e-12);
}

TEST(Metrics, PrecisionRecallF1ByHand) {
  // Predictions > 0.5: [1, 1, 0, 0, 1]; truth [1, 0, 1, 0, 1] -> tp 2, fp 1, fn 1.
  const Tensor yt = f32({1, 0, 1, 0, 1}, {5}), yp = f32({0.9, 0.6, 0.4, 0.1, 0.7}, {5});
  M::Precision p;
  M::Recall r;
  p.update_state(yt, yp);
  r.update_state(yt, yp);
  EXPECT_DOUBLE_EQ(p.result(), 2.0 / 3);
  EXPECT_DOUBLE_EQ(r.result(), 2.0 / 3);
  M::Precision multi({.thresholds = {0.05, 0.5, 0.95}});
  multi.update_state(yt, yp);
  EXPECT_EQ(multi.result_values(), (std::vector<double>{3.0 / 5, 2.0 / 3, 0.0}));
  const std::string e = error_of<nb::FailedPrecondition>([&] { multi.result(); });
  EXPECT_NE(e.find("result_values"), std::string::npos) << e;
  // F1 per class on one-hot data, argmax decisions: class 0 tp 1 fn 1, class 1 tp 1 fp 1.
  M::F1Score f1;
  f1.update_state(f32({1, 0, 1, 0, 0, 1}, {3, 2}), f32({0.8, 0.2, 0.3, 0.7, 0.1, 0.9}, {3, 2}));
  const std::vector<double> v = f1.result_values();
  ASSERT_EQ(v.size(), 2u);
  EXPECT_NEAR(v[0], 2 * 1.0 * 0.5 / 1.5, 1e-6);
  EXPECT_NEAR(v[1], 2 * 0.5 * 1.0 / 1.5, 1e-6);
  EXPECT_THROW(f1.result(), nb::FailedPrecondition);
}

TEST(Metrics, RegressionByHand) {
  const Tensor yt = f32({0, 0, 0, 0}, {2, 2}), yp = f32({1, 3, -2, 2}, {2, 2});
  M::MeanSquaredError mse;
  M::MeanAbsoluteError mae;
  M::RootMeanSquaredError rmse;
  mse.update_state(yt, yp);
  mae.update_state(yt, yp);
  rmse.update_state(yt, yp);
  EXPECT_DOUBLE_EQ(mse.result(), (5.0 + 4.0) / 2);
  EXPECT_DOUBLE_EQ(mae.result(), (2.0 + 2.0) / 2);
  EXPECT_DOUBLE_EQ(rmse.result(), std::sqrt(4.5));
  M::R2Score r2;
  r2.update_state(f32({1, 2, 3}, {3, 1}), f32({1, 2, 3}, {3, 1}));
  EXPECT_DOUBLE_EQ(r2.result(), 1.0);
}

// ================================================================== the per-step paths run no op

TEST(Metrics, PerStepUpdatesRunNoOp) {
  const Tensor logits = f32({0.1, 0.2, 0.7, 0.9, 0.05, 0.05}, {2, 3});
  const Tensor labels = ints({2, 1}, {2}, DType::uint8);
  M::Mean loss;
  M::SparseCategoricalAccuracy sparse;
  M::CategoricalAccuracy categorical;
  M::BinaryAccuracy binary;
  M::SparseTopKCategoricalAccuracy top2({.k = 2});
  const Tensor onehot = f32({0, 0, 1, 0, 1, 0}, {2, 3});
  const Tensor probs = f32({0.2, 0.7}, {2, 1}), bin = f32({0, 1}, {2});
  const Tensor value = nb::constant(0.5f), sw = f32({1, 2}, {2});
  keras_ref::OpCounter counter;
  for (int step = 0; step < 3; ++step) {
    loss.update_state(value);
    sparse.update_state(labels, logits);
    sparse.update_state(labels, logits, sw);
    categorical.update_state(onehot, logits);
    binary.update_state(bin, probs);
    top2.update_state(labels, logits);
  }
  EXPECT_TRUE(counter.ops.empty()) << counter.ops.size() << " ops, first " << counter.ops.front();
  EXPECT_DOUBLE_EQ(sparse.result(), (3 * 1.0 + 3 * 1.0) / (3 * 2.0 + 3 * 3.0));
  EXPECT_DOUBLE_EQ(categorical.result(), 0.5);
  EXPECT_DOUBLE_EQ(binary.result(), 1.0);
  EXPECT_DOUBLE_EQ(top2.result(), 1.0);
}

// ================================================================== lookup, configs, clone

TEST(MetricLookup, GetByName) {
  const Shape yt{8}, yp{8, 10};
  const std::vector<std::pair<std::string, std::string>> names = {
      {"mse", "MeanSquaredError"},
      {"mae", "MeanAbsoluteError"},
      {"rmse", "RootMeanSquaredError"},
      {"mean", "Mean"},
      {"binary_accuracy", "BinaryAccuracy"},
      {"categorical_accuracy", "CategoricalAccuracy"},
      {"sparse_categorical_accuracy", "SparseCategoricalAccuracy"},
      {"top_k_categorical_accuracy", "TopKCategoricalAccuracy"},
      {"sparse_top_k_categorical_accuracy", "SparseTopKCategoricalAccuracy"},
      {"precision", "Precision"},
      {"recall", "Recall"},
      {"f1_score", "F1Score"},
      {"auc", "AUC"},
      {"r2_score", "R2Score"},
      {"root_mean_squared_error", "RootMeanSquaredError"},
      {"SparseCategoricalAccuracy", "SparseCategoricalAccuracy"},
      {"AUC", "AUC"}};
  for (const auto& [name, cls] : names) {
    const auto m = M::get(name, yt, yp);
    EXPECT_EQ(m->class_name(), cls) << name;
    EXPECT_EQ(m->name(), name);
  }
  const std::string e = error_of<nb::InvalidArgument>([&] { M::get("iou", yt, yp); });
  EXPECT_NE(e.find("iou"), std::string::npos) << e;
  EXPECT_NE(e.find("sparse_categorical_accuracy"), std::string::npos) << e;
  EXPECT_THROW(M::get("accuracy", Shape{}, Shape{}), nb::InvalidArgument);
}

TEST(MetricLookup, ConfigRoundTripsWithOptions) {
  std::vector<std::unique_ptr<M::Metric>> ms;
  ms.push_back(std::make_unique<M::BinaryAccuracy>(M::BinaryAccuracy::Options{.threshold = 0.3, .name = "b"}));
  ms.push_back(std::make_unique<M::TopKCategoricalAccuracy>(M::TopKCategoricalAccuracy::Options{.k = 3}));
  ms.push_back(std::make_unique<M::SparseTopKCategoricalAccuracy>(M::SparseTopKCategoricalAccuracy::Options{.k = 2}));
  ms.push_back(std::make_unique<M::Precision>(M::Precision::Options{.thresholds = {0.2, 0.7}, .class_id = 1}));
  ms.push_back(std::make_unique<M::Recall>(M::Recall::Options{.top_k = 2}));
  ms.push_back(std::make_unique<M::F1Score>(M::F1Score::Options{.average = "macro", .threshold = 0.4}));
  ms.push_back(std::make_unique<M::AUC>(M::AUC::Options{.curve = "PR", .summation_method = "minoring",
                                                         .thresholds = {0.7, 0.2}, .multi_label = true,
                                                         .label_weights = {1, 2}, .from_logits = true}));
  ms.push_back(std::make_unique<M::R2Score>(M::R2Score::Options{.class_aggregation = std::nullopt, .num_regressors = 1}));
  ms.push_back(std::make_unique<M::Mean>(M::Mean::Options{.name = "loss"}));
  for (const auto& m : ms) {
    const json s = M::serialize(*m);
    const auto back = M::from_config(s);
    EXPECT_EQ(M::serialize(*back), s) << s.dump();
    EXPECT_EQ(back->name(), m->name());
  }
  const json auc = M::serialize(*ms[6]);
  EXPECT_EQ(auc.at("config").at("thresholds"), json({0.2, 0.7}));
  EXPECT_EQ(auc.at("config").at("num_thresholds"), 4);
  EXPECT_EQ(M::serialize(*ms[4]).at("config").at("name"), "recall");
}

TEST(MetricLookup, BadConfigs) {
  std::string e = error_of<nb::InvalidArgument>([] { M::from_config(json{{"class_name", "IoU"}}); });
  EXPECT_NE(e.find("IoU"), std::string::npos) << e;
  e = error_of<nb::InvalidArgument>([] { M::from_config(json{{"class_name", "AUC"}, {"config", {{"curves", "PR"}}}}); });
  EXPECT_NE(e.find("curves"), std::string::npos) << e;
  e = error_of<nb::InvalidArgument>([] { M::from_config(json{{"class_name", "TopKCategoricalAccuracy"}, {"config", {{"k", 2.5}}}}); });
  EXPECT_NE(e.find("\"k\""), std::string::npos) << e;
  e = error_of<nb::InvalidArgument>([] { M::from_config(json{{"class_name", "Precision"}, {"config", {{"thresholds", {0.5, "x"}}}}}); });
  EXPECT_NE(e.find("thresholds"), std::string::npos) << e;
}

TEST(Metrics, CloneHasTheConfigAndAFreshState) {
  M::SparseCategoricalAccuracy acc({.name = "acc"});
  acc.update_state(ints({0}, {1}), f32({1, 0}, {1, 2}));
  ASSERT_EQ(acc.result(), 1.0);
  const auto c = acc.clone();
  EXPECT_EQ(c->name(), "acc");
  EXPECT_EQ(c->result(), 0.0);
  EXPECT_EQ(acc.result(), 1.0);
  // R2Score/F1Score/AUC clones are unbuilt: a clone accepts another column count.
  M::R2Score r2;
  r2.update_state(f32({1, 2, 3, 4}, {2, 2}), f32({1, 2, 3, 5}, {2, 2}));
  const auto r2c = r2.clone();
  EXPECT_NO_THROW(r2c->update_state(f32({1, 2, 3}, {3, 1}), f32({1, 2, 2}, {3, 1})));
  EXPECT_THROW(r2.update_state(f32({1, 2, 3}, {3, 1}), f32({1, 2, 2}, {3, 1})), nb::InvalidArgument);
}

// ================================================================== errors

TEST(MetricErrors, ShapesLeaveTheStateUnchanged) {
  M::SparseCategoricalAccuracy acc;
  acc.update_state(ints({0, 1}, {2}), f32({1, 0, 0, 1}, {2, 2}));
  std::string e = error_of<nb::InvalidArgument>([&] { acc.update_state(ints({0, 1, 1}, {3}), f32(std::vector<double>(10, 0), {2, 5})); });
  EXPECT_NE(e.find("[3]"), std::string::npos) << e;
  EXPECT_NE(e.find("[2,5]"), std::string::npos) << e;
  e = error_of<nb::InvalidArgument>([&] { acc.update_state(ints({0, 1}, {2}), f32({1, 0, 0, 1}, {2, 2}), f32({1, 2, 3}, {3})); });
  EXPECT_NE(e.find("sample_weight"), std::string::npos) << e;
  EXPECT_EQ(acc.result(), 1.0);
  EXPECT_EQ(acc.count(), 2.0);

  M::CategoricalAccuracy cat;
  e = error_of<nb::InvalidArgument>([&] { cat.update_state(f32({1, 0}, {1, 2}), f32({1, 0, 0}, {1, 3})); });
  EXPECT_NE(e.find("[1,2]"), std::string::npos) << e;
  M::Precision prec({.top_k = 4});
  EXPECT_THROW(prec.update_state(f32({1, 0}, {1, 2}), f32({1, 0}, {1, 2})), nb::InvalidArgument);
  M::Precision cls({.class_id = 3});
  EXPECT_THROW(cls.update_state(f32({1, 0}, {1, 2}), f32({1, 0}, {1, 2})), nb::InvalidArgument);
  M::F1Score f1;
  EXPECT_THROW(f1.update_state(f32({1, 0}, {2}), f32({1, 0}, {2})), nb::InvalidArgument);
  M::R2Score r2;
  EXPECT_THROW(r2.update_state(f32({1, 0, 1}, {1, 3}), f32({1, 0}, {1, 2})), nb::InvalidArgument);
}

TEST(MetricErrors, Options) {
  EXPECT_THROW(M::Precision({.thresholds = {1.5}}), nb::InvalidArgument);
  EXPECT_THROW(M::Recall({.thresholds = {-0.1}}), nb::InvalidArgument);
  EXPECT_THROW(M::F1Score({.average = "samples"}), nb::InvalidArgument);
  EXPECT_THROW(M::F1Score({.threshold = 0.0}), nb::InvalidArgument);
  EXPECT_THROW(M::AUC({.num_thresholds = 1}), nb::InvalidArgument);
  EXPECT_THROW(M::AUC({.curve = "DET"}), nb::InvalidArgument);
  EXPECT_THROW(M::AUC({.summation_method = "trapezoid"}), nb::InvalidArgument);
  EXPECT_THROW(M::AUC({.num_labels = 3}), nb::InvalidArgument);
  EXPECT_THROW(M::R2Score({.class_aggregation = "median"}), nb::InvalidArgument);
  EXPECT_THROW(M::TopKCategoricalAccuracy({.k = 0}), nb::InvalidArgument);
}

}  // namespace
