// Reading Keras-style config dicts (optimisers and learning-rate schedules):
// typed lookups with defaults, and a final check that rejects unknown keys,
// as Keras's constructors do ("Argument(s) not recognized").
#pragma once
#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "nabla/core/error.h"

namespace nabla::optimizers::detail {

class ConfigReader {
 public:
  // `what` names the object in messages ("Adam config").
  ConfigReader(const nlohmann::json& config, std::string what) : config_(config), what_(std::move(what)) {
    NB_CHECK(config_.is_object(), InvalidArgument, what_, ": expected a JSON object, got ", config_.dump());
  }

  bool has(const std::string& key) const { return config_.contains(key) && !config_.at(key).is_null(); }
  // The raw value (null when absent); marks the key as used.
  const nlohmann::json& raw(const std::string& key) {
    used_.insert(key);
    static const nlohmann::json null_value;
    return config_.contains(key) ? config_.at(key) : null_value;
  }

  double number(const std::string& key, double fallback) {
    const nlohmann::json& v = raw(key);
    if (v.is_null()) return fallback;
    NB_CHECK(v.is_number(), InvalidArgument, what_, ": \"", key, "\" must be a number, got ", v.dump());
    return v.get<double>();
  }
  std::optional<double> optional_number(const std::string& key) {
    const nlohmann::json& v = raw(key);
    if (v.is_null()) return std::nullopt;
    NB_CHECK(v.is_number(), InvalidArgument, what_, ": \"", key, "\" must be a number or null, got ", v.dump());
    return v.get<double>();
  }
  double required_number(const std::string& key) {
    NB_CHECK(has(key), InvalidArgument, what_, ": missing required key \"", key, "\"");
    return number(key, 0.0);
  }
  bool boolean(const std::string& key, bool fallback) {
    const nlohmann::json& v = raw(key);
    if (v.is_null()) return fallback;
    NB_CHECK(v.is_boolean(), InvalidArgument, what_, ": \"", key, "\" must be true or false, got ", v.dump());
    return v.get<bool>();
  }
  std::string string(const std::string& key, const std::string& fallback) {
    const nlohmann::json& v = raw(key);
    if (v.is_null()) return fallback;
    NB_CHECK(v.is_string(), InvalidArgument, what_, ": \"", key, "\" must be a string, got ", v.dump());
    return v.get<std::string>();
  }

  // Throws InvalidArgument naming every key that no lookup used.
  void finish() const {
    std::string unknown;
    for (const auto& [key, value] : config_.items())
      if (!used_.count(key)) unknown += (unknown.empty() ? "\"" : ", \"") + key + "\"";
    NB_CHECK(unknown.empty(), InvalidArgument, what_, ": argument(s) not recognized: ", unknown);
  }

 private:
  const nlohmann::json& config_;
  std::string what_;
  std::set<std::string> used_;
};

// A number or null as JSON.
inline nlohmann::json json_or_null(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

}  // namespace nabla::optimizers::detail
