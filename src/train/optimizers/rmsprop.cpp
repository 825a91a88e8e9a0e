// RMSprop (keras/src/optimizers/rmsprop.py): plain, momentum, centered.
#include <cmath>

#include <nlohmann/json.hpp>

#include "nabla/train/optimizers.h"
#include "train/optimizers/config_reader.h"
#include "train/optimizers/update_util.h"

namespace nabla::optimizers {

namespace {

template <typename T> struct RMSpropScalars {
  T lr, rho, one_minus_rho, epsilon, momentum, weight_decay;
};

// One pass over [begin, end). mom is used only with kMomentum, avg only with kCentered.
template <typename T, bool kDecay, bool kCentered, bool kMomentum>
void rmsprop_loop(T* __restrict w, const T* __restrict g, T* __restrict vel, T* __restrict mom,
                  T* __restrict avg, int64_t begin, int64_t end, const RMSpropScalars<T>& s) {
  const T lr = s.lr, rho = s.rho, one_minus_rho = s.one_minus_rho, eps = s.epsilon, mu = s.momentum,
          wd = s.weight_decay;
  for (int64_t i = begin; i < end; ++i) {
    const T gi = g[i];
    const T v = rho * vel[i] + one_minus_rho * (gi * gi);
    vel[i] = v;
    T denom;
    if constexpr (kCentered) {
      const T a = rho * avg[i] + one_minus_rho * gi;
      avg[i] = a;
      denom = v - a * a + eps;
    } else {
      denom = v + eps;
    }
    const T inc = (lr * gi) / std::sqrt(denom);
    const T wi = detail::decayed<T, kDecay>(w[i], wd, lr);
    if constexpr (kMomentum) {
      const T m = mu * mom[i] + inc;
      mom[i] = m;
      w[i] = wi - m;
    } else {
      w[i] = wi - inc;
    }
  }
}

template <typename T, bool kDecay>
void rmsprop_update(T* w, const T* g, T* vel, T* mom, T* avg, int64_t begin, int64_t end, const RMSpropScalars<T>& s) {
  if (avg) {
    if (mom) rmsprop_loop<T, kDecay, true, true>(w, g, vel, mom, avg, begin, end, s);
    else rmsprop_loop<T, kDecay, true, false>(w, g, vel, mom, avg, begin, end, s);
  } else {
    if (mom) rmsprop_loop<T, kDecay, false, true>(w, g, vel, mom, avg, begin, end, s);
    else rmsprop_loop<T, kDecay, false, false>(w, g, vel, mom, avg, begin, end, s);
  }
}

}  // namespace

RMSprop::RMSprop(RMSpropOptions options)
    : Optimizer(detail::common_options(options), "rm_sprop"), options_(std::move(options)) {}

void RMSprop::build(const std::vector<Variable*>& vars) {
  for (Variable* v : vars) velocities_.push_back(&add_slot(*v, "velocity"));
  if (options_.momentum > 0)
    for (Variable* v : vars) momentums_.push_back(&add_slot(*v, "momentum"));
  if (options_.centered)
    for (Variable* v : vars) average_gradients_.push_back(&add_slot(*v, "average_gradient"));
}

void RMSprop::update_step(const Tensor& grad, Variable& var, double lr, int64_t slot_index) {
  const double wd = weight_decay_for(slot_index);
  const size_t k = size_t(slot_index);
  detail::dispatch_update(var.dtype(), wd, [&]<typename T, bool kDecay>() {
    const auto& o = options_;
    const RMSpropScalars<T> s{T(lr),         T(o.rho),      T(1 - o.rho), T(o.epsilon),
                              T(o.momentum), detail::keras_cast<T>(wd)};
    T* w = detail::data_of<T>(var);
    T* vel = detail::data_of<T>(*velocities_[k]);
    T* mom = momentums_.empty() ? nullptr : detail::data_of<T>(*momentums_[k]);
    T* avg = average_gradients_.empty() ? nullptr : detail::data_of<T>(*average_gradients_[k]);
    const T* g = grad.data<T>();
    detail::for_range(var.size(),
                      [=](int64_t b, int64_t e) { rmsprop_update<T, kDecay>(w, g, vel, mom, avg, b, e, s); });
  });
}

nlohmann::json RMSprop::get_config() const {
  nlohmann::json c = Optimizer::get_config();
  c["rho"] = options_.rho;
  c["momentum"] = options_.momentum;
  c["epsilon"] = options_.epsilon;
  c["centered"] = options_.centered;
  return c;
}

std::shared_ptr<RMSprop> RMSprop::from_config(const nlohmann::json& config) {
  detail::ConfigReader r(config, "RMSprop config");
  RMSpropOptions o;
  detail::apply_common(detail::read_common_options(r, 0.001), o);
  o.rho = r.number("rho", 0.9);
  o.momentum = r.number("momentum", 0.0);
  o.epsilon = r.number("epsilon", 1e-7);
  o.centered = r.boolean("centered", false);
  r.finish();
  return std::make_shared<RMSprop>(std::move(o));
}

}  // namespace nabla::optimizers
