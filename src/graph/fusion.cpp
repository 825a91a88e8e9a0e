// Fusion passes (graph.h): bias-add and ReLU into the producing matmul, then
// chains of float32 element-wise ops (with their uint8 -> float32 input casts) into
// single FusedElementwise loops.
#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "graph/graph.h"
#include "ops/conv_geometry.h"
#include "ops/fused.h"

namespace nabla::graph {

namespace {

struct Uses {
  std::vector<std::vector<int>> consumers;  // per value: consuming node indices (with repeats)
  std::vector<char> is_output;
};

Uses compute_uses(const Graph& g) {
  Uses u;
  u.consumers.assign(g.values.size(), {});
  u.is_output.assign(g.values.size(), 0);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (g.nodes[i].dead) continue;
    for (int v : g.nodes[i].inputs) u.consumers[size_t(v)].push_back(int(i));
  }
  for (int v : g.outputs) u.is_output[size_t(v)] = 1;
  return u;
}

Node& producer(Graph& g, int v) { return g.nodes[size_t(g.values[size_t(v)].producer)]; }
const TensorSpec& spec(const Graph& g, int v) { return g.values[size_t(v)].spec; }
bool is_op(const Node& n, const char* name) { return !n.dead && n.kind == NodeKind::Op && n.op->name == name; }
bool single_use(const Uses& u, int v) { return u.consumers[size_t(v)].size() == 1 && !u.is_output[size_t(v)]; }

// Producer -> Add(producer, bias) [-> Relu] becomes `fused_op`(producer's two
// inputs, bias) with attribute activation "" or "relu", when the producer's output
// has no other use, the bias is a vector over the output's last dimension and
// `fits` accepts the producer.
template <typename Fits>
void fuse_bias_activation(Graph& g, const char* producer_op, const char* fused_op, Fits&& fits) {
  const OpDef* fused = find_op(fused_op);
  if (!fused) return;
  Uses u = compute_uses(g);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    Node& add = g.nodes[i];
    if (!is_op(add, "Add")) continue;
    const DType dt = spec(g, add.output(0)).dtype;
    if (dt != DType::float32 && dt != DType::float64) continue;
    for (int side = 0; side < 2; ++side) {
      const int pv = add.inputs[size_t(side)], bv = add.inputs[size_t(1 - side)];
      Node& prod = producer(g, pv);
      if (!is_op(prod, producer_op) || !single_use(u, pv)) continue;
      const TensorSpec &ps = spec(g, pv), &bs = spec(g, bv);
      if (ps.shape.empty() || bs.shape.size() != 1 || bs.shape[0] != ps.shape.back() || bs.dtype != dt ||
          spec(g, add.output(0)).shape != ps.shape || !fits(prod))
        continue;
      // ReLU of the sum, when it is the sum's only use.
      Node* target = &add;
      std::string act;
      const int sum = add.output(0);
      if (single_use(u, sum)) {
        Node& next = g.nodes[size_t(u.consumers[size_t(sum)][0])];
        if (is_op(next, "Relu")) {
          target = &next;
          act = "relu";
        }
      }
      Attrs attrs = prod.attrs;
      attrs.set("activation", act);
      std::vector<int> inputs = {prod.inputs[0], prod.inputs[1], bv};
      prod.dead = true;
      if (target != &add) add.dead = true;
      target->op = fused;
      target->attrs = std::move(attrs);
      target->inputs = std::move(inputs);
      break;
    }
  }
  g.compact();
}

// MatMul of two matrices -> FusedMatMul.
void fuse_matmul_bias_relu(Graph& g) {
  fuse_bias_activation(g, "BatchMatMulV2", "FusedMatMul", [&](const Node& mm) {
    return spec(g, mm.inputs[0]).shape.size() == 2 && spec(g, mm.inputs[1]).shape.size() == 2;
  });
}

