// Built-in model presets of `nabla train --model NAME`.
#pragma once
#include <memory>
#include <string>
#include <vector>
#include "nabla/train/model.h"

namespace nabla::cli {

// The preset names (`mlp`; `cnn` arrives with convolution layers).
std::vector<std::string> preset_names();
bool is_preset(const std::string& name);
// A new, uncompiled model for 28x28 uint8 images and 10 classes.
// InvalidArgument listing the presets for an unknown name.
std::shared_ptr<Model> make_preset(const std::string& name);

}  // namespace nabla::cli
