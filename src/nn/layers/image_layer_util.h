// Checks shared by the 2-D image layers (ZeroPadding2D, Cropping2D,
// UpSampling2D, RandomFlip, RandomTranslation, RandomZoom): data_format
// spelling, the input rank, and where the spatial axes are.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "nabla/core/error.h"
#include "nabla/core/tensor.h"
#include "nabla/ops/cast.h"
#include "nabla/ops/random.h"
#include "nabla/ops/registry.h"
#include "nabla/ops/shape_ops.h"

namespace nabla::layers::imaging {

// "channels_last" or "channels_first" (InvalidArgument naming `who` otherwise).
inline void check_data_format(const std::string& f, const std::string& who) {
  NB_CHECK(f == "channels_last" || f == "channels_first", InvalidArgument, who,
           ": data_format must be \"channels_last\" or \"channels_first\", got \"", f, "\"");
}

// The (height, width) axes of a rank-4 input.
inline std::pair<int64_t, int64_t> spatial_axes(const std::string& data_format) {
  return data_format == "channels_first" ? std::pair<int64_t, int64_t>{2, 3} : std::pair<int64_t, int64_t>{1, 2};
}

// A rank-4 batch of images (InvalidArgument naming `who` and the layout otherwise).
inline void check_image_batch(const Tensor& x, const std::string& who, const std::string& data_format) {
  NB_CHECK(x.rank() == 4, InvalidArgument, who, " expects a rank-4 input ",
           data_format == "channels_first" ? "(batch, channels, height, width)" : "(batch, height, width, channels)",
           ", got shape ", x.shape().tuple_str());
}

// Random image layers accept one image (rank 3) or a batch (rank 4).
inline void check_image_or_batch(const Tensor& x, const std::string& who, const std::string& data_format) {
  NB_CHECK(x.rank() == 3 || x.rank() == 4, InvalidArgument, who, " expects a rank-4 batch ",
           data_format == "channels_first" ? "(batch, channels, height, width)" : "(batch, height, width, channels)",
           " or a rank-3 image, got shape ", x.shape().tuple_str());
}

// A factor with one or two values, each in [lo, hi] (lo_open: in (lo, hi]); InvalidArgument otherwise.
inline void check_factor(const std::vector<double>& v, double lo, double hi, bool lo_open, const std::string& who,
                         const char* arg) {
  bool ok = v.size() == 1 || v.size() == 2;
  for (double f : v) ok = ok && (lo_open ? f > lo : f >= lo) && f <= hi;
  std::string given;
  for (double f : v) given += (given.empty() ? "" : ", ") + std::to_string(f);
  NB_CHECK(ok, InvalidArgument, who, ": ", arg, " must be a number or a (lower, upper) pair in ", lo_open ? "(" : "[",
           lo, ", ", hi, "], got (", given, ")");
}

// Per-sample values lower + (upper - lower) * u with u uniform in [0, 1),
// in float32 as Keras draws them.
inline std::vector<float> draw_uniform(int64_t n, double lower, double upper, random::Generator& gen) {
  std::vector<float> u = random::uniform({n}, {.dtype = DType::float32}, gen).to_vector<float>();
  for (float& v : u) v = v * (float(upper) - float(lower)) + float(lower);
  return u;
}

// Runs f(x) now; inside nb::function tracing, also records it as one stateful node
// that redoes f (fresh random values included) on every call. f draws its per-image
// parameters on the host, which a graph of ops could not replay. Such a node passes
// no gradient to x (augmentation layers sit on the inputs).
inline Tensor run_as_graph_node(const char* kind, const Tensor& x, std::function<Tensor(const Tensor&)> f) {
  if (!graph_recording_active()) return f(x);
  Tensor y;
  {
    PauseOpObservers pause;
    y = f(x);
  }
  StatefulCall call;
  call.kind = kind;
  call.savable = false;  // f is this layer's C++ code
  call.run = [f](Inputs in, std::span<Tensor> out, std::span<Variable* const>) {
    PauseOpObservers pause;
    detail::copy_into(out[0], f(in[0]));
  };
  notify_stateful(call, Inputs(&x, 1), Inputs(&y, 1));
  return y;
}

// Runs f on x viewed as a channels_last batch (a batch axis added to a single
// image, channels_first transposed) and gives the result x's layout back.
template <typename F>
Tensor as_channels_last_batch(const Tensor& x, const std::string& data_format, F&& f) {
  const bool single = x.rank() == 3;
  const bool first = data_format == "channels_first";
  Tensor b = single ? expand_dims(x, 0) : x;
  if (first) b = transpose(b, {0, 2, 3, 1});
  Tensor y = f(b);
  if (first) y = transpose(y, {0, 3, 1, 2});
  return single ? squeeze(y, {0}) : y;
}

}  // namespace nabla::layers::imaging
