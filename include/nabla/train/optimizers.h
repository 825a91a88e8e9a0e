// The concrete optimisers (keras.optimizers.SGD, RMSprop, Adam, AdamW, Adagrad,
// Adadelta, Adamax, Nadam, Ftrl) and the lookup by name or config.
//
//   auto opt = nb::optimizers::Adam({.learning_rate = 1e-3});
//   nb::optimizers::SGD sgd({.learning_rate = nb::optimizers::schedules::ExponentialDecay(
//                               {.initial_learning_rate = 0.1, .decay_steps = 100, .decay_rate = 0.9}),
//                            .momentum = 0.9, .nesterov = true});
//
// Each options struct lists Keras's constructor arguments in Keras's order with
// Keras's defaults (designated initialisers must follow that order), then the
// options every optimiser shares (see OptimizerOptions in optimizer.h). Update
// rules are exactly Keras 3.15's update_step (the formula is quoted at each
// class). Invalid options throw InvalidArgument from the constructor, with
// Keras's checks: at most one of clipnorm / clipvalue / global_clipnorm.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "nabla/train/optimizer.h"

namespace nabla::optimizers {

// ---------------------------------------------------------------------------- SGD

struct SGDOptions {
  LearningRate learning_rate = 0.01;
  double momentum = 0.0;  // in [0, 1]
  bool nesterov = false;
  std::optional<double> weight_decay = std::nullopt;
  std::optional<double> clipnorm = std::nullopt;
  std::optional<double> clipvalue = std::nullopt;
  std::optional<double> global_clipnorm = std::nullopt;
  std::string name = {};
};

// Without momentum: w -= lr * g. With momentum: m = momentum * m - lr * g, then
// w += m, or with nesterov w += momentum * m - lr * g. Slots: momentum (when momentum != 0).
class SGD : public Optimizer {
 public:
  // Throws InvalidArgument unless 0 <= momentum <= 1.
  explicit SGD(SGDOptions options = {});
  std::string class_name() const override { return "SGD"; }
  nlohmann::json get_config() const override;
  // From the inner Keras config dict (keys as get_config writes them).
  static std::shared_ptr<SGD> from_config(const nlohmann::json& config);

 protected:
  void build(const std::vector<Variable*>& vars) override;
  void update_step(const Tensor& grad, Variable& var, double lr, int64_t slot_index) override;

 private:
  SGDOptions options_;
  std::vector<Variable*> momentums_;
};

// ---------------------------------------------------------------------------- RMSprop

struct RMSpropOptions {
  LearningRate learning_rate = 0.001;
  double rho = 0.9;
  double momentum = 0.0;
  double epsilon = 1e-7;
  bool centered = false;
  std::optional<double> weight_decay = std::nullopt;
  std::optional<double> clipnorm = std::nullopt;
  std::optional<double> clipvalue = std::nullopt;
  std::optional<double> global_clipnorm = std::nullopt;
  std::string name = {};
};

// v = rho * v + (1 - rho) * g^2; centered: a = rho * a + (1 - rho) * g and
// denom = v - a^2 + epsilon, else denom = v + epsilon; inc = lr * g / sqrt(denom);
// with momentum: m = momentum * m + inc, w -= m; else w -= inc.
// Slots: velocity (all variables), then momentum (momentum > 0), then average_gradient (centered).
class RMSprop : public Optimizer {
 public:
  explicit RMSprop(RMSpropOptions options = {});
  std::string class_name() const override { return "RMSprop"; }
  nlohmann::json get_config() const override;
  static std::shared_ptr<RMSprop> from_config(const nlohmann::json& config);

 protected:
  void build(const std::vector<Variable*>& vars) override;
  void update_step(const Tensor& grad, Variable& var, double lr, int64_t slot_index) override;

 private:
  RMSpropOptions options_;
  std::vector<Variable*> velocities_, momentums_, average_gradients_;
};

// ---------------------------------------------------------------------------- Adam

struct AdamOptions {
  LearningRate learning_rate = 0.001;
  double beta_1 = 0.9;
  double beta_2 = 0.999;
  double epsilon = 1e-7;
  bool amsgrad = false;
  std::optional<double> weight_decay = std::nullopt;
  std::optional<double> clipnorm = std::nullopt;
  std::optional<double> clipvalue = std::nullopt;
  std::optional<double> global_clipnorm = std::nullopt;
  std::string name = {};
};

// t = iterations + 1; alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t);
// m += (g - m) * (1 - beta_1); v += (g^2 - v) * (1 - beta_2);
// amsgrad: v_hat = max(v_hat, v), used in place of v; w -= m * alpha / (sqrt(v) + epsilon).
// Slots: momentum and velocity per variable (interleaved), then velocity_hat (amsgrad).
class Adam : public Optimizer {
 public:
  explicit Adam(AdamOptions options = {});
  std::string class_name() const override { return "Adam"; }
  nlohmann::json get_config() const override;
  static std::shared_ptr<Adam> from_config(const nlohmann::json& config);

