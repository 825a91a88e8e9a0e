// Conformance of the convolution, pooling and batch-normalisation ops
// (nabla/ops/conv.h, pooling.h, normalization.h) with PyTorch and TensorFlow.
//
// Golden data: tests/data/torch_conv.json (tests/tools/gen_conv_torch.py) and
// tests/data/tf_conv.json (tests/tools/gen_conv_tf.py); the scripts' docstrings
// give the file layout and how PyTorch's and TensorFlow's calls map to nabla's.
// Each case runs one nabla op on the stored inputs under an nb::GradientTape,
// forms loss = sum_k reduce_sum(outputs[k] * weights[k]) and compares the
// outputs and the gradients with the stored ones, in every variant:
//   * float32 on oneDNN, float32 on the reference loops (set_conv_reference),
//     float64 on the reference loops;
//   * the case's own data format, and the other one (input 0, output 0 and
//     their weights/gradients transposed; the transposed input is a strided view).
// Tolerance: |got - want| <= tol * max|want| per tensor, tol = 1e-10 when both
// nabla and the reference computed in float64, 1e-4 otherwise.
//
// Also: convolution on oneDNN float32 against the float32 reference loops on
// random shapes (strides, dilations, padding, groups, formats, batch sizes
// 1..5 so the batch split over the thread pool has uneven chunks); pooling
// (loops only) against a naive implementation on random shapes; and the
// InvalidArgument errors of the three op families, whose messages must name
// the offending shapes (or strings / dtypes).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nabla/nabla.h>
#include <nlohmann/json.hpp>

#include "conformance/tf_json.h"

namespace nb = nabla;
using json = nlohmann::json;

namespace {

using tf_json::fmt;
using tf_json::json_double;
using tf_json::shape_str;
using tf_json::where_str;
using Tensors = std::vector<nb::Tensor>;

// Sets nb::set_conv_reference for its lifetime, restoring the old value.
class ConvReferenceMode {
 public:
  explicit ConvReferenceMode(bool on) : saved_(nb::conv_reference()) { nb::set_conv_reference(on); }
  ~ConvReferenceMode() { nb::set_conv_reference(saved_); }
  ConvReferenceMode(const ConvReferenceMode&) = delete;
  ConvReferenceMode& operator=(const ConvReferenceMode&) = delete;

 private:
  bool saved_;
};

// Sets nb::set_num_threads for its lifetime, restoring the old value.
class ThreadCount {
 public:
  explicit ThreadCount(int n) : saved_(nb::get_num_threads()) { nb::set_num_threads(n); }
  ~ThreadCount() { nb::set_num_threads(saved_); }
  ThreadCount(const ThreadCount&) = delete;
  ThreadCount& operator=(const ThreadCount&) = delete;

 private:
  int saved_;
};

// ----------------------------------------------------------------------------- data files

struct DataFile {
  json root;
  std::string error;  // non-empty when the file could not be read
};

const DataFile& data_file(const std::string& name) {
  static std::map<std::string, DataFile> files;
  if (auto it = files.find(name); it != files.end()) return it->second;
  DataFile d;
  const std::string path = std::string(NABLA_TEST_DATA_DIR) + "/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    d.error = "cannot open " + path;
  } else {
    try {
      d.root = json::parse(in);
      (void)d.root.at("cases").size();
    } catch (const std::exception& e) {
      d.error = path + ": " + e.what();
    }
  }
  return files.emplace(name, std::move(d)).first->second;
}

struct Case {
  std::string file;
  std::string name;
  size_t index = 0;
};
void PrintTo(const Case& c, std::ostream* os) { *os << c.file << ':' << c.name; }

std::vector<Case> cases_of(const std::string& file) {
  const DataFile& d = data_file(file);
  if (!d.error.empty() || d.root["cases"].empty()) return {Case{file, "DataFileMissing", size_t(-1)}};
  std::vector<Case> out;
  const json& cases = d.root["cases"];
  for (size_t i = 0; i < cases.size(); ++i) {
    std::string name = cases[i].value("name", "case_" + std::to_string(i));
    for (char& ch : name)
      if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
    out.push_back({file, name, i});
  }
  return out;
}

// A stored tensor in dtype `dt`; JSON null gives an undefined tensor.
nb::Tensor tensor_of(const json& t, nb::DType dt) {
  if (t.is_null()) return {};
  std::vector<double> v;
  v.reserve(t.at("values").size());
  for (const auto& x : t.at("values")) v.push_back(json_double(x));
  return nb::detail::make_from_doubles(v, nb::Shape(t.at("shape").get<std::vector<int64_t>>()), dt);
}

// ----------------------------------------------------------------------------- layouts

// The permutation taking a tensor of rank r from one data format to the other:
// channels_first -> channels_last is (0, 2, ..., r-1, 1), the reverse (0, r-1, 1, ..., r-2).
std::vector<int64_t> flip_perm(int64_t rank, bool from_channels_first) {
  std::vector<int64_t> p{0};
  if (from_channels_first) {
    for (int64_t i = 2; i < rank; ++i) p.push_back(i);
    p.push_back(1);
  } else {
    p.push_back(rank - 1);
    for (int64_t i = 1; i < rank - 1; ++i) p.push_back(i);
  }
  return p;
}

