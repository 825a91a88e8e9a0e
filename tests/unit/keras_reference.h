// Shared by test_losses.cpp and test_metrics.cpp: the reference data written
// by tests/tools/gen_keras_losses_metrics.py (real Keras 3 on TensorFlow) and
// float32-tolerance comparisons.
#pragma once
#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nabla/nabla.h>
#include <nlohmann/json.hpp>

#include "conformance/tf_json.h"

namespace keras_ref {

namespace nb = nabla;
using json = nlohmann::json;

// The parsed tests/data/keras_losses_metrics.json (loaded once).
inline const json& data() {
  static const json d = [] {
    const std::string path = std::string(NABLA_TEST_DATA_DIR) + "/keras_losses_metrics.json";
    std::ifstream f(path);
    if (!f) throw std::runtime_error("cannot open " + path);
    return json::parse(f);
  }();
  return d;
}

// A tensor from the JSON encoding, or an undefined tensor for null.
inline nb::Tensor tensor(const json& t) { return t.is_null() ? nb::Tensor() : tf_json::make_tensor(t); }

// A gtest-friendly parameter name from a case label.
inline std::string param_name(const std::string& label, size_t index) {
  std::string s;
  for (char c : label) s += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return s + "_" + std::to_string(index);
}

// got ~ want within float32 tolerance: |got - want| <= atol + rtol * |want|;
// non-finite values must match exactly (NaN with NaN).
inline ::testing::AssertionResult close(const std::vector<double>& got, const std::vector<double>& want,
                                        double rtol = 2e-5, double atol = 2e-6) {
  if (got.size() != want.size())
    return ::testing::AssertionFailure() << "size " << got.size() << " vs expected " << want.size();
  for (size_t i = 0; i < got.size(); ++i) {
    const double g = got[i], w = want[i];
    const bool ok = std::isnan(w) ? std::isnan(g) : std::isinf(w) ? g == w : std::abs(g - w) <= atol + rtol * std::abs(w);
    if (!ok) {
      std::ostringstream os;
      os.precision(9);
      os << "element " << i << ": got " << g << ", Keras " << w;
      return ::testing::AssertionFailure() << os.str();
    }
  }
  return ::testing::AssertionSuccess();
}

// A JSON result (number, "nan" or list) as doubles.
inline std::vector<double> values(const json& r) {
  std::vector<double> v;
  if (r.is_array())
    for (const json& x : r) v.push_back(tf_json::json_double(x));
  else
    v.push_back(tf_json::json_double(r));
  return v;
}

// A counter of the ops executed on this thread while it lives.
struct OpCounter : nb::OpObserver {
  std::vector<std::string> ops;
  nb::ScopedOpObserver scope{*this};
  void on_op(const nb::OpDef& op, nb::Inputs, const nb::Attrs&, nb::Inputs) override { ops.push_back(op.name); }
};

}  // namespace keras_ref
