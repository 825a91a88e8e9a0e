// Concrete Keras metrics (Keras 3.15 semantics), lookup by name and from a
// config.
//
//   auto acc = nb::metrics::SparseCategoricalAccuracy();
//   acc.update_state(labels, logits);       // per batch
//   double a = acc.result();                // so far
//
// Labels of classification metrics may have any integer dtype or be floats;
// predictions are floating point (other dtypes are converted). As in Keras,
// y_true and y_pred whose ranks differ by one are matched by squeezing a
// trailing axis of size 1 (or adding one to a rank-1 tensor).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "nabla/core/shape.h"
#include "nabla/core/tensor.h"
#include "nabla/train/metric.h"

namespace nabla::metrics {

// A metric whose result is the weighted mean of per-sample values
// (Keras's Mean and MeanMetricWrapper): total / count, 0 when count is 0.
class MeanMetric : public Metric {
 public:
  double result() const override { return count_ == 0.0 ? 0.0 : total_ / count_; }
  void reset_state() override { total_ = count_ = 0.0; }
  // The accumulated weighted sum and weight.
  double total() const { return total_; }
  double count() const { return count_; }

 protected:
  using Metric::Metric;
  // Keras's reduce_to_samplewise_values + Mean.update_state for per-sample
  // `values` of shape `shape`: values are averaged down to the weight's rank,
  // multiplied by the (broadcast) weight, averaged over all but the first
  // axis, then total += sum(values) and count += sum(weights) (or += the
  // number of rows without weights; 1 for a scalar). Throws InvalidArgument
  // when the weight does not broadcast.
  void accumulate(std::vector<double>& values, Shape shape, const Tensor& sample_weight);
  void add(double total, double count) {
    total_ += total;
    count_ += count;
  }
  std::vector<double> scratch_;  // per-sample values of the weighted paths, reused

 private:
  double total_ = 0.0;
  double count_ = 0.0;
};

// ---- Mean (the loss tracker) ---------------------------------------------------------

struct MeanOptions {
  std::string name = "mean";
};

// keras.metrics.Mean: the weighted mean of the values given to update_state.
class Mean : public MeanMetric {
 public:
  using Options = MeanOptions;
  explicit Mean(Options options = {});
  // Adds values (any shape and numeric dtype) with optional weights.
  void update_state(const Tensor& values, const Tensor& sample_weight = Tensor());
  // Adds one value with a weight (no tensor involved).
  void update_state(double value, double sample_weight = 1.0) { add(value * sample_weight, sample_weight); }
  // Mean has no (y_true, y_pred) form: throws InvalidArgument pointing to
  // update_state(values, sample_weight).
  void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight) override;
  std::string class_name() const override { return "Mean"; }
  std::unique_ptr<Metric> clone() const override;
};

// ---- accuracies ----------------------------------------------------------------------

struct AccuracyOptions {
  std::string name = "accuracy";
};
// Fraction of elements with y_true == y_pred (after y_true is converted to y_pred's dtype).
class Accuracy : public MeanMetric {
 public:
  using Options = AccuracyOptions;
  explicit Accuracy(Options options = {});
  void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight = Tensor()) override;
  std::string class_name() const override { return "Accuracy"; }
  std::unique_ptr<Metric> clone() const override;
};

struct BinaryAccuracyOptions {
  double threshold = 0.5;  // y_pred > threshold counts as 1
  std::string name = "binary_accuracy";
};
// Fraction of elements with y_true == (y_pred > threshold).
class BinaryAccuracy : public MeanMetric {
 public:
  using Options = BinaryAccuracyOptions;
  explicit BinaryAccuracy(Options options = {});
  void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight = Tensor()) override;
  std::string class_name() const override { return "BinaryAccuracy"; }
  nlohmann::json get_config() const override;
  std::unique_ptr<Metric> clone() const override;
  double threshold() const { return threshold_; }

 private:
  double threshold_;
};

