#include "nabla/nn/layers/base_global_pooling.h"

#include <nlohmann/json.hpp>

#include "nabla/ops/reduce.h"
#include "nn/layers/conv_layer_util.h"

namespace nabla::layers {

namespace cu = conv_util;

BaseGlobalPoolingImpl::BaseGlobalPoolingImpl(std::string class_name, int rank, Mode mode,
                                             const GlobalPoolingOptions& options)
    : Layer(cu::base_options(options)),
      class_name_(std::move(class_name)),
      rank_(rank),
      mode_(mode),
      keepdims_(options.keepdims) {
  data_format_ = cu::standardize_data_format(options.data_format, class_name_);
}

Tensor BaseGlobalPoolingImpl::call(const Tensor& x, bool) {
  const bool cf = data_format_ == "channels_first";
  cu::check_input(*this, x.shape(), rank_, cf, -1);
  Axes axes;
  for (int i = 0; i < rank_; ++i) axes.push_back(cf ? 2 + i : 1 + i);
  return mode_ == Mode::max ? reduce_max(x, axes, keepdims_) : reduce_mean(x, axes, keepdims_);
}

nlohmann::json BaseGlobalPoolingImpl::get_config() const {
  nlohmann::json c = nlohmann::json::object();
  base_config(c);
  c["data_format"] = data_format_;
  c["keepdims"] = keepdims_;
  return c;
}

GlobalPoolingOptions BaseGlobalPoolingImpl::parse_config(const nlohmann::json& c) {
  GlobalPoolingOptions o;
  cu::read_base(c, o);
  o.data_format = cu::string_from_config(c, "data_format", o.data_format);
  if (c.contains("keepdims") && !c["keepdims"].is_null()) o.keepdims = c["keepdims"].get<bool>();
  return o;
}

}  // namespace nabla::layers
