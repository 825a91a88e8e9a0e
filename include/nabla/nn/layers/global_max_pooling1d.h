// GlobalMaxPooling1D: the maximum over steps of each channel (keras.layers.GlobalMaxPooling1D).
// See base_global_pooling.h.
//
//   nb::layers::GlobalMaxPooling1D({.keepdims = true});
#pragma once
#include "nabla/nn/layers/base_global_pooling.h"

namespace nabla::layers {

using GlobalMaxPooling1DOptions = GlobalPoolingOptions;

class GlobalMaxPooling1DImpl : public BaseGlobalPoolingImpl {
 public:
  explicit GlobalMaxPooling1DImpl(const GlobalMaxPooling1DOptions& options = {})
      : BaseGlobalPoolingImpl("GlobalMaxPooling1D", 1, Mode::max, options) {}
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
};

class GlobalMaxPooling1D : public LayerHolder<GlobalMaxPooling1DImpl> {
 public:
  explicit GlobalMaxPooling1D(const GlobalMaxPooling1DOptions& options = {}) : LayerHolder(std::make_shared<GlobalMaxPooling1DImpl>(options)) {}
};

}  // namespace nabla::layers
