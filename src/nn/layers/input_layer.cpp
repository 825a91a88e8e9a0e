#include "nabla/nn/layers/input_layer.h"

#include <nlohmann/json.hpp>

#include "nn/call_context.h"
#include "nn/layer_config.h"

namespace nabla::layers {

InputLayerImpl::InputLayerImpl(const InputLayerOptions& options)
    : Layer(LayerOptions{.name = options.name.empty() ? detail::unique_layer_name("input_layer") : options.name,
                         .input_shape = options.shape}),
      shape_(options.shape),
      input_dtype_(options.dtype) {
  for (int64_t d : shape_)
    NB_CHECK(d > 0, InvalidArgument, "Input shape ", shape_to_keras_str(shape_),
             ": every dimension after the batch must be positive");
}

KerasTensor InputLayerImpl::output() {
  std::shared_ptr<Node> node = node_.lock();
  if (!node) {
    node = std::make_shared<Node>();
    node->layer = shared_from_this();
    std::vector<int64_t> s = shape_;
    s.insert(s.begin(), -1);
    node->output_shapes.push_back(s);
    node->output_dtypes.push_back(input_dtype_);
    node_ = node;
  }
  return KerasTensor(node, 0);
}

Tensor InputLayerImpl::call(const Tensor& x, bool) {
  bool ok = x.rank() == int64_t(shape_.size()) + 1;
  for (size_t i = 0; ok && i < shape_.size(); ++i) ok = x.shape()[i + 1] == shape_[i];
  if (!ok) {
    std::vector<int64_t> expected = shape_;
    expected.insert(expected.begin(), -1);
    throw InvalidArgument("input '" + name() + "' expects shape " + shape_to_keras_str(expected) + ", got " +
                          x.shape().tuple_str());
  }
  NB_CHECK(x.dtype() == input_dtype_, InvalidArgument, "input '", name(), "' expects dtype ",
           dtype_name(input_dtype_), ", got ", dtype_name(x.dtype()));
  return x;
}

nlohmann::json InputLayerImpl::get_config() const {
  nlohmann::json s = nlohmann::json::array();
  s.push_back(nullptr);
  for (int64_t d : shape_) s.push_back(d);
  return {{"batch_shape", s}, {"dtype", dtype_name(input_dtype_)}, {"sparse", false}, {"name", name()}};
}

std::shared_ptr<Layer> InputLayerImpl::from_config(const nlohmann::json& config) {
  LayerOptions o = detail::layer_options_from_config(config);
  return std::make_shared<InputLayerImpl>(InputLayerOptions{
      .shape = o.input_shape, .dtype = detail::dtype_from_config(config, "dtype", DType::float32), .name = o.name});
}

NB_REGISTER_LAYER(InputLayerImpl, "InputLayer");

}  // namespace nabla::layers
