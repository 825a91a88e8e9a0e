// Shared by function.cpp and function_file.cpp (internal).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "nabla/graph/function.h"

namespace nabla::graph {

class Executor;

// One traced signature: the graph as traced (what save() writes) and its
// optimised, planned executor.
struct ConcreteFunction {
  // `traced_graph` is the graph as traced (or as made from a batch template,
  // then `generalized`); it is kept for save() and optimised for execution.
  ConcreteFunction(std::string signature, Graph traced_graph, bool optimize_graph, bool generalized = false);
  ~ConcreteFunction();
  ConcreteFunctionInfo info() const;

  std::string signature;
  std::shared_ptr<const Graph> traced;
  std::unique_ptr<Executor> exec;
  int64_t traced_nodes = 0;
  bool generalized = false;
};

// "(float32[32,784], int32[32])", with "=#j" after an argument that is argument j.
// With `any_batch`, dimension 0 is written "?" ("(float32[?,784], int32[?])"): the
// key of the signatures that one dynamic_batch template serves.
std::string signature_of(const std::vector<Tensor>& args, bool any_batch = false);
// The same for specs, without aliasing marks.
std::string signature_of_specs(const std::vector<TensorSpec>& specs, bool any_batch = false);
// InvalidArgument for an undefined argument.
void check_args(const std::vector<Tensor>& args, const std::string& name);
// Writes the functions (graphs as traced, their variables) to `path` atomically.
// `dynamic_batch`: the loaded function makes graphs for new batch sizes from two
// saved ones (FunctionOptions::dynamic_batch), as the traced function does.
void save_function(const std::string& path, const std::string& name,
                   const std::vector<const ConcreteFunction*>& functions, bool dynamic_batch);

}  // namespace nabla::graph
