// Loss: the base of Keras-style loss objects (keras.losses.Loss, Keras 3.15
// semantics). A loss computes per-sample values with call(), then
// operator() weights them by sample_weight and reduces them.
#pragma once
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "nabla/core/tensor.h"

namespace nabla::losses {

// How per-sample loss values are reduced (Keras "reduction" argument).
enum class Reduction {
  SumOverBatchSize,      // "sum_over_batch_size" (default): sum / number of loss values
  Sum,                   // "sum"
  Mean,                  // "mean": as SumOverBatchSize
  None,                  // "none" (Keras also accepts None): no reduction
  MeanWithSampleWeight,  // "mean_with_sample_weight": sum / sum(sample_weight)
};

// Keras spelling of a reduction ("sum_over_batch_size", ...).
std::string reduction_name(Reduction r);
// Parses a Keras reduction name ("none" for None); throws InvalidArgument
// listing the accepted names otherwise.
Reduction reduction_from_name(const std::string& name);

class Loss {
 public:
  virtual ~Loss() = default;

  // Per-sample loss values, unreduced and unweighted: shape of y_pred without
  // its last (class/feature) axis, as Keras's loss functions return. y_pred
  // must be floating point; y_true is converted to y_pred's dtype (integer
  // and bool labels are accepted; a float y_true of another float dtype is an
  // InvalidArgument, as nabla never promotes implicitly). Throws
  // InvalidArgument naming both shapes when they do not fit together.
  virtual Tensor call(const Tensor& y_true, const Tensor& y_pred) const = 0;

  // Keras Loss.__call__: call(), then sample_weight (an undefined tensor
  // means weight 1; otherwise any numeric dtype, matched to the loss values
  // with Keras's squeeze/expand-by-one-axis rule and NumPy broadcasting), then
  // the reduction (a divide-no-NaN: an empty batch gives 0). Returns a scalar
  // of y_pred's dtype unless reduction() is None. Differentiable by
  // GradientTape with respect to y_pred (and sample_weight).
  Tensor operator()(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight = Tensor()) const;

  // The instance name ("sparse_categorical_crossentropy", ...).
  const std::string& name() const { return name_; }
  Reduction reduction() const { return reduction_; }
  // The Keras class name ("SparseCategoricalCrossentropy").
  virtual std::string class_name() const = 0;
  // Keras-style config: {"name": ..., "reduction": ...} plus the options of
  // the concrete loss.
  virtual nlohmann::json get_config() const;

 protected:
  Loss(std::string name, Reduction reduction) : name_(std::move(name)), reduction_(reduction) {}
  // call() plus an optional mask of valid values (shape of the result, bool)
  // that the reduction honours as Keras does for masked losses (used by
  // SparseCategoricalCrossentropy's ignore_class). Default: call(), no mask.
  virtual Tensor call_masked(const Tensor& y_true, const Tensor& y_pred, Tensor& mask) const;

 private:
  std::string name_;
  Reduction reduction_;
};

}  // namespace nabla::losses
