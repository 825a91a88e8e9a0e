// GlobalAveragePooling2D: the mean over height and width of each channel (keras.layers.GlobalAveragePooling2D).
// See base_global_pooling.h.
//
//   nb::layers::GlobalAveragePooling2D({.keepdims = true});
#pragma once
#include "nabla/nn/layers/base_global_pooling.h"

namespace nabla::layers {

using GlobalAveragePooling2DOptions = GlobalPoolingOptions;

class GlobalAveragePooling2DImpl : public BaseGlobalPoolingImpl {
 public:
  explicit GlobalAveragePooling2DImpl(const GlobalAveragePooling2DOptions& options = {})
      : BaseGlobalPoolingImpl("GlobalAveragePooling2D", 2, Mode::average, options) {}
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
};

class GlobalAveragePooling2D : public LayerHolder<GlobalAveragePooling2DImpl> {
 public:
  explicit GlobalAveragePooling2D(const GlobalAveragePooling2DOptions& options = {}) : LayerHolder(std::make_shared<GlobalAveragePooling2DImpl>(options)) {}
};

}  // namespace nabla::layers