// Conv with channels last (the bias runs over the last dimension) -> FusedConv.
void fuse_conv_bias_relu(Graph& g) {
  fuse_bias_activation(g, "Conv", "FusedConv", [&](const Node& conv) {
    try {
      return !ops::conv_geometry(spec(g, conv.inputs[0]).shape, spec(g, conv.inputs[1]).shape, conv.attrs)
                  .channels_first;
    } catch (const Error&) {
      return false;
    }
  });
}

// MaxPool(x) whose x also feeds MaxPoolGrad(x, dy) with the same attributes becomes
// MaxPoolWithArgmax(x) -> (y, argmax), and each such MaxPoolGrad becomes
// MaxPoolGradWithArgmax(dy, argmax): the backward pass stops searching the windows.
void fuse_max_pool_argmax(Graph& g) {
  const OpDef* fwd = find_op("MaxPoolWithArgmax");
  const OpDef* bwd = find_op("MaxPoolGradWithArgmax");
  if (!fwd || !bwd) return;
  Uses u = compute_uses(g);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    Node& pool = g.nodes[i];
    if (!is_op(pool, "MaxPool")) continue;
    const int x = pool.inputs[0];
    std::vector<int> grads;
    for (int c : u.consumers[size_t(x)]) {
      const Node& n = g.nodes[size_t(c)];
      if (is_op(n, "MaxPoolGrad") && n.inputs[0] == x && n.attrs.items() == pool.attrs.items() && size_t(c) > i)
        grads.push_back(c);
    }
    if (grads.empty()) continue;
    // New values for the two outputs (a node's outputs are consecutive ids).
    const TensorSpec ys = spec(g, pool.output(0));
    const int first = int(g.values.size());
    g.values.push_back(Value{ys, int(i)});
    g.values.push_back(Value{TensorSpec{ys.shape, DType::int64}, int(i)});
    const int old_y = pool.output(0);
    pool.op = fwd;
    pool.first_output = first;
    pool.num_outputs = 2;
    g.replace_uses(old_y, first);
    const TensorSpec& xs = spec(g, x);
    for (int c : grads) {
      Node& n = g.nodes[size_t(c)];
      Attrs a = n.attrs;
      a.set("input_sizes", std::vector<int64_t>(xs.shape.begin(), xs.shape.end()));
      n.op = bwd;
      n.attrs = std::move(a);
      n.inputs = {n.inputs[1], first + 1};
    }
  }
  g.compact();
}

// True if value v is a single-element float constant equal to zero; with `positive`,
// to +0.0 only (a zero without sign).
bool is_zero_scalar_constant(const Graph& g, int v, bool positive) {
  const Node& n = g.nodes[size_t(g.values[size_t(v)].producer)];
  if (n.dead || n.kind != NodeKind::Constant || !n.constant.defined() || !is_floating(n.constant.dtype()) ||
      !n.constant.device().is_cpu() || n.constant.size() != 1)
    return false;
  const double x = n.constant.to_vector<double>()[0];
  return x == 0.0 && !(positive && std::signbit(x));
}

