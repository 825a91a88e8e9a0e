#include "nabla/nn/layers/up_sampling2d.h"

#include <nlohmann/json.hpp>

#include "nabla/ops/cast.h"
#include "nabla/ops/shape_ops.h"
#include "nn/layer_config.h"
#include "nn/layers/image_layer_util.h"
#include "nn/layers/image_resample.h"
#include "nn/layers/layer_config_read.h"

namespace nabla::layers {

UpSampling2DImpl::UpSampling2DImpl(IntTuple size, const UpSampling2DOptions& options)
    : Layer(LayerOptions{.name = options.name, .trainable = options.trainable, .dtype = options.dtype,
                         .input_shape = options.input_shape}),
      options_(options) {
  const std::vector<int64_t> hw = size.expand(2, "size");
  height_ = hw[0];
  width_ = hw[1];
  imaging::check_data_format(options.data_format, "UpSampling2D");
  imaging::parse_interpolation(options.interpolation, "UpSampling2D");
}

Tensor UpSampling2DImpl::call(const Tensor& input, bool) {
  imaging::check_image_batch(input, "UpSampling2D '" + name() + "'", options_.data_format);
  const auto interp = imaging::parse_interpolation(options_.interpolation, "UpSampling2D");
  Tensor x = input;
  if (interp == imaging::Interpolation::Bilinear && !is_floating(x.dtype())) x = cast(x, dtype());
  const bool first = options_.data_format == "channels_first";
  if (first) x = transpose(x, {0, 2, 3, 1});
  const int64_t h = x.shape()[1], w = x.shape()[2];
  Tensor y = imaging::resample(x, imaging::resize_taps(h, h * height_, interp),
                               imaging::resize_taps(w, w * width_, interp), 0.0);
  return first ? transpose(y, {0, 3, 1, 2}) : y;
}

nlohmann::json UpSampling2DImpl::get_config() const {
  nlohmann::json c = nlohmann::json::object();
  base_config(c);
  c["size"] = nlohmann::json::array({height_, width_});
  c["data_format"] = options_.data_format;
  c["interpolation"] = options_.interpolation;
  return c;
}

std::shared_ptr<Layer> UpSampling2DImpl::from_config(const nlohmann::json& c) {
  LayerOptions b = detail::layer_options_from_config(c);
  const auto* s = cfg::find(c, "size");
  return std::make_shared<UpSampling2DImpl>(
      s ? cfg::int_tuple(*s, "size", "UpSampling2D") : IntTuple(2),
      UpSampling2DOptions{.data_format = cfg::data_format(c, "UpSampling2D"),
                          .interpolation = cfg::string(c, "interpolation", "nearest", "UpSampling2D"),
                          .name = b.name, .trainable = b.trainable, .dtype = b.dtype, .input_shape = b.input_shape});
}

NB_REGISTER_LAYER(UpSampling2DImpl, "UpSampling2D");

}  // namespace nabla::layers
