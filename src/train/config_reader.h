// Reading Keras-style configs ({"name": ..., ...}) into options structs,
// shared by the loss and metric registries (internal). Unknown keys and
// values of the wrong type are InvalidArgument errors naming the class and key.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "nabla/core/error.h"

namespace nabla::train_detail {

class ConfigReader {
 public:
  using json = nlohmann::json;
  ConfigReader(const json& config, std::string cls) : config_(config), cls_(std::move(cls)) {
    NB_CHECK(config_.is_object(), InvalidArgument, cls_, ": \"config\" must be a JSON object, got ", config_.dump());
  }

  // The value of `key`, or nullptr when absent (marks the key as known).
  const json* find(const char* key) {
    used_.push_back(key);
    auto it = config_.find(key);
    return it == config_.end() ? nullptr : &*it;
  }

  // Reads `key` into `out` when present. Supported: bool, double, int64_t,
  // std::string, std::optional of int64_t/double/std::string (null ->
  // nullopt), std::vector<double> (null -> empty, a number -> one element).
  template <typename T> void read(const char* key, T& out) {
    const json* p = find(key);
    if (!p) return;
    const json& v = *p;
    if constexpr (std::is_same_v<T, bool>) {
      check(v.is_boolean(), key, "a boolean", v);
      out = v.get<bool>();
    } else if constexpr (std::is_same_v<T, double>) {
      check(v.is_number(), key, "a number", v);
      out = v.get<double>();
    } else if constexpr (std::is_same_v<T, int64_t>) {
      check(v.is_number_integer(), key, "an integer", v);
      out = v.get<int64_t>();
    } else if constexpr (std::is_same_v<T, std::string>) {
      check(v.is_string(), key, "a string", v);
      out = v.get<std::string>();
    } else if constexpr (std::is_same_v<T, std::optional<int64_t>>) {
      check(v.is_null() || v.is_number_integer(), key, "an integer or null", v);
      out = v.is_null() ? std::nullopt : std::optional<int64_t>(v.get<int64_t>());
    } else if constexpr (std::is_same_v<T, std::optional<double>>) {
      check(v.is_null() || v.is_number(), key, "a number or null", v);
      out = v.is_null() ? std::nullopt : std::optional<double>(v.get<double>());
    } else if constexpr (std::is_same_v<T, std::optional<std::string>>) {
      check(v.is_null() || v.is_string(), key, "a string or null", v);
      out = v.is_null() ? std::nullopt : std::optional<std::string>(v.get<std::string>());
    } else {
      static_assert(std::is_same_v<T, std::vector<double>>, "unsupported config value type");
      if (v.is_null()) {
        out.clear();
      } else if (v.is_number()) {
        out = {v.get<double>()};
      } else {
        check(v.is_array(), key, "a number, a list of numbers or null", v);
        out.clear();
        for (const json& x : v) {
          check(x.is_number(), key, "a list of numbers", v);
          out.push_back(x.get<double>());
        }
      }
    }
  }

  // Call after all reads: any key not read is an error ("dtype" is accepted
  // and ignored: nabla computes losses in y_pred's dtype and metrics in double).
  void finish() const {
    for (auto it = config_.begin(); it != config_.end(); ++it) {
      if (it.key() == "dtype") continue;
      bool known = false;
      for (const char* k : used_) known = known || it.key() == k;
      if (!known) {
        std::string keys;
        for (const char* k : used_) keys += std::string(keys.empty() ? "" : ", ") + k;
        throw InvalidArgument(cls_ + ": unknown config key \"" + it.key() + "\"; accepted keys: " + keys);
      }
    }
  }

  void check(bool ok, const char* key, const char* what, const json& v) const {
    NB_CHECK(ok, InvalidArgument, cls_, ": config key \"", key, "\" must be ", what, ", got ", v.dump());
  }

 private:
  const json& config_;
  std::string cls_;
  std::vector<const char*> used_;
};

}  // namespace nabla::train_detail
