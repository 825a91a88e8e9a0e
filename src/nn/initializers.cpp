// Weight initialisers: Keras 3.15's keras/src/initializers/{random,constant}_initializers.py
// on nabla's Philox generators (nabla/ops/random.h).
#include "nabla/nn/initializers.h"

#include <cblas.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <functional>
#include <map>

#include "nabla/ops/cast.h"
#include "nabla/ops/creation.h"
#include "nabla/ops/elementwise.h"
#include "nabla/ops/random.h"
#include "nn/config_util.h"

// LAPACK from OpenBLAS (Debian's libopenblas ships the LAPACK symbols): QR factorisation
// (dgeqrf) and formation of Q from its Householder reflectors (dorgqr), column-major.
extern "C" {
void dgeqrf_(const int* m, const int* n, double* a, const int* lda, double* tau, double* work,
             const int* lwork, int* info);
void dorgqr_(const int* m, const int* n, const int* k, double* a, const int* lda, const double* tau,
             double* work, const int* lwork, int* info);
}

namespace nabla::initializers {
namespace {

using nn_config::json;

void check_shape(const std::string& who, const Shape& shape) {
  for (int64_t d : shape)
    NB_CHECK(d >= 0, InvalidArgument, who, ": shape dimensions must be >= 0, got ", shape.str());
}

void check_random(const std::string& who, const Shape& shape, DType dtype) {
  check_shape(who, shape);
  NB_CHECK(is_floating(dtype), InvalidArgument, who,
           ": expects a floating dtype (float16, bfloat16, float32, float64), got ", dtype_name(dtype));
}

// Runs `draw` with a fresh Generator(seed) when there is a seed (the same values on
// every call), else with the process-wide default generator.
Tensor draw_normal(const Shape& s, random::NormalOptions o, const std::optional<uint64_t>& seed) {
  if (!seed) return random::normal(s, o);
  random::Generator g(*seed);
  return random::normal(s, o, g);
}
Tensor draw_truncated_normal(const Shape& s, random::NormalOptions o, const std::optional<uint64_t>& seed) {
  if (!seed) return random::truncated_normal(s, o);
  random::Generator g(*seed);
  return random::truncated_normal(s, o, g);
}
Tensor draw_uniform(const Shape& s, random::UniformOptions o, const std::optional<uint64_t>& seed) {
  if (!seed) return random::uniform(s, o);
  random::Generator g(*seed);
  return random::uniform(s, o, g);
}

int64_t axis_dim(const Shape& shape, int64_t axis, const char* which) {
  const int64_t r = shape.rank();
  NB_CHECK(axis >= -r && axis < r, InvalidArgument, "compute_fans: ", which, " axis ", axis,
           " is out of range for shape ", shape.str(), " of rank ", r);
  return shape[size_t(axis < 0 ? axis + r : axis)];
}

}  // namespace

json Initializer::get_config() const { return json::object(); }

Fans compute_fans(const Shape& shape, const std::optional<std::vector<int64_t>>& input_axes,
                  const std::optional<std::vector<int64_t>>& output_axes) {
  if (input_axes && output_axes) {
    Fans f;
    for (int64_t a : *input_axes) f.fan_in *= axis_dim(shape, a, "input");
    for (int64_t a : *output_axes) f.fan_out *= axis_dim(shape, a, "output");
    return f;
  }
  const int64_t r = shape.rank();
  if (r == 0) return {1, 1};
  if (r == 1) return {shape[0], shape[0]};
  if (r == 2) return {shape[0], shape[1]};
  int64_t receptive = 1;
  for (int64_t i = 0; i < r - 2; ++i) receptive *= shape[size_t(i)];
  return {shape[size_t(r - 2)] * receptive, shape[size_t(r - 1)] * receptive};
}

// ---- VarianceScaling and its presets --------------------------------------------------

VarianceScaling::VarianceScaling(VarianceScalingOptions options)
    : VarianceScaling(std::move(options), "VarianceScaling") {}

VarianceScaling::VarianceScaling(VarianceScalingOptions o, std::string class_name)
    : options_(std::move(o)), class_name_(std::move(class_name)) {
  NB_CHECK(options_.scale > 0.0, InvalidArgument, class_name_, ": scale must be a positive number, got ",
           options_.scale);
  NB_CHECK(options_.mode == "fan_in" || options_.mode == "fan_out" || options_.mode == "fan_avg",
           InvalidArgument, class_name_, ": mode must be one of fan_in, fan_out, fan_avg, got \"",
           options_.mode, "\"");
  std::string d = options_.distribution;
  std::transform(d.begin(), d.end(), d.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  if (d == "normal") d = "truncated_normal";
  NB_CHECK(d == "truncated_normal" || d == "untruncated_normal" || d == "uniform", InvalidArgument,
           class_name_, ": distribution must be one of truncated_normal (or normal), untruncated_normal, "
           "uniform, got \"", options_.distribution, "\"");
  options_.distribution = d;
}

Tensor VarianceScaling::operator()(const Shape& shape, DType dtype) const {
  check_random(class_name_, shape, dtype);
  const Fans f = compute_fans(shape, options_.input_axes, options_.output_axes);
  double scale = options_.scale;
  if (options_.mode == "fan_in") scale /= std::max(1.0, double(f.fan_in));
  else if (options_.mode == "fan_out") scale /= std::max(1.0, double(f.fan_out));
  else scale /= std::max(1.0, double(f.fan_in + f.fan_out) / 2.0);
  if (options_.distribution == "truncated_normal")
    return draw_truncated_normal(shape, {.mean = 0.0, .stddev = std::sqrt(scale) / 0.87962566103423978, .dtype = dtype},
                                 options_.seed);
  if (options_.distribution == "untruncated_normal")
    return draw_normal(shape, {.mean = 0.0, .stddev = std::sqrt(scale), .dtype = dtype}, options_.seed);
  const double limit = std::sqrt(3.0 * scale);
  return draw_uniform(shape, {.minval = -limit, .maxval = limit, .dtype = dtype}, options_.seed);
}

json VarianceScaling::get_config() const {
  json c = {{"seed", nn_config::seed_json(options_.seed)},
            {"input_axes", nn_config::axes_json(options_.input_axes)},
            {"output_axes", nn_config::axes_json(options_.output_axes)}};
  if (class_name_ != "VarianceScaling") return c;
  c["scale"] = options_.scale;
  c["mode"] = options_.mode;
  c["distribution"] = options_.distribution;
  return c;
}

namespace {
VarianceScalingOptions preset(double scale, const char* mode, const char* distribution, PresetOptions o) {
  return {.scale = scale, .mode = mode, .distribution = distribution, .seed = o.seed,
          .input_axes = std::move(o.input_axes), .output_axes = std::move(o.output_axes)};
}
}  // namespace

GlorotUniform::GlorotUniform(PresetOptions o)
    : VarianceScaling(preset(1.0, "fan_avg", "uniform", std::move(o)), "GlorotUniform") {}
GlorotNormal::GlorotNormal(PresetOptions o)
    : VarianceScaling(preset(1.0, "fan_avg", "truncated_normal", std::move(o)), "GlorotNormal") {}
HeUniform::HeUniform(PresetOptions o)
    : VarianceScaling(preset(2.0, "fan_in", "uniform", std::move(o)), "HeUniform") {}
HeNormal::HeNormal(PresetOptions o)
    : VarianceScaling(preset(2.0, "fan_in", "truncated_normal", std::move(o)), "HeNormal") {}
LecunUniform::LecunUniform(PresetOptions o)
    : VarianceScaling(preset(1.0, "fan_in", "uniform", std::move(o)), "LecunUniform") {}
LecunNormal::LecunNormal(PresetOptions o)
    : VarianceScaling(preset(1.0, "fan_in", "truncated_normal", std::move(o)), "LecunNormal") {}

// ---- plain random distributions -------------------------------------------------------

RandomNormal::RandomNormal(RandomNormalOptions o) : options_(o) {
  NB_CHECK(o.stddev >= 0.0, InvalidArgument, "RandomNormal: stddev must be >= 0, got ", o.stddev);
}
Tensor RandomNormal::operator()(const Shape& shape, DType dtype) const {
  check_random("RandomNormal", shape, dtype);
  return draw_normal(shape, {.mean = options_.mean, .stddev = options_.stddev, .dtype = dtype}, options_.seed);
}
json RandomNormal::get_config() const {
  return {{"seed", nn_config::seed_json(options_.seed)}, {"mean", options_.mean}, {"stddev", options_.stddev}};
}

TruncatedNormal::TruncatedNormal(TruncatedNormalOptions o) : options_(o) {
  NB_CHECK(o.stddev >= 0.0, InvalidArgument, "TruncatedNormal: stddev must be >= 0, got ", o.stddev);
}
Tensor TruncatedNormal::operator()(const Shape& shape, DType dtype) const {
  check_random("TruncatedNormal", shape, dtype);
  return draw_truncated_normal(shape, {.mean = options_.mean, .stddev = options_.stddev, .dtype = dtype},
                               options_.seed);
}
json TruncatedNormal::get_config() const {
  return {{"seed", nn_config::seed_json(options_.seed)}, {"mean", options_.mean}, {"stddev", options_.stddev}};
}

RandomUniform::RandomUniform(RandomUniformOptions o) : options_(o) {
  NB_CHECK(o.maxval >= o.minval, InvalidArgument, "RandomUniform: maxval (", o.maxval,
           ") must be >= minval (", o.minval, ")");
}
Tensor RandomUniform::operator()(const Shape& shape, DType dtype) const {
  check_random("RandomUniform", shape, dtype);
  return draw_uniform(shape, {.minval = options_.minval, .maxval = options_.maxval, .dtype = dtype},
                      options_.seed);
}
json RandomUniform::get_config() const {
  return {{"seed", nn_config::seed_json(options_.seed)}, {"minval", options_.minval}, {"maxval", options_.maxval}};
}

// ---- constants ------------------------------------------------------------------------

Tensor Zeros::operator()(const Shape& shape, DType dtype) const {
  check_shape("Zeros", shape);
  return zeros(shape, dtype);
}
Tensor Ones::operator()(const Shape& shape, DType dtype) const {
  check_shape("Ones", shape);
  return ones(shape, dtype);
}
Tensor Constant::operator()(const Shape& shape, DType dtype) const {
  check_shape("Constant", shape);
  return fill(shape, value_, dtype);
}
json Constant::get_config() const { return {{"value", value_}}; }

Tensor Identity::operator()(const Shape& shape, DType dtype) const {
  NB_CHECK(shape.rank() == 2, InvalidArgument,
           "Identity: the identity matrix initializer needs a 2-D shape, got ", shape.str(), " of rank ",
           shape.rank());
  check_shape("Identity", shape);
  Tensor e = eye(shape[0], shape[1], DType::float64);
  if (gain_ != 1.0) e = e * gain_;
  return dtype == DType::float64 ? e : cast(e, dtype);
}
json Identity::get_config() const { return {{"gain", gain_}}; }

// ---- Orthogonal -----------------------------------------------------------------------

Orthogonal::Orthogonal(OrthogonalOptions o) : options_(o) {}

Tensor Orthogonal::operator()(const Shape& shape, DType dtype) const {
  NB_CHECK(shape.rank() >= 2, InvalidArgument,
           "Orthogonal: the tensor to initialize must be at least two-dimensional, got shape ",
           shape.str(), " of rank ", shape.rank());
  check_random("Orthogonal", shape, dtype);
  int64_t rows = 1;
  for (int64_t i = 0; i + 1 < shape.rank(); ++i) rows *= shape[size_t(i)];
  const int64_t cols = shape[size_t(shape.rank() - 1)];
  if (rows == 0 || cols == 0) return zeros(shape, dtype);
  const int64_t m = std::max(rows, cols), n = std::min(rows, cols);
  NB_CHECK(m <= INT_MAX && m * n <= INT_MAX, InvalidArgument, "Orthogonal: a ", m, " x ", n,
           " matrix is too large for LAPACK's 32-bit indices");

  // A standard normal m x n matrix (drawn in double), stored column-major for LAPACK.
  const Tensor a = draw_normal({m, n}, {.dtype = DType::float64}, options_.seed);
  const double* pa = a.data<double>();
  std::vector<double> q(static_cast<size_t>(m * n));
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) q[size_t(i + j * m)] = pa[i * n + j];

  // OpenBLAS must not start its own thread pool next to nabla's (DESIGN.md §6).
  if (openblas_get_num_threads() != 1) openblas_set_num_threads(1);
  const int im = int(m), in = int(n);
  int info = 0, lwork = -1;
  double wq = 0;
  std::vector<double> tau(static_cast<size_t>(n));
  dgeqrf_(&im, &in, q.data(), &im, tau.data(), &wq, &lwork, &info);
  lwork = std::max(int(wq), in);
  std::vector<double> work(static_cast<size_t>(lwork));
  dgeqrf_(&im, &in, q.data(), &im, tau.data(), work.data(), &lwork, &info);
  NB_CHECK(info == 0, Internal, "Orthogonal: LAPACK dgeqrf failed with info = ", info);
  // Keras multiplies Q's columns by sign(diag(R)), so that Q = A R^-1 with R's diagonal
  // positive: the unique QR, which makes Q Haar-distributed. (R's diagonal is non-zero
  // with probability 1; a zero is treated as positive.)
  std::vector<double> sign(static_cast<size_t>(n));
  for (int64_t j = 0; j < n; ++j) sign[size_t(j)] = q[size_t(j + j * m)] < 0 ? -1.0 : 1.0;
  lwork = -1;
  dorgqr_(&im, &in, &in, q.data(), &im, tau.data(), &wq, &lwork, &info);
  lwork = std::max(int(wq), in);
  work.resize(size_t(lwork));
  dorgqr_(&im, &in, &in, q.data(), &im, tau.data(), work.data(), &lwork, &info);
  NB_CHECK(info == 0, Internal, "Orthogonal: LAPACK dorgqr failed with info = ", info);

  // W (rows x cols, row-major) = gain * Q S, transposed when rows < cols.
  Tensor w = Tensor::empty(shape, DType::float64);
  double* pw = w.mutable_data<double>();
  const double gain = options_.gain;
  if (rows >= cols) {
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j) pw[i * cols + j] = gain * sign[size_t(j)] * q[size_t(i + j * m)];
  } else {
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j) pw[i * cols + j] = gain * sign[size_t(i)] * q[size_t(j + i * m)];
  }
  return dtype == DType::float64 ? w : cast(w, dtype);
}

