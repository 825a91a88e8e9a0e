// Loss lookup by Keras name and (de)serialisation in Keras's
// {"class_name": ..., "config": {...}} format.
#include <functional>
#include <map>

#include <nlohmann/json.hpp>

#include "nabla/train/losses.h"
#include "train/config_reader.h"

namespace nabla::losses {
namespace {

using json = nlohmann::json;

using train_detail::ConfigReader;

// Keras writes None or a name for the reduction.
Reduction read_reduction(ConfigReader& r) {
  const json* v = r.find("reduction");
  if (!v || v->is_null()) return v ? Reduction::None : Reduction::SumOverBatchSize;
  r.check(v->is_string(), "reduction", "a reduction name or null", *v);
  return reduction_from_name(v->get<std::string>());
}

template <typename L> std::shared_ptr<Loss> build_simple(const json& config, const std::string& cls) {
  typename L::Options o;
  ConfigReader r(config, cls);
  r.read("name", o.name);
  o.reduction = read_reduction(r);
  r.finish();
  return std::make_shared<L>(o);
}

template <typename L> std::shared_ptr<Loss> build_xent(const json& config, const std::string& cls) {
  typename L::Options o;
  ConfigReader r(config, cls);
  r.read("name", o.name);
  o.reduction = read_reduction(r);
  r.read("from_logits", o.from_logits);
  r.read("label_smoothing", o.label_smoothing);
  r.read("axis", o.axis);
  r.finish();
  return std::make_shared<L>(o);
}

std::shared_ptr<Loss> build_huber(const json& config, const std::string& cls) {
  Huber::Options o;
  ConfigReader r(config, cls);
  r.read("name", o.name);
  o.reduction = read_reduction(r);
  r.read("delta", o.delta);
  r.finish();
  return std::make_shared<Huber>(o);
}

std::shared_ptr<Loss> build_sparse(const json& config, const std::string& cls) {
  SparseCategoricalCrossentropy::Options o;
  ConfigReader r(config, cls);
  r.read("name", o.name);
  o.reduction = read_reduction(r);
  r.read("from_logits", o.from_logits);
  r.read("ignore_class", o.ignore_class);
  r.read("axis", o.axis);
  r.finish();
  return std::make_shared<SparseCategoricalCrossentropy>(o);
}

using Builder = std::function<std::shared_ptr<Loss>(const json&, const std::string&)>;

const std::map<std::string, Builder>& class_table() {
  static const std::map<std::string, Builder> t = {
      {"MeanSquaredError", &build_simple<MeanSquaredError>},
      {"MeanAbsoluteError", &build_simple<MeanAbsoluteError>},
      {"Huber", &build_huber},
      {"BinaryCrossentropy", &build_xent<BinaryCrossentropy>},
      {"CategoricalCrossentropy", &build_xent<CategoricalCrossentropy>},
      {"SparseCategoricalCrossentropy", &build_sparse},
      {"KLDivergence", &build_simple<KLDivergence>},
  };
  return t;
}

// Function names and aliases -> class name.
const std::map<std::string, std::string>& function_table() {
  static const std::map<std::string, std::string> t = {
      {"mse", "MeanSquaredError"},
      {"MSE", "MeanSquaredError"},
      {"mean_squared_error", "MeanSquaredError"},
      {"mae", "MeanAbsoluteError"},
      {"MAE", "MeanAbsoluteError"},
      {"mean_absolute_error", "MeanAbsoluteError"},
      {"huber", "Huber"},
      {"binary_crossentropy", "BinaryCrossentropy"},
      {"bce", "BinaryCrossentropy"},
      {"BCE", "BinaryCrossentropy"},
      {"categorical_crossentropy", "CategoricalCrossentropy"},
      {"sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"},
      {"kl_divergence", "KLDivergence"},
      {"kld", "KLDivergence"},
      {"KLD", "KLDivergence"},
  };
  return t;
}

std::string accepted_names() {
  std::string s;
  for (const auto& [k, v] : function_table()) s += (s.empty() ? "" : ", ") + k;
  for (const auto& [k, v] : class_table()) s += ", " + k;
  return s;
}

}  // namespace

std::shared_ptr<Loss> get(const std::string& name) {
  if (auto it = class_table().find(name); it != class_table().end()) return it->second(json::object(), name);
  if (auto it = function_table().find(name); it != function_table().end())
    return class_table().at(it->second)(json{{"name", name}}, it->second);
  throw InvalidArgument("unknown loss \"" + name + "\"; accepted names: " + accepted_names());
}

std::shared_ptr<Loss> from_config(const json& config) {
  NB_CHECK(config.is_object() && config.contains("class_name") && config.at("class_name").is_string(),
           InvalidArgument, "loss config must be an object with a string \"class_name\", got ", config.dump());
  const std::string cls = config.at("class_name").get<std::string>();
  auto it = class_table().find(cls);
  if (it == class_table().end()) {
    std::string names;
    for (const auto& [k, v] : class_table()) names += (names.empty() ? "" : ", ") + k;
    throw InvalidArgument("unknown loss class \"" + cls + "\"; known classes: " + names);
  }
  return it->second(config.contains("config") ? config.at("config") : json::object(), cls);
}

json serialize(const Loss& loss) { return json{{"class_name", loss.class_name()}, {"config", loss.get_config()}}; }

}  // namespace nabla::losses
