// nabla::activations against Keras 3 (tests/data/keras_nn.json, written by
// tests/tools/gen_keras_nn.py): values and tf.GradientTape gradients of every
// activation, with its options, on inputs covering negative, zero, positive and
// huge magnitudes and every kink, in float32 and float64. Also: finite-difference
// first and second derivatives in float64, finite gradients where where()
// discards an overflowing branch, get()/exists()/names(), half-precision dtypes
// and errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include <nabla/nabla.h>
#include <nabla/nn/activations.h>

#include "unit/gradient_check.h"
#include "unit/keras_nn_data.h"

namespace nb = nabla;
namespace act = nabla::activations;
using keras_nn::json;

namespace {

// The nabla call for a Keras activation name and its keyword arguments.
std::function<nb::Tensor(const nb::Tensor&)> nabla_fn(const std::string& fn, const json& args) {
  if (fn == "relu") {
    if (args.empty()) return [](const nb::Tensor& x) { return act::relu(x); };
    act::ReluOptions o;
    if (args.contains("negative_slope")) o.negative_slope = args["negative_slope"].get<double>();
    if (args.contains("max_value")) o.max_value = args["max_value"].get<double>();
    if (args.contains("threshold")) o.threshold = args["threshold"].get<double>();
    return [o](const nb::Tensor& x) { return act::relu(x, o); };
  }
  if (fn == "leaky_relu" && args.contains("negative_slope")) {
    const double s = args["negative_slope"].get<double>();
    return [s](const nb::Tensor& x) { return act::leaky_relu(x, s); };
  }
  if (fn == "elu" && args.contains("alpha")) {
    const double a = args["alpha"].get<double>();
    return [a](const nb::Tensor& x) { return act::elu(x, a); };
  }
  if (fn == "gelu" && args.contains("approximate")) {
    const bool a = args["approximate"].get<bool>();
    return [a](const nb::Tensor& x) { return act::gelu(x, a); };
  }
  if (fn == "softmax" || fn == "log_softmax") {
    const int64_t axis = args.value("axis", int64_t(-1));
    if (fn == "softmax") return [axis](const nb::Tensor& x) { return act::softmax(x, axis); };
    return [axis](const nb::Tensor& x) { return act::log_softmax(x, axis); };
  }
  EXPECT_TRUE(args.empty()) << "unexpected arguments for " << fn << ": " << args.dump();
  return act::get(fn);  // the remaining cases have no arguments
}

struct Tol {
  double rtol, atol;
};
// |got - want| <= atol + rtol |want|. Relative: a few dozen ulp of the dtype
// (equivalent formulas, other evaluation orders). Absolute: 8 eps times the
// largest upstream weight, because several results cancel against 1 in both
// libraries with differently rounded operands (tanh's gradient 1 - y^2,
// log_softmax near 0, exp(x) - 1 in elu/selu, log(exp(x) + 1) in softplus,
// 1 + erf in gelu where TensorFlow uses erfc). Exceptions, where TensorFlow is the
// less accurate side:
// - gelu(approximate=True): TensorFlow's tanh returns exactly -1 below about -7.9
//   (float32) / -17 (float64), and 0.5 x (1 + tanh(u)) cancels, so for x < -4 its
//   values and gradients are 0 where the true ones are ~1e-7 / ~1e-6 (float32).
// - float64 leaky_relu: TensorFlow's LeakyRelu takes alpha as a float32 attribute
//   (relative 1.5e-8 for 0.2).
// - float64 exact gelu: TensorFlow's float64 erfc loses relative accuracy in the
//   tail (6e-7 at x = -6); DocumentedValues checks nabla's against std::erfc.
//   (nabla's 1 + erf(x / sqrt 2) is accurate to 1.1e-16 absolute there.)
Tol tolerance(nb::DType dt, const std::string& fn, const json& args, double max_w) {
  const bool f32 = dt == nb::float32;
  const double eps = f32 ? 1.1920929e-7 : 2.220446049250313e-16;
  Tol t{f32 ? 4e-6 : 1e-12, 8 * eps * std::max(1.0, max_w)};
  if (fn == "gelu" && args.value("approximate", false)) t.atol = (f32 ? 2e-6 : 1e-13) * std::max(1.0, max_w);
  if (!f32 && fn == "leaky_relu") t.rtol = 1e-7;
  if (!f32 && fn == "gelu") t.rtol = 2e-6;
  return t;
}

double max_abs(const std::vector<double>& v) {
  double m = 0;
  for (double x : v) m = std::max(m, std::abs(x));
  return m;
}

struct Result {
  std::vector<double> y, grad;
};

// y = f(x) and d sum(w * y) / dx under a GradientTape.
Result run(const std::function<nb::Tensor(const nb::Tensor&)>& f, const nb::Tensor& x, const nb::Tensor& w) {
  nb::GradientTape tape;
  tape.watch(x);
  const nb::Tensor y = f(x);
  const nb::Tensor g = tape.gradient(y, x, {.output_gradients = {w}});
  Result r;
  r.y = y.to_vector<double>();
  r.grad = g.defined() ? g.to_vector<double>() : std::vector<double>(size_t(x.size()), 0.0);
  EXPECT_EQ(y.shape(), x.shape());
  EXPECT_EQ(y.dtype(), x.dtype());
  return r;
}

const json& cases() { return keras_nn::data().at("activations"); }

// ============================================================ Keras reference data

TEST(ActivationsKeras, DataFileIsComplete) {
  ASSERT_NO_THROW(keras_nn::data()) << keras_nn::data_path();
  std::set<std::string> fns;
  for (const auto& c : cases()) fns.insert(c["fn"].get<std::string>());
  // Every registered activation (swish/hard_swish are aliases of silu/hard_silu) has data.
  for (const std::string& n : act::names()) {
    const std::string fn = n == "swish" ? "silu" : n == "hard_swish" ? "hard_silu" : n;
    EXPECT_TRUE(fns.count(fn)) << "no Keras reference case for activation " << n;
  }
  EXPECT_GE(cases().size(), 60u);
}

TEST(ActivationsKeras, ValuesAndGradients) {
  for (const auto& c : cases()) {
    const std::string name = c["name"].get<std::string>();
    SCOPED_TRACE(name);
    const nb::DType dt = nb::dtype_from_name(c["dtype"].get<std::string>());
    const nb::Tensor x = keras_nn::tensor(c["x"], c["shape"], dt);
    const nb::Tensor w = keras_nn::tensor(c["w"], c["shape"], dt);
    const Result r = run(nabla_fn(c["fn"].get<std::string>(), c["args"]), x, w);
    const std::string fn = c["fn"].get<std::string>();
    const Tol tol = tolerance(dt, fn, c["args"], max_abs(keras_nn::nums(c["w"])));
    const std::vector<double> xs = keras_nn::nums(c["x"]);
    EXPECT_TRUE(keras_nn::all_close(r.y, keras_nn::nums(c["y"]), tol.rtol, tol.atol, name + " value", &xs));
    EXPECT_TRUE(keras_nn::all_close(r.grad, keras_nn::nums(c["grad"]), tol.rtol, tol.atol, name + " gradient", &xs));
  }
}

// get(name) with Keras's defaults gives the Keras values of the argument-free case.
TEST(ActivationsKeras, GetByNameMatchesKeras) {
  for (const std::string& n : act::names()) {
    const std::string fn = n == "swish" ? "silu" : n == "hard_swish" ? "hard_silu" : n;
    int checked = 0;
    for (const auto& c : cases()) {
      if (c["fn"] != fn) continue;
      if (!c["args"].empty() && !(fn == "softmax" || fn == "log_softmax")) continue;
      if ((fn == "softmax" || fn == "log_softmax") && c["args"].value("axis", -1) != -1) continue;
      const nb::DType dt = nb::dtype_from_name(c["dtype"].get<std::string>());
      const nb::Tensor x = keras_nn::tensor(c["x"], c["shape"], dt);
      const Tol tol = tolerance(dt, fn, c["args"], 1.0);
      EXPECT_TRUE(keras_nn::all_close(act::get(n)(x).to_vector<double>(), keras_nn::nums(c["y"]), tol.rtol,
                                      tol.atol, "get(\"" + n + "\") on " + c["name"].get<std::string>()));
      ++checked;
    }
    EXPECT_EQ(checked, 2) << n << ": expected one float32 and one float64 case";
  }
}

// ============================================================ independent checks

// Hand-computed values at simple points.
TEST(Activations, DocumentedValues) {
  const nb::Tensor x = nb::constant({-10.f, -5.f, 0.f, 5.f, 10.f});
  auto v = [](const nb::Tensor& t) { return t.to_vector<double>(); };
  // The examples in keras.activations.relu's docstring.
  EXPECT_EQ(v(act::relu(x)), (std::vector<double>{0, 0, 0, 5, 10}));
  EXPECT_EQ(v(act::relu(x, {.negative_slope = 0.5})), (std::vector<double>{-5, -2.5, 0, 5, 10}));
  EXPECT_EQ(v(act::relu(x, {.max_value = 5.0})), (std::vector<double>{0, 0, 0, 5, 5}));
  EXPECT_EQ(v(act::relu(x, {.threshold = 5.0})), (std::vector<double>{0, 0, 0, 0, 10}));
  EXPECT_EQ(v(act::relu6(x)), (std::vector<double>{0, 0, 0, 5, 6}));
  EXPECT_EQ(v(act::hard_sigmoid(nb::constant({-4.f, -3.f, 0.f, 1.5f, 3.f}))),
            (std::vector<double>{0, 0, 0.5, 0.75, 1}));
  EXPECT_EQ(v(act::leaky_relu(x)), (std::vector<double>{-2, -1, 0, 5, 10}));
  EXPECT_EQ(v(act::linear(x)), v(x));
  EXPECT_TRUE(act::linear(x).is_same(x));
  auto f64 = [](std::vector<double> xs) { return nb::constant(xs, {int64_t(xs.size())}); };
  const auto sp = v(act::softplus(f64({0.0, 1.0, -1e3, 1e3})));
  EXPECT_NEAR(sp[0], std::log(2.0), 1e-15);
  EXPECT_NEAR(sp[1], std::log1p(std::exp(1.0)), 1e-15);
  EXPECT_EQ(sp[2], 0.0);
  EXPECT_EQ(sp[3], 1e3);
  const auto ss = v(act::softsign(f64({-3.0, 0.0, 1.0})));
  EXPECT_EQ(ss, (std::vector<double>{-0.75, 0.0, 0.5}));
  // gelu(x) = x * Phi(x); Phi(1) = 0.8413447460685429, Phi(-6) = 9.865876450376946e-10
  // (1 + erf(-6 / sqrt 2) is exact to about eps = 2.2e-16 absolute: 1e-7 relative).
  const auto g = v(act::gelu(f64({1.0, -6.0, 0.0})));
  EXPECT_NEAR(g[0], 0.8413447460685429, 1e-15);
  EXPECT_NEAR(g[1], -6.0 * 9.865876450376946e-10, 6.0 * 0.5 * 4.5e-16);
  EXPECT_EQ(g[2], 0.0);
  const auto s = v(act::selu(f64({1.0, -1.0})));
  EXPECT_NEAR(s[0], 1.0507009873554805, 1e-15);
  EXPECT_NEAR(s[1], 1.0507009873554805 * 1.6732632423543772 * std::expm1(-1.0), 1e-15);
}

// First and second derivatives against central finite differences (float64),
// at points away from every kink.
TEST(Activations, FiniteDifferenceGradients) {
  const nb::Tensor x = nb::constant(std::vector<double>{-7.3, -3.6, -2.2, -0.7, -0.05, 0.3, 1.1, 2.6, 4.4, 5.7, 6.8, 9.1},
                                    {12});
  const nb::Tensor x2 = nb::reshape(x, {3, 4});
  struct Case {
    std::string name;
    std::function<nb::Tensor(const nb::Tensor&)> f;
    bool second_order;
  };
  std::vector<Case> fs;
  for (const std::string& n : act::names()) fs.push_back({n, act::get(n), true});
  fs.push_back({"relu_options", [](const nb::Tensor& t) {
                  return act::relu(t, {.negative_slope = 0.1, .max_value = 4.0, .threshold = 1.0});
                }, true});
  fs.push_back({"leaky_relu_1.5", [](const nb::Tensor& t) { return act::leaky_relu(t, 1.5); }, true});
  fs.push_back({"elu_0.5", [](const nb::Tensor& t) { return act::elu(t, 0.5); }, true});
  fs.push_back({"gelu_approximate", [](const nb::Tensor& t) { return act::gelu(t, true); }, true});
  fs.push_back({"softmax_axis0", [](const nb::Tensor& t) { return act::softmax(t, 0); }, true});
  for (const auto& c : fs) {
    const bool two_d = c.name.rfind("softmax", 0) == 0 || c.name.rfind("log_softmax", 0) == 0;
    const nb::Tensor in = two_d ? x2 : x;
    const nb::gradcheck::Fn f = [&c](const nb::TensorList& t) { return nb::TensorList{c.f(t[0])}; };
    nb::gradcheck::CheckOptions first;
    first.eps = 1e-6;
    first.atol = 1e-7;
    first.rtol = 1e-6;
    EXPECT_TRUE(nb::gradcheck::check_gradient(c.name, f, {in}, first));
    if (c.second_order) {
      nb::gradcheck::CheckOptions second;
      second.eps = 1e-5;
      second.atol = 1e-6;
      second.rtol = 1e-5;
      EXPECT_TRUE(nb::gradcheck::check_second_order(c.name, f, {in}, second));
    }
  }
}

// Branches that where() discards must not leak NaN/inf into gradients, even for
// inputs where exp overflows (elu/selu/softplus/gelu/silu/mish at +-1e3, +-1e30).
TEST(Activations, NoNaNGradientsAtExtremes) {
  for (nb::DType dt : {nb::float32, nb::float64}) {
    const nb::Tensor x = nb::detail::make_from_doubles({-1e30, -1e3, -90, 90, 1e3, 1e30}, {6}, dt);
    for (const std::string& n : act::names()) {
      if (n == "exponential") continue;  // exp(1e3) = inf is the right answer there
      SCOPED_TRACE(n + " " + std::string(nb::dtype_name(dt)));
      const bool two_d = n == "softmax" || n == "log_softmax";
      const nb::Tensor in = two_d ? nb::reshape(x, {2, 3}) : x;
      nb::GradientTape tape;
      tape.watch(in);
      const nb::Tensor y = act::get(n)(in);
      const nb::Tensor g = tape.gradient(y, in);
      ASSERT_TRUE(g.defined());
      for (double v : g.to_vector<double>()) EXPECT_TRUE(std::isfinite(v)) << "gradient " << v;
      if (n == "gelu" || n == "softplus" || n == "silu" || n == "mish" || n == "elu" || n == "selu") {
        for (double v : y.to_vector<double>()) EXPECT_TRUE(std::isfinite(v)) << "value " << v;
      }
    }
  }
}

// Gradients at the kinks, as TensorFlow's kernels define them.
TEST(Activations, GradientsAtKinks) {
  auto grad = [](const std::function<nb::Tensor(const nb::Tensor&)>& f, std::vector<double> xs) {
    const nb::Tensor x = nb::constant(xs, {int64_t(xs.size())});
    nb::GradientTape tape;
    tape.watch(x);
    return tape.gradient(f(x), x).to_vector<double>();
  };
  EXPECT_EQ(grad([](const nb::Tensor& x) { return act::relu(x); }, {0.0}), (std::vector<double>{0}));
  EXPECT_EQ(grad(act::relu6, {0.0, 6.0, 3.0}), (std::vector<double>{0, 0, 1}));
  EXPECT_EQ(grad(act::hard_sigmoid, {-3.0, 3.0, 0.0}), (std::vector<double>{0, 0, 1.0 / 6.0}));
  EXPECT_EQ(grad([](const nb::Tensor& x) { return act::leaky_relu(x); }, {0.0}), (std::vector<double>{0.2}));
  EXPECT_EQ(grad([](const nb::Tensor& x) { return act::leaky_relu(x, 1.5); }, {0.0}), (std::vector<double>{1.5}));
  EXPECT_EQ(grad([](const nb::Tensor& x) { return act::elu(x); }, {0.0}), (std::vector<double>{1}));
  EXPECT_EQ(grad([](const nb::Tensor& x) { return act::elu(x, 0.5); }, {0.0}), (std::vector<double>{0.5}));
  EXPECT_EQ(grad(act::selu, {0.0}), (std::vector<double>{1.0507009873554805}));
  EXPECT_EQ(grad(act::softplus, {0.0}), (std::vector<double>{0.5}));
  EXPECT_EQ(grad(act::softsign, {0.0}), (std::vector<double>{1}));
  EXPECT_EQ(grad([](const nb::Tensor& x) { return act::gelu(x); }, {0.0}), (std::vector<double>{0.5}));
}

TEST(Activations, AliasesAreTheSameFunction) {
  const nb::Tensor x = nb::linspace(-8, 8, 33);
  EXPECT_EQ(act::swish(x).to_vector<float>(), act::silu(x).to_vector<float>());
  EXPECT_EQ(act::hard_swish(x).to_vector<float>(), act::hard_silu(x).to_vector<float>());
  EXPECT_EQ(act::get("swish")(x).to_vector<float>(), act::silu(x).to_vector<float>());
  EXPECT_EQ(act::softmax(nb::reshape(x, {3, 11})).to_vector<float>(),
            nb::softmax(nb::reshape(x, {3, 11})).to_vector<float>());
}

// float16 / bfloat16 follow the float32 result to the precision of the dtype.
TEST(Activations, HalfPrecision) {
  const nb::Tensor x32 = nb::linspace(-6, 6, 49);
  for (nb::DType dt : {nb::float16, nb::bfloat16}) {
    const double rel = dt == nb::float16 ? 2e-3 : 1.6e-2;
    const nb::Tensor x = nb::cast(x32, dt);
    const nb::Tensor xr = nb::cast(x, nb::float32);  // the rounded inputs
    for (const std::string& n : act::names()) {
      if (n == "softmax" || n == "log_softmax") continue;
      SCOPED_TRACE(n + " " + std::string(nb::dtype_name(dt)));
      const nb::Tensor y = act::get(n)(x);
      ASSERT_EQ(y.dtype(), dt);
      const auto got = y.to_vector<double>();
      const auto want = act::get(n)(xr).to_vector<double>();
      // A few roundings in the dtype: relative error times the largest |value| scale.
      EXPECT_TRUE(keras_nn::all_close(got, want, 4 * rel, 4 * rel, n));
    }
  }
}

TEST(Activations, GetExistsNames) {
  const auto ns = act::names();
  EXPECT_TRUE(std::is_sorted(ns.begin(), ns.end()));
  for (const char* n : {"linear", "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "sigmoid", "hard_sigmoid",
                        "tanh", "softmax", "softplus", "softsign", "swish", "silu", "exponential"}) {
    EXPECT_TRUE(std::find(ns.begin(), ns.end(), n) != ns.end()) << n;
    EXPECT_TRUE(act::exists(n)) << n;
  }
  EXPECT_TRUE(act::exists(""));
  const nb::Tensor x = nb::constant({-1.f, 2.f});
  EXPECT_TRUE(act::get("")(x).is_same(x));
  EXPECT_FALSE(act::exists("Relu"));
  EXPECT_FALSE(act::exists("nope"));
  try {
    act::get("rellu");
    FAIL() << "expected InvalidArgument";
  } catch (const nb::InvalidArgument& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("'rellu'"), std::string::npos) << m;
    for (const auto& n : ns) EXPECT_NE(m.find(n), std::string::npos) << "message does not list " << n << ": " << m;
  }
}

