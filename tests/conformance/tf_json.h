// Shared by the TensorFlow conformance tests (test_tf_reference.cpp,
// test_tf_gradients.cpp): decoding of the JSON golden files into tensors and
// attributes, the op-table helpers, and message formatting.
#pragma once
#include <cmath>
#include <functional>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nabla/nabla.h>
#include <nlohmann/json.hpp>

namespace tf_json {

namespace nb = nabla;
using json = nlohmann::json;

// ----------------------------------------------------------------------------- decoding

inline double json_double(const json& v) {
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
    if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
    throw std::runtime_error("bad float value \"" + s + "\"");
  }
  if (v.is_boolean()) return v.get<bool>() ? 1.0 : 0.0;
  return v.get<double>();
}

inline int64_t json_int(const json& v) {
  if (v.is_boolean()) return v.get<bool>() ? 1 : 0;
  return v.get<int64_t>();
}

inline nb::Shape json_shape(const json& v) { return nb::Shape(v.get<std::vector<int64_t>>()); }

inline nb::Tensor make_tensor(const json& t) {
  const nb::DType dt = nb::dtype_from_name(t.at("dtype").get<std::string>());
  const nb::Shape shape = json_shape(t.at("shape"));
  if (t.contains("pattern")) {
    // Large inputs: value[i] = ((i * mul) % mod) * 2^-shift + offset, exact in double.
    const json& p = t.at("pattern");
    const int64_t mul = p.at("mul").get<int64_t>(), mod = p.at("mod").get<int64_t>();
    const int shift = p.at("shift").get<int>();
    const double offset = p.at("offset").get<double>();
    std::vector<double> v(size_t(shape.num_elements()));
    for (size_t i = 0; i < v.size(); ++i)
      v[i] = std::ldexp(double((int64_t(i) * mul) % mod), -shift) + offset;
    return nb::detail::make_from_doubles(v, shape, dt);
  }
  const json& vals = t.at("values");
  if (nb::is_floating(dt)) {
    std::vector<double> v;
    for (const auto& x : vals) v.push_back(json_double(x));
    return nb::detail::make_from_doubles(v, shape, dt);
  }
  std::vector<int64_t> v;
  for (const auto& x : vals) v.push_back(json_int(x));
  return nb::detail::make_from_int64s(v, shape, dt);
}

inline nb::Scalar json_scalar(const json& v) {
  if (v.is_boolean()) return nb::Scalar(v.get<bool>());
  if (v.is_number_integer()) return nb::Scalar(v.get<int64_t>());
  return nb::Scalar(json_double(v));
}

// axis attribute: null -> {} (every axis), int -> {i}, list -> list.
inline std::vector<int64_t> axes_of(const json& v) {
  if (v.is_null()) return {};
  if (v.is_number_integer()) return {v.get<int64_t>()};
  return v.get<std::vector<int64_t>>();
}

inline std::vector<int64_t> ivec(const json& v) { return v.get<std::vector<int64_t>>(); }

// ----------------------------------------------------------------------------- op table

using Tensors = std::vector<nb::Tensor>;
using OpFn = std::function<Tensors(const Tensors&, const json&)>;

#define NB_UNARY(NAME) {#NAME, [](const Tensors& in, const json&) { return Tensors{nb::NAME(in.at(0))}; }}
#define NB_BINARY(NAME) \
  {#NAME, [](const Tensors& in, const json&) { return Tensors{nb::NAME(in.at(0), in.at(1))}; }}
#define NB_REDUCE(NAME)                                                                   \
  {#NAME, [](const Tensors& in, const json& a) {                                          \
     return Tensors{nb::NAME(in.at(0), axes_of(a.at("axis")), a.at("keepdims").get<bool>())}; \
   }}

// ----------------------------------------------------------------------------- messages

inline std::string shape_str(const std::vector<int64_t>& s) {
  std::ostringstream os;
  os << '[';
  for (size_t i = 0; i < s.size(); ++i) os << (i ? "," : "") << s[i];
  os << ']';
  return os.str();
}

inline std::string fmt(double v) {
  std::ostringstream os;
  os.precision(17);
  os << v;
  return os.str();
}

// Multi-index of flat position `i` in `shape`, for messages.
inline std::string where_str(int64_t i, const std::vector<int64_t>& shape) {
  std::vector<int64_t> idx(shape.size());
  for (size_t k = shape.size(); k-- > 0;) {
    idx[k] = shape[k] ? i % shape[k] : 0;
    i = shape[k] ? i / shape[k] : 0;
  }
  return shape_str(idx);
}

inline std::string brief(const json& j, size_t limit = 600) {
  std::string s = j.dump();
  if (s.size() > limit) s = s.substr(0, limit) + "...";
  return s;
}

}  // namespace tf_json
