// MaxPooling1D: max pooling over steps (keras.layers.MaxPooling1D). See base_pooling.h.
//
//   nb::layers::MaxPooling1D(2, {.strides = 1, .padding = "same"});
#pragma once
#include "nabla/nn/layers/base_pooling.h"

namespace nabla::layers {

using MaxPooling1DOptions = PoolingOptions;

class MaxPooling1DImpl : public BasePoolingImpl {
 public:
  // pool_size defaults to 2 (Keras's default); strides default to the pool size.
  explicit MaxPooling1DImpl(const IntTuple& pool_size = 2, const MaxPooling1DOptions& options = {})
      : BasePoolingImpl("MaxPooling1D", 1, Mode::max, pool_size, options) {}
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
};

class MaxPooling1D : public LayerHolder<MaxPooling1DImpl> {
 public:
  explicit MaxPooling1D(const IntTuple& pool_size = 2, const MaxPooling1DOptions& options = {})
      : LayerHolder(std::make_shared<MaxPooling1DImpl>(pool_size, options)) {}
};

}  // namespace nabla::layers
