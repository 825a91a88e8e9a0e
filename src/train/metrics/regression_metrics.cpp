// Regression metrics (keras/src/metrics/regression_metrics.py):
// MeanSquaredError, MeanAbsoluteError, RootMeanSquaredError, R2Score.
#include <cmath>

#include <nlohmann/json.hpp>

#include "nabla/train/metrics.h"
#include "train/metrics/metric_util.h"
#include "train/rank_match.h"

namespace nabla::metrics {

using namespace metric_detail;

#define NB_METRIC_CLONE(CLS)                     \
  std::unique_ptr<Metric> CLS::clone() const {   \
    auto m = std::make_unique<CLS>(*this);       \
    m->reset_state();                            \
    return m;                                    \
  }

namespace {

enum class ErrorKind { Squared, Absolute };

// Element-wise errors of y_pred against y_true (Keras's rank matching, then
// NumPy broadcasting), in double, written to `out`; returns their shape.
Shape elementwise_errors(const Tensor& y_true, const Tensor& y_pred, ErrorKind kind, const std::string& metric,
                         std::vector<double>& out) {
  const Tensor yt = cpu_contiguous(y_true, metric, "y_true");
  const Tensor yp = cpu_contiguous(y_pred, metric, "y_pred");
  Shape ts = yt.shape(), ps = yp.shape();
  train_detail::match_ranks(ts, ps);
  const std::vector<double> t = read_as<double>(yt), p = read_as<double>(yp);
  auto err = [kind](double a, double b) { return kind == ErrorKind::Squared ? (b - a) * (b - a) : std::abs(b - a); };
  if (ts == ps) {
    out.resize(t.size());
    for (size_t i = 0; i < t.size(); ++i) out[i] = err(t[i], p[i]);
    return ps;
  }
  const Shape shape = broadcast_shape(ts, ps, metric);
  const std::vector<int64_t> it = broadcast_index(ts, shape, metric, "y_true");
  const std::vector<int64_t> ip = broadcast_index(ps, shape, metric, "y_pred");
  out.resize(it.size());
  for (size_t i = 0; i < it.size(); ++i) out[i] = err(t[size_t(it[i])], p[size_t(ip[i])]);
  return shape;
}

// keras.losses.mean_squared_error / mean_absolute_error: the mean over the last axis.
Shape per_sample_errors(const Tensor& y_true, const Tensor& y_pred, ErrorKind kind, const std::string& metric,
                        std::vector<double>& out) {
  Shape shape = elementwise_errors(y_true, y_pred, kind, metric, out);
  NB_CHECK(shape.rank() >= 1, InvalidArgument, metric, ": y_true and y_pred must have rank >= 1, got scalars");
  mean_trailing(out, shape, shape.rank() - 1);
  return shape;
}

}  // namespace

MeanSquaredError::MeanSquaredError(Options o) : MeanMetric(std::move(o.name)) {}
void MeanSquaredError::update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight) {
  const Shape s = per_sample_errors(y_true, y_pred, ErrorKind::Squared, name(), scratch_);
  accumulate(scratch_, s, sample_weight);
}
NB_METRIC_CLONE(MeanSquaredError)

MeanAbsoluteError::MeanAbsoluteError(Options o) : MeanMetric(std::move(o.name)) {}
void MeanAbsoluteError::update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight) {
  const Shape s = per_sample_errors(y_true, y_pred, ErrorKind::Absolute, name(), scratch_);
  accumulate(scratch_, s, sample_weight);
}
NB_METRIC_CLONE(MeanAbsoluteError)

RootMeanSquaredError::RootMeanSquaredError(Options o) : MeanMetric(std::move(o.name)) {}
void RootMeanSquaredError::update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight) {
  const Shape s = elementwise_errors(y_true, y_pred, ErrorKind::Squared, name(), scratch_);
  accumulate(scratch_, s, sample_weight);
}
double RootMeanSquaredError::result() const { return std::sqrt(MeanMetric::result()); }
NB_METRIC_CLONE(RootMeanSquaredError)

// ---- R2Score ------------------------------------------------------------------------------

R2Score::R2Score(Options o) : Metric(o.name), options_(std::move(o)) {
  const auto& agg = options_.class_aggregation;
  NB_CHECK(!agg || *agg == "uniform_average" || *agg == "variance_weighted_average", InvalidArgument,
           "R2Score: class_aggregation must be \"uniform_average\", \"variance_weighted_average\" or none, got \"",
           *agg, "\"");
  NB_CHECK(options_.num_regressors >= 0, InvalidArgument, "R2Score: num_regressors must be >= 0, got ",
           options_.num_regressors);
}

