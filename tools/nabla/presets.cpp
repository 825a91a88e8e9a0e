#include "presets.h"

#include "nabla/nn/layers.h"
#include "nabla/train/sequential.h"

namespace nabla::cli {

std::vector<std::string> preset_names() { return {"mlp"}; }

bool is_preset(const std::string& name) {
  for (const auto& p : preset_names())
    if (p == name) return true;
  return false;
}

std::shared_ptr<Model> make_preset(const std::string& name) {
  if (name == "mlp") {
    // The Keras course's MLP; Rescaling turns the uint8 pixels into [0, 1] floats per batch.
    return std::make_shared<Sequential>(std::vector<LayerRef>{
        Input({28, 28}, {.dtype = DType::uint8}),
        layers::Rescaling(1.0 / 255),
        layers::Flatten(),
        layers::Dense(128, {.activation = "relu"}),
        layers::Dropout(0.2),
        layers::Dense(10),
    });
  }
  std::string names;
  for (const auto& p : preset_names()) names += (names.empty() ? "" : ", ") + p;
  if (name == "cnn")
    throw InvalidArgument("--model cnn: the CNN preset needs the convolution layers, which are not built yet; "
                          "available presets: " + names + ", or a JSON model config file");
  throw InvalidArgument("--model " + name + ": not a preset (" + names + ") nor an existing JSON model config file");
}

}  // namespace nabla::cli
