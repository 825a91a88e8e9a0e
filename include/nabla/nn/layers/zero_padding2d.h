// ZeroPadding2D: adds rows and columns of zeros around each image of a
// rank-4 batch (keras.layers.ZeroPadding2D).
//   nb::layers::ZeroPadding2D(1)                  // 1 on every side
//   nb::layers::ZeroPadding2D({2, 1})             // 2 rows top and bottom, 1 column left and right
//   nb::layers::ZeroPadding2D({{1, 2}, {3, 4}})   // ((top, bottom), (left, right))
#pragma once
#include <initializer_list>
#include <utility>

#include "nabla/nn/layer.h"
#include "nabla/nn/layers/image_layer_args.h"

namespace nabla::layers {

struct ZeroPadding2DOptions {
  std::string data_format = "channels_last";  // or "channels_first"
  std::string name = {};
  bool trainable = true;
  DType dtype = DType::float32;
  std::vector<int64_t> input_shape = {};
};

class ZeroPadding2DImpl : public Layer {
 public:
  // Every padding >= 0 and a known data_format (InvalidArgument otherwise).
  explicit ZeroPadding2DImpl(Padding2DArg padding = 1, const ZeroPadding2DOptions& options = {});
  // Rank-4 input of any dtype; the output keeps its dtype.
  Tensor call(const Tensor& x, bool training) override;
  const Padding2DArg& padding() const { return padding_; }
  std::string class_name() const override { return "ZeroPadding2D"; }
  nlohmann::json get_config() const override;
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);

 private:
  Padding2DArg padding_;
  ZeroPadding2DOptions options_;
};

class ZeroPadding2D : public LayerHolder<ZeroPadding2DImpl> {
 public:
  explicit ZeroPadding2D(Padding2DArg padding = 1, const ZeroPadding2DOptions& options = {})
      : LayerHolder(std::make_shared<ZeroPadding2DImpl>(padding, options)) {}
  // {{top, bottom}, {left, right}}. This overload keeps the pair form
  // unambiguous when a pair is {0, 0} (which could also read as options).
  explicit ZeroPadding2D(std::initializer_list<std::pair<int64_t, int64_t>> padding,
                         const ZeroPadding2DOptions& options = {})
      : ZeroPadding2D(Padding2DArg::from_pairs(padding), options) {}
};

}  // namespace nabla::layers
