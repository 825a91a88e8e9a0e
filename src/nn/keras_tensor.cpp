// KerasTensor, Input and the symbolic (functional-API) call of a layer.
#include "nabla/nn/keras_tensor.h"

#include <nlohmann/json.hpp>

#include "nabla/nn/layer.h"
#include "nabla/nn/layers/input_layer.h"

namespace nabla {

const std::vector<int64_t>& KerasTensor::shape() const {
  NB_CHECK(node_ != nullptr, InvalidArgument, "use of an undefined KerasTensor");
  return node_->output_shapes.at(size_t(index_));
}

DType KerasTensor::dtype() const {
  NB_CHECK(node_ != nullptr, InvalidArgument, "use of an undefined KerasTensor");
  return node_->output_dtypes.at(size_t(index_));
}

std::string KerasTensor::shape_str() const { return shape_to_keras_str(shape()); }

std::string shape_to_keras_str(const std::vector<int64_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += shape[i] < 0 ? "None" : std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  return s + ")";
}

KerasTensor Input(const std::vector<int64_t>& shape, const InputOptions& options) {
  auto layer = std::make_shared<layers::InputLayerImpl>(
      layers::InputLayerOptions{.shape = shape, .dtype = options.dtype, .name = options.name});
  return layer->output();
}

LayerRef::LayerRef(const KerasTensor& input) {
  NB_CHECK(input.defined(), InvalidArgument, "an undefined KerasTensor cannot be a layer");
  NB_CHECK(input.node()->inputs.empty(), InvalidArgument,
           "only an Input can start a Sequential model; this KerasTensor is the output of layer '",
           input.node()->layer->name(), "'");
  ptr_ = input.node()->layer;
}

Tensor LayerRef::operator()(const Tensor& x, std::optional<bool> training) const {
  NB_CHECK(ptr_ != nullptr, InvalidArgument, "call of an empty layer handle");
  return (*ptr_)(x, training);
}

std::vector<Tensor> LayerRef::operator()(const std::vector<Tensor>& xs, std::optional<bool> training) const {
  NB_CHECK(ptr_ != nullptr, InvalidArgument, "call of an empty layer handle");
  return (*ptr_)(xs, training);
}

KerasTensor LayerRef::operator()(const KerasTensor& x) const {
  std::vector<KerasTensor> ys = (*this)(std::vector<KerasTensor>{x});
  NB_CHECK(ys.size() == 1, InvalidArgument, "layer '", ptr_->name(), "' has ", ys.size(),
           " outputs; call it with a list to get them all");
  return ys[0];
}

KerasTensor LayerRef::operator()(std::initializer_list<KerasTensor> xs) const {
  std::vector<KerasTensor> ys = (*this)(std::vector<KerasTensor>(xs));
  NB_CHECK(ys.size() == 1, InvalidArgument, "layer '", ptr_->name(), "' has ", ys.size(), " outputs");
  return ys[0];
}

std::vector<KerasTensor> LayerRef::operator()(const std::vector<KerasTensor>& xs) const {
  NB_CHECK(ptr_ != nullptr, InvalidArgument, "call of an empty layer handle");
  NB_CHECK(!xs.empty(), InvalidArgument, "layer '", ptr_->name(), "' called with no inputs");
  std::vector<std::vector<int64_t>> shapes;
  std::vector<DType> dtypes;
  for (const KerasTensor& x : xs) {
    NB_CHECK(x.defined(), InvalidArgument, "layer '", ptr_->name(), "' called with an undefined KerasTensor");
    std::vector<int64_t> s = x.shape();
    s.erase(s.begin());  // the batch dimension
    shapes.push_back(std::move(s));
    dtypes.push_back(x.dtype());
  }
  Layer::OutputSpec spec = ptr_->compute_output_spec(shapes, dtypes);
  auto node = std::make_shared<Node>();
  node->layer = ptr_;
  node->inputs = xs;
  for (auto& s : spec.shapes) {
    s.insert(s.begin(), -1);
    node->output_shapes.push_back(std::move(s));
  }
  node->output_dtypes = spec.dtypes;
  std::vector<KerasTensor> out;
  for (size_t i = 0; i < node->output_shapes.size(); ++i) out.emplace_back(node, int(i));
  return out;
}

}  // namespace nabla
