// Nadam (keras/src/optimizers/nadam.py): Adam with Nesterov momentum and Dozat's
// momentum cache (u_t, u_product).
#include <cmath>

#include <nlohmann/json.hpp>

#include "nabla/ops/creation.h"
#include "nabla/train/optimizers.h"
#include "train/optimizers/config_reader.h"
#include "train/optimizers/update_util.h"

namespace nabla::optimizers {

namespace {

// Scalars in T, as Keras computes them.
template <typename T> struct NadamScalars {
  T lr, one_minus_beta_1, one_minus_beta_2, epsilon, weight_decay;
  T u_t_1, one_minus_u_t;                                // u_t = beta_1 * (1 - 0.5 * 0.96^t)
  T one_minus_u_product_t, one_minus_u_product_t_1;      // u_product_t_1 = u_product * u_{t+1}
  T one_minus_beta_2_power;
};

template <typename T, bool kDecay>
void nadam_loop(T* __restrict w, const T* __restrict g, T* __restrict m, T* __restrict v, int64_t begin,
                int64_t end, const NadamScalars<T>& s) {
  const T lr = s.lr, c1 = s.one_minus_beta_1, c2 = s.one_minus_beta_2, eps = s.epsilon, wd = s.weight_decay,
          u_t_1 = s.u_t_1, one_minus_u_t = s.one_minus_u_t, d1 = s.one_minus_u_product_t_1,
          d2 = s.one_minus_u_product_t, d3 = s.one_minus_beta_2_power;
  for (int64_t i = begin; i < end; ++i) {
    const T gi = g[i];
    const T mi = m[i] + (gi - m[i]) * c1;
    const T vi = v[i] + (gi * gi - v[i]) * c2;
    m[i] = mi;
    v[i] = vi;
    const T m_hat = (u_t_1 * mi) / d1 + (one_minus_u_t * gi) / d2;
    const T v_hat = vi / d3;
    w[i] = detail::decayed<T, kDecay>(w[i], wd, lr) - (m_hat * lr) / (std::sqrt(v_hat) + eps);
  }
}

}  // namespace

Nadam::Nadam(NadamOptions options)
    : Optimizer(detail::common_options(options), "nadam"), options_(std::move(options)) {}

void Nadam::build(const std::vector<Variable*>& vars) {
  for (Variable* v : vars) {
    momentums_.push_back(&add_slot(*v, "momentum"));
    velocities_.push_back(&add_slot(*v, "velocity"));
  }
  // Keras keeps the product of the momentum caches in the first variable's dtype.
  const DType dtype = vars.empty() ? DType::float32 : vars.front()->dtype();
  u_product_ = &add_slot("u_product", fill(Shape{}, 1.0, dtype));
}

void Nadam::before_update_steps() {
  // Once per step: u_product *= beta_1 * (1 - 0.5 * 0.96^(iterations + 1)), in u_product's
  // dtype with Python-float constants (no float32 rounding for a float64 u_product).
  const double t = double(iterations() + 1);
  detail::dispatch_update(u_product_->dtype(), 0.0, [&]<typename T, bool>() {
    T* p = detail::data_of<T>(*u_product_);
    *p = (*p * T(options_.beta_1)) * (T(1) - T(0.5) * std::pow(T(0.96), T(t)));
  });
}

void Nadam::update_step(const Tensor& grad, Variable& var, double lr, int64_t slot_index) {
  const size_t k = size_t(slot_index);
  const double wd = weight_decay_for(slot_index);
  const double u_product = u_product_->value().item<double>();
  detail::dispatch_update(var.dtype(), wd, [&]<typename T, bool kDecay>() {
    // Keras computes these scalars in the variable's dtype, from ops.cast hyper-parameters.
    const T local_step = T(iterations() + 1), next_step = T(iterations() + 2);
    const T decay = detail::keras_cast<T>(0.96);
    const T b1 = detail::keras_cast<T>(options_.beta_1), b2 = detail::keras_cast<T>(options_.beta_2);
    const T u_t = b1 * (T(1) - T(0.5) * std::pow(decay, local_step));
    const T u_t_1 = b1 * (T(1) - T(0.5) * std::pow(decay, next_step));
    const T u_product_t = T(u_product);
    const T u_product_t_1 = u_product_t * u_t_1;
    const NadamScalars<T> s{T(lr),
                            T(1) - b1,
                            T(1) - b2,
                            T(options_.epsilon),
                            detail::keras_cast<T>(wd),
                            u_t_1,
                            T(1) - u_t,
                            T(1) - u_product_t,
                            T(1) - u_product_t_1,
                            T(1) - std::pow(b2, local_step)};
    T* w = detail::data_of<T>(var);
    T* m = detail::data_of<T>(*momentums_[k]);
    T* v = detail::data_of<T>(*velocities_[k]);
    const T* g = grad.data<T>();
    detail::for_range(var.size(), [=](int64_t b, int64_t e) { nadam_loop<T, kDecay>(w, g, m, v, b, e, s); });
  });
}

nlohmann::json Nadam::get_config() const {
  nlohmann::json c = Optimizer::get_config();
  c["beta_1"] = options_.beta_1;
  c["beta_2"] = options_.beta_2;
  c["epsilon"] = options_.epsilon;
  return c;
}

std::shared_ptr<Nadam> Nadam::from_config(const nlohmann::json& config) {
  detail::ConfigReader r(config, "Nadam config");
  NadamOptions o;
  detail::apply_common(detail::read_common_options(r, 0.001), o);
  o.beta_1 = r.number("beta_1", 0.9);
  o.beta_2 = r.number("beta_2", 0.999);
  o.epsilon = r.number("epsilon", 1e-7);
  r.finish();
  return std::make_shared<Nadam>(std::move(o));
}

}  // namespace nabla::optimizers
