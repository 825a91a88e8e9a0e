#include "nn/layers/image_resample.h"

#include <algorithm>
#include <cmath>

#include "nabla/core/error.h"
#include "nabla/ops/creation.h"
#include "nabla/ops/elementwise.h"
#include "nabla/ops/shape_ops.h"

namespace nabla::layers::imaging {

FillMode parse_fill_mode(const std::string& s, const std::string& who) {
  if (s == "reflect") return FillMode::Reflect;
  if (s == "wrap") return FillMode::Wrap;
  if (s == "constant") return FillMode::Constant;
  if (s == "nearest") return FillMode::Nearest;
  throw InvalidArgument(who + ": unknown fill_mode \"" + s + "\"; expected one of reflect, wrap, constant, nearest");
}

Interpolation parse_interpolation(const std::string& s, const std::string& who) {
  if (s == "nearest") return Interpolation::Nearest;
  if (s == "bilinear") return Interpolation::Bilinear;
  NB_CHECK(s != "bicubic" && s != "lanczos3" && s != "lanczos5" && s != "area", Unimplemented, who,
           ": interpolation \"", s, "\" is not supported; use \"nearest\" or \"bilinear\"");
  throw InvalidArgument(who + ": unknown interpolation \"" + s + "\"; expected \"nearest\" or \"bilinear\"");
}

namespace {

// TensorFlow's MapCoordinate (image_ops.h), float32 as there.
float map_coordinate(float in, int64_t len, FillMode mode) {
  const float last = float(len - 1);
  switch (mode) {
    case FillMode::Constant:
      return in;
    case FillMode::Nearest:
      return std::fmin(std::fmax(in, 0.0f), last);
    case FillMode::Reflect:  // [abcd] -> [dcba|abcd|dcba]
      if (in < 0) {
        if (len <= 1) {
          in = 0;
        } else {
          const int64_t sz2 = 2 * len;
          if (in < float(sz2)) in = float(sz2 * int64_t(-in / float(sz2))) + in;
          in = (in < float(-len)) ? in + float(sz2) : -in - 1;
        }
      } else if (in > last) {
        if (len <= 1) {
          in = 0;
        } else {
          const int64_t sz2 = 2 * len;
          in -= float(sz2 * int64_t(in / float(sz2)));
          if (in >= float(len)) in = float(sz2) - in - 1;
        }
      }
      return std::fmin(std::fmax(in, 0.0f), last);
    case FillMode::Wrap:  // [abcd] -> [abcd|abcd|abcd]
      if (in < 0) {
        if (len <= 1) {
          in = 0;
        } else {
          const int64_t sz = len - 1;
          in += float(len * (int64_t(-in / float(sz)) + 1));
        }
      } else if (in > last) {
        if (len <= 1) {
          in = 0;
        } else {
          const int64_t sz = len - 1;
          in -= float(len * int64_t(in / float(sz)));
        }
      }
      return std::fmin(std::fmax(in, 0.0f), last);
  }
  return in;
}

void push_tap(std::vector<int64_t>& idx, std::vector<double>& w, int64_t i, double weight, int64_t len) {
  const bool inside = i >= 0 && i < len;
  idx.push_back(inside ? i : 0);
  w.push_back(inside ? weight : 0.0);
}

Tensor taps_tensor_idx(const AxisTaps& t, const std::vector<int64_t>& idx) {
  return t.batch == 1 ? nabla::detail::make_from_int64s(idx, Shape{t.length}, DType::int64)
                      : nabla::detail::make_from_int64s(idx, Shape{t.batch, t.length}, DType::int64);
}

// Weights shaped to broadcast against (B, H, W, C) along `axis` (1 or 2).
Tensor taps_tensor_w(const AxisTaps& t, const std::vector<double>& w, int64_t axis, DType dtype) {
  Shape s = axis == 1 ? Shape{t.batch, t.length, 1, 1} : Shape{t.batch, 1, t.length, 1};
  return nabla::detail::make_from_doubles(w, s, dtype);
}

bool all_ones(const std::vector<double>& w) {
  for (double v : w)
    if (v != 1.0) return false;
  return true;
}

// Applies the taps of one axis (1: rows, 2: columns).
Tensor apply_axis(const Tensor& x, const AxisTaps& t, int64_t axis) {
  const int64_t batch_dims = t.batch == 1 ? 0 : 1;
  Tensor g0 = gather(x, taps_tensor_idx(t, t.idx0), axis, batch_dims);
  if (t.idx1.empty() && all_ones(t.w0)) return g0;
  Tensor y = g0 * taps_tensor_w(t, t.w0, axis, x.dtype());
  if (!t.idx1.empty())
    y = y + gather(x, taps_tensor_idx(t, t.idx1), axis, batch_dims) * taps_tensor_w(t, t.w1, axis, x.dtype());
  return y;
}

}  // namespace

AxisTaps transform_taps(const std::vector<float>& coords, int64_t batch, int64_t len, FillMode mode,
                        Interpolation interp) {
  AxisTaps t;
  t.batch = batch;
  t.length = int64_t(coords.size()) / batch;
  for (float c : coords) {
    const float v = map_coordinate(c, len, mode);
    if (interp == Interpolation::Nearest) {
      push_tap(t.idx0, t.w0, int64_t(std::round(v)), 1.0, len);
    } else {
      const float f = std::floor(v);
      const float ce = f + 1.0f;
      push_tap(t.idx0, t.w0, int64_t(f), double(ce - v), len);
      push_tap(t.idx1, t.w1, int64_t(ce), double(v - f), len);
    }
  }
  return t;
}

AxisTaps resize_taps(int64_t in, int64_t out, Interpolation interp) {
  AxisTaps t;
  t.batch = 1;
  t.length = out;
  const float scale = float(in) / float(out);
  for (int64_t i = 0; i < out; ++i) {
    if (interp == Interpolation::Nearest) {
      t.idx0.push_back(i * in / out);
      t.w0.push_back(1.0);
    } else {  // tensorflow/core/kernels/image/resize_bilinear_op.cc, HalfPixelScaler
      const float c = (float(i) + 0.5f) * scale - 0.5f;
      const float f = std::floor(c);
      const int64_t lo = std::max<int64_t>(int64_t(f), 0);
      const int64_t hi = std::min<int64_t>(int64_t(std::ceil(c)), in - 1);
      const float lerp = c - f;
      t.idx0.push_back(lo);
      t.w0.push_back(double(1.0f - lerp));
      t.idx1.push_back(hi);
      t.w1.push_back(double(lerp));
    }
  }
  return t;
}

Tensor resample(const Tensor& x, const AxisTaps& rows, const AxisTaps& cols, double fill_value) {
  NB_CHECK(x.rank() == 4, Internal, "resample expects (B, H, W, C), got ", x.shape().str());
  Tensor y = apply_axis(apply_axis(x, rows, 1), cols, 2);
  if (fill_value == 0.0) return y;
  // The weight that fell outside the image reads the fill value.
  auto sums = [](const AxisTaps& t) {
    std::vector<double> s(t.w0);
    for (size_t i = 0; i < t.w1.size(); ++i) s[i] += t.w1[i];
    return s;
  };
  Tensor wr = taps_tensor_w(rows, sums(rows), 1, x.dtype());
  Tensor wc = taps_tensor_w(cols, sums(cols), 2, x.dtype());
  return y + (scalar_like(1.0, wr) - wr * wc) * scalar_like(fill_value, y);
}

Tensor axis_aligned_transform(const Tensor& x, const std::vector<float>& row_scale, const std::vector<float>& row_shift,
                              const std::vector<float>& col_scale, const std::vector<float>& col_shift,
                              FillMode mode, Interpolation interp, double fill_value) {
  const int64_t b = x.shape()[0], h = x.shape()[1], w = x.shape()[2];
  if (b == 0) return x;
  auto coords = [b](int64_t len, const std::vector<float>& scale, const std::vector<float>& shift) {
    std::vector<float> c(size_t(b * len));
    for (int64_t s = 0; s < b; ++s)
      for (int64_t i = 0; i < len; ++i) c[size_t(s * len + i)] = scale[size_t(s)] * float(i) + shift[size_t(s)];
    return c;
  };
  return resample(x, transform_taps(coords(h, row_scale, row_shift), b, h, mode, interp),
                  transform_taps(coords(w, col_scale, col_shift), b, w, mode, interp), fill_value);
}

}  // namespace nabla::layers::imaging