TEST(Activations, Errors) {
  const nb::Tensor i = nb::constant({1, -2});
  EXPECT_THROW(act::relu(i), nb::InvalidArgument);
  EXPECT_THROW(act::gelu(i), nb::InvalidArgument);
  EXPECT_THROW(act::softplus(i), nb::InvalidArgument);
  EXPECT_THROW(act::get("elu")(i), nb::InvalidArgument);
  try {
    act::selu(i);
    FAIL();
  } catch (const nb::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("int32"), std::string::npos) << e.what();
  }
  EXPECT_THROW(act::softmax(nb::constant(1.f)), nb::InvalidArgument);  // rank 0
  EXPECT_THROW(act::softmax(nb::constant({1.f, 2.f}), 3), nb::InvalidArgument);
}

// Strided (non-contiguous) inputs give the same values as contiguous ones.
TEST(Activations, NonContiguousInput) {
  const nb::Tensor x = nb::reshape(nb::linspace(-5, 5, 24), {4, 6});
  const nb::Tensor xt = nb::transpose(x);
  const nb::Tensor xc = xt.contiguous();
  for (const std::string& n : act::names())
    EXPECT_EQ(act::get(n)(xt).to_vector<float>(), act::get(n)(xc).to_vector<float>()) << n;
}

}  // namespace
