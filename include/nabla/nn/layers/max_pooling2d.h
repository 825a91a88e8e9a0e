// MaxPooling2D: max pooling over images (keras.layers.MaxPooling2D). See base_pooling.h.
//
//   nb::layers::MaxPooling2D(2, {.strides = 1, .padding = "same"});
#pragma once
#include "nabla/nn/layers/base_pooling.h"

namespace nabla::layers {

using MaxPooling2DOptions = PoolingOptions;

class MaxPooling2DImpl : public BasePoolingImpl {
 public:
  // pool_size defaults to 2 (Keras's default); strides default to the pool size.
  explicit MaxPooling2DImpl(const IntTuple& pool_size = 2, const MaxPooling2DOptions& options = {})
      : BasePoolingImpl("MaxPooling2D", 2, Mode::max, pool_size, options) {}
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
};

class MaxPooling2D : public LayerHolder<MaxPooling2DImpl> {
 public:
  explicit MaxPooling2D(const IntTuple& pool_size = 2, const MaxPooling2DOptions& options = {})
      : LayerHolder(std::make_shared<MaxPooling2DImpl>(pool_size, options)) {}
};

}  // namespace nabla::layers
