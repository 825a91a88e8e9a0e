// Dropout: in training, zeroes each element with probability `rate` and scales
// the rest by 1/(1-rate); identity in inference (keras.layers.Dropout).
#pragma once
#include <optional>
#include "nabla/nn/layer.h"
#include "nabla/ops/random.h"

namespace nabla::layers {

struct DropoutOptions {
  std::vector<int64_t> noise_shape = {};  // broadcastable mask shape (-1: take the input's)
  std::optional<uint64_t> seed = std::nullopt;  // own generator; else the global one
  std::string name = {};
  bool trainable = true;
  DType dtype = DType::float32;
  std::vector<int64_t> input_shape = {};
};

class DropoutImpl : public Layer {
 public:
  // 0 <= rate < 1 (InvalidArgument otherwise).
  explicit DropoutImpl(double rate, const DropoutOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  double rate() const { return rate_; }
  // The generator this layer draws masks from (for checkpoints).
  random::Generator& generator();
  // The seeded generator, if the layer has its own ({"seed": generator}).
  std::vector<std::pair<std::string, random::Generator*>> own_generators() override;
  std::string class_name() const override { return "Dropout"; }
  nlohmann::json get_config() const override;
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
 private:
  double rate_;
  DropoutOptions options_;
  std::optional<random::Generator> gen_;
};

class Dropout : public LayerHolder<DropoutImpl> {
 public:
  explicit Dropout(double rate, const DropoutOptions& options = {})
      : LayerHolder(std::make_shared<DropoutImpl>(rate, options)) {}
};

}  // namespace nabla::layers
