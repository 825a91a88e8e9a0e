// Learning-rate schedules: values at steps 0..20 computed by real Keras
// (tests/data/keras_optimizers.json, written by tests/tools/gen_keras_optimizers.py),
// both through schedule_from_config(Keras's serialized schedule) and through the
// C++ options structs; hand-computed values at the corners (boundaries, warm-up
// end, decay end); get_config round trips; errors.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <numbers>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "nabla/core/error.h"
#include "nabla/train/learning_rate_schedule.h"

namespace sch = nabla::optimizers::schedules;
using json = nlohmann::json;

namespace {

const json& data() {
  static const json d = [] {
    const std::string path = std::string(NABLA_TEST_DATA_DIR) + "/keras_optimizers.json";
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    return json::parse(in);
  }();
  return d;
}

// Keras evaluates schedules in float32: agree to float32 precision.
void expect_matches_keras(const sch::LearningRateSchedule& s, const json& c) {
  const auto steps = c.at("steps").get<std::vector<int64_t>>();
  const auto want = c.at("values").get<std::vector<double>>();
  ASSERT_EQ(steps.size(), want.size());
  for (size_t i = 0; i < steps.size(); ++i)
    EXPECT_NEAR(s(steps[i]), want[i], 1e-6 * std::abs(want[i]) + 1e-9)
        << c.at("name").get<std::string>() << " at step " << steps[i];
}

// The same schedules as the generator, built with the C++ options structs.
std::map<std::string, std::function<std::shared_ptr<sch::LearningRateSchedule>()>> cpp_schedules() {
  using std::make_shared;
  return {
      {"exponential",
       [] { return make_shared<sch::ExponentialDecay>(sch::ExponentialDecayOptions{.initial_learning_rate = 0.1, .decay_steps = 3, .decay_rate = 0.5}); }},
      {"exponential_staircase",
       [] {
         return make_shared<sch::ExponentialDecay>(
             sch::ExponentialDecayOptions{.initial_learning_rate = 0.1, .decay_steps = 3, .decay_rate = 0.5, .staircase = true});
       }},
      {"piecewise",
       [] { return make_shared<sch::PiecewiseConstantDecay>(sch::PiecewiseConstantDecayOptions{.boundaries = {2, 5}, .values = {0.1, 0.05, 0.01}}); }},
      {"cosine",
       [] { return make_shared<sch::CosineDecay>(sch::CosineDecayOptions{.initial_learning_rate = 0.1, .decay_steps = 6, .alpha = 0.1}); }},
      {"cosine_warmup",
       [] {
         return make_shared<sch::CosineDecay>(sch::CosineDecayOptions{
             .initial_learning_rate = 0.01, .decay_steps = 5, .warmup_target = 0.2, .warmup_steps = 3});
       }},
      {"inverse_time",
       [] { return make_shared<sch::InverseTimeDecay>(sch::InverseTimeDecayOptions{.initial_learning_rate = 0.1, .decay_steps = 2, .decay_rate = 0.5}); }},
      {"inverse_time_staircase",
       [] {
         return make_shared<sch::InverseTimeDecay>(
             sch::InverseTimeDecayOptions{.initial_learning_rate = 0.1, .decay_steps = 2, .decay_rate = 0.5, .staircase = true});
       }},
      {"polynomial",
       [] {
         return make_shared<sch::PolynomialDecay>(
             sch::PolynomialDecayOptions{.initial_learning_rate = 0.1, .decay_steps = 5, .end_learning_rate = 0.01, .power = 2.0});
       }},
      {"polynomial_cycle",
       [] {
         return make_shared<sch::PolynomialDecay>(sch::PolynomialDecayOptions{
             .initial_learning_rate = 0.1, .decay_steps = 3, .end_learning_rate = 0.01, .power = 0.5, .cycle = true});
       }},
      {"cosine_restarts",
       [] {
         return make_shared<sch::CosineDecayRestarts>(sch::CosineDecayRestartsOptions{
             .initial_learning_rate = 0.1, .first_decay_steps = 2, .t_mul = 2.0, .m_mul = 0.5, .alpha = 0.05});
       }},
      {"cosine_restarts_tmul1",
       [] {
         return make_shared<sch::CosineDecayRestarts>(
             sch::CosineDecayRestartsOptions{.initial_learning_rate = 0.1, .first_decay_steps = 3, .t_mul = 1.0, .m_mul = 0.8});
       }},
  };
}

}  // namespace

