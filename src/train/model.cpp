// Model: functional graphs, compile, the training/evaluation loops, summary.
#include "nabla/train/model.h"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <numeric>
#include <random>
#include <sstream>
#include <unordered_map>
#include <unordered_set>
#include <nlohmann/json.hpp>

#include "nabla/autodiff/gradient_tape.h"
#include "nabla/data/dataset.h"
#include "nabla/nn/layers/input_layer.h"
#include "nabla/ops/cast.h"
#include "nabla/ops/creation.h"
#include "nabla/ops/elementwise.h"
#include "nabla/ops/random.h"
#include "nabla/ops/shape_ops.h"
#include "nabla/train/callbacks/progbar_logger.h"
#include "nabla/train/loss.h"
#include "nabla/train/losses.h"
#include "nabla/train/metric.h"
#include "nabla/train/metrics.h"
#include "nabla/train/optimizer.h"
#include "nabla/train/optimizers.h"
#include "train/callback_list.h"
#include "train/model_internal.h"
#include "core/scoped_flush_denormal.h"

namespace nabla {

// ---- compile arguments ---------------------------------------------------------
std::shared_ptr<optimizers::Optimizer> OptimizerArg::get() const {
  if (ptr_) return ptr_;
  NB_CHECK(!name_.empty(), InvalidArgument, "compile(): no optimizer given");
  return optimizers::get(name_);
}

std::shared_ptr<losses::Loss> LossArg::get() const {
  if (ptr_) return ptr_;
  NB_CHECK(!name_.empty(), InvalidArgument, "compile(): no loss given");
  return losses::get(name_);
}

ValidationData::ValidationData(const data::Dataset& ds) : dataset(std::make_shared<const data::Dataset>(ds)) {}

// ---- construction --------------------------------------------------------------
Model::Model(const LayerOptions& options) : Layer(options) {}

Model::Model(const KerasTensor& input, const KerasTensor& output, const LayerOptions& options) : Layer(options) {
  init_graph({input}, {output});
}

Model::Model(const std::vector<KerasTensor>& inputs, const std::vector<KerasTensor>& outputs,
             const LayerOptions& options)
    : Layer(options) {
  init_graph(inputs, outputs);
}

Model::~Model() = default;

void Model::init_graph(const std::vector<KerasTensor>& inputs, const std::vector<KerasTensor>& outputs) {
  NB_CHECK(!inputs.empty() && !outputs.empty(), InvalidArgument, "a functional Model needs inputs and outputs");
  auto g = std::make_unique<Graph>();
  g->inputs = inputs;
  g->outputs = outputs;
  std::unordered_set<const Node*> declared;
  for (const KerasTensor& in : inputs) {
    NB_CHECK(in.defined() && in.node()->inputs.empty() &&
                 dynamic_cast<layers::InputLayerImpl*>(in.node()->layer.get()) != nullptr,
             InvalidArgument, "Model inputs must come from nb::Input(); got the output of layer '",
             in.defined() ? in.node()->layer->name() : std::string("<undefined>"), "'");
    declared.insert(in.node().get());
  }
  // Post-order DFS from the outputs gives a topological order.
  std::unordered_set<const Node*> done, active;
  std::function<void(const std::shared_ptr<Node>&)> visit = [&](const std::shared_ptr<Node>& n) {
    if (done.count(n.get())) return;
    NB_CHECK(!active.count(n.get()), InvalidArgument, "the layer graph has a cycle at layer '", n->layer->name(), "'");
    active.insert(n.get());
    if (n->inputs.empty()) {
      NB_CHECK(declared.count(n.get()), InvalidArgument, "Graph disconnected: the outputs depend on input '",
               n->layer->name(), "', which is not among the model's inputs");
    }
    for (const KerasTensor& t : n->inputs) visit(t.node());
    active.erase(n.get());
    done.insert(n.get());
    g->index[n.get()] = g->nodes.size();
    g->nodes.push_back(n);
  };
  for (const KerasTensor& out : outputs) {
    NB_CHECK(out.defined(), InvalidArgument, "Model output is an undefined KerasTensor");
    visit(out.node());
  }
  for (const KerasTensor& in : inputs)
    NB_CHECK(g->index.count(in.node().get()), InvalidArgument, "input '", in.node()->layer->name(),
             "' is not connected to any output");
  std::unordered_set<const Layer*> seen;
  for (const auto& n : g->nodes) {
    if (n->inputs.empty()) continue;
    if (seen.insert(n->layer.get()).second) {
      g->layers.push_back(n->layer);
      track(n->layer);
    }
  }
  graph_ = std::move(g);
  // The layers were built while the graph was made.
  build_from_shapes({});
}

const std::vector<KerasTensor>& Model::inputs() const {
  NB_CHECK(graph_ != nullptr, FailedPrecondition, "model '", name(), "' is not a functional model");
  return graph_->inputs;
}

const std::vector<KerasTensor>& Model::outputs() const {
  NB_CHECK(graph_ != nullptr, FailedPrecondition, "model '", name(), "' is not a functional model");
  return graph_->outputs;
}

std::vector<std::shared_ptr<Layer>> Model::layers() const {
  if (graph_) return graph_->layers;
  return sublayers();
}

std::shared_ptr<Layer> Model::get_layer(const std::string& layer_name) const {
  for (const auto& l : layers())
    if (l->name() == layer_name) return l;
  std::string names;
  for (const auto& l : layers()) names += (names.empty() ? "" : ", ") + l->name();
  throw NotFound("model '" + name() + "' has no layer '" + layer_name + "'; its layers: " + names);
}

// ---- calling -------------------------------------------------------------------
std::vector<Tensor> Model::run_graph(const std::vector<Tensor>& xs, bool training) {
  const Graph& g = *graph_;
  NB_CHECK(xs.size() == g.inputs.size(), InvalidArgument, "model '", name(), "' expects ", g.inputs.size(),
           " input(s), got ", xs.size());
  std::vector<std::vector<Tensor>> values(g.nodes.size());
  for (size_t i = 0; i < xs.size(); ++i) {
    const Node* n = g.inputs[i].node().get();
    values[g.index.at(n)] = {(*n->layer)(xs[i], training)};  // checks shape and dtype
  }
  std::vector<Tensor> args;
  for (size_t k = 0; k < g.nodes.size(); ++k) {
    const Node& n = *g.nodes[k];
    if (n.inputs.empty()) continue;
    args.clear();
    for (const KerasTensor& t : n.inputs) args.push_back(values[g.index.at(t.node().get())][size_t(t.index())]);
    if (args.size() == 1 && n.output_shapes.size() == 1) values[k] = {(*n.layer)(args[0], training)};
    else values[k] = (*n.layer)(args, training);
  }
  std::vector<Tensor> out;
  for (const KerasTensor& t : g.outputs) out.push_back(values[g.index.at(t.node().get())][size_t(t.index())]);
  return out;
}

std::vector<Tensor> Model::call_list(const std::vector<Tensor>& xs, bool training) {
  if (graph_) return run_graph(xs, training);
  return Layer::call_list(xs, training);
}

Tensor Model::call(const Tensor& x, bool training) {
  if (graph_) {
    std::vector<Tensor> ys = run_graph({x}, training);
    NB_CHECK(ys.size() == 1, InvalidArgument, "model '", name(), "' has ", ys.size(),
             " outputs; call it with a list of inputs to get them all");
    return ys[0];
  }
  return Layer::call(x, training);
}

// ---- compile -------------------------------------------------------------------
void Model::compile(const CompileOptions& options) {
  auto c = std::make_unique<Compiled>();
  c->options = options;
  c->optimizer = options.optimizer.get();
  NB_CHECK(options.loss.empty() || options.losses.empty(), InvalidArgument,
           "compile(): give either loss (for every output) or losses (one per output), not both");
  if (!options.losses.empty()) c->loss_args = options.losses;
  else if (!options.loss.empty()) c->loss_args = {options.loss};
  // Resolve names now so that a typo fails at compile time, as in Keras.
  for (const LossArg& l : c->loss_args) c->losses.push_back(l.get());
  c->loss_weights = options.loss_weights;
  c->metric_args = options.metrics;
  c->weighted_metric_args = options.weighted_metrics;
  compiled_ = std::move(c);
}

bool Model::compiled() const { return compiled_ != nullptr; }

optimizers::Optimizer& Model::optimizer() {
  NB_CHECK(compiled_ != nullptr, FailedPrecondition, "model '", name(), "' is not compiled; call compile() first");
  return *compiled_->optimizer;
}

std::vector<std::string> Model::output_names() const {
  if (!graph_ || graph_->outputs.size() == 1) return {""};
  std::vector<std::string> names;
  for (const KerasTensor& t : graph_->outputs) names.push_back(t.node()->layer->name());
  return names;
}

// ---- losses and metrics ----------------------------------------------------------
Tensor Model::compute_loss(const Batch& batch, const std::vector<Tensor>& y_pred) {
  Compiled& c = *compiled_;
  NB_CHECK(!c.losses.empty(), FailedPrecondition, "model '", name(),
           "' was compiled without a loss; pass loss to compile()");
  NB_CHECK(batch.y.size() == y_pred.size(), InvalidArgument, "model '", name(), "' has ", y_pred.size(),
           " output(s) but ", batch.y.size(), " target(s) were given");
  NB_CHECK(c.losses.size() == 1 || c.losses.size() == y_pred.size(), InvalidArgument, "compile(): ",
           c.losses.size(), " losses given for a model with ", y_pred.size(), " outputs");
  NB_CHECK(c.loss_weights.empty() || c.loss_weights.size() == y_pred.size(), InvalidArgument, "compile(): ",
           c.loss_weights.size(), " loss_weights given for a model with ", y_pred.size(), " outputs");
  Tensor total;
  for (size_t i = 0; i < y_pred.size(); ++i) {
    const losses::Loss& loss = *c.losses[c.losses.size() == 1 ? 0 : i];
    Tensor l = loss(batch.y[i], y_pred[i], batch.sample_weight);
    if (!c.loss_weights.empty() && c.loss_weights[i] != 1.0) l = l * scalar_like(c.loss_weights[i], l);
    total = total.defined() ? total + l : l;
  }
  for (const Tensor& r : losses()) {
    Tensor rr = r.dtype() == total.dtype() ? r : cast(r, total.dtype());
    total = total + rr;
  }
  return total;
}

void Model::ensure_metrics(const Batch& batch, const std::vector<Tensor>& y_pred) {
  Compiled& c = *compiled_;
  if (c.metrics_built) return;
  std::vector<std::string> outs = output_names();
  c.metrics.clear();
  c.metric_names.clear();
  c.metrics.resize(y_pred.size());
  c.metric_weighted.assign(y_pred.size(), {});
  for (size_t i = 0; i < y_pred.size(); ++i) {
    for (int weighted = 0; weighted < 2; ++weighted) {
      for (const MetricArg& m : weighted ? c.weighted_metric_args : c.metric_args) {
        std::unique_ptr<metrics::Metric> metric =
            m.object() ? m.object()->clone() : metrics::get(m.name(), batch.y.at(i).shape(), y_pred[i].shape());
        std::string prefix = outs.size() > 1 ? outs[i] + "_" : "";
        // Keras names a weighted metric that shares a plain metric's name "weighted_<name>".
        std::string mname = prefix + metric->name();
        if (weighted && std::find(c.metric_names.begin(), c.metric_names.end(), mname) != c.metric_names.end())
          mname = prefix + "weighted_" + metric->name();
        c.metric_names.push_back(mname);
        c.metrics[i].push_back(std::move(metric));
        c.metric_weighted[i].push_back(weighted != 0);
      }
    }
  }
  c.metrics_built = true;
}

void Model::update_metrics(const Batch& batch, const std::vector<Tensor>& y_pred, const Tensor& loss) {
  Compiled& c = *compiled_;
  ensure_metrics(batch, y_pred);
  const double n = y_pred.empty() || y_pred[0].rank() == 0 ? 1.0 : double(y_pred[0].shape()[0]);
  c.loss_total += loss.item<double>() * n;
  c.loss_count += n;
  // Keras: `metrics` ignore sample weights, `weighted_metrics` use them.
  for (size_t i = 0; i < c.metrics.size(); ++i)
    for (size_t j = 0; j < c.metrics[i].size(); ++j)
      c.metrics[i][j]->update_state(batch.y[i], y_pred[i], c.metric_weighted[i][j] ? batch.sample_weight : Tensor());
}

Logs Model::get_metrics_result() const {
  Logs logs;
  if (!compiled_) return logs;
  const Compiled& c = *compiled_;
  if (c.loss_count > 0) logs.set("loss", c.loss_total / c.loss_count);
  size_t k = 0;
  for (const auto& per_output : c.metrics)
    for (const auto& m : per_output) logs.set(c.metric_names[k++], m->result());
  return logs;
}

void Model::reset_metrics() {
  if (!compiled_) return;
  compiled_->loss_total = compiled_->loss_count = 0.0;
  for (auto& per_output : compiled_->metrics)
    for (auto& m : per_output) m->reset_state();
}

// ---- steps -----------------------------------------------------------------------
namespace {
std::vector<Tensor> forward(Model& m, const std::vector<Tensor>& x, bool training) {
  return m(x, training);
}
}  // namespace

namespace {

// A batch as the arguments of a compiled step: x..., y..., [sample_weight].
std::vector<Tensor> step_args(const Batch& b) {
  std::vector<Tensor> a = b.x;
  a.insert(a.end(), b.y.begin(), b.y.end());
  if (b.sample_weight.defined()) a.push_back(b.sample_weight);
  return a;
}

Batch batch_of_args(const std::vector<Tensor>& a, size_t nx, size_t ny, bool sw) {
  Batch b;
  b.x.assign(a.begin(), a.begin() + std::ptrdiff_t(nx));
  b.y.assign(a.begin() + std::ptrdiff_t(nx), a.begin() + std::ptrdiff_t(nx + ny));
  if (sw) b.sample_weight = a[nx + ny];
  return b;
}

std::string step_key(const char* kind, const Batch& b) {
  return std::string(kind) + ":" + std::to_string(b.x.size()) + "," + std::to_string(b.y.size()) + "," +
         (b.sample_weight.defined() ? "1" : "0");
}

}  // namespace

// One training step's tensors: loss, then the predictions.
std::vector<Tensor> Model::train_step_tensors(const Batch& batch) {
  std::vector<Tensor> y_pred;
  Tensor loss;
  std::vector<Tensor> grads;
  std::vector<Variable*> vars;
  {
    GradientTape tape;
    y_pred = forward(*this, batch.x, true);
    loss = compute_loss(batch, y_pred);
    vars = trainable_variables();
    NB_CHECK(!vars.empty(), FailedPrecondition, "model '", name(), "' has no trainable variables");
    grads = tape.gradient(loss, vars);
  }
  compiled_->optimizer->apply_gradients(grads, vars);
  y_pred.insert(y_pred.begin(), loss);
  return y_pred;
}

std::vector<Tensor> Model::run_step(const char* kind, const Batch& batch) {
  Compiled& c = *compiled_;
  const bool train = std::string_view(kind) == "train";
  auto body = [this, train](const Batch& b) -> std::vector<Tensor> {
    if (train) return train_step_tensors(b);
    std::vector<Tensor> y_pred = forward(*this, b.x, false);
    y_pred.insert(y_pred.begin(), compute_loss(b, y_pred));
    return y_pred;
  };
  if (c.options.run_eagerly) return body(batch);
  std::unique_ptr<Function>& f = c.step_functions[step_key(kind, batch)];
  if (!f) {
    const size_t nx = batch.x.size(), ny = batch.y.size();
    const bool sw = batch.sample_weight.defined();
    f = std::make_unique<Function>(
        [body, nx, ny, sw](const std::vector<Tensor>& a) { return body(batch_of_args(a, nx, ny, sw)); },
        FunctionOptions{.name = name() + "/" + kind, .dynamic_batch = true});
  }
  return f->call(step_args(batch));
}

Logs Model::train_step(const Batch& batch) {
  NB_CHECK(compiled_ != nullptr, FailedPrecondition, "model '", name(), "' must be compiled before training");
  detail::ScopedFlushDenormal ftz;  // as TensorFlow: training never crawls through subnormals
  std::vector<Tensor> out = run_step("train", batch);
  const Tensor loss = out[0];
  out.erase(out.begin());
  update_metrics(batch, out, loss);
  return get_metrics_result();
}

Logs Model::test_step(const Batch& batch) {
  NB_CHECK(compiled_ != nullptr, FailedPrecondition, "model '", name(), "' must be compiled before evaluation");
  detail::ScopedFlushDenormal ftz;
  std::vector<Tensor> out = run_step("test", batch);
  const Tensor loss = out[0];
  out.erase(out.begin());
  update_metrics(batch, out, loss);
  return get_metrics_result();
}

std::vector<Tensor> Model::predict_batch(const std::vector<Tensor>& x) {
  if (!compiled_ || compiled_->options.run_eagerly) return forward(*this, x, false);
  std::unique_ptr<Function>& f = compiled_->step_functions["predict:" + std::to_string(x.size())];
  if (!f)
    f = std::make_unique<Function>([this](const std::vector<Tensor>& a) { return forward(*this, a, false); },
                                   FunctionOptions{.name = name() + "/predict", .dynamic_batch = true});
  return f->call(x);
}

namespace {

int64_t num_samples(const std::vector<Tensor>& ts, const char* what) {
  NB_CHECK(!ts.empty(), InvalidArgument, "no ", what, " tensors given");
  int64_t n = -1;
  for (const Tensor& t : ts) {
    NB_CHECK(t.defined(), InvalidArgument, "an undefined ", what, " tensor was given");
    NB_CHECK(t.rank() >= 1, InvalidArgument, what, " tensors need a batch dimension, got a scalar");
    if (n < 0) n = t.shape()[0];
    NB_CHECK(t.shape()[0] == n, InvalidArgument, "all ", what, " tensors must have the same number of samples; got ",
             n, " and ", t.shape()[0]);
  }
  return n;
}

std::vector<Tensor> take_rows(const std::vector<Tensor>& ts, const Tensor& idx, int64_t start, int64_t end) {
  std::vector<Tensor> out;
  out.reserve(ts.size());
  for (const Tensor& t : ts) {
    if (idx.defined()) out.push_back(gather(t, idx, 0));
    else out.push_back(t.index({Slice(start, end)}));
  }
  return out;
}

Tensor take_rows(const Tensor& t, const Tensor& idx, int64_t start, int64_t end) {
  if (!t.defined()) return t;
  return idx.defined() ? gather(t, idx, 0) : t.index({Slice(start, end)});
}

// Per-sample weights from class_weight (sparse labels or one-hot targets) times sample_weight.
Tensor combined_sample_weight(const std::vector<Tensor>& y, const std::map<int64_t, double>& class_weight,
                              const Tensor& sample_weight, int64_t n) {
  if (class_weight.empty()) {
    if (!sample_weight.defined()) return {};
    NB_CHECK(sample_weight.rank() == 1 && sample_weight.shape()[0] == n, InvalidArgument,
             "sample_weight must have shape (", n, ",) (one weight per sample), got ", sample_weight.shape().tuple_str());
    return cast(sample_weight, DType::float32);
  }
  NB_CHECK(y.size() == 1, InvalidArgument, "class_weight is supported for single-output models only");
  const Tensor& t = y[0];
  std::vector<int64_t> labels;
  if (t.rank() == 1 || (t.rank() == 2 && t.shape()[1] == 1)) {
    for (double v : t.to_vector<double>()) labels.push_back(int64_t(v));
  } else {
    NB_CHECK(t.rank() == 2, InvalidArgument, "class_weight needs labels of shape (N,) or one-hot (N, C), got ",
             t.shape().tuple_str());
    std::vector<double> v = t.to_vector<double>();
    int64_t c = t.shape()[1];
    for (int64_t i = 0; i < n; ++i)
      labels.push_back(int64_t(std::max_element(v.begin() + i * c, v.begin() + (i + 1) * c) - (v.begin() + i * c)));
  }
  std::vector<float> w(size_t(n), 1.0f);
  std::vector<float> sw = sample_weight.defined() ? cast(sample_weight, DType::float32).to_vector<float>()
                                                  : std::vector<float>(size_t(n), 1.0f);
  NB_CHECK(int64_t(sw.size()) == n, InvalidArgument, "sample_weight must have ", n, " values, got ", sw.size());
  for (int64_t i = 0; i < n; ++i) {
    auto it = class_weight.find(labels[size_t(i)]);
    w[size_t(i)] = float(it == class_weight.end() ? 1.0 : it->second) * sw[size_t(i)];
  }
  return constant(w, Shape{n});
}

// The progress bar fit/evaluate/predict add for verbose > 0 (null otherwise).
std::shared_ptr<callbacks::ProgbarLogger> make_progbar(int verbose, int epochs, int64_t steps) {
  if (verbose <= 0) return nullptr;
  auto p = std::make_shared<callbacks::ProgbarLogger>(callbacks::ProgbarLoggerOptions{.verbose = verbose});
  p->set_params(epochs, steps);
  return p;
}

// A batch from a Dataset element: (x, y) or (x, y, sample_weight).
Batch batch_from_element(const data::Element& e, size_t num_inputs, size_t num_outputs) {
  Batch b;
  NB_CHECK(e.size() >= num_inputs + num_outputs && e.size() <= num_inputs + num_outputs + 1, InvalidArgument,
           "dataset elements must be (x, y) or (x, y, sample_weight) for a model with ", num_inputs, " input(s) and ",
           num_outputs, " output(s); got an element of ", e.size(), " tensors");
  b.x.assign(e.begin(), e.begin() + int64_t(num_inputs));
  b.y.assign(e.begin() + int64_t(num_inputs), e.begin() + int64_t(num_inputs + num_outputs));
  if (e.size() == num_inputs + num_outputs + 1) b.sample_weight = e.back();
  return b;
}

}  // namespace

// ---- fit -------------------------------------------------------------------------
callbacks::History Model::fit(const Tensor& x, const Tensor& y, const FitOptions& options) {
  return fit_impl({x}, {y}, nullptr, options);
}

callbacks::History Model::fit(const std::vector<Tensor>& x, const std::vector<Tensor>& y, const FitOptions& options) {
  return fit_impl(x, y, nullptr, options);
}

callbacks::History Model::fit(const data::Dataset& dataset, const FitOptions& options) {
  return fit_impl({}, {}, &dataset, options);
}

namespace {
size_t num_model_inputs(Model& m) { return m.is_functional() ? m.inputs().size() : 1; }
size_t num_model_outputs(Model& m) { return m.is_functional() ? m.outputs().size() : 1; }
}  // namespace

Model::TrainingState Model::training_state() const {
  if (!progress_) return {};
  TrainingState st = progress_->state;
  if (st.step > 0 && compiled_) {
    st.loss_total = compiled_->loss_total;
    st.loss_count = compiled_->loss_count;
  }
  return st;
}

void Model::resume_from(const TrainingState& state) {
  NB_CHECK(state.epoch >= 0 && state.step >= 0, InvalidArgument, "resume_from: epoch and step must be >= 0, got epoch ",
           state.epoch, " step ", state.step);
  if (!progress_) progress_ = std::make_unique<FitProgress>();
  progress_->resume = state;
}

callbacks::History Model::fit_impl(const std::vector<Tensor>& x_all, const std::vector<Tensor>& y_all,
                                   const data::Dataset* dataset, const FitOptions& o) {
  NB_CHECK(compiled_ != nullptr, FailedPrecondition, "model '", name(), "' must be compiled before fit()");
  NB_CHECK(o.batch_size > 0, InvalidArgument, "fit(): batch_size must be positive, got ", o.batch_size);
  NB_CHECK(o.epochs >= 0, InvalidArgument, "fit(): epochs must be >= 0, got ", o.epochs);
  NB_CHECK(o.initial_epoch >= 0, InvalidArgument, "fit(): initial_epoch must be >= 0, got ", o.initial_epoch);
  NB_CHECK(o.verbose >= 0 && o.verbose <= 2, InvalidArgument, "fit(): verbose must be 0, 1 or 2, got ", o.verbose);
  NB_CHECK(o.validation_split >= 0.0 && o.validation_split < 1.0, InvalidArgument,
           "fit(): validation_split must be in [0, 1), got ", o.validation_split);
  NB_CHECK(!o.steps_per_epoch || *o.steps_per_epoch > 0, InvalidArgument, "fit(): steps_per_epoch must be positive");
  NB_CHECK(o.validation_freq > 0, InvalidArgument, "fit(): validation_freq must be positive, got ", o.validation_freq);

  std::vector<Tensor> x = x_all, y = y_all;
  Tensor sw;
  int64_t n = 0;
  std::optional<ValidationData> val = o.validation_data;
  if (!dataset) {
    n = num_samples(x, "x");
    NB_CHECK(num_samples(y, "y") == n, InvalidArgument, "fit(): x has ", n, " samples but y has ", y[0].shape()[0]);
    sw = combined_sample_weight(y, o.class_weight, o.sample_weight, n);
    if (o.validation_split > 0.0) {
      NB_CHECK(!val, InvalidArgument, "fit(): give validation_split or validation_data, not both");
      int64_t split = int64_t(std::floor(double(n) * (1.0 - o.validation_split)));
      NB_CHECK(split > 0 && split < n, InvalidArgument, "fit(): validation_split ", o.validation_split, " of ", n,
               " samples leaves an empty training or validation set");
      std::vector<Tensor> vx, vy;
      for (Tensor& t : x) {
        vx.push_back(t.index({Slice(split, None)}));
        t = t.index({Slice(None, split)});
      }
      for (Tensor& t : y) {
        vy.push_back(t.index({Slice(split, None)}));
        t = t.index({Slice(None, split)});
      }
      Tensor vsw;
      if (sw.defined()) {
        vsw = sw.index({Slice(split, None)});
        sw = sw.index({Slice(None, split)});
      }
      val = ValidationData(vx, vy, vsw);
      n = split;
    }
  } else {
    NB_CHECK(o.validation_split == 0.0, InvalidArgument, "fit(): validation_split is not supported for a Dataset");
    NB_CHECK(o.class_weight.empty() && !o.sample_weight.defined(), InvalidArgument,
             "fit(): with a Dataset, put sample weights in its elements (x, y, sample_weight)");
  }

  int64_t steps = 0;  // 0: unknown
  if (!dataset) {
    steps = (n + o.batch_size - 1) / o.batch_size;
    if (o.steps_per_epoch) steps = std::min(steps, *o.steps_per_epoch);
  } else if (o.steps_per_epoch) {
    steps = *o.steps_per_epoch;
  } else if (dataset->cardinality() >= 0) {
    steps = dataset->cardinality();
  } else {
    NB_CHECK(dataset->cardinality() != data::Dataset::INFINITE, InvalidArgument,
             "fit(): the dataset is infinite; give steps_per_epoch");
  }

  callbacks::History history;
  auto history_ptr = std::shared_ptr<callbacks::History>(std::shared_ptr<callbacks::History>(), &history);
  detail::CallbackList cbs(o.callbacks, make_progbar(o.verbose, o.epochs, steps), history_ptr, this);

  // The shuffle generator: explicit seed, else drawn from the global generator.
  uint64_t shuffle_seed = o.seed ? *o.seed : random::default_generator().advance(1) ^ 0x9E3779B97F4A7C15ull;
  std::mt19937_64 rng(shuffle_seed);
  std::vector<int64_t> perm(static_cast<size_t>(n));
  auto rng_state = [&rng] {
    std::ostringstream os;
    os << rng;
    return os.str();
  };

  stop_training = false;
  std::optional<data::Dataset::Iterator> persistent_it;
  if (!progress_) progress_ = std::make_unique<FitProgress>();
  progress_->state = TrainingState{.epoch = o.initial_epoch, .step = 0, .shuffle_state = rng_state()};
  cbs.on_train_begin({});
  // A checkpoint restored before or during on_train_begin (BackupAndRestore) says where to continue.
  int first_epoch = o.initial_epoch;
  int64_t skip_steps = 0;
  std::optional<TrainingState> resume;
  resume.swap(progress_->resume);
  if (resume) {
    first_epoch = resume->epoch;
    skip_steps = resume->step;
    if (!resume->shuffle_state.empty()) {
      std::istringstream is(resume->shuffle_state);
      is >> rng;
      NB_CHECK(!is.fail(), DataLoss, "fit(): the checkpoint's shuffle generator state is malformed");
    }
  }
  const size_t nin = dataset ? num_model_inputs(*this) : x.size();
  const size_t nout = dataset ? num_model_outputs(*this) : y.size();
  for (int epoch = first_epoch; epoch < o.epochs && !stop_training; ++epoch) {
    reset_metrics();
    progress_->state = TrainingState{.epoch = epoch, .step = 0, .shuffle_state = rng_state()};
    const int64_t skip = epoch == first_epoch ? skip_steps : 0;
    if (skip > 0) {  // the batches the interrupted run trained: keep its running loss
      compiled_->loss_total = resume->loss_total;
      compiled_->loss_count = resume->loss_count;
      progress_->state.step = skip;
    }
    cbs.on_epoch_begin(epoch, {});
    Logs logs;
    if (!dataset) {
      Tensor perm_t;
      if (o.shuffle) {
        std::iota(perm.begin(), perm.end(), int64_t(0));
        std::shuffle(perm.begin(), perm.end(), rng);
        perm_t = constant(perm, Shape{n}, DType::int64);
      }
      for (int64_t step = skip; step < steps; ++step) {
        cbs.on_train_batch_begin(step, {});
        int64_t start = step * o.batch_size, end = std::min(n, start + o.batch_size);
        Tensor idx = o.shuffle ? perm_t.index({Slice(start, end)}) : Tensor();
        Batch b{take_rows(x, idx, start, end), take_rows(y, idx, start, end), take_rows(sw, idx, start, end)};
        logs = train_step(b);
        progress_->state.step = step + 1;
        cbs.on_train_batch_end(step, logs);
        if (stop_training) break;
      }
    } else {
      std::optional<data::Dataset::Iterator> epoch_it;
      data::Dataset::Iterator* it;
      if (o.steps_per_epoch) {
        if (!persistent_it) persistent_it.emplace(dataset->make_iterator());
        it = &*persistent_it;
      } else {
        epoch_it.emplace(dataset->make_iterator());
        it = &*epoch_it;
      }
      int64_t step = 0;
      for (; step < skip; ++step)  // batches the interrupted run trained
        NB_CHECK(it->next().has_value(), InvalidArgument, "fit(): the dataset ran out while skipping the ", skip,
                 " batches a checkpoint had already trained");
      for (; !o.steps_per_epoch || step < *o.steps_per_epoch; ++step) {
        std::optional<data::Element> e = it->next();
        if (!e) {
          if (o.steps_per_epoch) {
            std::cerr << "WARNING: your input ran out of data; interrupting training. Make sure the dataset can "
                         "generate steps_per_epoch * epochs batches (use repeat()).\n";
            stop_training = true;
          }
          break;
        }
        cbs.on_train_batch_begin(step, {});
        logs = train_step(batch_from_element(*e, nin, nout));
        progress_->state.step = step + 1;
        cbs.on_train_batch_end(step, logs);
        if (stop_training) break;
      }
      NB_CHECK(step > 0 || stop_training, InvalidArgument, "fit(): the dataset produced no batches");
    }
    Logs epoch_logs = get_metrics_result();
    if (val && (epoch + 1 - o.initial_epoch) % o.validation_freq == 0) {
      int64_t vbs = o.validation_batch_size.value_or(o.batch_size);
      Logs vl = val->dataset ? evaluate_impl({}, {}, {}, val->dataset.get(), vbs, 0, o.validation_steps, {}, true)
                             : evaluate_impl(val->x, val->y, val->sample_weight, nullptr, vbs, 0, o.validation_steps,
                                             {}, true);
      for (const auto& [k, v] : vl) epoch_logs.set("val_" + k, v);
    }
    // The epoch is complete: a checkpoint taken now continues with the next one.
    progress_->state = TrainingState{.epoch = epoch + 1, .step = 0, .shuffle_state = rng_state()};
    cbs.on_epoch_end(epoch, epoch_logs);
  }
  cbs.on_train_end({});
  history.set_model(nullptr);
  return history;
}

// ---- evaluate / predict ------------------------------------------------------------
Logs Model::evaluate(const Tensor& x, const Tensor& y, const EvaluateOptions& o) {
  return evaluate_impl({x}, {y}, o.sample_weight, nullptr, o.batch_size, o.verbose, o.steps, o.callbacks, false);
}

Logs Model::evaluate(const std::vector<Tensor>& x, const std::vector<Tensor>& y, const EvaluateOptions& o) {
  return evaluate_impl(x, y, o.sample_weight, nullptr, o.batch_size, o.verbose, o.steps, o.callbacks, false);
}

Logs Model::evaluate(const data::Dataset& dataset, const EvaluateOptions& o) {
  return evaluate_impl({}, {}, {}, &dataset, o.batch_size, o.verbose, o.steps, o.callbacks, false);
}

Logs Model::evaluate_impl(const std::vector<Tensor>& x, const std::vector<Tensor>& y, const Tensor& sample_weight,
                          const data::Dataset* dataset, int64_t batch_size, int verbose, std::optional<int64_t> steps,
                          const std::vector<CallbackArg>& callback_args, bool from_fit) {
  NB_CHECK(compiled_ != nullptr, FailedPrecondition, "model '", name(), "' must be compiled before evaluate()");
  NB_CHECK(batch_size > 0, InvalidArgument, "evaluate(): batch_size must be positive, got ", batch_size);
  NB_CHECK(verbose >= 0 && verbose <= 2, InvalidArgument, "evaluate(): verbose must be 0, 1 or 2, got ", verbose);
  // Validation inside fit keeps the training metrics' running values intact.
  double saved_total = compiled_->loss_total, saved_count = compiled_->loss_count;
  std::vector<std::vector<std::unique_ptr<metrics::Metric>>> saved_metrics;
  if (from_fit) {
    for (auto& per_output : compiled_->metrics) {
      saved_metrics.emplace_back();
      for (auto& m : per_output) {
        saved_metrics.back().push_back(std::move(m));
        m = saved_metrics.back().back()->clone();
      }
    }
  }
  reset_metrics();
  int64_t n = 0, nsteps = 0;
  if (!dataset) {
    n = num_samples(x, "x");
    NB_CHECK(num_samples(y, "y") == n, InvalidArgument, "evaluate(): x has ", n, " samples but y has ",
             y[0].shape()[0]);
    nsteps = (n + batch_size - 1) / batch_size;
  } else {
    nsteps = dataset->cardinality() >= 0 ? dataset->cardinality() : 0;
  }
  if (steps) nsteps = nsteps > 0 ? std::min(nsteps, *steps) : *steps;
  Tensor sw = dataset ? Tensor() : combined_sample_weight(y, {}, sample_weight, n);
  detail::CallbackList cbs(callback_args, make_progbar(verbose, 1, nsteps), nullptr, this);
  cbs.on_test_begin({});
  Logs logs;
  if (!dataset) {
    for (int64_t step = 0; step < nsteps; ++step) {
      cbs.on_test_batch_begin(step, {});
      int64_t start = step * batch_size, end = std::min(n, start + batch_size);
      Batch b{take_rows(x, Tensor(), start, end), take_rows(y, Tensor(), start, end),
              take_rows(sw, Tensor(), start, end)};
      logs = test_step(b);
      cbs.on_test_batch_end(step, logs);
    }
  } else {
    auto it = dataset->make_iterator();
    const size_t nin = num_model_inputs(*this), nout = num_model_outputs(*this);
    for (int64_t step = 0; !steps || step < *steps; ++step) {
      std::optional<data::Element> e = it.next();
      if (!e) break;
      cbs.on_test_batch_begin(step, {});
      logs = test_step(batch_from_element(*e, nin, nout));
      cbs.on_test_batch_end(step, logs);
    }
  }
  logs = get_metrics_result();
  cbs.on_test_end(logs);
  if (from_fit) {
    compiled_->loss_total = saved_total;
    compiled_->loss_count = saved_count;
    for (size_t i = 0; i < saved_metrics.size(); ++i)
      for (size_t j = 0; j < saved_metrics[i].size(); ++j) compiled_->metrics[i][j] = std::move(saved_metrics[i][j]);
  }
  return logs;
}

Tensor Model::predict(const Tensor& x, const PredictOptions& o) {
  std::vector<Tensor> ys = predict(std::vector<Tensor>{x}, o);
  NB_CHECK(ys.size() == 1, InvalidArgument, "model '", name(), "' has ", ys.size(),
           " outputs; use predict with a list of inputs to get them all");
  return ys[0];
}

std::vector<Tensor> Model::predict(const std::vector<Tensor>& x, const PredictOptions& o) {
  NB_CHECK(o.batch_size > 0, InvalidArgument, "predict(): batch_size must be positive, got ", o.batch_size);
  int64_t n = num_samples(x, "x");
  int64_t nsteps = (n + o.batch_size - 1) / o.batch_size;
  if (o.steps) nsteps = std::min(nsteps, *o.steps);
  detail::CallbackList cbs(o.callbacks, make_progbar(o.verbose, 1, nsteps), nullptr, this);
  cbs.on_predict_begin({});
  std::vector<std::vector<Tensor>> parts;
  for (int64_t step = 0; step < nsteps; ++step) {
    cbs.on_predict_batch_begin(step, {});
    int64_t start = step * o.batch_size, end = std::min(n, start + o.batch_size);
    std::vector<Tensor> ys = predict_batch(take_rows(x, Tensor(), start, end));
    if (parts.empty()) parts.resize(ys.size());
    for (size_t i = 0; i < ys.size(); ++i) parts[i].push_back(ys[i]);
    cbs.on_predict_batch_end(step, {});
  }
  cbs.on_predict_end({});
  std::vector<Tensor> out;
  for (auto& p : parts) out.push_back(p.size() == 1 ? p[0] : concat(p, 0));
  return out;
}

Logs Model::train_on_batch(const Tensor& x, const Tensor& y, const Tensor& sample_weight) {
  reset_metrics();
  return train_step(Batch{{x}, {y}, sample_weight});
}

Logs Model::test_on_batch(const Tensor& x, const Tensor& y, const Tensor& sample_weight) {
  reset_metrics();
  return test_step(Batch{{x}, {y}, sample_weight});
}

Tensor Model::predict_on_batch(const Tensor& x) {
  std::vector<Tensor> ys = predict_batch({x});
  NB_CHECK(ys.size() == 1, InvalidArgument, "model '", name(), "' has ", ys.size(), " outputs");
  return ys[0];
}

}  // namespace nabla
