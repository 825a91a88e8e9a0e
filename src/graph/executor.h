// Runs a Graph (internal; see nabla/graph/function.h). Construction makes the
// static memory plan: every kernel output that does not leave the function gets
// a fixed place in one arena, placed so that buffers whose lifetimes do not
// overlap share memory; outputs that leave the function get buffers of their own,
// reused on the next call when the caller has let go of them. A call then runs
// the kernels into these buffers without allocating.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "graph/graph.h"

namespace nabla::graph {

class Executor {
 public:
  explicit Executor(std::shared_ptr<const Graph> graph);
  // Runs the graph on `args` (checked by the caller against Graph::input_specs).
  std::vector<Tensor> run(const std::vector<Tensor>& args);
  int64_t arena_bytes() const { return arena_bytes_; }
  int64_t planned_bytes() const { return planned_bytes_; }
  const Graph& graph() const { return *graph_; }

 private:
  enum class Slot : uint8_t { Transient, Persistent, Dedicated };
  struct Step {
    const Node* node;
    KernelFn kernel = nullptr;      // Op nodes run through their kernel directly
    std::vector<int> release;       // transient values whose last use is this step
    std::vector<Variable*> vars;    // Stateful nodes
    int profile_row = -1;           // NABLA_GRAPH_PROFILE: the node's row (graph/node_profile.h)
  };

  void plan();
  void prepare_dedicated(int value);

  std::shared_ptr<const Graph> graph_;
  std::vector<Step> steps_;
  std::vector<Slot> slot_;
  std::vector<Tensor> vals_;
  std::vector<Tensor> args_buf_;
  std::shared_ptr<Storage> arena_;
  int64_t arena_bytes_ = 0, planned_bytes_ = 0;
  std::mutex mu_;
};

}  // namespace nabla::graph
