// nb::function: the per-signature cache, tracing and execution (see function.h).
#include "nabla/graph/function.h"

#include "graph/executor.h"
#include "graph/function_internal.h"
#include "graph/tracer.h"

namespace nabla {

namespace graph {

namespace {
// Appends ", float32[2,3]" (no comma before the first argument).
void append_spec(std::string& s, size_t i, DType dtype, const Shape& shape) {
  if (i) s += ", ";
  s += dtype_name(dtype);
  s += shape.str();
}
}  // namespace

std::string signature_of(const std::vector<Tensor>& args) {
  std::string s = "(";
  for (size_t i = 0; i < args.size(); ++i) {
    const Tensor& t = args[i];
    append_spec(s, i, t.dtype(), t.shape());
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

std::string signature_of_specs(const std::vector<TensorSpec>& specs) {
  std::string s = "(";
  for (size_t i = 0; i < specs.size(); ++i) append_spec(s, i, specs[i].dtype, specs[i].shape);
  return s + ")";
}

void check_args(const std::vector<Tensor>& args, const std::string& name) {
  for (size_t i = 0; i < args.size(); ++i)
    NB_CHECK(args[i].defined(), InvalidArgument, "nb::function '", name, "': argument #", i,
             " is an undefined tensor");
}

ConcreteFunction::ConcreteFunction(std::string sig, Graph traced_graph, bool optimize_graph)
    : signature(std::move(sig)), traced(std::make_shared<const Graph>(traced_graph)) {
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
  return i;
}

}  // namespace graph

struct Function::Impl {
  Body body;
  FunctionOptions options;
  std::vector<std::unique_ptr<graph::ConcreteFunction>> concretes;
  std::mutex mu;
};

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
    for (auto& c : m.concretes)
      if (c->signature == sig) cf = c.get();
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
      return results;
    }
  }
  return cf->exec->run(args);
}

int64_t Function::num_traces() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return int64_t(impl_->concretes.size());
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
  graph::save_function(path, impl_->options.name, cs);
}

}  // namespace nabla
