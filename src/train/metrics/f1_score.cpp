// F1Score (keras/src/metrics/f_score_metrics.py, FBetaScore with beta = 1).
#include <cmath>

#include <nlohmann/json.hpp>

#include "nabla/train/metrics.h"
#include "train/metrics/metric_util.h"

namespace nabla::metrics {

using namespace metric_detail;

namespace {
constexpr double kEps = 1e-7;  // backend.epsilon()
}

F1Score::F1Score(Options o) : Metric(o.name), options_(std::move(o)) {
  const auto& a = options_.average;
  NB_CHECK(!a || *a == "micro" || *a == "macro" || *a == "weighted", InvalidArgument,
           "F1Score: average must be \"micro\", \"macro\", \"weighted\" or none, got \"", *a, "\"");
  const auto& t = options_.threshold;
  NB_CHECK(!t || (*t > 0.0 && *t <= 1.0), InvalidArgument, "F1Score: threshold must verify 0 < threshold <= 1, got ",
           *t);
}

void F1Score::update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight) {
  const Tensor yt = cpu_contiguous(y_true, name(), "y_true");
  const Tensor yp = cpu_contiguous(y_pred, name(), "y_pred");
  NB_CHECK(yt.rank() == 2 && yp.rank() == 2 && yt.shape() == yp.shape(), InvalidArgument, name(),
           ": expects y_true and y_pred of the same shape (batch_size, output_dim), got ", yt.shape().str(), " and ",
           yp.shape().str());
  const int64_t rows = yp.dim(0), cols = yp.dim(1);
  NB_CHECK(classes_ < 0 || classes_ == cols, InvalidArgument, name(), ": expected ", classes_,
           " classes (from earlier updates), got ", cols);
  std::vector<float> w;
  if (sample_weight.defined()) {
    const Tensor sw = cpu_contiguous(sample_weight, name(), "sample_weight");
    NB_CHECK(sw.shape() == Shape{rows}, InvalidArgument, name(), ": sample_weight must have shape ",
             Shape{rows}.str(), " (one weight per row), got ", sw.shape().str());
    w = read_as<float>(sw);
  }
  if (classes_ < 0) {
    classes_ = cols;
    const size_t n = options_.average == "micro" ? 1 : size_t(cols);
    for (auto* v : {&tp_, &fp_, &fn_, &weights_}) v->assign(n, 0.0);
  }
  const std::vector<float> t = read_as<float>(yt), p = read_as<float>(yp);
  const bool micro = options_.average == "micro";
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = p.data() + r * cols;
    float max = -INFINITY;
    if (!options_.threshold)
      for (int64_t c = 0; c < cols; ++c) max = std::max(max, row[c]);
    const double wr = w.empty() ? 1.0 : double(w[size_t(r)]);
    for (int64_t c = 0; c < cols; ++c) {
      // Without a threshold the row maxima are positive (unless ~0, so that
      // an all-zero row predicts nothing).
      const bool pos = options_.threshold ? row[c] > float(*options_.threshold)
                                          : row[c] >= max && std::abs(row[c]) > 1e-9f;
      const double pr = pos ? 1.0 : 0.0, tr = double(t[size_t(r * cols + c)]);
      const size_t k = micro ? 0 : size_t(c);
      tp_[k] += pr * tr * wr;
      fp_[k] += pr * (1.0 - tr) * wr;
      fn_[k] += (1.0 - pr) * tr * wr;
      weights_[k] += tr * wr;
    }
  }
}

std::vector<double> F1Score::result_values() const {
  if (classes_ < 0) return options_.average ? std::vector<double>{0.0} : std::vector<double>{};
  const size_t n = tp_.size();
  std::vector<double> f1(n);
  for (size_t i = 0; i < n; ++i) {
    const double precision = tp_[i] / (tp_[i] + fp_[i] + kEps);
    const double recall = tp_[i] / (tp_[i] + fn_[i] + kEps);
    f1[i] = 2.0 * precision * recall / (precision + recall + kEps);
  }
  if (!options_.average) return f1;
  double s = 0;
  if (*options_.average == "weighted") {
    double total = 0;
    for (double x : weights_) total += x;
    for (size_t i = 0; i < n; ++i) s += f1[i] * weights_[i] / (total + kEps);
    return {s};
  }
  for (double x : f1) s += x;
  return {s / double(n)};
}

double F1Score::result() const {
  NB_CHECK(options_.average.has_value(), FailedPrecondition, name(),
           ": without average the result has one value per class; use result_values()");
  return result_values().at(0);
}

void F1Score::reset_state() {
  for (auto* v : {&tp_, &fp_, &fn_, &weights_}) std::fill(v->begin(), v->end(), 0.0);
}

nlohmann::json F1Score::get_config() const {
  nlohmann::json c = Metric::get_config();
  c["average"] = options_.average ? nlohmann::json(*options_.average) : nlohmann::json(nullptr);
  c["threshold"] = options_.threshold ? nlohmann::json(*options_.threshold) : nlohmann::json(nullptr);
  return c;
}

std::unique_ptr<Metric> F1Score::clone() const {
  Options o = options_;
  o.name = name();
  return std::make_unique<F1Score>(o);  // unbuilt: the class count comes from its first update
}

}  // namespace nabla::metrics
