// RandomZoom: in training, zooms each image of a batch in or out about its
// centre by a random factor (keras.layers.RandomZoom); identity in
// inference. The height zoom is 1 + z with z drawn from the height factor's
// range ([-|f|, |f|] for a number f, [lower, upper] for a pair; values in
// (-1, 1]); a positive z zooms out, a negative one zooms in. Without a width
// factor the width uses the height's zoom (aspect ratio kept). Uncovered
// pixels follow fill_mode as in TensorFlow's ImageProjectiveTransformV3.
// Inputs: (batch, h, w, c) or one image (h, w, c) ("channels_first":
// channels before h, w); numeric inputs are cast to the layer's dtype. The
// output keeps the input's shape; gradients flow to the input.
#pragma once
#include <optional>

#include "nabla/nn/layer.h"
#include "nabla/nn/layers/image_layer_args.h"
#include "nabla/ops/random.h"

namespace nabla::layers {

struct RandomZoomOptions {
  std::optional<FactorArg> width_factor = std::nullopt;  // none: zoom both axes alike
  std::string fill_mode = "reflect";                      // "reflect", "wrap", "constant", "nearest"
  std::string interpolation = "bilinear";                 // or "nearest"
  std::optional<uint64_t> seed = std::nullopt;            // own generator; else the global one
  double fill_value = 0.0;                                // for fill_mode "constant"
  std::string data_format = "channels_last";              // or "channels_first"
  std::string name = {};
  bool trainable = true;
  DType dtype = DType::float32;
  std::vector<int64_t> input_shape = {};
};

class RandomZoomImpl : public Layer {
 public:
  // Factors with values in (-1, 1]; known fill_mode, interpolation and
  // data_format; floating dtype (InvalidArgument otherwise).
  explicit RandomZoomImpl(FactorArg height_factor, const RandomZoomOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  random::Generator& generator();
  std::vector<std::pair<std::string, random::Generator*>> own_generators() override;
  std::string class_name() const override { return "RandomZoom"; }
  nlohmann::json get_config() const override;
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);

 private:
  FactorArg height_factor_;
  RandomZoomOptions options_;
  std::optional<random::Generator> gen_;
};

class RandomZoom : public LayerHolder<RandomZoomImpl> {
 public:
  explicit RandomZoom(FactorArg height_factor, const RandomZoomOptions& options = {})
      : LayerHolder(std::make_shared<RandomZoomImpl>(std::move(height_factor), options)) {}
};

}  // namespace nabla::layers