nb::Tensor flip(const nb::Tensor& t, bool from_channels_first) {
  if (!t.defined() || t.rank() < 3) return t;  // rank 2: the channel axis is 1 either way
  return nb::transpose(t, flip_perm(t.rank(), from_channels_first));
}

std::vector<int64_t> flip_shape(const std::vector<int64_t>& s, bool from_channels_first) {
  if (s.size() < 3) return s;
  std::vector<int64_t> r;
  for (int64_t i : flip_perm(int64_t(s.size()), from_channels_first)) r.push_back(s[size_t(i)]);
  return r;
}

// ----------------------------------------------------------------------------- ops

std::vector<int64_t> ivec(const json& a, const char* key) {
  return a.contains(key) ? a.at(key).get<std::vector<int64_t>>() : std::vector<int64_t>{};
}

nb::ConvOptions conv_options(const json& a, const std::string& data_format) {
  nb::ConvOptions o;
  o.strides = ivec(a, "strides");
  o.dilations = ivec(a, "dilations");
  o.padding = a.at("padding").get<std::string>();
  o.explicit_paddings = ivec(a, "explicit_paddings");
  o.data_format = data_format;
  return o;
}

// Runs the case's op; `flipped`: the data format is the other one than stored.
Tensors run_op(const std::string& op, const Tensors& in, const json& a, const std::string& data_format,
               bool flipped, bool stored_channels_first) {
  if (op == "conv1d") return {nb::conv1d(in.at(0), in.at(1), conv_options(a, data_format))};
  if (op == "conv2d") return {nb::conv2d(in.at(0), in.at(1), conv_options(a, data_format))};
  if (op == "conv") return {nb::conv(in.at(0), in.at(1), conv_options(a, data_format))};
  if (op == "depthwise_conv2d") return {nb::depthwise_conv2d(in.at(0), in.at(1), conv_options(a, data_format))};
  if (op == "conv_transpose") {
    std::vector<int64_t> shape = ivec(a, "output_shape");
    if (flipped) shape = flip_shape(shape, stored_channels_first);
    return {nb::conv_transpose(in.at(0), in.at(1), nb::Shape(shape), conv_options(a, data_format))};
  }
  if (op == "max_pool" || op == "avg_pool") {
    nb::PoolOptions o;
    o.strides = ivec(a, "strides");
    o.padding = a.at("padding").get<std::string>();
    o.data_format = data_format;
    const std::vector<int64_t> k = ivec(a, "pool_size");
    return {op == "max_pool" ? nb::max_pool(in.at(0), k, o) : nb::avg_pool(in.at(0), k, o)};
  }
  if (op == "fused_batch_norm") {
    nb::FusedBatchNormOptions o;
    o.epsilon = a.at("epsilon").get<double>();
    o.training = a.at("training").get<bool>();
    o.data_format = data_format;
    nb::FusedBatchNormResult r = nb::fused_batch_norm(in.at(0), in.at(1), in.at(2), in.at(3), in.at(4), o);
    return {r.y, r.batch_mean, r.batch_variance};
  }
  if (op == "batch_normalization")
    return {nb::batch_normalization(in.at(0), in.at(1), in.at(2), in.at(3), in.at(4),
                                    a.at("variance_epsilon").get<double>())};
  throw std::runtime_error("the test has no mapping for op \"" + op + "\"");
}

const std::set<std::string>& known_ops() {
  static const std::set<std::string> s = {"conv1d",   "conv2d",   "conv",     "depthwise_conv2d", "conv_transpose",
                                          "max_pool", "avg_pool", "fused_batch_norm", "batch_normalization"};
  return s;
}

// Ops with a data_format (batch_normalization broadcasts instead).
bool has_data_format(const std::string& op) { return op != "batch_normalization"; }

// ----------------------------------------------------------------------------- comparison

// |got - want| <= tol * max|want| element-wise, shapes equal.
void expect_close(const nb::Tensor& got, const nb::Tensor& want, double tol, const std::string& what) {
  ASSERT_TRUE(got.defined()) << what << ": nabla gave no tensor (undefined)";
  const std::vector<int64_t> ws = want.shape().vec();
  ASSERT_EQ(shape_str(got.shape().vec()), shape_str(ws)) << what << ": shape";
  const std::vector<double> g = got.to_vector<double>(), w = want.to_vector<double>();
  double scale = 0.0;
  for (double v : w) scale = std::max(scale, std::fabs(v));
  const double bound = tol * scale;
  int bad = 0;
  double worst = 0.0;
  std::ostringstream report;
  for (size_t i = 0; i < g.size(); ++i) {
    const double err = std::fabs(g[i] - w[i]);
    if (std::isfinite(g[i]) && err <= bound) continue;
    worst = std::isfinite(err) ? std::max(worst, err) : err;
    if (bad++ < 6) report << "\n    at " << where_str(int64_t(i), ws) << ": want " << fmt(w[i]) << ", got " << fmt(g[i]);
  }
  EXPECT_EQ(bad, 0) << what << ": " << bad << " of " << g.size() << " values differ by more than " << bound
                    << " (tol " << tol << " x max|want| " << scale << "; worst " << worst << ")" << report.str();
}

