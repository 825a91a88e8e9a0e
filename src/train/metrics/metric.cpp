// Metric base, MeanMetric's weighted accumulation (Keras's
// reduce_to_samplewise_values + Mean.update_state) and Mean.
#include <nlohmann/json.hpp>

#include "nabla/ops/cast.h"
#include "nabla/train/metrics.h"
#include "train/metrics/metric_util.h"
#include "train/rank_match.h"

namespace nabla::metrics {

namespace metric_detail {

Tensor cpu_contiguous(const Tensor& t, const std::string& metric, const char* what) {
  NB_CHECK(t.defined(), InvalidArgument, metric, ": ", what, " is an undefined tensor");
  NB_CHECK(t.device().is_cpu(), Unimplemented, metric, ": ", what, " is on ", t.device().str(),
           "; metrics are computed on the CPU only");
  return t.contiguous();
}

std::vector<int64_t> broadcast_index(const Shape& from, const Shape& to, const std::string& metric,
                                     const char* what) {
  const int64_t rf = from.rank(), rt = to.rank();
  bool ok = rf <= rt;
  Strides st(size_t(rt), 0);
  int64_t stride = 1;
  for (int64_t i = rf - 1; ok && i >= 0; --i) {
    const int64_t df = from[size_t(i)], dt = to[size_t(rt - rf + i)];
    if (df == dt) st[size_t(rt - rf + i)] = stride;
    else if (df != 1) ok = false;
    stride *= df;
  }
  NB_CHECK(ok, InvalidArgument, metric, ": ", what, " of shape ", from.str(), " does not broadcast to shape ",
           to.str());
  const int64_t n = to.num_elements();
  std::vector<int64_t> idx(static_cast<size_t>(n));
  std::vector<int64_t> pos(static_cast<size_t>(rt), 0);
  int64_t off = 0;
  for (int64_t e = 0; e < n; ++e) {
    idx[size_t(e)] = off;
    for (int64_t d = rt - 1; d >= 0; --d) {  // odometer increment
      off += st[size_t(d)];
      if (++pos[size_t(d)] < to[size_t(d)]) break;
      off -= st[size_t(d)] * to[size_t(d)];
      pos[size_t(d)] = 0;
    }
  }
  return idx;
}

Shape broadcast_shape(const Shape& a, const Shape& b, const std::string& metric) {
  const size_t n = std::max(a.size(), b.size());
  Shape out(n, 1);
  for (size_t i = 0; i < n; ++i) {
    const int64_t da = i < a.size() ? a[a.size() - 1 - i] : 1;
    const int64_t db = i < b.size() ? b[b.size() - 1 - i] : 1;
    NB_CHECK(da == db || da == 1 || db == 1, InvalidArgument, metric, ": y_true shape ", a.str(),
             " and y_pred shape ", b.str(), " are not compatible (they must be equal or broadcast)");
    out[n - 1 - i] = da == 1 ? db : da;
  }
  return out;
}

Tensor float_pred(const Tensor& y_pred, const std::string& metric) {
  const Tensor p = cpu_contiguous(y_pred, metric, "y_pred");
  if (p.dtype() == DType::float32 || p.dtype() == DType::float64) return p;
  return cast(p, DType::float32).contiguous();
}

void mean_trailing(std::vector<double>& v, Shape& shape, int64_t keep) {
  if (keep >= shape.rank()) return;
  const Shape outer(shape.begin(), shape.begin() + keep);
  const int64_t rows = outer.num_elements();
  const int64_t block = rows == 0 ? 0 : int64_t(v.size()) / rows;
  for (int64_t r = 0; r < rows; ++r) {
    double s = 0;
    for (int64_t j = 0; j < block; ++j) s += v[size_t(r * block + j)];
    v[size_t(r)] = s / double(block);  // 0/0 = NaN for an empty block, as TF's mean
  }
  v.resize(static_cast<size_t>(rows));
  shape = outer;
}

}  // namespace metric_detail

using namespace metric_detail;

nlohmann::json Metric::get_config() const { return nlohmann::json{{"name", name_}, {"dtype", "float32"}}; }

void MeanMetric::accumulate(std::vector<double>& v, Shape shape, const Tensor& sample_weight) {
  if (!sample_weight.defined()) {
    if (shape.rank() == 0) {
      add(v.empty() ? 0.0 : v[0], 1.0);
      return;
    }
    const int64_t rows = shape[0];
    if (shape.rank() > 1) mean_trailing(v, shape, 1);
    double total = 0;
    for (double x : v) total += x;
    add(total, double(rows));
    return;
  }
  const Tensor swc = cpu_contiguous(sample_weight, name(), "sample_weight");
  std::vector<double> w = read_as<double>(swc);
  Shape ws = swc.shape();
  train_detail::match_ranks(shape, ws);
  const int64_t weight_rank = ws.rank();
  if (shape.rank() > weight_rank) mean_trailing(v, shape, weight_rank);
  // Broadcast the weights to the values' shape, then weight the values.
  const std::vector<int64_t> idx = broadcast_index(ws, shape, name(), "sample_weight");
  std::vector<double> wb(idx.size());
  for (size_t i = 0; i < idx.size(); ++i) wb[i] = w[size_t(idx[i])];
  for (size_t i = 0; i < v.size(); ++i) v[i] *= wb[i];
  Shape wbs = shape;
  if (weight_rank > 1) mean_trailing(wb, wbs, 1);
  if (shape.rank() > 1) mean_trailing(v, shape, 1);
  double total = 0, count = 0;
  for (double x : v) total += x;
  for (double x : wb) count += x;
  add(total, count);
}

// ---- Mean -------------------------------------------------------------------------------

Mean::Mean(Options o) : MeanMetric(std::move(o.name)) {}

void Mean::update_state(const Tensor& values, const Tensor& sample_weight) {
  const Tensor v = cpu_contiguous(values, name(), "values");
  if (v.rank() == 0 && !sample_weight.defined()) {  // the loss tracker's path
    visit_data(v, [&](const auto* p) { add(as_double(p[0]), 1.0); });
    return;
  }
  scratch_ = read_as<double>(v);
  accumulate(scratch_, v.shape(), sample_weight);
}

void Mean::update_state(const Tensor&, const Tensor&, const Tensor&) {
  throw InvalidArgument(name() + ": Mean has no update_state(y_true, y_pred, sample_weight); call "
                                 "update_state(values) or update_state(values, sample_weight)");
}

std::unique_ptr<Metric> Mean::clone() const {
  auto m = std::make_unique<Mean>(*this);
  m->reset_state();
  return m;
}

}  // namespace nabla::metrics
