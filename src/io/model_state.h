// Shared by model_file.cpp and checkpoint.cpp: turning a model (weights,
// optimizer state, configs) into a safetensors file and back.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "nabla/io/safetensors.h"
#include "nabla/train/model.h"

namespace nabla::io::detail {

inline constexpr const char* kModelFormat = "nabla.model";

// Whether a model file stores the architecture (model_config/build_config).
enum class Architecture {
  required,      // InvalidArgument if the model cannot be rebuilt from a config (Model::save)
  if_available,  // stored when possible (checkpoints of unregistered subclassed models omit it)
};

struct EncodeOptions {
  Architecture architecture = Architecture::required;
  // Extra metadata entries (the training state of a checkpoint).
  std::map<std::string, std::string> extra_metadata = {};
};

// The bytes of a model file.
std::string encode_model(Model& model, const EncodeOptions& options);

// Checks the format and version keys; DataLoss/InvalidArgument naming the file otherwise.
void check_format(const SafetensorsReader& file);

// Parses the JSON text of metadata entry `key`; null if absent and !required.
nlohmann::json metadata_json(const SafetensorsReader& file, const std::string& key, bool required);

// Validates every weight of `model` against the file, then assigns them all
// (nothing changes on error). Weights are matched by layer path; a subclassed
// model whose auto-generated layer names differ from the file's is matched by
// the file's weight order instead (shapes still checked).
void restore_weights(Model& model, const SafetensorsReader& file, bool skip_mismatch);

// Restores the optimizer's slots, iterations and learning rate (model compiled).
void restore_optimizer(Model& model, const SafetensorsReader& file);

}  // namespace nabla::io::detail
