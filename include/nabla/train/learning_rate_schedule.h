// Learning-rate schedules (keras.optimizers.schedules): functions of the
// optimiser's step counter (Optimizer::iterations()) that give the learning
// rate of that step. Pass one as an optimiser's learning rate:
//
//   nb::optimizers::SGD({.learning_rate = nb::optimizers::schedules::ExponentialDecay(
//                            {.initial_learning_rate = 0.1, .decay_steps = 1000, .decay_rate = 0.96})});
//
// Every formula is Keras 3's (keras/src/optimizers/schedules/learning_rate_schedule.py),
// evaluated in double precision (Keras evaluates in float32). Options mirror
// the Keras constructor arguments and defaults; invalid options throw
// InvalidArgument from the constructor.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace nabla::optimizers::schedules {

// Base of all schedules (keras.optimizers.schedules.LearningRateSchedule).
class LearningRateSchedule {
 public:
  virtual ~LearningRateSchedule() = default;
  // The learning rate at `step` (the optimiser's iterations() before the update, >= 0).
  virtual double operator()(int64_t step) const = 0;
  // The Keras class name ("ExponentialDecay", ...).
  virtual std::string class_name() const = 0;
  // The Keras config dict (the constructor arguments).
  virtual nlohmann::json get_config() const = 0;
};

// ---------------------------------------------------------------------------- ExponentialDecay

struct ExponentialDecayOptions {
  double initial_learning_rate = 0.0;
  double decay_steps = 0.0;  // must be > 0
  double decay_rate = 0.0;
  bool staircase = false;    // floor(step / decay_steps) instead of step / decay_steps
  std::string name = "ExponentialDecay";
};

// initial_learning_rate * decay_rate ^ (step / decay_steps).
class ExponentialDecay : public LearningRateSchedule {
 public:
  // Throws InvalidArgument unless decay_steps > 0.
  explicit ExponentialDecay(ExponentialDecayOptions options);
  double operator()(int64_t step) const override;
  std::string class_name() const override { return "ExponentialDecay"; }
  nlohmann::json get_config() const override;
  const ExponentialDecayOptions& options() const { return options_; }

 private:
  ExponentialDecayOptions options_;
};

// ---------------------------------------------------------------------------- PiecewiseConstantDecay

struct PiecewiseConstantDecayOptions {
  std::vector<int64_t> boundaries = {};  // at least one, increasing
  std::vector<double> values = {};       // boundaries.size() + 1 values
  std::string name = "PiecewiseConstant";
};

// values[0] while step <= boundaries[0], values[i] while boundaries[i-1] < step <= boundaries[i],
// values.back() after the last boundary (Keras sums the matching pieces).
class PiecewiseConstantDecay : public LearningRateSchedule {
 public:
  // Throws InvalidArgument unless values.size() == boundaries.size() + 1 >= 2.
  explicit PiecewiseConstantDecay(PiecewiseConstantDecayOptions options);
  double operator()(int64_t step) const override;
  std::string class_name() const override { return "PiecewiseConstantDecay"; }
  nlohmann::json get_config() const override;
  const PiecewiseConstantDecayOptions& options() const { return options_; }

 private:
  PiecewiseConstantDecayOptions options_;
};

// ---------------------------------------------------------------------------- CosineDecay

struct CosineDecayOptions {
  double initial_learning_rate = 0.0;
  double decay_steps = 0.0;  // must be > 0
  double alpha = 0.0;        // the final rate, as a fraction of the decayed-from rate
  // With a target: linear warm-up from initial_learning_rate to warmup_target over
  // warmup_steps, then cosine decay from warmup_target.
  std::optional<double> warmup_target = std::nullopt;
  double warmup_steps = 0.0;
  std::string name = "CosineDecay";
};

// Cosine decay with optional linear warm-up (SGDR without restarts).
class CosineDecay : public LearningRateSchedule {
 public:
  // Throws InvalidArgument unless decay_steps > 0 and warmup_steps >= 0.
  explicit CosineDecay(CosineDecayOptions options);
  double operator()(int64_t step) const override;
  std::string class_name() const override { return "CosineDecay"; }
  nlohmann::json get_config() const override;
  const CosineDecayOptions& options() const { return options_; }

 private:
  CosineDecayOptions options_;
};

// ---------------------------------------------------------------------------- InverseTimeDecay

struct InverseTimeDecayOptions {
  double initial_learning_rate = 0.0;
  double decay_steps = 0.0;  // must be > 0
  double decay_rate = 0.0;
  bool staircase = false;
  std::string name = "InverseTimeDecay";
};

// initial_learning_rate / (1 + decay_rate * step / decay_steps).
class InverseTimeDecay : public LearningRateSchedule {
 public:
  // Throws InvalidArgument unless decay_steps > 0.
  explicit InverseTimeDecay(InverseTimeDecayOptions options);
  double operator()(int64_t step) const override;
  std::string class_name() const override { return "InverseTimeDecay"; }
  nlohmann::json get_config() const override;
  const InverseTimeDecayOptions& options() const { return options_; }

 private:
  InverseTimeDecayOptions options_;
};

// ---------------------------------------------------------------------------- PolynomialDecay

struct PolynomialDecayOptions {
  double initial_learning_rate = 0.0;
  double decay_steps = 0.0;  // must be > 0
  double end_learning_rate = 0.0001;
  double power = 1.0;
  bool cycle = false;        // restart the decay every decay_steps (with a longer period)
  std::string name = "PolynomialDecay";
};

// (initial - end) * (1 - step / decay_steps) ^ power + end, step clamped to decay_steps.
class PolynomialDecay : public LearningRateSchedule {
 public:
  // Throws InvalidArgument unless decay_steps > 0.
  explicit PolynomialDecay(PolynomialDecayOptions options);
  double operator()(int64_t step) const override;
  std::string class_name() const override { return "PolynomialDecay"; }
  nlohmann::json get_config() const override;
  const PolynomialDecayOptions& options() const { return options_; }

 private:
  PolynomialDecayOptions options_;
};

// ---------------------------------------------------------------------------- CosineDecayRestarts

struct CosineDecayRestartsOptions {
  double initial_learning_rate = 0.0;
  double first_decay_steps = 0.0;  // must be > 0
  double t_mul = 2.0;              // each period is t_mul times longer than the previous one
  double m_mul = 1.0;              // each restart's initial rate is m_mul times the previous one
  double alpha = 0.0;
  std::string name = "SGDRDecay";
};

// Cosine decay with warm restarts (SGDR, Loshchilov & Hutter).
class CosineDecayRestarts : public LearningRateSchedule {
 public:
  // Throws InvalidArgument unless first_decay_steps > 0.
  explicit CosineDecayRestarts(CosineDecayRestartsOptions options);
  double operator()(int64_t step) const override;
  std::string class_name() const override { return "CosineDecayRestarts"; }
  nlohmann::json get_config() const override;
  const CosineDecayRestartsOptions& options() const { return options_; }

 private:
  CosineDecayRestartsOptions options_;
};

// ---------------------------------------------------------------------------- serialization

// Keras's serialized form: {"module": "keras.optimizers.schedules", "class_name": ...,
// "config": get_config(), "registered_name": null}.
nlohmann::json serialize(const LearningRateSchedule& schedule);

// Rebuilds a schedule from {"class_name": ..., "config": {...}} (other keys ignored), as
// written by serialize() or by Keras. Throws InvalidArgument for an unknown class name
// (listing the known ones), an unknown or mistyped config key, or invalid values.
std::shared_ptr<LearningRateSchedule> schedule_from_config(const nlohmann::json& config);

}  // namespace nabla::optimizers::schedules
