// Optimisers against real Keras: every case of tests/data/keras_optimizers.json
// (written by tests/tools/gen_keras_optimizers.py with Keras 3 on TensorFlow)
// replays Keras's per-step gradients through nabla and compares both variables
// after every step, the slot variables at the end, iterations and the learning
// rate. Each case runs twice: from Keras's serialized config (from_config) and,
// for the cases listed in cpp_optimizers(), from the C++ options structs with
// Keras's defaults for everything the case leaves unset. Also: minimize() on a
// quadratic, skipped undefined gradients, error paths, get()/from_config,
// set_learning_rate, iterations, weight-decay exclusion, strided gradients,
// snapshots.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <nabla/nabla.h>

#include "nabla/train/learning_rate_schedule.h"
#include "nabla/train/optimizer.h"
#include "nabla/train/optimizers.h"

namespace nb = nabla;
namespace opt = nabla::optimizers;
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

const json& optimizer_case(const std::string& name) {
  for (const json& c : data().at("optimizer_cases"))
    if (c.at("name") == name) return c;
  throw std::runtime_error("no optimizer case " + name);
}

nb::Tensor tensor_of(const json& values, const nb::Shape& shape, nb::DType dtype) {
  return nb::detail::make_from_doubles(values.get<std::vector<double>>(), shape, dtype);
}

// nabla follows Keras's operation order and scalar precision, so float32 results agree
// to a few ulps (observed: under 3e-7 of the variable's scale after 8 steps) and float64
// results to rounding error (observed: under 1e-14).
double tolerance(nb::DType dtype) { return dtype == nb::DType::float64 ? 1e-13 : 1e-6; }

void expect_close(const std::vector<double>& got, const std::vector<double>& want, double rtol,
                  const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  double scale = 0;
  for (double w : want) scale = std::max(scale, std::abs(w));
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], want[i], rtol * (std::abs(want[i]) + 0.1 * scale) + 1e-30)
        << what << " element " << i;
}

// Replays a Keras case through `o`; checks the trajectory, slots, iterations, learning rate.
void replay(opt::Optimizer& o, const json& c) {
  const nb::DType dtype = nb::dtype_from_name(c.at("dtype").get<std::string>());
  const double rtol = tolerance(dtype);
  std::vector<nb::Variable> vars;
  std::vector<nb::Shape> shapes;
  for (const json& v : c.at("variables")) {
    shapes.emplace_back(v.at("shape").get<std::vector<int64_t>>());
    vars.emplace_back(tensor_of(v.at("values"), shapes.back(), dtype),
                      nb::VariableOptions{.name = v.at("name").get<std::string>()});
  }
  std::vector<nb::Variable*> ptrs;
  for (auto& v : vars) ptrs.push_back(&v);
  const json& grads = c.at("grads");
  const json& traj = c.at("trajectory");
  ASSERT_EQ(grads.size(), traj.size());
  for (size_t step = 0; step < grads.size(); ++step) {
    std::vector<nb::Tensor> g;
    for (size_t k = 0; k < vars.size(); ++k)
      g.push_back(grads[step][k].is_null() ? nb::Tensor() : tensor_of(grads[step][k], shapes[k], dtype));
    o.apply_gradients(g, ptrs);
    EXPECT_EQ(o.iterations(), int64_t(step + 1));
    for (size_t k = 0; k < vars.size(); ++k)
      expect_close(vars[k].value().to_vector<double>(), traj[step][k].get<std::vector<double>>(), rtol,
                   "step " + std::to_string(step + 1) + " variable " + vars[k].name());
    if (::testing::Test::HasFailure()) return;  // one failing step is enough to read
  }
  EXPECT_EQ(o.iterations(), c.at("iterations").get<int64_t>());
  EXPECT_NEAR(o.learning_rate(), c.at("learning_rate").get<double>(),
              1e-6 * std::abs(c.at("learning_rate").get<double>()) + 1e-12);
  // Slots: Keras's order; Keras names "v0_momentum" are nabla's "v0/momentum", and
  // Nadam's unnamed scalar ("variable", "variable_1" ...) is "u_product".
  auto slots = o.variables();
  const json& want = c.at("slots");
  ASSERT_EQ(slots.size(), want.size());
  for (size_t i = 0; i < slots.size(); ++i) {
    std::string keras_name = want[i].at("name").get<std::string>();
    std::string expected = keras_name.rfind("variable", 0) == 0 ? "u_product" : keras_name;
    if (expected != "u_product") expected[expected.find('_')] = '/';
    EXPECT_EQ(slots[i].first, expected);
    EXPECT_EQ(slots[i].second->name(), expected);
    expect_close(slots[i].second->value().to_vector<double>(), want[i].at("values").get<std::vector<double>>(),
                 rtol, "slot " + slots[i].first);
  }
}

