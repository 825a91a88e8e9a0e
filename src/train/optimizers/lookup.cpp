// Optimisers by Keras name (get) and by serialized config (from_config, serialize).
#include <algorithm>
#include <cctype>
#include <functional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "nabla/train/optimizers.h"

namespace nabla::optimizers {

namespace {

struct Entry {
  const char* name;        // Keras's lower-case alias
  const char* class_name;  // Keras's class name
  std::function<std::shared_ptr<Optimizer>()> make;
  std::function<std::shared_ptr<Optimizer>(const nlohmann::json&)> from_config;
};

const std::vector<Entry>& registry() {
  static const std::vector<Entry> entries = {
      {"sgd", "SGD", [] { return std::make_shared<SGD>(); }, [](const nlohmann::json& c) { return SGD::from_config(c); }},
      {"rmsprop", "RMSprop", [] { return std::make_shared<RMSprop>(); },
       [](const nlohmann::json& c) { return RMSprop::from_config(c); }},
      {"adam", "Adam", [] { return std::make_shared<Adam>(); },
       [](const nlohmann::json& c) { return Adam::from_config(c); }},
      {"adamw", "AdamW", [] { return std::make_shared<AdamW>(); },
       [](const nlohmann::json& c) { return AdamW::from_config(c); }},
      {"adagrad", "Adagrad", [] { return std::make_shared<Adagrad>(); },
       [](const nlohmann::json& c) { return Adagrad::from_config(c); }},
      {"adadelta", "Adadelta", [] { return std::make_shared<Adadelta>(); },
       [](const nlohmann::json& c) { return Adadelta::from_config(c); }},
      {"adamax", "Adamax", [] { return std::make_shared<Adamax>(); },
       [](const nlohmann::json& c) { return Adamax::from_config(c); }},
      {"nadam", "Nadam", [] { return std::make_shared<Nadam>(); },
       [](const nlohmann::json& c) { return Nadam::from_config(c); }},
      {"ftrl", "Ftrl", [] { return std::make_shared<Ftrl>(); },
       [](const nlohmann::json& c) { return Ftrl::from_config(c); }},
  };
  return entries;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

std::string known_names(bool class_names) {
  std::string out;
  for (const Entry& e : registry()) out += std::string(out.empty() ? "" : ", ") + (class_names ? e.class_name : e.name);
  return out;
}

}  // namespace

std::shared_ptr<Optimizer> get(const std::string& name) {
  const std::string key = lower(name);
  for (const Entry& e : registry())
    if (key == e.name) return e.make();
  NB_CHECK(false, InvalidArgument, "unknown optimizer \"", name, "\"; expected one of: ", known_names(false));
  return nullptr;
}

std::shared_ptr<Optimizer> from_config(const nlohmann::json& config) {
  NB_CHECK(config.is_object() && config.contains("class_name") && config.at("class_name").is_string(),
           InvalidArgument, "optimizers::from_config: expected {\"class_name\": ..., \"config\": {...}}, got ",
           config.dump());
  const std::string cls = config.at("class_name").get<std::string>();
  static const nlohmann::json empty = nlohmann::json::object();
  const nlohmann::json& inner = config.contains("config") ? config.at("config") : empty;
  for (const Entry& e : registry())
    if (cls == e.class_name) return e.from_config(inner);
  NB_CHECK(false, InvalidArgument, "optimizers::from_config: unknown optimizer class \"", cls,
           "\"; expected one of: ", known_names(true));
  return nullptr;
}

nlohmann::json serialize(const Optimizer& optimizer) {
  return {{"module", "keras.optimizers"},
          {"class_name", optimizer.class_name()},
          {"config", optimizer.get_config()},
          {"registered_name", nullptr}};
}

}  // namespace nabla::optimizers
