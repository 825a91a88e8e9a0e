#include "nabla/nn/layers/layer_normalization.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "nabla/ops/cast.h"
#include "nabla/ops/elementwise.h"
#include "nabla/ops/reduce.h"
#include "nn/layer_config.h"
#include "nn/layers/layer_config_read.h"

namespace nabla::layers {

namespace {
constexpr const char* kName = "LayerNormalization";

std::string axes_str(const std::vector<int64_t>& a) {
  std::string s = "[";
  for (size_t i = 0; i < a.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(a[i]);
  }
  s += "]";
  return s;
}
}  // namespace

LayerNormalizationImpl::LayerNormalizationImpl(const LayerNormalizationOptions& options)
    : Layer(LayerOptions{.name = options.name, .trainable = options.trainable, .dtype = options.dtype,
                         .input_shape = options.input_shape}),
      options_(options) {
  NB_CHECK(!options.axis.empty(), InvalidArgument, "LayerNormalization: axis must name at least one axis");
  NB_CHECK(options.epsilon > 0.0, InvalidArgument, "LayerNormalization: epsilon must be > 0, got ", options.epsilon);
  NB_CHECK(is_floating(options.dtype), InvalidArgument, "LayerNormalization: dtype must be a floating type, got ",
           dtype_name(options.dtype));
}

void LayerNormalizationImpl::build(const std::vector<Shape>& input_shapes) {
  NB_CHECK(input_shapes.size() == 1, InvalidArgument, "LayerNormalization takes one input, got ",
           input_shapes.size());
  const Shape& s = input_shapes[0];
  rank_ = s.rank();
  axes_.clear();
  for (int64_t a : options_.axis) {
    NB_CHECK(a >= -rank_ && a < rank_, InvalidArgument, "LayerNormalization '", name(), "': axis ", a,
             " is out of bounds for input shape ", s.tuple_str(), " (axis=", axes_str(options_.axis), ")");
    const int64_t n = a < 0 ? a + rank_ : a;
    NB_CHECK(n != 0, InvalidArgument, "LayerNormalization '", name(), "': cannot normalise over the batch axis (axis=",
             axes_str(options_.axis), ", input shape ", s.tuple_str(), ")");
    NB_CHECK(std::find(axes_.begin(), axes_.end(), n) == axes_.end(), InvalidArgument, "LayerNormalization '",
             name(), "': axis ", a, " is repeated in axis=", axes_str(options_.axis));
    axes_.push_back(n);
  }
  std::sort(axes_.begin(), axes_.end());
  Shape ws;
  param_shape_ = Shape(std::vector<int64_t>(size_t(rank_), 1));
  for (int64_t a : axes_) {
    ws.push_back(s[a]);
    param_shape_[a] = s[a];
  }
  if (options_.scale)
    gamma_ = &add_weight("gamma", ws,
                         {.initializer = options_.gamma_initializer, .regularizer = options_.gamma_regularizer,
                          .dtype = dtype()});
  if (options_.center)
    beta_ = &add_weight("beta", ws,
                        {.initializer = options_.beta_initializer, .regularizer = options_.beta_regularizer,
                         .dtype = dtype()});
}

Tensor LayerNormalizationImpl::call(const Tensor& input, bool) {
  bool ok = input.rank() == rank_;
  for (size_t i = 0; ok && i < axes_.size(); ++i) ok = input.shape()[axes_[i]] == param_shape_[axes_[i]];
  if (!ok) {
    std::vector<int64_t> sizes;
    for (int64_t a : axes_) sizes.push_back(param_shape_[a]);
    throw InvalidArgument(nabla::detail::str_cat("LayerNormalization '", name(), "' was built for inputs of rank ",
                                                 rank_, " with sizes ", axes_str(sizes), " on axes ", axes_str(axes_),
                                                 ", got shape ", input.shape().tuple_str()));
  }
  NB_CHECK(is_floating(input.dtype()) || is_integral(input.dtype()), InvalidArgument, "LayerNormalization '", name(),
           "' expects a numeric input, got ", dtype_name(input.dtype()));
  Tensor x = input.dtype() == dtype() ? input : cast(input, dtype());
  // As keras.ops.layer_normalization: x * inv + (beta - mean * inv).
  Moments m = moments(x, axes_, /*keepdims=*/true);
  Tensor inv = rsqrt(m.variance + options_.epsilon);
  if (gamma_) inv = inv * gamma_->value().reshape(param_shape_);
  Tensor res = -m.mean * inv;
  if (beta_) res = res + beta_->value().reshape(param_shape_);
  return x * inv + res;
}

Variable& LayerNormalizationImpl::gamma() const {
  NB_CHECK(gamma_ != nullptr, FailedPrecondition, "LayerNormalization '", name(),
           "' has no gamma (not built, or scale=false)");
  return *gamma_;
}
Variable& LayerNormalizationImpl::beta() const {
  NB_CHECK(beta_ != nullptr, FailedPrecondition, "LayerNormalization '", name(),
           "' has no beta (not built, or center=false)");
  return *beta_;
}

nlohmann::json LayerNormalizationImpl::get_config() const {
  nlohmann::json c = nlohmann::json::object();
  base_config(c);
  c["axis"] = options_.axis.size() == 1 ? nlohmann::json(options_.axis[0]) : nlohmann::json(options_.axis);
  c["epsilon"] = options_.epsilon;
  c["center"] = options_.center;
  c["scale"] = options_.scale;
  c["rms_scaling"] = false;
  c["beta_initializer"] = detail::initializer_to_config(options_.beta_initializer);
  c["gamma_initializer"] = detail::initializer_to_config(options_.gamma_initializer);
  c["beta_regularizer"] = detail::regularizer_to_config(options_.beta_regularizer);
  c["gamma_regularizer"] = detail::regularizer_to_config(options_.gamma_regularizer);
  c["beta_constraint"] = nullptr;
  c["gamma_constraint"] = nullptr;
  return c;
}

std::shared_ptr<Layer> LayerNormalizationImpl::from_config(const nlohmann::json& c) {
  LayerOptions base = detail::layer_options_from_config(c);
  LayerNormalizationOptions o;
  o.name = base.name;
  o.trainable = base.trainable;
  o.dtype = base.dtype;
  o.input_shape = base.input_shape;
  if (const auto* v = cfg::find(c, "axis")) {
    bool ok = v->is_number_integer() || v->is_array();
    if (v->is_array())
      for (const auto& e : *v) ok = ok && e.is_number_integer();
    NB_CHECK(ok, InvalidArgument, "LayerNormalization config: \"axis\" must be an integer or a list of integers, got ",
             v->dump());
    o.axis = v->is_array() ? v->get<std::vector<int64_t>>() : std::vector<int64_t>{v->get<int64_t>()};
  }
  o.epsilon = cfg::number(c, "epsilon", o.epsilon, kName);
  o.center = cfg::boolean(c, "center", o.center, kName);
  o.scale = cfg::boolean(c, "scale", o.scale, kName);
  if (const auto* v = cfg::find(c, "beta_initializer")) o.beta_initializer = detail::initializer_from_config(*v);
  if (const auto* v = cfg::find(c, "gamma_initializer")) o.gamma_initializer = detail::initializer_from_config(*v);
  if (c.contains("beta_regularizer")) o.beta_regularizer = detail::regularizer_from_config(c["beta_regularizer"]);
  if (c.contains("gamma_regularizer")) o.gamma_regularizer = detail::regularizer_from_config(c["gamma_regularizer"]);
  cfg::only(c, "rms_scaling", false, kName);
  cfg::only(c, "beta_constraint", nullptr, kName);
  cfg::only(c, "gamma_constraint", nullptr, kName);
  return std::make_shared<LayerNormalizationImpl>(o);
}

NB_REGISTER_LAYER(LayerNormalizationImpl, "LayerNormalization");

}  // namespace nabla::layers
