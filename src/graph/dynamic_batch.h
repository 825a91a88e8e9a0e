// Dynamic batch dimension of nb::function (internal; FunctionOptions::dynamic_batch).
//
// C++ tensors always have concrete shapes, so a trace cannot leave the batch
// size symbolic as TensorFlow's `None` does. Instead a function is traced at two
// batch sizes b1 != b2 and the two graphs are anti-unified: they must have the
// same nodes, ops, inputs and variables, and every number in which they differ
// (a dimension of a value, an integer or float attribute, the shape or fill value
// of a constant) must follow the batch size in one of these ways, checked
// exactly on both samples:
//   integers   x(B) = a * B            (a: a positive integer)
//   floats     x(B) = c / B or c * B   (computed as the trace computed it)
// The graph for any other batch size B is then made by substitution, without
// running the body, and every op node is checked against the op's own shape
// inference. A number that differs in any other way (a value read on the host,
// min(B, k) sampled on both sides of k, ...) makes the generalisation fail, and
// the function keeps tracing once per batch size.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace nabla::graph {

// The batch size of a call: dimension 0, shared by every argument of rank >= 1.
// nullopt when no argument has rank >= 1 or they disagree.
std::optional<int64_t> batch_size_of(const std::vector<Tensor>& args);
// The same for the inputs of a graph (its input_specs).
std::optional<int64_t> batch_size_of(const std::vector<TensorSpec>& specs);

// Two traces of one function at different batch sizes, generalised.
class BatchTemplate {
 public:
  // Anti-unifies `g1` (traced at batch size b1) and `g2` (at b2 != b1). Returns
  // nullopt and says why in `why` when they differ in a way the batch size does
  // not explain.
  static std::optional<BatchTemplate> generalize(std::shared_ptr<const Graph> g1, int64_t b1,
                                                 std::shared_ptr<const Graph> g2, int64_t b2, std::string& why);
  // The graph at batch size `b` (>= 1), as a trace at `b` would have recorded
  // it. Throws InvalidArgument when an op rejects the substituted shapes.
  Graph instantiate(int64_t b) const;

  int64_t b1() const { return b1_; }
  int64_t b2() const { return b2_; }

 private:
  BatchTemplate(std::shared_ptr<const Graph> g1, int64_t b1, std::shared_ptr<const Graph> g2, int64_t b2)
      : g1_(std::move(g1)), g2_(std::move(g2)), b1_(b1), b2_(b2) {}
  std::shared_ptr<const Graph> g1_, g2_;
  int64_t b1_ = 0, b2_ = 0;
};

}  // namespace nabla::graph
