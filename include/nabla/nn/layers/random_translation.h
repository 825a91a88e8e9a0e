// RandomTranslation: in training, shifts each image of a batch by a random
// fraction of its height and width (keras.layers.RandomTranslation);
// identity in inference. A factor f draws from [-|f|, |f|], a pair
// (lower, upper) from [lower, upper], all within [-1, 1]; a positive shift
// moves the content down / right. Uncovered pixels follow fill_mode as in
// TensorFlow's ImageProjectiveTransformV3. Inputs: (batch, h, w, c) or one
// image (h, w, c) ("channels_first": channels before h, w); numeric inputs
// are cast to the layer's dtype. Gradients flow to the input (not to the
// random shifts).
#pragma once
#include <optional>

#include "nabla/nn/layer.h"
#include "nabla/nn/layers/image_layer_args.h"
#include "nabla/ops/random.h"

namespace nabla::layers {

struct RandomTranslationOptions {
  std::string fill_mode = "reflect";       // "reflect", "wrap", "constant", "nearest"
  std::string interpolation = "bilinear";  // or "nearest"
  std::optional<uint64_t> seed = std::nullopt;  // own generator; else the global one
  double fill_value = 0.0;                      // for fill_mode "constant"
  std::string data_format = "channels_last";    // or "channels_first"
  std::string name = {};
  bool trainable = true;
  DType dtype = DType::float32;
  std::vector<int64_t> input_shape = {};
};

class RandomTranslationImpl : public Layer {
 public:
  // Factors in [-1, 1] with one or two values; known fill_mode,
  // interpolation and data_format; floating dtype (InvalidArgument otherwise).
  RandomTranslationImpl(FactorArg height_factor, FactorArg width_factor, const RandomTranslationOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  random::Generator& generator();
  std::vector<std::pair<std::string, random::Generator*>> own_generators() override;
  std::string class_name() const override { return "RandomTranslation"; }
  nlohmann::json get_config() const override;
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);

 private:
  FactorArg height_factor_, width_factor_;
  RandomTranslationOptions options_;
  std::optional<random::Generator> gen_;
};

class RandomTranslation : public LayerHolder<RandomTranslationImpl> {
 public:
  RandomTranslation(FactorArg height_factor, FactorArg width_factor, const RandomTranslationOptions& options = {})
      : LayerHolder(std::make_shared<RandomTranslationImpl>(std::move(height_factor), std::move(width_factor),
                                                            options)) {}
};

}  // namespace nabla::layers