struct CategoricalAccuracyOptions {
  std::string name = "categorical_accuracy";
};
// Fraction of rows with argmax(y_true) == argmax(y_pred) over the last axis
// (first maximum on ties). y_true and y_pred must have the same shape.
class CategoricalAccuracy : public MeanMetric {
 public:
  using Options = CategoricalAccuracyOptions;
  explicit CategoricalAccuracy(Options options = {});
  void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight = Tensor()) override;
  std::string class_name() const override { return "CategoricalAccuracy"; }
  std::unique_ptr<Metric> clone() const override;
};

struct SparseCategoricalAccuracyOptions {
  std::string name = "sparse_categorical_accuracy";
};
// Fraction of rows with y_true == argmax(y_pred, -1). y_true has shape
// y_pred.shape[:-1] (or with a trailing 1) and any integer or float dtype.
class SparseCategoricalAccuracy : public MeanMetric {
 public:
  using Options = SparseCategoricalAccuracyOptions;
  explicit SparseCategoricalAccuracy(Options options = {});
  void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight = Tensor()) override;
  std::string class_name() const override { return "SparseCategoricalAccuracy"; }
  std::unique_ptr<Metric> clone() const override;
};

struct TopKCategoricalAccuracyOptions {
  int64_t k = 5;
  std::string name = "top_k_categorical_accuracy";
};
// Fraction of rows whose argmax(y_true) is among the k largest y_pred
// (tf.math.in_top_k: ties at the boundary count as inside; a row with a
// non-finite prediction counts as a miss).
class TopKCategoricalAccuracy : public MeanMetric {
 public:
  using Options = TopKCategoricalAccuracyOptions;
  // Throws InvalidArgument unless k >= 1.
  explicit TopKCategoricalAccuracy(Options options = {});
  void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight = Tensor()) override;
  std::string class_name() const override { return "TopKCategoricalAccuracy"; }
  nlohmann::json get_config() const override;
  std::unique_ptr<Metric> clone() const override;
  int64_t k() const { return k_; }

 private:
  int64_t k_;
};

struct SparseTopKCategoricalAccuracyOptions {
  int64_t k = 5;
  std::string name = "sparse_top_k_categorical_accuracy";
};
// As TopKCategoricalAccuracy with integer labels (converted to int32 as
// Keras does; out-of-range labels count as misses).
class SparseTopKCategoricalAccuracy : public MeanMetric {
 public:
  using Options = SparseTopKCategoricalAccuracyOptions;
  // Throws InvalidArgument unless k >= 1.
  explicit SparseTopKCategoricalAccuracy(Options options = {});
  void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight = Tensor()) override;
  std::string class_name() const override { return "SparseTopKCategoricalAccuracy"; }
  nlohmann::json get_config() const override;
  std::unique_ptr<Metric> clone() const override;
  int64_t k() const { return k_; }

 private:
  int64_t k_;
};

// ---- regression ----------------------------------------------------------------------

struct MeanSquaredErrorOptions {
  std::string name = "mean_squared_error";
};
// Mean of keras.losses.mean_squared_error's per-sample values.
class MeanSquaredError : public MeanMetric {
 public:
  using Options = MeanSquaredErrorOptions;
  explicit MeanSquaredError(Options options = {});
  void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight = Tensor()) override;
  std::string class_name() const override { return "MeanSquaredError"; }
  std::unique_ptr<Metric> clone() const override;
};

struct MeanAbsoluteErrorOptions {
  std::string name = "mean_absolute_error";
};
// Mean of keras.losses.mean_absolute_error's per-sample values.
class MeanAbsoluteError : public MeanMetric {
 public:
  using Options = MeanAbsoluteErrorOptions;
  explicit MeanAbsoluteError(Options options = {});
  void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight = Tensor()) override;
  std::string class_name() const override { return "MeanAbsoluteError"; }
  std::unique_ptr<Metric> clone() const override;
};

