// Accuracy metrics (keras/src/metrics/accuracy_metrics.py): per-sample
// matches computed by direct loops over the CPU data (argmax per row,
// compare), then MeanMetric's weighted mean. No op runs and no tensor is
// allocated on the common paths (contiguous float32/float64 predictions).
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

// Shape of y_pred without its last (class) axis.
Shape batch_shape(const Tensor& y_pred) { return Shape(y_pred.shape().begin(), y_pred.shape().end() - 1); }

// tf.math.in_top_k for one row: the target's prediction is finite and fewer
// than k predictions are strictly larger; a non-finite prediction anywhere
// in the row, or a target outside [0, n), gives false.
template <typename P> bool in_top_k(const P* row, int64_t n, int64_t target, int64_t k) {
  if (target < 0 || target >= n || !std::isfinite(row[target])) return false;
  const P t = row[target];
  int64_t more = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (!std::isfinite(row[i])) return false;
    more += row[i] > t ? 1 : 0;
  }
  return more < k;
}

void check_rank1(const Tensor& y_pred, const std::string& metric) {
  NB_CHECK(y_pred.rank() >= 1, InvalidArgument, metric, ": y_pred must have rank >= 1 (classes on the last axis), got shape ",
           y_pred.shape().str());
  NB_CHECK(y_pred.dim(-1) >= 1 || y_pred.size() == 0, InvalidArgument, metric,
           ": y_pred has no classes (shape ", y_pred.shape().str(), ")");
}

}  // namespace

// ---- Accuracy -----------------------------------------------------------------------------

Accuracy::Accuracy(Options o) : MeanMetric(std::move(o.name)) {}

void Accuracy::update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight) {
  const Tensor yt = cpu_contiguous(y_true, name(), "y_true");
  const Tensor yp = cpu_contiguous(y_pred, name(), "y_pred");
  Shape ts = yt.shape(), ps = yp.shape();
  train_detail::match_ranks(ts, ps);
  const Shape out = broadcast_shape(ts, ps, name());
  const std::vector<int64_t> it = broadcast_index(ts, out, name(), "y_true");
  const std::vector<int64_t> ip = broadcast_index(ps, out, name(), "y_pred");
  const std::vector<double> t = read_as<double>(yt), p = read_as<double>(yp);
  const bool f32 = yp.dtype() == DType::float32 || is_half(yp.dtype());
  scratch_.resize(it.size());
  for (size_t i = 0; i < it.size(); ++i) {
    // y_true is converted to y_pred's dtype before the comparison.
    const double a = t[size_t(it[i])], b = p[size_t(ip[i])];
    scratch_[i] = (f32 ? float(a) == float(b) : a == b) ? 1.0 : 0.0;
  }
  accumulate(scratch_, out, sample_weight);
}

NB_METRIC_CLONE(Accuracy)

// ---- BinaryAccuracy -----------------------------------------------------------------------

BinaryAccuracy::BinaryAccuracy(Options o) : MeanMetric(std::move(o.name)), threshold_(o.threshold) {}

void BinaryAccuracy::update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight) {
  const Tensor yt = cpu_contiguous(y_true, name(), "y_true");
  const Tensor yp = float_pred(y_pred, name());
  Shape ts = yt.shape(), ps = yp.shape();
  train_detail::match_ranks(ts, ps);
  const int64_t n = ps.num_elements();
  if (ts == ps) {
    scratch_.resize(size_t(n));
    visit_float_data(yp, [&](const auto* p) {
      using P = std::remove_cv_t<std::remove_pointer_t<decltype(p)>>;
      const P thr = P(float(threshold_));  // Keras's threshold is a float32 tensor
      visit_data(yt, [&](const auto* t) {
        for (int64_t i = 0; i < n; ++i)
          scratch_[size_t(i)] = as_double(t[i]) == (p[i] > thr ? 1.0 : 0.0) ? 1.0 : 0.0;
      });
    });
    accumulate(scratch_, ps, sample_weight);
    return;
  }
  const Shape out = broadcast_shape(ts, ps, name());
  const std::vector<int64_t> it = broadcast_index(ts, out, name(), "y_true");
  const std::vector<int64_t> ip = broadcast_index(ps, out, name(), "y_pred");
  const std::vector<double> t = read_as<double>(yt);
  const std::vector<double> p = read_as<double>(yp);
  const double thr = double(float(threshold_));  // as the typed path: a float32 threshold
  scratch_.resize(it.size());
  for (size_t i = 0; i < it.size(); ++i)
    scratch_[i] = t[size_t(it[i])] == (p[size_t(ip[i])] > thr ? 1.0 : 0.0) ? 1.0 : 0.0;
  accumulate(scratch_, out, sample_weight);
}

