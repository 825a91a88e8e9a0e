// Geometry of convolution and pooling ops (internal): sizes, strides,
// dilations and paddings per spatial dimension, read from an op's shapes and
// attributes and validated once. Shared by the op definitions (shape
// inference) and the CPU kernels, so both agree on every size.
//
// Attributes read: "strides", "dilations" (0, 1 or one value per spatial
// dimension), "padding" ("VALID", "SAME" or "EXPLICIT", any case),
// "explicit_paddings" (2 per spatial dimension), "data_format"
// ("channels_last"/"channels_first", or NWC/NHWC/NDHWC / NCW/NCHW/NCDHW);
// pooling also "ksize".
#pragma once
#include <cstdint>
#include <string>

#include "nabla/ops/registry.h"

namespace nabla::ops {

inline constexpr int kMaxSpatial = 3;

struct ConvGeometry {
  int nsp = 0;                  // spatial dimensions (1..3)
  bool channels_first = false;  // NC... instead of N...C
  int64_t n = 0, c_in = 0, c_out = 0, groups = 1;
  // Per spatial dimension; unused trailing dimensions hold 1 (pads 0).
  int64_t in[kMaxSpatial] = {1, 1, 1}, out[kMaxSpatial] = {1, 1, 1}, k[kMaxSpatial] = {1, 1, 1};
  int64_t stride[kMaxSpatial] = {1, 1, 1}, dil[kMaxSpatial] = {1, 1, 1};
  int64_t pad_before[kMaxSpatial] = {0, 0, 0}, pad_after[kMaxSpatial] = {0, 0, 0};

  int64_t in_spatial() const { return in[0] * in[1] * in[2]; }
  int64_t out_spatial() const { return out[0] * out[1] * out[2]; }
  int64_t k_spatial() const { return k[0] * k[1] * k[2]; }
  // Full shapes in the op's data format; the filter is (k..., c_in / groups, c_out).
  Shape input_shape() const;
  Shape output_shape() const;
  Shape filter_shape() const;
};

// Convolution geometry of input shape x and filter shape w (HWIO). Throws
// InvalidArgument for bad ranks, channel counts, attributes, or a
// negative output size.
ConvGeometry conv_geometry(const Shape& x, const Shape& w, const Attrs& attrs);
// Pooling geometry of input shape x with window "ksize" (c_out = c_in,
// groups = c_in, no dilation).
ConvGeometry pool_geometry(const Shape& x, const Attrs& attrs);

// The convolution attributes of `a` (strides, dilations, padding,
// explicit_paddings, data_format, ksize), without op-specific extras.
Attrs conv_attrs(const Attrs& a);
// "SAME" / "VALID" / "EXPLICIT" for a padding name in any case; throws
// InvalidArgument for anything else.
std::string normalize_padding(const std::string& padding);
// true for channels_first spellings, false for channels_last; throws otherwise.
bool is_channels_first(const std::string& data_format);

}  // namespace nabla::ops
