// Weight initialisers (keras.initializers), with Keras 3's distributions, fans
// and configs.
//
//   auto w = nb::initializers::GlorotUniform()({784, 128});          // float32
//   auto b = nb::initializers::get("zeros")->operator()({128});
//   nb::initializers::HeNormal({.seed = 42})({3, 3, 32, 64}, nb::float64);
//
// Seeds. An initializer with a seed returns the same values on every call
// (as Keras 3 does with a seed): each call draws from a fresh
// random::Generator(seed). Without a seed each call draws new values from
// random::default_generator() (reproducible after random::set_seed). Keras 3
// instead fixes a random seed when an unseeded initializer is constructed.
//
// Random initialisers require a floating dtype (InvalidArgument otherwise);
// Zeros, Ones and Constant accept any dtype. Shapes must have no negative
// dimension (InvalidArgument).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "nabla/core/tensor.h"

namespace nabla::initializers {

// Base class of every initializer.
class Initializer {
 public:
  virtual ~Initializer() = default;
  // A new tensor of `shape` and `dtype` (see the seed rules above).
  virtual Tensor operator()(const Shape& shape, DType dtype = DType::float32) const = 0;
  // Keras's class name, e.g. "GlorotUniform".
  virtual std::string class_name() const = 0;
  // Keras's get_config() (same keys and values; seeds are integers or null).
  virtual nlohmann::json get_config() const;
};

// (fan_in, fan_out) of a weight shape, as keras's compute_fans: rank 0 -> (1, 1);
// rank 1 -> (n, n); rank 2 -> (rows, cols); rank > 2 (convolution kernels
// (..., in, out)) -> (in * receptive field, out * receptive field). With both
// axis lists, the products of the listed dimensions (negative axes count from
// the end; out-of-range axes raise InvalidArgument).
struct Fans {
  int64_t fan_in = 1;
  int64_t fan_out = 1;
};
Fans compute_fans(const Shape& shape, const std::optional<std::vector<int64_t>>& input_axes = std::nullopt,
                  const std::optional<std::vector<int64_t>>& output_axes = std::nullopt);

struct VarianceScalingOptions {
  double scale = 1.0;                              // > 0
  std::string mode = "fan_in";                     // "fan_in", "fan_out", "fan_avg"
  // "truncated_normal" (alias "normal"), "untruncated_normal" or "uniform".
  std::string distribution = "truncated_normal";
  std::optional<uint64_t> seed = std::nullopt;
  std::optional<std::vector<int64_t>> input_axes = std::nullopt;   // see compute_fans
  std::optional<std::vector<int64_t>> output_axes = std::nullopt;
};
// With n = fan_in, fan_out or their mean (per mode; at least 1) and s = scale / n:
// truncated_normal: mean 0, stddev sqrt(s) / 0.87962566103423978, cut at 2 stddev
// (so the variance is s); untruncated_normal: N(0, s); uniform: U[-sqrt(3 s), sqrt(3 s)).
// Invalid scale, mode or distribution raise InvalidArgument on construction.
class VarianceScaling : public Initializer {
 public:
  explicit VarianceScaling(VarianceScalingOptions options = {});
  Tensor operator()(const Shape& shape, DType dtype = DType::float32) const override;
  // "VarianceScaling", or the preset's name ("GlorotUniform", ...).
  std::string class_name() const override { return class_name_; }
  // A preset's config holds only seed, input_axes and output_axes (as Keras).
  nlohmann::json get_config() const override;
  const VarianceScalingOptions& options() const { return options_; }

 protected:
  // For the presets below.
  VarianceScaling(VarianceScalingOptions options, std::string class_name);

 private:
  VarianceScalingOptions options_;
  std::string class_name_;
};

// Options of the VarianceScaling presets below.
struct PresetOptions {
  std::optional<uint64_t> seed = std::nullopt;
  std::optional<std::vector<int64_t>> input_axes = std::nullopt;
  std::optional<std::vector<int64_t>> output_axes = std::nullopt;
};

// VarianceScaling with scale 1, fan_avg, uniform: U[-sqrt(6 / (fan_in + fan_out)), +...).
class GlorotUniform : public VarianceScaling {
 public:
  explicit GlorotUniform(PresetOptions options = {});
};
// VarianceScaling with scale 1, fan_avg, truncated normal.
class GlorotNormal : public VarianceScaling {
 public:
  explicit GlorotNormal(PresetOptions options = {});
};
// VarianceScaling with scale 2, fan_in, uniform: U[-sqrt(6 / fan_in), +...).
class HeUniform : public VarianceScaling {
 public:
  explicit HeUniform(PresetOptions options = {});
};
// VarianceScaling with scale 2, fan_in, truncated normal.
class HeNormal : public VarianceScaling {
 public:
  explicit HeNormal(PresetOptions options = {});
};
// VarianceScaling with scale 1, fan_in, uniform: U[-sqrt(3 / fan_in), +...).
class LecunUniform : public VarianceScaling {
 public:
  explicit LecunUniform(PresetOptions options = {});
};
// VarianceScaling with scale 1, fan_in, truncated normal.
class LecunNormal : public VarianceScaling {
 public:
  explicit LecunNormal(PresetOptions options = {});
};

struct RandomNormalOptions {
  double mean = 0.0;
  double stddev = 0.05;
  std::optional<uint64_t> seed = std::nullopt;
};
// N(mean, stddev^2).
class RandomNormal : public Initializer {
 public:
  explicit RandomNormal(RandomNormalOptions options = {});
  Tensor operator()(const Shape& shape, DType dtype = DType::float32) const override;
  std::string class_name() const override { return "RandomNormal"; }
  nlohmann::json get_config() const override;
  const RandomNormalOptions& options() const { return options_; }

