// Built-in model presets of `nabla train --model NAME`.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>
#include "nabla/train/model.h"

namespace nabla::cli {

// The preset names: `mlp` (the Keras course's MLP) and `cnn` (two Conv2D/MaxPooling2D
// blocks, Dense(128), Dense(10)).
std::vector<std::string> preset_names();
bool is_preset(const std::string& name);
// A new, uncompiled model for 28x28 uint8 images and 10 classes.
// InvalidArgument listing the presets for an unknown name.
std::shared_ptr<Model> make_preset(const std::string& name);
// The batch size `nabla train` uses for a preset when --batch-size is not given
// (mlp 32, as Keras's default; cnn 64); 32 for anything that is not a preset.
int64_t preset_batch_size(const std::string& name);

}  // namespace nabla::cli