// Cases rebuilt with the C++ options structs (only what the generator set; the rest
// must be Keras's defaults).
std::map<std::string, std::function<std::shared_ptr<opt::Optimizer>()>> cpp_optimizers() {
  using std::make_shared;
  return {
      {"sgd", [] { return make_shared<opt::SGD>(opt::SGDOptions{.learning_rate = 0.1}); }},
      {"sgd_nesterov", [] { return make_shared<opt::SGD>(opt::SGDOptions{.learning_rate = 0.1, .momentum = 0.9, .nesterov = true}); }},
      {"sgd_weight_decay",
       [] { return make_shared<opt::SGD>(opt::SGDOptions{.learning_rate = 0.1, .momentum = 0.5, .weight_decay = 0.2}); }},
      {"rmsprop_centered",
       [] {
         return make_shared<opt::RMSprop>(
             opt::RMSpropOptions{.learning_rate = 0.01, .momentum = 0.5, .epsilon = 1e-2, .centered = true});
       }},
      {"rmsprop_momentum", [] { return make_shared<opt::RMSprop>(opt::RMSpropOptions{.learning_rate = 0.01, .momentum = 0.9}); }},
      {"adam",
       [] { return make_shared<opt::Adam>(opt::AdamOptions{.learning_rate = 0.1, .beta_1 = 0.8, .beta_2 = 0.99, .epsilon = 1e-3}); }},
      {"adam_amsgrad", [] { return make_shared<opt::Adam>(opt::AdamOptions{.learning_rate = 0.1, .amsgrad = true}); }},
      {"adamw", [] { return make_shared<opt::AdamW>(opt::AdamWOptions{.learning_rate = 0.05, .weight_decay = 0.5}); }},
      {"adamw_amsgrad_schedule",
       [] {
         return make_shared<opt::AdamW>(opt::AdamWOptions{
             .learning_rate = sch::ExponentialDecay({.initial_learning_rate = 0.1, .decay_steps = 3, .decay_rate = 0.5}),
             .weight_decay = 0.3,
             .amsgrad = true});
       }},
      {"adagrad",
       [] {
         return make_shared<opt::Adagrad>(
             opt::AdagradOptions{.learning_rate = 0.1, .initial_accumulator_value = 0.5, .epsilon = 1e-2});
       }},
      {"adadelta", [] { return make_shared<opt::Adadelta>(opt::AdadeltaOptions{.learning_rate = 1.0, .rho = 0.9, .epsilon = 1e-3}); }},
      {"adamax", [] { return make_shared<opt::Adamax>(opt::AdamaxOptions{.learning_rate = 0.1, .beta_1 = 0.8, .epsilon = 1e-2}); }},
      {"nadam", [] { return make_shared<opt::Nadam>(opt::NadamOptions{.learning_rate = 0.1}); }},
      {"nadam_skip_none",
       [] { return make_shared<opt::Nadam>(opt::NadamOptions{.learning_rate = 0.05, .beta_2 = 0.9, .epsilon = 1e-2}); }},
      {"ftrl", [] { return make_shared<opt::Ftrl>(opt::FtrlOptions{.learning_rate = 0.1}); }},
      {"ftrl_regularized",
       [] {
         return make_shared<opt::Ftrl>(opt::FtrlOptions{.learning_rate = 0.1,
                                                        .learning_rate_power = -0.7,
                                                        .initial_accumulator_value = 0.2,
                                                        .l1_regularization_strength = 0.01,
                                                        .l2_regularization_strength = 0.1,
                                                        .l2_shrinkage_regularization_strength = 0.05,
                                                        .beta = 0.5});
       }},
      {"sgd_clipnorm",
       [] { return make_shared<opt::SGD>(opt::SGDOptions{.learning_rate = 0.1, .momentum = 0.5, .clipnorm = 1.0}); }},
      {"adam_clipvalue", [] { return make_shared<opt::Adam>(opt::AdamOptions{.learning_rate = 0.1, .clipvalue = 0.5}); }},
      {"sgd_global_clipnorm", [] { return make_shared<opt::SGD>(opt::SGDOptions{.learning_rate = 0.1, .global_clipnorm = 2.0}); }},
      {"sgd_schedule_piecewise",
       [] {
         return make_shared<opt::SGD>(opt::SGDOptions{
             .learning_rate = sch::PiecewiseConstantDecay({.boundaries = {2, 5}, .values = {0.1, 0.05, 0.01}}),
             .momentum = 0.5});
       }},
      {"sgd_schedule_cosine_warmup",
       [] {
         return make_shared<opt::SGD>(opt::SGDOptions{
             .learning_rate = sch::CosineDecay(
                 {.initial_learning_rate = 0.01, .decay_steps = 5, .warmup_target = 0.2, .warmup_steps = 3}),
             .momentum = 0.5});
       }},
      {"adam_f64",
       [] { return make_shared<opt::Adam>(opt::AdamOptions{.learning_rate = 0.0625, .epsilon = 1e-3, .amsgrad = true}); }},
      {"nadam_f64", [] { return make_shared<opt::Nadam>(opt::NadamOptions{.learning_rate = 0.0625}); }},
      {"ftrl_f64",
       [] {
         return make_shared<opt::Ftrl>(opt::FtrlOptions{.learning_rate = 0.125,
                                                        .learning_rate_power = -0.7,
                                                        .l1_regularization_strength = 0.01,
                                                        .l2_regularization_strength = 0.1,
                                                        .l2_shrinkage_regularization_strength = 0.05,
                                                        .beta = 0.5});
       }},
  };
}

