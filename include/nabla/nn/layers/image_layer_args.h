// Argument types shared by the 2-D image layers: paddings/croppings given as
// Keras accepts them (an int, (h, w) or ((top, bottom), (left, right))), and
// the random-augmentation factors (a number f meaning [-|f|, |f|], or a
// (lower, upper) pair).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <utility>
#include <vector>

#include "nabla/core/error.h"

namespace nabla::layers {

// ((top, bottom), (left, right)); every entry must be >= 0 (checked by the
// layer that takes it, which names itself in the error).
struct Padding2DArg {
  int64_t top = 0, bottom = 0, left = 0, right = 0;
  Padding2DArg(int64_t all) : top(all), bottom(all), left(all), right(all) {}  // NOLINT: implicit by design
  // Symmetric: `h` rows above and below, `w` columns left and right.
  Padding2DArg(int64_t h, int64_t w) : top(h), bottom(h), left(w), right(w) {}
  Padding2DArg(std::pair<int64_t, int64_t> h, std::pair<int64_t, int64_t> w)
      : top(h.first), bottom(h.second), left(w.first), right(w.second) {}
  // {{top, bottom}, {left, right}}: exactly two pairs (InvalidArgument otherwise).
  static Padding2DArg from_pairs(std::initializer_list<std::pair<int64_t, int64_t>> hw) {
    NB_CHECK(hw.size() == 2, InvalidArgument,
             "expected two (before, after) pairs {{top, bottom}, {left, right}}, got ", hw.size());
    return Padding2DArg(*hw.begin(), *(hw.begin() + 1));
  }
  bool operator==(const Padding2DArg&) const = default;
};

// A random-augmentation factor as Keras takes it: one number f ([-|f|, |f|])
// or a pair (lower, upper) (sorted). The layer checks the range and keeps the
// given spelling for its config.
struct FactorArg {
  std::vector<double> values = {0.0};  // one or two numbers, as given
  FactorArg(double f) : values{f} {}  // NOLINT: implicit by design
  FactorArg(double lower, double upper) : values{lower, upper} {}
  // The [lower, upper] range this factor means.
  double lower() const { return values.size() == 1 ? -std::abs(values[0]) : std::min(values[0], values[1]); }
  double upper() const { return values.size() == 1 ? std::abs(values[0]) : std::max(values[0], values[1]); }
  bool operator==(const FactorArg&) const = default;
};

}  // namespace nabla::layers
