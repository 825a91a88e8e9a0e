// KerasTensor: a symbolic tensor of the functional API (keras.KerasTensor).
//
//   auto in = nb::Input({28, 28});                       // shape (None, 28, 28)
//   auto x = nb::layers::Flatten()(in);
//   auto out = nb::layers::Dense(10)(x);
//   nb::Model model(in, out);
//
// It records which layer call produced it (a Node), so Model can replay the
// graph. Its shape has -1 (printed None) for the batch dimension.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>
#include "nabla/core/dtype.h"

namespace nabla {
class Layer;
class KerasTensor;

// One call of a layer on symbolic inputs.
struct Node {
  std::shared_ptr<Layer> layer;
  std::vector<KerasTensor> inputs;          // empty for an Input
  std::vector<std::vector<int64_t>> output_shapes;  // with -1 for the batch dimension
  std::vector<DType> output_dtypes;
};

class KerasTensor {
 public:
  KerasTensor() = default;
  KerasTensor(std::shared_ptr<Node> node, int index) : node_(std::move(node)), index_(index) {}
  bool defined() const { return node_ != nullptr; }
  // Shape with -1 for the batch dimension.
  const std::vector<int64_t>& shape() const;
  DType dtype() const;
  const std::shared_ptr<Node>& node() const { return node_; }
  int index() const { return index_; }
  // "(None, 28, 28)".
  std::string shape_str() const;
 private:
  std::shared_ptr<Node> node_;
  int index_ = 0;
};

struct InputOptions {
  DType dtype = DType::float32;
  std::string name = {};
};
// A symbolic input of the given shape (without the batch dimension).
KerasTensor Input(const std::vector<int64_t>& shape, const InputOptions& options = {});

// "(None, 28, 28)" for {-1, 28, 28}.
std::string shape_to_keras_str(const std::vector<int64_t>& shape);

}  // namespace nabla
