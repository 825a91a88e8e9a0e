#include "nn/layer_config.h"

#include "nabla/nn/initializers.h"
#include "nabla/nn/regularizers.h"

namespace nabla::detail {

DType dtype_from_config(const nlohmann::json& config, const char* key, DType fallback) {
  if (!config.contains(key) || config[key].is_null()) return fallback;
  const nlohmann::json& v = config[key];
  // Keras 3 may write a DTypePolicy object: {"class_name": "DTypePolicy", "config": {"name": "float32"}}.
  std::string name;
  if (v.is_string()) {
    name = v.get<std::string>();
  } else if (v.is_object() && v.contains("config") && v["config"].contains("name")) {
    name = v["config"]["name"].get<std::string>();
  } else {
    throw InvalidArgument(std::string("config key \"") + key + "\" must be a dtype name, got " + v.dump());
  }
  return dtype_from_name(name);
}

LayerOptions layer_options_from_config(const nlohmann::json& config) {
  LayerOptions o;
  if (config.contains("name") && config["name"].is_string()) o.name = config["name"].get<std::string>();
  if (config.contains("trainable")) o.trainable = config["trainable"].get<bool>();
  o.dtype = dtype_from_config(config, "dtype", DType::float32);
  for (const char* key : {"batch_input_shape", "batch_shape"}) {
    if (config.contains(key) && config[key].is_array() && !config[key].empty()) {
      const auto& s = config[key];
      for (size_t i = 1; i < s.size(); ++i) {
        NB_CHECK(s[i].is_number_integer(), InvalidArgument, "config \"", key,
                 "\": only the batch dimension may be null, got ", s.dump());
        o.input_shape.push_back(s[i].get<int64_t>());
      }
    }
  }
  return o;
}

nlohmann::json initializer_to_config(const InitializerArg& arg) {
  auto init = arg.get();
  return nlohmann::json{{"class_name", init->class_name()}, {"config", init->get_config()}};
}

InitializerArg initializer_from_config(const nlohmann::json& v) {
  if (v.is_string()) return InitializerArg(v.get<std::string>());
  return InitializerArg(initializers::from_config(v));
}

nlohmann::json regularizer_to_config(const RegularizerArg& arg) {
  auto reg = arg.get();
  if (!reg) return nullptr;
  return nlohmann::json{{"class_name", reg->class_name()}, {"config", reg->get_config()}};
}

RegularizerArg regularizer_from_config(const nlohmann::json& v) {
  if (v.is_null()) return {};
  if (v.is_string()) return RegularizerArg(v.get<std::string>());
  return RegularizerArg(regularizers::from_config(v));
}

}  // namespace nabla::detail
