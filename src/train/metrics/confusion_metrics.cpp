// Confusion-matrix metrics: Precision, Recall, AUC (keras/src/metrics/
// confusion_metrics.py and metrics_utils.update_confusion_matrix_variables).
// Predictions and labels are read as float32 as Keras does; counts are
// accumulated in double. Evenly spaced thresholds use Keras's bucket
// algorithm (bucket = ceil(p * (T - 1)) - 1), others a direct comparison
// y_pred > threshold, so results match Keras at the thresholds exactly.
#include <algorithm>
#include <cmath>
#include <numeric>

#include <nlohmann/json.hpp>

#include "nabla/train/metrics.h"
#include "train/metrics/metric_util.h"
#include "train/rank_match.h"

namespace nabla::metrics {

using namespace metric_detail;

namespace {

constexpr float kNegInf = -1e10f;  // metrics_utils.NEG_INF
constexpr double kEps = 1e-7;      // backend.epsilon()

double divide_no_nan(double a, double b) { return b == 0.0 ? 0.0 : a / b; }

// metrics_utils.is_evenly_distributed_thresholds.
bool evenly_distributed(const std::vector<double>& th) {
  const size_t n = th.size();
  if (n < 3) return false;
  for (size_t i = 0; i < n; ++i) {
    const double even = double(float(i) / float(n - 1));
    if (!(std::abs(th[i] - even) <= kEps + 1e-5 * std::abs(even))) return false;
  }
  return true;
}

std::vector<float> to_float(const std::vector<double>& v) { return std::vector<float>(v.begin(), v.end()); }

void check_thresholds(const std::vector<double>& th, const char* cls) {
  for (double t : th)
    NB_CHECK(t >= 0.0 && t <= 1.0, InvalidArgument, cls, ": thresholds must be in [0, 1], got ", t);
}

struct ConfusionVars {
  std::vector<double>* tp = nullptr;
  std::vector<double>* fp = nullptr;
  std::vector<double>* tn = nullptr;
  std::vector<double>* fn = nullptr;
};

struct ConfusionConfig {
  const std::vector<float>* thresholds = nullptr;
  bool evenly = false;
  std::optional<int64_t> top_k = std::nullopt;
  std::optional<int64_t> class_id = std::nullopt;
  bool multi_label = false;
  int64_t labels = 1;                                  // columns in multi-label mode
  const std::vector<double>* label_weights = nullptr;  // flattened mode only
  bool sigmoid = false;                                // AUC(from_logits=True)
};

// Adds the batch's (weighted) true/false positives/negatives per threshold
// (and per label in multi-label mode: index threshold * labels + label).
void update_confusion(const ConfusionVars& vars, const Tensor& y_true, const Tensor& y_pred,
                      const Tensor& sample_weight, const ConfusionConfig& cfg, const std::string& metric) {
  const Tensor yt = cpu_contiguous(y_true, metric, "y_true");
  const Tensor yp = cpu_contiguous(y_pred, metric, "y_pred");
  std::vector<float> t = read_as<float>(yt), p = read_as<float>(yp);
  if (cfg.sigmoid)
    for (float& x : p) x = 1.0f / (1.0f + std::exp(-x));
  Shape ts = yt.shape(), ps = yp.shape();
  train_detail::match_ranks(ps, ts);
  NB_CHECK(ts == ps, InvalidArgument, metric, ": y_true and y_pred must have the same shape, got ",
           yt.shape().str(), " and ", yp.shape().str());

  std::vector<float> w;
  Shape ws;
  if (sample_weight.defined()) {
    const Tensor sw = cpu_contiguous(sample_weight, metric, "sample_weight");
    w = read_as<float>(sw);
    ws = sw.shape();
    ws.push_back(1);  // Keras: expand_dims(sample_weight, -1), then rank matching against y_true
    Shape tmp = ts;
    train_detail::match_ranks(tmp, ws, /*expand_rank_1=*/false);
  }

  if (cfg.top_k) {
    NB_CHECK(ps.rank() >= 1, InvalidArgument, metric, ": top_k needs y_pred of rank >= 1");
    const int64_t c = ps.back(), k = *cfg.top_k;
    NB_CHECK(k <= c, InvalidArgument, metric, ": top_k=", k, " is larger than the number of classes ", c);
    std::vector<int64_t> order(static_cast<size_t>(c));
    std::vector<float> keep(static_cast<size_t>(c));
    for (size_t r = 0; c > 0 && r < p.size() / size_t(c); ++r) {
      float* row = p.data() + r * size_t(c);
      std::iota(order.begin(), order.end(), 0);
      // tf.math.top_k: larger first, the lower index first among equal values.
      std::partial_sort(order.begin(), order.begin() + k, order.end(), [row](int64_t a, int64_t b) {
        return row[a] > row[b] || (row[a] == row[b] && a < b);
      });
      std::fill(keep.begin(), keep.end(), 0.0f);
      for (int64_t i = 0; i < k; ++i) keep[size_t(order[size_t(i)])] = 1.0f;
      for (int64_t i = 0; i < c; ++i) row[i] = row[i] * keep[size_t(i)] + kNegInf * (1.0f - keep[size_t(i)]);
    }
  }

  if (cfg.class_id) {
    NB_CHECK(ps.rank() >= 2, InvalidArgument, metric,
             ": when class_id is given, y_pred must have shape (num_samples, num_classes), got ", ps.str());
    const int64_t c = ps.back(), id = *cfg.class_id;
    NB_CHECK(id >= 0 && id < c, InvalidArgument, metric, ": class_id ", id, " is out of range [0, ", c, ")");
    const size_t rows = p.size() / size_t(c);
    for (size_t r = 0; r < rows; ++r) {
      p[r] = p[r * size_t(c) + size_t(id)];
      t[r] = t[r * size_t(c) + size_t(id)];
    }
    p.resize(rows);
    t.resize(rows);
    ps.back() = 1;
    ts = ps;
  }

  const size_t n = p.size();
  std::vector<float> weights;
  if (!w.empty() || sample_weight.defined()) {
    const std::vector<int64_t> idx = broadcast_index(ws, ps, metric, "sample_weight");
    weights.resize(n);
    for (size_t i = 0; i < n; ++i) weights[i] = w[size_t(idx[i])];
  }
  if (cfg.label_weights && !cfg.label_weights->empty() && !cfg.multi_label) {
    const Shape ls{1, int64_t(cfg.label_weights->size())};
    const std::vector<int64_t> idx = broadcast_index(ls, ps, metric, "label_weights");
    if (weights.empty()) weights.assign(n, 1.0f);
    for (size_t i = 0; i < n; ++i) weights[i] *= float((*cfg.label_weights)[size_t(idx[i])]);
  }

  const int64_t labels = cfg.multi_label ? cfg.labels : 1;
  if (cfg.multi_label)
    NB_CHECK(ps.rank() == 2 && ps[1] == labels, InvalidArgument, metric,
             ": multi_label expects y_pred of shape (batch_size, ", labels, "), got ", yp.shape().str());
  const std::vector<float>& th = *cfg.thresholds;
  const int64_t nt = int64_t(th.size());
  auto label_of = [&](size_t j) { return cfg.multi_label ? int64_t(j) % labels : 0; };
  auto weight_of = [&](size_t j) { return weights.empty() ? 1.0f : weights[j]; };
  auto add = [&](std::vector<double>* v, size_t i, double x) {
    if (v) (*v)[i] += x;
  };

  if (cfg.evenly) {
    const bool with_eps = th.front() < 0.0f || th.back() > 1.0f;
    std::vector<double> tpb(size_t(nt * labels), 0.0), fpb(size_t(nt * labels), 0.0);
    std::vector<double> total_true(size_t(labels), 0.0), total_false(size_t(labels), 0.0);
    for (size_t j = 0; j < n; ++j) {
      const float truth = t[j] != 0.0f ? 1.0f : 0.0f;
      const float wj = weight_of(j);
      const float tl = truth * wj, fl = (1.0f - truth) * wj;
      const int64_t lab = label_of(j);
      total_true[size_t(lab)] += tl;
      total_false[size_t(lab)] += fl;
      const float pc = p[j] < 0.0f ? 0.0f : (p[j] > 1.0f ? 1.0f : p[j]);
      float b = std::ceil(pc * float(nt - 1)) - 1.0f;
      if (with_eps && b < 0.0f) b = 0.0f;
      if (!(b >= 0.0f) || b >= float(nt)) continue;  // dropped by segment_sum (or NaN)
      const size_t bi = size_t(int64_t(b) * labels + lab);
      tpb[bi] += tl;
      fpb[bi] += fl;
    }
    for (int64_t lab = 0; lab < labels; ++lab) {
      double tp = 0, fp = 0;
      for (int64_t i = nt - 1; i >= 0; --i) {
        const size_t k = size_t(i * labels + lab);
        tp += tpb[k];
        fp += fpb[k];
        add(vars.tp, k, tp);
        add(vars.fp, k, fp);
        add(vars.tn, k, total_false[size_t(lab)] - fp);
        add(vars.fn, k, total_true[size_t(lab)] - tp);
      }
    }
    return;
  }
  for (int64_t i = 0; i < nt; ++i) {
    const float thr = th[size_t(i)];
    for (size_t j = 0; j < n; ++j) {
      const bool pos = p[j] > thr, truth = t[j] != 0.0f;
      const size_t k = size_t(i * labels + label_of(j));
      const double wj = weight_of(j);
      if (pos && truth) add(vars.tp, k, wj);
      else if (pos) add(vars.fp, k, wj);
      else if (truth) add(vars.fn, k, wj);
      else add(vars.tn, k, wj);
    }
  }
}

nlohmann::json thresholds_config(const std::vector<double>& th) {
  if (th.empty()) return nullptr;
  if (th.size() == 1) return th[0];
  return th;
}

template <typename O> nlohmann::json optional_json(const std::optional<O>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

// Shared set-up of Precision and Recall.
template <typename Opt> void init_pr(const Opt& o, const char* cls, std::vector<float>& th, bool& evenly) {
  check_thresholds(o.thresholds, cls);
  NB_CHECK(!o.top_k || *o.top_k >= 1, InvalidArgument, cls, ": top_k must be >= 1, got ", *o.top_k);
  const std::vector<double> t = o.thresholds.empty() ? std::vector<double>{o.top_k ? double(kNegInf) : 0.5}
                                                     : o.thresholds;
  th = to_float(t);
  evenly = evenly_distributed(t);
}

std::vector<double> ratios(const std::vector<double>& tp, const std::vector<double>& other) {
  std::vector<double> r(tp.size());
  for (size_t i = 0; i < tp.size(); ++i) r[i] = divide_no_nan(tp[i], tp[i] + other[i]);
  return r;
}

}  // namespace

// ---- Precision / Recall -------------------------------------------------------------------

Precision::Precision(Options o) : Metric(o.name), options_(std::move(o)) {
  init_pr(options_, "Precision", thresholds_, evenly_);
  tp_.assign(thresholds_.size(), 0.0);
  fp_.assign(thresholds_.size(), 0.0);
}

void Precision::update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight) {
  std::vector<double> tp(tp_.size(), 0.0), fp(fp_.size(), 0.0);  // the state changes only on success
  update_confusion({.tp = &tp, .fp = &fp}, y_true, y_pred, sample_weight,
                   {.thresholds = &thresholds_, .evenly = evenly_, .top_k = options_.top_k,
                    .class_id = options_.class_id},
                   name());
  for (size_t i = 0; i < tp.size(); ++i) {
    tp_[i] += tp[i];
    fp_[i] += fp[i];
  }
}

std::vector<double> Precision::result_values() const { return ratios(tp_, fp_); }

double Precision::result() const {
  NB_CHECK(thresholds_.size() == 1, FailedPrecondition, name(), ": with ", thresholds_.size(),
           " thresholds the result has one value per threshold; use result_values()");
  return result_values()[0];
}

void Precision::reset_state() {
  std::fill(tp_.begin(), tp_.end(), 0.0);
  std::fill(fp_.begin(), fp_.end(), 0.0);
}

nlohmann::json Precision::get_config() const {
  nlohmann::json c = Metric::get_config();
  c["thresholds"] = thresholds_config(options_.thresholds);
  c["top_k"] = optional_json(options_.top_k);
  c["class_id"] = optional_json(options_.class_id);
  return c;
}

std::unique_ptr<Metric> Precision::clone() const {
  auto m = std::make_unique<Precision>(*this);
  m->reset_state();
  return m;
}

Recall::Recall(Options o) : Metric(o.name), options_(std::move(o)) {
  init_pr(options_, "Recall", thresholds_, evenly_);
  tp_.assign(thresholds_.size(), 0.0);
  fn_.assign(thresholds_.size(), 0.0);
}

void Recall::update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight) {
  std::vector<double> tp(tp_.size(), 0.0), fn(fn_.size(), 0.0);
  update_confusion({.tp = &tp, .fn = &fn}, y_true, y_pred, sample_weight,
                   {.thresholds = &thresholds_, .evenly = evenly_, .top_k = options_.top_k,
                    .class_id = options_.class_id},
                   name());
  for (size_t i = 0; i < tp.size(); ++i) {
    tp_[i] += tp[i];
    fn_[i] += fn[i];
  }
}