nlohmann::json BinaryAccuracy::get_config() const {
  nlohmann::json c = Metric::get_config();
  c["threshold"] = threshold_;
  return c;
}

NB_METRIC_CLONE(BinaryAccuracy)

// ---- CategoricalAccuracy ------------------------------------------------------------------

CategoricalAccuracy::CategoricalAccuracy(Options o) : MeanMetric(std::move(o.name)) {}

void CategoricalAccuracy::update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight) {
  const Tensor yp = float_pred(y_pred, name());
  Tensor yt = cpu_contiguous(y_true, name(), "y_true");
  check_rank1(yp, name());
  NB_CHECK(yt.shape() == yp.shape(), InvalidArgument, name(),
           ": y_true (one-hot) and y_pred must have the same shape, got ", yt.shape().str(), " and ",
           yp.shape().str());
  if (is_half(yt.dtype())) yt = float_pred(yt, name());
  const Shape batch = batch_shape(yp);
  const int64_t rows = batch.num_elements(), classes = yp.dim(-1);
  scratch_.resize(size_t(rows));
  visit_float_data(yp, [&](const auto* p) {
    visit_data(yt, [&](const auto* t) {
      for (int64_t r = 0; r < rows; ++r)
        scratch_[size_t(r)] = row_argmax(t + r * classes, classes) == row_argmax(p + r * classes, classes) ? 1.0 : 0.0;
    });
  });
  accumulate(scratch_, batch, sample_weight);
}

NB_METRIC_CLONE(CategoricalAccuracy)

// ---- SparseCategoricalAccuracy ------------------------------------------------------------

SparseCategoricalAccuracy::SparseCategoricalAccuracy(Options o) : MeanMetric(std::move(o.name)) {}

void SparseCategoricalAccuracy::update_state(const Tensor& y_true, const Tensor& y_pred,
                                             const Tensor& sample_weight) {
  const Tensor yp = float_pred(y_pred, name());
  const Tensor yt = cpu_contiguous(y_true, name(), "y_true");
  check_rank1(yp, name());
  Shape ts = yt.shape();
  if (ts.rank() == yp.rank() && ts.back() == 1) ts.pop_back();
  const Shape batch = batch_shape(yp);
  if (ts != batch) {
    Shape with_one = batch;
    with_one.push_back(1);
    throw InvalidArgument(detail::str_cat(name(), ": y_true of shape ", yt.shape().str(),
                                          " does not fit y_pred of shape ", yp.shape().str(),
                                          "; expected labels of shape ", batch.str(), " or ", with_one.str()));
  }
  const int64_t rows = batch.num_elements(), classes = yp.dim(-1);
  scratch_.resize(size_t(rows));
  visit_float_data(yp, [&](const auto* p) {
    using P = std::remove_cv_t<std::remove_pointer_t<decltype(p)>>;
    visit_data(yt, [&](const auto* t) {
      // Keras compares y_true converted to y_pred's dtype with the argmax.
      for (int64_t r = 0; r < rows; ++r)
        scratch_[size_t(r)] = P(as_double(t[r])) == P(row_argmax(p + r * classes, classes)) ? 1.0 : 0.0;
    });
  });
  accumulate(scratch_, batch, sample_weight);
}

