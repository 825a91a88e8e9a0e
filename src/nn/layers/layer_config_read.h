// Typed reads of layer config keys for the normalisation, reshaping and
// image-augmentation layers: a missing or null key gives the default, a value
// of the wrong type gives InvalidArgument naming the class, the key, what was
// expected and what was found. Also the Keras spellings of the image-layer
// argument types (padding pairs, int tuples, factors) and data_format.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nabla/core/error.h"
#include "nabla/nn/layers/image_layer_args.h"
#include "nabla/nn/layers/int_tuple.h"

namespace nabla::layers::cfg {

using json = nlohmann::json;

inline const json* find(const json& c, const char* key) {
  auto it = c.find(key);
  return it == c.end() || it->is_null() ? nullptr : &*it;
}
inline bool boolean(const json& c, const char* key, bool def, const char* cls) {
  const json* v = find(c, key);
  if (v == nullptr) return def;
  NB_CHECK(v->is_boolean(), InvalidArgument, cls, " config: \"", key, "\" must be true or false, got ", v->dump());
  return v->get<bool>();
}
inline int64_t integer(const json& c, const char* key, int64_t def, const char* cls) {
  const json* v = find(c, key);
  if (v == nullptr) return def;
  NB_CHECK(v->is_number_integer(), InvalidArgument, cls, " config: \"", key, "\" must be an integer, got ",
           v->dump());
  return v->get<int64_t>();
}
inline double number(const json& c, const char* key, double def, const char* cls) {
  const json* v = find(c, key);
  if (v == nullptr) return def;
  NB_CHECK(v->is_number(), InvalidArgument, cls, " config: \"", key, "\" must be a number, got ", v->dump());
  return v->get<double>();
}
inline std::string string(const json& c, const char* key, const std::string& def, const char* cls) {
  const json* v = find(c, key);
  if (v == nullptr) return def;
  NB_CHECK(v->is_string(), InvalidArgument, cls, " config: \"", key, "\" must be a string, got ", v->dump());
  return v->get<std::string>();
}
// "seed": a non-negative integer, or null/absent (no own generator).
inline std::optional<uint64_t> seed(const json& c, const char* cls) {
  const json* v = find(c, "seed");
  if (v == nullptr) return std::nullopt;
  NB_CHECK(v->is_number_unsigned() || (v->is_number_integer() && v->get<int64_t>() >= 0), InvalidArgument, cls,
           " config: \"seed\" must be a non-negative integer or null, got ", v->dump());
  return v->get<uint64_t>();
}
// A key that only has one supported value (e.g. Keras's "renorm": false):
// absent, null or equal to `supported` passes; anything else is Unimplemented.
inline void only(const json& c, const char* key, const json& supported, const char* cls) {
  const json* v = find(c, key);
  if (v == nullptr || *v == supported) return;
  throw Unimplemented(detail::str_cat(cls, ": \"", key, "\" = ", v->dump(), " is not supported (only ",
                                      supported.dump(), ")"));
}

// "channels_last" / "channels_first" (null or absent: channels_last).
inline std::string data_format(const json& c, const char* cls) {
  return string(c, "data_format", "channels_last", cls);
}

// Keras writes ((top, bottom), (left, right)); accepts an int or (h, w) too.
inline json padding_json(const Padding2DArg& p) {
  return json::array({json::array({p.top, p.bottom}), json::array({p.left, p.right})});
}
inline Padding2DArg padding_from(const json& v, const char* key, const char* cls) {
  auto bad = [&] {
    return InvalidArgument(detail::str_cat(cls, " config: \"", key,
                                           "\" must be an int, [h, w] or [[top, bottom], [left, right]], got ",
                                           v.dump()));
  };
  if (v.is_number_integer()) return Padding2DArg(v.get<int64_t>());
  if (!v.is_array() || v.size() != 2) throw bad();
  if (v[0].is_number_integer() && v[1].is_number_integer())
    return Padding2DArg(v[0].get<int64_t>(), v[1].get<int64_t>());
  std::vector<std::pair<int64_t, int64_t>> hw;
  for (const json& e : v) {
    if (e.is_number_integer()) {
      hw.emplace_back(e.get<int64_t>(), e.get<int64_t>());
    } else if (e.is_array() && e.size() == 2 && e[0].is_number_integer() && e[1].is_number_integer()) {
      hw.emplace_back(e[0].get<int64_t>(), e[1].get<int64_t>());
    } else {
      throw bad();
    }
  }
  return Padding2DArg(hw[0], hw[1]);
}

// An int or a list of ints (Keras's "int or tuple" arguments).
inline IntTuple int_tuple(const json& v, const char* key, const char* cls) {
  if (v.is_number_integer()) return IntTuple(v.get<int64_t>());
  bool ok = v.is_array() && !v.empty();
  if (ok)
    for (const json& e : v) ok = ok && e.is_number_integer();
  NB_CHECK(ok, InvalidArgument, cls, " config: \"", key, "\" must be an int or a list of ints, got ", v.dump());
  return IntTuple(v.get<std::vector<int64_t>>());
}

// A factor as Keras writes it: the number or the [lower, upper] list given.
inline json factor_json(const FactorArg& f) {
  return f.values.size() == 1 ? json(f.values[0]) : json(f.values);
}
inline FactorArg factor_from(const json& v, const char* key, const char* cls) {
  if (v.is_number()) return FactorArg(v.get<double>());
  NB_CHECK(v.is_array() && v.size() == 2 && v[0].is_number() && v[1].is_number(), InvalidArgument, cls,
           " config: \"", key, "\" must be a number or [lower, upper], got ", v.dump());
  return FactorArg(v[0].get<double>(), v[1].get<double>());
}

}  // namespace nabla::layers::cfg
