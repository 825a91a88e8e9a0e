#include "nabla/nn/layers/random_translation.h"

#include <nlohmann/json.hpp>

#include "nabla/ops/cast.h"
#include "nn/layer_config.h"
#include "nn/layers/image_layer_util.h"
#include "nn/layers/image_resample.h"
#include "nn/layers/layer_config_read.h"

namespace nabla::layers {

namespace {
constexpr const char* kName = "RandomTranslation";
}  // namespace

RandomTranslationImpl::RandomTranslationImpl(FactorArg height_factor, FactorArg width_factor,
                                             const RandomTranslationOptions& options)
    : Layer(LayerOptions{.name = options.name, .trainable = options.trainable, .dtype = options.dtype,
                         .input_shape = options.input_shape}),
      height_factor_(std::move(height_factor)),
      width_factor_(std::move(width_factor)),
      options_(options) {
  imaging::check_factor(height_factor_.values, -1.0, 1.0, false, kName, "height_factor");
  imaging::check_factor(width_factor_.values, -1.0, 1.0, false, kName, "width_factor");
  imaging::parse_fill_mode(options.fill_mode, kName);
  imaging::parse_interpolation(options.interpolation, kName);
  imaging::check_data_format(options.data_format, kName);
  NB_CHECK(is_floating(options.dtype), InvalidArgument, "RandomTranslation: dtype must be a floating type, got ",
           dtype_name(options.dtype));
  if (options.seed) gen_.emplace(*options.seed);
}

random::Generator& RandomTranslationImpl::generator() { return gen_ ? *gen_ : random::default_generator(); }

Tensor RandomTranslationImpl::call(const Tensor& input, bool training) {
  imaging::check_image_or_batch(input, "RandomTranslation '" + name() + "'", options_.data_format);
  Tensor x = input.dtype() == dtype() ? input : cast(input, dtype());
  if (!training) return x;
  const auto mode = imaging::parse_fill_mode(options_.fill_mode, kName);
  const auto interp = imaging::parse_interpolation(options_.interpolation, kName);
  auto apply = [this, mode, interp](const Tensor& xin) {
    return imaging::as_channels_last_batch(xin, options_.data_format, [&](const Tensor& b) {
      const int64_t n = b.shape()[0];
      const float h = float(b.shape()[1]), w = float(b.shape()[2]);
      // Keras: height shifts first, then width shifts, as fractions of the size.
      std::vector<float> dy = imaging::draw_uniform(n, height_factor_.lower(), height_factor_.upper(), generator());
      std::vector<float> dx = imaging::draw_uniform(n, width_factor_.lower(), width_factor_.upper(), generator());
      for (float& v : dy) v = -(v * h);  // output row i reads input row i - dy
      for (float& v : dx) v = -(v * w);
      const std::vector<float> ones(size_t(n), 1.0f);
      return imaging::axis_aligned_transform(b, ones, dy, ones, dx, mode, interp, options_.fill_value);
    });
  };
  return imaging::run_as_graph_node("RandomTranslation", x, apply);
}

std::vector<std::pair<std::string, random::Generator*>> RandomTranslationImpl::own_generators() {
  if (!gen_) return {};
  return {{"seed", &*gen_}};
}

nlohmann::json RandomTranslationImpl::get_config() const {
  nlohmann::json c = nlohmann::json::object();
  base_config(c);
  c["height_factor"] = cfg::factor_json(height_factor_);
  c["width_factor"] = cfg::factor_json(width_factor_);
  c["fill_mode"] = options_.fill_mode;
  c["interpolation"] = options_.interpolation;
  c["seed"] = options_.seed ? nlohmann::json(*options_.seed) : nlohmann::json(nullptr);
  c["fill_value"] = options_.fill_value;
  c["data_format"] = options_.data_format;
  return c;
}

std::shared_ptr<Layer> RandomTranslationImpl::from_config(const nlohmann::json& c) {
  LayerOptions b = detail::layer_options_from_config(c);
  const auto* hf = cfg::find(c, "height_factor");
  const auto* wf = cfg::find(c, "width_factor");
  NB_CHECK(hf != nullptr && wf != nullptr, InvalidArgument,
           "RandomTranslation config needs \"height_factor\" and \"width_factor\"");
  RandomTranslationOptions o{.fill_mode = cfg::string(c, "fill_mode", "reflect", kName),
                             .interpolation = cfg::string(c, "interpolation", "bilinear", kName),
                             .seed = cfg::seed(c, kName),
                             .fill_value = cfg::number(c, "fill_value", 0.0, kName),
                             .data_format = cfg::data_format(c, kName),
                             .name = b.name,
                             .trainable = b.trainable,
                             .dtype = b.dtype,
                             .input_shape = b.input_shape};
  return std::make_shared<RandomTranslationImpl>(cfg::factor_from(*hf, "height_factor", kName),
                                                 cfg::factor_from(*wf, "width_factor", kName), o);
}

NB_REGISTER_LAYER(RandomTranslationImpl, "RandomTranslation");

}  // namespace nabla::layers