struct RootMeanSquaredErrorOptions {
  std::string name = "root_mean_squared_error";
};
// sqrt of the weighted mean of the squared errors.
class RootMeanSquaredError : public MeanMetric {
 public:
  using Options = RootMeanSquaredErrorOptions;
  explicit RootMeanSquaredError(Options options = {});
  void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight = Tensor()) override;
  double result() const override;
  std::string class_name() const override { return "RootMeanSquaredError"; }
  std::unique_ptr<Metric> clone() const override;
};

struct R2ScoreOptions {
  // "uniform_average", "variance_weighted_average", or nullopt: one score per
  // output column (read with result_values()).
  std::optional<std::string> class_aggregation = "uniform_average";
  int64_t num_regressors = 0;  // > 0: adjusted R^2
  std::string name = "r2_score";
};
// Coefficient of determination over (batch, outputs) data, as keras.metrics.R2Score.
class R2Score : public Metric {
 public:
  using Options = R2ScoreOptions;
  // Throws InvalidArgument for an unknown class_aggregation or num_regressors < 0.
  explicit R2Score(Options options = {});
  // y_true and y_pred of rank 2 (after Keras's rank matching), fixed number of columns.
  void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight = Tensor()) override;
  double result() const override;
  std::vector<double> result_values() const override;
  void reset_state() override;
  std::string class_name() const override { return "R2Score"; }
  nlohmann::json get_config() const override;
  std::unique_ptr<Metric> clone() const override;

 private:
  Options options_;
  int64_t columns_ = -1;  // set by the first update
  std::vector<double> sum_, squared_sum_, total_mse_, count_;
  double num_samples_ = 0;
};

// ---- confusion-matrix metrics --------------------------------------------------------

struct PrecisionOptions {
  // Decision thresholds in [0, 1] (y_pred > t is positive); empty: 0.5, or
  // "above -1e10" when top_k is set.
  std::vector<double> thresholds = {};
  // Only the top_k largest predictions of each row can be positive.
  std::optional<int64_t> top_k = std::nullopt;
  // Only column class_id of (batch, classes) inputs is considered.
  std::optional<int64_t> class_id = std::nullopt;
  std::string name = "precision";
};
// true_positives / (true_positives + false_positives), per threshold.
class Precision : public Metric {
 public:
  using Options = PrecisionOptions;
  // Throws InvalidArgument for thresholds outside [0, 1] or top_k < 1.
  explicit Precision(Options options = {});
  void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight = Tensor()) override;
  double result() const override;
  std::vector<double> result_values() const override;
  void reset_state() override;
  std::string class_name() const override { return "Precision"; }
  nlohmann::json get_config() const override;
  std::unique_ptr<Metric> clone() const override;

 private:
  Options options_;
  std::vector<float> thresholds_;
  bool evenly_ = false;
  std::vector<double> tp_, fp_;
};

struct RecallOptions {
  std::vector<double> thresholds = {};  // as PrecisionOptions
  std::optional<int64_t> top_k = std::nullopt;
  std::optional<int64_t> class_id = std::nullopt;
  std::string name = "recall";
};
// true_positives / (true_positives + false_negatives), per threshold.
class Recall : public Metric {
 public:
  using Options = RecallOptions;
  // Throws InvalidArgument for thresholds outside [0, 1] or top_k < 1.
  explicit Recall(Options options = {});
  void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight = Tensor()) override;
  double result() const override;
  std::vector<double> result_values() const override;
  void reset_state() override;
  std::string class_name() const override { return "Recall"; }
  nlohmann::json get_config() const override;
  std::unique_ptr<Metric> clone() const override;

 private:
  Options options_;
  std::vector<float> thresholds_;
  bool evenly_ = false;
  std::vector<double> tp_, fn_;
};

