// Ftrl (keras/src/optimizers/ftrl.py): Follow The Regularized Leader.
#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "nabla/train/optimizers.h"
#include "train/optimizers/config_reader.h"
#include "train/optimizers/update_util.h"

namespace nabla::optimizers {

namespace {

template <typename T> struct FtrlScalars {
  T lr, power;  // power = -learning_rate_power
  T two_l2_shrinkage, two_l2_reg, l1, weight_decay;
};

// x^p with the common powers exact and fast (sqrt is correctly rounded).
enum class Power { Zero, Half, General };

template <typename T, Power kPower> inline T power_of(T x, T p) {
  if constexpr (kPower == Power::Zero) return T(1);
  else if constexpr (kPower == Power::Half) return std::sqrt(x);
  else return std::pow(x, p);
}

template <typename T, bool kDecay, Power kPower>
void ftrl_loop(T* __restrict w, const T* __restrict g, T* __restrict acc, T* __restrict lin, int64_t begin,
               int64_t end, const FtrlScalars<T>& s) {
  const T lr = s.lr, p = s.power, shrink = s.two_l2_shrinkage, two_l2 = s.two_l2_reg, l1 = s.l1,
          wd = s.weight_decay;
  for (int64_t i = begin; i < end; ++i) {
    const T wi = detail::decayed<T, kDecay>(w[i], wd, lr);
    const T gi = g[i];
    const T grad_to_use = gi + shrink * wi;
    const T a = acc[i];
    const T new_a = a + gi * gi;
    const T new_a_p = power_of<T, kPower>(new_a, p);
    const T z = lin[i] + (grad_to_use - ((new_a_p - power_of<T, kPower>(a, p)) / lr) * wi);
    lin[i] = z;
    const T quadratic = new_a_p / lr + two_l2;
    const T z_clipped = std::min(std::max(z, -l1), l1);
    w[i] = (z_clipped - z) / quadratic;
    acc[i] = new_a;
  }
}

}  // namespace

Ftrl::Ftrl(FtrlOptions options) : Optimizer(detail::common_options(options), "ftrl"), options_(std::move(options)) {
  const auto& o = options_;
  NB_CHECK(o.initial_accumulator_value >= 0, InvalidArgument,
           "Ftrl: `initial_accumulator_value` needs to be positive or zero. Received: initial_accumulator_value=",
           o.initial_accumulator_value);
  NB_CHECK(o.learning_rate_power <= 0, InvalidArgument,
           "Ftrl: `learning_rate_power` needs to be negative or zero. Received: learning_rate_power=",
           o.learning_rate_power);
  NB_CHECK(o.l1_regularization_strength >= 0, InvalidArgument,
           "Ftrl: `l1_regularization_strength` needs to be positive or zero. Received: ",
           o.l1_regularization_strength);
  NB_CHECK(o.l2_regularization_strength >= 0, InvalidArgument,
           "Ftrl: `l2_regularization_strength` needs to be positive or zero. Received: ",
           o.l2_regularization_strength);
  NB_CHECK(o.l2_shrinkage_regularization_strength >= 0, InvalidArgument,
           "Ftrl: `l2_shrinkage_regularization_strength` needs to be positive or zero. Received: ",
           o.l2_shrinkage_regularization_strength);
}

void Ftrl::build(const std::vector<Variable*>& vars) {
  // Keras's Constant initializer goes through ops.cast: float32-rounded for float64 variables.
  const double init = double(float(options_.initial_accumulator_value));
  for (Variable* v : vars) {
    accumulators_.push_back(&add_slot(*v, "accumulator", init));
    linears_.push_back(&add_slot(*v, "linear"));
  }
}

void Ftrl::update_step(const Tensor& grad, Variable& var, double lr, int64_t slot_index) {
  const size_t k = size_t(slot_index);
  const double wd = weight_decay_for(slot_index);
  detail::dispatch_update(var.dtype(), wd, [&]<typename T, bool kDecay>() {
    const auto& o = options_;
    // Keras: l2_reg = l2 + beta / (2 * lr), in the variable's dtype; quadratic adds 2 * l2_reg.
    const T lr_t = T(lr);
    const T l2_reg = T(o.l2_regularization_strength) + T(o.beta) / (T(2) * lr_t);
    const FtrlScalars<T> s{lr_t,
                           T(-o.learning_rate_power),
                           T(2 * o.l2_shrinkage_regularization_strength),
                           T(2) * l2_reg,
                           T(o.l1_regularization_strength),
                           detail::keras_cast<T>(wd)};
    T* w = detail::data_of<T>(var);
    T* acc = detail::data_of<T>(*accumulators_[k]);
    T* lin = detail::data_of<T>(*linears_[k]);
    const T* g = grad.data<T>();
    const double power = o.learning_rate_power;
    detail::for_range(var.size(), [=](int64_t b, int64_t e) {
      if (power == 0) ftrl_loop<T, kDecay, Power::Zero>(w, g, acc, lin, b, e, s);
      else if (power == -0.5) ftrl_loop<T, kDecay, Power::Half>(w, g, acc, lin, b, e, s);
      else ftrl_loop<T, kDecay, Power::General>(w, g, acc, lin, b, e, s);
    });
  });
}

nlohmann::json Ftrl::get_config() const {
  nlohmann::json c = Optimizer::get_config();
  c["learning_rate_power"] = options_.learning_rate_power;
  c["initial_accumulator_value"] = options_.initial_accumulator_value;
  c["l1_regularization_strength"] = options_.l1_regularization_strength;
  c["l2_regularization_strength"] = options_.l2_regularization_strength;
  c["l2_shrinkage_regularization_strength"] = options_.l2_shrinkage_regularization_strength;
  c["beta"] = options_.beta;
  return c;
}

std::shared_ptr<Ftrl> Ftrl::from_config(const nlohmann::json& config) {
  detail::ConfigReader r(config, "Ftrl config");
  FtrlOptions o;
  detail::apply_common(detail::read_common_options(r, 0.001), o);
  o.learning_rate_power = r.number("learning_rate_power", -0.5);
  o.initial_accumulator_value = r.number("initial_accumulator_value", 0.1);
  o.l1_regularization_strength = r.number("l1_regularization_strength", 0.0);
  o.l2_regularization_strength = r.number("l2_regularization_strength", 0.0);
  o.l2_shrinkage_regularization_strength = r.number("l2_shrinkage_regularization_strength", 0.0);
  o.beta = r.number("beta", 0.0);
  r.finish();
  return std::make_shared<Ftrl>(std::move(o));
}

}  // namespace nabla::optimizers
