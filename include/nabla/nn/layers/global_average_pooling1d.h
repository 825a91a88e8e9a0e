// GlobalAveragePooling1D: the mean over steps of each channel (keras.layers.GlobalAveragePooling1D).
// See base_global_pooling.h.
//
//   nb::layers::GlobalAveragePooling1D({.keepdims = true});
#pragma once
#include "nabla/nn/layers/base_global_pooling.h"

namespace nabla::layers {

using GlobalAveragePooling1DOptions = GlobalPoolingOptions;

class GlobalAveragePooling1DImpl : public BaseGlobalPoolingImpl {
 public:
  explicit GlobalAveragePooling1DImpl(const GlobalAveragePooling1DOptions& options = {})
      : BaseGlobalPoolingImpl("GlobalAveragePooling1D", 1, Mode::average, options) {}
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
};

class GlobalAveragePooling1D : public LayerHolder<GlobalAveragePooling1DImpl> {
 public:
  explicit GlobalAveragePooling1D(const GlobalAveragePooling1DOptions& options = {}) : LayerHolder(std::make_shared<GlobalAveragePooling1DImpl>(options)) {}
};

}  // namespace nabla::layers
