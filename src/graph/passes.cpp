// Graph passes: constant folding, algebraic simplification, common-subexpression
// and dead-code elimination (graph.h). Fusion is in fusion.cpp.
#include <cstring>
#include <unordered_map>

#include "graph/graph.h"
#include "nabla/core/error.h"

namespace nabla::graph {

namespace {

constexpr int64_t kMaxFoldedBytes = int64_t(16) << 20;

const Node* producer(const Graph& g, int v) { return &g.nodes[size_t(g.values[size_t(v)].producer)]; }

bool is_constant(const Graph& g, int v) { return producer(g, v)->kind == NodeKind::Constant; }

// True when the constant value `v` has every element equal to `x`.
bool constant_all(const Graph& g, int v, double x) {
  if (!is_constant(g, v)) return false;
  const Tensor& t = producer(g, v)->constant;
  if (t.size() > 4096 || t.dtype() == DType::bool_) return false;
  for (double e : t.to_vector<double>())
    if (e != x) return false;
  return true;
}

bool same_spec(const TensorSpec& a, const TensorSpec& b) { return a.shape == b.shape && a.dtype == b.dtype; }

// Recomputes the producer of every value after node indices changed or nodes died.
void refresh_producers(Graph& g) {
  for (size_t i = 0; i < g.nodes.size(); ++i)
    for (int o = 0; o < g.nodes[i].num_outputs; ++o) g.values[size_t(g.nodes[i].output(o))].producer = int(i);
}

}  // namespace

void fold_constants(Graph& g) {
  for (Node& n : g.nodes) {
    if (n.dead || n.kind != NodeKind::Op || n.num_outputs != 1 || n.inputs.empty()) continue;
    bool all_const = true;
    for (int v : n.inputs) all_const &= is_constant(g, v);
    if (!all_const) continue;
    const TensorSpec& s = g.values[size_t(n.output(0))].spec;
    if (s.shape.num_elements() * int64_t(dtype_size(s.dtype)) > kMaxFoldedBytes) continue;
    std::vector<Tensor> ins;
    for (int v : n.inputs) ins.push_back(producer(g, v)->constant);
    TensorList r;
    try {
      PauseOpObservers pause;
      r = call_op(*n.op, ins, n.attrs);
    } catch (const Error&) {
      continue;  // the op fails on these constants: leave it for run time, which reports it
    }
    n.kind = NodeKind::Constant;
    n.constant = r.at(0);
    n.op = nullptr;
    n.inputs.clear();
    n.attrs = Attrs();
  }
}

void simplify_algebra(Graph& g) {
  for (Node& n : g.nodes) {
    if (n.dead || n.kind != NodeKind::Op || n.num_outputs != 1) continue;
    const std::string& op = n.op->name;
    const int out = n.output(0);
    const TensorSpec& os = g.values[size_t(out)].spec;
    int same_as = -1;  // the input this node's output equals
    auto operand_if = [&](int keep, int other, double neutral) {
      if (same_as < 0 && constant_all(g, n.inputs[size_t(other)], neutral) &&
          same_spec(g.values[size_t(n.inputs[size_t(keep)])].spec, os))
        same_as = n.inputs[size_t(keep)];
    };
    if (op == "Identity" && same_spec(g.values[size_t(n.inputs[0])].spec, os)) same_as = n.inputs[0];
    else if (op == "Mul") { operand_if(0, 1, 1.0); operand_if(1, 0, 1.0); }
    else if (op == "Add") { operand_if(0, 1, 0.0); operand_if(1, 0, 0.0); }
    else if (op == "Sub") operand_if(0, 1, 0.0);
    else if (op == "Div") operand_if(0, 1, 1.0);
    else if (op == "Reshape" && same_spec(g.values[size_t(n.inputs[0])].spec, os)) same_as = n.inputs[0];
    if (same_as < 0) continue;
    g.replace_uses(out, same_as);
    n.dead = true;
  }
  g.compact();
}

void eliminate_common_subexpressions(Graph& g) {
  // Small constants with equal bytes are merged first, so that ops reading
  // "the same" scalar (each zero_of(x) is a new tensor) become equal.
  std::unordered_map<std::string, int> constants;
  for (Node& n : g.nodes) {
    if (n.dead || n.kind != NodeKind::Constant) continue;
    const Tensor& t = n.constant;
    if (t.size() > 16) continue;
    const Tensor c = t.contiguous();
    std::string key(dtype_name(t.dtype()));
    key += t.shape().str();
    key += ':';
    key.append(static_cast<const char*>(c.raw_data()), size_t(c.size()) * dtype_size(c.dtype()));
    auto [it, fresh] = constants.emplace(key, n.output(0));
    if (!fresh) {
      g.replace_uses(n.output(0), it->second);
      n.dead = true;
    }
  }
  std::unordered_map<std::string, std::vector<size_t>> seen;  // op name + inputs -> nodes
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    Node& n = g.nodes[i];
    if (n.dead || n.kind != NodeKind::Op) continue;
    std::string key = n.op->name;
    for (int v : n.inputs) {
      key += ',';
      key += std::to_string(v);
    }
    std::vector<size_t>& cands = seen[key];
    bool merged = false;
    for (size_t c : cands) {
      const Node& m = g.nodes[c];
      if (m.op != n.op || m.num_outputs != n.num_outputs || !(m.attrs.items() == n.attrs.items())) continue;
      for (int o = 0; o < n.num_outputs; ++o) g.replace_uses(n.output(o), m.output(o));
      n.dead = true;
      merged = true;
      break;
    }
    if (!merged) cands.push_back(i);
  }
  g.compact();
}

void eliminate_dead_code(Graph& g) {
  std::vector<char> live_value(g.values.size(), 0);
  for (int v : g.outputs) live_value[size_t(v)] = 1;
  for (size_t i = g.nodes.size(); i-- > 0;) {
    Node& n = g.nodes[i];
    bool live = false;
    for (int o = 0; o < n.num_outputs; ++o) live |= live_value[size_t(n.output(o))] != 0;
    // Stateful nodes change variables and stay; a random draw nobody reads may go.
    if (n.kind == NodeKind::Stateful) {
      const bool draw = n.num_outputs > 0 && (n.call->kind.rfind("Random", 0) == 0 || n.call->kind == "TruncatedNormal");
      if (!draw) live = true;
    }
    if (n.kind == NodeKind::Input) live = true;  // arguments stay numbered
    if (!live) {
      n.dead = true;
      continue;
    }
    for (int v : n.inputs) live_value[size_t(v)] = 1;
  }
  g.compact();
  refresh_producers(g);
}

}  // namespace nabla::graph
