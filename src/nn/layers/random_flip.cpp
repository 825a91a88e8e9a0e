#include "nabla/nn/layers/random_flip.h"

#include <nlohmann/json.hpp>

#include "nabla/ops/cast.h"
#include "nabla/ops/elementwise.h"
#include "nabla/ops/shape_ops.h"
#include "nn/layer_config.h"
#include "nn/layers/image_layer_util.h"
#include "nn/layers/layer_config_read.h"

namespace nabla::layers {

RandomFlipImpl::RandomFlipImpl(std::string mode, const RandomFlipOptions& options)
    : Layer(LayerOptions{.name = options.name, .trainable = options.trainable, .dtype = options.dtype,
                         .input_shape = options.input_shape}),
      mode_(std::move(mode)),
      options_(options) {
  NB_CHECK(mode_ == "horizontal" || mode_ == "vertical" || mode_ == "horizontal_and_vertical", InvalidArgument,
           "RandomFlip: mode must be \"horizontal\", \"vertical\" or \"horizontal_and_vertical\", got \"", mode_, "\"");
  imaging::check_data_format(options.data_format, "RandomFlip");
  NB_CHECK(is_floating(options.dtype), InvalidArgument, "RandomFlip: dtype must be a floating type, got ",
           dtype_name(options.dtype));
  if (options.seed) gen_.emplace(*options.seed);
}

random::Generator& RandomFlipImpl::generator() { return gen_ ? *gen_ : random::default_generator(); }

Tensor RandomFlipImpl::call(const Tensor& input, bool training) {
  imaging::check_image_or_batch(input, "RandomFlip '" + name() + "'", options_.data_format);
  Tensor x = input.dtype() == dtype() ? input : cast(input, dtype());
  if (!training) return x;
  const bool single = x.rank() == 3;
  if (single) x = expand_dims(x, 0);
  const auto [ha, wa] = imaging::spatial_axes(options_.data_format);
  // One coin per image: flip where uniform <= 0.5 (Keras's rule).
  Tensor u = random::uniform({x.shape()[0], 1, 1, 1}, {.dtype = DType::float32}, generator());
  Tensor flip = less_equal(u, scalar_like(0.5, u));
  Tensor y = x;
  if (mode_ != "vertical") y = where(flip, reverse(y, {wa}), y);
  if (mode_ != "horizontal") y = where(flip, reverse(y, {ha}), y);
  return single ? squeeze(y, {0}) : y;
}

std::vector<std::pair<std::string, random::Generator*>> RandomFlipImpl::own_generators() {
  if (!gen_) return {};
  return {{"seed", &*gen_}};
}

nlohmann::json RandomFlipImpl::get_config() const {
  nlohmann::json c = nlohmann::json::object();
  base_config(c);
  c["seed"] = options_.seed ? nlohmann::json(*options_.seed) : nlohmann::json(nullptr);
  c["mode"] = mode_;
  c["data_format"] = options_.data_format;
  return c;
}

std::shared_ptr<Layer> RandomFlipImpl::from_config(const nlohmann::json& c) {
  LayerOptions b = detail::layer_options_from_config(c);
  RandomFlipOptions o{.data_format = cfg::data_format(c, "RandomFlip"), .name = b.name, .trainable = b.trainable,
                      .dtype = b.dtype, .input_shape = b.input_shape};
  o.seed = cfg::seed(c, "RandomFlip");
  return std::make_shared<RandomFlipImpl>(cfg::string(c, "mode", "horizontal_and_vertical", "RandomFlip"), o);
}

NB_REGISTER_LAYER(RandomFlipImpl, "RandomFlip");

}  // namespace nabla::layers
