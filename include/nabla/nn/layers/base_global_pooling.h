// BaseGlobalPoolingImpl: the mean or maximum over every spatial position,
// behind GlobalAveragePooling1D/2D and GlobalMaxPooling1D/2D (Keras's
// BaseGlobalPooling): (batch, spatial..., channels) -> (batch, channels), or
// (batch, 1..., channels) with keepdims. No weights.
#pragma once
#include "nabla/nn/layer.h"

namespace nabla::layers {

// Options of the global pooling layers (Keras's keyword arguments and defaults).
struct GlobalPoolingOptions {
  std::string data_format = "channels_last";  // or "channels_first"
  bool keepdims = false;                      // keep the spatial axes with size 1
  std::string name = {};
  bool trainable = true;
  DType dtype = DType::float32;
  std::vector<int64_t> input_shape = {};
};

class BaseGlobalPoolingImpl : public Layer {
 public:
  enum class Mode { max, average };
  // `rank` spatial dimensions; InvalidArgument for a bad data_format.
  BaseGlobalPoolingImpl(std::string class_name, int rank, Mode mode, const GlobalPoolingOptions& options);
  // Input of rank `rank` + 2 (InvalidArgument otherwise).
  Tensor call(const Tensor& x, bool training) override;
  const std::string& data_format() const { return data_format_; }
  bool keepdims() const { return keepdims_; }
  std::string class_name() const override { return class_name_; }
  nlohmann::json get_config() const override;

 protected:
  static GlobalPoolingOptions parse_config(const nlohmann::json& config);

 private:
  std::string class_name_;
  int rank_;
  Mode mode_;
  std::string data_format_;
  bool keepdims_;
};

}  // namespace nabla::layers