NB_METRIC_CLONE(SparseCategoricalAccuracy)

// ---- TopKCategoricalAccuracy --------------------------------------------------------------

TopKCategoricalAccuracy::TopKCategoricalAccuracy(Options o) : MeanMetric(std::move(o.name)), k_(o.k) {
  NB_CHECK(k_ >= 1, InvalidArgument, "TopKCategoricalAccuracy: k must be >= 1, got ", k_);
}

void TopKCategoricalAccuracy::update_state(const Tensor& y_true, const Tensor& y_pred,
                                           const Tensor& sample_weight) {
  const Tensor yp = float_pred(y_pred, name());
  Tensor yt = cpu_contiguous(y_true, name(), "y_true");
  check_rank1(yp, name());
  NB_CHECK(yt.shape() == yp.shape(), InvalidArgument, name(),
           ": y_true (one-hot) and y_pred must have the same shape, got ", yt.shape().str(), " and ",
           yp.shape().str());
  if (is_half(yt.dtype())) yt = float_pred(yt, name());
  const Shape batch = batch_shape(yp);
  const int64_t rows = batch.num_elements(), classes = yp.dim(-1);
  scratch_.resize(size_t(rows));
  visit_float_data(yp, [&](const auto* p) {
    visit_data(yt, [&](const auto* t) {
      for (int64_t r = 0; r < rows; ++r)
        scratch_[size_t(r)] =
            in_top_k(p + r * classes, classes, row_argmax(t + r * classes, classes), k_) ? 1.0 : 0.0;
    });
  });
  accumulate(scratch_, batch, sample_weight);
}

nlohmann::json TopKCategoricalAccuracy::get_config() const {
  nlohmann::json c = Metric::get_config();
  c["k"] = k_;
  return c;
}

NB_METRIC_CLONE(TopKCategoricalAccuracy)

// ---- SparseTopKCategoricalAccuracy --------------------------------------------------------

SparseTopKCategoricalAccuracy::SparseTopKCategoricalAccuracy(Options o)
    : MeanMetric(std::move(o.name)), k_(o.k) {
  NB_CHECK(k_ >= 1, InvalidArgument, "SparseTopKCategoricalAccuracy: k must be >= 1, got ", k_);
}

void SparseTopKCategoricalAccuracy::update_state(const Tensor& y_true, const Tensor& y_pred,
                                                 const Tensor& sample_weight) {
  const Tensor yp = float_pred(y_pred, name());
  const Tensor yt = cpu_contiguous(y_true, name(), "y_true");
  check_rank1(yp, name());
  const int64_t classes = yp.dim(-1);
  const int64_t rows = classes == 0 ? 0 : yp.size() / classes;
  NB_CHECK(yt.size() == rows, InvalidArgument, name(), ": y_true of shape ", yt.shape().str(), " holds ", yt.size(),
           " labels but y_pred of shape ", yp.shape().str(), " has ", rows, " rows");
  scratch_.resize(size_t(rows));
  visit_float_data(yp, [&](const auto* p) {
    visit_data(yt, [&](const auto* t) {
      for (int64_t r = 0; r < rows; ++r) {
        const double label = as_double(t[r]);  // converted to int32 as Keras does
        const int64_t target = std::abs(label) < 2147483648.0 ? int64_t(label) : -1;
        scratch_[size_t(r)] = in_top_k(p + r * classes, classes, target, k_) ? 1.0 : 0.0;
      }
    });
  });
  accumulate(scratch_, yt.shape(), sample_weight);
}

nlohmann::json SparseTopKCategoricalAccuracy::get_config() const {
  nlohmann::json c = Metric::get_config();
  c["k"] = k_;
  return c;
}

NB_METRIC_CLONE(SparseTopKCategoricalAccuracy)

}  // namespace nabla::metrics
