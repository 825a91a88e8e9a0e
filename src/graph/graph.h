// The graph IR of nb::function (internal). A Graph is a list of nodes in a valid
// execution order (the order the trace saw them); each node reads values and
// defines new ones. Values are numbered; a node's outputs are consecutive
// value ids, so a kernel can write them as one span.
//
// Node kinds:
//   Input       argument #arg of the call
//   Constant    a tensor captured by value at trace time
//   ReadVariable the current value of a captured variable (by reference)
//   Op          a registry op (pure: same inputs and attributes, same outputs)
//   Stateful    a variable assignment, random draw or optimizer update; runs in
//               order with the other stateful nodes and is never removed or merged
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nabla/core/tensor.h"
#include "nabla/core/variable.h"
#include "nabla/ops/registry.h"

namespace nabla::graph {

enum class NodeKind { Input, Constant, ReadVariable, Op, Stateful };

struct Node {
  NodeKind kind = NodeKind::Op;
  const OpDef* op = nullptr;  // Op
  Attrs attrs;                // Op, Stateful
  std::vector<int> inputs;    // value ids
  int first_output = -1;      // value id of output 0
  int num_outputs = 0;
  int arg = -1;               // Input: argument index
  Tensor constant;            // Constant
  int variable = -1;          // ReadVariable: index into Graph::variables
  // Stateful: what to redo, and the variables it touches (indices into Graph::variables).
  std::shared_ptr<const StatefulCall> call;
  std::vector<int> call_variables;
  bool dead = false;          // removed by a pass (compacted away by Graph::compact)

  int output(int i) const { return first_output + i; }
};

struct Value {
  TensorSpec spec;
  int producer = -1;  // node index
};

struct Graph {
  std::vector<Node> nodes;
  std::vector<Value> values;
  std::vector<int> outputs;                          // value ids returned by the function
  std::vector<TensorSpec> input_specs;               // one per argument
  std::vector<std::shared_ptr<Variable>> variables;  // captured variables (shared handles)

  // Appends a node with `n_out` outputs of the given specs; returns its index.
  int add_node(Node node, const std::vector<TensorSpec>& out_specs);
  // Makes every use of value `from` (node inputs, graph outputs) read `to`.
  void replace_uses(int from, int to);
  // Drops dead nodes (values keep their ids).
  void compact();
  // Number of live nodes of each kind, for tests and docs: "Op:12 Stateful:3 ...".
  std::string summary() const;
  // The index in `variables` of the variable `v` (adding it when new).
  int variable_index(const Variable& v);
};

// Checks `outputs`, the specs recorded for a call of `op` on inputs of specs
// `inputs`, against the op's own shape/dtype inference. Returns "" when they
// agree, else what is wrong ("the op rejects its inputs: ...").
std::string check_op_outputs(const OpDef& op, const std::vector<TensorSpec>& inputs, const Attrs& attrs,
                             const std::vector<TensorSpec>& outputs);

// Optimisation passes (src/graph/passes.cpp), run in this order by optimize().
struct PassOptions {
  bool constant_folding = true;
  bool algebraic_simplification = true;
  bool common_subexpressions = true;
  bool dead_code = true;
  bool fusion = true;
};
void fold_constants(Graph& g);
void simplify_algebra(Graph& g);
void eliminate_common_subexpressions(Graph& g);
void eliminate_dead_code(Graph& g);
// Bias-add and ReLU into the producing MatMul; chains of float32 element-wise ops
// into FusedElementwise nodes (src/graph/fusion.cpp).
void fuse(Graph& g);
void optimize(Graph& g, const PassOptions& options = {});

}  // namespace nabla::graph