// The ReLU gradient after a max pooling's gradient, where(y > 0, MaxPoolGradWithArgmax(dy,
// argmax), 0) with y the pooling's input, becomes MaxPoolGradWithArgmax(dy, argmax, pooled):
// the kernel masks each window's gradient by its maximum (> 0 exactly where y > 0 at the
// window's argmax, the only place the gradient is not 0), so the pass over the full-size
// gradient and its mask goes away. Same results bit for bit (ops/pooling.cpp).
void fuse_relu_mask_into_max_pool_grad(Graph& g) {
  Uses u = compute_uses(g);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    Node& sel = g.nodes[i];
    if (!is_op(sel, "Select") || sel.inputs.size() != 3) continue;
    const int cond = sel.inputs[0], grad = sel.inputs[1], zero = sel.inputs[2];
    Node& gt = producer(g, cond);
    Node& mpg = producer(g, grad);
    if (!is_op(gt, "Greater") || !is_op(mpg, "MaxPoolGradWithArgmax") || mpg.inputs.size() != 2 ||
        !single_use(u, grad) || !is_zero_scalar_constant(g, zero, /*positive=*/true) || !spec(g, zero).shape.empty() ||
        !is_zero_scalar_constant(g, gt.inputs[1], /*positive=*/false))
      continue;
    // Greater(y, 0) with y the input of the MaxPoolWithArgmax whose argmax the gradient uses.
    const int y = gt.inputs[0];
    Node& pool = producer(g, mpg.inputs[1]);
    if (!is_op(pool, "MaxPoolWithArgmax") || mpg.inputs[1] != pool.output(1) || pool.inputs[0] != y) continue;
    if (spec(g, sel.output(0)).shape != spec(g, grad).shape || spec(g, y).shape != spec(g, grad).shape ||
        spec(g, sel.output(0)).dtype != spec(g, grad).dtype)
      continue;
    mpg.inputs.push_back(pool.output(0));
    g.replace_uses(sel.output(0), grad);
    sel.dead = true;
    if (u.consumers[size_t(cond)].size() == 1 && !u.is_output[size_t(cond)]) gt.dead = true;
    u = compute_uses(g);
  }
  g.compact();
}

// Opcode of a fusable op, or -1.
int64_t opcode_of(const std::string& name) {
  static const std::unordered_map<std::string, FusedOpcode> table = {
      {"Add", FusedOpcode::Add},         {"Sub", FusedOpcode::Sub},
      {"Mul", FusedOpcode::Mul},         {"Div", FusedOpcode::Div},
      {"Maximum", FusedOpcode::Maximum}, {"Minimum", FusedOpcode::Minimum},
      {"Neg", FusedOpcode::Neg},         {"Relu", FusedOpcode::Relu},
      {"Abs", FusedOpcode::Abs},         {"Square", FusedOpcode::Square},
      {"Sqrt", FusedOpcode::Sqrt},       {"Greater", FusedOpcode::Greater},
      {"GreaterEqual", FusedOpcode::GreaterEqual}, {"Less", FusedOpcode::Less},
      {"LessEqual", FusedOpcode::LessEqual},       {"Select", FusedOpcode::Select}};
  auto it = table.find(name);
  return it == table.end() ? -1 : int64_t(it->second);
}

bool fusable(const Graph& g, const Node& n) {
  if (n.dead || n.kind != NodeKind::Op || n.num_outputs != 1 || opcode_of(n.op->name) < 0) return false;
  const bool select = n.op->name == "Select";
  for (size_t k = 0; k < n.inputs.size(); ++k) {
    const DType t = spec(g, n.inputs[k]).dtype;
    if (!(t == DType::float32 || (select && k == 0 && t == DType::bool_))) return false;
  }
  return true;
}

// Input mode for FusedElementwise: 0 full, 1 scalar, 2 row; -1 if it does not fit.
int64_t mode_of(const TensorSpec& in, const Shape& out) {
  if (in.shape == out) return 0;
  if (in.shape.num_elements() == 1) return 1;
  if (in.shape.size() == 1 && !out.empty() && in.shape[0] == out.back()) return 2;
  return -1;
}

// The Cast node that makes v from a uint8 tensor, when v is float32 and used only by
// the group's nodes; else -1.
int absorbable_cast(const Graph& g, const Uses& u, int v, const std::vector<char>& in_group) {
  const int p = g.values[size_t(v)].producer;
  if (p < 0 || u.is_output[size_t(v)] || spec(g, v).dtype != DType::float32) return -1;
  const Node& c = g.nodes[size_t(p)];
  if (!is_op(c, "Cast") || c.inputs.size() != 1 || spec(g, c.inputs[0]).dtype != DType::uint8 ||
      spec(g, c.inputs[0]).shape != spec(g, v).shape)
    return -1;
  for (int consumer : u.consumers[size_t(v)])
    if (!in_group[size_t(consumer)]) return -1;
  return p;
}

