// Optimizer: the base of the gradient-descent optimisers (keras.optimizers.Optimizer).
//
//   nb::optimizers::Adam opt({.learning_rate = 1e-3});
//   std::vector<nb::Variable*> vars = {&w, &b};
//   nb::GradientTape tape;
//   auto loss = ...;
//   opt.apply_gradients(tape.gradient(loss, vars), vars);
//
// One apply_gradients() call follows Keras 3 (base_optimizer.py) step by step:
// undefined gradients are dropped; the remaining ones are clipped (clipnorm per
// variable, or global_clipnorm over all of them, or clipvalue element-wise; at
// most one of the three may be set); with weight_decay set, every variable not
// excluded gets var -= var * weight_decay * lr; then the optimiser's update rule
// runs; finally iterations() goes up by one. The learning rate of a step is the
// constant, or the schedule evaluated at iterations() before the increment.
//
// Slot variables (momentums, accumulators ...) are created on the first
// apply_gradients() for the variables passed then (Keras's build); later calls
// may pass any subset of those variables, in any order.
//
// Variables must be float32 or float64 CPU tensors. The update of each
// variable is one pass over its data, in place, in the variable's precision,
// with Keras's operation order; per-step scalars (bias corrections ...) are
// computed once per step in that precision, as Keras does, so float32 results
// match Keras to a few ulps. For float64 variables nabla reproduces one Keras
// detail: hyper-parameters that Keras passes through ops.cast (SGD's momentum,
// the betas inside the bias corrections of Adam/Adamax/Nadam, Nadam's 0.96,
// weight_decay, Adagrad/Ftrl's initial accumulator) are rounded to float32
// first. Learning rates and schedules are kept in double (Keras: float32).
#pragma once
#include <concepts>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "nabla/core/tensor.h"
#include "nabla/core/variable.h"
#include "nabla/train/learning_rate_schedule.h"

namespace nabla::optimizers {

// A learning rate: a constant or a schedule of the step counter.
class LearningRate {
 public:
  // A constant rate. Any number converts (0.01, 0.01f, 1).
  template <typename T>
    requires(std::is_arithmetic_v<T> && !std::is_same_v<T, bool>)
  LearningRate(T value) : value_(double(value)) {}  // NOLINT: implicit by design
  // A schedule, copied into shared ownership: .learning_rate = schedules::CosineDecay({...}).
  template <std::derived_from<schedules::LearningRateSchedule> S>
  LearningRate(S schedule) : schedule_(std::make_shared<S>(std::move(schedule))) {}  // NOLINT
  // A shared schedule; throws InvalidArgument if null.
  LearningRate(std::shared_ptr<schedules::LearningRateSchedule> schedule);  // NOLINT

  bool is_schedule() const { return schedule_ != nullptr; }
  // The rate at `step`: the constant, or the schedule's value.
  double at(int64_t step) const { return schedule_ ? (*schedule_)(step) : value_; }
  // The schedule (null for a constant).
  const std::shared_ptr<schedules::LearningRateSchedule>& schedule() const { return schedule_; }

 private:
  double value_ = 0.0;
  std::shared_ptr<schedules::LearningRateSchedule> schedule_;
};

// The options every optimiser shares (Keras's BaseOptimizer arguments). The
// per-optimiser options structs (AdamOptions ...) repeat these fields so that
// designated initialisers work; their constructors pass them on here.
struct OptimizerOptions {
  LearningRate learning_rate = 0.001;
  // Keras 3 weight decay: var -= var * weight_decay * lr before each update (unset: none).
  std::optional<double> weight_decay = std::nullopt;
  // Clip each variable's gradient to this L2 norm (ignored unless > 0).
  std::optional<double> clipnorm = std::nullopt;
  // Clip each gradient element to [-clipvalue, clipvalue] (ignored unless > 0).
  std::optional<double> clipvalue = std::nullopt;
  // Scale all gradients so that their global L2 norm is at most this (ignored unless > 0).
  std::optional<double> global_clipnorm = std::nullopt;
  // Empty: the class name in snake case ("adam", "rm_sprop"), as Keras names it.
  std::string name = {};
};

class Optimizer {
 public:
  virtual ~Optimizer();
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;
  // Movable, so `compile({.optimizer = nb::optimizers::Adam(...)})` can take a temporary
  // (slots live in a deque, whose elements keep their addresses when moved).
  Optimizer(Optimizer&&) = default;
  Optimizer& operator=(Optimizer&&) = default;

  // Applies one update: vars[i] -= f(grads[i]). Requires grads.size() == vars.size()
  // and non-null variables. Undefined gradients are skipped (as Keras drops None
  // gradients); InvalidArgument if every gradient is undefined. Each defined gradient
  // must have its variable's shape and dtype, and the variable must be a float32 or
  // float64 CPU tensor known to this optimiser (InvalidArgument naming the variable
  // otherwise; nothing is modified then). Increments iterations() once. Empty lists:
  // does nothing (iterations() unchanged), as Keras.
  void apply_gradients(const std::vector<Tensor>& grads, const std::vector<Variable*>& vars);
  // Computes loss_fn() under a GradientTape, then apply_gradients with the gradients
  // of the loss (its sum, if not a scalar) with respect to vars. Returns the loss.
  Tensor minimize(const std::function<Tensor()>& loss_fn, const std::vector<Variable*>& vars);

