// Conv2D: 2-D convolution over images (keras.layers.Conv2D).
// Input (batch, height, width, channels) (channels_last) or channels first; kernel
// (kernel_size..., in_channels / groups, filters), bias (filters). See base_conv.h.
//
//   nb::layers::Conv2D(32, 3, {.padding = "same", .activation = "relu"});
#pragma once
#include "nabla/nn/layers/base_conv.h"

namespace nabla::layers {

using Conv2DOptions = ConvLayerOptions;

class Conv2DImpl : public BaseConvImpl {
 public:
  // filters > 0; kernel_size one value or 2 (see BaseConvImpl for the checks).
  Conv2DImpl(int64_t filters, const IntTuple& kernel_size, const Conv2DOptions& options = {})
      : BaseConvImpl("Conv2D", 2, filters, kernel_size, options) {}
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
};

class Conv2D : public LayerHolder<Conv2DImpl> {
 public:
  Conv2D(int64_t filters, const IntTuple& kernel_size, const Conv2DOptions& options = {})
      : LayerHolder(std::make_shared<Conv2DImpl>(filters, kernel_size, options)) {}
};

}  // namespace nabla::layers
