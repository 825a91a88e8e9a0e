// Reading the common Keras layer options back from a config.
#pragma once
#include <nlohmann/json.hpp>
#include "nabla/core/dtype.h"
#include "nabla/nn/layer.h"

namespace nabla::detail {

// name, trainable, dtype and batch_input_shape/batch_shape (batch dimension dropped).
LayerOptions layer_options_from_config(const nlohmann::json& config);
// "float32" -> DType::float32; InvalidArgument for an unknown name.
DType dtype_from_config(const nlohmann::json& config, const char* key, DType fallback);
// Config value of an initializer/regularizer: a Keras name or {"class_name", "config"}.
nlohmann::json initializer_to_config(const InitializerArg& arg);
InitializerArg initializer_from_config(const nlohmann::json& v);
nlohmann::json regularizer_to_config(const RegularizerArg& arg);
RegularizerArg regularizer_from_config(const nlohmann::json& v);

}  // namespace nabla::detail
