// Model.fit/evaluate/predict against real Keras runs (tests/tools/gen_keras_fit.py):
// same data, same initial weights, no shuffling; nabla must reproduce the loss and
// metric history (including validation), the final weights, evaluate() and predict().
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "nabla/nabla.h"

namespace nb = nabla;
using json = nlohmann::json;

namespace {

// A float32 tensor of the nested list's shape.
nb::Tensor from_nested(const json& v, nb::DType dtype = nb::DType::float32) {
  std::vector<double> flat;
  nb::Shape shape;
  std::function<void(const json&, size_t)> walk = [&](const json& a, size_t depth) {
    if (a.is_array()) {
      if (shape.size() <= depth) shape.push_back(int64_t(a.size()));
      for (const auto& e : a) walk(e, depth + 1);
    } else {
      flat.push_back(a.get<double>());
    }
  };
  walk(v, 0);
  return nb::constant(flat, shape, dtype);
}

void expect_close(const nb::Tensor& got, const json& want, double tol, const std::string& what) {
  std::vector<double> g = nb::cast(got, nb::DType::float64).to_vector<double>();
  std::vector<double> w = nb::cast(from_nested(want), nb::DType::float64).to_vector<double>();
  ASSERT_EQ(g.size(), w.size()) << what;
  for (size_t i = 0; i < g.size(); ++i)
    ASSERT_NEAR(g[i], w[i], tol * (1 + std::abs(w[i]))) << what << " element " << i;
}

json load_cases() {
  std::ifstream in(std::string(NABLA_TEST_DATA_DIR) + "/keras_fit.json");
  EXPECT_TRUE(in.good()) << "missing tests/data/keras_fit.json";
  return json::parse(in)["cases"];
}

class KerasFit : public ::testing::TestWithParam<int> {};

TEST_P(KerasFit, MatchesKerasHistoryWeightsEvaluateAndPredict) {
  static const json cases = load_cases();
  const json& c = cases.at(size_t(GetParam()));
  SCOPED_TRACE(c["name"].get<std::string>());
  const bool sparse = c["loss"] == "sparse";
  nb::Tensor x = from_nested(c["x"]), xv = from_nested(c["x_val"]);
  nb::Tensor y = from_nested(c["y"], sparse ? nb::DType::int32 : nb::DType::float32);
  nb::Tensor yv = from_nested(c["y_val"], sparse ? nb::DType::int32 : nb::DType::float32);

  nb::layers::DenseOptions hidden_opts{.activation = c["activation"].get<std::string>()};
  if (!c["l2"].is_null()) hidden_opts.kernel_regularizer = nb::regularizers::L2({.l2 = c["l2"].get<double>()});
  nb::Sequential model({
      nb::Input({c["features"].get<int64_t>()}),
      nb::layers::Dense(c["hidden"].get<int64_t>(), hidden_opts),
      nb::layers::Dense(c["classes"].get<int64_t>()),
  });
  std::vector<nb::Tensor> init;
  for (const auto& w : c["initial_weights"]) init.push_back(from_nested(w));
  model.set_weights(init);

  nb::OptimizerArg opt = c["optimizer"] == "sgd"
                             ? nb::OptimizerArg(nb::optimizers::SGD({.learning_rate = 0.1, .momentum = 0.9}))
                             : nb::OptimizerArg(nb::optimizers::Adam({.learning_rate = 0.01}));
  std::vector<nb::MetricArg> metrics;
  for (const auto& m : c["metrics"]) metrics.emplace_back(m.get<std::string>());
  nb::LossArg loss = sparse ? nb::LossArg(nb::losses::SparseCategoricalCrossentropy({.from_logits = true}))
                            : nb::LossArg(nb::losses::MeanSquaredError());
  std::vector<nb::MetricArg> weighted;
  for (const auto& m : c["weighted_metrics"]) weighted.emplace_back(m.get<std::string>());
  model.compile({.optimizer = opt, .loss = loss, .metrics = metrics, .weighted_metrics = weighted});

  nb::FitOptions fo{.batch_size = c["batch_size"].get<int64_t>(), .epochs = c["epochs"].get<int>(), .verbose = 0,
                    .shuffle = false};
  if (c["validation_split"].get<double>() > 0) fo.validation_split = c["validation_split"].get<double>();
  else fo.validation_data = nb::ValidationData(xv, yv);
  if (!c["sample_weight"].is_null()) fo.sample_weight = from_nested(c["sample_weight"]);
  for (const auto& [k, v] : c["class_weight"].items()) fo.class_weight[std::stoll(k)] = v.get<double>();
  nb::callbacks::History h = model.fit(x, y, fo);

  for (const auto& [key, values] : c["history"].items()) {
    ASSERT_TRUE(h.history.count(key)) << "history lacks " << key;
    const auto& got = h.history.at(key);
    ASSERT_EQ(got.size(), values.size()) << key;
    for (size_t e = 0; e < got.size(); ++e)
      EXPECT_NEAR(got[e], values[e].get<double>(), 2e-5 * (1 + std::abs(values[e].get<double>())))
          << key << " at epoch " << e;
  }
  std::vector<nb::Tensor> final_w = model.get_weights();
  ASSERT_EQ(final_w.size(), c["final_weights"].size());
  for (size_t i = 0; i < final_w.size(); ++i) expect_close(final_w[i], c["final_weights"][i], 2e-5, "final weight");

  nb::Logs ev = model.evaluate(xv, yv, {.batch_size = c["batch_size"].get<int64_t>(), .verbose = 0});
  for (const auto& [key, v] : c["evaluate"].items())
    EXPECT_NEAR(ev.at(key), v.get<double>(), 2e-5 * (1 + std::abs(v.get<double>()))) << "evaluate " << key;
  expect_close(model.predict(xv, {.batch_size = c["batch_size"].get<int64_t>()}), c["predict"], 2e-5, "predict");
}

INSTANTIATE_TEST_SUITE_P(Cases, KerasFit, ::testing::Range(0, 4));

}  // namespace