 protected:
  Adam(const AdamOptions& options, std::string default_name);
  void build(const std::vector<Variable*>& vars) override;
  void update_step(const Tensor& grad, Variable& var, double lr, int64_t slot_index) override;

 private:
  AdamOptions options_;
  std::vector<Variable*> momentums_, velocities_, velocity_hats_;
};

// ---------------------------------------------------------------------------- AdamW

struct AdamWOptions {
  LearningRate learning_rate = 0.001;
  double weight_decay = 0.004;  // required (Keras raises for None)
  double beta_1 = 0.9;
  double beta_2 = 0.999;
  double epsilon = 1e-7;
  bool amsgrad = false;
  std::optional<double> clipnorm = std::nullopt;
  std::optional<double> clipvalue = std::nullopt;
  std::optional<double> global_clipnorm = std::nullopt;
  std::string name = {};
};

// Adam with decoupled weight decay (Keras 3: Adam with weight_decay set, default 0.004).
class AdamW : public Adam {
 public:
  explicit AdamW(AdamWOptions options = {});
  std::string class_name() const override { return "AdamW"; }
  static std::shared_ptr<AdamW> from_config(const nlohmann::json& config);
};

// ---------------------------------------------------------------------------- Adagrad

struct AdagradOptions {
  LearningRate learning_rate = 0.001;
  double initial_accumulator_value = 0.1;
  double epsilon = 1e-7;
  std::optional<double> weight_decay = std::nullopt;
  std::optional<double> clipnorm = std::nullopt;
  std::optional<double> clipvalue = std::nullopt;
  std::optional<double> global_clipnorm = std::nullopt;
  std::string name = {};
};

// acc += g^2; w -= lr * g / sqrt(acc + epsilon). Slots: accumulator (starts at
// initial_accumulator_value).
class Adagrad : public Optimizer {
 public:
  explicit Adagrad(AdagradOptions options = {});
  std::string class_name() const override { return "Adagrad"; }
  nlohmann::json get_config() const override;
  static std::shared_ptr<Adagrad> from_config(const nlohmann::json& config);

 protected:
  void build(const std::vector<Variable*>& vars) override;
  void update_step(const Tensor& grad, Variable& var, double lr, int64_t slot_index) override;

 private:
  AdagradOptions options_;
  std::vector<Variable*> accumulators_;
};

// ---------------------------------------------------------------------------- Adadelta

struct AdadeltaOptions {
  LearningRate learning_rate = 0.001;
  double rho = 0.95;
  double epsilon = 1e-7;
  std::optional<double> weight_decay = std::nullopt;
  std::optional<double> clipnorm = std::nullopt;
  std::optional<double> clipvalue = std::nullopt;
  std::optional<double> global_clipnorm = std::nullopt;
  std::string name = {};
};

// ag = rho * ag + (1 - rho) * g^2; d = -sqrt(ad + epsilon) * g / sqrt(ag + epsilon);
// ad = rho * ad + (1 - rho) * d^2; w += lr * d.
// Slots: accumulated_grad and accumulated_delta_var per variable (interleaved).
class Adadelta : public Optimizer {
 public:
  explicit Adadelta(AdadeltaOptions options = {});
  std::string class_name() const override { return "Adadelta"; }
  nlohmann::json get_config() const override;
  static std::shared_ptr<Adadelta> from_config(const nlohmann::json& config);

 protected:
  void build(const std::vector<Variable*>& vars) override;
  void update_step(const Tensor& grad, Variable& var, double lr, int64_t slot_index) override;

 private:
  AdadeltaOptions options_;
  std::vector<Variable*> accumulated_grads_, accumulated_deltas_;
};

// ---------------------------------------------------------------------------- Adamax

struct AdamaxOptions {
  LearningRate learning_rate = 0.001;
  double beta_1 = 0.9;
  double beta_2 = 0.999;
  double epsilon = 1e-7;
  std::optional<double> weight_decay = std::nullopt;
  std::optional<double> clipnorm = std::nullopt;
  std::optional<double> clipvalue = std::nullopt;
  std::optional<double> global_clipnorm = std::nullopt;
  std::string name = {};
};

// t = iterations + 1; m += (g - m) * (1 - beta_1); u = max(beta_2 * u, |g|);
// w -= lr * m / ((1 - beta_1^t) * (u + epsilon)). Slots: momentum and norm (interleaved).
class Adamax : public Optimizer {
 public:
  explicit Adamax(AdamaxOptions options = {});
  std::string class_name() const override { return "Adamax"; }
  nlohmann::json get_config() const override;
  static std::shared_ptr<Adamax> from_config(const nlohmann::json& config);

