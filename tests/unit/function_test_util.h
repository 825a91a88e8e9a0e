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

}  // namespace nabla::testing