struct Variant {
  nb::DType dtype = nb::float32;
  bool reference = false;  // set_conv_reference(true)
  bool flip = false;       // the other data format than stored
};

std::string variant_str(const Variant& v, const std::string& data_format) {
  std::string s(nb::dtype_name(v.dtype));
  s += v.dtype == nb::float64 ? " (reference loops)" : v.reference ? " with set_conv_reference(true)" : " on oneDNN";
  s += ", ";
  s += data_format;
  s += v.flip ? " (transposed from the stored layout)" : "";
  return s;
}

void check_case(const json& tc, const Variant& v) {
  const std::string op = tc.at("op").get<std::string>();
  const std::string stored = tc.at("layout").get<std::string>();
  const bool stored_cf = stored == "channels_first";
  const std::string data_format = v.flip ? (stored_cf ? "channels_last" : "channels_first") : stored;
  const json& a = tc.at("attrs");
  SCOPED_TRACE(variant_str(v, data_format));
  const auto relayout = [&](nb::Tensor t, size_t i) { return v.flip && i == 0 ? flip(t, stored_cf) : t; };

  Tensors inputs, weights, want_out, want_grad;
  bool ref_f64 = true;
  for (size_t i = 0; i < tc.at("inputs").size(); ++i) {
    const json& t = tc.at("inputs")[i];
    if (!t.is_null() && t.at("dtype") != "float64") ref_f64 = false;
    inputs.push_back(relayout(tensor_of(t, v.dtype), i));
  }
  for (size_t i = 0; i < tc.at("weights").size(); ++i) {
    weights.push_back(relayout(tensor_of(tc.at("weights")[i], v.dtype), i));
    want_out.push_back(relayout(tensor_of(tc.at("outputs")[i], nb::float64), i));
  }
  std::vector<size_t> src;
  for (size_t i = 0; i < tc.at("grads").size(); ++i) {
    want_grad.push_back(relayout(tensor_of(tc.at("grads")[i], nb::float64), i));
    if (want_grad.back().defined()) src.push_back(i);
  }
  const double tol = ref_f64 && v.dtype == nb::float64 ? 1e-10 : 1e-4;

  ConvReferenceMode mode(v.reference);
  Tensors outs, grads;
  try {
    nb::GradientTape tape;
    for (size_t i : src) tape.watch(inputs[i]);
    outs = run_op(op, inputs, a, data_format, v.flip, stored_cf);
    ASSERT_EQ(outs.size(), weights.size()) << "number of outputs";
    nb::Tensor loss;
    for (size_t k = 0; k < outs.size(); ++k) {
      nb::Tensor term = nb::reduce_sum(outs[k] * weights[k]);
      loss = k == 0 ? term : loss + term;
    }
    std::vector<nb::GradientSource> sources;
    for (size_t i : src) sources.emplace_back(inputs[i]);
    grads = tape.gradient(loss, sources);
  } catch (const std::exception& e) {
    FAIL() << "threw: " << e.what();
  }
  for (size_t k = 0; k < outs.size(); ++k) {
    EXPECT_EQ(outs[k].dtype(), v.dtype) << "output " << k << " dtype";
    expect_close(outs[k], want_out[k], tol, "output " + std::to_string(k));
  }
  ASSERT_EQ(grads.size(), src.size());
  for (size_t s = 0; s < src.size(); ++s)
    expect_close(grads[s], want_grad[src[s]], tol, "gradient wrt input " + std::to_string(src[s]));
}

// ----------------------------------------------------------------------------- golden cases

class ConvReference : public ::testing::TestWithParam<Case> {};

TEST_P(ConvReference, MatchesGoldenData) {
  const Case& c = GetParam();
  const DataFile& d = data_file(c.file);
  ASSERT_TRUE(d.error.empty()) << d.error;
  ASSERT_LT(c.index, d.root["cases"].size()) << "no cases in " << c.file;
  const json& tc = d.root["cases"][c.index];
  const std::string op = tc.at("op").get<std::string>();
  SCOPED_TRACE(c.file + ": " + tc.at("name").get<std::string>() + " op=" + op + " layout=" +
               tc.at("layout").get<std::string>() + " attrs=" + tc.at("attrs").dump());
  for (nb::DType dt : {nb::float32, nb::float64})
    for (bool reference : {false, true}) {
      if (dt == nb::float64 && !reference) continue;  // float64 always runs the loops
      for (bool flipped : {false, true}) {
        if (flipped && !has_data_format(op)) continue;
        check_case(tc, Variant{.dtype = dt, .reference = reference, .flip = flipped});
      }
    }
}

