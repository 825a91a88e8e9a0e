// nabla::initializers against Keras 3 (tests/data/keras_nn.json, written by
// tests/tools/gen_keras_nn.py). Keras's values come from TensorFlow's RNG, so
// draws are compared statistically: for each initializer and shape, nabla's
// draw (the same number of values as Keras's, >= 20000) must match the
// theoretical mean and standard deviation and Keras's empirical ones within 5
// standard errors derived from the sample sizes, respect the hard bounds exactly
// (uniform limits, truncation at 2 stddev) and come close to them. Orthogonal:
// W^T W = gain^2 I (or W W^T), Keras's entry spread, and the sign correction.
// Also: configs equal to Keras's get_config(), from_config/serialize round trips,
// seed determinism, compute_fans, get() and errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include <nabla/nabla.h>
#include <nabla/nn/initializers.h>
#include <nlohmann/json.hpp>

#include "unit/keras_nn_data.h"

namespace nb = nabla;
namespace ini = nabla::initializers;
using keras_nn::json;

namespace {

constexpr double kTruncStd = 0.87962566103423978;  // stddev of N(0, 1) truncated to [-2, 2]
constexpr double kZ = 5.0;                           // standard errors allowed

struct Stats {
  double mean = 0, std = 0, min = 0, max = 0;
  int64_t n = 0;
};

Stats stats(const std::vector<double>& v) {
  Stats s;
  s.n = int64_t(v.size());
  double sum = 0;
  s.min = v.empty() ? 0 : v[0];
  s.max = s.min;
  for (double x : v) {
    sum += x;
    s.min = std::min(s.min, x);
    s.max = std::max(s.max, x);
  }
  s.mean = sum / double(v.size());
  double ss = 0;
  for (double x : v) ss += (x - s.mean) * (x - s.mean);
  s.std = std::sqrt(ss / double(v.size()));
  return s;
}

// True when the two configs have the same keys and values (numbers to 1e-12 relative).
::testing::AssertionResult same_config(const json& got, const json& want) {
  if (got.is_number() && want.is_number()) {
    const double g = got.get<double>(), w = want.get<double>();
    if (std::abs(g - w) <= 1e-12 * std::abs(w)) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << keras_nn::fmt(g) << " != " << keras_nn::fmt(w);
  }
  if (got.is_object() && want.is_object()) {
    if (got.size() != want.size())
      return ::testing::AssertionFailure() << "keys differ: " << got.dump() << " vs " << want.dump();
    for (const auto& [k, v] : want.items()) {
      if (!got.contains(k)) return ::testing::AssertionFailure() << "missing key " << k << " in " << got.dump();
      auto r = same_config(got[k], v);
      if (!r) return r << " (key " << k << ")";
    }
    return ::testing::AssertionSuccess();
  }
  if (got == want) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << got.dump() << " != " << want.dump();
}

bool is_random(const std::string& cls) { return cls != "Zeros" && cls != "Ones" && cls != "Constant"; }

// `draws` float32 draws of `shape` from `cls` configured by `args`, with seeds
// seed, seed + 1, ... (random initializers), concatenated.
std::vector<double> draw(const std::string& cls, const json& args, const nb::Shape& shape, int64_t draws,
                         uint64_t seed) {
  std::vector<double> all;
  for (int64_t k = 0; k < draws; ++k) {
    json cfg = args;
    if (is_random(cls)) cfg["seed"] = seed + uint64_t(k);
    const auto init = ini::from_config({{"class_name", cls}, {"config", cfg}});
    const nb::Tensor t = (*init)(shape);
    EXPECT_EQ(t.shape(), shape);
    EXPECT_EQ(t.dtype(), nb::float32);
    const auto v = t.to_vector<double>();
    all.insert(all.end(), v.begin(), v.end());
  }
  return all;
}

const json& cases() { return keras_nn::data().at("initializers"); }

// ============================================================ Keras reference data

TEST(InitializersKeras, ConfigsMatchKeras) {
  ASSERT_NO_THROW(keras_nn::data()) << keras_nn::data_path();
  ASSERT_GE(cases().size(), 50u);
  for (const auto& c : cases()) {
    const auto init = ini::from_config({{"class_name", c["class_name"]}, {"config", c["args"]}});
    EXPECT_EQ(init->class_name(), c["class_name"].get<std::string>());
    EXPECT_TRUE(same_config(init->get_config(), c["config"])) << c["class_name"] << " " << c["args"].dump();
  }
}

TEST(InitializersKeras, DistributionsMatchKerasAndTheory) {
  for (const auto& c : cases()) {
    const std::string cls = c["class_name"].get<std::string>();
    if (cls == "Orthogonal") continue;
    const nb::Shape shape(c["shape"].get<std::vector<int64_t>>());
    const std::string label = cls + c["args"].dump() + " " + shape.str();
    SCOPED_TRACE(label);
    const std::vector<double> v = draw(cls, c["args"], shape, c["draws"].get<int64_t>(), c["seed"].get<uint64_t>());
    const Stats s = stats(v);
    ASSERT_EQ(s.n, c["n"].get<int64_t>());
    const json& th = c["theory"];
    const json& ks = c["stats"];
    const std::string kind = th["kind"].get<std::string>();
    const double n = double(s.n), nk = double(c["n"].get<int64_t>());
    if (kind == "constant") {
      const double want = float(th["value"].get<double>());
      EXPECT_EQ(s.min, want);
      EXPECT_EQ(s.max, want);
      EXPECT_EQ(ks["min"].get<double>(), want);
      continue;
    }
    // Theoretical mean, standard deviation, and c = (kurtosis - 1) / 4, the factor in
    // the variance of the sample standard deviation: Var(s) ~ c sigma^2 / n.
    double mean = 0, sigma = 0, c4 = 0.5;
    if (kind == "uniform") {
      const double lo = th["lo"].get<double>(), hi = th["hi"].get<double>();
      mean = (lo + hi) / 2;
      sigma = (hi - lo) / std::sqrt(12.0);
      c4 = 0.2;  // kurtosis 1.8
      EXPECT_GE(s.min, double(float(lo)));
      EXPECT_LE(s.max, double(float(hi)));
      // With n uniform draws, P(no value within 20/n of the range's end) ~ e^-20.
      EXPECT_LE(s.min - lo, (hi - lo) * 20 / n);
      EXPECT_LE(hi - s.max, (hi - lo) * 20 / n);
    } else if (kind == "normal") {
      mean = th["mean"].get<double>();
      sigma = th["stddev"].get<double>();
    } else if (kind == "truncated_normal") {
      mean = th["mean"].get<double>();
      const double sd = th["stddev"].get<double>();
      sigma = sd * kTruncStd;
      // Hard cut at 2 stddev (float32 rounding of the bound allowed).
      const double cut = 2 * sd * (1 + 1e-6) + 1e-7 * std::abs(mean);
      EXPECT_LE(s.max - mean, cut);
      EXPECT_LE(mean - s.min, cut);
      // The density at the cut is phi(2) / 0.9545 = 0.0566 per stddev: P(no value
      // within 20 / (0.0566 n) stddevs of it) ~ e^-20.
      const double gap = sd * 20 / (0.0566 * n);
      EXPECT_GE(s.max - mean, 2 * sd - gap);
      EXPECT_GE(mean - s.min, 2 * sd - gap);
    } else {
      FAIL() << "unknown theory kind " << kind;
    }
    // Against theory.
    EXPECT_NEAR(s.mean, mean, kZ * sigma / std::sqrt(n)) << "mean";
    EXPECT_NEAR(s.std, sigma, kZ * sigma * std::sqrt(c4 / n)) << "std";
    // Against Keras's empirical statistics (the difference of two independent estimates).
    EXPECT_NEAR(s.mean, ks["mean"].get<double>(), kZ * sigma * std::sqrt(1 / n + 1 / nk)) << "mean vs Keras";
    EXPECT_NEAR(s.std, ks["std"].get<double>(), kZ * sigma * std::sqrt(c4 / n + c4 / nk)) << "std vs Keras";
  }
}

// W^T W = gain^2 I (rows >= cols) or W W^T = gain^2 I, per draw.
::testing::AssertionResult is_orthogonal(const nb::Tensor& w, double gain, double tol) {
  const int64_t cols = w.dim(-1), rows = w.size() / cols;
  const nb::Tensor m = nb::cast(nb::reshape(w, {rows, cols}), nb::float64);
  const nb::Tensor g = rows >= cols ? nb::matmul(m, m, {.transpose_a = true}) : nb::matmul(m, m, {.transpose_b = true});
  const auto v = g.to_vector<double>();
  const int64_t k = std::min(rows, cols);
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < k; ++j) {
      const double want = i == j ? gain * gain : 0.0;
      if (std::abs(v[size_t(i * k + j)] - want) > tol * gain * gain)
        return ::testing::AssertionFailure() << "Gram matrix [" << i << ", " << j << "] = " << v[size_t(i * k + j)]
                                             << ", expected " << want;
    }
  return ::testing::AssertionSuccess();
}

