// Concrete Keras losses (Keras 3.15 semantics, TensorFlow back end) and their
// function forms, plus lookup by name and from a config.
//
//   auto loss = nb::losses::SparseCategoricalCrossentropy({.from_logits = true});
//   nb::Tensor value = loss(labels, logits);   // scalar, differentiable
//
// Probability inputs are clipped to [1e-7, 1 - 1e-7] (Keras's epsilon);
// from_logits paths are computed stably (log-softmax / softplus forms).
// All losses are differentiable by GradientTape with respect to y_pred.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "nabla/core/tensor.h"
#include "nabla/train/loss.h"

namespace nabla::losses {

// Keras's backend.epsilon(): the clipping bound of probabilities.
inline constexpr double kEpsilon = 1e-7;

// ---- function forms (keras.losses.mean_squared_error etc.) ----------------------
// Each returns per-sample values: y_pred's shape without its last axis.
// y_pred must be floating point; y_true is converted to its dtype.

// mean(square(y_true - y_pred), axis=-1), after Keras's squeeze/expand of a
// trailing size-1 axis when the ranks differ by one.
Tensor mean_squared_error(const Tensor& y_true, const Tensor& y_pred);
// mean(abs(y_true - y_pred), axis=-1).
Tensor mean_absolute_error(const Tensor& y_true, const Tensor& y_pred);
// mean over axis -1 of 0.5 e^2 where |e| <= delta, else delta |e| - 0.5 delta^2,
// e = y_pred - y_true.
Tensor huber(const Tensor& y_true, const Tensor& y_pred, double delta = 1.0);
// mean over `axis` of the element-wise binary crossentropy; labels smoothed
// towards 0.5 by label_smoothing. y_true and y_pred must have the same shape.
Tensor binary_crossentropy(const Tensor& y_true, const Tensor& y_pred, bool from_logits = false,
                           double label_smoothing = 0.0, int64_t axis = -1);
// -sum(y_true * log(p)) over `axis`, p = y_pred normalised to sum 1 and
// clipped (or log_softmax(y_pred) when from_logits); labels smoothed as
// y_true * (1 - s) + s / num_classes. y_true and y_pred must have the same shape.
Tensor categorical_crossentropy(const Tensor& y_true, const Tensor& y_pred, bool from_logits = false,
                                double label_smoothing = 0.0, int64_t axis = -1);
// Integer class labels (any integer dtype, or floats holding whole numbers)
// of shape y_pred.shape[:-1], or with a trailing axis of size 1. From logits
// this is the fused op SparseSoftmaxCrossEntropyWithLogits; from
// probabilities, the same op on log(clip(y_pred)). Only axis -1 (or the last
// axis by number) is supported, as in Keras's TensorFlow back end. Throws
// InvalidArgument for a label outside [0, num_classes).
Tensor sparse_categorical_crossentropy(const Tensor& y_true, const Tensor& y_pred, bool from_logits = false,
                                       int64_t axis = -1);
// sum(t * log(t / p), axis=-1) with t = clip(y_true, eps, 1), p = clip(y_pred, eps, 1).
Tensor kl_divergence(const Tensor& y_true, const Tensor& y_pred);

// ---- loss classes ------------------------------------------------------------------

// Options of MeanSquaredError (Keras's constructor arguments and defaults).
struct MeanSquaredErrorOptions {
  Reduction reduction = Reduction::SumOverBatchSize;
  std::string name = "mean_squared_error";
};

class MeanSquaredError : public Loss {
 public:
  using Options = MeanSquaredErrorOptions;
  explicit MeanSquaredError(Options options = {});
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
  std::string class_name() const override { return "MeanSquaredError"; }
};

// Options of MeanAbsoluteError (Keras's constructor arguments and defaults).
struct MeanAbsoluteErrorOptions {
  Reduction reduction = Reduction::SumOverBatchSize;
  std::string name = "mean_absolute_error";
};

class MeanAbsoluteError : public Loss {
 public:
  using Options = MeanAbsoluteErrorOptions;
  explicit MeanAbsoluteError(Options options = {});
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
  std::string class_name() const override { return "MeanAbsoluteError"; }
};

// Options of Huber (Keras's constructor arguments and defaults).
struct HuberOptions {
  double delta = 1.0;  // where the loss turns from quadratic to linear; > 0
  Reduction reduction = Reduction::SumOverBatchSize;
  std::string name = "huber_loss";
};

class Huber : public Loss {
 public:
  using Options = HuberOptions;
  // Throws InvalidArgument unless delta > 0.
  explicit Huber(Options options = {});
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
  std::string class_name() const override { return "Huber"; }
  // Keras's config plus "delta" (Keras 3.15 drops it; kept here so that
  // from_config restores the loss exactly).
  nlohmann::json get_config() const override;
  double delta() const { return delta_; }

