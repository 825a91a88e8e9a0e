#include "nabla/nn/layers/batch_normalization.h"

#include <nlohmann/json.hpp>

#include "nabla/ops/cast.h"
#include "nabla/ops/creation.h"
#include "nabla/ops/elementwise.h"
#include "nabla/ops/normalization.h"
#include "nabla/ops/registry.h"
#include "nabla/ops/shape_ops.h"
#include "nn/layer_config.h"
#include "nn/layers/layer_config_read.h"

namespace nabla::layers {

namespace {
constexpr const char* kName = "BatchNormalization";
}  // namespace

BatchNormalizationImpl::BatchNormalizationImpl(const BatchNormalizationOptions& options)
    : Layer(LayerOptions{.name = options.name, .trainable = options.trainable, .dtype = options.dtype,
                         .input_shape = options.input_shape}),
      options_(options) {
  NB_CHECK(options.momentum >= 0.0 && options.momentum <= 1.0, InvalidArgument,
           "BatchNormalization: momentum must be in [0, 1], got ", options.momentum);
  NB_CHECK(options.epsilon > 0.0, InvalidArgument, "BatchNormalization: epsilon must be > 0, got ", options.epsilon);
  NB_CHECK(is_floating(options.dtype), InvalidArgument, "BatchNormalization: dtype must be a floating type, got ",
           dtype_name(options.dtype));
}

void BatchNormalizationImpl::build(const std::vector<Shape>& input_shapes) {
  NB_CHECK(input_shapes.size() == 1, InvalidArgument, "BatchNormalization takes one input, got ",
           input_shapes.size());
  const Shape& s = input_shapes[0];
  NB_CHECK(s.rank() >= 2, InvalidArgument, "BatchNormalization '", name(),
           "' expects an input of rank >= 2 (batch, ..., channels), got shape ", s.tuple_str());
  NB_CHECK(options_.axis >= -s.rank() && options_.axis < s.rank() && options_.axis != 0 && options_.axis != -s.rank(),
           InvalidArgument, "BatchNormalization '", name(), "': axis ", options_.axis,
           " is out of bounds (or the batch axis) for input shape ", s.tuple_str());
  rank_ = s.rank();
  const int64_t c = s[normalize_axis(options_.axis, s.rank(), kName)];
  const Shape ws{c};
  if (options_.scale)
    gamma_ = &add_weight("gamma", ws,
                         {.initializer = options_.gamma_initializer, .regularizer = options_.gamma_regularizer,
                          .dtype = dtype()});
  if (options_.center)
    beta_ = &add_weight("beta", ws,
                        {.initializer = options_.beta_initializer, .regularizer = options_.beta_regularizer,
                         .dtype = dtype()});
  moving_mean_ = &add_weight("moving_mean", ws,
                             {.initializer = options_.moving_mean_initializer, .trainable = false, .dtype = dtype()});
  moving_variance_ = &add_weight("moving_variance", ws,
                                 {.initializer = options_.moving_variance_initializer, .trainable = false,
                                  .dtype = dtype()});
}

Tensor BatchNormalizationImpl::call(const Tensor& input, bool training) {
  const int64_t c = moving_mean_->shape()[0];
  NB_CHECK(input.rank() == rank_, InvalidArgument, "BatchNormalization '", name(), "' was built for inputs of rank ",
           rank_, ", got shape ", input.shape().tuple_str());
  const int64_t axis = normalize_axis(options_.axis, rank_, kName);
  NB_CHECK(input.shape()[axis] == c, InvalidArgument, "BatchNormalization '", name(), "' expects ", c,
           " channels on axis ", options_.axis, ", got shape ", input.shape().tuple_str());
  NB_CHECK(is_floating(input.dtype()) || is_integral(input.dtype()), InvalidArgument, "BatchNormalization '", name(),
           "' expects a numeric input, got ", dtype_name(input.dtype()));
  Tensor x = input.dtype() == dtype() ? input : cast(input, dtype());

  // Move the channel axis last unless it already is, or is axis 1 (channels_first).
  std::string data_format = "channels_last";
  std::vector<int64_t> perm;
  if (axis == 1 && rank_ > 2) {
    data_format = "channels_first";
  } else if (axis != rank_ - 1) {
    for (int64_t i = 0; i < rank_; ++i)
      if (i != axis) perm.push_back(i);
    perm.push_back(axis);
    x = transpose(x, perm);
  }

  const bool use_batch_stats = training && trainable();
  Tensor gamma = gamma_ ? gamma_->value() : ones({c}, dtype());
  Tensor beta = beta_ ? beta_->value() : zeros({c}, dtype());
  FusedBatchNormResult r =
      fused_batch_norm(x, gamma, beta, moving_mean_->value(), moving_variance_->value(),
                       {.epsilon = options_.epsilon, .training = use_batch_stats, .data_format = data_format});
  if (use_batch_stats) {
    // State update: never part of the gradient (Keras assigns outside the tape too).
    PauseOpObservers pause(PauseScope::tapes);  // a compiled step still redoes the update
    const double m = options_.momentum;
    moving_mean_->assign(moving_mean_->value() * m + r.batch_mean * (1.0 - m));
    moving_variance_->assign(moving_variance_->value() * m + r.batch_variance * (1.0 - m));
  }
  Tensor y = r.y;
  if (!perm.empty()) {
    std::vector<int64_t> inverse(perm.size());
    for (size_t i = 0; i < perm.size(); ++i) inverse[size_t(perm[i])] = int64_t(i);
    y = transpose(y, inverse);
  }
  return y;
}

Variable& BatchNormalizationImpl::gamma() const {
  NB_CHECK(gamma_ != nullptr, FailedPrecondition, "BatchNormalization '", name(),
           "' has no gamma (not built, or scale=false)");
  return *gamma_;
}
Variable& BatchNormalizationImpl::beta() const {
  NB_CHECK(beta_ != nullptr, FailedPrecondition, "BatchNormalization '", name(),
           "' has no beta (not built, or center=false)");
  return *beta_;
}
Variable& BatchNormalizationImpl::moving_mean() const {
  NB_CHECK(moving_mean_ != nullptr, FailedPrecondition, "BatchNormalization '", name(), "' is not built yet");
  return *moving_mean_;
}
Variable& BatchNormalizationImpl::moving_variance() const {
  NB_CHECK(moving_variance_ != nullptr, FailedPrecondition, "BatchNormalization '", name(), "' is not built yet");
  return *moving_variance_;
}

nlohmann::json BatchNormalizationImpl::get_config() const {
  nlohmann::json c = nlohmann::json::object();
  base_config(c);
  c["axis"] = options_.axis;
  c["momentum"] = options_.momentum;
  c["epsilon"] = options_.epsilon;
  c["center"] = options_.center;
  c["scale"] = options_.scale;
  c["beta_initializer"] = detail::initializer_to_config(options_.beta_initializer);
  c["gamma_initializer"] = detail::initializer_to_config(options_.gamma_initializer);
  c["moving_mean_initializer"] = detail::initializer_to_config(options_.moving_mean_initializer);
  c["moving_variance_initializer"] = detail::initializer_to_config(options_.moving_variance_initializer);
  c["beta_regularizer"] = detail::regularizer_to_config(options_.beta_regularizer);
  c["gamma_regularizer"] = detail::regularizer_to_config(options_.gamma_regularizer);
  c["beta_constraint"] = nullptr;
  c["gamma_constraint"] = nullptr;
  c["synchronized"] = false;
  c["renorm"] = false;
  c["renorm_clipping"] = nullptr;
  c["renorm_momentum"] = 0.99;
  return c;
}

std::shared_ptr<Layer> BatchNormalizationImpl::from_config(const nlohmann::json& c) {
  LayerOptions base = detail::layer_options_from_config(c);
  BatchNormalizationOptions o;
  o.name = base.name;
  o.trainable = base.trainable;
  o.dtype = base.dtype;
  o.input_shape = base.input_shape;
  o.axis = cfg::integer(c, "axis", o.axis, kName);
  o.momentum = cfg::number(c, "momentum", o.momentum, kName);
  o.epsilon = cfg::number(c, "epsilon", o.epsilon, kName);
  o.center = cfg::boolean(c, "center", o.center, kName);
  o.scale = cfg::boolean(c, "scale", o.scale, kName);
  if (const auto* v = cfg::find(c, "beta_initializer")) o.beta_initializer = detail::initializer_from_config(*v);
  if (const auto* v = cfg::find(c, "gamma_initializer")) o.gamma_initializer = detail::initializer_from_config(*v);
  if (const auto* v = cfg::find(c, "moving_mean_initializer"))
    o.moving_mean_initializer = detail::initializer_from_config(*v);
  if (const auto* v = cfg::find(c, "moving_variance_initializer"))
    o.moving_variance_initializer = detail::initializer_from_config(*v);
  if (c.contains("beta_regularizer")) o.beta_regularizer = detail::regularizer_from_config(c["beta_regularizer"]);
  if (c.contains("gamma_regularizer")) o.gamma_regularizer = detail::regularizer_from_config(c["gamma_regularizer"]);
  cfg::only(c, "beta_constraint", nullptr, kName);
  cfg::only(c, "gamma_constraint", nullptr, kName);
  cfg::only(c, "synchronized", false, kName);
  cfg::only(c, "renorm", false, kName);
  return std::make_shared<BatchNormalizationImpl>(o);
}

NB_REGISTER_LAYER(BatchNormalizationImpl, "BatchNormalization");

}  // namespace nabla::layers