std::vector<double> Recall::result_values() const { return ratios(tp_, fn_); }

double Recall::result() const {
  NB_CHECK(thresholds_.size() == 1, FailedPrecondition, name(), ": with ", thresholds_.size(),
           " thresholds the result has one value per threshold; use result_values()");
  return result_values()[0];
}

void Recall::reset_state() {
  std::fill(tp_.begin(), tp_.end(), 0.0);
  std::fill(fn_.begin(), fn_.end(), 0.0);
}

nlohmann::json Recall::get_config() const {
  nlohmann::json c = Metric::get_config();
  c["thresholds"] = thresholds_config(options_.thresholds);
  c["top_k"] = optional_json(options_.top_k);
  c["class_id"] = optional_json(options_.class_id);
  return c;
}

std::unique_ptr<Metric> Recall::clone() const {
  auto m = std::make_unique<Recall>(*this);
  m->reset_state();
  return m;
}

// ---- AUC ------------------------------------------------------------------------------------

namespace {
enum Curve { kROC = 0, kPR = 1, kPRGain = 2 };
enum Summation { kInterpolation = 0, kMinoring = 1, kMajoring = 2 };
}  // namespace

AUC::AUC(Options o) : Metric(o.name), options_(std::move(o)) {
  const std::string& c = options_.curve;
  if (c == "ROC" || c == "roc") curve_ = kROC;
  else if (c == "PR" || c == "pr") curve_ = kPR;
  else if (c == "PRGAIN" || c == "prgain") curve_ = kPRGain;
  else throw InvalidArgument("AUC: invalid curve \"" + c + "\"; expected \"ROC\", \"PR\" or \"PRGAIN\"");
  const std::string& s = options_.summation_method;
  if (s == "interpolation" || s == "Interpolation") summation_ = kInterpolation;
  else if (s == "minoring" || s == "Minoring") summation_ = kMinoring;
  else if (s == "majoring" || s == "Majoring") summation_ = kMajoring;
  else
    throw InvalidArgument("AUC: invalid summation_method \"" + s +
                          "\"; expected \"interpolation\", \"minoring\" or \"majoring\"");
  std::vector<double> inner;
  if (!options_.thresholds.empty()) {
    check_thresholds(options_.thresholds, "AUC");
    inner = options_.thresholds;
    std::sort(inner.begin(), inner.end());
    num_thresholds_ = int64_t(inner.size()) + 2;
    std::vector<double> ends = inner;
    ends.insert(ends.begin(), 0.0);
    ends.push_back(1.0);
    evenly_ = evenly_distributed(ends);
  } else {
    NB_CHECK(options_.num_thresholds > 1, InvalidArgument, "AUC: num_thresholds must be > 1, got ",
             options_.num_thresholds);
    num_thresholds_ = options_.num_thresholds;
    for (int64_t i = 0; i < num_thresholds_ - 2; ++i) inner.push_back(double(i + 1) / double(num_thresholds_ - 1));
    evenly_ = true;
  }
  thresholds_.push_back(float(0.0 - kEps));
  for (double t : inner) thresholds_.push_back(float(t));
  thresholds_.push_back(float(1.0 + kEps));
  NB_CHECK(options_.multi_label || !options_.num_labels, InvalidArgument,
           "AUC: num_labels is needed only when multi_label is true");
  if (options_.num_labels) {
    NB_CHECK(*options_.num_labels >= 1, InvalidArgument, "AUC: num_labels must be >= 1, got ", *options_.num_labels);
    labels_ = *options_.num_labels;
  } else if (!options_.multi_label) {
    labels_ = 1;
  }
  if (labels_ > 0) reset_state();
}

