// Activation functions: Keras 3.15's formulas (keras/src/activations/activations.py)
// with the TensorFlow backend's math (keras/src/backend/tensorflow/nn.py and the TF
// kernels it calls), composed of registry ops. Like TensorFlow's kernels they use
// exp and log rather than expm1 / log1p (elu is exp(x) - 1, softplus
// log(exp(x) + 1)), which also keeps them on nabla's vectorised exp/log kernels.
// Where TF's kernels pick a gradient at a kink (relu6 at 0 and 6, leaky_relu and selu
// at 0) the composition is arranged so that the ops' own gradients give the same
// value; branches not selected by where() only ever see finite values.
#include "nabla/nn/activations.h"

#include <cfloat>
#include <cmath>
#include <map>

#include "nabla/ops/elementwise.h"
#include "nabla/ops/nn.h"

namespace nabla::activations {
namespace {

void check_floating(const char* name, const Tensor& x) {
  NB_CHECK(is_floating(x.dtype()), InvalidArgument, "activations::", name,
           ": expects a floating-point tensor (float16, bfloat16, float32, float64), got ",
           dtype_name(x.dtype()));
}

Tensor zero_like(const Tensor& x) { return scalar_like(0, x); }

// TensorFlow's softplus kernel uses x above -(log(eps) + 2), where log(exp(x) + 1)
// and x agree to within the dtype's epsilon, and exp(x) below log(eps) + 2.
double softplus_cut(DType t) {
  double eps = DBL_EPSILON;
  if (t == DType::float32) eps = FLT_EPSILON;
  else if (t == DType::float16) eps = 0x1p-10;
  else if (t == DType::bfloat16) eps = 0x1p-7;
  return -(std::log(eps) + 2.0);
}

constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluScale = 1.0507009873554804934193349852946;

}  // namespace

Tensor linear(const Tensor& x) { return x; }

Tensor relu(const Tensor& x) {
  check_floating("relu", x);
  return nabla::relu(x);
}

// keras.src.activations.activations.ReLU.static_call, step by step.
Tensor relu(const Tensor& x, const ReluOptions& o) {
  check_floating("relu", x);
  const double slope = o.negative_slope, threshold = o.threshold;
  if (slope == 0.0 && !o.max_value && threshold == 0.0) return nabla::relu(x);
  if (slope != 0.0 && !o.max_value && threshold == 0.0) return activations::leaky_relu(x, slope);
  Tensor negative_part;
  if (slope != 0.0) negative_part = nabla::relu(threshold != 0.0 ? negative(x) + threshold : negative(x));
  bool clip_max = o.max_value.has_value();
  Tensor y;
  if (threshold != 0.0) {
    y = where(greater(x, scalar_like(threshold, x)), x, zero_like(x));
  } else if (o.max_value && *o.max_value == 6.0) {
    y = activations::relu6(x);
    clip_max = false;
  } else {
    y = nabla::relu(x);
  }
  if (clip_max) y = clip_by_value(y, 0.0, *o.max_value);
  if (slope != 0.0) y = y - slope * negative_part;
  return y;
}

// min(6, relu(x)): Minimum's gradient goes to its first operand on ties, so the
// gradient is 0 at x = 6 (and Relu's is 0 at x = 0), as tf.nn.relu6.
Tensor relu6(const Tensor& x) {
  check_floating("relu6", x);
  return minimum(scalar_like(6, x), nabla::relu(x));
}

Tensor leaky_relu(const Tensor& x) { return activations::leaky_relu(x, 0.2); }

// max(a x, x) for a <= 1, min(a x, x) for a > 1: both pick x for x > 0 and a x
// otherwise, and give the gradient a at 0 (ties go to the first operand), as TF.
Tensor leaky_relu(const Tensor& x, double negative_slope) {
  check_floating("leaky_relu", x);
  const Tensor ax = x * negative_slope;
  return negative_slope <= 1.0 ? maximum(ax, x) : minimum(ax, x);
}

Tensor elu(const Tensor& x) { return activations::elu(x, 1.0); }

// exp(x) - 1 as tf.nn.elu; exp sees min(x, 0) only, so the unselected branch never
// overflows.
Tensor elu(const Tensor& x, double alpha) {
  check_floating("elu", x);
  const Tensor zero = zero_like(x);
  Tensor neg = exp(minimum(x, zero)) - 1.0;
  if (alpha != 1.0) neg = alpha * neg;
  return where(greater(x, zero), x, neg);
}

// x >= 0 selects the linear branch so the gradient at 0 is `scale` (TF's SeluGrad).
Tensor selu(const Tensor& x) {
  check_floating("selu", x);
  const Tensor zero = zero_like(x);
  return where(greater_equal(x, zero), x * kSeluScale,
               (exp(minimum(x, zero)) - 1.0) * (kSeluScale * kSeluAlpha));
}

Tensor gelu(const Tensor& x) { return activations::gelu(x, false); }

Tensor gelu(const Tensor& x, bool approximate) {
  check_floating("gelu", x);
  // tf.nn.gelu computes 0.5 x erfc(-x / sqrt 2); with no erfc op, 1 + erf(x / sqrt 2)
  // is the same function (absolute difference ~eps where the result is ~0, x < -3).
  if (!approximate) return (0.5 * x) * (1.0 + erf(x * 0.7071067811865476));
  // tf.nn.gelu(approximate=True), in the same order of operations.
  const Tensor inner = 0.7978845608028654 * (x + 0.044715 * (x * x * x));
  return (0.5 * x) * (1.0 + nabla::tanh(inner));
}

Tensor sigmoid(const Tensor& x) {
  check_floating("sigmoid", x);
  return nabla::sigmoid(x);
}

Tensor hard_sigmoid(const Tensor& x) {
  check_floating("hard_sigmoid", x);
  return activations::relu6(x + 3.0) / 6.0;
}

Tensor tanh(const Tensor& x) {
  check_floating("tanh", x);
  return nabla::tanh(x);
}

Tensor softmax(const Tensor& x) { return activations::softmax(x, -1); }
Tensor softmax(const Tensor& x, int64_t axis) {
  check_floating("softmax", x);
  return nabla::softmax(x, axis);
}

Tensor log_softmax(const Tensor& x) { return activations::log_softmax(x, -1); }
Tensor log_softmax(const Tensor& x, int64_t axis) {
  check_floating("log_softmax", x);
  return nabla::log_softmax(x, axis);
}

// TensorFlow's three branches: x above the cut, exp(x) below -cut, log(exp(x) + 1)
// between. Each branch's gradient is (close to) sigmoid(x): 1, exp(x), and
// exp(x) / (exp(x) + 1) (0.5 at 0). exp only sees min(x, cut): no overflow.
Tensor softplus(const Tensor& x) {
  check_floating("softplus", x);
  const double c = softplus_cut(x.dtype());
  const Tensor cut = scalar_like(c, x);
  const Tensor e = exp(minimum(x, cut));
  return where(greater(x, cut), x, where(less(x, scalar_like(-c, x)), e, log(e + 1.0)));
}

Tensor softsign(const Tensor& x) {
  check_floating("softsign", x);
  return x / (abs(x) + 1.0);
}

Tensor silu(const Tensor& x) {
  check_floating("silu", x);
  return x * nabla::sigmoid(x);
}
Tensor swish(const Tensor& x) { return activations::silu(x); }

Tensor hard_silu(const Tensor& x) { return x * activations::hard_sigmoid(x); }
Tensor hard_swish(const Tensor& x) { return activations::hard_silu(x); }

Tensor mish(const Tensor& x) { return x * nabla::tanh(activations::softplus(x)); }

Tensor exponential(const Tensor& x) {
  check_floating("exponential", x);
  return exp(x);
}

namespace {

const std::map<std::string, ActivationFn>& registry() {
  static const std::map<std::string, ActivationFn> r = {
      {"linear", [](const Tensor& x) { return activations::linear(x); }},
      {"relu", [](const Tensor& x) { return activations::relu(x); }},
      {"relu6", [](const Tensor& x) { return activations::relu6(x); }},
      {"leaky_relu", [](const Tensor& x) { return activations::leaky_relu(x); }},
      {"elu", [](const Tensor& x) { return activations::elu(x); }},
      {"selu", [](const Tensor& x) { return activations::selu(x); }},
      {"gelu", [](const Tensor& x) { return activations::gelu(x); }},
      {"sigmoid", [](const Tensor& x) { return activations::sigmoid(x); }},
      {"hard_sigmoid", [](const Tensor& x) { return activations::hard_sigmoid(x); }},
      {"tanh", [](const Tensor& x) { return activations::tanh(x); }},
      {"softmax", [](const Tensor& x) { return activations::softmax(x); }},
      {"log_softmax", [](const Tensor& x) { return activations::log_softmax(x); }},
      {"softplus", [](const Tensor& x) { return activations::softplus(x); }},
      {"softsign", [](const Tensor& x) { return activations::softsign(x); }},
      {"silu", [](const Tensor& x) { return activations::silu(x); }},
      {"swish", [](const Tensor& x) { return activations::swish(x); }},
      {"hard_silu", [](const Tensor& x) { return activations::hard_silu(x); }},
      {"hard_swish", [](const Tensor& x) { return activations::hard_swish(x); }},
      {"mish", [](const Tensor& x) { return activations::mish(x); }},
      {"exponential", [](const Tensor& x) { return activations::exponential(x); }},
  };
  return r;
}

}  // namespace

ActivationFn get(const std::string& name) {
  if (name.empty()) return registry().at("linear");
  const auto& r = registry();
  const auto it = r.find(name);
  if (it != r.end()) return it->second;
  std::string known;
  for (const auto& [k, v] : r) known += (known.empty() ? "" : ", ") + k;
  throw InvalidArgument(detail::str_cat("Could not interpret activation function identifier: '", name,
                                        "'; expected one of: ", known));
}

bool exists(const std::string& name) { return name.empty() || registry().count(name) > 0; }

std::vector<std::string> names() {
  std::vector<std::string> out;
  for (const auto& [k, v] : registry()) out.push_back(k);
  return out;
}

}  // namespace nabla::activations
