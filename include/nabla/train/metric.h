// Metric: the base of stateful Keras-style metrics (keras.metrics.Metric,
// Keras 3.15 semantics). update_state() accumulates statistics of a batch,
// result() reads the value so far, reset_state() starts over.
//
// Metrics keep their state in double-precision C++ fields (Keras uses
// float32 variables) and compute updates with direct loops over the tensors'
// CPU data: updating a metric runs no op and records nothing on a tape.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "nabla/core/tensor.h"

namespace nabla::metrics {

class Metric {
 public:
  virtual ~Metric() = default;

  // Accumulates the statistics of one batch. sample_weight: undefined means
  // weight 1; otherwise it broadcasts against the per-sample values as in
  // Keras. Throws InvalidArgument for shapes or dtypes that do not fit (the
  // state is then unchanged) and Unimplemented for tensors not on the CPU.
  virtual void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight = Tensor()) = 0;
  // The metric's value so far (0 before any update for most metrics, as
  // Keras's divide_no_nan). Metrics with several values (Precision with a
  // list of thresholds, F1Score without averaging, R2Score without
  // aggregation) throw FailedPrecondition: use result_values().
  virtual double result() const = 0;
  // All values of the result, in order (one element for scalar metrics).
  virtual std::vector<double> result_values() const { return {result()}; }
  // Forgets every accumulated statistic; the configuration is kept.
  virtual void reset_state() = 0;

  // The name shown in logs ("accuracy", "sparse_categorical_accuracy", ...).
  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }
  // The Keras class name ("SparseCategoricalAccuracy").
  virtual std::string class_name() const = 0;
  // Keras-style config: {"name": ..., "dtype": "float32"} plus the options.
  virtual nlohmann::json get_config() const;
  // A metric of the same class and configuration with a fresh (reset) state.
  virtual std::unique_ptr<Metric> clone() const = 0;

 protected:
  explicit Metric(std::string name) : name_(std::move(name)) {}
  Metric(const Metric&) = default;
  Metric& operator=(const Metric&) = default;

 private:
  std::string name_;
};

}  // namespace nabla::metrics
