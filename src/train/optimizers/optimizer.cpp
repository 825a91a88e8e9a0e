// Optimizer base: Keras 3's apply() pipeline (base_optimizer.py): filter
// undefined gradients, clip, weight decay (fused into each update_step), update,
// count the iteration.
#include "nabla/train/optimizer.h"

#include "core/scoped_flush_denormal.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <regex>

#include <nlohmann/json.hpp>

#include "nabla/autodiff/gradient_tape.h"
#include "nabla/ops/creation.h"
#include "nabla/ops/registry.h"
#include "train/optimizers/config_reader.h"
#include "train/optimizers/update_util.h"

namespace nabla::optimizers {

using nlohmann::json;

LearningRate::LearningRate(std::shared_ptr<schedules::LearningRateSchedule> schedule)
    : schedule_(std::move(schedule)) {
  NB_CHECK(schedule_ != nullptr, InvalidArgument, "LearningRate: the schedule is null");
}

Optimizer::Optimizer(const OptimizerOptions& o, std::string default_name)
    : learning_rate_(o.learning_rate),
      weight_decay_(o.weight_decay),
      clipnorm_(o.clipnorm),
      clipvalue_(o.clipvalue),
      global_clipnorm_(o.global_clipnorm),
      name_(o.name.empty() ? std::move(default_name) : o.name) {
  const int clips = int(bool(clipnorm_)) + int(bool(clipvalue_)) + int(bool(global_clipnorm_));
  auto str = [](const std::optional<double>& v) { return v ? std::to_string(*v) : std::string("None"); };
  NB_CHECK(clips <= 1, InvalidArgument,
           "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: clipnorm=",
           str(clipnorm_), ", clipvalue=", str(clipvalue_), ", global_clipnorm=", str(global_clipnorm_));
}

Optimizer::~Optimizer() = default;

void Optimizer::set_iterations(int64_t iterations) {
  NB_CHECK(iterations >= 0, InvalidArgument, "set_iterations: expected a count >= 0, got ", iterations);
  iterations_ = iterations;
}

void Optimizer::set_learning_rate(double lr) {
  NB_CHECK(!learning_rate_.is_schedule(), InvalidArgument, name_,
           ": this optimizer was created with a LearningRateSchedule as its learning rate, hence its "
           "learning rate is not settable; create it with a constant learning rate instead");
  learning_rate_ = LearningRate(lr);
}

void Optimizer::exclude_from_weight_decay(const std::vector<Variable*>& vars,
                                          const std::vector<std::string>& name_patterns) {
  NB_CHECK(!built_, FailedPrecondition, name_,
           ": exclude_from_weight_decay() can only be configured before the optimizer is built");
  for (const Variable* v : vars) {
    NB_CHECK(v != nullptr && v->defined(), InvalidArgument, "exclude_from_weight_decay: null or undefined variable");
    excluded_ids_.push_back(v->id());
  }
  for (const std::string& p : name_patterns) {
    try {
      std::regex check(p);
    } catch (const std::regex_error& e) {
      NB_CHECK(false, InvalidArgument, "exclude_from_weight_decay: bad regular expression \"", p, "\": ", e.what());
    }
    excluded_patterns_.push_back(p);
  }
}

void Optimizer::ensure_built(const std::vector<Variable*>& vars) {
  if (built_) return;
  for (size_t i = 0; i < vars.size(); ++i)
    NB_CHECK(vars[i] != nullptr && vars[i]->defined(), InvalidArgument, name_, ": variable ", i,
             " is null or undefined");
  std::optional<std::regex> pattern;
  if (!excluded_patterns_.empty()) {
    std::string joined;
    for (const std::string& p : excluded_patterns_) joined += (joined.empty() ? "" : "|") + p;
    pattern.emplace(joined);
  }
  built_ids_.clear();
  slot_of_id_.clear();
  use_weight_decay_.clear();
  for (size_t i = 0; i < vars.size(); ++i) {
    const Variable& v = *vars[i];
    built_ids_.push_back(v.id());
    slot_of_id_.emplace(v.id(), int64_t(i));
    bool use = std::find(excluded_ids_.begin(), excluded_ids_.end(), v.id()) == excluded_ids_.end();
    if (use && pattern && std::regex_search(v.name(), *pattern)) use = false;
    use_weight_decay_.push_back(use ? 1 : 0);
  }
  build(vars);
  built_ = true;
}

void Optimizer::build(const std::vector<Variable*>&) {}

int64_t Optimizer::slot_index_of(const Variable& var, size_t position) const {
  if (position < built_ids_.size() && built_ids_[position] == var.id()) return int64_t(position);
  auto it = slot_of_id_.find(var.id());
  NB_CHECK(it != slot_of_id_.end(), InvalidArgument, name_, ": unknown variable ", var.name(),
           ". This optimizer can only be called for the variables it was originally built with. When "
           "working with a new set of variables, you should recreate a new optimizer instance.");
  return it->second;
}

Variable& Optimizer::add_slot(const Variable& var, const std::string& slot, double init) {
  const std::string name = var.name() + "/" + slot;
  Tensor initial = fill(var.shape(), init, var.dtype());
  slots_.emplace_back(name, Variable(initial, VariableOptions{.name = name, .trainable = false}));
  return slots_.back().second;
}

Variable& Optimizer::add_slot(const std::string& name, const Tensor& initial) {
  slots_.emplace_back(name, Variable(initial, VariableOptions{.name = name, .trainable = false}));
  return slots_.back().second;
}

std::vector<std::pair<std::string, Variable*>> Optimizer::variables() {
  std::vector<std::pair<std::string, Variable*>> out;
  out.reserve(slots_.size());
  for (auto& [name, var] : slots_) out.emplace_back(name, &var);
  return out;
}

namespace {

// Sum of squares in double; eight independent partial sums so that the loop vectorizes
// without reassociation flags.
template <typename T> double sum_squares_of(const T* p, int64_t n) {
  double acc[8] = {};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int k = 0; k < 8; ++k) acc[k] += double(p[i + k]) * double(p[i + k]);
  double s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
  for (; i < n; ++i) s += double(p[i]) * double(p[i]);
  return s;
}

double sum_squares(const Tensor& g) {
  return g.dtype() == DType::float32 ? sum_squares_of(g.data<float>(), g.size())
                                     : sum_squares_of(g.data<double>(), g.size());
}

// out[i] = f(in[i]) into a new tensor, in the gradient's precision.
template <typename F> Tensor map_grad(const Tensor& g, F&& f) {
  Tensor out = Tensor::empty(g.shape(), g.dtype(), g.device());
  const int64_t n = g.size();
  detail::dispatch_update(g.dtype(), 0.0, [&]<typename T, bool>() {
    const T* in = g.data<T>();
    T* o = out.mutable_data<T>();
    for (int64_t i = 0; i < n; ++i) o[i] = f(in[i]);
  });
  return out;
}

}  // namespace

