// Model files (.nabla): a whole model -- architecture, weights, compile
// settings and optimizer state -- in one safetensors file (docs/saving.md).
//
//   model.save("fashion.nabla");
//   auto model = nb::load_model("fashion.nabla");   // compiled, ready to predict or fit
//
// Tensors are named by layer path ("dense/kernel", "block/dense_1/bias";
// optimizer slots "optimizer/<weight path>/<slot>"). __metadata__ holds
//   "format": "nabla.model", "format_version": "1",
//   "model_config": the Keras-style model config (JSON text),
//   "build_config": {"input_shapes": [...], "input_dtypes": [...]} (JSON text),
//   "compile_config": {"optimizer": ..., "loss": ..., "metrics": ...} (JSON text, if compiled),
//   "optimizer_state": {"iterations": N, "learning_rate": r, "slots": [...]} (JSON text, if built).
// Sequential and functional models are rebuilt from their config; subclassed
// models through the layer registry: override class_name(), get_config() and a
// static from_config(), and register with NB_REGISTER_LAYER(MyModel, "MyModel").
#pragma once
#include <filesystem>
#include <memory>
#include <string>

namespace nabla {
class Model;

// The model-file format version this build writes (and the newest it reads).
inline constexpr int kModelFormatVersion = 1;

struct LoadWeightsOptions {
  // Skip weights that are missing from the file or have another shape (Keras's
  // skip_mismatch), instead of failing.
  bool skip_mismatch = false;
};

struct LoadModelOptions {
  // Restore compile settings and optimizer state (false: an uncompiled model).
  bool compile = true;
};

// Loads a model written by Model::save. Every malformed file gives a typed
// nb::Error naming the file and saying what was expected and what was found:
// DataLoss (truncated or corrupt bytes, missing or mis-shaped weights),
// InvalidArgument (a config nabla cannot build, another format version),
// NotFound (no such file, a layer class not registered in this program).
// Nothing partial is ever returned.
std::shared_ptr<Model> load_model(const std::filesystem::path& path, const LoadModelOptions& options = {});
// The same from the bytes of a file; `source` names it in messages.
std::shared_ptr<Model> load_model_from_buffer(std::string bytes, const LoadModelOptions& options = {},
                                              const std::string& source = "<memory>");

}  // namespace nabla
