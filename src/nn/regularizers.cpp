// Weight regularisers: Keras 3.15's keras/src/regularizers/regularizers.py, built from
// registry ops so that the penalty is differentiable.
#include "nabla/nn/regularizers.h"

#include <cctype>
#include <cmath>
#include <functional>
#include <map>

#include "nabla/ops/creation.h"
#include "nabla/ops/elementwise.h"
#include "nabla/ops/linalg.h"
#include "nabla/ops/reduce.h"
#include "nn/config_util.h"

namespace nabla::regularizers {
namespace {

using nn_config::json;

// keras.src.regularizers.regularizers.validate_float_arg.
double validated(const char* cls, const char* name, double v) {
  NB_CHECK(std::isfinite(v) && v >= 0.0, InvalidArgument, cls, ": invalid value for argument ", name,
           ": expected a non-negative finite number, got ", v);
  return v;
}

void check_weight(const char* cls, const Tensor& w) {
  NB_CHECK(is_floating(w.dtype()), InvalidArgument, cls,
           ": expects a floating-point weight (float16, bfloat16, float32, float64), got ",
           dtype_name(w.dtype()));
}

Tensor l1_term(double l1, const Tensor& w) { return l1 * reduce_sum(abs(w)); }
Tensor l2_term(double l2, const Tensor& w) { return l2 * reduce_sum(square(w)); }

}  // namespace

json Regularizer::get_config() const { return json::object(); }

L1::L1(L1Options o) : l1_(validated("L1", "l1", o.l1)) {}
Tensor L1::operator()(const Tensor& w) const {
  check_weight("L1", w);
  return l1_term(l1_, w);
}
json L1::get_config() const { return {{"l1", l1_}}; }

L2::L2(L2Options o) : l2_(validated("L2", "l2", o.l2)) {}
Tensor L2::operator()(const Tensor& w) const {
  check_weight("L2", w);
  return l2_term(l2_, w);
}
json L2::get_config() const { return {{"l2", l2_}}; }

L1L2::L1L2(L1L2Options o) : l1_(validated("L1L2", "l1", o.l1)), l2_(validated("L1L2", "l2", o.l2)) {}
Tensor L1L2::operator()(const Tensor& w) const {
  check_weight("L1L2", w);
  if (l1_ != 0.0 && l2_ != 0.0) return l1_term(l1_, w) + l2_term(l2_, w);
  if (l1_ != 0.0) return l1_term(l1_, w);
  if (l2_ != 0.0) return l2_term(l2_, w);
  return zeros({}, w.dtype());
}
json L1L2::get_config() const { return {{"l1", l1_}, {"l2", l2_}}; }

OrthogonalRegularizer::OrthogonalRegularizer(OrthogonalRegularizerOptions o) : options_(std::move(o)) {
  validated("OrthogonalRegularizer", "factor", options_.factor);
  NB_CHECK(options_.mode == "rows" || options_.mode == "columns", InvalidArgument,
           "OrthogonalRegularizer: mode must be \"rows\" or \"columns\", got \"", options_.mode, "\"");
}

Tensor OrthogonalRegularizer::operator()(const Tensor& w) const {
  check_weight("OrthogonalRegularizer", w);
  NB_CHECK(w.rank() == 2, InvalidArgument, "OrthogonalRegularizer: inputs must have rank 2, got shape ",
           w.shape().str(), " of rank ", w.rank());
  const bool rows = options_.mode == "rows";
  const int64_t size = rows ? w.dim(0) : w.dim(1);
  NB_CHECK(size >= 2, InvalidArgument, "OrthogonalRegularizer: needs at least 2 ", options_.mode,
           " to compare, got shape ", w.shape().str());
  // keras.ops.normalize(w, axis) with order 2: w * min(rsqrt(sum(w^2, axis)), 1 / 1e-7).
  const Tensor inv_norm = minimum(rsqrt(reduce_sum(square(w), {rows ? 1 : 0}, true)), scalar_like(1e7, w));
  const Tensor n = w * inv_norm;
  const Tensor gram = rows ? matmul(n, n, {.transpose_b = true}) : matmul(n, n, {.transpose_a = true});
  const Tensor off_diagonal = gram * (1.0 - eye(size, std::nullopt, w.dtype()));
  const double num_pairs = double(size) * (double(size) - 1.0) / 2.0;
  return options_.factor * 0.5 * reduce_sum(abs(off_diagonal)) / num_pairs;
}

json OrthogonalRegularizer::get_config() const {
  return {{"factor", options_.factor}, {"mode", options_.mode}};
}

// ---- registry -------------------------------------------------------------------------

namespace {

using Factory = std::function<std::shared_ptr<Regularizer>(nn_config::Reader&)>;

const std::map<std::string, Factory>& factories() {
  static const std::map<std::string, Factory> f = {
      {"L1", [](nn_config::Reader& r) { return std::make_shared<L1>(L1Options{.l1 = r.number("l1", 0.01)}); }},
      {"L2", [](nn_config::Reader& r) { return std::make_shared<L2>(L2Options{.l2 = r.number("l2", 0.01)}); }},
      {"L1L2",
       [](nn_config::Reader& r) {
         return std::make_shared<L1L2>(L1L2Options{.l1 = r.number("l1", 0.0), .l2 = r.number("l2", 0.0)});
       }},
      {"OrthogonalRegularizer",
       [](nn_config::Reader& r) {
         return std::make_shared<OrthogonalRegularizer>(OrthogonalRegularizerOptions{
             .factor = r.number("factor", 0.01), .mode = r.string("mode", "rows")});
       }},
  };
  return f;
}

// Class names, Keras's snake_case forms ("l1", "l2", "l1l2", "orthogonal_regularizer")
// and "l1_l2" (the name of keras.regularizers.l1_l2).
const std::map<std::string, std::string>& aliases() {
  static const std::map<std::string, std::string> a = {
      {"L1", "L1"}, {"l1", "L1"}, {"L2", "L2"}, {"l2", "L2"},
      {"L1L2", "L1L2"}, {"l1l2", "L1L2"}, {"l1_l2", "L1L2"},
      {"OrthogonalRegularizer", "OrthogonalRegularizer"},
      {"orthogonal_regularizer", "OrthogonalRegularizer"},
  };
  return a;
}


}  // namespace

std::shared_ptr<Regularizer> from_config(const json& config) {
  return nn_config::build_registered<Regularizer>(config, "regularizer", aliases(), factories());
}

std::shared_ptr<Regularizer> get(const std::string& name) { return from_config(json(name)); }

std::vector<std::string> names() {
  std::vector<std::string> out;
  for (const auto& [k, v] : aliases()) out.push_back(k);
  return out;
}

json serialize(const Regularizer& regularizer) {
  return nn_config::serialized("keras.regularizers", regularizer.class_name(), regularizer.get_config());
}

}  // namespace nabla::regularizers
