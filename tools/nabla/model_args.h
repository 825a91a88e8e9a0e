// Helpers shared by the `nabla` sub-commands: finding the model a command
// works on and preparing Fashion-MNIST images for it.
#pragma once
#include <memory>
#include <string>

#include "nabla/train/model.h"

namespace nabla::cli {

// A preset name ("mlp"), a JSON model config written by get_config(), or a
// saved model file (.nabla, written by Model::save / `nabla train --save`).
// UsageError for an unknown preset or a missing file.
std::shared_ptr<Model> load_model_arg(const std::string& spec);

// Whether the last layer applies a softmax (the loss then takes probabilities).
bool ends_in_softmax(Model& model);

// Images as the model expects them: uint8 pixels for models that take uint8
// (the presets rescale inside), float32 in [0, 1] otherwise.
Tensor prepare_images(Model& model, const Tensor& images_uint8);

// Compiles an uncompiled model for 10-class classification (Keras's usual
// sparse cross-entropy + accuracy), with `optimizer`.
void compile_for_classification(Model& model, const std::string& optimizer = "adam");

}  // namespace nabla::cli
