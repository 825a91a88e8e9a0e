#include "nabla/nn/layers/random_zoom.h"

#include <nlohmann/json.hpp>

#include "nabla/ops/cast.h"
#include "nn/layer_config.h"
#include "nn/layers/image_layer_util.h"
#include "nn/layers/image_resample.h"
#include "nn/layers/layer_config_read.h"

namespace nabla::layers {

namespace {
constexpr const char* kName = "RandomZoom";
}  // namespace

RandomZoomImpl::RandomZoomImpl(FactorArg height_factor, const RandomZoomOptions& options)
    : Layer(LayerOptions{.name = options.name, .trainable = options.trainable, .dtype = options.dtype,
                         .input_shape = options.input_shape}),
      height_factor_(std::move(height_factor)),
      options_(options) {
  imaging::check_factor(height_factor_.values, -1.0, 1.0, true, kName, "height_factor");
  if (options.width_factor) imaging::check_factor(options.width_factor->values, -1.0, 1.0, true, kName, "width_factor");
  imaging::parse_fill_mode(options.fill_mode, kName);
  imaging::parse_interpolation(options.interpolation, kName);
  imaging::check_data_format(options.data_format, kName);
  NB_CHECK(is_floating(options.dtype), InvalidArgument, "RandomZoom: dtype must be a floating type, got ",
           dtype_name(options.dtype));
  if (options.seed) gen_.emplace(*options.seed);
}

random::Generator& RandomZoomImpl::generator() { return gen_ ? *gen_ : random::default_generator(); }

Tensor RandomZoomImpl::call(const Tensor& input, bool training) {
  imaging::check_image_or_batch(input, "RandomZoom '" + name() + "'", options_.data_format);
  Tensor x = input.dtype() == dtype() ? input : cast(input, dtype());
  if (!training) return x;
  const auto mode = imaging::parse_fill_mode(options_.fill_mode, kName);
  const auto interp = imaging::parse_interpolation(options_.interpolation, kName);
  auto apply = [this, mode, interp](const Tensor& xin) {
    return imaging::as_channels_last_batch(xin, options_.data_format, [&](const Tensor& b) {
      const int64_t n = b.shape()[0];
      const float h = float(b.shape()[1]), w = float(b.shape()[2]);
      // Keras: zoom = uniform(1 + lower, 1 + upper), height first; the width
      // reuses it without a width factor.
      std::vector<float> zy =
          imaging::draw_uniform(n, 1.0 + height_factor_.lower(), 1.0 + height_factor_.upper(), generator());
      std::vector<float> zx = options_.width_factor
                                  ? imaging::draw_uniform(n, 1.0 + options_.width_factor->lower(),
                                                          1.0 + options_.width_factor->upper(), generator())
                                  : zy;
      // Output pixel i reads z * i + (len - 1) / 2 * (1 - z): the centre stays put.
      std::vector<float> oy(static_cast<size_t>(n)), ox(static_cast<size_t>(n));
      for (size_t i = 0; i < size_t(n); ++i) {
        oy[i] = ((h - 1.0f) / 2.0f) * (1.0f - zy[i]);
        ox[i] = ((w - 1.0f) / 2.0f) * (1.0f - zx[i]);
      }
      return imaging::axis_aligned_transform(b, zy, oy, zx, ox, mode, interp, options_.fill_value);
    });
  };
  return imaging::run_as_graph_node("RandomZoom", x, apply);
}

std::vector<std::pair<std::string, random::Generator*>> RandomZoomImpl::own_generators() {
  if (!gen_) return {};
  return {{"seed", &*gen_}};
}

nlohmann::json RandomZoomImpl::get_config() const {
  nlohmann::json c = nlohmann::json::object();
  base_config(c);
  c["height_factor"] = cfg::factor_json(height_factor_);
  c["width_factor"] = options_.width_factor ? cfg::factor_json(*options_.width_factor) : nlohmann::json(nullptr);
  c["fill_mode"] = options_.fill_mode;
  c["interpolation"] = options_.interpolation;
  c["seed"] = options_.seed ? nlohmann::json(*options_.seed) : nlohmann::json(nullptr);
  c["fill_value"] = options_.fill_value;
  c["data_format"] = options_.data_format;
  return c;
}

std::shared_ptr<Layer> RandomZoomImpl::from_config(const nlohmann::json& c) {
  LayerOptions b = detail::layer_options_from_config(c);
  const auto* hf = cfg::find(c, "height_factor");
  NB_CHECK(hf != nullptr, InvalidArgument, "RandomZoom config needs \"height_factor\"");
  RandomZoomOptions o{.fill_mode = cfg::string(c, "fill_mode", "reflect", kName),
                      .interpolation = cfg::string(c, "interpolation", "bilinear", kName),
                      .seed = cfg::seed(c, kName),
                      .fill_value = cfg::number(c, "fill_value", 0.0, kName),
                      .data_format = cfg::data_format(c, kName),
                      .name = b.name,
                      .trainable = b.trainable,
                      .dtype = b.dtype,
                      .input_shape = b.input_shape};
  if (const auto* wf = cfg::find(c, "width_factor")) o.width_factor = cfg::factor_from(*wf, "width_factor", kName);
  return std::make_shared<RandomZoomImpl>(cfg::factor_from(*hf, "height_factor", kName), o);
}

NB_REGISTER_LAYER(RandomZoomImpl, "RandomZoom");

}  // namespace nabla::layers
