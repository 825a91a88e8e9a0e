#include "model_args.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "nabla/nabla.h"
#include "presets.h"

namespace nabla::cli {

namespace {
// A file that starts like safetensors: 8-byte length, then '{'.
bool looks_like_model_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char head[9] = {};
  in.read(head, 9);
  return in.gcount() == 9 && head[8] == '{';
}
}  // namespace

std::shared_ptr<Model> load_model_arg(const std::string& spec) {
  if (is_preset(spec) || !std::filesystem::exists(spec)) {
    if (!is_preset(spec) && (spec.find(".json") != std::string::npos || spec.find(".nabla") != std::string::npos ||
                             spec.find('/') != std::string::npos))
      throw UsageError(spec + ": no such file");
    try {
      return make_preset(spec);
    } catch (const InvalidArgument& e) {
      throw UsageError(e.what());
    }
  }
  if (looks_like_model_file(spec)) return load_model(spec);
  const std::string text = io::read_file(spec, uint64_t(1) << 30);
  nlohmann::json config;
  try {
    config = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw InvalidArgument("'" + spec + "' is not valid JSON: expected a JSON model config or a saved model (.nabla); " +
                          e.what());
  }
  NB_CHECK(config.is_object(), InvalidArgument, "'", spec, "': expected a JSON object (a model config), found ",
           config.type_name());
  return model_from_config(config);
}

bool ends_in_softmax(Model& model) {
  std::vector<std::shared_ptr<Layer>> ls = model.layers();
  if (auto* seq = dynamic_cast<Sequential*>(&model)) ls = seq->sequential_layers();
  if (ls.empty()) return false;
  try {
    nlohmann::json c = ls.back()->get_config();
    return c.contains("activation") && c["activation"] == "softmax";
  } catch (const Error&) {
    return false;
  }
}

Tensor prepare_images(Model& model, const Tensor& images) {
  DType want = DType::uint8;
  if (model.is_functional()) want = model.inputs().at(0).dtype();
  else if (!model.build_input_dtypes().empty()) want = model.build_input_dtypes()[0];
  if (want == DType::uint8) return images;
  return cast(cast(images, DType::float32) / 255.0f, want);
}

void compile_for_classification(Model& model, const std::string& optimizer) {
  std::shared_ptr<optimizers::Optimizer> opt;
  try {
    opt = optimizers::get(optimizer);
  } catch (const InvalidArgument& e) {
    throw UsageError(std::string("--optimizer: ") + e.what());
  }
  model.compile({.optimizer = opt,
                 .loss = losses::SparseCategoricalCrossentropy({.from_logits = !ends_in_softmax(model)}),
                 .metrics = {"accuracy"}});
}

}  // namespace nabla::cli
