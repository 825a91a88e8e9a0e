// Adamax (keras/src/optimizers/adamax.py).
#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "nabla/train/optimizers.h"
#include "train/optimizers/config_reader.h"
#include "train/optimizers/update_util.h"

namespace nabla::optimizers {

namespace {

template <typename T> struct AdamaxScalars {
  T lr, one_minus_beta_1, beta_2, epsilon, bias_correction, weight_decay;  // bias_correction = 1 - beta_1^t
};

template <typename T, bool kDecay>
void adamax_loop(T* __restrict w, const T* __restrict g, T* __restrict m, T* __restrict u, int64_t begin,
                 int64_t end, const AdamaxScalars<T>& s) {
  const T lr = s.lr, c1 = s.one_minus_beta_1, b2 = s.beta_2, eps = s.epsilon, corr = s.bias_correction,
          wd = s.weight_decay;
  for (int64_t i = begin; i < end; ++i) {
    const T gi = g[i];
    const T mi = m[i] + (gi - m[i]) * c1;
    m[i] = mi;
    const T ui = std::max(b2 * u[i], std::abs(gi));
    u[i] = ui;
    w[i] = detail::decayed<T, kDecay>(w[i], wd, lr) - (lr * mi) / (corr * (ui + eps));
  }
}

}  // namespace

Adamax::Adamax(AdamaxOptions options)
    : Optimizer(detail::common_options(options), "adamax"), options_(std::move(options)) {}

void Adamax::build(const std::vector<Variable*>& vars) {
  for (Variable* v : vars) {
    momentums_.push_back(&add_slot(*v, "momentum"));
    norms_.push_back(&add_slot(*v, "norm"));
  }
}

void Adamax::update_step(const Tensor& grad, Variable& var, double lr, int64_t slot_index) {
  const size_t k = size_t(slot_index);
  const double wd = weight_decay_for(slot_index);
  detail::dispatch_update(var.dtype(), wd, [&]<typename T, bool kDecay>() {
    const auto& o = options_;
    const T beta_1_power = std::pow(detail::keras_cast<T>(o.beta_1), T(iterations() + 1));
    const AdamaxScalars<T> s{T(lr),         T(1 - o.beta_1),         T(o.beta_2),
                             T(o.epsilon), T(1) - beta_1_power, detail::keras_cast<T>(wd)};
    T* w = detail::data_of<T>(var);
    T* m = detail::data_of<T>(*momentums_[k]);
    T* u = detail::data_of<T>(*norms_[k]);
    const T* g = grad.data<T>();
    detail::for_range(var.size(), [=](int64_t b, int64_t e) { adamax_loop<T, kDecay>(w, g, m, u, b, e, s); });
  });
}

nlohmann::json Adamax::get_config() const {
  nlohmann::json c = Optimizer::get_config();
  c["beta_1"] = options_.beta_1;
  c["beta_2"] = options_.beta_2;
  c["epsilon"] = options_.epsilon;
  return c;
}

std::shared_ptr<Adamax> Adamax::from_config(const nlohmann::json& config) {
  detail::ConfigReader r(config, "Adamax config");
  AdamaxOptions o;
  detail::apply_common(detail::read_common_options(r, 0.001), o);
  o.beta_1 = r.number("beta_1", 0.9);
  o.beta_2 = r.number("beta_2", 0.999);
  o.epsilon = r.number("epsilon", 1e-7);
  r.finish();
  return std::make_shared<Adamax>(std::move(o));
}

}  // namespace nabla::optimizers
