// nabla::regularizers against Keras 3 (tests/data/keras_nn.json, written by
// tests/tools/gen_keras_nn.py): penalty values and tf.GradientTape gradients on
// a fixed 4x5 weight (with a zero entry, where L1's gradient is sign(0) = 0), in
// float32 and float64, and get_config() equal to Keras's. Also: hand-computed
// penalties, finite-difference gradients, get()/names(), serialize/from_config
// round trips and errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <nabla/nabla.h>
#include <nabla/nn/regularizers.h>
#include <nlohmann/json.hpp>

#include "unit/gradient_check.h"
#include "unit/keras_nn_data.h"

namespace nb = nabla;
namespace reg = nabla::regularizers;
using keras_nn::json;

namespace {

const json& cases() { return keras_nn::data().at("regularizers"); }

TEST(RegularizersKeras, ValuesGradientsAndConfigs) {
  ASSERT_NO_THROW(keras_nn::data()) << keras_nn::data_path();
  ASSERT_GE(cases().size(), 15u);
  for (const auto& c : cases()) {
    const std::string label = c["class_name"].get<std::string>() + c["args"].dump() + " " + c["dtype"].get<std::string>();
    SCOPED_TRACE(label);
    const nb::DType dt = nb::dtype_from_name(c["dtype"].get<std::string>());
    const auto r = reg::from_config({{"class_name", c["class_name"]}, {"config", c["args"]}});
    EXPECT_EQ(r->class_name(), c["class_name"].get<std::string>());
    // Keras keeps L1's l1 and OrthogonalRegularizer's factor as float32 tensors, so its
    // config holds them rounded to float32; nabla keeps the double.
    const json got = r->get_config();
    ASSERT_EQ(got.size(), c["config"].size()) << got.dump() << " vs " << c["config"].dump();
    for (const auto& [k, v] : c["config"].items()) {
      ASSERT_TRUE(got.contains(k)) << k;
      if (v.is_number()) EXPECT_NEAR(got[k].get<double>(), v.get<double>(), 1e-7 * std::abs(v.get<double>())) << k;
      else EXPECT_EQ(got[k], v) << k;
    }
    const nb::Tensor x = keras_nn::tensor(c["x"], c["shape"], dt);
    nb::GradientTape tape;
    tape.watch(x);
    const nb::Tensor p = (*r)(x);
    ASSERT_EQ(p.rank(), 0);
    ASSERT_EQ(p.dtype(), dt);
    const nb::Tensor g = tape.gradient(p, x);
    // Keras converts its coefficients to float32 tensors before casting them to the
    // weight's dtype, so its float64 penalties carry a float32-rounded coefficient
    // (relative 2e-8 for 0.01); nabla keeps the double. ExactFloat64 below checks
    // float64 tightly against an independent computation.
    const double rtol = dt == nb::float32 ? 2e-6 : 1e-7;
    EXPECT_TRUE(keras_nn::all_close({p.item<double>()}, {keras_nn::num(c["value"])}, rtol, 0, "penalty"));
    const std::vector<double> want = keras_nn::nums(c["grad"]);
    if (!g.defined()) {
      // Not connected to the weight (L1L2 with both coefficients 0): Keras's gradient is None.
      for (double v : want) EXPECT_EQ(v, 0.0);
      continue;
    }
    double scale = 0;
    for (double v : want) scale = std::max(scale, std::abs(v));
    EXPECT_TRUE(keras_nn::all_close(g.to_vector<double>(), want, rtol, rtol * scale, "gradient"));
  }
}

// L1/L2/L1L2 on the Keras cases' float64 weight against long-double sums.
TEST(Regularizers, ExactFloat64) {
  int checked = 0;
  for (const auto& c : cases()) {
    const std::string cls = c["class_name"].get<std::string>();
    if (c["dtype"] != "float64" || cls == "OrthogonalRegularizer") continue;
    const auto r = reg::from_config({{"class_name", cls}, {"config", c["args"]}});
    const json cfg = r->get_config();
    const long double l1 = cfg.value("l1", 0.0), l2 = cfg.value("l2", 0.0);
    const std::vector<double> xs = keras_nn::nums(c["x"]);
    long double want = 0;
    std::vector<double> want_grad;
    for (double x : xs) {
      want += l1 * std::fabs((long double)x) + l2 * (long double)x * x;
      want_grad.push_back(double(l1 * (x > 0 ? 1 : x < 0 ? -1 : 0) + 2 * l2 * (long double)x));
    }
    const nb::Tensor x = keras_nn::tensor(c["x"], c["shape"], nb::float64);
    nb::GradientTape tape;
    tape.watch(x);
    const nb::Tensor p = (*r)(x);
    EXPECT_NEAR(p.item<double>(), double(want), 1e-14 * double(want) + 1e-300) << cls << c["args"].dump();
    const nb::Tensor g = tape.gradient(p, x);
    if (l1 == 0 && l2 == 0) {
      EXPECT_FALSE(g.defined());
      continue;
    }
    EXPECT_TRUE(keras_nn::all_close(g.to_vector<double>(), want_grad, 1e-14, 1e-17, cls + " gradient"));
    ++checked;
  }
  EXPECT_GE(checked, 5);
}

TEST(Regularizers, HandComputed) {
  const nb::Tensor w = nb::constant({{1.0, -2.0}, {3.0, 0.0}}, nb::float64);
  EXPECT_DOUBLE_EQ(reg::L1()(w).item<double>(), 0.01 * 6);
  EXPECT_DOUBLE_EQ(reg::L1({.l1 = 0.5})(w).item<double>(), 3.0);
  EXPECT_DOUBLE_EQ(reg::L2()(w).item<double>(), 0.01 * 14);
  EXPECT_DOUBLE_EQ(reg::L1L2({.l1 = 0.1, .l2 = 0.2})(w).item<double>(), 0.1 * 6 + 0.2 * 14);
  EXPECT_DOUBLE_EQ(reg::L1L2({.l2 = 0.2})(w).item<double>(), 0.2 * 14);
  EXPECT_EQ(reg::L1L2()(w).item<double>(), 0.0);
  // Orthonormal rows: no off-diagonal correlation.
  EXPECT_NEAR(reg::OrthogonalRegularizer()(nb::constant({{0.6, 0.8}, {-0.8, 0.6}}, nb::float64)).item<double>(), 0.0, 1e-17);
  // Two identical rows (any length): normalised Gram off-diagonal = 1, twice; 1 pair.
  EXPECT_NEAR(reg::OrthogonalRegularizer({.factor = 0.3})(nb::constant({{2.0, 0.0}, {5.0, 0.0}}, nb::float64)).item<double>(),
              0.3 * 0.5 * 2 / 1, 1e-15);
  // Columns mode: columns (1, 0, 0) and (1, 1, 0)/sqrt2 -> cos = 1/sqrt2.
  EXPECT_NEAR(reg::OrthogonalRegularizer({.factor = 1.0, .mode = "columns"})(
                  nb::constant({{1.0, 1.0}, {0.0, 1.0}, {0.0, 0.0}}, nb::float64)).item<double>(),
              0.5 * 2 / std::sqrt(2.0), 1e-15);
  // float32 weights give float32 penalties.
  EXPECT_EQ(reg::L2()(nb::constant({1.f, 2.f})).dtype(), nb::float32);
}

TEST(Regularizers, FiniteDifferenceGradients) {
  const nb::Tensor w = nb::constant(std::vector<double>{0.3, -1.2, 2.5, -0.7, 1.9, 0.4, -2.2, 0.8, 1.1, -0.2, 0.6, -1.5},
                                    {3, 4});
  const std::vector<std::shared_ptr<reg::Regularizer>> all = {
      std::make_shared<reg::L1>(reg::L1Options{.l1 = 0.3}), std::make_shared<reg::L2>(reg::L2Options{.l2 = 0.7}),
      std::make_shared<reg::L1L2>(reg::L1L2Options{.l1 = 0.2, .l2 = 0.4}),
      std::make_shared<reg::OrthogonalRegularizer>(reg::OrthogonalRegularizerOptions{.factor = 0.5}),
      std::make_shared<reg::OrthogonalRegularizer>(
          reg::OrthogonalRegularizerOptions{.factor = 0.5, .mode = "columns"}),
  };
  nb::gradcheck::CheckOptions options;
  options.eps = 1e-6;
  options.atol = 1e-8;
  options.rtol = 1e-6;
  for (const auto& r : all) {
    const nb::gradcheck::Fn f = [&r](const nb::TensorList& t) { return nb::TensorList{(*r)(t[0])}; };
    EXPECT_TRUE(nb::gradcheck::check_gradient(r->class_name() + r->get_config().dump(), f, {w}, options));
  }
}

TEST(Regularizers, GetAndNames) {
  const auto ns = reg::names();
  EXPECT_TRUE(std::is_sorted(ns.begin(), ns.end()));
  EXPECT_EQ(reg::get("l1")->class_name(), "L1");
  EXPECT_EQ(reg::get("L2")->class_name(), "L2");
  EXPECT_EQ(reg::get("l1_l2")->class_name(), "L1L2");
  EXPECT_EQ(reg::get("l1l2")->class_name(), "L1L2");
  EXPECT_EQ(reg::get("orthogonal_regularizer")->class_name(), "OrthogonalRegularizer");
  // Keras's defaults.
  EXPECT_EQ(reg::get("l1")->get_config(), (json{{"l1", 0.01}}));
  EXPECT_EQ(reg::get("l2")->get_config(), (json{{"l2", 0.01}}));
  EXPECT_EQ(reg::get("l1_l2")->get_config(), (json{{"l1", 0.0}, {"l2", 0.0}}));
  EXPECT_EQ(reg::get("orthogonal_regularizer")->get_config(), (json{{"factor", 0.01}, {"mode", "rows"}}));
  for (const auto& n : ns) EXPECT_NO_THROW(reg::get(n)) << n;
  try {
    reg::get("l3");
    FAIL() << "expected InvalidArgument";
  } catch (const nb::InvalidArgument& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("'l3'"), std::string::npos) << m;
    for (const auto& n : ns) EXPECT_NE(m.find(n), std::string::npos) << "message does not list " << n;
  }
}

