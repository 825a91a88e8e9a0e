// Adam (keras/src/optimizers/adam.py), with AMSGrad.
#include <cmath>

#include <nlohmann/json.hpp>

#include "nabla/train/optimizers.h"
#include "train/optimizers/config_reader.h"
#include "train/optimizers/update_util.h"

namespace nabla::optimizers {

namespace {

template <typename T> struct AdamScalars {
  T alpha;  // lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
  T lr, one_minus_beta_1, one_minus_beta_2, epsilon, weight_decay;
};

// One pass over [begin, end); vhat is used only with kAmsgrad.
template <typename T, bool kDecay, bool kAmsgrad>
void adam_loop(T* __restrict w, const T* __restrict g, T* __restrict m, T* __restrict v, T* __restrict vhat,
               int64_t begin, int64_t end, const AdamScalars<T>& s) {
  const T alpha = s.alpha, lr = s.lr, c1 = s.one_minus_beta_1, c2 = s.one_minus_beta_2, eps = s.epsilon,
          wd = s.weight_decay;
  for (int64_t i = begin; i < end; ++i) {
    const T gi = g[i];
    const T mi = m[i] + (gi - m[i]) * c1;
    T vi = v[i] + (gi * gi - v[i]) * c2;
    m[i] = mi;
    v[i] = vi;
    if constexpr (kAmsgrad) {
      vi = std::max(vhat[i], vi);
      vhat[i] = vi;
    }
    w[i] = detail::decayed<T, kDecay>(w[i], wd, lr) - (mi * alpha) / (std::sqrt(vi) + eps);
  }
}

}  // namespace

Adam::Adam(AdamOptions options) : Adam(options, "adam") {}

Adam::Adam(const AdamOptions& options, std::string default_name)
    : Optimizer(detail::common_options(options), std::move(default_name)), options_(options) {}

void Adam::build(const std::vector<Variable*>& vars) {
  for (Variable* v : vars) {
    momentums_.push_back(&add_slot(*v, "momentum"));
    velocities_.push_back(&add_slot(*v, "velocity"));
  }
  if (options_.amsgrad)
    for (Variable* v : vars) velocity_hats_.push_back(&add_slot(*v, "velocity_hat"));
}

void Adam::update_step(const Tensor& grad, Variable& var, double lr, int64_t slot_index) {
  const size_t k = size_t(slot_index);
  const double wd = weight_decay_for(slot_index);
  detail::dispatch_update(var.dtype(), wd, [&]<typename T, bool kDecay>() {
    // The bias-corrected rate, once per step, in T as Keras computes it.
    const auto& o = options_;
    const T t = T(iterations() + 1), lr_t = T(lr);
    const T beta_1_power = std::pow(detail::keras_cast<T>(o.beta_1), t);
    const T beta_2_power = std::pow(detail::keras_cast<T>(o.beta_2), t);
    const AdamScalars<T> s{lr_t * std::sqrt(T(1) - beta_2_power) / (T(1) - beta_1_power),
                           lr_t,
                           T(1 - o.beta_1),
                           T(1 - o.beta_2),
                           T(o.epsilon),
                           detail::keras_cast<T>(wd)};
    T* w = detail::data_of<T>(var);
    T* m = detail::data_of<T>(*momentums_[k]);
    T* v = detail::data_of<T>(*velocities_[k]);
    T* vhat = velocity_hats_.empty() ? nullptr : detail::data_of<T>(*velocity_hats_[k]);
    const T* g = grad.data<T>();
    detail::for_range(var.size(), [=](int64_t b, int64_t e) {
      if (vhat) adam_loop<T, kDecay, true>(w, g, m, v, vhat, b, e, s);
      else adam_loop<T, kDecay, false>(w, g, m, v, vhat, b, e, s);
    });
  });
}

nlohmann::json Adam::get_config() const {
  nlohmann::json c = Optimizer::get_config();
  c["beta_1"] = options_.beta_1;
  c["beta_2"] = options_.beta_2;
  c["epsilon"] = options_.epsilon;
  c["amsgrad"] = options_.amsgrad;
  return c;
}

std::shared_ptr<Adam> Adam::from_config(const nlohmann::json& config) {
  detail::ConfigReader r(config, "Adam config");
  AdamOptions o;
  detail::apply_common(detail::read_common_options(r, 0.001), o);
  o.beta_1 = r.number("beta_1", 0.9);
  o.beta_2 = r.number("beta_2", 0.999);
  o.epsilon = r.number("epsilon", 1e-7);
  o.amsgrad = r.boolean("amsgrad", false);
  r.finish();
  return std::make_shared<Adam>(std::move(o));
}

}  // namespace nabla::optimizers