void fuse_elementwise(Graph& g) {
  const OpDef* fused = find_op("FusedElementwise");
  if (!fused) return;
  Uses u = compute_uses(g);
  std::vector<char> taken(g.nodes.size(), 0);
  for (size_t r = g.nodes.size(); r-- > 0;) {
    Node& root = g.nodes[r];
    if (taken[r] || !fusable(g, root) || spec(g, root.output(0)).dtype != DType::float32) continue;
    const Shape shape = spec(g, root.output(0)).shape;
    std::vector<int> group = {int(r)};
    std::vector<char> in_group(g.nodes.size(), 0);
    in_group[r] = 1;
    for (bool grew = true; grew && group.size() < 24;) {
      grew = false;
      for (size_t gi = 0; gi < group.size() && group.size() < 24; ++gi) {
        for (int v : g.nodes[size_t(group[gi])].inputs) {
          const int p = g.values[size_t(v)].producer;
          if (in_group[size_t(p)] || taken[size_t(p)] || !fusable(g, g.nodes[size_t(p)])) continue;
          if (u.is_output[size_t(v)] || spec(g, v).shape != shape) continue;
          bool all_inside = true;
          for (int c : u.consumers[size_t(v)]) all_inside &= in_group[size_t(c)] != 0;
          if (!all_inside) continue;
          in_group[size_t(p)] = 1;
          group.push_back(p);
          grew = true;
        }
      }
    }
    std::sort(group.begin(), group.end());
    // External inputs and the program. An input made by Cast(uint8 -> float32) for
    // this group alone is read as uint8 and converted per block (exact).
    std::vector<int> externals, absorbed_casts;
    std::vector<int64_t> modes;
    bool ok = true;
    std::unordered_map<int, int> reg;  // value -> register
    for (int ni : group)
      for (int v : g.nodes[size_t(ni)].inputs) {
        if (in_group[size_t(g.values[size_t(v)].producer)] || reg.count(v)) continue;
        const int64_t m = mode_of(spec(g, v), shape);
        ok &= m >= 0;
        reg[v] = int(externals.size());
        int source = v;
        if (const int c = absorbable_cast(g, u, v, in_group); c >= 0) {
          source = g.nodes[size_t(c)].inputs[0];
          absorbed_casts.push_back(c);
        }
        externals.push_back(source);
        modes.push_back(m);
      }
    if (group.size() + absorbed_casts.size() < 2) continue;
    if (!ok || externals.size() + group.size() > size_t(kFusedMaxRegisters)) continue;
    for (int c : absorbed_casts) {
      taken[size_t(c)] = 1;
      g.nodes[size_t(c)].dead = true;
    }
    std::vector<int64_t> program;
    for (size_t k = 0; k < group.size(); ++k) {
      const Node& n = g.nodes[size_t(group[k])];
      const int dst = int(externals.size() + k);
      int64_t a[3] = {-1, -1, -1};
      for (size_t j = 0; j < n.inputs.size() && j < 3; ++j) a[j] = reg.at(n.inputs[j]);
      program.insert(program.end(), {opcode_of(n.op->name), int64_t(dst), a[0], a[1], a[2]});
      reg[n.output(0)] = dst;
    }
    for (int ni : group) {
      taken[size_t(ni)] = 1;
      if (ni != int(r)) g.nodes[size_t(ni)].dead = true;
    }
    root.op = fused;
    root.inputs = externals;
    root.attrs = Attrs{{"program", program},
                       {"modes", modes},
                       {"shape", std::vector<int64_t>(shape.begin(), shape.end())}};
  }
  g.compact();
}

}  // namespace

void fuse(Graph& g) {
  fuse_matmul_bias_relu(g);
  fuse_conv_bias_relu(g);
  fuse_max_pool_argmax(g);
  fuse_relu_mask_into_max_pool_grad(g);
  fuse_elementwise(g);
}

}  // namespace nabla::graph
