// Tracer: records the ops and stateful calls a callable runs into a Graph
// (internal; see nabla/graph/function.h for what is captured and how).
#pragma once
#include <unordered_map>
#include <vector>

#include "graph/graph.h"

namespace nabla::graph {

class Tracer final : public OpObserver {
 public:
  // `args` become the graph's inputs, in order.
  explicit Tracer(const std::vector<Tensor>& args);
  bool records_graph() const override { return true; }
  void on_op(const OpDef& op, Inputs inputs, const Attrs& attrs, Inputs outputs) override;
  void on_stateful(const StatefulCall& call, Inputs inputs, Inputs outputs) override;
  void on_host_read(const Tensor& t) override;
  // The graph whose outputs are `results` (tensors the callable returned).
  Graph finish(const std::vector<Tensor>& results, const std::string& function_name);

 private:
  // The value of a tensor seen as an input: recorded before, a variable read, or a constant.
  int value_of(const Tensor& t);
  void define(const Tensor& t, int value);

  Graph g_;
  std::vector<char> dynamic_;  // per value: depends on an input, a variable or a draw
  std::unordered_map<const TensorImpl*, int> value_of_impl_;
  std::vector<Tensor> keep_;  // every tensor seen stays alive, so addresses stay unique
};

}  // namespace nabla::graph