TEST(Regularizers, ConfigRoundTrip) {
  const std::vector<std::shared_ptr<reg::Regularizer>> all = {
      std::make_shared<reg::L1>(reg::L1Options{.l1 = 0.125}), std::make_shared<reg::L2>(reg::L2Options{.l2 = 3}),
      std::make_shared<reg::L1L2>(reg::L1L2Options{.l1 = 0.5, .l2 = 0.25}),
      std::make_shared<reg::OrthogonalRegularizer>(reg::OrthogonalRegularizerOptions{.factor = 0.2, .mode = "columns"}),
  };
  const nb::Tensor w = nb::constant({{1.0, -2.0, 0.5}, {3.0, 0.25, -1.0}});
  for (const auto& r : all) {
    const json s = reg::serialize(*r);
    EXPECT_EQ(s["module"], "keras.regularizers");
    const auto back = reg::from_config(json::parse(s.dump()));
    EXPECT_EQ(back->class_name(), r->class_name());
    EXPECT_EQ(back->get_config(), r->get_config());
    EXPECT_EQ((*back)(w).item<double>(), (*r)(w).item<double>());
  }
  EXPECT_EQ(reg::from_config({{"class_name", "L2"}})->get_config(), (json{{"l2", 0.01}}));
  EXPECT_EQ(reg::from_config("l1")->class_name(), "L1");
}

