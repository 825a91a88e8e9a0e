// UpSampling2D: enlarges each image of a rank-4 batch by integer factors
// (keras.layers.UpSampling2D). "nearest" repeats every row `height factor`
// times and every column `width factor` times; "bilinear" interpolates as
// tf.image.resize (half-pixel centres).
//   nb::layers::UpSampling2D(2)        // (2, 2)
//   nb::layers::UpSampling2D({2, 3})   // 2 along the height, 3 along the width
#pragma once
#include <utility>

#include "nabla/nn/layer.h"
#include "nabla/nn/layers/int_tuple.h"

namespace nabla::layers {

struct UpSampling2DOptions {
  std::string data_format = "channels_last";  // or "channels_first"
  std::string interpolation = "nearest";      // or "bilinear"
  std::string name = {};
  bool trainable = true;
  DType dtype = DType::float32;
  std::vector<int64_t> input_shape = {};
};

class UpSampling2DImpl : public Layer {
 public:
  // size: one factor or (height, width), each > 0; a known data_format;
  // interpolation "nearest" or "bilinear" (Unimplemented for Keras's
  // "bicubic", "lanczos3", "lanczos5", "area"; InvalidArgument otherwise).
  explicit UpSampling2DImpl(IntTuple size = 2, const UpSampling2DOptions& options = {});
  // Rank-4 input. Nearest keeps the dtype; bilinear casts integer inputs to
  // the layer's dtype.
  Tensor call(const Tensor& x, bool training) override;
  // (height factor, width factor).
  std::pair<int64_t, int64_t> size() const { return {height_, width_}; }
  std::string class_name() const override { return "UpSampling2D"; }
  nlohmann::json get_config() const override;
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);

 private:
  int64_t height_ = 1, width_ = 1;
  UpSampling2DOptions options_;
};

class UpSampling2D : public LayerHolder<UpSampling2DImpl> {
 public:
  explicit UpSampling2D(IntTuple size = 2, const UpSampling2DOptions& options = {})
      : LayerHolder(std::make_shared<UpSampling2DImpl>(std::move(size), options)) {}
};

}  // namespace nabla::layers