TEST(InitializersKeras, Orthogonal) {
  int seen = 0;
  for (const auto& c : cases()) {
    if (c["class_name"] != "Orthogonal") continue;
    ++seen;
    const nb::Shape shape(c["shape"].get<std::vector<int64_t>>());
    const double gain = c["args"]["gain"].get<double>();
    SCOPED_TRACE("Orthogonal gain " + std::to_string(gain) + " " + shape.str());
    const int64_t draws = c["draws"].get<int64_t>();
    const uint64_t seed = c["seed"].get<uint64_t>();
    std::vector<double> all, first;
    for (int64_t k = 0; k < draws; ++k) {
      const nb::Tensor w = ini::Orthogonal({.gain = gain, .seed = seed + uint64_t(k)})(shape);
      ASSERT_EQ(w.shape(), shape);
      ASSERT_TRUE(is_orthogonal(w, gain, 1e-5));
      const auto v = w.to_vector<double>();
      all.insert(all.end(), v.begin(), v.end());
      first.push_back(v[0]);
    }
    const Stats s = stats(all);
    const json& ks = c["stats"];
    const int64_t rows = c["theory"]["rows"].get<int64_t>(), cols = c["theory"]["cols"].get<int64_t>();
    // The entries' second moment is exactly gain^2 min(r, c) / (r c): the spread is
    // (almost) deterministic, gain / sqrt(max(r, c)).
    const double sigma = gain / std::sqrt(double(std::max(rows, cols)));
    EXPECT_NEAR(s.std, sigma, 0.01 * sigma);
    EXPECT_NEAR(s.std, ks["std"].get<double>(), 0.01 * sigma);
    EXPECT_NEAR(s.mean, 0.0, kZ * sigma / std::sqrt(double(s.n)));
    EXPECT_LE(std::abs(c.at("first_entry_mean").get<double>()), kZ * sigma / std::sqrt(double(draws)));
    // Without Keras's sign correction W[0, 0] = -|a00| / |a0| < 0 always (Householder
    // QR makes R's diagonal negative); with it, W[0, 0] is symmetric about 0.
    const double fm = std::accumulate(first.begin(), first.end(), 0.0) / double(draws);
    EXPECT_LE(std::abs(fm), kZ * sigma / std::sqrt(double(draws))) << "mean of W[0, 0] over the draws";
  }
  EXPECT_GE(seen, 5);
}