 protected:
  void build(const std::vector<Variable*>& vars) override;
  void update_step(const Tensor& grad, Variable& var, double lr, int64_t slot_index) override;

 private:
  AdamaxOptions options_;
  std::vector<Variable*> momentums_, norms_;
};

// ---------------------------------------------------------------------------- Nadam

struct NadamOptions {
  LearningRate learning_rate = 0.001;
  double beta_1 = 0.9;
  double beta_2 = 0.999;
  double epsilon = 1e-7;
  std::optional<double> weight_decay = std::nullopt;
  std::optional<double> clipnorm = std::nullopt;
  std::optional<double> clipvalue = std::nullopt;
  std::optional<double> global_clipnorm = std::nullopt;
  std::string name = {};
};

// Adam with Nesterov momentum and Dozat's momentum schedule: t = iterations + 1,
// u_t = beta_1 * (1 - 0.5 * 0.96^t), u_{t+1} likewise; once per step
// u_product *= u_t; m and v as Adam;
// m_hat = u_{t+1} * m / (1 - u_product * u_{t+1}) + (1 - u_t) * g / (1 - u_product);
// v_hat = v / (1 - beta_2^t); w -= m_hat * lr / (sqrt(v_hat) + epsilon).
// Slots: momentum and velocity (interleaved), then the scalar "u_product" (dtype of the
// first variable).
class Nadam : public Optimizer {
 public:
  explicit Nadam(NadamOptions options = {});
  std::string class_name() const override { return "Nadam"; }
  nlohmann::json get_config() const override;
  static std::shared_ptr<Nadam> from_config(const nlohmann::json& config);

 protected:
  void build(const std::vector<Variable*>& vars) override;
  void before_update_steps() override;
  void update_step(const Tensor& grad, Variable& var, double lr, int64_t slot_index) override;

 private:
  NadamOptions options_;
  std::vector<Variable*> momentums_, velocities_;
  Variable* u_product_ = nullptr;  // owned by the slot list
};

// ---------------------------------------------------------------------------- Ftrl

struct FtrlOptions {
  LearningRate learning_rate = 0.001;
  double learning_rate_power = -0.5;   // <= 0
  double initial_accumulator_value = 0.1;  // >= 0
  double l1_regularization_strength = 0.0;  // >= 0
  double l2_regularization_strength = 0.0;  // >= 0
  double l2_shrinkage_regularization_strength = 0.0;  // >= 0
  double beta = 0.0;
  std::optional<double> weight_decay = std::nullopt;
  std::optional<double> clipnorm = std::nullopt;
  std::optional<double> clipvalue = std::nullopt;
  std::optional<double> global_clipnorm = std::nullopt;
  std::string name = {};
};

// Follow The Regularized Leader (McMahan et al.), Keras's form with p = -learning_rate_power:
// l2 = l2_regularization_strength + beta / (2 lr); g' = g + 2 * l2_shrinkage * w;
// n' = n + g^2; z += g' - (n'^p - n^p) / lr * w;
// w = (clip(z, -l1, l1) - z) / (n'^p / lr + 2 l2); n = n'.
// Slots: accumulator (starts at initial_accumulator_value) and linear (interleaved).
class Ftrl : public Optimizer {
 public:
  // Throws InvalidArgument for a positive learning_rate_power or a negative
  // initial_accumulator_value / regularization strength.
  explicit Ftrl(FtrlOptions options = {});
  std::string class_name() const override { return "Ftrl"; }
  nlohmann::json get_config() const override;
  static std::shared_ptr<Ftrl> from_config(const nlohmann::json& config);

 protected:
  void build(const std::vector<Variable*>& vars) override;
  void update_step(const Tensor& grad, Variable& var, double lr, int64_t slot_index) override;

 private:
  FtrlOptions options_;
  std::vector<Variable*> accumulators_, linears_;
};

// ---------------------------------------------------------------------------- lookup

// A new optimiser with default options by Keras name ("sgd", "rmsprop", "adam", "adamw",
// "adagrad", "adadelta", "adamax", "nadam", "ftrl"; case-insensitive). Throws
// InvalidArgument listing the known names otherwise.
std::shared_ptr<Optimizer> get(const std::string& name);

// A new optimiser from {"class_name": "Adam", "config": {...}} (other keys ignored), as
// written by serialize() or keras.optimizers.serialize. Throws InvalidArgument for an
// unknown class name, an unknown or mistyped config key or an invalid value, and
// Unimplemented for Keras features nabla lacks when set (use_ema,
// ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps).
std::shared_ptr<Optimizer> from_config(const nlohmann::json& config);

// {"module": "keras.optimizers", "class_name": ..., "config": get_config(),
//  "registered_name": null}, as keras.optimizers.serialize.
nlohmann::json serialize(const Optimizer& optimizer);

}  // namespace nabla::optimizers