void Optimizer::clip_gradients(std::vector<Tensor>& grads) const {
  // Keras: clipnorm, else global_clipnorm, else clipvalue (at most one is set); a
  // value <= 0 disables clipping.
  if (clipnorm_ && *clipnorm_ > 0) {
    // tf.clip_by_norm: g * c / max(||g||, c).
    const double c = *clipnorm_;
    for (Tensor& g : grads) {
      const double norm = std::sqrt(sum_squares(g));
      const double denom = std::max(norm, c);
      g = map_grad(g, [&]<typename T>(T x) { return T(x * T(c)) / T(denom); });
    }
  } else if (global_clipnorm_ && *global_clipnorm_ > 0) {
    // Keras clip_by_global_norm: scale = c * min(1 / norm, 1 / c) + (norm - norm) (NaN for a
    // non-finite norm).
    const double c = *global_clipnorm_;
    double total = 0;
    for (const Tensor& g : grads) total += sum_squares(g);
    const double norm = std::sqrt(total);
    const double scale = c * std::min(1.0 / norm, 1.0 / c) + (norm - norm);
    for (Tensor& g : grads) g = map_grad(g, [&]<typename T>(T x) { return x * T(scale); });
  } else if (clipvalue_ && *clipvalue_ > 0) {
    const double v = *clipvalue_;
    for (Tensor& g : grads) g = map_grad(g, [&]<typename T>(T x) { return std::min(std::max(x, T(-v)), T(v)); });
  }
}

