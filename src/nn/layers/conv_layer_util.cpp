#include "nn/layers/conv_layer_util.h"

#include <algorithm>
#include <cctype>

#include "nabla/core/error.h"
#include "nabla/ops/elementwise.h"

namespace nabla::layers::conv_util {

namespace {
std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return char(std::tolower(ch)); });
  return s;
}
}  // namespace

std::string standardize_padding(const std::string& padding, bool allow_causal, const std::string& cls) {
  const std::string p = lower(padding);
  const bool ok = p == "valid" || p == "same" || (allow_causal && p == "causal");
  NB_CHECK(ok, InvalidArgument, cls, ": the `padding` argument must be one of ",
           allow_causal ? "\"valid\", \"same\", \"causal\"" : "\"valid\", \"same\"", ". Received: padding=\"",
           padding, "\"");
  return p;
}

std::string standardize_data_format(const std::string& data_format, const std::string& cls) {
  const std::string f = lower(data_format);
  NB_CHECK(f == "channels_last" || f == "channels_first", InvalidArgument, cls,
           ": the `data_format` argument must be one of \"channels_first\", \"channels_last\". Received: "
           "data_format=\"",
           data_format, "\"");
  return f;
}

std::vector<int64_t> spatial_dims(const Shape& s, bool channels_first) {
  std::vector<int64_t> out;
  const int64_t first = channels_first ? 2 : 1;
  const int64_t last = channels_first ? s.rank() : s.rank() - 1;
  for (int64_t i = first; i < last; ++i) out.push_back(s[i]);
  return out;
}

void check_input(const Layer& layer, const Shape& x, int spatial, bool channels_first, int64_t channels) {
  const int64_t want = spatial + 2;
  const char* layout = spatial == 1 ? (channels_first ? "(batch, channels, steps)" : "(batch, steps, channels)")
                                    : (channels_first ? "(batch, channels, height, width)"
                                                      : "(batch, height, width, channels)");
  NB_CHECK(x.rank() == want, InvalidArgument, "Input 0 of layer \"", layer.name(), "\" (", layer.class_name(),
           ") is incompatible with the layer: expected ndim=", want, " ", layout, ", found ndim=", x.rank(),
           ". Full shape received: ", x.tuple_str());
  if (channels < 0) return;
  const int64_t axis = channel_axis(x.rank(), channels_first);
  NB_CHECK(x[axis] == channels, InvalidArgument, "Input 0 of layer \"", layer.name(), "\" (", layer.class_name(),
           ") is incompatible with the layer: expected axis ", channels_first ? 1 : -1,
           " of input shape to have value ", channels, ", but received input with shape ", x.tuple_str());
}

int64_t window_output_length(const Layer& layer, const Shape& x, int64_t in, int64_t kernel, int64_t stride,
                             int64_t dilation, const std::string& padding) {
  if (padding == "same" || padding == "causal") return (in + stride - 1) / stride;
  const int64_t eff = dilation * (kernel - 1) + 1;
  NB_CHECK(in >= eff, InvalidArgument, layer.class_name(), " '", layer.name(),
           "': computed output size would be zero or negative: input shape ", x.tuple_str(),
           " has a spatial size ", in, " smaller than the window (", kernel, " dilated by ", dilation, " = ", eff,
           ") with padding \"valid\"");
  return (in - eff) / stride + 1;
}

void check_windows(const Layer& layer, const Shape& x, bool channels_first, const std::vector<int64_t>& kernel,
                   const std::vector<int64_t>& strides, const std::vector<int64_t>& dilation,
                   const std::string& padding) {
  const std::vector<int64_t> sp = spatial_dims(x, channels_first);
  for (size_t i = 0; i < sp.size(); ++i)
    window_output_length(layer, x, sp[i], kernel[i], strides[i], dilation.empty() ? 1 : dilation[i], padding);
}

Tensor add_bias(const Tensor& y, const Tensor& bias, bool channels_first) {
  if (!channels_first) return y + bias;
  Shape s{bias.shape()[0]};
  for (int64_t i = 2; i < y.rank(); ++i) s.push_back(1);
  return y + bias.reshape(s);
}

IntTuple tuple_from_config(const json& c, const char* key, const IntTuple& fallback) {
  auto it = c.find(key);
  if (it == c.end() || it->is_null()) return fallback;
  if (it->is_number_integer()) return IntTuple(it->get<int64_t>());
  bool ok = it->is_array() && !it->empty();
  if (ok)
    for (const auto& e : *it) ok = ok && e.is_number_integer();
  NB_CHECK(ok, InvalidArgument, "config \"", key, "\" must be an integer or a list of integers, got ", it->dump());
  return IntTuple(it->get<std::vector<int64_t>>());
}

std::string string_from_config(const json& c, const char* key, const std::string& fallback) {
  auto it = c.find(key);
  if (it == c.end() || it->is_null()) return fallback;
  NB_CHECK(it->is_string(), InvalidArgument, "config \"", key, "\" must be a string, got ", it->dump());
  return it->get<std::string>();
}

void reject_unsupported(const json& c, const std::vector<std::string>& keys, const std::string& cls) {
  for (const std::string& k : keys) {
    auto it = c.find(k);
    NB_CHECK(it == c.end() || it->is_null(), Unimplemented, cls, ": the Keras option \"", k,
             "\" is not supported by nabla (got ", it->dump(), ")");
  }
}

void check_savable_activation(const ActivationArg& a, const Layer& layer) {
  NB_CHECK(a.name() != "custom", Unimplemented, layer.class_name(), " '", layer.name(),
           "': an activation given as a C++ function cannot be saved; use an activation name");
}

}  // namespace nabla::layers::conv_util
