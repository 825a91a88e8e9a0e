// Shared by the convolution and pooling layers (internal): Keras's argument
// validation (padding, data_format, tuples), input checks at call time, the
// bias add, and reading/writing the config keys they have in common.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nabla/core/tensor.h"
#include "nabla/nn/activation_arg.h"
#include "nabla/nn/layer.h"
#include "nabla/nn/layers/int_tuple.h"
#include "nn/layer_config.h"

namespace nabla::layers::conv_util {

using json = nlohmann::json;

// Lower-cased "valid" / "same" (and "causal" when allowed); InvalidArgument
// naming the layer class otherwise.
std::string standardize_padding(const std::string& padding, bool allow_causal, const std::string& cls);
// Lower-cased "channels_last" / "channels_first"; InvalidArgument otherwise.
std::string standardize_data_format(const std::string& data_format, const std::string& cls);

// The channel axis of a rank-`rank` tensor in this data format.
inline int64_t channel_axis(int64_t rank, bool channels_first) { return channels_first ? 1 : rank - 1; }
// The spatial sizes of shape `s` (rank = spatial + 2).
std::vector<int64_t> spatial_dims(const Shape& s, bool channels_first);

// Checks that x has rank spatial + 2 (Keras's "expected ndim=4, found ndim=3")
// and, when channels >= 0, that its channel axis holds `channels`.
void check_input(const Layer& layer, const Shape& x, int spatial, bool channels_first, int64_t channels);

// Output length of a window of (dilated) size `kernel` for "valid"/"same"/"causal"
// (TensorFlow's rule). InvalidArgument with Keras's "Computed output size would
// be zero or negative" when valid leaves nothing.
int64_t window_output_length(const Layer& layer, const Shape& x, int64_t in, int64_t kernel, int64_t stride,
                             int64_t dilation, const std::string& padding);

// window_output_length for every spatial dimension of x (`dilation` empty: 1
// everywhere, as for pooling).
void check_windows(const Layer& layer, const Shape& x, bool channels_first, const std::vector<int64_t>& kernel,
                   const std::vector<int64_t>& strides, const std::vector<int64_t>& dilation,
                   const std::string& padding);

// y + bias along the channel axis.
Tensor add_bias(const Tensor& y, const Tensor& bias, bool channels_first);

// Keras writes tuples as lists: [3, 3].
inline json tuple_json(const std::vector<int64_t>& v) { return json(v); }
// An int or list of ints under `key` (null / missing: `fallback`); InvalidArgument otherwise.
IntTuple tuple_from_config(const json& c, const char* key, const IntTuple& fallback);
// A string under `key` (missing / null: `fallback`).
std::string string_from_config(const json& c, const char* key, const std::string& fallback);
// Unimplemented for a non-null Keras option nabla has no counterpart for
// (kernel_constraint, lora_rank ...).
void reject_unsupported(const json& c, const std::vector<std::string>& keys, const std::string& cls);
// Unimplemented when an activation given as a C++ function is to be saved.
void check_savable_activation(const ActivationArg& a, const Layer& layer);

// Copies the base layer options (name, trainable, dtype, input_shape) of a
// config into an options struct.
template <typename O>
void read_base(const json& c, O& o) {
  LayerOptions base = nabla::detail::layer_options_from_config(c);
  o.name = base.name;
  o.trainable = base.trainable;
  o.dtype = base.dtype;
  o.input_shape = base.input_shape;
}

// The LayerOptions part of an options struct.
template <typename O>
LayerOptions base_options(const O& o) {
  return LayerOptions{.name = o.name, .trainable = o.trainable, .dtype = o.dtype, .input_shape = o.input_shape};
}

// Reads activation, use_bias, bias_initializer, bias_regularizer and
// activity_regularizer (the keys every conv layer has).
template <typename O>
void read_activation_and_bias(const json& c, O& o) {
  if (c.contains("activation") && c["activation"].is_string()) o.activation = c["activation"].get<std::string>();
  if (c.contains("activation") && c["activation"].is_null()) o.activation = "linear";
  if (c.contains("use_bias")) o.use_bias = c["use_bias"].get<bool>();
  if (c.contains("bias_initializer"))
    o.bias_initializer = nabla::detail::initializer_from_config(c["bias_initializer"]);
  if (c.contains("bias_regularizer"))
    o.bias_regularizer = nabla::detail::regularizer_from_config(c["bias_regularizer"]);
  if (c.contains("activity_regularizer"))
    o.activity_regularizer = nabla::detail::regularizer_from_config(c["activity_regularizer"]);
}

// Writes the keys read by read_activation_and_bias.
template <typename O>
void write_activation_and_bias(json& c, const O& o) {
  c["activation"] = o.activation.name();
  c["use_bias"] = o.use_bias;
  c["bias_initializer"] = nabla::detail::initializer_to_config(o.bias_initializer);
  c["bias_regularizer"] = nabla::detail::regularizer_to_config(o.bias_regularizer);
  c["activity_regularizer"] = nabla::detail::regularizer_to_config(o.activity_regularizer);
}

}  // namespace nabla::layers::conv_util