// ============================================================ nabla's own contract

TEST(Initializers, ComputeFans) {
  auto f = [](const nb::Shape& s) { const auto r = ini::compute_fans(s); return std::pair{r.fan_in, r.fan_out}; };
  EXPECT_EQ(f({}), (std::pair<int64_t, int64_t>{1, 1}));
  EXPECT_EQ(f({7}), (std::pair<int64_t, int64_t>{7, 7}));
  EXPECT_EQ(f({784, 128}), (std::pair<int64_t, int64_t>{784, 128}));
  EXPECT_EQ(f({3, 3, 32, 64}), (std::pair<int64_t, int64_t>{288, 576}));
  EXPECT_EQ(f({5, 2, 3}), (std::pair<int64_t, int64_t>{10, 15}));
  const auto a = ini::compute_fans({2, 3, 4}, std::vector<int64_t>{0, 1}, std::vector<int64_t>{-1});
  EXPECT_EQ(a.fan_in, 6);
  EXPECT_EQ(a.fan_out, 4);
  // Only one list given: the default rule (as Keras).
  EXPECT_EQ(ini::compute_fans({2, 3, 4}, std::vector<int64_t>{0}).fan_in, 6);
  EXPECT_THROW(ini::compute_fans({2, 3}, std::vector<int64_t>{2}, std::vector<int64_t>{0}), nb::InvalidArgument);
}

