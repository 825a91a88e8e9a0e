// AveragePooling1D: average pooling over steps (keras.layers.AveragePooling1D). See base_pooling.h.
//
//   nb::layers::AveragePooling1D(2, {.strides = 1, .padding = "same"});
#pragma once
#include "nabla/nn/layers/base_pooling.h"

namespace nabla::layers {

using AveragePooling1DOptions = PoolingOptions;

class AveragePooling1DImpl : public BasePoolingImpl {
 public:
  // pool_size is required (as in Keras 3); strides default to the pool size.
  explicit AveragePooling1DImpl(const IntTuple& pool_size, const AveragePooling1DOptions& options = {})
      : BasePoolingImpl("AveragePooling1D", 1, Mode::average, pool_size, options) {}
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
};

class AveragePooling1D : public LayerHolder<AveragePooling1DImpl> {
 public:
  explicit AveragePooling1D(const IntTuple& pool_size, const AveragePooling1DOptions& options = {})
      : LayerHolder(std::make_shared<AveragePooling1DImpl>(pool_size, options)) {}
};

}  // namespace nabla::layers