void AUC::update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight) {
  int64_t labels = labels_;
  if (labels < 0) {  // multi-label: the number of labels comes from the first batch
    NB_CHECK(y_pred.defined() && y_pred.rank() == 2, InvalidArgument, name(),
             ": multi_label expects y_pred of rank 2 (batch_size, num_labels), got shape ",
             y_pred.defined() ? y_pred.shape().str() : std::string("(undefined)"));
    labels = y_pred.dim(1);
  }
  const size_t size = size_t(num_thresholds_ * labels);
  std::vector<double> tp(size, 0.0), fp(size, 0.0), tn(size, 0.0), fn(size, 0.0);
  update_confusion({.tp = &tp, .fp = &fp, .tn = &tn, .fn = &fn}, y_true, y_pred, sample_weight,
                   {.thresholds = &thresholds_,
                    .evenly = evenly_,
                    .multi_label = options_.multi_label,
                    .labels = labels,
                    .label_weights = options_.multi_label ? nullptr : &options_.label_weights,
                    .sigmoid = options_.from_logits},
                   name());
  if (labels_ < 0) {
    labels_ = labels;
    reset_state();
  }
  for (size_t i = 0; i < size; ++i) {
    tp_[i] += tp[i];
    fp_[i] += fp[i];
    tn_[i] += tn[i];
    fn_[i] += fn[i];
  }
}