json Orthogonal::get_config() const {
  return {{"seed", nn_config::seed_json(options_.seed)}, {"gain", options_.gain}};
}

// ---- registry -------------------------------------------------------------------------

namespace {

using Factory = std::function<std::shared_ptr<Initializer>(nn_config::Reader&)>;

PresetOptions read_preset(nn_config::Reader& r) {
  PresetOptions o;
  o.seed = r.seed();
  o.input_axes = r.int_list("input_axes");
  o.output_axes = r.int_list("output_axes");
  return o;
}

template <typename T> Factory preset_factory() {
  return [](nn_config::Reader& r) { return std::make_shared<T>(read_preset(r)); };
}

// Class name -> factory reading that class's config.
const std::map<std::string, Factory>& factories() {
  static const std::map<std::string, Factory> f = {
      {"GlorotUniform", preset_factory<GlorotUniform>()},
      {"GlorotNormal", preset_factory<GlorotNormal>()},
      {"HeUniform", preset_factory<HeUniform>()},
      {"HeNormal", preset_factory<HeNormal>()},
      {"LecunUniform", preset_factory<LecunUniform>()},
      {"LecunNormal", preset_factory<LecunNormal>()},
      {"VarianceScaling",
       [](nn_config::Reader& r) {
         VarianceScalingOptions o;
         o.scale = r.number("scale", 1.0);
         o.mode = r.string("mode", "fan_in");
         o.distribution = r.string("distribution", "truncated_normal");
         o.seed = r.seed();
         o.input_axes = r.int_list("input_axes");
         o.output_axes = r.int_list("output_axes");
         return std::make_shared<VarianceScaling>(o);
       }},
      {"RandomNormal",
       [](nn_config::Reader& r) {
         return std::make_shared<RandomNormal>(RandomNormalOptions{
             .mean = r.number("mean", 0.0), .stddev = r.number("stddev", 0.05), .seed = r.seed()});
       }},
      {"TruncatedNormal",
       [](nn_config::Reader& r) {
         return std::make_shared<TruncatedNormal>(TruncatedNormalOptions{
             .mean = r.number("mean", 0.0), .stddev = r.number("stddev", 0.05), .seed = r.seed()});
       }},
      {"RandomUniform",
       [](nn_config::Reader& r) {
         return std::make_shared<RandomUniform>(RandomUniformOptions{
             .minval = r.number("minval", -0.05), .maxval = r.number("maxval", 0.05), .seed = r.seed()});
       }},
      {"Zeros", [](nn_config::Reader&) { return std::make_shared<Zeros>(); }},
      {"Ones", [](nn_config::Reader&) { return std::make_shared<Ones>(); }},
      {"Constant", [](nn_config::Reader& r) { return std::make_shared<Constant>(r.number("value", 0.0)); }},
      {"Identity", [](nn_config::Reader& r) { return std::make_shared<Identity>(r.number("gain", 1.0)); }},
      {"Orthogonal",
       [](nn_config::Reader& r) {
         return std::make_shared<Orthogonal>(OrthogonalOptions{.gain = r.number("gain", 1.0), .seed = r.seed()});
       }},
  };
  return f;
}

// Every accepted name -> class name: class names, their snake_case forms, Keras's aliases.
const std::map<std::string, std::string>& aliases() {
  static const std::map<std::string, std::string> a = [] {
    std::map<std::string, std::string> m;
    for (const auto& [cls, f] : factories()) {
      m[cls] = cls;
      std::string snake;  // keras.src.utils.naming.to_snake_case for these names
      for (size_t i = 0; i < cls.size(); ++i) {
        const char c = cls[i];
        if (std::isupper(static_cast<unsigned char>(c)) && i > 0) snake += '_';
        snake += char(std::tolower(static_cast<unsigned char>(c)));
      }
      m[snake] = cls;
    }
    m["normal"] = "RandomNormal";
    m["uniform"] = "RandomUniform";
    m["zero"] = "Zeros";
    m["one"] = "Ones";
    m["OrthogonalInitializer"] = "Orthogonal";
    m["IdentityInitializer"] = "Identity";
    return m;
  }();
  return a;
}


}  // namespace

std::shared_ptr<Initializer> from_config(const json& config) {
  return nn_config::build_registered<Initializer>(config, "initializer", aliases(), factories());
}

std::shared_ptr<Initializer> get(const std::string& name) { return from_config(json(name)); }

std::vector<std::string> names() {
  std::vector<std::string> out;
  for (const auto& [k, v] : aliases()) out.push_back(k);
  return out;
}

json serialize(const Initializer& initializer) {
  return nn_config::serialized("keras.initializers", initializer.class_name(), initializer.get_config());
}

}  // namespace nabla::initializers
