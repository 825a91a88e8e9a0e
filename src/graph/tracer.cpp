// Tracer (see tracer.h).
#include "graph/tracer.h"

#include "nabla/core/error.h"

namespace nabla::graph {

Tracer::Tracer(const std::vector<Tensor>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    Node n;
    n.kind = NodeKind::Input;
    n.arg = int(i);
    const TensorSpec spec{args[i].shape(), args[i].dtype()};
    g_.input_specs.push_back(spec);
    const int idx = g_.add_node(std::move(n), {spec});
    // The first of several identical arguments names the tensor (the signature
    // records the aliasing, so a call with distinct tensors traces again).
    if (!value_of_impl_.count(args[i].impl_ptr().get())) define(args[i], g_.nodes[size_t(idx)].output(0));
  }
}

void Tracer::define(const Tensor& t, int value) {
  value_of_impl_[t.impl_ptr().get()] = value;
  keep_.push_back(t);
  if (dynamic_.size() < g_.values.size()) dynamic_.resize(g_.values.size(), 0);
  const Node& n = g_.nodes[size_t(g_.values[size_t(value)].producer)];
  bool dyn = n.kind != NodeKind::Constant;
  if (n.kind == NodeKind::Op) {
    dyn = false;
    for (int v : n.inputs) dyn |= dynamic_[size_t(v)] != 0;
  }
  dynamic_[size_t(value)] = dyn ? 1 : 0;
}

void Tracer::on_host_read(const Tensor& t) {
  auto it = value_of_impl_.find(t.impl_ptr().get());
  bool dyn = it != value_of_impl_.end() && dynamic_[size_t(it->second)];
  if (it == value_of_impl_.end()) dyn = Variable::owner_of(t).defined();
  NB_CHECK(!dyn, FailedPrecondition,
           "nb::function: the traced code reads the values of a tensor of shape ", t.shape().str(),
           " that depends on the function's inputs or variables on the host (item(), to_vector(), data()); "
           "the graph would freeze the values seen while tracing. Compute with ops instead, or run this "
           "code outside the function (or with run_eagerly)");
}

int Tracer::value_of(const Tensor& t) {
  auto it = value_of_impl_.find(t.impl_ptr().get());
  if (it != value_of_impl_.end()) return it->second;
  const TensorSpec spec{t.shape(), t.dtype()};
  Node n;
  Variable var = Variable::owner_of(t);
  if (var.defined()) {
    // A variable's value (current, or a snapshot from before an assignment inside the
    // function: the tracer keeps every tensor alive, so assignments always copy on
    // write and a snapshot is never the current value).
    n.kind = NodeKind::ReadVariable;
    n.variable = g_.variable_index(var);
  } else {
    n.kind = NodeKind::Constant;
    n.constant = t;
  }
  const int idx = g_.add_node(std::move(n), {spec});
  const int v = g_.nodes[size_t(idx)].output(0);
  define(t, v);
  return v;
}

void Tracer::on_op(const OpDef& op, Inputs inputs, const Attrs& attrs, Inputs outputs) {
  Node n;
  n.kind = NodeKind::Op;
  n.op = &op;
  n.attrs = attrs;
  for (const Tensor& t : inputs) n.inputs.push_back(value_of(t));
  std::vector<TensorSpec> specs;
  for (const Tensor& t : outputs) specs.push_back({t.shape(), t.dtype()});
  const int idx = g_.add_node(std::move(n), specs);
  for (size_t o = 0; o < outputs.size(); ++o) define(outputs[o], g_.nodes[size_t(idx)].output(int(o)));
}

void Tracer::on_stateful(const StatefulCall& call, Inputs inputs, Inputs outputs) {
  Node n;
  n.kind = NodeKind::Stateful;
  n.attrs = call.attrs;
  for (const Tensor& t : inputs) n.inputs.push_back(value_of(t));
  for (Variable* v : call.variables) {
    NB_CHECK(v != nullptr && v->defined(), Internal, "nb::function: ", call.kind, " names an undefined variable");
    n.call_variables.push_back(g_.variable_index(*v));
  }
  n.call = std::make_shared<const StatefulCall>(call);
  std::vector<TensorSpec> specs;
  for (const Tensor& t : outputs) specs.push_back({t.shape(), t.dtype()});
  const int idx = g_.add_node(std::move(n), specs);
  for (size_t o = 0; o < outputs.size(); ++o) define(outputs[o], g_.nodes[size_t(idx)].output(int(o)));
}

Graph Tracer::finish(const std::vector<Tensor>& results, const std::string& function_name) {
  for (size_t i = 0; i < results.size(); ++i) {
    NB_CHECK(results[i].defined(), InvalidArgument, "nb::function '", function_name, "': output #", i,
             " is an undefined tensor");
    g_.outputs.push_back(value_of(results[i]));
  }
  return std::move(g_);
}

}  // namespace nabla::graph
