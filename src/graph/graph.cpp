// Graph IR helpers (see graph.h).
#include "graph/graph.h"

#include <map>

#include "nabla/ops/creation.h"

namespace nabla::graph {

int Graph::add_node(Node node, const std::vector<TensorSpec>& out_specs) {
  const int index = int(nodes.size());
  node.first_output = int(values.size());
  node.num_outputs = int(out_specs.size());
  for (const TensorSpec& s : out_specs) values.push_back(Value{s, index});
  nodes.push_back(std::move(node));
  return index;
}

void Graph::replace_uses(int from, int to) {
  for (Node& n : nodes)
    for (int& v : n.inputs)
      if (v == from) v = to;
  for (int& v : outputs)
    if (v == from) v = to;
}

void Graph::compact() {
  std::vector<Node> kept;
  kept.reserve(nodes.size());
  for (Node& n : nodes)
    if (!n.dead) kept.push_back(std::move(n));
  nodes = std::move(kept);
  for (Value& v : values) v.producer = -1;  // values of dropped nodes have none
  for (size_t i = 0; i < nodes.size(); ++i)
    for (int o = 0; o < nodes[i].num_outputs; ++o) values[size_t(nodes[i].output(o))].producer = int(i);
}

std::string Graph::summary() const {
  std::map<std::string, int> counts;
  for (const Node& n : nodes) {
    if (n.dead) continue;
    switch (n.kind) {
      case NodeKind::Input: ++counts["Input"]; break;
      case NodeKind::Constant: ++counts["Constant"]; break;
      case NodeKind::ReadVariable: ++counts["ReadVariable"]; break;
      case NodeKind::Op: ++counts["Op:" + n.op->name]; break;
      case NodeKind::Stateful: ++counts["Stateful:" + n.call->kind]; break;
    }
  }
  std::string s;
  for (const auto& [k, c] : counts) s += (s.empty() ? "" : " ") + k + "=" + std::to_string(c);
  return s;
}

int Graph::variable_index(const Variable& v) {
  for (size_t i = 0; i < variables.size(); ++i)
    if (variables[i]->id() == v.id()) return int(i);
  variables.push_back(std::make_shared<Variable>(v.share()));
  return int(variables.size() - 1);
}

std::string check_op_outputs(const OpDef& op, const std::vector<TensorSpec>& inputs, const Attrs& attrs,
                             const std::vector<TensorSpec>& outputs) {
  std::vector<TensorSpec> inferred;
  try {
    PauseOpObservers pause;
    std::vector<Tensor> ins;
    for (const TensorSpec& s : inputs) ins.push_back(zeros(s.shape, s.dtype));
    if (op.compute) {  // a composite op has no inference of its own: run it on zeros
      for (const Tensor& t : op.compute(ins, attrs)) inferred.push_back({t.shape(), t.dtype()});
    } else {
      inferred = op.infer(ins, attrs);
    }
  } catch (const Error& e) {
    return std::string("the op rejects its recorded inputs: ") + e.what();
  }
  bool same = inferred.size() == outputs.size();
  for (size_t k = 0; same && k < outputs.size(); ++k)
    same = inferred[k].shape == outputs[k].shape && inferred[k].dtype == outputs[k].dtype;
  return same ? std::string() : std::string("the recorded output shapes differ from the op's");
}

void optimize(Graph& g, const PassOptions& o) {
  if (o.constant_folding) fold_constants(g);
  if (o.algebraic_simplification) simplify_algebra(g);
  if (o.common_subexpressions) eliminate_common_subexpressions(g);
  if (o.dead_code) eliminate_dead_code(g);
  if (o.fusion) {
    fuse(g);
    if (o.dead_code) eliminate_dead_code(g);
  }
}

}  // namespace nabla::graph
