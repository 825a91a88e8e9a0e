// BasePoolingImpl: max or average pooling over 1 or 2 spatial dimensions,
// behind MaxPooling1D/2D and AveragePooling1D/2D (Keras's BasePooling). With
// padding "same", max pooling ignores the padded positions and average pooling
// divides by the number of real elements (TensorFlow's rule). No weights.
#pragma once
#include "nabla/nn/layer.h"
#include "nabla/nn/layers/int_tuple.h"

namespace nabla::layers {

// Options of the pooling layers (Keras's keyword arguments and defaults).
struct PoolingOptions {
  IntTuple strides = {};              // empty (Keras's None): the pool size
  std::string padding = "valid";      // or "same", any case
  std::string data_format = "channels_last";  // or "channels_first"
  std::string name = {};
  bool trainable = true;
  DType dtype = DType::float32;
  std::vector<int64_t> input_shape = {};
};

class BasePoolingImpl : public Layer {
 public:
  enum class Mode { max, average };
  // `rank` spatial dimensions; pool_size and strides one value or `rank`, each > 0;
  // InvalidArgument (Keras's messages) otherwise or for a bad padding / data_format.
  BasePoolingImpl(std::string class_name, int rank, Mode mode, const IntTuple& pool_size,
                  const PoolingOptions& options);
  // Input of rank `rank` + 2 and a floating dtype. InvalidArgument for another rank
  // or (valid padding) a spatial size smaller than the pool.
  Tensor call(const Tensor& x, bool training) override;
  const std::vector<int64_t>& pool_size() const { return pool_size_; }
  const std::vector<int64_t>& strides() const { return strides_; }
  const std::string& padding() const { return padding_; }
  const std::string& data_format() const { return data_format_; }
  std::string class_name() const override { return class_name_; }
  nlohmann::json get_config() const override;

 protected:
  // pool_size (empty when the config has none) and options of a Keras config.
  static std::pair<IntTuple, PoolingOptions> parse_config(const nlohmann::json& config);

 private:
  std::string class_name_;
  int rank_;
  Mode mode_;
  std::vector<int64_t> pool_size_, strides_;
  std::string padding_, data_format_;
};

}  // namespace nabla::layers