TEST(Initializers, FanAxesAndModes) {
  // input_axes / output_axes change the fans: fan_in = 2 * 3 = 6 -> limit sqrt(3 / 6).
  const nb::Tensor w = ini::VarianceScaling({.scale = 1.0, .mode = "fan_in", .distribution = "uniform", .seed = 3,
                                             .input_axes = std::vector<int64_t>{0, 1},
                                             .output_axes = std::vector<int64_t>{2}})({2, 3, 5000});
  const Stats s = stats(w.to_vector<double>());
  const double limit = std::sqrt(0.5);
  EXPECT_LE(s.max, limit);
  EXPECT_GE(s.min, -limit);
  EXPECT_GT(s.max, limit * 0.99);
  // fan_out on (100, 400): s = 2 / 400 -> N(0, 0.005) truncated, std sqrt(0.005).
  const nb::Tensor h = ini::VarianceScaling({.scale = 2.0, .mode = "fan_out", .seed = 4})({100, 400});
  EXPECT_NEAR(stats(h.to_vector<double>()).std, std::sqrt(0.005), kZ * std::sqrt(0.005) * std::sqrt(0.5 / 40000));
}

TEST(Initializers, SeedDeterminism) {
  const std::vector<std::shared_ptr<ini::Initializer>> seeded = {
      std::make_shared<ini::GlorotUniform>(ini::PresetOptions{.seed = 42}),
      std::make_shared<ini::HeNormal>(ini::PresetOptions{.seed = 42}),
      std::make_shared<ini::RandomNormal>(ini::RandomNormalOptions{.seed = 42}),
      std::make_shared<ini::RandomUniform>(ini::RandomUniformOptions{.seed = 42}),
      std::make_shared<ini::TruncatedNormal>(ini::TruncatedNormalOptions{.seed = 42}),
      std::make_shared<ini::VarianceScaling>(ini::VarianceScalingOptions{.distribution = "untruncated_normal", .seed = 42}),
      std::make_shared<ini::Orthogonal>(ini::OrthogonalOptions{.seed = 42}),
  };
  for (const auto& i : seeded) {
    SCOPED_TRACE(i->class_name());
    const auto a = (*i)({16, 8}).to_vector<float>();
    nb::random::normal({100});  // the default generator's state does not matter
    EXPECT_EQ((*i)({16, 8}).to_vector<float>(), a) << "same values on every call";
    const auto copy = ini::from_config(ini::serialize(*i));
    EXPECT_EQ((*copy)({16, 8}).to_vector<float>(), a) << "a recreated initializer draws the same values";
    json cfg = i->get_config();
    cfg["seed"] = 43;
    const auto other = ini::from_config({{"class_name", i->class_name()}, {"config", cfg}});
    EXPECT_NE((*other)({16, 8}).to_vector<float>(), a) << "another seed, other values";
  }
  // Unseeded: new values on every call, reproducible through random::set_seed.
  const ini::GlorotNormal g;
  nb::random::set_seed(7);
  const auto a = g({32, 32}).to_vector<float>();
  const auto b = g({32, 32}).to_vector<float>();
  EXPECT_NE(a, b);
  nb::random::set_seed(7);
  EXPECT_EQ(g({32, 32}).to_vector<float>(), a);
  EXPECT_EQ(g({32, 32}).to_vector<float>(), b);
}

TEST(Initializers, Dtypes) {
  const nb::Tensor w64 = ini::GlorotUniform({.seed = 1})({300, 100}, nb::float64);
  EXPECT_EQ(w64.dtype(), nb::float64);
  const double limit = std::sqrt(6.0 / 400.0);
  const Stats s = stats(w64.to_vector<double>());
  EXPECT_LE(s.max, limit);
  EXPECT_GE(s.min, -limit);
  for (nb::DType dt : {nb::float16, nb::bfloat16}) {
    const nb::Tensor t = ini::HeNormal({.seed = 2})({64, 64}, dt);
    EXPECT_EQ(t.dtype(), dt);
    const double cut = 2 * std::sqrt(2.0 / 64) / kTruncStd * 1.01;
    for (double v : t.to_vector<double>()) ASSERT_LE(std::abs(v), cut);
  }
  EXPECT_EQ(ini::Zeros()({2, 3}, nb::int32).dtype(), nb::int32);
  EXPECT_EQ(ini::Constant(2.5)({3}, nb::int32).to_vector<int>(), (std::vector<int>{2, 2, 2}));
  EXPECT_EQ(ini::Constant(2.5)({2}, nb::float64).to_vector<double>(), (std::vector<double>{2.5, 2.5}));
  EXPECT_EQ(ini::Ones()({2}).to_vector<float>(), (std::vector<float>{1, 1}));
  EXPECT_EQ(ini::Zeros()({}).shape(), nb::Shape{});
  EXPECT_EQ(ini::GlorotUniform()({0, 5}).size(), 0);
}

