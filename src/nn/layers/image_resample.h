// Separable resampling of image batches, shared by UpSampling2D (bilinear),
// RandomTranslation and RandomZoom: every output pixel reads the input at an
// axis-aligned position (row coordinate from the output row, column
// coordinate from the output column, per sample), with TensorFlow's
// ImageProjectiveTransformV3 rules for fill modes and nearest/bilinear
// interpolation. Built from gather and multiply, so gradients reach the input.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "nabla/core/tensor.h"

namespace nabla::layers::imaging {

enum class FillMode { Reflect, Wrap, Constant, Nearest };
enum class Interpolation { Nearest, Bilinear };

// "reflect" | "wrap" | "constant" | "nearest" (InvalidArgument naming `who` otherwise).
FillMode parse_fill_mode(const std::string& s, const std::string& who);
// "nearest" | "bilinear" (Unimplemented naming `who` for the other Keras methods).
Interpolation parse_interpolation(const std::string& s, const std::string& who);

// Interpolation taps along one axis: for sample b (or every sample when
// batch == 1) and output position i, up to two input positions with weights.
// Taps that fall outside the input have weight 0; the missing weight is
// filled with the fill value.
struct AxisTaps {
  int64_t batch = 1;
  int64_t length = 0;
  std::vector<int64_t> idx0, idx1;  // batch * length each (idx1 empty: one tap)
  std::vector<double> w0, w1;
};

// Taps reading input coordinate coords[b * length + i] (in float32, as
// TensorFlow computes it) of an axis of size `len`: the coordinate is mapped
// into the image by `mode` (constant: not mapped, outside reads the fill
// value), then rounded (nearest) or split between floor and floor + 1
// (bilinear).
AxisTaps transform_taps(const std::vector<float>& coords, int64_t batch, int64_t len, FillMode mode,
                        Interpolation interp);
// Upsampling taps from `in` to `out` = k * in positions: nearest repeats
// each input position k times (keras.ops.repeat); bilinear is
// tf.image.resize's (half-pixel centres, clamped at the border).
AxisTaps resize_taps(int64_t in, int64_t out, Interpolation interp);

// out[b, i, j, c] = sum over row and column taps of wr * wc * x[b, r, c', c]
//                   + fill_value * (1 - Wr[b, i] * Wc[b, j])
// for a channels_last batch x (B, H, W, C); output (B, rows.length, cols.length, C).
Tensor resample(const Tensor& x, const AxisTaps& rows, const AxisTaps& cols, double fill_value);

// ImageProjectiveTransformV3 with a diagonal transform on a channels_last
// batch (B, H, W, C): output pixel (i, j) of sample b reads input row
// row_scale[b] * i + row_shift[b] and column col_scale[b] * j + col_shift[b]
// (float32 arithmetic as TensorFlow), then fills and interpolates as above.
Tensor axis_aligned_transform(const Tensor& x, const std::vector<float>& row_scale, const std::vector<float>& row_shift,
                              const std::vector<float>& col_scale, const std::vector<float>& col_shift,
                              FillMode mode, Interpolation interp, double fill_value);

}  // namespace nabla::layers::imaging