INSTANTIATE_TEST_SUITE_P(Torch, ConvReference, ::testing::ValuesIn(cases_of("torch_conv.json")),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(TF, ConvReference, ::testing::ValuesIn(cases_of("tf_conv.json")),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

// The files themselves: generated by the scripts, non-trivial, every op mapped.
TEST(ConvReferenceData, FilesAreCompleteAndEveryOpIsMapped) {
  for (const char* file : {"torch_conv.json", "tf_conv.json"}) {
    SCOPED_TRACE(file);
    const DataFile& d = data_file(file);
    ASSERT_TRUE(d.error.empty()) << d.error;
    ASSERT_TRUE(d.root.contains("metadata"));
    EXPECT_GE(d.root["cases"].size(), 40u);
    EXPECT_EQ(d.root["metadata"].value("num_cases", 0), d.root["cases"].size());
    std::set<std::string> ops;
    for (const auto& tc : d.root["cases"]) {
      const std::string op = tc.at("op").get<std::string>();
      EXPECT_TRUE(known_ops().count(op)) << "case " << tc.at("name") << ": op " << op << " has no mapping";
      ops.insert(op);
      EXPECT_EQ(tc.at("outputs").size(), tc.at("weights").size()) << tc.at("name");
      EXPECT_EQ(tc.at("inputs").size(), tc.at("grads").size()) << tc.at("name");
    }
    // Each file covers convolution, transposed convolution, both poolings and batch norm.
    for (const char* op : {"conv2d", "conv1d", "conv_transpose", "depthwise_conv2d", "max_pool", "avg_pool",
                           "fused_batch_norm"})
      EXPECT_TRUE(ops.count(op)) << "no " << op << " case";
  }
}

// ----------------------------------------------------------------------------- oneDNN vs reference

// Uniform [-1, 1) tensor of `shape` in float32.
nb::Tensor random_tensor(std::mt19937_64& gen, const std::vector<int64_t>& shape) {
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  std::vector<double> v(static_cast<size_t>(n));
  for (double& x : v) x = u(gen);
  return nb::detail::make_from_doubles(v, nb::Shape(shape), nb::float32);
}

int64_t pick(std::mt19937_64& gen, int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(gen);
}

// Output and gradients wrt the sources of f(inputs), loss = sum(out * r).
Tensors forward_and_grads(const std::function<nb::Tensor(const Tensors&)>& f, const Tensors& inputs,
                          const nb::Tensor& r, bool reference) {
  ConvReferenceMode mode(reference);
  nb::GradientTape tape;
  for (const auto& t : inputs) tape.watch(t);
  nb::Tensor out = f(inputs);
  nb::Tensor loss = nb::reduce_sum(out * r);
  std::vector<nb::GradientSource> sources(inputs.begin(), inputs.end());
  Tensors result{out};
  for (auto& g : tape.gradient(loss, sources)) result.push_back(g);
  return result;
}

// Runs f on oneDNN and on the reference loops (float32) and compares everything.
void compare_backends(const std::function<nb::Tensor(const Tensors&)>& f, const Tensors& inputs,
                      std::mt19937_64& gen) {
  // The loss weights need the output shape: run the forward once.
  nb::Tensor probe;
  try {
    ConvReferenceMode mode(true);
    probe = f(inputs);
  } catch (const std::exception& e) {
    FAIL() << "reference forward threw: " << e.what();
  }
  const nb::Tensor r = random_tensor(gen, probe.shape().vec());
  Tensors want, got;
  try {
    want = forward_and_grads(f, inputs, r, true);
    got = forward_and_grads(f, inputs, r, false);
  } catch (const std::exception& e) {
    FAIL() << "threw: " << e.what();
  }
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i)
    expect_close(got[i], nb::cast(want[i], nb::float64), 1e-4,
                 i == 0 ? std::string("output") : "gradient wrt input " + std::to_string(i - 1));
}

TEST(ConvOneDnnVsReference, RandomConvolutions) {
  std::mt19937_64 gen(20240613);
  for (int it = 0; it < 50; ++it) {
    const int nsp = int(std::vector<int64_t>{1, 2, 2, 2, 3}[size_t(pick(gen, 0, 4))]);
    const int64_t n = pick(gen, 1, 5);
    const int64_t kind = pick(gen, 0, 3);  // 0, 1: groups 1; 2: groups 2 or 3; 3: depthwise
    const int64_t groups = kind <= 1 ? 1 : kind == 2 ? pick(gen, 2, 3) : pick(gen, 2, 4);
    const int64_t cin = kind == 3 ? groups : groups * pick(gen, 1, 3);
    const int64_t cout = groups * pick(gen, 1, 3);
    const bool cf = pick(gen, 0, 1) == 1;
    const int64_t padding_kind = pick(gen, 0, 2);  // valid, same, explicit
    const int64_t max_in = nsp == 3 ? 6 : 9;
    nb::ConvOptions o;
    o.padding = padding_kind == 0 ? "valid" : padding_kind == 1 ? "same" : "explicit";
    o.data_format = cf ? "channels_first" : "channels_last";
    std::vector<int64_t> k, in;
    for (int d = 0; d < nsp; ++d) {
      k.push_back(pick(gen, 1, 3));
      o.strides.push_back(pick(gen, 1, 3));
      o.dilations.push_back(pick(gen, 0, 3) == 0 ? 2 : 1);
      int64_t pad = 0;
      if (padding_kind == 2) {
        const int64_t b = pick(gen, 0, 2), e = pick(gen, 0, 2);
        o.explicit_paddings.push_back(b);
        o.explicit_paddings.push_back(e);
        pad = b + e;
      }
      const int64_t eff = (k.back() - 1) * o.dilations.back() + 1;
      const int64_t lo = std::max<int64_t>(1, padding_kind == 1 ? 1 : eff - pad);
      in.push_back(pick(gen, lo, std::max(lo, max_in)));
    }
    std::vector<int64_t> xs{n};
    if (cf) xs.push_back(cin);
    xs.insert(xs.end(), in.begin(), in.end());
    if (!cf) xs.push_back(cin);
    std::vector<int64_t> ws = k;
    ws.push_back(cin / groups);
    ws.push_back(cout);
    // 1 to 4 pool threads: the oneDNN batch split makes slices of uneven sizes
    // (e.g. 5 entries over 3 threads: 1, 2, 2).
    const int threads = 1 + it % 4;
    ThreadCount thread_count(threads);
    std::ostringstream desc;
    desc << "case " << it << " (" << threads << " threads): input " << shape_str(xs) << " filters " << shape_str(ws) << " strides "
         << shape_str(o.strides) << " dilations " << shape_str(o.dilations) << " padding " << o.padding << ' '
         << shape_str(o.explicit_paddings) << ' ' << o.data_format;
    SCOPED_TRACE(desc.str());
    const Tensors inputs{random_tensor(gen, xs), random_tensor(gen, ws)};
    compare_backends([&](const Tensors& t) { return nb::conv(t[0], t[1], o); }, inputs, gen);
  }
}

// Pooling has no oneDNN kernel: its loops are checked against this naive one
// instead, on random shapes. Data channels_last (N, spatial..., C) in float64;
// returns the output and d sum(out * r) / dx (max: to the first maximum of the
// window in row-major order; avg: r / (number of real elements) to each).
struct NaivePool {
  std::vector<double> y, dx;
  std::vector<int64_t> y_shape;
};

NaivePool naive_pool(const std::vector<double>& x, const std::vector<int64_t>& xs, const std::vector<int64_t>& k,
                     const std::vector<int64_t>& s, bool same, bool is_max, std::mt19937_64& gen,
                     std::vector<double>& r) {
  const size_t nsp = xs.size() - 2;
  int64_t in[3] = {1, 1, 1}, kk[3] = {1, 1, 1}, ss[3] = {1, 1, 1}, out[3] = {1, 1, 1}, pb[3] = {0, 0, 0};
  for (size_t d = 0; d < nsp; ++d) {
    in[d] = xs[1 + d];
    kk[d] = k[d];
    ss[d] = s[d];
    out[d] = same ? (in[d] + ss[d] - 1) / ss[d] : (in[d] - kk[d]) / ss[d] + 1;
    pb[d] = same ? std::max<int64_t>((out[d] - 1) * ss[d] + kk[d] - in[d], 0) / 2 : 0;
  }
  const int64_t n = xs[0], c = xs.back();
  NaivePool p;
  p.y_shape = {n};
  for (size_t d = 0; d < nsp; ++d) p.y_shape.push_back(out[d]);
  p.y_shape.push_back(c);
  const int64_t ny = n * out[0] * out[1] * out[2] * c;
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  r.resize(size_t(ny));
  for (double& v : r) v = u(gen);
  p.y.assign(size_t(ny), 0.0);
  p.dx.assign(x.size(), 0.0);
  const auto xi = [&](int64_t b, int64_t i0, int64_t i1, int64_t i2, int64_t ch) {
    return size_t((((b * in[0] + i0) * in[1] + i1) * in[2] + i2) * c + ch);
  };
  size_t yi = 0;
  for (int64_t b = 0; b < n; ++b)
    for (int64_t o0 = 0; o0 < out[0]; ++o0)
      for (int64_t o1 = 0; o1 < out[1]; ++o1)
        for (int64_t o2 = 0; o2 < out[2]; ++o2)
          for (int64_t ch = 0; ch < c; ++ch, ++yi) {
            std::vector<size_t> cells;  // real input positions of the window, row-major
            const int64_t o[3] = {o0, o1, o2};
            int64_t lo[3], hi[3];
            for (int d = 0; d < 3; ++d) {
              lo[d] = std::max<int64_t>(o[d] * ss[d] - pb[d], 0);
              hi[d] = std::min<int64_t>(o[d] * ss[d] - pb[d] + kk[d], in[d]);
            }
            for (int64_t i0 = lo[0]; i0 < hi[0]; ++i0)
              for (int64_t i1 = lo[1]; i1 < hi[1]; ++i1)
                for (int64_t i2 = lo[2]; i2 < hi[2]; ++i2) cells.push_back(xi(b, i0, i1, i2, ch));
            if (is_max) {
              size_t best = cells.at(0);
              for (size_t q : cells)
                if (x[q] > x[best]) best = q;
              p.y[yi] = x[best];
              p.dx[best] += r[yi];
            } else {
              double sum = 0.0;
              for (size_t q : cells) sum += x[q];
              p.y[yi] = sum / double(cells.size());
              for (size_t q : cells) p.dx[q] += r[yi] / double(cells.size());
            }
          }
  return p;
}

TEST(PoolingRandom, MatchesNaiveLoops) {
  std::mt19937_64 gen(20240614);
  for (int it = 0; it < 30; ++it) {
    const int nsp = int(pick(gen, 1, 3));
    const bool cf = pick(gen, 0, 1) == 1;
    const bool is_max = pick(gen, 0, 1) == 1;
    const bool same = pick(gen, 0, 1) == 1;
    nb::PoolOptions o;
    o.padding = same ? "same" : "valid";
    o.data_format = cf ? "channels_first" : "channels_last";
    std::vector<int64_t> k;
    std::vector<int64_t> xs{pick(gen, 1, 5)};
    for (int d = 0; d < nsp; ++d) {
      k.push_back(pick(gen, 1, 3));
      o.strides.push_back(pick(gen, 1, 3));
      xs.push_back(pick(gen, same ? 1 : k.back(), nsp == 3 ? 6 : 9));
    }
    xs.push_back(pick(gen, 1, 4));
    std::ostringstream desc;
    desc << "case " << it << ": " << (is_max ? "max_pool" : "avg_pool") << " input (channels_last) "
         << shape_str(xs) << " pool " << shape_str(k) << " strides " << shape_str(o.strides) << " padding "
         << o.padding << ' ' << o.data_format;
    SCOPED_TRACE(desc.str());
    int64_t nx = 1;
    for (int64_t d : xs) nx *= d;
    std::vector<double> x(static_cast<size_t>(nx)), r;
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    for (double& v : x) v = u(gen);  // continuous values: no ties
    const NaivePool want = naive_pool(x, xs, k, o.strides, same, is_max, gen, r);
    for (nb::DType dt : {nb::float32, nb::float64}) {
      SCOPED_TRACE(std::string(nb::dtype_name(dt)));
      nb::Tensor xt = nb::detail::make_from_doubles(x, nb::Shape(xs), dt);
      nb::Tensor rt = nb::detail::make_from_doubles(r, nb::Shape(want.y_shape), dt);
      if (cf) {
        xt = flip(xt, false);
        rt = flip(rt, false);
      }
      nb::Tensor y, dx;
      try {
        nb::GradientTape tape;
        tape.watch(xt);
        y = is_max ? nb::max_pool(xt, k, o) : nb::avg_pool(xt, k, o);
        dx = tape.gradient(nb::reduce_sum(y * rt), xt);
      } catch (const std::exception& e) {
        ADD_FAILURE() << "threw: " << e.what();
        continue;
      }
      if (cf) {
        y = flip(y, true);
        dx = flip(dx, true);
      }
      const double tol = dt == nb::float64 ? 1e-12 : 1e-5;
      expect_close(y, nb::detail::make_from_doubles(want.y, nb::Shape(want.y_shape), nb::float64), tol, "output");
      expect_close(dx, nb::detail::make_from_doubles(want.dx, nb::Shape(xs), nb::float64), tol, "gradient");
    }
  }
}

// ----------------------------------------------------------------------------- small API checks

TEST(ConvApi, OutputLengthFollowsTensorFlow) {
  EXPECT_EQ(nb::conv_output_length(7, 3, 2, 1, "same"), 4);
  EXPECT_EQ(nb::conv_output_length(8, 3, 2, 1, "SAME"), 4);
  EXPECT_EQ(nb::conv_output_length(7, 3, 2, 1, "valid"), 3);
  EXPECT_EQ(nb::conv_output_length(8, 3, 3, 2, "valid"), 2);  // window 5: floor(3 / 3) + 1
  EXPECT_EQ(nb::conv_output_length(9, 4, 3, 1, "same"), 3);
  EXPECT_EQ(nb::conv_output_length(4, 4, 1, 1, "valid"), 1);
  EXPECT_THROW(nb::conv_output_length(3, 4, 1, 1, "valid"), nb::InvalidArgument);
  EXPECT_THROW(nb::conv_output_length(3, 3, 1, 1, "full"), nb::InvalidArgument);
}

TEST(ConvApi, ReferenceSwitch) {
  {
    ConvReferenceMode on(true);
    EXPECT_TRUE(nb::conv_reference());
    ConvReferenceMode off(false);
    EXPECT_FALSE(nb::conv_reference());
  }
  EXPECT_FALSE(nb::conv_reference());
}

// Explicit padding that makes a too-large window fit gives the expected value.
TEST(ConvApi, ExplicitPaddingMakesAWindowFit) {
  const nb::Tensor x = nb::ones(nb::Shape{1, 3, 3, 1});
  const nb::Tensor w = nb::ones(nb::Shape{4, 4, 1, 1});
  const nb::Tensor y = nb::conv2d(x, w, {.padding = "explicit", .explicit_paddings = {1, 0, 0, 1}});
  ASSERT_EQ(shape_str(y.shape().vec()), "[1,1,1,1]");
  EXPECT_EQ(y.to_vector<double>().at(0), 9.0);  // the window covers the whole input
}

// ----------------------------------------------------------------------------- errors

// f() must throw InvalidArgument whose message contains every needle.
void expect_invalid(const std::function<void()>& f, const std::vector<std::string>& needles, const std::string& what) {
  try {
    f();
    ADD_FAILURE() << what << ": no exception";
  } catch (const nb::InvalidArgument& e) {
    const std::string msg = e.what();
    for (const auto& n : needles)
      EXPECT_NE(msg.find(n), std::string::npos) << what << ": the message \"" << msg << "\" does not name " << n;
  } catch (const std::exception& e) {
    ADD_FAILURE() << what << ": expected InvalidArgument, got another exception: " << e.what();
  }
}

// A zero tensor (the error tests need shapes, not values).
nb::Tensor blank(std::vector<int64_t> s, nb::DType dt = nb::float32) { return nb::zeros(nb::Shape(s), dt); }

TEST(ConvErrors, WrongRanks) {
  expect_invalid([] { nb::conv2d(blank({2, 5, 5}), blank({3, 3, 5, 2})); }, {"[2,5,5]"}, "conv2d of a rank-3 input");
  expect_invalid([] { nb::conv1d(blank({2, 5, 5, 3}), blank({3, 3, 2})); }, {"[2,5,5,3]"},
                 "conv1d of a rank-4 input");
  expect_invalid([] { nb::conv(blank({5, 5}), blank({3, 3})); }, {"[5,5]"}, "conv of a rank-2 input");
  expect_invalid([] { nb::conv(blank({2, 3, 3, 3, 3, 3}), blank({1, 1, 1, 1, 3, 3})); }, {"[2,3,3,3,3,3]"},
                 "conv of a rank-6 input");
  expect_invalid([] { nb::conv(blank({2, 5, 5, 3}), blank({3, 3, 3})); }, {"[2,5,5,3]", "[3,3,3]"},
                 "filters of another rank");
  expect_invalid([] { nb::depthwise_conv2d(blank({2, 5, 3}), blank({3, 3, 3, 1})); }, {"[2,5,3]"},
                 "depthwise_conv2d of a rank-3 input");
  expect_invalid([] { nb::depthwise_conv2d(blank({2, 5, 5, 3}), blank({3, 3, 3})); }, {"[3,3,3]"},
                 "depthwise_conv2d with rank-3 filters");
  expect_invalid([] { nb::max_pool(blank({4, 4}), {2}); }, {"[4,4]"}, "max_pool of a rank-2 input");
  expect_invalid([] { nb::avg_pool(blank({1, 2, 2, 2, 2, 1}), {2}); }, {"[1,2,2,2,2,1]"},
                 "avg_pool of a rank-6 input");
  expect_invalid(
      [] { nb::fused_batch_norm(blank({5}), blank({5}), blank({5}), blank({5}), blank({5})); }, {"[5]"},
      "fused_batch_norm of a rank-1 input");
}

TEST(ConvErrors, ChannelMismatch) {
  expect_invalid([] { nb::conv2d(blank({2, 5, 5, 4}), blank({3, 3, 3, 2})); }, {"[2,5,5,4]", "[3,3,3,2]"},
                 "4 input channels, filters for 3");
  expect_invalid(
      [] { nb::conv2d(blank({2, 4, 5, 5}), blank({3, 3, 3, 2}), {.data_format = "channels_first"}); },
      {"[2,4,5,5]", "[3,3,3,2]"}, "channels_first: 4 input channels, filters for 3");
  expect_invalid([] { nb::conv2d(blank({2, 5, 5, 4}), blank({3, 3, 2, 3})); }, {"[2,5,5,4]", "[3,3,2,3]"},
                 "2 groups but 3 filters");
  expect_invalid([] { nb::depthwise_conv2d(blank({2, 5, 5, 3}), blank({3, 3, 4, 1})); }, {"[2,5,5,3]", "[3,3,4,1]"},
                 "depthwise filters for 4 channels, input with 3");
  expect_invalid(
      [] { nb::conv_transpose(blank({2, 4, 4, 5}), blank({3, 3, 2, 3}), nb::Shape{2, 4, 4, 2}, {.padding = "same"}); },
      {"[2,4,4,5]", "[3,3,2,3]"}, "conv_transpose input with 5 channels, filters for 3");
  expect_invalid(
      [] {
        nb::conv_transpose(blank({2, 4, 4, 3}), blank({3, 3, 2, 3}), nb::Shape{2, 9, 9, 2},
                           {.strides = {2}, .padding = "same"});
      },
      {"[2,4,4,3]", "[2,9,9,2]"}, "conv_transpose output_shape that does not give the input's size");
  expect_invalid(
      [] { nb::fused_batch_norm(blank({2, 3, 3, 3}), blank({4}), blank({3}), blank({3}), blank({3})); },
      {"[2,3,3,3]", "[4]"}, "fused_batch_norm scale for 4 channels, x with 3");
  expect_invalid(
      [] {
        nb::fused_batch_norm(blank({2, 4, 3, 3}), blank({3}), blank({3}), blank({3}), blank({3}),
                             {.data_format = "channels_first"});
      },
      {"[2,4,3,3]", "[3]"}, "fused_batch_norm channels_first with 4 channels, scale for 3");
  expect_invalid([] { nb::batch_normalization(blank({2, 3}), blank({4}), blank({4}), {}, {}, 1e-3); },
                 {"[2,3]", "[4]"}, "batch_normalization mean that does not broadcast");
}

TEST(ConvErrors, FilterLargerThanPaddedInput) {
  expect_invalid([] { nb::conv2d(blank({2, 3, 3, 1}), blank({4, 4, 1, 1})); }, {"[2,3,3,1]", "[4,4,1,1]"},
                 "4x4 filters on a 3x3 input, valid");
  expect_invalid([] { nb::conv2d(blank({2, 5, 5, 1}), blank({3, 3, 1, 1}), {.dilations = {3}}); },
                 {"[2,5,5,1]", "[3,3,1,1]"}, "3x3 filters dilated to 7x7 on a 5x5 input");
  expect_invalid(
      [] {
        nb::conv2d(blank({2, 3, 3, 1}), blank({4, 4, 1, 1}), {.padding = "explicit", .explicit_paddings = {0, 0, 1, 0}});
      },
      {"[2,3,3,1]", "[4,4,1,1]"}, "explicit padding too small in one dimension");
  expect_invalid([] { nb::conv1d(blank({1, 2, 1}), blank({3, 1, 1})); }, {"[1,2,1]", "[3,1,1]"},
                 "conv1d window 3 on 2 elements");
  expect_invalid([] { nb::max_pool(blank({1, 3, 3, 1}), {4}); }, {"[1,3,3,1]"}, "max_pool window 4 on 3x3, valid");
  expect_invalid([] { nb::avg_pool(blank({1, 3, 2}), {4}); }, {"[1,3,2]"}, "avg_pool1d window 4 on 3, valid");
}

TEST(ConvErrors, BadPaddingAndOptions) {
  expect_invalid([] { nb::conv2d(blank({2, 5, 5, 1}), blank({3, 3, 1, 1}), {.padding = "SAMEE"}); }, {"SAMEE"},
                 "padding SAMEE");
  expect_invalid([] { nb::max_pool(blank({2, 5, 5, 1}), {2}, {.padding = "full"}); }, {"full"}, "pool padding full");
  expect_invalid([] { nb::avg_pool(blank({2, 5, 5, 1}), {2}, {.padding = "explicit"}); }, {"explicit"},
                 "pooling has no explicit padding");
  expect_invalid(
      [] { nb::conv2d(blank({2, 5, 5, 1}), blank({3, 3, 1, 1}), {.padding = "explicit", .explicit_paddings = {1, 1}}); },
      {"explicit_paddings"}, "explicit_paddings with 2 values for 2 spatial dimensions");
  expect_invalid(
      [] { nb::conv2d(blank({2, 5, 5, 1}), blank({3, 3, 1, 1}), {.padding = "explicit", .explicit_paddings = {1, -1, 0, 0}}); },
      {"explicit_paddings"}, "negative explicit padding");
  expect_invalid([] { nb::conv2d(blank({2, 5, 5, 1}), blank({3, 3, 1, 1}), {.strides = {1, 2, 3}}); }, {"strides"},
                 "3 strides for 2 spatial dimensions");
  expect_invalid([] { nb::conv2d(blank({2, 5, 5, 1}), blank({3, 3, 1, 1}), {.strides = {0}}); }, {"strides"},
                 "stride 0");
  expect_invalid([] { nb::conv2d(blank({2, 5, 5, 1}), blank({3, 3, 1, 1}), {.dilations = {1, 0}}); }, {"dilations"},
                 "dilation 0");
  expect_invalid([] { nb::conv2d(blank({2, 5, 5, 1}), blank({3, 3, 1, 1}), {.data_format = "NHCW"}); }, {"NHCW"},
                 "data_format NHCW");
  expect_invalid([] { nb::max_pool(blank({2, 5, 5, 1}), {2, 2, 2}); }, {"[2,2,2]"}, "3 pool sizes for 2 dimensions");
  expect_invalid([] { nb::max_pool(blank({2, 5, 5, 1}), {2}, {.strides = {1, 1, 1}}); }, {"strides"},
                 "3 pool strides for 2 dimensions");
}

TEST(ConvErrors, MismatchedDtypes) {
  expect_invalid([] { nb::conv2d(blank({2, 5, 5, 1}), blank({3, 3, 1, 1}, nb::float64)); }, {"float32", "float64"},
                 "float32 input, float64 filters");
  expect_invalid(
      [] { nb::conv2d(blank({2, 5, 5, 1}, nb::int32), blank({3, 3, 1, 1}, nb::int32)); }, {"int32"},
      "int32 convolution");
  expect_invalid(
      [] { nb::conv_transpose(blank({2, 3, 3, 1}, nb::float64), blank({3, 3, 1, 1}), nb::Shape{2, 5, 5, 1}); },
      {"float32", "float64"}, "conv_transpose float64 input, float32 filters");
  expect_invalid([] { nb::max_pool(blank({2, 5, 5, 1}, nb::int32), {2}); }, {"int32"}, "int32 max_pool");
  expect_invalid(
      [] {
        nb::fused_batch_norm(blank({2, 3, 3, 3}), blank({3}, nb::float64), blank({3}), blank({3}), blank({3}));
      },
      {"float32", "float64"}, "fused_batch_norm float64 scale, float32 x");
  expect_invalid(
      [] { nb::batch_normalization(blank({2, 3}), blank({3}, nb::float64), blank({3}), {}, {}, 1e-3); },
      {"float32", "float64"}, "batch_normalization float64 mean, float32 x");
}

}  // namespace
