// nb::function: the per-signature cache, tracing and execution (see function.h).
#include "nabla/graph/function.h"

#include <map>
#include <optional>

#include "graph/dynamic_batch.h"
#include "graph/executor.h"
#include "graph/function_internal.h"
#include "graph/tracer.h"

namespace nabla {

namespace graph {

namespace {
// Appends ", float32[2,3]" (no comma before the first argument); with `any_batch`,
// dimension 0 as "?": "float32[?,3]".
void append_spec(std::string& s, size_t i, DType dtype, const Shape& shape, bool any_batch) {
  if (i) s += ", ";
  s += dtype_name(dtype);
  if (any_batch && !shape.empty()) {  // "[8]" with "?," after its '['
    const std::string dims = Shape(shape.begin() + 1, shape.end()).str();
    s += shape.size() == 1 ? "[?" : "[?,";
    s.append(dims, 1, std::string::npos);
  } else {
    s += shape.str();
  }
}
}  // namespace

std::string signature_of(const std::vector<Tensor>& args, bool any_batch) {
  std::string s = "(";
  for (size_t i = 0; i < args.size(); ++i) {
    const Tensor& t = args[i];
    append_spec(s, i, t.dtype(), t.shape(), any_batch);
    if (!t.device().is_cpu()) {
      s += '@';
      s += t.device().str();
    }
    for (size_t j = 0; j < i; ++j)
      if (args[j].is_same(t)) {
        s += "=#";
        s += std::to_string(j);
        break;
      }
  }
  return s + ")";
}

std::string signature_of_specs(const std::vector<TensorSpec>& specs, bool any_batch) {
  std::string s = "(";
  for (size_t i = 0; i < specs.size(); ++i) append_spec(s, i, specs[i].dtype, specs[i].shape, any_batch);
  return s + ")";
}

void check_args(const std::vector<Tensor>& args, const std::string& name) {
  for (size_t i = 0; i < args.size(); ++i)
    NB_CHECK(args[i].defined(), InvalidArgument, "nb::function '", name, "': argument #", i,
             " is an undefined tensor");
}

ConcreteFunction::ConcreteFunction(std::string sig, Graph traced_graph, bool optimize_graph, bool generalized_)
    : signature(std::move(sig)), traced(std::make_shared<const Graph>(traced_graph)), generalized(generalized_) {
  traced_nodes = int64_t(traced_graph.nodes.size());
  if (optimize_graph) optimize(traced_graph);
  traced_graph.compact();
  exec = std::make_unique<Executor>(std::make_shared<const Graph>(std::move(traced_graph)));
}

ConcreteFunction::~ConcreteFunction() = default;

ConcreteFunctionInfo ConcreteFunction::info() const {
  ConcreteFunctionInfo i;
  i.signature = signature;
  i.traced_nodes = traced_nodes;
  i.nodes = int64_t(exec->graph().nodes.size());
  i.node_summary = exec->graph().summary();
  i.arena_bytes = exec->arena_bytes();
  i.planned_bytes = exec->planned_bytes();
  i.generalized = generalized;
  return i;
}

}  // namespace graph

// With dynamic_batch: the signatures that differ only in the batch size.
struct BatchFamily {
  std::shared_ptr<const graph::Graph> last;  // the latest trace, at batch size last_b
  int64_t last_b = 0;
  std::optional<graph::BatchTemplate> tmpl;  // generalised from the two latest traces
  std::string why_not;                       // why the latest attempt failed
};

struct Function::Impl {
  Body body;
  FunctionOptions options;
  std::vector<std::unique_ptr<graph::ConcreteFunction>> concretes;
  std::map<std::string, BatchFamily> families;  // dynamic_batch only
  std::mutex mu;

