#include "nabla/nn/layers/base_pooling.h"

#include <nlohmann/json.hpp>

#include "nabla/ops/pooling.h"
#include "nn/layers/conv_layer_util.h"

namespace nabla::layers {

namespace cu = conv_util;

BasePoolingImpl::BasePoolingImpl(std::string class_name, int rank, Mode mode, const IntTuple& pool_size,
                                 const PoolingOptions& options)
    : Layer(cu::base_options(options)), class_name_(std::move(class_name)), rank_(rank), mode_(mode) {
  pool_size_ = pool_size.expand(rank, "pool_size");
  strides_ = options.strides.empty() ? pool_size_ : options.strides.expand(rank, "strides");
  padding_ = cu::standardize_padding(options.padding, false, class_name_);
  data_format_ = cu::standardize_data_format(options.data_format, class_name_);
}

Tensor BasePoolingImpl::call(const Tensor& x, bool) {
  const bool cf = data_format_ == "channels_first";
  cu::check_input(*this, x.shape(), rank_, cf, -1);
  cu::check_windows(*this, x.shape(), cf, pool_size_, strides_, {}, padding_);
  const PoolOptions o{.strides = strides_, .padding = padding_, .data_format = data_format_};
  return mode_ == Mode::max ? max_pool(x, pool_size_, o) : avg_pool(x, pool_size_, o);
}

nlohmann::json BasePoolingImpl::get_config() const {
  nlohmann::json c = nlohmann::json::object();
  base_config(c);
  c["pool_size"] = cu::tuple_json(pool_size_);
  c["padding"] = padding_;
  c["strides"] = cu::tuple_json(strides_);
  c["data_format"] = data_format_;
  return c;
}

std::pair<IntTuple, PoolingOptions> BasePoolingImpl::parse_config(const nlohmann::json& c) {
  PoolingOptions o;
  cu::read_base(c, o);
  o.strides = cu::tuple_from_config(c, "strides", {});
  o.padding = cu::string_from_config(c, "padding", o.padding);
  o.data_format = cu::string_from_config(c, "data_format", o.data_format);
  return {cu::tuple_from_config(c, "pool_size", {}), o};
}

}  // namespace nabla::layers