std::vector<std::string> case_names() {
  std::vector<std::string> out;
  for (const json& c : data().at("optimizer_cases")) out.push_back(c.at("name").get<std::string>());
  return out;
}

class KerasOptimizerCase : public ::testing::TestWithParam<std::string> {};

}  // namespace

TEST(KerasOptimizerData, CoversEveryOptimizerAndOption) {
  std::map<std::string, int> classes;
  for (const json& c : data().at("optimizer_cases")) classes[c.at("optimizer").at("class_name").get<std::string>()]++;
  for (const char* cls : {"SGD", "RMSprop", "Adam", "AdamW", "Adagrad", "Adadelta", "Adamax", "Nadam", "Ftrl"})
    EXPECT_GE(classes[cls], 1) << cls;
  EXPECT_GE(data().at("optimizer_cases").size(), 40u);
}

TEST_P(KerasOptimizerCase, FromKerasConfig) {
  const json& c = optimizer_case(GetParam());
  auto o = opt::from_config(c.at("optimizer"));
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->class_name(), c.at("optimizer").at("class_name").get<std::string>());
  // Our config is Keras's config (same keys, same values).
  EXPECT_EQ(o->get_config(), c.at("optimizer").at("config")) << o->get_config().dump();
  replay(*o, c);
}

INSTANTIATE_TEST_SUITE_P(KerasOptimizer, KerasOptimizerCase, ::testing::ValuesIn(case_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

TEST(KerasOptimizerOptions, CppOptionsMatchKeras) {
  for (const auto& [name, make] : cpp_optimizers()) {
    SCOPED_TRACE(name);
    const json& c = optimizer_case(name);
    auto o = make();
    // Same hyper-parameters as Keras's (names differ: Keras's come from the case).
    json want = c.at("optimizer").at("config");
    json got = o->get_config();
    want.erase("name");
    got.erase("name");
    if (want.at("learning_rate").is_number()) {  // Keras stores the float32-rounded rate
      EXPECT_FLOAT_EQ(float(got.at("learning_rate").get<double>()), float(want.at("learning_rate").get<double>()));
    } else {
      EXPECT_EQ(got.at("learning_rate"), want.at("learning_rate"));
    }
    want.erase("learning_rate");
    got.erase("learning_rate");
    EXPECT_EQ(got, want) << got.dump();
    replay(*o, c);
  }
}

// ---------------------------------------------------------------------------- behaviour

namespace {
double sum_sq_diff(const nb::Tensor& a, const std::vector<double>& b) {
  auto v = a.to_vector<double>();
  double s = 0;
  for (size_t i = 0; i < v.size(); ++i) s += (v[i] - b[i]) * (v[i] - b[i]);
  return s;
}
}  // namespace

TEST(Optimizers, MinimizeReachesTheMinimumOfAQuadratic) {
  const std::vector<double> target = {1.5, -2.0, 0.25, 3.0};
  const nb::Tensor c = nb::constant(target, nb::Shape{4}, nb::DType::float32);
  for (const std::string name : {"sgd", "adam", "rmsprop", "nadam", "adamax", "adagrad"}) {
    SCOPED_TRACE(name);
    nb::Variable x(nb::zeros(nb::Shape{4}), {.name = "x"});
    std::shared_ptr<opt::Optimizer> o;
    if (name == "sgd") o = std::make_shared<opt::SGD>(opt::SGDOptions{.learning_rate = 0.1, .momentum = 0.5});
    else if (name == "adam") o = std::make_shared<opt::Adam>(opt::AdamOptions{.learning_rate = 0.05});
    else if (name == "rmsprop") o = std::make_shared<opt::RMSprop>(opt::RMSpropOptions{.learning_rate = 0.01});
    else if (name == "nadam") o = std::make_shared<opt::Nadam>(opt::NadamOptions{.learning_rate = 0.05});
    else if (name == "adamax") o = std::make_shared<opt::Adamax>(opt::AdamaxOptions{.learning_rate = 0.05});
    else o = std::make_shared<opt::Adagrad>(opt::AdagradOptions{.learning_rate = 0.5});
    nb::Tensor loss;
    for (int i = 0; i < 2000; ++i)
      loss = o->minimize([&] { return nb::reduce_sum(nb::square(nb::subtract(x.value(), c))); }, {&x});
    EXPECT_EQ(o->iterations(), 2000);
    EXPECT_LT(loss.item<double>(), 1e-4);
    EXPECT_LT(sum_sq_diff(x.value(), target), 1e-4);
  }
}

TEST(Optimizers, MinimizeReturnsTheLossBeforeTheUpdate) {
  nb::Variable x(nb::constant({3.0f}), {.name = "x"});
  opt::SGD o({.learning_rate = 0.25});
  auto loss = o.minimize([&] { return nb::reduce_sum(nb::square(x.value())); }, {&x});
  EXPECT_FLOAT_EQ(loss.item<float>(), 9.0f);
  EXPECT_FLOAT_EQ(x.value().to_vector<float>()[0], 3.0f - 0.25f * 6.0f);  // x -= lr * 2x
}

TEST(Optimizers, UndefinedGradientsAreSkipped) {
  nb::Variable a(nb::constant({1.0f, 2.0f}), {.name = "a"});
  nb::Variable b(nb::constant({3.0f}), {.name = "b"});
  opt::SGD o({.learning_rate = 0.5, .momentum = 0.5});
  o.apply_gradients({nb::Tensor(), nb::constant({2.0f})}, {&a, &b});
  EXPECT_EQ(o.iterations(), 1);
  EXPECT_EQ(a.value().to_vector<float>(), (std::vector<float>{1.0f, 2.0f}));
  EXPECT_EQ(b.value().to_vector<float>(), (std::vector<float>{2.0f}));  // m = -1, b += m
  o.apply_gradients({nb::constant({1.0f, 1.0f}), nb::Tensor()}, {&a, &b});
  EXPECT_EQ(o.iterations(), 2);
  EXPECT_EQ(a.value().to_vector<float>(), (std::vector<float>{0.5f, 1.5f}));
  EXPECT_EQ(b.value().to_vector<float>(), (std::vector<float>{2.0f}));
  // Every gradient undefined: an error (Keras: "No gradients provided for any variable").
  EXPECT_THROW(o.apply_gradients({nb::Tensor(), nb::Tensor()}, {&a, &b}), nb::InvalidArgument);
  EXPECT_EQ(o.iterations(), 2);
  // Empty lists: nothing happens.
  o.apply_gradients({}, {});
  EXPECT_EQ(o.iterations(), 2);
}

TEST(Optimizers, MismatchErrorsNameTheVariableAndChangeNothing) {
  nb::Variable a(nb::constant({1.0f, 2.0f}), {.name = "weights_a"});
  nb::Variable b(nb::constant({3.0f}), {.name = "bias_b"});
  opt::Adam o({.learning_rate = 0.1});
  auto expect_error = [&](const std::vector<nb::Tensor>& g, const std::vector<nb::Variable*>& v,
                          const std::string& needle) {
    try {
      o.apply_gradients(g, v);
      ADD_FAILURE() << "no error for " << needle;
    } catch (const nb::InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  // b's gradient has the wrong shape: a (valid) must not be updated either.
  expect_error({nb::constant({1.0f, 1.0f}), nb::constant({1.0f, 1.0f})}, {&a, &b}, "bias_b");
  expect_error({nb::constant({1.0, 1.0}, nb::DType::float64), nb::constant({1.0f})}, {&a, &b}, "weights_a");
  expect_error({nb::constant({1.0f, 1.0f})}, {&a, &b}, "1 gradients for 2 variables");
  EXPECT_EQ(o.iterations(), 0);
  EXPECT_EQ(a.value().to_vector<float>(), (std::vector<float>{1.0f, 2.0f}));
  EXPECT_EQ(b.value().to_vector<float>(), (std::vector<float>{3.0f}));
  for (auto& [name, slot] : o.variables())
    for (double v : slot->value().to_vector<double>()) EXPECT_EQ(v, 0.0) << name;
  // A variable the optimizer was not built with.
  nb::Variable c(nb::constant({5.0f}), {.name = "stranger_c"});
  expect_error({nb::constant({1.0f})}, {&c}, "stranger_c");
  // Null variable.
  EXPECT_THROW(o.apply_gradients({nb::constant({1.0f})}, {nullptr}), nb::InvalidArgument);
}

TEST(Optimizers, NonFloatVariablesAreRejected) {
  nb::Variable i(nb::constant({1, 2}), {.name = "ints"});
  opt::SGD o;
  try {
    o.apply_gradients({nb::constant({1, 1})}, {&i});
    ADD_FAILURE() << "no error";
  } catch (const nb::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("ints"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("int32"), std::string::npos) << e.what();
  }
}

TEST(Optimizers, SubsetsOfTheBuiltVariablesInAnyOrder) {
  nb::Variable a(nb::constant({1.0f}), {.name = "a"});
  nb::Variable b(nb::constant({1.0f}), {.name = "b"});
  opt::SGD o({.learning_rate = 1.0, .momentum = 0.5});
  o.apply_gradients({nb::constant({1.0f}), nb::constant({2.0f})}, {&a, &b});  // m_a = -1, m_b = -2
  EXPECT_EQ(a.value().item<float>(), 0.0f);
  EXPECT_EQ(b.value().item<float>(), -1.0f);
  o.apply_gradients({nb::constant({0.0f}), nb::constant({0.0f})}, {&b, &a});  // reversed order
  EXPECT_EQ(a.value().item<float>(), -0.5f);   // m_a = -0.5
  EXPECT_EQ(b.value().item<float>(), -2.0f);   // m_b = -1
  o.apply_gradients({nb::constant({0.0f})}, {&b});  // subset
  EXPECT_EQ(b.value().item<float>(), -2.5f);
  EXPECT_EQ(a.value().item<float>(), -0.5f);
  EXPECT_EQ(o.iterations(), 3);
}

TEST(Optimizers, GetByNameAndUnknownNames) {
  const std::map<std::string, std::string> names = {
      {"sgd", "SGD"},         {"RMSprop", "RMSprop"}, {"ADAM", "Adam"},     {"adamw", "AdamW"}, {"Adagrad", "Adagrad"},
      {"adadelta", "Adadelta"}, {"adamax", "Adamax"},   {"Nadam", "Nadam"}, {"ftrl", "Ftrl"}};
  for (const auto& [name, cls] : names) {
    auto o = opt::get(name);
    ASSERT_NE(o, nullptr) << name;
    EXPECT_EQ(o->class_name(), cls);
    EXPECT_EQ(o->iterations(), 0);
  }
  // Keras defaults.
  EXPECT_DOUBLE_EQ(opt::get("sgd")->learning_rate(), 0.01);
  EXPECT_DOUBLE_EQ(opt::get("adam")->learning_rate(), 0.001);
  EXPECT_EQ(opt::get("adam")->name(), "adam");
  EXPECT_EQ(opt::get("rmsprop")->name(), "rm_sprop");
  EXPECT_EQ(opt::get("adamw")->get_config().at("weight_decay"), 0.004);
  try {
    opt::get("nope");
    ADD_FAILURE() << "no error";
  } catch (const nb::InvalidArgument& e) {
    const std::string msg = e.what();
    for (const char* n : {"nope", "sgd", "rmsprop", "adam", "adamw", "adagrad", "adadelta", "adamax", "nadam", "ftrl"})
      EXPECT_NE(msg.find(n), std::string::npos) << n << " missing from: " << msg;
  }
}

TEST(Optimizers, ConfigRoundTrip) {
  std::vector<std::shared_ptr<opt::Optimizer>> all = {
      std::make_shared<opt::SGD>(opt::SGDOptions{.learning_rate = 0.3, .momentum = 0.7, .nesterov = true, .clipnorm = 2.0, .name = "s"}),
      std::make_shared<opt::RMSprop>(opt::RMSpropOptions{.rho = 0.7, .momentum = 0.2, .epsilon = 1e-4, .centered = true, .weight_decay = 0.01}),
      std::make_shared<opt::Adam>(opt::AdamOptions{.learning_rate = sch::CosineDecay({.initial_learning_rate = 0.1, .decay_steps = 50, .warmup_target = 0.2, .warmup_steps = 5}),
                                                   .beta_1 = 0.5, .amsgrad = true, .global_clipnorm = 3.0}),
      std::make_shared<opt::AdamW>(opt::AdamWOptions{.weight_decay = 0.1, .beta_2 = 0.9, .clipvalue = 0.25}),
      std::make_shared<opt::Adagrad>(opt::AdagradOptions{.initial_accumulator_value = 0.3, .epsilon = 1e-5}),
      std::make_shared<opt::Adadelta>(opt::AdadeltaOptions{.learning_rate = 1.0, .rho = 0.8}),
      std::make_shared<opt::Adamax>(opt::AdamaxOptions{.beta_1 = 0.7, .beta_2 = 0.95}),
      std::make_shared<opt::Nadam>(opt::NadamOptions{.learning_rate = sch::ExponentialDecay({.initial_learning_rate = 0.1, .decay_steps = 10, .decay_rate = 0.9, .staircase = true})}),
      std::make_shared<opt::Ftrl>(opt::FtrlOptions{.learning_rate_power = -0.3, .l1_regularization_strength = 0.1, .beta = 0.2}),
  };
  for (const auto& o : all) {
    SCOPED_TRACE(o->class_name());
    const json ser = opt::serialize(*o);
    EXPECT_EQ(ser.at("module"), "keras.optimizers");
    EXPECT_EQ(ser.at("class_name"), o->class_name());
    auto back = opt::from_config(json::parse(ser.dump()));  // through text, as in a model file
    EXPECT_EQ(back->class_name(), o->class_name());
    EXPECT_EQ(back->get_config(), o->get_config());
    EXPECT_EQ(back->has_schedule(), o->has_schedule());
  }
  EXPECT_EQ(all[0]->get_config().at("name"), "s");
  EXPECT_EQ(all[2]->get_config().at("learning_rate").at("class_name"), "CosineDecay");
}

TEST(Optimizers, FromConfigErrors) {
  EXPECT_THROW(opt::from_config(json::parse(R"({"class_name": "Sgd2", "config": {}})")), nb::InvalidArgument);
  EXPECT_THROW(opt::from_config(json::parse(R"({"config": {}})")), nb::InvalidArgument);
  EXPECT_THROW(opt::from_config(json::parse(R"({"class_name": "Adam", "config": {"bogus": 1}})")), nb::InvalidArgument);
  EXPECT_THROW(opt::from_config(json::parse(R"({"class_name": "Adam", "config": {"beta_1": "high"}})")),
               nb::InvalidArgument);
  EXPECT_THROW(opt::from_config(json::parse(R"({"class_name": "Adam", "config": {"use_ema": true}})")),
               nb::Unimplemented);
  EXPECT_THROW(opt::from_config(json::parse(R"({"class_name": "SGD", "config": {"gradient_accumulation_steps": 4}})")),
               nb::Unimplemented);
  EXPECT_THROW(opt::from_config(json::parse(R"({"class_name": "AdamW", "config": {"weight_decay": null}})")),
               nb::InvalidArgument);
  // Defaults fill in missing keys.
  auto o = opt::from_config(json::parse(R"({"class_name": "Adam", "config": {}})"));
  EXPECT_DOUBLE_EQ(o->learning_rate(), 0.001);
  EXPECT_EQ(o->get_config().at("beta_2"), 0.999);
}

TEST(Optimizers, InvalidOptions) {
  EXPECT_THROW(opt::SGD({.clipnorm = 1.0, .clipvalue = 1.0}), nb::InvalidArgument);
  EXPECT_THROW(opt::Adam({.clipnorm = 1.0, .global_clipnorm = 1.0}), nb::InvalidArgument);
  EXPECT_THROW(opt::SGD({.momentum = 1.5}), nb::InvalidArgument);
  EXPECT_THROW(opt::SGD({.momentum = -0.1}), nb::InvalidArgument);
  EXPECT_THROW(opt::Ftrl({.learning_rate_power = 0.5}), nb::InvalidArgument);
  EXPECT_THROW(opt::Ftrl({.initial_accumulator_value = -1}), nb::InvalidArgument);
  EXPECT_THROW(opt::Ftrl({.l1_regularization_strength = -1}), nb::InvalidArgument);
  EXPECT_THROW(opt::Ftrl({.l2_regularization_strength = -1}), nb::InvalidArgument);
  EXPECT_THROW(opt::Ftrl({.l2_shrinkage_regularization_strength = -1}), nb::InvalidArgument);
  EXPECT_THROW(opt::LearningRate(std::shared_ptr<sch::LearningRateSchedule>()), nb::InvalidArgument);
}

TEST(Optimizers, SetLearningRateAndIterations) {
  nb::Variable w(nb::constant({1.0f}), {.name = "w"});
  opt::SGD o({.learning_rate = 0.5});
  EXPECT_FALSE(o.has_schedule());
  EXPECT_DOUBLE_EQ(o.learning_rate(), 0.5);
  o.apply_gradients({nb::constant({1.0f})}, {&w});
  EXPECT_FLOAT_EQ(w.value().item<float>(), 0.5f);
  o.set_learning_rate(0.125);
  EXPECT_DOUBLE_EQ(o.learning_rate(), 0.125);
  EXPECT_DOUBLE_EQ(o.get_config().at("learning_rate").get<double>(), 0.125);
  o.apply_gradients({nb::constant({1.0f})}, {&w});
  EXPECT_FLOAT_EQ(w.value().item<float>(), 0.375f);
  EXPECT_EQ(o.iterations(), 2);
  o.set_iterations(41);
  EXPECT_EQ(o.iterations(), 41);
  o.apply_gradients({nb::constant({1.0f})}, {&w});
  EXPECT_EQ(o.iterations(), 42);
  EXPECT_THROW(o.set_iterations(-1), nb::InvalidArgument);

  // With a schedule: the rate follows iterations(), and cannot be set.
  opt::SGD s({.learning_rate = sch::PiecewiseConstantDecay({.boundaries = {1}, .values = {1.0, 0.25}})});
  EXPECT_TRUE(s.has_schedule());
  nb::Variable v(nb::constant({0.0f}), {.name = "v"});
  EXPECT_DOUBLE_EQ(s.learning_rate(), 1.0);
  s.apply_gradients({nb::constant({1.0f})}, {&v});  // step 0: lr 1
  s.apply_gradients({nb::constant({1.0f})}, {&v});  // step 1: lr 1 (step <= boundary)
  EXPECT_DOUBLE_EQ(s.learning_rate(), 0.25);
  s.apply_gradients({nb::constant({1.0f})}, {&v});  // step 2: lr 0.25
  EXPECT_FLOAT_EQ(v.value().item<float>(), -2.25f);
  s.set_iterations(0);
  EXPECT_DOUBLE_EQ(s.learning_rate(), 1.0);
  EXPECT_THROW(s.set_learning_rate(0.1), nb::InvalidArgument);
}

TEST(Optimizers, Float64VariablesHandComputed) {
  // Adam, one step from zero slots: m = (1 - b1) g, v = (1 - b2) g^2,
  // w -= lr * sqrt(1 - b2) / (1 - b1) * m / (sqrt(v) + eps). As in Keras, the betas inside
  // the bias correction pass through ops.cast, i.e. float32 (see keras_cast).
  nb::Variable w(nb::constant({1.0, -2.0}, nb::DType::float64), {.name = "w"});
  opt::Adam o({.learning_rate = 0.01, .epsilon = 1e-3});
  const std::vector<double> g = {0.5, -4.0};
  o.apply_gradients({nb::constant(g, nb::Shape{2}, nb::DType::float64)}, {&w});
  ASSERT_EQ(w.dtype(), nb::DType::float64);
  const std::vector<double> start = {1.0, -2.0};
  auto got = w.value().to_vector<double>();
  for (size_t i = 0; i < 2; ++i) {
    const double m = (1 - 0.9) * g[i], v = (1 - 0.999) * (g[i] * g[i]);
    const double alpha = 0.01 * std::sqrt(1 - double(0.999f)) / (1 - double(0.9f));
    EXPECT_NEAR(got[i], start[i] - m * alpha / (std::sqrt(v) + 1e-3), 1e-15);
  }
  // Slots hold float64 too.
  for (auto& [name, slot] : o.variables()) EXPECT_EQ(slot->dtype(), nb::DType::float64) << name;
}

TEST(Optimizers, WeightDecayHandComputedAndExclusions) {
  // SGD with weight decay: w -= w * wd * lr, then w -= lr * g.
  nb::Variable kernel(nb::constant({2.0f}), {.name = "dense/kernel"});
  nb::Variable bias(nb::constant({2.0f}), {.name = "dense/bias"});
  nb::Variable other(nb::constant({2.0f}), {.name = "other"});
  opt::SGD o({.learning_rate = 0.5, .weight_decay = 0.1});
  o.exclude_from_weight_decay({&other}, {"bias"});
  o.apply_gradients({nb::constant({1.0f}), nb::constant({1.0f}), nb::constant({1.0f})}, {&kernel, &bias, &other});
  EXPECT_FLOAT_EQ(kernel.value().item<float>(), 2.0f - 2.0f * 0.1f * 0.5f - 0.5f);
  EXPECT_FLOAT_EQ(bias.value().item<float>(), 1.5f);
  EXPECT_FLOAT_EQ(other.value().item<float>(), 1.5f);
  EXPECT_THROW(o.exclude_from_weight_decay({}, {"x"}), nb::FailedPrecondition);
  opt::SGD bad;
  EXPECT_THROW(bad.exclude_from_weight_decay({}, {"(unclosed"}), nb::InvalidArgument);
}

TEST(Optimizers, ClipnormHandComputed) {
  // ||g|| = 5 > 1: g is scaled to norm 1; the other variable's norm 0.5 < 1 is kept.
  nb::Variable a(nb::constant({0.0f, 0.0f}), {.name = "a"});
  nb::Variable b(nb::constant({0.0f}), {.name = "b"});
  opt::SGD o({.learning_rate = 1.0, .clipnorm = 1.0});
  o.apply_gradients({nb::constant({3.0f, 4.0f}), nb::constant({0.5f})}, {&a, &b});
  EXPECT_EQ(a.value().to_vector<float>(), (std::vector<float>{-0.6f, -0.8f}));
  EXPECT_EQ(b.value().to_vector<float>(), (std::vector<float>{-0.5f}));
  // Global norm sqrt(9 + 16 + 144) = 13 > 2.6: everything scaled by 0.2.
  nb::Variable c(nb::constant({0.0f, 0.0f}), {.name = "c"});
  nb::Variable d(nb::constant({0.0f}), {.name = "d"});
  opt::SGD og({.learning_rate = 1.0, .global_clipnorm = 2.6});
  og.apply_gradients({nb::constant({3.0f, 4.0f}), nb::constant({12.0f})}, {&c, &d});
  auto cv = c.value().to_vector<float>();
  EXPECT_FLOAT_EQ(cv[0], -0.6f);
  EXPECT_FLOAT_EQ(cv[1], -0.8f);
  EXPECT_FLOAT_EQ(d.value().item<float>(), -2.4f);
  // clipvalue: element-wise.
  nb::Variable e(nb::constant({0.0f, 0.0f, 0.0f}), {.name = "e"});
  opt::SGD ov({.learning_rate = 1.0, .clipvalue = 0.5});
  ov.apply_gradients({nb::constant({-3.0f, 0.25f, 9.0f})}, {&e});
  EXPECT_EQ(e.value().to_vector<float>(), (std::vector<float>{0.5f, -0.25f, -0.5f}));
}

TEST(Optimizers, StridedGradientsAndSnapshots) {
  // A transposed (non-contiguous) gradient gives the same update as its contiguous copy.
  const nb::Tensor g_t = nb::constant({{1.0f, 2.0f, 3.0f}, {4.0f, 5.0f, 6.0f}});  // (2, 3)
  const nb::Tensor g = nb::transpose(g_t);                                        // (3, 2) view
  ASSERT_FALSE(g.is_contiguous());
  nb::Variable w1(nb::ones(nb::Shape{3, 2}), {.name = "w1"});
  nb::Variable w2(nb::ones(nb::Shape{3, 2}), {.name = "w2"});
  opt::RMSprop o1({.learning_rate = 0.1, .momentum = 0.3});
  opt::RMSprop o2({.learning_rate = 0.1, .momentum = 0.3});
  const nb::Tensor snapshot = w1.value();  // an earlier read must not change
  o1.apply_gradients({g}, {&w1});
  o2.apply_gradients({g.contiguous()}, {&w2});
  EXPECT_EQ(w1.value().to_vector<float>(), w2.value().to_vector<float>());
  EXPECT_EQ(snapshot.to_vector<float>(), std::vector<float>(6, 1.0f));
  EXPECT_NE(w1.value().to_vector<float>(), std::vector<float>(6, 1.0f));
}

TEST(Optimizers, SlotNamesAndOrder) {
  nb::Variable a(nb::zeros(nb::Shape{2}), {.name = "dense/kernel"});
  nb::Variable b(nb::zeros(nb::Shape{1}), {.name = "dense/bias"});
  opt::Adam o({.amsgrad = true});
  EXPECT_TRUE(o.variables().empty());
  EXPECT_FALSE(o.built());
  o.ensure_built({&a, &b});
  EXPECT_TRUE(o.built());
  std::vector<std::string> names;
  for (auto& [name, v] : o.variables()) {
    names.push_back(name);
    EXPECT_FALSE(v->trainable());
  }
  EXPECT_EQ(names, (std::vector<std::string>{"dense/kernel/momentum", "dense/kernel/velocity", "dense/bias/momentum",
                                             "dense/bias/velocity", "dense/kernel/velocity_hat",
                                             "dense/bias/velocity_hat"}));
  opt::Ftrl f({.initial_accumulator_value = 0.25});
  f.ensure_built({&b});
  auto fv = f.variables();
  ASSERT_EQ(fv.size(), 2u);
  EXPECT_EQ(fv[0].second->value().to_vector<float>(), std::vector<float>{0.25f});
}

// The multi-tensor apply (one parallel pass over all variables of a step) gives, bit
// for bit, what updating each variable alone gives: sizes around the pass's 32768-element
// chunks, tiny ones between them, every optimizer and option of the Keras cases.
TEST(Optimizers, OnePassOverAllVariablesEqualsUpdatingEachAlone) {
  const std::vector<int64_t> sizes = {1, 7, 32767, 32769, 70001, 3, 40000};
  for (const auto& [name, make] : cpp_optimizers()) {
    if (name.find("global_clipnorm") != std::string::npos) continue;  // couples the variables
    SCOPED_TRACE(name);
    const nb::DType dt = name.ends_with("_f64") ? nb::DType::float64 : nb::DType::float32;
    nb::random::Generator gen{uint64_t(17)};
    std::vector<nb::Tensor> init, grads[3];
    for (int64_t n : sizes) {
      init.push_back(nb::cast(nb::random::normal({n}, {}, gen), dt));
      for (auto& g : grads) g.push_back(nb::cast(nb::random::normal({n}, {}, gen), dt));
    }
    std::vector<std::unique_ptr<nb::Variable>> together, alone;
    std::vector<nb::Variable*> together_ptrs;
    for (size_t i = 0; i < sizes.size(); ++i) {
      together.push_back(std::make_unique<nb::Variable>(init[i]));
      alone.push_back(std::make_unique<nb::Variable>(init[i]));
      together_ptrs.push_back(together.back().get());
    }
    std::shared_ptr<opt::Optimizer> all = make();
    std::vector<std::shared_ptr<opt::Optimizer>> each;
    for (size_t i = 0; i < sizes.size(); ++i) each.push_back(make());
    for (auto& g : grads) {
      all->apply_gradients(g, together_ptrs);
      for (size_t i = 0; i < sizes.size(); ++i) each[i]->apply_gradients({g[i]}, {alone[i].get()});
    }
    for (size_t i = 0; i < sizes.size(); ++i) {
      const std::vector<double> a = together[i]->value().to_vector<double>(), b = alone[i]->value().to_vector<double>();
      ASSERT_EQ(a.size(), b.size());
      size_t diff = 0;
      for (size_t j = 0; j < a.size(); ++j) diff += a[j] != b[j] ? 1 : 0;
      EXPECT_EQ(diff, 0u) << "variable of " << sizes[i] << " elements";
      EXPECT_NE(a, init[i].to_vector<double>());  // it was updated
    }
  }
}

// A variable listed twice gets both updates, one after the other (hand-computed: SGD,
// lr 0.5, w = 1 - 0.5 * 2 - 0.5 * 4 = -2).
TEST(Optimizers, AVariableListedTwiceIsUpdatedTwice) {
  nb::Variable w(nb::constant({1.0f, 1.0f}));
  opt::SGD o({.learning_rate = 0.5});
  o.apply_gradients({nb::constant({2.0f, 0.0f}), nb::constant({4.0f, 1.0f})}, {&w, &w});
  EXPECT_EQ(w.value().to_vector<float>(), (std::vector<float>{-2.0f, 0.5f}));
}