double AUC::label_result(int64_t label) const {
  const int64_t nt = num_thresholds_, L = labels_;
  auto at = [&](const std::vector<double>& v, int64_t i) { return v[size_t(i * L + label)]; };
  if (curve_ == kPR && summation_ == kInterpolation) {
    // Davis & Goadrich interpolation of the PR curve (AUC.interpolate_pr_auc).
    double auc = 0;
    for (int64_t i = 0; i + 1 < nt; ++i) {
      const double dtp = at(tp_, i) - at(tp_, i + 1);
      const double p0 = at(tp_, i) + at(fp_, i), p1 = at(tp_, i + 1) + at(fp_, i + 1);
      const double dp = p0 - p1;
      const double slope = divide_no_nan(dtp, std::max(dp, 0.0));
      const double intercept = at(tp_, i + 1) - slope * p1;
      const double ratio = (p0 > 0 && p1 > 0) ? divide_no_nan(p0, std::max(p1, 0.0)) : 1.0;
      auc += divide_no_nan(slope * (dtp + intercept * std::log(ratio)),
                           std::max(at(tp_, i + 1) + at(fn_, i + 1), 0.0));
    }
    return auc;
  }
  std::vector<double> x(static_cast<size_t>(nt)), y(static_cast<size_t>(nt));
  for (int64_t i = 0; i < nt; ++i) {
    const double tp = at(tp_, i), fp = at(fp_, i), tn = at(tn_, i), fn = at(fn_, i);
    const double recall = divide_no_nan(tp, tp + fn);
    if (curve_ == kROC) {
      x[size_t(i)] = divide_no_nan(fp, fp + tn);
      y[size_t(i)] = recall;
    } else if (curve_ == kPR) {
      x[size_t(i)] = recall;
      y[size_t(i)] = divide_no_nan(tp, tp + fp);
    } else {
      const double scale = divide_no_nan(tp + fn, tn + fp);
      double recall_gain = 1.0 - scale * divide_no_nan(fn, tp);
      double precision_gain = 1.0 - scale * divide_no_nan(fp, tp);
      if (tp == 0.0) {
        recall_gain = 0.0;
        precision_gain = 1.0;
      }
      x[size_t(i)] = std::max(recall_gain, 0.0);
      y[size_t(i)] = precision_gain;
    }
  }
  double auc = 0;
  for (int64_t i = 0; i + 1 < nt; ++i) {
    const double a = y[size_t(i)], b = y[size_t(i + 1)];
    const double h = summation_ == kInterpolation ? (a + b) / 2.0 : summation_ == kMinoring ? std::min(a, b)
                                                                                            : std::max(a, b);
    auc += (x[size_t(i)] - x[size_t(i + 1)]) * h;
  }
  return auc;
}

