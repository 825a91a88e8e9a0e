#include "nabla/nn/layers/cropping2d.h"

#include <nlohmann/json.hpp>

#include "nabla/ops/shape_ops.h"
#include "nn/layer_config.h"
#include "nn/layers/image_layer_util.h"
#include "nn/layers/layer_config_read.h"

namespace nabla::layers {

Cropping2DImpl::Cropping2DImpl(Padding2DArg cropping, const Cropping2DOptions& options)
    : Layer(LayerOptions{.name = options.name, .trainable = options.trainable, .dtype = options.dtype,
                         .input_shape = options.input_shape}),
      cropping_(cropping),
      options_(options) {
  NB_CHECK(cropping.top >= 0 && cropping.bottom >= 0 && cropping.left >= 0 && cropping.right >= 0, InvalidArgument,
           "Cropping2D: cropping must be >= 0, got ", cfg::padding_json(cropping).dump());
  imaging::check_data_format(options.data_format, "Cropping2D");
}

Tensor Cropping2DImpl::call(const Tensor& x, bool) {
  imaging::check_image_batch(x, "Cropping2D '" + name() + "'", options_.data_format);
  const auto [ha, wa] = imaging::spatial_axes(options_.data_format);
  const int64_t h = x.shape()[ha], w = x.shape()[wa];
  NB_CHECK(cropping_.top + cropping_.bottom < h && cropping_.left + cropping_.right < w, InvalidArgument,
           "Cropping2D '", name(), "': cropping ", cfg::padding_json(cropping_).dump(),
           " must be smaller than the spatial dimensions of the input, got shape ", x.shape().tuple_str());
  std::vector<int64_t> begin(4, 0), size(4, -1);
  begin[size_t(ha)] = cropping_.top;
  size[size_t(ha)] = h - cropping_.top - cropping_.bottom;
  begin[size_t(wa)] = cropping_.left;
  size[size_t(wa)] = w - cropping_.left - cropping_.right;
  return slice(x, begin, size);
}

nlohmann::json Cropping2DImpl::get_config() const {
  nlohmann::json c = nlohmann::json::object();
  base_config(c);
  c["cropping"] = cfg::padding_json(cropping_);
  c["data_format"] = options_.data_format;
  return c;
}

std::shared_ptr<Layer> Cropping2DImpl::from_config(const nlohmann::json& c) {
  LayerOptions b = detail::layer_options_from_config(c);
  const auto* p = cfg::find(c, "cropping");
  return std::make_shared<Cropping2DImpl>(
      p ? cfg::padding_from(*p, "cropping", "Cropping2D") : Padding2DArg(0),
      Cropping2DOptions{.data_format = cfg::data_format(c, "Cropping2D"), .name = b.name, .trainable = b.trainable,
                        .dtype = b.dtype, .input_shape = b.input_shape});
}

NB_REGISTER_LAYER(Cropping2DImpl, "Cropping2D");

}  // namespace nabla::layers
