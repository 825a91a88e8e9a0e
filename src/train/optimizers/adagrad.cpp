// Adagrad (keras/src/optimizers/adagrad.py).
#include <cmath>

#include <nlohmann/json.hpp>

#include "nabla/train/optimizers.h"
#include "train/optimizers/config_reader.h"
#include "train/optimizers/update_util.h"

namespace nabla::optimizers {

namespace {

template <typename T> struct AdagradScalars {
  T lr, epsilon, weight_decay;
};

template <typename T, bool kDecay>
void adagrad_loop(T* __restrict w, const T* __restrict g, T* __restrict acc, int64_t begin, int64_t end,
                  const AdagradScalars<T>& s) {
  const T lr = s.lr, eps = s.epsilon, wd = s.weight_decay;
  for (int64_t i = begin; i < end; ++i) {
    const T gi = g[i];
    const T a = acc[i] + gi * gi;
    acc[i] = a;
    w[i] = detail::decayed<T, kDecay>(w[i], wd, lr) - (lr * gi) / std::sqrt(a + eps);
  }
}

}  // namespace

Adagrad::Adagrad(AdagradOptions options)
    : Optimizer(detail::common_options(options), "adagrad"), options_(std::move(options)) {}

void Adagrad::build(const std::vector<Variable*>& vars) {
  // Keras's Constant initializer goes through ops.cast: float32-rounded for float64 variables.
  const double init = double(float(options_.initial_accumulator_value));
  for (Variable* v : vars) accumulators_.push_back(&add_slot(*v, "accumulator", init));
}

void Adagrad::update_step(const Tensor& grad, Variable& var, double lr, int64_t slot_index) {
  const double wd = weight_decay_for(slot_index);
  detail::dispatch_update(var.dtype(), wd, [&]<typename T, bool kDecay>() {
    const AdagradScalars<T> s{T(lr), T(options_.epsilon), detail::keras_cast<T>(wd)};
    T* w = detail::data_of<T>(var);
    T* acc = detail::data_of<T>(*accumulators_[size_t(slot_index)]);
    const T* g = grad.data<T>();
    detail::for_range(var.size(), [=](int64_t b, int64_t e) { adagrad_loop<T, kDecay>(w, g, acc, b, e, s); });
  });
}

nlohmann::json Adagrad::get_config() const {
  nlohmann::json c = Optimizer::get_config();
  c["initial_accumulator_value"] = options_.initial_accumulator_value;
  c["epsilon"] = options_.epsilon;
  return c;
}

std::shared_ptr<Adagrad> Adagrad::from_config(const nlohmann::json& config) {
  detail::ConfigReader r(config, "Adagrad config");
  AdagradOptions o;
  detail::apply_common(detail::read_common_options(r, 0.001), o);
  o.initial_accumulator_value = r.number("initial_accumulator_value", 0.1);
  o.epsilon = r.number("epsilon", 1e-7);
  r.finish();
  return std::make_shared<Adagrad>(std::move(o));
}

}  // namespace nabla::optimizers
