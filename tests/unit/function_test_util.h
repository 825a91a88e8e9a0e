// Helpers shared by the nb::function tests.
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "nabla/nabla.h"

namespace nabla::testing {

// Standard normal values from a generator seeded with `seed`.
inline Tensor randn(const Shape& s, uint64_t seed) {
  random::Generator g(seed);
  return random::normal(s, {}, g);
}

// Same shape, dtype and values, bit for bit (NaN matches NaN).
inline void expect_identical(const Tensor& a, const Tensor& b) {
  ASSERT_EQ(a.shape(), b.shape());
  ASSERT_EQ(a.dtype(), b.dtype());
  const std::vector<double> x = a.to_vector<double>(), y = b.to_vector<double>();
  for (size_t i = 0; i < x.size(); ++i) {
    const bool same = std::isnan(x[i]) ? std::isnan(y[i]) : x[i] == y[i];
    if (!same) {
      ADD_FAILURE() << "element " << i << " differs: " << x[i] << " vs " << y[i];
      return;
    }
  }
}

// The body of a train step of `m`: forward (training), loss, gradients, update.
template <typename Opt, typename Loss> auto train_step(Sequential& m, Opt& opt, Loss& loss) {
  return [&m, &opt, &loss](const Tensor& x, const Tensor& y) {
    std::vector<Variable*> vars = m.trainable_variables();
    GradientTape tape;
    Tensor l = loss(y, m(x, true));
    opt.apply_gradients(tape.gradient(l, vars), vars);
    return l;
  };
}

// Two models from `make`, built on a batch of one sample of `sample_shape`, the
// second with the first's weights.
template <typename Make> auto twin_models(Make&& make, Shape sample_shape) {
  auto m1 = make(), m2 = make();
  sample_shape.insert(sample_shape.begin(), 1);
  (*m1)(zeros(sample_shape), false);
  (*m2)(zeros(sample_shape), false);
  for (size_t i = 0; i < m1->variables().size(); ++i) m2->variables()[i]->assign(m1->variables()[i]->value());
  return std::pair{m1, m2};
}

}  // namespace nabla::testing