TEST(LearningRateSchedules, KerasValuesFromConfig) {
  ASSERT_GE(data().at("schedules").size(), 11u);
  for (const json& c : data().at("schedules")) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    auto s = sch::schedule_from_config(c.at("schedule"));
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->class_name(), c.at("schedule").at("class_name").get<std::string>());
    expect_matches_keras(*s, c);
  }
}

TEST(LearningRateSchedules, KerasValuesFromOptions) {
  const auto makers = cpp_schedules();
  for (const json& c : data().at("schedules")) {
    const std::string name = c.at("name").get<std::string>();
    SCOPED_TRACE(name);
    ASSERT_TRUE(makers.count(name)) << "no C++ construction for schedule case " << name;
    auto s = makers.at(name)();
    expect_matches_keras(*s, c);
    // Same configuration as Keras's (numbers compare by value: 3 == 3.0).
    EXPECT_EQ(sch::serialize(*s), c.at("schedule")) << sch::serialize(*s).dump();
  }
}

TEST(LearningRateSchedules, ConfigRoundTrip) {
  for (const auto& [name, make] : cpp_schedules()) {
    SCOPED_TRACE(name);
    auto s = make();
    const json ser = sch::serialize(*s);
    EXPECT_EQ(ser.at("module"), "keras.optimizers.schedules");
    auto back = sch::schedule_from_config(ser);
    EXPECT_EQ(back->class_name(), s->class_name());
    EXPECT_EQ(back->get_config(), s->get_config());
    for (int64_t step : {0, 1, 2, 3, 7, 13, 100}) EXPECT_EQ((*back)(step), (*s)(step)) << "step " << step;
  }
}

TEST(LearningRateSchedules, HandComputedExponentialAndInverseTime) {
  sch::ExponentialDecay e({.initial_learning_rate = 1.0, .decay_steps = 10, .decay_rate = 0.5});
  EXPECT_DOUBLE_EQ(e(0), 1.0);
  EXPECT_DOUBLE_EQ(e(10), 0.5);
  EXPECT_DOUBLE_EQ(e(5), std::sqrt(0.5));
  sch::ExponentialDecay st({.initial_learning_rate = 1.0, .decay_steps = 10, .decay_rate = 0.5, .staircase = true});
  EXPECT_DOUBLE_EQ(st(9), 1.0);
  EXPECT_DOUBLE_EQ(st(10), 0.5);
  EXPECT_DOUBLE_EQ(st(29), 0.25);
  sch::InverseTimeDecay it({.initial_learning_rate = 1.0, .decay_steps = 4, .decay_rate = 2.0});
  EXPECT_DOUBLE_EQ(it(2), 1.0 / (1.0 + 2.0 * 0.5));
  sch::InverseTimeDecay its({.initial_learning_rate = 1.0, .decay_steps = 4, .decay_rate = 2.0, .staircase = true});
  EXPECT_DOUBLE_EQ(its(3), 1.0);
  EXPECT_DOUBLE_EQ(its(4), 1.0 / 3.0);
}

TEST(LearningRateSchedules, PiecewiseBoundariesBelongToTheEarlierPiece) {
  sch::PiecewiseConstantDecay p({.boundaries = {10, 20}, .values = {1.0, 0.5, 0.1}});
  EXPECT_EQ(p(0), 1.0);
  EXPECT_EQ(p(10), 1.0);
  EXPECT_EQ(p(11), 0.5);
  EXPECT_EQ(p(20), 0.5);
  EXPECT_EQ(p(21), 0.1);
  EXPECT_EQ(p(1000000), 0.1);
}

TEST(LearningRateSchedules, CosineDecayCornersAndWarmup) {
  sch::CosineDecay c({.initial_learning_rate = 2.0, .decay_steps = 100, .alpha = 0.25});
  EXPECT_DOUBLE_EQ(c(0), 2.0);
  EXPECT_NEAR(c(50), 2.0 * (0.75 * 0.5 + 0.25), 1e-15);
  EXPECT_DOUBLE_EQ(c(100), 0.5);
  EXPECT_DOUBLE_EQ(c(1000), 0.5);  // clamped at decay_steps
  sch::CosineDecay w({.initial_learning_rate = 0.0, .decay_steps = 10, .warmup_target = 1.0, .warmup_steps = 4});
  EXPECT_DOUBLE_EQ(w(0), 0.0);
  EXPECT_DOUBLE_EQ(w(1), 0.25);
  EXPECT_DOUBLE_EQ(w(3), 0.75);
  EXPECT_DOUBLE_EQ(w(4), 1.0);  // warm-up done: cosine decay from the target
  EXPECT_NEAR(w(9), 0.5 * (1 + std::cos(std::numbers::pi * 0.5)), 1e-15);
  EXPECT_NEAR(w(14), 0.0, 1e-15);
  EXPECT_NEAR(w(500), 0.0, 1e-15);
}

