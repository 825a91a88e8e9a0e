// GlobalMaxPooling2D: the maximum over height and width of each channel (keras.layers.GlobalMaxPooling2D).
// See base_global_pooling.h.
//
//   nb::layers::GlobalMaxPooling2D({.keepdims = true});
#pragma once
#include "nabla/nn/layers/base_global_pooling.h"

namespace nabla::layers {

using GlobalMaxPooling2DOptions = GlobalPoolingOptions;

class GlobalMaxPooling2DImpl : public BaseGlobalPoolingImpl {
 public:
  explicit GlobalMaxPooling2DImpl(const GlobalMaxPooling2DOptions& options = {})
      : BaseGlobalPoolingImpl("GlobalMaxPooling2D", 2, Mode::max, options) {}
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
};

class GlobalMaxPooling2D : public LayerHolder<GlobalMaxPooling2DImpl> {
 public:
  explicit GlobalMaxPooling2D(const GlobalMaxPooling2DOptions& options = {}) : LayerHolder(std::make_shared<GlobalMaxPooling2DImpl>(options)) {}
};

}  // namespace nabla::layers