TEST(Initializers, OrthogonalDouble) {
  for (const nb::Shape& shape : {nb::Shape{50, 20}, nb::Shape{20, 50}, nb::Shape{2, 3, 4}, nb::Shape{1, 1},
                                 nb::Shape{33, 33}}) {
    const nb::Tensor w = ini::Orthogonal({.gain = 1.5, .seed = 9})(shape, nb::float64);
    EXPECT_EQ(w.shape(), shape);
    EXPECT_TRUE(is_orthogonal(w, 1.5, 1e-12)) << shape.str();
  }
  EXPECT_EQ(ini::Orthogonal()({0, 4}).shape(), (nb::Shape{0, 4}));
}

TEST(Initializers, Identity) {
  EXPECT_EQ(ini::Identity()({2, 3}).to_vector<float>(), (std::vector<float>{1, 0, 0, 0, 1, 0}));
  EXPECT_EQ(ini::Identity(0.5)({2, 2}, nb::float64).to_vector<double>(), (std::vector<double>{0.5, 0, 0, 0.5}));
  EXPECT_THROW(ini::Identity()({2, 2, 2}), nb::InvalidArgument);
}

TEST(Initializers, GetAndNames) {
  const auto ns = ini::names();
  EXPECT_TRUE(std::is_sorted(ns.begin(), ns.end()));
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"glorot_uniform", "GlorotUniform"}, {"GlorotUniform", "GlorotUniform"}, {"glorot_normal", "GlorotNormal"},
      {"he_uniform", "HeUniform"},         {"he_normal", "HeNormal"},           {"lecun_uniform", "LecunUniform"},
      {"lecun_normal", "LecunNormal"},     {"random_normal", "RandomNormal"},   {"normal", "RandomNormal"},
      {"random_uniform", "RandomUniform"}, {"uniform", "RandomUniform"},        {"truncated_normal", "TruncatedNormal"},
      {"zeros", "Zeros"},                  {"zero", "Zeros"},                   {"ones", "Ones"},
      {"one", "Ones"},                     {"constant", "Constant"},            {"orthogonal", "Orthogonal"},
      {"OrthogonalInitializer", "Orthogonal"}, {"variance_scaling", "VarianceScaling"},
      {"identity", "Identity"},            {"IdentityInitializer", "Identity"},
  };
  for (const auto& [name, cls] : expected) {
    EXPECT_TRUE(std::find(ns.begin(), ns.end(), name) != ns.end()) << name;
    EXPECT_EQ(ini::get(name)->class_name(), cls) << name;
  }
  for (const auto& n : ns) EXPECT_NO_THROW((*ini::get(n))({4, 4})) << n;
  // Defaults: glorot_uniform on (784, 128) stays within sqrt(6 / 912).
  const Stats s = stats((*ini::get("glorot_uniform"))({784, 128}).to_vector<double>());
  EXPECT_LE(s.max, std::sqrt(6.0 / 912));
  EXPECT_GT(s.max, 0.99 * std::sqrt(6.0 / 912));
  try {
    ini::get("glorot");
    FAIL() << "expected InvalidArgument";
  } catch (const nb::InvalidArgument& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("'glorot'"), std::string::npos) << m;
    for (const auto& n : ns) EXPECT_NE(m.find(n), std::string::npos) << "message does not list " << n;
  }
}