  graph::ConcreteFunction* find(const std::string& sig) {
    for (auto& c : concretes)
      if (c->signature == sig) return c.get();
    return nullptr;
  }
  // The graph for `args` made from their family's batch template; nullptr when
  // there is none yet or it does not hold at this batch size.
  graph::ConcreteFunction* generalize(const std::vector<Tensor>& args, const std::string& sig);
  // Offers a new trace to its family (dynamic_batch) to generalise from.
  void learn(const std::vector<Tensor>& args, const std::shared_ptr<const graph::Graph>& traced);
};

graph::ConcreteFunction* Function::Impl::generalize(const std::vector<Tensor>& args, const std::string& sig) {
  if (!options.dynamic_batch) return nullptr;
  const std::optional<int64_t> b = graph::batch_size_of(args);
  if (!b || *b < 1) return nullptr;
  auto it = families.find(graph::signature_of(args, true));
  if (it == families.end() || !it->second.tmpl) return nullptr;
  BatchFamily& fam = it->second;
  try {
    concretes.push_back(
        std::make_unique<graph::ConcreteFunction>(sig, fam.tmpl->instantiate(*b), options.optimize, /*generalized=*/true));
  } catch (const InvalidArgument& e) {
    fam.why_not = e.what();  // trace this batch size instead
    return nullptr;
  }
  return concretes.back().get();
}

void Function::Impl::learn(const std::vector<Tensor>& args, const std::shared_ptr<const graph::Graph>& traced) {
  if (!options.dynamic_batch) return;
  const std::optional<int64_t> b = graph::batch_size_of(args);
  if (!b || *b < 1) return;
  BatchFamily& fam = families[graph::signature_of(args, true)];
  if (fam.last && fam.last_b != *b) {
    std::string why;
    fam.tmpl = graph::BatchTemplate::generalize(fam.last, fam.last_b, traced, *b, why);
    fam.why_not = fam.tmpl ? std::string() : why;
  }
  fam.last = traced;
  fam.last_b = *b;
}

Function::Function(Body body, FunctionOptions options) : impl_(std::make_unique<Impl>()) {
  NB_CHECK(body != nullptr, InvalidArgument, "nb::function: the callable is empty");
  impl_->body = std::move(body);
  impl_->options = std::move(options);
}
Function::~Function() = default;
Function::Function(Function&&) noexcept = default;
Function& Function::operator=(Function&&) noexcept = default;

const FunctionOptions& Function::options() const { return impl_->options; }

std::vector<Tensor> Function::call(const std::vector<Tensor>& args) {
  Impl& m = *impl_;
  graph::check_args(args, m.options.name);
  // Eager when asked, or when a tape (or an enclosing trace) must see the ops.
  if (m.options.run_eagerly || observers_active()) return m.body(args);
  const std::string sig = graph::signature_of(args);
  graph::ConcreteFunction* cf = nullptr;
  {
    std::lock_guard<std::mutex> lock(m.mu);
    cf = m.find(sig);
    if (!cf) cf = m.generalize(args, sig);
    if (!cf) {
      // Trace: run the body eagerly while recording it; its results are this call's.
      graph::Tracer tracer(args);
      std::vector<Tensor> results;
      {
        ScopedOpObserver registration(tracer);
        results = m.body(args);
      }
      graph::Graph g = tracer.finish(results, m.options.name);
      m.concretes.push_back(std::make_unique<graph::ConcreteFunction>(sig, std::move(g), m.options.optimize));
      m.learn(args, m.concretes.back()->traced);
      return results;
    }
  }
  return cf->exec->run(args);
}

int64_t Function::num_traces() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  int64_t n = 0;
  for (const auto& c : impl_->concretes) n += c->generalized ? 0 : 1;
  return n;
}

std::string Function::dynamic_batch_report() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::string s;
  for (const auto& [family, fam] : impl_->families) {
    s += family;
    if (fam.tmpl) {
      s += ": generalised from batch sizes ";
      s += std::to_string(fam.tmpl->b1());
      s += " and ";
      s += std::to_string(fam.tmpl->b2());
      if (!fam.why_not.empty()) {
        s += "; ";
        s += fam.why_not;
      }
    } else if (!fam.why_not.empty()) {
      s += ": not generalised: ";
      s += fam.why_not;
    } else {
      s += ": traced at batch size ";
      s += std::to_string(fam.last_b);
      s += " only";
    }
    s += '\n';
  }
  return s;
}

std::vector<ConcreteFunctionInfo> Function::concrete_functions() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<ConcreteFunctionInfo> out;
  for (const auto& c : impl_->concretes) out.push_back(c->info());
  return out;
}

void Function::save(const std::string& path) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  NB_CHECK(!impl_->concretes.empty(), FailedPrecondition, "nb::function '", impl_->options.name,
           "': nothing to save yet; call the function once so that it is traced");
  std::vector<const graph::ConcreteFunction*> cs;
  for (const auto& c : impl_->concretes) cs.push_back(c.get());
  graph::save_function(path, impl_->options.name, cs, impl_->options.dynamic_batch);
}

}  // namespace nabla
