// Function forms of the Keras losses (keras/src/losses/losses.py and
// keras/src/backend/tensorflow/nn.py, Keras 3.15): per-sample values.
#include <algorithm>
#include <cmath>

#include "nabla/autodiff/stop_gradient.h"
#include "nabla/ops/cast.h"
#include "nabla/ops/cross_entropy.h"
#include "nabla/ops/elementwise.h"
#include "nabla/ops/nn.h"
#include "nabla/ops/reduce.h"
#include "nabla/ops/shape_ops.h"
#include "nabla/train/losses.h"
#include "train/losses/loss_util.h"
#include "train/rank_match.h"

namespace nabla::losses {
namespace loss_detail {

void check_pred(const Tensor& y_pred, const char* fn, bool needs_axis) {
  NB_CHECK(y_pred.defined(), InvalidArgument, fn, ": y_pred is an undefined tensor");
  NB_CHECK(is_floating(y_pred.dtype()), InvalidArgument, fn,
           ": y_pred must be a floating-point tensor, got ", dtype_name(y_pred.dtype()));
  NB_CHECK(!needs_axis || y_pred.rank() >= 1, InvalidArgument, fn,
           ": y_pred must have rank >= 1, got shape ", y_pred.shape().str());
}

Tensor true_as_pred(const Tensor& y_true, const Tensor& y_pred, const char* fn) {
  NB_CHECK(y_true.defined(), InvalidArgument, fn, ": y_true is an undefined tensor");
  if (y_true.dtype() == y_pred.dtype()) return y_true;
  NB_CHECK(!is_floating(y_true.dtype()), InvalidArgument, fn, ": y_true has dtype ", dtype_name(y_true.dtype()),
           " but y_pred has dtype ", dtype_name(y_pred.dtype()),
           "; nabla does not promote implicitly, cast one of them");
  return cast(y_true, y_pred.dtype());
}

void check_broadcast(const Tensor& y_true, const Tensor& y_pred, const char* fn) {
  const Shape &a = y_true.shape(), &b = y_pred.shape();
  const size_t n = std::max(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    const int64_t da = i < a.size() ? a[a.size() - 1 - i] : 1;
    const int64_t db = i < b.size() ? b[b.size() - 1 - i] : 1;
    NB_CHECK(da == db || da == 1 || db == 1, InvalidArgument, fn, ": y_true shape ", a.str(),
             " and y_pred shape ", b.str(), " are not compatible (they must be equal or broadcast)");
  }
}

void check_same_shape(const Tensor& y_true, const Tensor& y_pred, const char* fn) {
  NB_CHECK(y_true.shape() == y_pred.shape(), InvalidArgument, fn, ": y_true and y_pred must have the same shape, got ",
           y_true.shape().str(), " and ", y_pred.shape().str());
}

int64_t class_axis(int64_t axis, const Tensor& y_pred, const char* fn) {
  return normalize_axis(axis, y_pred.rank(), fn);
}

}  // namespace loss_detail

using namespace loss_detail;

namespace {

// Shared prologue of the regression losses: dtype, squeeze/expand, shapes.
void regression_inputs(const Tensor& y_true, const Tensor& y_pred, const char* fn, Tensor& t, Tensor& p) {
  check_pred(y_pred, fn, true);
  t = true_as_pred(y_true, y_pred, fn);
  p = y_pred;
  train_detail::match_ranks(t, p);
  check_broadcast(t, p, fn);
}

}  // namespace

Tensor mean_squared_error(const Tensor& y_true, const Tensor& y_pred) {
  Tensor t, p;
  regression_inputs(y_true, y_pred, "mean_squared_error", t, p);
  return reduce_mean(square(t - p), {-1});
}

Tensor mean_absolute_error(const Tensor& y_true, const Tensor& y_pred) {
  Tensor t, p;
  regression_inputs(y_true, y_pred, "mean_absolute_error", t, p);
  return reduce_mean(abs(t - p), {-1});
}

Tensor huber(const Tensor& y_true, const Tensor& y_pred, double delta) {
  Tensor t, p;
  regression_inputs(y_true, y_pred, "huber", t, p);
  const Tensor error = p - t;
  const Tensor abs_error = abs(error);
  const Tensor quadratic = 0.5 * square(error);
  const Tensor linear = delta * abs_error - 0.5 * delta * delta;
  return reduce_mean(where(abs_error <= delta, quadratic, linear), {-1});
}

Tensor binary_crossentropy(const Tensor& y_true, const Tensor& y_pred, bool from_logits, double label_smoothing,
                           int64_t axis) {
  const char* fn = "binary_crossentropy";
  check_pred(y_pred, fn, true);
  Tensor t = true_as_pred(y_true, y_pred, fn);
  check_same_shape(t, y_pred, fn);
  const int64_t ax = class_axis(axis, y_pred, fn);
  if (label_smoothing != 0.0) t = t * (1.0 - label_smoothing) + 0.5 * label_smoothing;
  Tensor bce;
  if (from_logits) {
    // tf.nn.sigmoid_cross_entropy_with_logits: max(x, 0) - x z + log1p(exp(-|x|)),
    // with the branches chosen by x >= 0 so that the gradient at 0 is 0.5 - z.
    const Tensor& x = y_pred;
    const Tensor zero = scalar_like(0, x);
    const Tensor pos = x >= zero;
    bce = where(pos, x, zero) - x * t + log1p(exp(where(pos, -x, x)));
  } else {
    const Tensor o = clip_by_value(y_pred, kEpsilon, 1.0 - kEpsilon);
    bce = -(t * log(o) + (1.0 - t) * log(1.0 - o));
  }
  return reduce_mean(bce, {ax});
}

Tensor categorical_crossentropy(const Tensor& y_true, const Tensor& y_pred, bool from_logits,
                                double label_smoothing, int64_t axis) {
  const char* fn = "categorical_crossentropy";
  check_pred(y_pred, fn, true);
  Tensor t = true_as_pred(y_true, y_pred, fn);
  check_same_shape(t, y_pred, fn);
  const int64_t ax = class_axis(axis, y_pred, fn);
  if (label_smoothing != 0.0) {
    const double num_classes = double(t.dim(-1));  // Keras uses the last axis
    t = t * (1.0 - label_smoothing) + label_smoothing / num_classes;
  }
  if (from_logits) {
    // tf.nn.softmax_cross_entropy_with_logits: the row maximum is subtracted
    // first, so log-softmax values stay exact for large logits (the shift does
    // not change the value or the gradient).
    const Tensor shifted = y_pred - stop_gradient(reduce_max(y_pred, {ax}, true));
    return -reduce_sum(t * log_softmax(shifted, ax), {ax});
  }
  const Tensor o = clip_by_value(y_pred / reduce_sum(y_pred, {ax}, true), kEpsilon, 1.0 - kEpsilon);
  return -reduce_sum(t * log(o), {ax});
}

Tensor sparse_categorical_crossentropy(const Tensor& y_true, const Tensor& y_pred, bool from_logits,
                                       int64_t axis) {
  const char* fn = "sparse_categorical_crossentropy";
  check_pred(y_pred, fn, true);
  NB_CHECK(axis == -1 || axis == y_pred.rank() - 1, InvalidArgument, fn,
           ": only axis=-1 (classes on the last axis) is supported, got axis=", axis);
  NB_CHECK(y_true.defined(), InvalidArgument, fn, ": y_true is an undefined tensor");
  NB_CHECK(is_integral(y_true.dtype()) || is_floating(y_true.dtype()), InvalidArgument, fn,
           ": y_true must hold integer class indices (an integer or floating-point dtype), got ",
           dtype_name(y_true.dtype()));
  Tensor labels = y_true;
  if (labels.rank() == y_pred.rank() && labels.rank() >= 1 && labels.dim(-1) == 1)
    labels = labels.reshape(Shape(labels.shape().begin(), labels.shape().end() - 1));
  const Shape batch(y_pred.shape().begin(), y_pred.shape().end() - 1);
  if (labels.shape() != batch) {
    Shape with_one = batch;
    with_one.push_back(1);
    throw InvalidArgument(detail::str_cat(fn, ": y_true of shape ", y_true.shape().str(),
                                          " does not fit y_pred of shape ", y_pred.shape().str(),
                                          "; expected labels of shape ", batch.str(), " or ", with_one.str()));
  }
  if (from_logits) return sparse_softmax_cross_entropy_with_logits(labels, y_pred);
  return sparse_softmax_cross_entropy_with_logits(labels, log(clip_by_value(y_pred, kEpsilon, 1.0 - kEpsilon)));
}

Tensor kl_divergence(const Tensor& y_true, const Tensor& y_pred) {
  const char* fn = "kl_divergence";
  check_pred(y_pred, fn, true);
  const Tensor t = clip_by_value(true_as_pred(y_true, y_pred, fn), kEpsilon, 1.0);
  check_broadcast(t, y_pred, fn);
  const Tensor p = clip_by_value(y_pred, kEpsilon, 1.0);
  return reduce_sum(t * log(t / p), {-1});
}

}  // namespace nabla::losses
