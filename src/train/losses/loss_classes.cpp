// The Keras loss classes: LossFunctionWrapper's call (Keras's squeeze/expand
// of y_true against y_pred, then the function form), options and configs.
#include <cmath>

#include <nlohmann/json.hpp>

#include "nabla/ops/creation.h"
#include "nabla/ops/elementwise.h"
#include "nabla/ops/shape_ops.h"
#include "nabla/train/losses.h"
#include "train/losses/loss_util.h"
#include "train/rank_match.h"

namespace nabla::losses {
namespace {

// LossFunctionWrapper.call: squeeze/expand y_true and y_pred to the same rank.
void wrap(const Tensor& y_true, const Tensor& y_pred, Tensor& t, Tensor& p) {
  t = y_true;
  p = y_pred;
  if (t.defined() && p.defined()) train_detail::match_ranks(t, p);
}

void check_smoothing(double s, const char* cls) {
  NB_CHECK(s >= 0.0 && s <= 1.0, InvalidArgument, cls, ": label_smoothing must be in [0, 1], got ", s);
}

}  // namespace

// ---- regression -----------------------------------------------------------------------

MeanSquaredError::MeanSquaredError(Options o) : Loss(std::move(o.name), o.reduction) {}
Tensor MeanSquaredError::call(const Tensor& y_true, const Tensor& y_pred) const {
  return mean_squared_error(y_true, y_pred);
}

MeanAbsoluteError::MeanAbsoluteError(Options o) : Loss(std::move(o.name), o.reduction) {}
Tensor MeanAbsoluteError::call(const Tensor& y_true, const Tensor& y_pred) const {
  return mean_absolute_error(y_true, y_pred);
}

Huber::Huber(Options o) : Loss(std::move(o.name), o.reduction), delta_(o.delta) {
  NB_CHECK(delta_ > 0.0, InvalidArgument, "Huber: delta must be > 0, got ", delta_);
}
Tensor Huber::call(const Tensor& y_true, const Tensor& y_pred) const { return huber(y_true, y_pred, delta_); }
nlohmann::json Huber::get_config() const {
  nlohmann::json c = Loss::get_config();
  c["delta"] = delta_;
  return c;
}

KLDivergence::KLDivergence(Options o) : Loss(std::move(o.name), o.reduction) {}
Tensor KLDivergence::call(const Tensor& y_true, const Tensor& y_pred) const {
  Tensor t, p;
  wrap(y_true, y_pred, t, p);
  return kl_divergence(t, p);
}

// ---- cross-entropies ------------------------------------------------------------------

BinaryCrossentropy::BinaryCrossentropy(Options o) : Loss(o.name, o.reduction), options_(std::move(o)) {
  check_smoothing(options_.label_smoothing, "BinaryCrossentropy");
}
Tensor BinaryCrossentropy::call(const Tensor& y_true, const Tensor& y_pred) const {
  Tensor t, p;
  wrap(y_true, y_pred, t, p);
  return binary_crossentropy(t, p, options_.from_logits, options_.label_smoothing, options_.axis);
}
nlohmann::json BinaryCrossentropy::get_config() const {
  nlohmann::json c = Loss::get_config();
  c["from_logits"] = options_.from_logits;
  c["label_smoothing"] = options_.label_smoothing;
  c["axis"] = options_.axis;
  return c;
}

CategoricalCrossentropy::CategoricalCrossentropy(Options o) : Loss(o.name, o.reduction), options_(std::move(o)) {
  check_smoothing(options_.label_smoothing, "CategoricalCrossentropy");
}
Tensor CategoricalCrossentropy::call(const Tensor& y_true, const Tensor& y_pred) const {
  Tensor t, p;
  wrap(y_true, y_pred, t, p);
  return categorical_crossentropy(t, p, options_.from_logits, options_.label_smoothing, options_.axis);
}
nlohmann::json CategoricalCrossentropy::get_config() const {
  nlohmann::json c = Loss::get_config();
  c["from_logits"] = options_.from_logits;
  c["label_smoothing"] = options_.label_smoothing;
  c["axis"] = options_.axis;
  return c;
}

SparseCategoricalCrossentropy::SparseCategoricalCrossentropy(Options o)
    : Loss(o.name, o.reduction), options_(std::move(o)) {
  NB_CHECK(options_.axis == -1, InvalidArgument,
           "SparseCategoricalCrossentropy: only axis=-1 is supported, got axis=", options_.axis);
}

Tensor SparseCategoricalCrossentropy::call(const Tensor& y_true, const Tensor& y_pred) const {
  Tensor mask;
  return call_masked(y_true, y_pred, mask);
}

Tensor SparseCategoricalCrossentropy::call_masked(const Tensor& y_true, const Tensor& y_pred, Tensor& mask) const {
  mask = Tensor();
  Tensor t, p;
  wrap(y_true, y_pred, t, p);
  if (!options_.ignore_class) return sparse_categorical_crossentropy(t, p, options_.from_logits, options_.axis);

  // Keras: labels equal to ignore_class become 0, their rows of y_pred 0 and
  // their loss 0, and the validity mask goes to the reduction.
  const char* fn = "sparse_categorical_crossentropy";
  loss_detail::check_pred(p, fn, true);
  NB_CHECK(t.defined() && (is_integral(t.dtype()) || is_floating(t.dtype())), InvalidArgument, fn,
           ": y_true must hold integer class indices");
  if (t.rank() == p.rank() && t.rank() >= 1 && t.dim(-1) == 1)
    t = t.reshape(Shape(t.shape().begin(), t.shape().end() - 1));
  NB_CHECK(t.device().is_cpu(), Unimplemented, fn, ": ignore_class needs labels on the CPU, got labels on ",
           t.device().str());
  const Tensor tc = t.contiguous();
  const int64_t n = tc.size();
  std::vector<int64_t> labels(static_cast<size_t>(n));
  std::vector<int64_t> valid(static_cast<size_t>(n));
  const double ignore = double(*options_.ignore_class);
  visit_dtype(tc.dtype(), [&]<typename L>() {
    const L* src = static_cast<const L*>(tc.raw_data());
    for (int64_t i = 0; i < n; ++i) {
      double v;
      if constexpr (std::is_floating_point_v<L> || std::is_integral_v<L>) v = double(src[i]);
      else v = double(float(src[i]));
      const bool ok = v != ignore;
      valid[size_t(i)] = ok;
      // Non-integral or out-of-range valid labels are reported by the op.
      labels[size_t(i)] = ok ? int64_t(v) : 0;
      if (ok && (v != std::trunc(v) || !(std::abs(v) < 9.0e18)))
        throw InvalidArgument(detail::str_cat(fn, ": label ", v, " is not a whole number (class index)"));
    }
  });
  mask = detail::make_from_int64s(valid, t.shape(), DType::bool_);
  const Tensor safe_labels = detail::make_from_int64s(labels, t.shape(), DType::int64);
  const Tensor zero = scalar_like(0, p);
  const Tensor safe_pred = where(expand_dims(mask, -1), p, zero);
  const Tensor res = sparse_categorical_crossentropy(safe_labels, safe_pred, options_.from_logits, options_.axis);
  return where(mask, res, scalar_like(0, res));
}

nlohmann::json SparseCategoricalCrossentropy::get_config() const {
  nlohmann::json c = Loss::get_config();
  c["from_logits"] = options_.from_logits;
  c["ignore_class"] = options_.ignore_class ? nlohmann::json(*options_.ignore_class) : nlohmann::json(nullptr);
  return c;
}

}  // namespace nabla::losses
