// Weight regularisers (keras.regularizers): a scalar penalty added to the loss.
//
//   nb::regularizers::L2 reg({.l2 = 1e-4});
//   nb::Tensor penalty = reg(kernel);      // 1e-4 * sum(kernel^2), differentiable
//
// A penalty is a rank-0 tensor of the weight's dtype, built from registry ops so
// GradientTape differentiates it. The weight must be floating-point
// (InvalidArgument otherwise). Coefficients must be finite and >= 0
// (InvalidArgument on construction).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "nabla/core/tensor.h"

namespace nabla::regularizers {

// Base class of every regularizer.
class Regularizer {
 public:
  virtual ~Regularizer() = default;
  // The scalar penalty for the weight `w`.
  virtual Tensor operator()(const Tensor& w) const = 0;
  // Keras's class name, e.g. "L1L2".
  virtual std::string class_name() const = 0;
  // Keras's get_config() (same keys and values).
  virtual nlohmann::json get_config() const;
};

struct L1Options {
  double l1 = 0.01;
};
// l1 * sum(|w|).
class L1 : public Regularizer {
 public:
  explicit L1(L1Options options = {});
  Tensor operator()(const Tensor& w) const override;
  std::string class_name() const override { return "L1"; }
  nlohmann::json get_config() const override;
  double l1() const { return l1_; }

 private:
  double l1_;
};

struct L2Options {
  double l2 = 0.01;
};
// l2 * sum(w^2).
class L2 : public Regularizer {
 public:
  explicit L2(L2Options options = {});
  Tensor operator()(const Tensor& w) const override;
  std::string class_name() const override { return "L2"; }
  nlohmann::json get_config() const override;
  double l2() const { return l2_; }

 private:
  double l2_;
};

struct L1L2Options {
  double l1 = 0.0;
  double l2 = 0.0;
};
// l1 * sum(|w|) + l2 * sum(w^2); a zero coefficient skips its term, and with
// both zero the penalty is a constant 0 (not connected to w on the tape).
class L1L2 : public Regularizer {
 public:
  explicit L1L2(L1L2Options options = {});
  Tensor operator()(const Tensor& w) const override;
  std::string class_name() const override { return "L1L2"; }
  nlohmann::json get_config() const override;
  double l1() const { return l1_; }
  double l2() const { return l2_; }

 private:
  double l1_;
  double l2_;
};

struct OrthogonalRegularizerOptions {
  double factor = 0.01;
  std::string mode = "rows";  // "rows" or "columns" (InvalidArgument otherwise)
};
// Encourages orthogonal rows (or columns) of a rank-2 weight: with the rows
// (columns) L2-normalised as keras.ops.normalize does (x * min(rsqrt(sum x^2),
// 1e7)), factor * 0.5 * sum(|off-diagonal entries of their Gram matrix|) /
// (size * (size - 1) / 2), size = the number of rows (columns). Requires rank
// 2 and size >= 2 (InvalidArgument; Keras returns NaN for size 1).
class OrthogonalRegularizer : public Regularizer {
 public:
  explicit OrthogonalRegularizer(OrthogonalRegularizerOptions options = {});
  Tensor operator()(const Tensor& w) const override;
  std::string class_name() const override { return "OrthogonalRegularizer"; }
  nlohmann::json get_config() const override;
  const OrthogonalRegularizerOptions& options() const { return options_; }

 private:
  OrthogonalRegularizerOptions options_;
};

// A new regularizer with default options by Keras name: a class name ("L2"),
// its snake_case form ("l2", "l1l2", "orthogonal_regularizer") or "l1_l2".
// Throws InvalidArgument listing the names otherwise.
std::shared_ptr<Regularizer> get(const std::string& name);
// The names get() accepts, sorted.
std::vector<std::string> names();
// A regularizer from a Keras serialisation: {"class_name": ..., "config": {...}}
// (other keys ignored; a missing config means defaults) or a name as for get().
// Unknown classes or config keys and values of the wrong type raise InvalidArgument.
std::shared_ptr<Regularizer> from_config(const nlohmann::json& config);
// keras.regularizers.serialize: {"module": "keras.regularizers", "class_name",
// "config", "registered_name": null}; from_config(serialize(r)) recreates r.
nlohmann::json serialize(const Regularizer& regularizer);

}  // namespace nabla::regularizers
