// Shared by test_activations.cpp, test_initializers.cpp and test_regularizers.cpp:
// loading tests/data/keras_nn.json (written by tests/tools/gen_keras_nn.py with
// Keras 3 on TensorFlow), decoding its tensors, and comparing values.
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nabla/nabla.h>
#include <nlohmann/json.hpp>

namespace keras_nn {

namespace nb = nabla;
using json = nlohmann::json;

inline const std::string& data_path() {
  static const std::string p = std::string(NABLA_TEST_DATA_DIR) + "/keras_nn.json";
  return p;
}

// The parsed file (parsed once); throws std::runtime_error when unreadable.
inline const json& data() {
  static const json root = [] {
    std::ifstream in(data_path(), std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + data_path());
    return json::parse(in);
  }();
  return root;
}

// A JSON number or one of "inf", "-inf", "nan".
inline double num(const json& v) {
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
    if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
    throw std::runtime_error("bad float value \"" + s + "\"");
  }
  return v.get<double>();
}

inline std::vector<double> nums(const json& a) {
  std::vector<double> v;
  for (const auto& e : a) v.push_back(num(e));
  return v;
}

inline nb::Tensor tensor(const json& values, const json& shape, nb::DType dtype) {
  return nb::detail::make_from_doubles(nums(values), nb::Shape(shape.get<std::vector<int64_t>>()), dtype);
}

inline std::string fmt(double v) {
  std::ostringstream os;
  os.precision(17);
  os << v;
  return os.str();
}

// Element-wise |got - want| <= atol + rtol * |want|; non-finite values must be
// equal (NaN matches NaN). The message names `what`, the index and both values.
inline ::testing::AssertionResult all_close(const std::vector<double>& got, const std::vector<double>& want,
                                            double rtol, double atol, const std::string& what,
                                            const std::vector<double>* inputs = nullptr) {
  if (got.size() != want.size())
    return ::testing::AssertionFailure() << what << ": " << got.size() << " values, expected " << want.size();
  for (size_t i = 0; i < got.size(); ++i) {
    const double g = got[i], w = want[i];
    bool ok;
    if (std::isnan(w)) ok = std::isnan(g);
    else if (std::isinf(w)) ok = g == w;
    else ok = std::isfinite(g) && std::abs(g - w) <= atol + rtol * std::abs(w);
    if (!ok) {
      auto f = ::testing::AssertionFailure();
      f << what << " at [" << i << "]";
      if (inputs != nullptr && i < inputs->size()) f << " (x = " << fmt((*inputs)[i]) << ")";
      return f << ": got " << fmt(g) << ", expected " << fmt(w) << " (rtol " << rtol << ", atol " << atol << ")";
    }
  }
  return ::testing::AssertionSuccess();
}

}  // namespace keras_nn