 private:
  RandomNormalOptions options_;
};

struct TruncatedNormalOptions {
  double mean = 0.0;
  double stddev = 0.05;
  std::optional<uint64_t> seed = std::nullopt;
};
// N(mean, stddev^2) with values more than 2 stddev from the mean redrawn.
class TruncatedNormal : public Initializer {
 public:
  explicit TruncatedNormal(TruncatedNormalOptions options = {});
  Tensor operator()(const Shape& shape, DType dtype = DType::float32) const override;
  std::string class_name() const override { return "TruncatedNormal"; }
  nlohmann::json get_config() const override;
  const TruncatedNormalOptions& options() const { return options_; }

 private:
  TruncatedNormalOptions options_;
};

struct RandomUniformOptions {
  double minval = -0.05;
  double maxval = 0.05;  // >= minval (InvalidArgument otherwise)
  std::optional<uint64_t> seed = std::nullopt;
};
// U[minval, maxval).
class RandomUniform : public Initializer {
 public:
  explicit RandomUniform(RandomUniformOptions options = {});
  Tensor operator()(const Shape& shape, DType dtype = DType::float32) const override;
  std::string class_name() const override { return "RandomUniform"; }
  nlohmann::json get_config() const override;
  const RandomUniformOptions& options() const { return options_; }

 private:
  RandomUniformOptions options_;
};

// All zeros.
class Zeros : public Initializer {
 public:
  Tensor operator()(const Shape& shape, DType dtype = DType::float32) const override;
  std::string class_name() const override { return "Zeros"; }
};

// All ones.
class Ones : public Initializer {
 public:
  Tensor operator()(const Shape& shape, DType dtype = DType::float32) const override;
  std::string class_name() const override { return "Ones"; }
};

// Every element equal to `value` (converted to the dtype).
class Constant : public Initializer {
 public:
  explicit Constant(double value = 0.0) : value_(value) {}
  Tensor operator()(const Shape& shape, DType dtype = DType::float32) const override;
  std::string class_name() const override { return "Constant"; }
  nlohmann::json get_config() const override;
  double value() const { return value_; }

 private:
  double value_;
};

// gain * the identity matrix; requires a rank-2 shape (InvalidArgument otherwise).
// Keras's Identity omits gain from its config; nabla writes it.
class Identity : public Initializer {
 public:
  explicit Identity(double gain = 1.0) : gain_(gain) {}
  Tensor operator()(const Shape& shape, DType dtype = DType::float32) const override;
  std::string class_name() const override { return "Identity"; }
  nlohmann::json get_config() const override;
  double gain() const { return gain_; }

 private:
  double gain_;
};

struct OrthogonalOptions {
  double gain = 1.0;
  std::optional<uint64_t> seed = std::nullopt;
};
// A random (semi-)orthogonal matrix times gain, reshaped to the requested shape
// (rank >= 2, InvalidArgument otherwise; rows = product of all but the last
// dimension, cols = the last): W^T W = gain^2 I when rows >= cols, W W^T =
// gain^2 I otherwise. As Keras: the Q of the QR decomposition of a
// max(rows, cols) x min(rows, cols) standard normal matrix, each column
// multiplied by the sign of R's diagonal (making it Haar-distributed), and
// transposed when rows < cols. The QR runs in double precision (LAPACK).
class Orthogonal : public Initializer {
 public:
  explicit Orthogonal(OrthogonalOptions options = {});
  Tensor operator()(const Shape& shape, DType dtype = DType::float32) const override;
  std::string class_name() const override { return "Orthogonal"; }
  nlohmann::json get_config() const override;
  const OrthogonalOptions& options() const { return options_; }

 private:
  OrthogonalOptions options_;
};

// A new initializer with default options by Keras name: a class name
// ("GlorotUniform"), its snake_case form ("glorot_uniform") or an alias
// ("normal", "uniform", "zero", "one", "OrthogonalInitializer",
// "IdentityInitializer"). Throws InvalidArgument listing the names otherwise.
std::shared_ptr<Initializer> get(const std::string& name);
// The names get() accepts, sorted.
std::vector<std::string> names();
// An initializer from a Keras serialisation: {"class_name": ..., "config": {...}}
// (other keys such as "module" are ignored; a missing config means defaults) or
// a name as for get(). Unknown classes or config keys and values of the wrong
// type raise InvalidArgument.
std::shared_ptr<Initializer> from_config(const nlohmann::json& config);
// keras.initializers.serialize: {"module": "keras.initializers", "class_name",
// "config", "registered_name": null}; from_config(serialize(i)) recreates i.
nlohmann::json serialize(const Initializer& initializer);

}  // namespace nabla::initializers
