// Adadelta (keras/src/optimizers/adadelta.py).
#include <cmath>

#include <nlohmann/json.hpp>

#include "nabla/train/optimizers.h"
#include "train/optimizers/config_reader.h"
#include "train/optimizers/update_util.h"

namespace nabla::optimizers {

namespace {

template <typename T> struct AdadeltaScalars {
  T lr, rho, one_minus_rho, epsilon, weight_decay;
};

template <typename T, bool kDecay>
void adadelta_loop(T* __restrict w, const T* __restrict g, T* __restrict acc_grad, T* __restrict acc_delta,
                   int64_t begin, int64_t end, const AdadeltaScalars<T>& s) {
  const T lr = s.lr, rho = s.rho, one_minus_rho = s.one_minus_rho, eps = s.epsilon, wd = s.weight_decay;
  for (int64_t i = begin; i < end; ++i) {
    const T gi = g[i];
    const T ag = rho * acc_grad[i] + one_minus_rho * (gi * gi);
    acc_grad[i] = ag;
    const T delta = -((std::sqrt(acc_delta[i] + eps) * gi) / std::sqrt(ag + eps));
    acc_delta[i] = rho * acc_delta[i] + one_minus_rho * (delta * delta);
    w[i] = detail::decayed<T, kDecay>(w[i], wd, lr) + lr * delta;
  }
}

}  // namespace

Adadelta::Adadelta(AdadeltaOptions options)
    : Optimizer(detail::common_options(options), "adadelta"), options_(std::move(options)) {}

void Adadelta::build(const std::vector<Variable*>& vars) {
  for (Variable* v : vars) {
    accumulated_grads_.push_back(&add_slot(*v, "accumulated_grad"));
    accumulated_deltas_.push_back(&add_slot(*v, "accumulated_delta_var"));
  }
}

void Adadelta::update_step(const Tensor& grad, Variable& var, double lr, int64_t slot_index) {
  const double wd = weight_decay_for(slot_index);
  const size_t k = size_t(slot_index);
  detail::dispatch_update(var.dtype(), wd, [&]<typename T, bool kDecay>() {
    const auto& o = options_;
    const AdadeltaScalars<T> s{T(lr), T(o.rho), T(1 - o.rho), T(o.epsilon), detail::keras_cast<T>(wd)};
    T* w = detail::data_of<T>(var);
    T* ag = detail::data_of<T>(*accumulated_grads_[k]);
    T* ad = detail::data_of<T>(*accumulated_deltas_[k]);
    const T* g = grad.data<T>();
    detail::for_range(var.size(), [=](int64_t b, int64_t e) { adadelta_loop<T, kDecay>(w, g, ag, ad, b, e, s); });
  });
}

nlohmann::json Adadelta::get_config() const {
  nlohmann::json c = Optimizer::get_config();
  c["rho"] = options_.rho;
  c["epsilon"] = options_.epsilon;
  return c;
}

std::shared_ptr<Adadelta> Adadelta::from_config(const nlohmann::json& config) {
  detail::ConfigReader r(config, "Adadelta config");
  AdadeltaOptions o;
  detail::apply_common(detail::read_common_options(r, 0.001), o);
  o.rho = r.number("rho", 0.95);
  o.epsilon = r.number("epsilon", 1e-7);
  r.finish();
  return std::make_shared<Adadelta>(std::move(o));
}

}  // namespace nabla::optimizers