void Optimizer::apply_gradients(const std::vector<Tensor>& grads, const std::vector<Variable*>& vars) {
  if (!graph_recording_active()) [[likely]] {
    apply_gradients_now(grads, vars);
    return;
  }
  // Inside nb::function tracing: update now (the trace is the first call), then
  // tell the recorder, whose graph redoes the whole update as one node on later calls.
  {
    PauseOpObservers pause;
    apply_gradients_now(grads, vars);
  }
  if (grads.empty() || grads.size() != vars.size()) return;
  std::vector<Tensor> defined;
  std::vector<char> mask;
  for (const Tensor& g : grads) {
    mask.push_back(g.defined() ? 1 : 0);
    if (g.defined()) defined.push_back(g);
  }
  StatefulCall call;
  call.kind = "OptimizerApply";
  call.attrs.set("optimizer", class_name());
  call.variables = vars;
  call.savable = false;  // the update is this C++ optimizer object
  call.run = [this, mask](Inputs in, std::span<Tensor>, std::span<Variable* const> vs) {
    std::vector<Tensor> gs(mask.size());
    size_t k = 0;
    for (size_t i = 0; i < mask.size(); ++i)
      if (mask[i]) gs[i] = in[k++];
    apply_gradients_now(gs, std::vector<Variable*>(vs.begin(), vs.end()));
  };
  notify_stateful(call, defined, {});
}

void Optimizer::apply_gradients_now(const std::vector<Tensor>& grads, const std::vector<Variable*>& vars) {
  ::nabla::detail::ScopedFlushDenormal ftz;  // decaying moments must not crawl through subnormals
  NB_CHECK(grads.size() == vars.size(), InvalidArgument, name_, ": apply_gradients got ", grads.size(),
           " gradients for ", vars.size(), " variables; expected one gradient per variable");
  if (grads.empty()) return;  // Keras: a no-op, iterations unchanged
  ensure_built(vars);

  // Validate everything before touching anything.
  std::vector<Tensor> used_grads;
  std::vector<Variable*> used_vars;
  std::vector<int64_t> used_slots;
  used_grads.reserve(grads.size());
  used_vars.reserve(grads.size());
  used_slots.reserve(grads.size());
  for (size_t i = 0; i < vars.size(); ++i) {
    NB_CHECK(vars[i] != nullptr && vars[i]->defined(), InvalidArgument, name_, ": variable ", i,
             " is null or undefined");
    Variable& v = *vars[i];
    const int64_t slot = slot_index_of(v, i);
    if (!grads[i].defined()) continue;  // Keras drops None gradients
    const Tensor& g = grads[i];
    NB_CHECK(v.dtype() == DType::float32 || v.dtype() == DType::float64, InvalidArgument, name_,
             ": variable ", v.name(), " has dtype ", dtype_name(v.dtype()),
             "; optimizers update float32 and float64 variables only");
    NB_CHECK(g.dtype() == v.dtype(), InvalidArgument, name_, ": the gradient for variable ", v.name(),
             " has dtype ", dtype_name(g.dtype()), " but the variable has dtype ", dtype_name(v.dtype()));
    NB_CHECK(g.shape() == v.shape(), InvalidArgument, name_, ": the gradient for variable ", v.name(),
             " has shape ", g.shape().str(), " but the variable has shape ", v.shape().str());
    NB_CHECK(v.value().device().is_cpu() && g.device().is_cpu(), Unimplemented, name_,
             ": optimizer updates run on the CPU only; variable ", v.name(), " is on ",
             v.value().device().str(), " and its gradient on ", g.device().str());
    used_grads.push_back(g.contiguous());
    used_vars.push_back(&v);
    used_slots.push_back(slot);
  }
  if (used_grads.empty()) {
    std::string names;
    for (const Variable* v : vars) names += (names.empty() ? "" : ", ") + v->name();
    NB_CHECK(false, InvalidArgument, name_, ": no gradients provided for any variable: [", names, "]");
  }

  clip_gradients(used_grads);
  const double lr = learning_rate_.at(iterations_);
  before_update_steps();
  // One parallel pass over all variables (optimizers::detail::UpdateBatch), unless a variable is
  // listed twice: its updates must then run one after the other, as Keras runs them.
  std::vector<const Variable*> sorted(used_vars.begin(), used_vars.end());
  std::sort(sorted.begin(), sorted.end());
  std::optional<optimizers::detail::UpdateBatch> batch;
  if (std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end()) batch.emplace();
  for (size_t k = 0; k < used_grads.size(); ++k) update_step(used_grads[k], *used_vars[k], lr, used_slots[k]);
  if (batch) batch->run();
  ++iterations_;
}