double AUC::result() const {
  if (labels_ < 0) return 0.0;  // multi-label, no update yet
  if (!options_.multi_label) return label_result(0);
  double sum = 0, weighted = 0, weights = 0;
  for (int64_t l = 0; l < labels_; ++l) {
    const double r = label_result(l);
    sum += r;
    if (!options_.label_weights.empty()) {
      const double w = options_.label_weights.at(size_t(l));
      weighted += r * w;
      weights += w;
    }
  }
  if (options_.label_weights.empty()) return sum / double(labels_);
  return divide_no_nan(weighted, weights);
}

void AUC::reset_state() {
  if (labels_ < 0) return;
  const size_t size = size_t(num_thresholds_ * labels_);
  for (auto* v : {&tp_, &fp_, &tn_, &fn_}) v->assign(size, 0.0);
}

nlohmann::json AUC::get_config() const {
  static const char* kCurves[] = {"ROC", "PR", "PRGAIN"};
  static const char* kSums[] = {"interpolation", "minoring", "majoring"};
  nlohmann::json c = Metric::get_config();
  c["num_thresholds"] = num_thresholds_;
  c["curve"] = kCurves[curve_];
  c["summation_method"] = kSums[summation_];
  c["multi_label"] = options_.multi_label;
  c["num_labels"] = optional_json(options_.num_labels);
  c["label_weights"] = options_.label_weights.empty() ? nlohmann::json(nullptr) : nlohmann::json(options_.label_weights);
  c["from_logits"] = options_.from_logits;
  if (!options_.thresholds.empty()) {
    std::vector<double> th = options_.thresholds;
    std::sort(th.begin(), th.end());
    c["thresholds"] = th;
  }
  return c;
}

std::unique_ptr<Metric> AUC::clone() const {
  Options o = options_;
  o.name = name();
  return std::make_unique<AUC>(o);
}

}  // namespace nabla::metrics