struct F1ScoreOptions {
  // "micro", "macro", "weighted", or nullopt: one score per class (read
  // with result_values()).
  std::optional<std::string> average = std::nullopt;
  // y_pred > threshold is positive; nullopt: the row maxima (if not ~0).
  std::optional<double> threshold = std::nullopt;
  std::string name = "f1_score";
};
// keras.metrics.F1Score over (batch, classes) inputs.
class F1Score : public Metric {
 public:
  using Options = F1ScoreOptions;
  // Throws InvalidArgument for an unknown average or threshold outside (0, 1].
  explicit F1Score(Options options = {});
  void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight = Tensor()) override;
  double result() const override;
  std::vector<double> result_values() const override;
  void reset_state() override;
  std::string class_name() const override { return "F1Score"; }
  nlohmann::json get_config() const override;
  std::unique_ptr<Metric> clone() const override;

 private:
  Options options_;
  int64_t classes_ = -1;  // set by the first update
  std::vector<double> tp_, fp_, fn_, weights_;
};

struct AUCOptions {
  int64_t num_thresholds = 200;  // > 1; ignored when `thresholds` is given
  std::string curve = "ROC";     // "ROC", "PR" or "PRGAIN"
  std::string summation_method = "interpolation";  // or "minoring", "majoring"
  // Explicit thresholds in [0, 1] (Keras adds -1e-7 and 1 + 1e-7 around them).
  std::vector<double> thresholds = {};
  bool multi_label = false;  // one curve per column of (batch, labels) data, averaged
  std::optional<int64_t> num_labels = std::nullopt;  // checked against the data when set
  std::vector<double> label_weights = {};  // per label (empty: equal weights)
  bool from_logits = false;  // apply a sigmoid to y_pred first
  std::string name = "auc";
};
// Area under the ROC or precision-recall curve, approximated with a
// Riemann sum over thresholds (keras.metrics.AUC).
class AUC : public Metric {
 public:
  using Options = AUCOptions;
  // Throws InvalidArgument for bad options (num_thresholds <= 1, unknown
  // curve or summation method, thresholds outside [0, 1]).
  explicit AUC(Options options = {});
  void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight = Tensor()) override;
  double result() const override;
  void reset_state() override;
  std::string class_name() const override { return "AUC"; }
  nlohmann::json get_config() const override;
  std::unique_ptr<Metric> clone() const override;

 private:
  double label_result(int64_t label) const;
  Options options_;
  int curve_ = 0, summation_ = 0;
  int64_t num_thresholds_ = 0;
  std::vector<float> thresholds_;
  bool evenly_ = false;
  int64_t labels_ = -1;  // columns in multi-label mode, set by the first update
  std::vector<double> tp_, fp_, tn_, fn_;  // [threshold][label]
};

// ---- lookup --------------------------------------------------------------------------

// A metric by Keras name, resolved as Keras 3's compile() does
// (compile_utils.get_metric). "accuracy" and "acc" (any case) become
// BinaryAccuracy when y_pred's last dimension is 1, SparseCategoricalAccuracy
// when y_true has a lower rank than y_pred or a last dimension of 1 while
// y_pred's is > 1, and CategoricalAccuracy otherwise. Other names: "mse",
// "mae", "rmse", "mean", "binary_accuracy", "categorical_accuracy",
// "sparse_categorical_accuracy", "top_k_categorical_accuracy",
// "sparse_top_k_categorical_accuracy", "precision", "recall", "f1_score",
// "auc", "mean_squared_error", "mean_absolute_error",
// "root_mean_squared_error", "r2_score", and the class names. The metric is
// named after the given string. Throws InvalidArgument listing the names otherwise.
std::unique_ptr<Metric> get(const std::string& name, const Shape& y_true_shape, const Shape& y_pred_shape);
// A metric from {"class_name": ..., "config": {...}} as written by
// get_config (Keras's serialize format). Throws InvalidArgument for an
// unknown class, an unknown config key or a value of the wrong type.
std::unique_ptr<Metric> from_config(const nlohmann::json& config);
// {"class_name": metric.class_name(), "config": metric.get_config()}.
nlohmann::json serialize(const Metric& metric);

}  // namespace nabla::metrics
