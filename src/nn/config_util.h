// Reading Keras-style configs ({"class_name": ..., "config": {...}}) for the
// initializer and regularizer registries: typed access with defaults, and
// InvalidArgument naming the class, the key, what was expected and what was
// found for a missing class name, a wrong type or an unknown key.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nabla/core/error.h"

namespace nabla::nn_config {

using json = nlohmann::json;

// A serialised object: its class name and config (an empty object when absent).
struct Serialized {
  std::string class_name;
  json config = json::object();
};

// Accepts {"class_name": NAME, "config": {...}, ...} or a plain string NAME.
// `kind` ("initializer", "regularizer") is used in messages.
inline Serialized parse_serialized(const json& j, const char* kind) {
  Serialized s;
  if (j.is_string()) {
    s.class_name = j.get<std::string>();
    return s;
  }
  NB_CHECK(j.is_object(), InvalidArgument, "from_config: expected a ", kind,
           " config object {\"class_name\": ..., \"config\": {...}} or a name, got ", j.dump());
  const auto cn = j.find("class_name");
  NB_CHECK(cn != j.end() && cn->is_string(), InvalidArgument, "from_config: the ", kind,
           " config has no string \"class_name\": ", j.dump());
  s.class_name = cn->get<std::string>();
  const auto c = j.find("config");
  if (c != j.end() && !c->is_null()) {
    NB_CHECK(c->is_object(), InvalidArgument, "from_config: \"config\" of ", s.class_name,
             " must be an object, got ", c->dump());
    s.config = *c;
  }
  return s;
}

// Typed, checked access to the keys of one config object.
class Reader {
 public:
  Reader(const json& config, std::string class_name) : c_(config), name_(std::move(class_name)) {}

  double number(const char* key, double def) {
    const json* v = find(key);
    if (v == nullptr || v->is_null()) return def;
    NB_CHECK(v->is_number(), InvalidArgument, name_, " config: \"", key, "\" must be a number, got ",
             v->dump());
    return v->get<double>();
  }
  std::string string(const char* key, const std::string& def) {
    const json* v = find(key);
    if (v == nullptr || v->is_null()) return def;
    NB_CHECK(v->is_string(), InvalidArgument, name_, " config: \"", key, "\" must be a string, got ",
             v->dump());
    return v->get<std::string>();
  }
  // An integer seed >= 0, or null.
  std::optional<uint64_t> seed(const char* key = "seed") {
    const json* v = find(key);
    if (v == nullptr || v->is_null()) return std::nullopt;
    NB_CHECK(v->is_number_unsigned() || (v->is_number_integer() && v->get<int64_t>() >= 0),
             InvalidArgument, name_, " config: \"", key,
             "\" must be a non-negative integer or null, got ", v->dump());
    return v->get<uint64_t>();
  }
  // A list of integers, or null.
  std::optional<std::vector<int64_t>> int_list(const char* key) {
    const json* v = find(key);
    if (v == nullptr || v->is_null()) return std::nullopt;
    bool ok = v->is_array();
    if (ok)
      for (const auto& e : *v) ok = ok && e.is_number_integer();
    NB_CHECK(ok, InvalidArgument, name_, " config: \"", key, "\" must be a list of integers or null, got ",
             v->dump());
    return v->get<std::vector<int64_t>>();
  }
  // Throws InvalidArgument when the config has a key no accessor asked for.
  void finish() const {
    for (const auto& [k, v] : c_.items()) {
      if (used_.count(k)) continue;
      std::string known;
      for (const auto& u : used_) known += (known.empty() ? "" : ", ") + u;
      throw InvalidArgument(detail::str_cat(name_, " config: unknown key \"", k, "\"; expected ",
                                            known.empty() ? std::string("no keys") : "keys among: " + known));
    }
  }

 private:
  const json* find(const char* key) {
    used_.insert(key);
    const auto it = c_.find(key);
    return it == c_.end() ? nullptr : &*it;
  }
  const json& c_;
  std::string name_;
  std::set<std::string> used_;
};

// A seed as Keras writes it: the integer or null.
inline json seed_json(const std::optional<uint64_t>& seed) { return seed ? json(*seed) : json(nullptr); }
inline json axes_json(const std::optional<std::vector<int64_t>>& axes) {
  return axes ? json(*axes) : json(nullptr);
}

// The keys of a name table, sorted, joined with ", " (for "expected one of" messages).
inline std::string join_keys(const std::map<std::string, std::string>& table) {
  std::string s;
  for (const auto& [k, v] : table) s += (s.empty() ? "" : ", ") + k;
  return s;
}

// Builds an object of a Keras-style registry (initializers, regularizers) from a
// name or {"class_name", "config"}: `aliases` maps every accepted name to a class,
// `factories` maps a class to a function of a Reader. Unknown names and config
// keys give InvalidArgument.
template <typename T, typename Factories>
std::shared_ptr<T> build_registered(const json& config, const char* kind,
                                    const std::map<std::string, std::string>& aliases, const Factories& factories) {
  const Serialized s = parse_serialized(config, kind);
  const auto it = aliases.find(s.class_name);
  NB_CHECK(it != aliases.end(), InvalidArgument, "Could not interpret ", kind, " identifier: '", s.class_name,
           "'; expected one of: ", join_keys(aliases));
  Reader reader(s.config, it->second);
  std::shared_ptr<T> obj = factories.at(it->second)(reader);
  reader.finish();
  return obj;
}

// Keras's serialized form: {"module", "class_name", "config", "registered_name": null}.
inline json serialized(const char* module, const std::string& class_name, json config) {
  return {{"module", module}, {"class_name", class_name}, {"config", std::move(config)}, {"registered_name", nullptr}};
}

}  // namespace nabla::nn_config