 private:
  double delta_;
};

// Options of BinaryCrossentropy (Keras's constructor arguments and defaults).
struct BinaryCrossentropyOptions {
  bool from_logits = false;
  double label_smoothing = 0.0;  // in [0, 1]
  int64_t axis = -1;
  Reduction reduction = Reduction::SumOverBatchSize;
  std::string name = "binary_crossentropy";
};

class BinaryCrossentropy : public Loss {
 public:
  using Options = BinaryCrossentropyOptions;
  // Throws InvalidArgument unless 0 <= label_smoothing <= 1.
  explicit BinaryCrossentropy(Options options = {});
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
  std::string class_name() const override { return "BinaryCrossentropy"; }
  nlohmann::json get_config() const override;
  const Options& options() const { return options_; }

 private:
  Options options_;
};

// Options of CategoricalCrossentropy (Keras's constructor arguments and defaults).
struct CategoricalCrossentropyOptions {
  bool from_logits = false;
  double label_smoothing = 0.0;  // in [0, 1]
  int64_t axis = -1;
  Reduction reduction = Reduction::SumOverBatchSize;
  std::string name = "categorical_crossentropy";
};

class CategoricalCrossentropy : public Loss {
 public:
  using Options = CategoricalCrossentropyOptions;
  // Throws InvalidArgument unless 0 <= label_smoothing <= 1.
  explicit CategoricalCrossentropy(Options options = {});
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
  std::string class_name() const override { return "CategoricalCrossentropy"; }
  nlohmann::json get_config() const override;
  const Options& options() const { return options_; }

 private:
  Options options_;
};

// Options of SparseCategoricalCrossentropy (Keras's constructor arguments and defaults).
struct SparseCategoricalCrossentropyOptions {
  bool from_logits = false;
  // Labels equal to this class are ignored: their loss is 0 and they are
  // left out of the batch size used by SumOverBatchSize/Mean (Keras's mask).
  std::optional<int64_t> ignore_class = std::nullopt;
  int64_t axis = -1;  // only -1 is supported (Keras's TensorFlow back end)
  Reduction reduction = Reduction::SumOverBatchSize;
  std::string name = "sparse_categorical_crossentropy";
};

class SparseCategoricalCrossentropy : public Loss {
 public:
  using Options = SparseCategoricalCrossentropyOptions;
  // Throws InvalidArgument when axis is not -1.
  explicit SparseCategoricalCrossentropy(Options options = {});
  // Labels of shape (N...) or (N..., 1) and any integer dtype (or floats
  // holding whole numbers); y_pred of shape (N..., classes).
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
  std::string class_name() const override { return "SparseCategoricalCrossentropy"; }
  nlohmann::json get_config() const override;
  const Options& options() const { return options_; }

 protected:
  Tensor call_masked(const Tensor& y_true, const Tensor& y_pred, Tensor& mask) const override;

 private:
  Options options_;
};

// Options of KLDivergence (Keras's constructor arguments and defaults).
struct KLDivergenceOptions {
  Reduction reduction = Reduction::SumOverBatchSize;
  std::string name = "kl_divergence";
};

class KLDivergence : public Loss {
 public:
  using Options = KLDivergenceOptions;
  explicit KLDivergence(Options options = {});
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
  std::string class_name() const override { return "KLDivergence"; }
};

// ---- lookup ------------------------------------------------------------------------

// A loss with default options by Keras name: the function names and aliases
// "mse", "mean_squared_error", "mae", "mean_absolute_error", "huber",
// "binary_crossentropy", "bce", "categorical_crossentropy",
// "sparse_categorical_crossentropy", "kl_divergence", "kld" (the loss is then
// named after the given string, as Keras's compile() does) and the class
// names "MeanSquaredError", ... (default names). Throws InvalidArgument
// listing the accepted names otherwise.
std::shared_ptr<Loss> get(const std::string& name);
// A loss from {"class_name": ..., "config": {...}} as written by
// get_config (Keras's serialize format; other top-level keys are ignored).
// Throws InvalidArgument for an unknown class, an unknown config key or a
// value of the wrong type.
std::shared_ptr<Loss> from_config(const nlohmann::json& config);
// {"class_name": loss.class_name(), "config": loss.get_config()}.
nlohmann::json serialize(const Loss& loss);

}  // namespace nabla::losses