Tensor Optimizer::minimize(const std::function<Tensor()>& loss_fn, const std::vector<Variable*>& vars) {
  NB_CHECK(bool(loss_fn), InvalidArgument, name_, ": minimize needs a loss function");
  std::vector<Tensor> grads;
  Tensor loss;
  {
    GradientTape tape;
    loss = loss_fn();
    NB_CHECK(loss.defined(), InvalidArgument, name_, ": the loss function returned an undefined tensor");
    grads = tape.gradient(loss, vars);
  }
  apply_gradients(grads, vars);
  return loss;
}

json Optimizer::get_config() const {
  json lr = learning_rate_.is_schedule() ? schedules::serialize(*learning_rate_.schedule())
                                         : json(learning_rate_.at(0));
  return {{"name", name_},
          {"learning_rate", std::move(lr)},
          {"weight_decay", detail::json_or_null(weight_decay_)},
          {"clipnorm", detail::json_or_null(clipnorm_)},
          {"global_clipnorm", detail::json_or_null(global_clipnorm_)},
          {"clipvalue", detail::json_or_null(clipvalue_)},
          {"use_ema", false},
          {"ema_momentum", 0.99},
          {"ema_overwrite_frequency", nullptr},
          {"loss_scale_factor", nullptr},
          {"gradient_accumulation_steps", nullptr}};
}

namespace detail {

OptimizerOptions read_common_options(ConfigReader& r, double default_lr, bool weight_decay_allowed) {
  OptimizerOptions o;
  const json& lr = r.raw("learning_rate");
  if (lr.is_null()) o.learning_rate = default_lr;
  else if (lr.is_number()) o.learning_rate = lr.get<double>();
  else if (lr.is_object()) o.learning_rate = LearningRate(schedules::schedule_from_config(lr));
  else NB_CHECK(false, InvalidArgument, "optimizer config: \"learning_rate\" must be a number or a serialized "
                "schedule, got ", lr.dump());
  if (weight_decay_allowed) o.weight_decay = r.optional_number("weight_decay");
  o.clipnorm = r.optional_number("clipnorm");
  o.clipvalue = r.optional_number("clipvalue");
  o.global_clipnorm = r.optional_number("global_clipnorm");
  o.name = r.string("name", "");
  // Keras features nabla does not implement: accepted only at their defaults.
  NB_CHECK(!r.boolean("use_ema", false), Unimplemented, "optimizer config: use_ema=true is not supported");
  r.number("ema_momentum", 0.99);  // meaningful only with use_ema
  NB_CHECK(r.raw("ema_overwrite_frequency").is_null(), Unimplemented,
           "optimizer config: ema_overwrite_frequency is not supported");
  NB_CHECK(r.raw("loss_scale_factor").is_null(), Unimplemented,
           "optimizer config: loss_scale_factor is not supported");
  NB_CHECK(r.raw("gradient_accumulation_steps").is_null(), Unimplemented,
           "optimizer config: gradient_accumulation_steps is not supported");
  return o;
}

}  // namespace detail

}  // namespace nabla::optimizers
