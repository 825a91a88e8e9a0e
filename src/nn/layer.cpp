// Layer base: naming, building, weights, call context and sub-layer tracking.
#include "nabla/nn/layer.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>
#include <regex>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "nabla/nn/initializers.h"
#include "nabla/nn/keras_tensor.h"
#include "nabla/nn/regularizers.h"
#include "nabla/ops/creation.h"
#include "nabla/ops/elementwise.h"
#include "nabla/ops/registry.h"
#include "nn/call_context.h"

namespace nabla {

// ---- argument wrappers -------------------------------------------------------
std::shared_ptr<initializers::Initializer> InitializerArg::get() const {
  if (ptr_) return ptr_;
  NB_CHECK(!name_.empty(), InvalidArgument, "no initializer given");
  return initializers::get(name_);
}

std::shared_ptr<regularizers::Regularizer> RegularizerArg::get() const {
  if (ptr_) return ptr_;
  if (name_.empty()) return nullptr;
  return regularizers::get(name_);
}

// ---- call context ------------------------------------------------------------
namespace detail {
CallContext& call_context() {
  thread_local CallContext ctx;
  return ctx;
}
}  // namespace detail

namespace {

std::string snake_case(const std::string& s) {
  // Keras's to_snake_case, rule for rule: drop non-word characters, split
  // before a capitalised word, then between a lower-case letter and a capital
  // (so "Conv2D" -> "conv2d", "Conv2DTranspose" -> "conv2d_transpose").
  static const std::regex non_word(R"(\W+)");
  static const std::regex word("(.)([A-Z][a-z]+)");
  static const std::regex lower_upper("([a-z])([A-Z])");
  std::string out = std::regex_replace(s, non_word, "");
  out = std::regex_replace(out, word, "$1_$2");
  out = std::regex_replace(out, lower_upper, "$1_$2");
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

namespace detail {
std::string unique_layer_name(const std::string& base) {
  static std::mutex mu;
  static std::map<std::string, int> counts;
  std::lock_guard<std::mutex> lock(mu);
  int n = counts[base]++;
  return n == 0 ? base : base + "_" + std::to_string(n);
}
std::string default_layer_name(const std::string& class_name) { return unique_layer_name(snake_case(class_name)); }
}  // namespace detail

// ---- Layer -------------------------------------------------------------------
Layer::Layer(const LayerOptions& options)
    : name_(options.name), trainable_(options.trainable), dtype_(options.dtype), input_shape_(options.input_shape) {
  NB_CHECK(is_floating(dtype_), InvalidArgument, "a layer's dtype must be floating, got ", dtype_name(dtype_));
}

Layer::~Layer() = default;

namespace {
// Lazily assigns the default name (class_name() is virtual: unusable in the constructor).
void ensure_name(Layer& l, std::string& name) {
  if (name.empty()) name = detail::default_layer_name(l.class_name());
}

// RAII: pushes a layer on this thread's call stack with its training flag.
class CallScope {
 public:
  CallScope(const Layer* layer, bool training) : ctx_(detail::call_context()) {
    saved_training_ = ctx_.training;
    ctx_.stack.push_back(layer);
    ctx_.training = training;
  }
  ~CallScope() {
    ctx_.stack.pop_back();
    ctx_.training = saved_training_;
  }
  CallScope(const CallScope&) = delete;
  CallScope& operator=(const CallScope&) = delete;
 private:
  detail::CallContext& ctx_;
  bool saved_training_;
};

}  // namespace

void Layer::ensure_built(const std::vector<Tensor>& xs) {
  ensure_name(*this, name_);
  if (built_) return;
  std::vector<Shape> shapes;
  shapes.reserve(xs.size());
  for (const Tensor& x : xs) {
    shapes.push_back(x.shape());
    const Shape& sh = x.shape();
    build_shapes_.emplace_back(sh.size() > 0 ? sh.begin() + 1 : sh.begin(), sh.end());
    build_dtypes_.push_back(x.dtype());
  }
  {
    PauseOpObservers pause;  // weight creation is not part of any gradient
    build(shapes);
  }
  built_ = true;
}

void Layer::build(const std::vector<Shape>&) {}

void Layer::build_from_shapes(const std::vector<std::vector<int64_t>>& shapes_without_batch) {
  ensure_name(*this, name_);
  if (built_) return;
  std::vector<Shape> shapes;
  for (const auto& s : shapes_without_batch) {
    Shape sh{1};
    for (int64_t d : s) sh.push_back(d);
    shapes.push_back(sh);
  }
  build_shapes_ = shapes_without_batch;
  {
    PauseOpObservers pause;
    build(shapes);
  }
  built_ = true;
}

namespace {
void track_in_parent(Layer& self) {
  auto& ctx = detail::call_context();
  if (ctx.stack.empty()) return;
  Layer* parent = const_cast<Layer*>(ctx.stack.back());
  if (parent == &self) return;
  std::shared_ptr<Layer> me = self.weak_from_this().lock();
  // A layer not owned by a shared_ptr (a plain member) is tracked without ownership.
  if (!me) me = std::shared_ptr<Layer>(std::shared_ptr<Layer>(), &self);
  parent->track(std::move(me));
}
}  // namespace

bool Layer::enter_call(std::optional<bool> training) {
  auto& ctx = detail::call_context();
  const Layer* parent = ctx.stack.empty() ? nullptr : ctx.stack.back();
  if (parent != nullptr && tracked_by_ != parent) {
    track_in_parent(*this);
    tracked_by_ = parent;
  }
  call_losses_.clear();
  return training.value_or(parent != nullptr && ctx.training);
}

Tensor Layer::operator()(const Tensor& x, std::optional<bool> training) {
  const bool tr = enter_call(training);
  if (!built_) ensure_built({x});
  CallScope scope(this, tr);
  return call(x, tr);
}

std::vector<Tensor> Layer::operator()(const std::vector<Tensor>& xs, std::optional<bool> training) {
  const bool tr = enter_call(training);
  if (!built_) ensure_built(xs);
  CallScope scope(this, tr);
  return call_list(xs, tr);
}

namespace {
// Counts nested default call()/call_list() forwarding on a layer; the second
// level means neither was overridden.
class ForwardGuard {
 public:
  ForwardGuard(int& depth, const Layer& layer) : depth_(depth) {
    NB_CHECK(depth_ == 0, Unimplemented, "layer '", layer.name(), "' (", layer.class_name(),
             ") overrides neither call() nor call_list()");
    ++depth_;
  }
  ~ForwardGuard() { --depth_; }
  ForwardGuard(const ForwardGuard&) = delete;
  ForwardGuard& operator=(const ForwardGuard&) = delete;
 private:
  int& depth_;
};
}  // namespace

Tensor Layer::call(const Tensor& x, bool training) {
  std::vector<Tensor> ys;
  {
    ForwardGuard guard(forward_depth_, *this);
    ys = call_list({x}, training);
  }
  NB_CHECK(ys.size() == 1, InvalidArgument, "layer '", name_, "' returned ", ys.size(),
           " outputs where one was expected");
  return ys[0];
}

std::vector<Tensor> Layer::call_list(const std::vector<Tensor>& xs, bool training) {
  NB_CHECK(xs.size() == 1, InvalidArgument, "layer '", name_, "' (", class_name(), ") takes 1 input, got ",
           xs.size());
  ForwardGuard guard(forward_depth_, *this);
  return {call(xs[0], training)};
}

Variable& Layer::add_weight(const std::string& name, const Shape& shape, const WeightOptions& options) {
  ensure_name(*this, name_);
  auto init = options.initializer.get();
  Tensor value;
  {
    PauseOpObservers pause;
    value = (*init)(shape, options.dtype);
  }
  Weight w;
  w.var = std::make_unique<Variable>(value, VariableOptions{.name = name_ + "/" + name,
                                                            .trainable = options.trainable && trainable_});
  w.regularizer = options.regularizer.get();
  w.trainable = options.trainable;
  weights_.push_back(std::move(w));
  return *weights_.back().var;
}

namespace {
// mode 0: all, 1: trainable, 2: non-trainable. A variable is trainable when it
// was created trainable and every layer on its path is trainable.
void collect(Layer& l, std::vector<Variable*>& out, std::unordered_set<const Variable*>& seen, int mode,
             bool parent_trainable) {
  bool t = parent_trainable && l.trainable();
  for (const auto& [v, var_trainable] : l.own_variables()) {
    bool is_trainable = t && var_trainable;
    if (mode == 1 && !is_trainable) continue;
    if (mode == 2 && is_trainable) continue;
    if (seen.insert(v).second) out.push_back(v);
  }
  for (const auto& sub : l.sublayers()) collect(*sub, out, seen, mode, t);
}
}  // namespace

std::vector<Variable*> Layer::variables() {
  std::vector<Variable*> out;
  std::unordered_set<const Variable*> seen;
  collect(*this, out, seen, 0, true);
  return out;
}

std::vector<Variable*> Layer::trainable_variables() {
  std::vector<Variable*> out;
  std::unordered_set<const Variable*> seen;
  collect(*this, out, seen, 1, true);
  return out;
}

std::vector<Variable*> Layer::non_trainable_variables() {
  std::vector<Variable*> out;
  std::unordered_set<const Variable*> seen;
  collect(*this, out, seen, 2, true);
  return out;
}

std::vector<std::pair<Variable*, bool>> Layer::own_variables() const {
  std::vector<std::pair<Variable*, bool>> out;
  out.reserve(weights_.size());
  for (const Weight& w : weights_) out.emplace_back(w.var.get(), w.trainable);
  return out;
}

void Layer::set_trainable(bool t) {
  trainable_ = t;
  // As Keras 3: the variables follow, so a tape does not watch frozen weights.
  for (Weight& w : weights_) w.var->set_trainable(t && w.trainable);
  for (auto& sub : sublayers_) sub->set_trainable(t);
}

std::vector<Tensor> Layer::get_weights() {
  std::vector<Tensor> out;
  for (Variable* v : variables()) out.push_back(v->value());  // snapshots: later updates copy on write
  return out;
}

void Layer::set_weights(const std::vector<Tensor>& weights) {
  std::vector<Variable*> vars = variables();
  NB_CHECK(weights.size() == vars.size(), InvalidArgument, "set_weights on layer '", name_, "': expected ",
           vars.size(), " weights, got ", weights.size());
  for (size_t i = 0; i < vars.size(); ++i) {
    NB_CHECK(weights[i].shape() == vars[i]->shape(), InvalidArgument, "set_weights on layer '", name_,
             "': weight ", i, " (", vars[i]->name(), ") has shape ", vars[i]->shape().str(), ", got ",
             weights[i].shape().str());
    NB_CHECK(weights[i].dtype() == vars[i]->dtype(), InvalidArgument, "set_weights on layer '", name_,
             "': weight ", i, " (", vars[i]->name(), ") has dtype ", dtype_name(vars[i]->dtype()), ", got ",
             dtype_name(weights[i].dtype()));
  }
  for (size_t i = 0; i < vars.size(); ++i) vars[i]->assign(weights[i]);
}

int64_t Layer::count_params() {
  int64_t n = 0;
  for (Variable* v : variables()) n += v->size();
  return n;
}

std::vector<Tensor> Layer::losses() {
  std::vector<Tensor> out;
  std::unordered_set<const Layer*> seen;
  std::function<void(Layer&)> visit = [&](Layer& l) {
    if (!seen.insert(&l).second) return;
    for (const Weight& w : l.weights_)
      if (w.regularizer) out.push_back((*w.regularizer)(w.var->value()));
    for (const Tensor& t : l.call_losses_) out.push_back(t);
    for (const auto& sub : l.sublayers_) visit(*sub);
  };
  visit(*this);
  return out;
}

void Layer::add_loss(const Tensor& loss) { call_losses_.push_back(loss); }

std::shared_ptr<Layer> Layer::track(std::shared_ptr<Layer> child) {
  NB_CHECK(child != nullptr, InvalidArgument, "track(): null layer");
  for (const auto& s : sublayers_)
    if (s.get() == child.get()) return child;
  sublayers_.push_back(child);
  return child;
}

void Layer::untrack(const Layer* child) {
  sublayers_.erase(std::remove_if(sublayers_.begin(), sublayers_.end(),
                                  [&](const std::shared_ptr<Layer>& s) { return s.get() == child; }),
                   sublayers_.end());
}

nlohmann::json Layer::get_config() const {
  nlohmann::json c = nlohmann::json::object();
  base_config(c);
  return c;
}

void Layer::base_config(nlohmann::json& config) const {
  config["name"] = name_;
  config["trainable"] = trainable_;
  config["dtype"] = dtype_name(dtype_);
  if (!input_shape_.empty()) {
    nlohmann::json s = nlohmann::json::array();
    s.push_back(nullptr);
    for (int64_t d : input_shape_) s.push_back(d);
    config["batch_input_shape"] = s;
  }
}

Layer::OutputSpec Layer::compute_output_spec(const std::vector<std::vector<int64_t>>& input_shapes,
                                             const std::vector<DType>& input_dtypes) {
  NB_CHECK(input_shapes.size() == input_dtypes.size(), InvalidArgument,
           "compute_output_shape: shapes and dtypes differ in number");
  PauseOpObservers pause;
  std::vector<Tensor> xs;
  for (size_t i = 0; i < input_shapes.size(); ++i) {
    Shape s{1};
    for (int64_t d : input_shapes[i]) {
      NB_CHECK(d >= 0, InvalidArgument, "layer '", name_, "': input dimension ", d,
               " is unknown; only the batch dimension may be None");
      s.push_back(d);
    }
    xs.push_back(zeros(s, input_dtypes[i]));
  }
  std::vector<Tensor> ys = xs.size() == 1 ? std::vector<Tensor>{(*this)(xs[0], false)} : (*this)(xs, false);
  OutputSpec out;
  for (const Tensor& y : ys) {
    std::vector<int64_t> s = y.shape().vec();
    NB_CHECK(!s.empty(), InvalidArgument, "layer '", name_, "' returned a scalar; outputs need a batch dimension");
    s.erase(s.begin());
    out.shapes.push_back(std::move(s));
    out.dtypes.push_back(y.dtype());
  }
  return out;
}

// ---- registry ----------------------------------------------------------------
namespace {
std::map<std::string, detail::LayerFactory>& layer_registry() {
  static std::map<std::string, detail::LayerFactory> r;
  return r;
}
std::mutex& layer_registry_mutex() {
  static std::mutex m;
  return m;
}
}  // namespace

bool detail::register_layer_class(const std::string& class_name, LayerFactory factory) {
  std::lock_guard<std::mutex> lock(layer_registry_mutex());
  layer_registry()[class_name] = std::move(factory);
  return true;
}

std::vector<std::string> registered_layer_classes() {
  std::lock_guard<std::mutex> lock(layer_registry_mutex());
  std::vector<std::string> out;
  for (const auto& [k, v] : layer_registry()) out.push_back(k);
  return out;
}

std::shared_ptr<Layer> layer_from_config(const nlohmann::json& description) {
  NB_CHECK(description.is_object() && description.contains("class_name") && description["class_name"].is_string(),
           InvalidArgument, "a layer description must be an object with a string \"class_name\", got ",
           description.dump().substr(0, 200));
  std::string cls = description["class_name"].get<std::string>();
  detail::LayerFactory f;
  {
    std::lock_guard<std::mutex> lock(layer_registry_mutex());
    auto it = layer_registry().find(cls);
    if (it != layer_registry().end()) f = it->second;
  }
  if (!f) {
    std::string known;
    for (const auto& n : registered_layer_classes()) known += (known.empty() ? "" : ", ") + n;
    throw NotFound("unknown layer class '" + cls + "'; registered classes: " + known +
                   " (custom layers must be registered with NB_REGISTER_LAYER)");
  }
  nlohmann::json config = description.contains("config") ? description["config"] : nlohmann::json::object();
  NB_CHECK(config.is_object(), InvalidArgument, "layer '", cls, "': \"config\" must be an object");
  try {
    return f(config);
  } catch (const nlohmann::json::exception& e) {
    throw InvalidArgument("layer '" + cls + "': bad config: " + e.what());
  }
}

nlohmann::json layer_to_config(const Layer& layer) {
  return nlohmann::json{{"class_name", layer.class_name()}, {"config", layer.get_config()}};
}

}  // namespace nabla
