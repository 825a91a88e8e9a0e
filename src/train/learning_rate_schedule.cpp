// Learning-rate schedules: Keras 3's formulas (learning_rate_schedule.py) in double.
#include "nabla/train/learning_rate_schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <nlohmann/json.hpp>

#include "nabla/core/error.h"
#include "train/optimizers/config_reader.h"

namespace nabla::optimizers::schedules {

using nlohmann::json;
using optimizers::detail::ConfigReader;

namespace {
void check_steps(double steps, const char* key, const std::string& cls) {
  NB_CHECK(steps > 0, InvalidArgument, cls, ": argument `", key, "` must be > 0. Received: ", key, "=", steps);
}
}  // namespace

// ---------------------------------------------------------------------------- ExponentialDecay

ExponentialDecay::ExponentialDecay(ExponentialDecayOptions options) : options_(std::move(options)) {
  check_steps(options_.decay_steps, "decay_steps", class_name());
}

double ExponentialDecay::operator()(int64_t step) const {
  double p = double(step) / options_.decay_steps;
  if (options_.staircase) p = std::floor(p);
  return options_.initial_learning_rate * std::pow(options_.decay_rate, p);
}

json ExponentialDecay::get_config() const {
  return {{"initial_learning_rate", options_.initial_learning_rate},
          {"decay_steps", options_.decay_steps},
          {"decay_rate", options_.decay_rate},
          {"staircase", options_.staircase},
          {"name", options_.name}};
}

// ---------------------------------------------------------------------------- PiecewiseConstantDecay

PiecewiseConstantDecay::PiecewiseConstantDecay(PiecewiseConstantDecayOptions options) : options_(std::move(options)) {
  NB_CHECK(!options_.boundaries.empty() && options_.boundaries.size() + 1 == options_.values.size(),
           InvalidArgument,
           "PiecewiseConstantDecay: expected at least one boundary and one more value than boundaries; got ",
           options_.boundaries.size(), " boundaries and ", options_.values.size(), " values");
}

double PiecewiseConstantDecay::operator()(int64_t step) const {
  // Keras adds up the value of every piece whose condition holds (exactly one for
  // increasing boundaries).
  const auto& b = options_.boundaries;
  const auto& v = options_.values;
  double result = 0.0;
  if (step <= b.front()) result += v.front();
  if (step > b.back()) result += v.back();
  for (size_t i = 0; i + 1 < b.size(); ++i)
    if (step > b[i] && step <= b[i + 1]) result += v[i + 1];
  return result;
}

json PiecewiseConstantDecay::get_config() const {
  return {{"boundaries", options_.boundaries}, {"values", options_.values}, {"name", options_.name}};
}

// ---------------------------------------------------------------------------- CosineDecay

CosineDecay::CosineDecay(CosineDecayOptions options) : options_(std::move(options)) {
  check_steps(options_.decay_steps, "decay_steps", class_name());
  NB_CHECK(options_.warmup_steps >= 0, InvalidArgument,
           "CosineDecay: argument `warmup_steps` must be >= 0. Received: warmup_steps=", options_.warmup_steps);
}

double CosineDecay::operator()(int64_t step) const {
  const auto& o = options_;
  auto decay = [&](double s, double from) {
    const double completed = s / o.decay_steps;
    const double cosine = 0.5 * (1.0 + std::cos(std::numbers::pi * completed));
    return from * ((1 - o.alpha) * cosine + o.alpha);
  };
  double s = double(step);
  if (!o.warmup_target) return decay(std::min(s, o.decay_steps), o.initial_learning_rate);
  s = std::min(s, o.decay_steps + o.warmup_steps);
  if (s < o.warmup_steps)
    return (*o.warmup_target - o.initial_learning_rate) * (s / o.warmup_steps) + o.initial_learning_rate;
  return decay(s - o.warmup_steps, *o.warmup_target);
}

json CosineDecay::get_config() const {
  return {{"initial_learning_rate", options_.initial_learning_rate},
          {"decay_steps", options_.decay_steps},
          {"alpha", options_.alpha},
          {"name", options_.name},
          {"warmup_target", optimizers::detail::json_or_null(options_.warmup_target)},
          {"warmup_steps", options_.warmup_steps}};
}

// ---------------------------------------------------------------------------- InverseTimeDecay

InverseTimeDecay::InverseTimeDecay(InverseTimeDecayOptions options) : options_(std::move(options)) {
  check_steps(options_.decay_steps, "decay_steps", class_name());
}

double InverseTimeDecay::operator()(int64_t step) const {
  double p = double(step) / options_.decay_steps;
  if (options_.staircase) p = std::floor(p);
  return options_.initial_learning_rate / (1.0 + options_.decay_rate * p);
}

json InverseTimeDecay::get_config() const {
  return {{"initial_learning_rate", options_.initial_learning_rate},
          {"decay_steps", options_.decay_steps},
          {"decay_rate", options_.decay_rate},
          {"staircase", options_.staircase},
          {"name", options_.name}};
}

// ---------------------------------------------------------------------------- PolynomialDecay

PolynomialDecay::PolynomialDecay(PolynomialDecayOptions options) : options_(std::move(options)) {
  check_steps(options_.decay_steps, "decay_steps", class_name());
}

double PolynomialDecay::operator()(int64_t step) const {
  const auto& o = options_;
  double s = double(step), decay_steps = o.decay_steps;
  if (o.cycle) {
    // The first multiple of decay_steps not below step (1 at step 0).
    const double multiplier = s == 0 ? 1.0 : std::ceil(s / o.decay_steps);
    decay_steps *= multiplier;
  } else {
    s = std::min(s, decay_steps);
  }
  const double p = s / decay_steps;
  return (o.initial_learning_rate - o.end_learning_rate) * std::pow(1 - p, o.power) + o.end_learning_rate;
}

json PolynomialDecay::get_config() const {
  return {{"initial_learning_rate", options_.initial_learning_rate},
          {"decay_steps", options_.decay_steps},
          {"end_learning_rate", options_.end_learning_rate},
          {"power", options_.power},
          {"cycle", options_.cycle},
          {"name", options_.name}};
}

// ---------------------------------------------------------------------------- CosineDecayRestarts

CosineDecayRestarts::CosineDecayRestarts(CosineDecayRestartsOptions options) : options_(std::move(options)) {
  check_steps(options_.first_decay_steps, "first_decay_steps", class_name());
}

double CosineDecayRestarts::operator()(int64_t step) const {
  const auto& o = options_;
  double completed = double(step) / o.first_decay_steps;
  double i_restart;
  if (o.t_mul == 1.0) {
    i_restart = std::floor(completed);
    completed -= i_restart;
  } else {
    i_restart = std::floor(std::log(1.0 - completed * (1.0 - o.t_mul)) / std::log(o.t_mul));
    const double sum_r = (1.0 - std::pow(o.t_mul, i_restart)) / (1.0 - o.t_mul);
    completed = (completed - sum_r) / std::pow(o.t_mul, i_restart);
  }
  const double m_fac = std::pow(o.m_mul, i_restart);
  const double cosine = 0.5 * m_fac * (1.0 + std::cos(std::numbers::pi * completed));
  return o.initial_learning_rate * ((1 - o.alpha) * cosine + o.alpha);
}

json CosineDecayRestarts::get_config() const {
  return {{"initial_learning_rate", options_.initial_learning_rate},
          {"first_decay_steps", options_.first_decay_steps},
          {"t_mul", options_.t_mul},
          {"m_mul", options_.m_mul},
          {"alpha", options_.alpha},
          {"name", options_.name}};
}

// ---------------------------------------------------------------------------- serialization

json serialize(const LearningRateSchedule& schedule) {
  return {{"module", "keras.optimizers.schedules"},
          {"class_name", schedule.class_name()},
          {"config", schedule.get_config()},
          {"registered_name", nullptr}};
}

std::shared_ptr<LearningRateSchedule> schedule_from_config(const json& config) {
  NB_CHECK(config.is_object() && config.contains("class_name") && config.at("class_name").is_string() &&
               config.contains("config"),
           InvalidArgument,
           "schedule_from_config: expected {\"class_name\": ..., \"config\": {...}}, got ", config.dump());
  const std::string cls = config.at("class_name").get<std::string>();
  ConfigReader r(config.at("config"), cls + " config");
  std::shared_ptr<LearningRateSchedule> out;
  if (cls == "ExponentialDecay" || cls == "InverseTimeDecay") {
    const double init = r.required_number("initial_learning_rate");
    const double steps = r.required_number("decay_steps");
    const double rate = r.required_number("decay_rate");
    const bool staircase = r.boolean("staircase", false);
    const std::string name = r.string("name", cls);
    if (cls == "ExponentialDecay")
      out = std::make_shared<ExponentialDecay>(ExponentialDecayOptions{init, steps, rate, staircase, name});
    else
      out = std::make_shared<InverseTimeDecay>(InverseTimeDecayOptions{init, steps, rate, staircase, name});
  } else if (cls == "PiecewiseConstantDecay") {
    PiecewiseConstantDecayOptions o;
    auto list = [&](const char* key) {
      const json& v = r.raw(key);
      NB_CHECK(v.is_array(), InvalidArgument, cls, " config: \"", key, "\" must be a list of numbers, got ", v.dump());
      for (const json& e : v)
        NB_CHECK(e.is_number(), InvalidArgument, cls, " config: \"", key, "\" must be a list of numbers, got ",
                 v.dump());
      return v;
    };
    // Keras casts the boundaries to the step's integer type (truncation).
    for (const json& e : list("boundaries")) o.boundaries.push_back(int64_t(e.get<double>()));
    for (const json& e : list("values")) o.values.push_back(e.get<double>());
    o.name = r.string("name", "PiecewiseConstant");
    out = std::make_shared<PiecewiseConstantDecay>(std::move(o));
  } else if (cls == "CosineDecay") {
    CosineDecayOptions o;
    o.initial_learning_rate = r.required_number("initial_learning_rate");
    o.decay_steps = r.required_number("decay_steps");
    o.alpha = r.number("alpha", 0.0);
    o.name = r.string("name", "CosineDecay");
    o.warmup_target = r.optional_number("warmup_target");
    o.warmup_steps = r.number("warmup_steps", 0.0);
    out = std::make_shared<CosineDecay>(std::move(o));
  } else if (cls == "PolynomialDecay") {
    PolynomialDecayOptions o;
    o.initial_learning_rate = r.required_number("initial_learning_rate");
    o.decay_steps = r.required_number("decay_steps");
    o.end_learning_rate = r.number("end_learning_rate", 0.0001);
    o.power = r.number("power", 1.0);
    o.cycle = r.boolean("cycle", false);
    o.name = r.string("name", "PolynomialDecay");
    out = std::make_shared<PolynomialDecay>(std::move(o));
  } else if (cls == "CosineDecayRestarts") {
    CosineDecayRestartsOptions o;
    o.initial_learning_rate = r.required_number("initial_learning_rate");
    o.first_decay_steps = r.required_number("first_decay_steps");
    o.t_mul = r.number("t_mul", 2.0);
    o.m_mul = r.number("m_mul", 1.0);
    o.alpha = r.number("alpha", 0.0);
    o.name = r.string("name", "SGDRDecay");
    out = std::make_shared<CosineDecayRestarts>(std::move(o));
  } else {
    NB_CHECK(false, InvalidArgument, "schedule_from_config: unknown schedule class \"", cls,
             "\"; known: ExponentialDecay, PiecewiseConstantDecay, CosineDecay, InverseTimeDecay, "
             "PolynomialDecay, CosineDecayRestarts");
  }
  r.finish();
  return out;
}

}  // namespace nabla::optimizers::schedules
