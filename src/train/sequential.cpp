#include "nabla/train/sequential.h"

#include <nlohmann/json.hpp>

#include "nabla/nn/layers/input_layer.h"

namespace nabla {

Sequential::Sequential(std::vector<LayerRef> layers, const LayerOptions& options) : Model(options) {
  for (const LayerRef& l : layers) add(l);
}

void Sequential::add(const LayerRef& ref) {
  NB_CHECK(static_cast<bool>(ref), InvalidArgument, "Sequential::add: empty layer handle");
  std::shared_ptr<Layer> l = ref.ptr();
  if (auto* in = dynamic_cast<layers::InputLayerImpl*>(l.get())) {
    NB_CHECK(layers_.empty() && !has_input_shape_, InvalidArgument,
             "an Input can only be the first element of a Sequential model");
    input_shape_ = in->shape();
    input_dtype_ = in->input_dtype();
    has_input_shape_ = true;
    return;
  }
  for (const auto& existing : layers_)
    NB_CHECK(existing.get() != l.get(), InvalidArgument, "layer '", l->name(),
             "' is already in this Sequential model");
  if (layers_.empty() && !has_input_shape_ && !l->input_shape_hint().empty()) {
    input_shape_ = l->input_shape_hint();
    has_input_shape_ = true;
  }
  layers_.push_back(l);
  track(l);
  if (has_input_shape_) {
    append_output_spec(*l);
    build_from_shapes({input_shape_});
  }
}

void Sequential::append_output_spec(Layer& l) {
  const std::vector<int64_t> prev = output_shapes_.empty() ? input_shape_ : output_shapes_.back();
  const DType prev_dtype = output_dtypes_.empty() ? input_dtype_ : output_dtypes_.back();
  Layer::OutputSpec spec = l.compute_output_spec({prev}, {prev_dtype});
  NB_CHECK(spec.shapes.size() == 1, InvalidArgument, "layer '", l.name(), "' in a Sequential model returned ",
           spec.shapes.size(), " outputs; Sequential layers must have one output");
  output_shapes_.push_back(spec.shapes[0]);
  output_dtypes_.push_back(spec.dtypes[0]);
}

void Sequential::pop() {
  NB_CHECK(!layers_.empty(), InvalidArgument, "Sequential::pop: there are no layers to remove");
  untrack(layers_.back().get());
  layers_.pop_back();
  if (!output_shapes_.empty() && output_shapes_.size() > layers_.size()) {
    output_shapes_.pop_back();
    output_dtypes_.pop_back();
  }
}

void Sequential::build_for(const std::vector<int64_t>& input_shape, DType dtype) {
  NB_CHECK(!has_input_shape_ || input_shape == input_shape_, InvalidArgument, "Sequential '", name(),
           "' is already built for inputs of shape (None, ...) = ", input_shape_.size(), " dims");
  if (has_input_shape_) return;
  input_shape_ = input_shape;
  input_dtype_ = dtype;
  has_input_shape_ = true;
  output_shapes_.clear();
  output_dtypes_.clear();
  for (const auto& l : layers_) append_output_spec(*l);
}

// Layers build in call(): build_for walks them with the first input's shape and dtype.
void Sequential::build(const std::vector<Shape>&) {}

Tensor Sequential::call(const Tensor& x, bool training) {
  NB_CHECK(!layers_.empty(), FailedPrecondition, "Sequential '", name(), "' has no layers");
  if (!has_input_shape_) {
    std::vector<int64_t> s = x.shape().vec();
    NB_CHECK(!s.empty(), InvalidArgument, "Sequential '", name(), "' needs inputs with a batch dimension");
    s.erase(s.begin());
    build_for(s, x.dtype());
  }
  Tensor y = x;
  if (input_shape_.size() + 1 != size_t(x.rank()))
    throw InvalidArgument("Sequential '" + name() + "' expects inputs of shape (None, ...) with " +
                          std::to_string(input_shape_.size()) + " dimensions after the batch, got " +
                          x.shape().tuple_str());
  for (const auto& l : layers_) y = (*l)(y, training);
  return y;
}

std::vector<Tensor> Sequential::call_list(const std::vector<Tensor>& xs, bool training) {
  NB_CHECK(xs.size() == 1, InvalidArgument, "Sequential '", name(), "' takes one input, got ", xs.size());
  return {call(xs[0], training)};
}

std::vector<std::shared_ptr<Layer>> Sequential::sequential_layers() const { return layers_; }

nlohmann::json Sequential::get_config() const {
  nlohmann::json layers = nlohmann::json::array();
  if (has_input_shape_) {
    nlohmann::json s = nlohmann::json::array();
    s.push_back(nullptr);
    for (int64_t d : input_shape_) s.push_back(d);
    layers.push_back({{"class_name", "InputLayer"},
                      {"config", {{"batch_shape", s}, {"dtype", dtype_name(input_dtype_)}, {"sparse", false},
                                  {"name", name() + "_input"}}}});
  }
  for (const auto& l : layers_) layers.push_back(layer_to_config(*l));
  return {{"name", name()}, {"trainable", trainable()}, {"layers", layers}};
}

std::shared_ptr<Layer> Sequential::from_config(const nlohmann::json& c) {
  NB_CHECK(c.contains("layers") && c["layers"].is_array(), InvalidArgument,
           "Sequential config needs a \"layers\" list");
  LayerOptions o;
  if (c.contains("name") && c["name"].is_string()) o.name = c["name"].get<std::string>();
  auto model = std::make_shared<Sequential>(std::vector<LayerRef>{}, o);
  for (const auto& lc : c["layers"]) model->add(layer_from_config(lc));
  if (c.contains("trainable") && c["trainable"].is_boolean()) model->set_trainable(c["trainable"].get<bool>());
  return model;
}

NB_REGISTER_LAYER(Sequential, "Sequential");

}  // namespace nabla