TEST(Regularizers, Errors) {
  EXPECT_THROW(reg::L1({.l1 = -0.1}), nb::InvalidArgument);
  EXPECT_THROW(reg::L2({.l2 = std::nan("")}), nb::InvalidArgument);
  EXPECT_THROW(reg::L1L2({.l1 = INFINITY}), nb::InvalidArgument);
  EXPECT_THROW(reg::OrthogonalRegularizer({.factor = -1}), nb::InvalidArgument);
  EXPECT_THROW(reg::OrthogonalRegularizer({.mode = "diagonal"}), nb::InvalidArgument);
  EXPECT_THROW(reg::OrthogonalRegularizer()(nb::constant({1.f, 2.f})), nb::InvalidArgument);          // rank 1
  EXPECT_THROW(reg::OrthogonalRegularizer()(nb::constant({{1.f, 2.f}})), nb::InvalidArgument);        // 1 row
  EXPECT_THROW(reg::L2()(nb::constant({1, 2})), nb::InvalidArgument);                                  // int32
  try {
    reg::from_config({{"class_name", "L2"}, {"config", {{"l1", 0.1}}}});
    FAIL();
  } catch (const nb::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("\"l1\""), std::string::npos) << e.what();
  }
  EXPECT_THROW(reg::from_config({{"class_name", "L2"}, {"config", {{"l2", "big"}}}}), nb::InvalidArgument);
  EXPECT_THROW(reg::from_config({{"class_name", "L2"}, {"config", {{"l2", -1}}}}), nb::InvalidArgument);
  EXPECT_THROW(reg::from_config(json::object()), nb::InvalidArgument);
  EXPECT_THROW(reg::from_config({{"class_name", "Nope"}}), nb::InvalidArgument);
}

}  // namespace
