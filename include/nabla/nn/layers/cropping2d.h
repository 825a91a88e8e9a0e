// Cropping2D: removes rows and columns from the borders of each image of a
// rank-4 batch (keras.layers.Cropping2D). Croppings are given as for
// ZeroPadding2D: an int, {h, w} or {{top, bottom}, {left, right}}.
#pragma once
#include <initializer_list>
#include <utility>

#include "nabla/nn/layer.h"
#include "nabla/nn/layers/image_layer_args.h"

namespace nabla::layers {

struct Cropping2DOptions {
  std::string data_format = "channels_last";  // or "channels_first"
  std::string name = {};
  bool trainable = true;
  DType dtype = DType::float32;
  std::vector<int64_t> input_shape = {};
};

class Cropping2DImpl : public Layer {
 public:
  // Every cropping >= 0 and a known data_format (InvalidArgument otherwise).
  explicit Cropping2DImpl(Padding2DArg cropping = 0, const Cropping2DOptions& options = {});
  // Rank-4 input whose height and width exceed the croppings
  // (top + bottom < height, left + right < width; InvalidArgument otherwise).
  Tensor call(const Tensor& x, bool training) override;
  const Padding2DArg& cropping() const { return cropping_; }
  std::string class_name() const override { return "Cropping2D"; }
  nlohmann::json get_config() const override;
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);

 private:
  Padding2DArg cropping_;
  Cropping2DOptions options_;
};

class Cropping2D : public LayerHolder<Cropping2DImpl> {
 public:
  explicit Cropping2D(Padding2DArg cropping = 0, const Cropping2DOptions& options = {})
      : LayerHolder(std::make_shared<Cropping2DImpl>(cropping, options)) {}
  // {{top, bottom}, {left, right}}. This overload keeps the pair form
  // unambiguous when a pair is {0, 0} (which could also read as options).
  explicit Cropping2D(std::initializer_list<std::pair<int64_t, int64_t>> cropping,
                      const Cropping2DOptions& options = {})
      : Cropping2D(Padding2DArg::from_pairs(cropping), options) {}
};

}  // namespace nabla::layers
