// RandomFlip: in training, flips each image of a batch left-right and/or
// upside-down with probability 1/2 (keras.layers.RandomFlip); identity in
// inference. As Keras 3, "horizontal_and_vertical" draws one coin per image
// and flips both ways when it lands. Inputs: (batch, h, w, c) or one image
// (h, w, c) (channels first with data_format "channels_first"); numeric
// inputs are cast to the layer's dtype. Gradients flow to the input.
#pragma once
#include <optional>

#include "nabla/nn/layer.h"
#include "nabla/ops/random.h"

namespace nabla::layers {

struct RandomFlipOptions {
  std::optional<uint64_t> seed = std::nullopt;  // own generator; else the global one
  std::string data_format = "channels_last";    // or "channels_first"
  std::string name = {};
  bool trainable = true;
  DType dtype = DType::float32;
  std::vector<int64_t> input_shape = {};
};

class RandomFlipImpl : public Layer {
 public:
  // mode: "horizontal", "vertical" or "horizontal_and_vertical"
  // (InvalidArgument otherwise, or for a bad data_format or non-float dtype).
  explicit RandomFlipImpl(std::string mode = "horizontal_and_vertical", const RandomFlipOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  const std::string& mode() const { return mode_; }
  random::Generator& generator();
  // The seeded generator, if the layer has its own ({"seed": generator}).
  std::vector<std::pair<std::string, random::Generator*>> own_generators() override;
  std::string class_name() const override { return "RandomFlip"; }
  nlohmann::json get_config() const override;
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);

 private:
  std::string mode_;
  RandomFlipOptions options_;
  std::optional<random::Generator> gen_;
};

class RandomFlip : public LayerHolder<RandomFlipImpl> {
 public:
  explicit RandomFlip(std::string mode = "horizontal_and_vertical", const RandomFlipOptions& options = {})
      : LayerHolder(std::make_shared<RandomFlipImpl>(std::move(mode), options)) {}
};

}  // namespace nabla::layers
