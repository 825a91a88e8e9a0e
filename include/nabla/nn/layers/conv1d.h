// Conv1D: 1-D convolution over steps (temporal convolution) (keras.layers.Conv1D).
// Input (batch, steps, channels) (channels_last) or channels first; kernel
// (kernel_size..., in_channels / groups, filters), bias (filters). See base_conv.h.
//
//   nb::layers::Conv1D(32, 3, {.padding = "same", .activation = "relu"});
#pragma once
#include "nabla/nn/layers/base_conv.h"

namespace nabla::layers {

using Conv1DOptions = ConvLayerOptions;

class Conv1DImpl : public BaseConvImpl {
 public:
  // filters > 0; kernel_size one value or 1 (see BaseConvImpl for the checks).
  Conv1DImpl(int64_t filters, const IntTuple& kernel_size, const Conv1DOptions& options = {})
      : BaseConvImpl("Conv1D", 1, filters, kernel_size, options) {}
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
};

class Conv1D : public LayerHolder<Conv1DImpl> {
 public:
  Conv1D(int64_t filters, const IntTuple& kernel_size, const Conv1DOptions& options = {})
      : LayerHolder(std::make_shared<Conv1DImpl>(filters, kernel_size, options)) {}
};

}  // namespace nabla::layers