TEST(LearningRateSchedules, PolynomialAndRestartsCorners) {
  sch::PolynomialDecay p({.initial_learning_rate = 1.0, .decay_steps = 10, .end_learning_rate = 0.0, .power = 1.0});
  EXPECT_DOUBLE_EQ(p(5), 0.5);
  EXPECT_DOUBLE_EQ(p(50), 0.0);
  sch::PolynomialDecay pc(
      {.initial_learning_rate = 1.0, .decay_steps = 10, .end_learning_rate = 0.0, .power = 1.0, .cycle = true});
  EXPECT_DOUBLE_EQ(pc(15), 1.0 - 15.0 / 20.0);  // second cycle is 20 steps long
  sch::CosineDecayRestarts r({.initial_learning_rate = 1.0, .first_decay_steps = 10, .t_mul = 2.0, .m_mul = 0.5});
  EXPECT_DOUBLE_EQ(r(0), 1.0);
  EXPECT_NEAR(r(10), 0.5, 1e-12);  // first restart, scaled by m_mul
  EXPECT_NEAR(r(30), 0.25, 1e-12);  // second restart after 10 + 20 steps
}

TEST(LearningRateSchedules, InvalidOptionsThrow) {
  EXPECT_THROW(sch::ExponentialDecay({.initial_learning_rate = 0.1, .decay_steps = 0, .decay_rate = 0.5}),
               nabla::InvalidArgument);
  EXPECT_THROW(sch::InverseTimeDecay({.initial_learning_rate = 0.1, .decay_steps = -1, .decay_rate = 0.5}),
               nabla::InvalidArgument);
  EXPECT_THROW(sch::CosineDecay({.initial_learning_rate = 0.1, .decay_steps = 0}), nabla::InvalidArgument);
  EXPECT_THROW(sch::PolynomialDecay({.initial_learning_rate = 0.1, .decay_steps = 0}), nabla::InvalidArgument);
  EXPECT_THROW(sch::CosineDecayRestarts({.initial_learning_rate = 0.1, .first_decay_steps = 0}),
               nabla::InvalidArgument);
  EXPECT_THROW(sch::PiecewiseConstantDecay({.boundaries = {1, 2}, .values = {0.1, 0.2}}), nabla::InvalidArgument);
  EXPECT_THROW(sch::PiecewiseConstantDecay({.boundaries = {}, .values = {0.1}}), nabla::InvalidArgument);
}

TEST(LearningRateSchedules, FromConfigErrors) {
  EXPECT_THROW(sch::schedule_from_config(json::parse(R"({"class_name": "Nope", "config": {}})")),
               nabla::InvalidArgument);
  EXPECT_THROW(sch::schedule_from_config(json::parse(R"({"config": {}})")), nabla::InvalidArgument);
  // Unknown key, wrong type, missing required key.
  EXPECT_THROW(sch::schedule_from_config(json::parse(
                   R"({"class_name": "ExponentialDecay", "config": {"initial_learning_rate": 0.1,
                       "decay_steps": 3, "decay_rate": 0.5, "bogus": 1}})")),
               nabla::InvalidArgument);
  EXPECT_THROW(sch::schedule_from_config(json::parse(
                   R"({"class_name": "ExponentialDecay", "config": {"initial_learning_rate": "x",
                       "decay_steps": 3, "decay_rate": 0.5}})")),
               nabla::InvalidArgument);
  EXPECT_THROW(sch::schedule_from_config(json::parse(
                   R"({"class_name": "CosineDecay", "config": {"initial_learning_rate": 0.1}})")),
               nabla::InvalidArgument);
  try {
    sch::schedule_from_config(json::parse(R"({"class_name": "Nope", "config": {}})"));
  } catch (const nabla::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("CosineDecay"), std::string::npos) << e.what();
  }
}