void R2Score::update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight) {
  const Tensor yt = cpu_contiguous(y_true, name(), "y_true");
  const Tensor yp = cpu_contiguous(y_pred, name(), "y_pred");
  Shape ts = yt.shape(), ps = yp.shape();
  train_detail::match_ranks(ts, ps);
  NB_CHECK(ts.rank() == 2 && ps.rank() == 2 && ts == ps, InvalidArgument, name(),
           ": expects y_true and y_pred of the same shape (batch_size, output_dim), got ", yt.shape().str(), " and ",
           yp.shape().str());
  const int64_t rows = ts[0], cols = ts[1];
  NB_CHECK(columns_ < 0 || columns_ == cols, InvalidArgument, name(), ": expected ", columns_,
           " output columns (from earlier updates), got ", cols);
  std::vector<double> w(size_t(rows * cols), 1.0);
  if (sample_weight.defined()) {
    const Tensor sw = cpu_contiguous(sample_weight, name(), "sample_weight");
    Shape ws = sw.shape();
    if (ws.rank() == 1) ws.push_back(1);  // a per-row weight gets a features axis
    const std::vector<double> wv = read_as<double>(sw);
    const std::vector<int64_t> idx = broadcast_index(ws, ts, name(), "sample_weight");
    for (size_t i = 0; i < idx.size(); ++i) w[i] = wv[size_t(idx[i])];
  }
  if (columns_ < 0) {
    columns_ = cols;
    sum_.assign(size_t(cols), 0.0);
    squared_sum_.assign(size_t(cols), 0.0);
    total_mse_.assign(size_t(cols), 0.0);
    count_.assign(size_t(cols), 0.0);
  }
  const std::vector<double> t = read_as<double>(yt), p = read_as<double>(yp);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) {
      const size_t i = size_t(r * cols + c);
      const double wt = t[i] * w[i];
      sum_[size_t(c)] += wt;
      squared_sum_[size_t(c)] += t[i] * wt;
      total_mse_[size_t(c)] += (t[i] - p[i]) * (t[i] - p[i]) * w[i];
      count_[size_t(c)] += w[i];
    }
  num_samples_ += double(rows * cols);  // Keras counts elements, not rows
}

std::vector<double> R2Score::result_values() const {
  if (columns_ < 0) return options_.class_aggregation ? std::vector<double>{NAN} : std::vector<double>{};
  const size_t n = size_t(columns_);
  std::vector<double> raw(n), total(n);
  for (size_t c = 0; c < n; ++c) {
    const double mean = sum_[c] / count_[c];
    total[c] = squared_sum_[c] - sum_[c] * mean;
    raw[c] = 1.0 - total_mse_[c] / total[c];
    if (std::isinf(raw[c])) raw[c] = 0.0;
  }
  std::vector<double> r2;
  if (!options_.class_aggregation) {
    r2 = raw;
  } else if (*options_.class_aggregation == "uniform_average") {
    double s = 0;
    for (double x : raw) s += x;
    r2 = {s / double(n)};
  } else {
    double ws = 0, tw = 0;
    for (size_t c = 0; c < n; ++c) {
      ws += total[c] * raw[c];
      tw += total[c];
    }
    r2 = {ws / tw};
  }
  const double p = double(options_.num_regressors), samples = num_samples_;
  // Adjusted R^2; Keras falls back to the plain score (with a warning) when
  // there are too few samples.
  if (p != 0 && p < samples - 1)
    for (double& x : r2) x = 1.0 - (1.0 - x) * (samples - 1.0) / (samples - p - 1.0);
  return r2;
}

double R2Score::result() const {
  NB_CHECK(options_.class_aggregation.has_value(), FailedPrecondition, name(),
           ": without class_aggregation the result has one value per output; use result_values()");
  return result_values().at(0);
}

void R2Score::reset_state() {
  for (auto* v : {&sum_, &squared_sum_, &total_mse_, &count_}) std::fill(v->begin(), v->end(), 0.0);
  num_samples_ = 0;
}

nlohmann::json R2Score::get_config() const {
  nlohmann::json c = Metric::get_config();
  c["class_aggregation"] =
      options_.class_aggregation ? nlohmann::json(*options_.class_aggregation) : nlohmann::json(nullptr);
  c["num_regressors"] = options_.num_regressors;
  return c;
}

std::unique_ptr<Metric> R2Score::clone() const {
  Options o = options_;
  o.name = name();
  return std::make_unique<R2Score>(o);  // unbuilt: the column count comes from its first update
}

}  // namespace nabla::metrics