  // Creates the slot variables for `vars` unless already built (Keras optimizer.build);
  // apply_gradients() calls it on first use. Checkpoint loading calls it before restoring
  // variables(). Throws InvalidArgument for a null variable.
  void ensure_built(const std::vector<Variable*>& vars);
  bool built() const { return built_; }

  // Number of apply_gradients() calls that updated something (Keras optimizer.iterations).
  int64_t iterations() const { return iterations_; }
  // For checkpoints; throws InvalidArgument if negative.
  void set_iterations(int64_t iterations);
  // The current learning rate: the constant, or the schedule at iterations().
  double learning_rate() const { return learning_rate_.at(iterations_); }
  // Replaces a constant learning rate (ReduceLROnPlateau); throws InvalidArgument if
  // the optimiser was created with a schedule.
  void set_learning_rate(double lr);
  bool has_schedule() const { return learning_rate_.is_schedule(); }
  const LearningRate& learning_rate_option() const { return learning_rate_; }
  const std::string& name() const { return name_; }

  // Excludes variables from weight decay (Keras exclude_from_weight_decay): those in
  // `vars`, and those whose name contains a match of one of the regular expressions
  // in `name_patterns` (e.g. {"bias"}). FailedPrecondition once built; InvalidArgument
  // for a malformed pattern.
  void exclude_from_weight_decay(const std::vector<Variable*>& vars,
                                 const std::vector<std::string>& name_patterns = {});

  // "Adam", "SGD", ... (the Keras class name).
  virtual std::string class_name() const = 0;
  // The Keras config dict: name, learning_rate (a number, or a serialized schedule),
  // weight_decay, clipnorm, global_clipnorm, clipvalue, Keras's EMA / loss-scale /
  // gradient-accumulation keys at their defaults, then the optimiser's own arguments.
  virtual nlohmann::json get_config() const;

  // Slot variables in a stable order (Keras's order of optimizer.variables, without
  // iteration and learning_rate), named "<variable name>/<slot>" ("dense/kernel/momentum").
  // Empty until built. The pointers stay valid for the optimiser's lifetime.
  std::vector<std::pair<std::string, Variable*>> variables();

 protected:
  Optimizer(const OptimizerOptions& options, std::string default_name);

  // Creates the optimiser's slots for the variables (called once, in order). The default
  // creates none. Overrides call add_slot, in Keras's order.
  virtual void build(const std::vector<Variable*>& vars);
  // Called once per apply_gradients, after clipping, before the update steps (Nadam).
  virtual void before_update_steps() {}
  // Updates `var` (float32 or float64, contiguous, CPU) from `grad` (same shape and
  // dtype, contiguous) with learning rate `lr`; slot_index is the variable's position
  // in the list the optimiser was built with. Must apply the weight decay factor
  // weight_decay_for(slot_index) first (fused into the same pass).
  virtual void update_step(const Tensor& grad, Variable& var, double lr, int64_t slot_index) = 0;

  // A new slot variable shaped like `var` (same dtype), filled with `init`, named
  // "<var name>/<slot>", non-trainable; listed by variables() in creation order.
  Variable& add_slot(const Variable& var, const std::string& slot, double init = 0.0);
  // A slot variable not tied to a model variable (Nadam's u_product).
  Variable& add_slot(const std::string& name, const Tensor& initial);
  // The weight decay to apply to the variable at slot_index this step (0: none).
  double weight_decay_for(int64_t slot_index) const {
    return weight_decay_ && use_weight_decay_[size_t(slot_index)] ? *weight_decay_ : 0.0;
  }

 private:
  // apply_gradients without telling a graph recorder.
  void apply_gradients_now(const std::vector<Tensor>& grads, const std::vector<Variable*>& vars);
  int64_t slot_index_of(const Variable& var, size_t position) const;
  void clip_gradients(std::vector<Tensor>& grads) const;

  LearningRate learning_rate_;
  std::optional<double> weight_decay_, clipnorm_, clipvalue_, global_clipnorm_;
  std::string name_;
  int64_t iterations_ = 0;
  bool built_ = false;
  std::vector<uint64_t> built_ids_;                  // variable ids in build order
  std::unordered_map<uint64_t, int64_t> slot_of_id_;  // variable id -> slot index
  std::vector<char> use_weight_decay_;               // per slot index
  std::vector<uint64_t> excluded_ids_;
  std::vector<std::string> excluded_patterns_;
  std::deque<std::pair<std::string, Variable>> slots_;  // deque: stable addresses
};

}  // namespace nabla::optimizers
