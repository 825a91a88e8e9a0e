// AveragePooling2D: average pooling over images (keras.layers.AveragePooling2D). See base_pooling.h.
//
//   nb::layers::AveragePooling2D(2, {.strides = 1, .padding = "same"});
#pragma once
#include "nabla/nn/layers/base_pooling.h"

namespace nabla::layers {

using AveragePooling2DOptions = PoolingOptions;

class AveragePooling2DImpl : public BasePoolingImpl {
 public:
  // pool_size is required (as in Keras 3); strides default to the pool size.
  explicit AveragePooling2DImpl(const IntTuple& pool_size, const AveragePooling2DOptions& options = {})
      : BasePoolingImpl("AveragePooling2D", 2, Mode::average, pool_size, options) {}
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
};

class AveragePooling2D : public LayerHolder<AveragePooling2DImpl> {
 public:
  explicit AveragePooling2D(const IntTuple& pool_size, const AveragePooling2DOptions& options = {})
      : LayerHolder(std::make_shared<AveragePooling2DImpl>(pool_size, options)) {}
};

}  // namespace nabla::layers
