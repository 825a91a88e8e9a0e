#include "nabla/nn/layers/zero_padding2d.h"

#include <nlohmann/json.hpp>

#include "nabla/ops/shape_ops.h"
#include "nn/layer_config.h"
#include "nn/layers/image_layer_util.h"
#include "nn/layers/layer_config_read.h"

namespace nabla::layers {

ZeroPadding2DImpl::ZeroPadding2DImpl(Padding2DArg padding, const ZeroPadding2DOptions& options)
    : Layer(LayerOptions{.name = options.name, .trainable = options.trainable, .dtype = options.dtype,
                         .input_shape = options.input_shape}),
      padding_(padding),
      options_(options) {
  NB_CHECK(padding.top >= 0 && padding.bottom >= 0 && padding.left >= 0 && padding.right >= 0, InvalidArgument,
           "ZeroPadding2D: padding must be >= 0, got ", cfg::padding_json(padding).dump());
  imaging::check_data_format(options.data_format, "ZeroPadding2D");
}

Tensor ZeroPadding2DImpl::call(const Tensor& x, bool) {
  imaging::check_image_batch(x, "ZeroPadding2D '" + name() + "'", options_.data_format);
  const std::pair<int64_t, int64_t> h{padding_.top, padding_.bottom}, w{padding_.left, padding_.right};
  if (options_.data_format == "channels_first") return pad(x, {{0, 0}, {0, 0}, h, w});
  return pad(x, {{0, 0}, h, w, {0, 0}});
}

nlohmann::json ZeroPadding2DImpl::get_config() const {
  nlohmann::json c = nlohmann::json::object();
  base_config(c);
  c["padding"] = cfg::padding_json(padding_);
  c["data_format"] = options_.data_format;
  return c;
}

std::shared_ptr<Layer> ZeroPadding2DImpl::from_config(const nlohmann::json& c) {
  LayerOptions b = detail::layer_options_from_config(c);
  const auto* p = cfg::find(c, "padding");
  return std::make_shared<ZeroPadding2DImpl>(
      p ? cfg::padding_from(*p, "padding", "ZeroPadding2D") : Padding2DArg(1),
      ZeroPadding2DOptions{.data_format = cfg::data_format(c, "ZeroPadding2D"), .name = b.name,
                           .trainable = b.trainable, .dtype = b.dtype, .input_shape = b.input_shape});
}

NB_REGISTER_LAYER(ZeroPadding2DImpl, "ZeroPadding2D");

}  // namespace nabla::layers
