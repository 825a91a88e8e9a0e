// SGD (keras/src/optimizers/sgd.py): plain, momentum and Nesterov momentum.
#include <nlohmann/json.hpp>

#include "nabla/train/optimizers.h"
#include "train/optimizers/config_reader.h"
#include "train/optimizers/update_util.h"

namespace nabla::optimizers {

namespace {

// Scalars in the variable's precision, as Keras computes them.
template <typename T> struct SGDScalars {
  T lr, momentum, weight_decay;
  bool nesterov;
};

// One pass over [begin, end): w (and m) in place. m is null without momentum.
template <typename T, bool kDecay>
void sgd_update(T* __restrict w, const T* __restrict g, T* __restrict m, int64_t begin, int64_t end,
                const SGDScalars<T>& s) {
  const T lr = s.lr, mu = s.momentum, wd = s.weight_decay;
  if (m == nullptr) {
    for (int64_t i = begin; i < end; ++i) w[i] = detail::decayed<T, kDecay>(w[i], wd, lr) - g[i] * lr;
  } else if (s.nesterov) {
    for (int64_t i = begin; i < end; ++i) {
      const T mi = m[i] * mu - g[i] * lr;
      m[i] = mi;
      w[i] = detail::decayed<T, kDecay>(w[i], wd, lr) + (mi * mu - g[i] * lr);
    }
  } else {
    for (int64_t i = begin; i < end; ++i) {
      const T mi = m[i] * mu - g[i] * lr;
      m[i] = mi;
      w[i] = detail::decayed<T, kDecay>(w[i], wd, lr) + mi;
    }
  }
}

}  // namespace

SGD::SGD(SGDOptions options) : Optimizer(detail::common_options(options), "sgd"), options_(std::move(options)) {
  NB_CHECK(options_.momentum >= 0 && options_.momentum <= 1, InvalidArgument,
           "SGD: `momentum` must be a float between [0, 1], got ", options_.momentum);
}

void SGD::build(const std::vector<Variable*>& vars) {
  if (options_.momentum == 0) return;
  for (Variable* v : vars) momentums_.push_back(&add_slot(*v, "momentum"));
}

void SGD::update_step(const Tensor& grad, Variable& var, double lr, int64_t slot_index) {
  const double wd = weight_decay_for(slot_index);
  Variable* m = momentums_.empty() ? nullptr : momentums_[size_t(slot_index)];
  detail::dispatch_update(var.dtype(), wd, [&]<typename T, bool kDecay>() {
    const SGDScalars<T> s{T(lr), detail::keras_cast<T>(options_.momentum), detail::keras_cast<T>(wd),
                          options_.nesterov};
    T* w = detail::data_of<T>(var);
    T* mp = m ? detail::data_of<T>(*m) : nullptr;
    const T* g = grad.data<T>();
    detail::for_range(var.size(), [=](int64_t b, int64_t e) { sgd_update<T, kDecay>(w, g, mp, b, e, s); });
  });
}

nlohmann::json SGD::get_config() const {
  nlohmann::json c = Optimizer::get_config();
  c["momentum"] = options_.momentum;
  c["nesterov"] = options_.nesterov;
  return c;
}

std::shared_ptr<SGD> SGD::from_config(const nlohmann::json& config) {
  detail::ConfigReader r(config, "SGD config");
  SGDOptions o;
  detail::apply_common(detail::read_common_options(r, 0.01), o);
  o.momentum = r.number("momentum", 0.0);
  o.nesterov = r.boolean("nesterov", false);
  r.finish();
  return std::make_shared<SGD>(std::move(o));
}

}  // namespace nabla::optimizers
