// libFuzzer target for the model-file loader (nabla::load_model_from_buffer).
// A malformed input must raise an nabla::Error; anything else (a crash, a
// sanitizer report, std::bad_alloc, another exception type, a timeout, more
// than -rss_limit_mb) is a finding. A model that loads is exercised further:
// summary() into a string stream and, when its inputs are small, predict() on
// zeros of its input shapes (errors there are nabla::Error too).
// See docs/reliability.md; run with fuzz/run_fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nabla/core/error.h"
#include "nabla/io/model_file.h"
#include "nabla/ops/creation.h"
#include "nabla/train/model.h"
#include "nabla/train/sequential.h"

namespace {

constexpr int64_t kMaxInputElements = 1 << 12;  // per input, batch of 1
constexpr int64_t kMaxParams = 1 << 20;

struct InputSpec {
  nabla::Shape shape;  // with a batch dimension of 1
  nabla::DType dtype = nabla::DType::float32;
};

std::optional<nabla::DType> dtype_named(const std::string& s) {
  for (int i = 0; i < nabla::kNumDTypes; ++i) {
    const auto t = static_cast<nabla::DType>(i);
    if (nabla::dtype_name(t) == s) return t;
  }
  return std::nullopt;
}

// Turns a Keras shape with None/-1 for unknown dimensions (the first one the
// batch) into a concrete shape with 1 there; nullopt when it is too big or odd.
std::optional<nabla::Shape> concrete(const std::vector<int64_t>& keras_shape) {
  nabla::Shape s;
  int64_t n = 1;
  for (int64_t d : keras_shape) {
    if (d < 0) d = 1;
    if (d > kMaxInputElements) return std::nullopt;
    n *= d;
    if (n > kMaxInputElements) return std::nullopt;
    s.push_back(d);
  }
  return s;
}

// The inputs of a functional model or of a Sequential model with a known input
// shape; empty when unknown (subclassed models) or too large to run.
std::vector<InputSpec> input_specs(nabla::Model& model) {
  std::vector<InputSpec> specs;
  if (model.is_functional()) {
    for (const auto& in : model.inputs()) {
      auto s = concrete(in.shape());
      if (!s) return {};
      specs.push_back({*s, in.dtype()});
    }
    return specs;
  }
  if (dynamic_cast<nabla::Sequential*>(&model) == nullptr) return {};
  const nlohmann::json config = model.get_config();
  if (!config.contains("layers") || !config["layers"].is_array() || config["layers"].empty()) return {};
  const nlohmann::json& first = config["layers"][0];
  if (first.value("class_name", "") != "InputLayer" || !first.contains("config")) return {};
  const nlohmann::json& c = first["config"];
  if (!c.contains("batch_shape") || !c["batch_shape"].is_array()) return {};
  std::vector<int64_t> keras_shape;
  for (const auto& d : c["batch_shape"]) keras_shape.push_back(d.is_number_integer() ? d.get<int64_t>() : -1);
  auto s = concrete(keras_shape);
  if (!s) return {};
  InputSpec spec{*s, nabla::DType::float32};
  if (c.contains("dtype") && c["dtype"].is_string())
    spec.dtype = dtype_named(c["dtype"].get<std::string>()).value_or(nabla::DType::float32);
  specs.push_back(spec);
  return specs;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::shared_ptr<nabla::Model> model;
  try {
    model = nabla::load_model_from_buffer(std::string(reinterpret_cast<const char*>(data), size), {},
                                          "fuzz.nabla");
  } catch (const nabla::Error&) {
    return 0;  // expected for malformed input
  }
  if (model == nullptr) __builtin_trap();  // the loader never returns null
  try {
    std::ostringstream summary;
    model->summary(summary);
    if (model->count_params() > kMaxParams) return 0;
    const std::vector<InputSpec> specs = input_specs(*model);
    if (specs.empty()) return 0;
    std::vector<nabla::Tensor> xs;
    for (const auto& s : specs) xs.push_back(nabla::zeros(s.shape, s.dtype));
    (void)model->predict(xs, {.batch_size = 1});
  } catch (const nabla::Error&) {
    // A loaded model may still reject these inputs; that is a typed error too.
  }
  return 0;
}
