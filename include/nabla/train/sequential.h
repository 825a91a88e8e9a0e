// Sequential: a plain stack of layers (keras.Sequential).
//
//   nb::Sequential model({
//       nb::layers::Flatten({.input_shape = {28, 28}}),
//       nb::layers::Dense(128, {.activation = "relu"}),
//       nb::layers::Dropout(0.2),
//       nb::layers::Dense(10),
//   });
//
// With an input shape (nb::Input first, or input_shape on the first layer) the
// model is built at once, so summary() works before fit; otherwise it builds on
// the first call.
#pragma once
#include "nabla/train/model.h"

namespace nabla {

class Sequential : public Model {
 public:
  explicit Sequential(std::vector<LayerRef> layers = {}, const LayerOptions& options = {});
  // Appends a layer (builds it when the model's input shape is known).
  void add(const LayerRef& layer);
  // Removes the last layer (InvalidArgument when empty).
  void pop();
  // Builds every layer for inputs of this shape (without the batch dimension).
  void build_for(const std::vector<int64_t>& input_shape, DType dtype = DType::float32);
  Tensor call(const Tensor& x, bool training) override;
  std::vector<Tensor> call_list(const std::vector<Tensor>& xs, bool training) override;
  void build(const std::vector<Shape>& input_shapes) override;
  // The layers, without the InputLayer.
  std::vector<std::shared_ptr<Layer>> sequential_layers() const;
  // Output shape of each layer (without batch) once built.
  const std::vector<std::vector<int64_t>>& layer_output_shapes() const { return output_shapes_; }
  std::string class_name() const override { return "Sequential"; }
  nlohmann::json get_config() const override;
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
 private:
  // Runs `l` on the last output shape (or the input's) and records its output.
  void append_output_spec(Layer& l);
  std::vector<std::shared_ptr<Layer>> layers_;
  std::vector<int64_t> input_shape_;
  DType input_dtype_ = DType::float32;
  bool has_input_shape_ = false;
  std::vector<std::vector<int64_t>> output_shapes_;
  std::vector<DType> output_dtypes_;
};

}  // namespace nabla