TEST(Initializers, ConfigRoundTrip) {
  const std::vector<std::shared_ptr<ini::Initializer>> all = {
      std::make_shared<ini::GlorotUniform>(ini::PresetOptions{.seed = 5, .input_axes = std::vector<int64_t>{0},
                                                              .output_axes = std::vector<int64_t>{1}}),
      std::make_shared<ini::GlorotNormal>(), std::make_shared<ini::HeUniform>(), std::make_shared<ini::HeNormal>(),
      std::make_shared<ini::LecunUniform>(), std::make_shared<ini::LecunNormal>(ini::PresetOptions{.seed = 1}),
      std::make_shared<ini::VarianceScaling>(ini::VarianceScalingOptions{.scale = 0.3, .mode = "fan_avg",
                                                                         .distribution = "uniform", .seed = 8}),
      std::make_shared<ini::RandomNormal>(ini::RandomNormalOptions{.mean = -1, .stddev = 3, .seed = 2}),
      std::make_shared<ini::TruncatedNormal>(ini::TruncatedNormalOptions{.mean = 1, .stddev = 0.5}),
      std::make_shared<ini::RandomUniform>(ini::RandomUniformOptions{.minval = -2, .maxval = 7}),
      std::make_shared<ini::Zeros>(), std::make_shared<ini::Ones>(), std::make_shared<ini::Constant>(-0.75),
      std::make_shared<ini::Identity>(2.0), std::make_shared<ini::Orthogonal>(ini::OrthogonalOptions{.gain = 3, .seed = 4}),
  };
  for (const auto& i : all) {
    const json s = ini::serialize(*i);
    EXPECT_EQ(s["module"], "keras.initializers");
    EXPECT_TRUE(s["registered_name"].is_null());
    const auto back = ini::from_config(s);
    EXPECT_EQ(back->class_name(), i->class_name());
    EXPECT_EQ(back->get_config(), i->get_config()) << s.dump();
    // Through text, as in a model file.
    EXPECT_EQ(ini::from_config(json::parse(s.dump()))->get_config(), i->get_config());
  }
  // Keras's alias "normal" distribution is stored as truncated_normal (as Keras does).
  EXPECT_EQ(ini::VarianceScaling({.distribution = "Normal"}).get_config()["distribution"], "truncated_normal");
  // A config without "config", or with partial keys, uses the defaults.
  EXPECT_EQ(ini::from_config({{"class_name", "RandomNormal"}})->get_config()["stddev"], 0.05);
  EXPECT_EQ(ini::from_config({{"class_name", "RandomUniform"}, {"config", {{"maxval", 1}}}})->get_config()["minval"],
            -0.05);
  EXPECT_EQ(ini::from_config("he_normal")->class_name(), "HeNormal");
}

TEST(Initializers, Errors) {
  EXPECT_THROW(ini::VarianceScaling({.scale = 0.0}), nb::InvalidArgument);
  EXPECT_THROW(ini::VarianceScaling({.mode = "fan"}), nb::InvalidArgument);
  EXPECT_THROW(ini::VarianceScaling({.distribution = "gamma"}), nb::InvalidArgument);
  EXPECT_THROW(ini::RandomUniform({.minval = 1, .maxval = 0}), nb::InvalidArgument);
  EXPECT_THROW(ini::RandomNormal({.stddev = -1}), nb::InvalidArgument);
  EXPECT_THROW(ini::GlorotUniform()({3, 3}, nb::int32), nb::InvalidArgument);
  EXPECT_THROW(ini::RandomNormal()({3, 3}, nb::bool_), nb::InvalidArgument);
  EXPECT_THROW(ini::GlorotUniform()({3, -1}), nb::InvalidArgument);
  EXPECT_THROW(ini::Zeros()({-2}), nb::InvalidArgument);
  try {
    ini::Orthogonal()({5});
    FAIL();
  } catch (const nb::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("two-dimensional"), std::string::npos) << e.what();
  }
  try {
    ini::from_config({{"class_name", "RandomNormal"}, {"config", {{"stdev", 1.0}}}});
    FAIL();
  } catch (const nb::InvalidArgument& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("stdev"), std::string::npos) << m;
    EXPECT_NE(m.find("stddev"), std::string::npos) << m;
  }
  EXPECT_THROW(ini::from_config({{"class_name", "RandomNormal"}, {"config", {{"mean", "0"}}}}), nb::InvalidArgument);
  EXPECT_THROW(ini::from_config({{"class_name", "HeNormal"}, {"config", {{"seed", -3}}}}), nb::InvalidArgument);
  EXPECT_THROW(ini::from_config({{"class_name", "HeNormal"}, {"config", {{"seed", 1.5}}}}), nb::InvalidArgument);
  EXPECT_THROW(ini::from_config({{"class_name", "HeNormal"}, {"config", {{"input_axes", {1.5}}}}}), nb::InvalidArgument);
  EXPECT_THROW(ini::from_config({{"class_name", "HeNormal"}, {"config", 3}}), nb::InvalidArgument);
  EXPECT_THROW(ini::from_config({{"config", json::object()}}), nb::InvalidArgument);
  EXPECT_THROW(ini::from_config(json::array()), nb::InvalidArgument);
  EXPECT_THROW(ini::from_config({{"class_name", "Nope"}}), nb::InvalidArgument);
  EXPECT_THROW(ini::from_config({{"class_name", "VarianceScaling"}, {"config", {{"mode", "x"}}}}), nb::InvalidArgument);
}

}  // namespace
