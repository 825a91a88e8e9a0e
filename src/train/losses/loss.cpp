// Loss base: Keras's Loss.__call__ (sample weights, masks, reductions) and
// the reduction names. Follows keras/src/losses/loss.py (Keras 3.15):
// reduce_weighted_values, apply_mask and reduce_values.
#include "nabla/train/loss.h"

#include <nlohmann/json.hpp>

#include "nabla/ops/cast.h"
#include "nabla/ops/creation.h"
#include "nabla/ops/elementwise.h"
#include "nabla/ops/reduce.h"
#include "nabla/ops/registry.h"
#include "train/rank_match.h"

namespace nabla::losses {

std::string reduction_name(Reduction r) {
  switch (r) {
    case Reduction::SumOverBatchSize: return "sum_over_batch_size";
    case Reduction::Sum: return "sum";
    case Reduction::Mean: return "mean";
    case Reduction::None: return "none";
    case Reduction::MeanWithSampleWeight: return "mean_with_sample_weight";
  }
  return "sum_over_batch_size";
}

Reduction reduction_from_name(const std::string& name) {
  for (Reduction r : {Reduction::SumOverBatchSize, Reduction::Sum, Reduction::Mean, Reduction::None,
                      Reduction::MeanWithSampleWeight})
    if (reduction_name(r) == name) return r;
  throw InvalidArgument("invalid loss reduction \"" + name +
                        "\"; expected one of \"sum_over_batch_size\", \"sum\", \"mean\", \"none\", "
                        "\"mean_with_sample_weight\"");
}

Tensor Loss::call_masked(const Tensor& y_true, const Tensor& y_pred, Tensor& mask) const {
  mask = Tensor();
  return call(y_true, y_pred);
}

namespace {

// Keras's apply_mask: the mask as weights. With a mean-type reduction, valid
// entries weigh total / valid so that the mean runs over valid entries only.
Tensor mask_weights(const Tensor& mask, Reduction reduction, DType dtype) {
  if (observers_active()) notify_host_read(mask);
  const Tensor m = mask.contiguous();
  const bool* p = m.data<bool>();
  const int64_t total = m.size();
  int64_t valid = 0;
  for (int64_t i = 0; i < total; ++i) valid += p[i] ? 1 : 0;
  double on = 1.0;
  if (reduction == Reduction::Mean || reduction == Reduction::SumOverBatchSize)
    on = valid == 0 ? 0.0 : double(total) / double(valid);
  std::vector<double> w(static_cast<size_t>(total));
  for (int64_t i = 0; i < total; ++i) w[size_t(i)] = p[i] ? on : 0.0;
  return detail::make_from_doubles(w, m.shape(), dtype);
}

// The value of a one-element CPU tensor, read without running an op (an op
// would be recorded by an active tape).
double scalar_value(const Tensor& t) {
  if (observers_active()) notify_host_read(t);
  const Tensor c = t.contiguous();
  double v = 0;
  visit_dtype(c.dtype(), [&]<typename T>() {
    const T x = *static_cast<const T*>(c.raw_data());
    if constexpr (std::is_arithmetic_v<T>) v = double(x);
    else v = double(float(x));
  });
  return v;
}

}  // namespace

Tensor Loss::operator()(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight) const {
  NB_CHECK(y_true.defined() && y_pred.defined(), InvalidArgument, name_,
           ": y_true and y_pred must be defined tensors");
  Tensor mask;
  Tensor values = call_masked(y_true, y_pred, mask);
  const DType dt = values.dtype();

  Tensor weights;
  if (sample_weight.defined()) {
    NB_CHECK(sample_weight.dtype() != DType::bool_, InvalidArgument, name_,
             ": sample_weight must be numeric, got a bool tensor");
    weights = cast(sample_weight, dt);
  }
  if (mask.defined()) {
    Tensor mw = mask_weights(mask, reduction_, dt);
    if (weights.defined()) {
      train_detail::match_ranks(mw, weights);
      weights = weights * mw;
    } else {
      weights = mw;
    }
  }
  if (weights.defined()) {
    train_detail::match_ranks(values, weights);
    values = values * weights;
  }

  if (reduction_ == Reduction::None || values.rank() == 0) return values;
  // An empty batch reduces to 0 (Keras's divide_no_nan), still connected to
  // y_pred on the tape.
  if (values.size() == 0 || reduction_ == Reduction::Sum) return reduce_sum(values);
  if (reduction_ == Reduction::MeanWithSampleWeight && weights.defined()) {
    const Tensor total_weight = reduce_sum(weights);
    if (scalar_value(total_weight) == 0.0) return reduce_sum(values) * 0.0;
    return reduce_sum(values) / total_weight;
  }
  return reduce_mean(values);  // sum / number of values
}

nlohmann::json Loss::get_config() const {
  return nlohmann::json{{"name", name_}, {"reduction", reduction_name(reduction_)}};
}

}  // namespace nabla::losses
