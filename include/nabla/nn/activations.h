// Activation functions (keras.activations), with Keras 3's formulas and the
// TensorFlow backend's gradients (including the value chosen at each kink).
//
// Every function takes a floating-point tensor (float16, bfloat16, float32,
// float64) and returns a tensor of the same shape and dtype; other dtypes raise
// InvalidArgument. They are built from registry ops, so GradientTape
// differentiates them to any order, and no NaN or infinity enters a gradient
// through a branch that where() does not select.
//
//   auto y = nb::activations::gelu(x);
//   auto f = nb::activations::get("swish");   // std::function, by Keras name
//
// Functions with parameters are overloads rather than default arguments, so
// that e.g. `nb::activations::relu` converts to Tensor (*)(const Tensor&).
// Call them qualified: an unqualified relu(x) also finds nabla::relu (and
// sigmoid, tanh, softmax, log_softmax) by argument-dependent lookup.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "nabla/core/tensor.h"

namespace nabla::activations {

// Parameters of relu (keras.activations.relu).
struct ReluOptions {
  // Slope for values below `threshold` (0: plain relu).
  double negative_slope = 0.0;
  // Saturation value: outputs are at most this (none: unbounded).
  std::optional<double> max_value = std::nullopt;
  // Values <= threshold are damped (times negative_slope) or set to zero.
  double threshold = 0.0;
};

// The identity: returns x itself.
Tensor linear(const Tensor& x);
// max(x, 0); the gradient at 0 is 0.
Tensor relu(const Tensor& x);
// Keras's generalised relu: x for x > threshold (then clipped to [0, max_value]),
// else negative_slope * (x - threshold); computed exactly as Keras 3 does.
Tensor relu(const Tensor& x, const ReluOptions& options);
// min(max(x, 0), 6); the gradient is 0 at 0 and at 6 (tf.nn.relu6).
Tensor relu6(const Tensor& x);
// x for x > 0, negative_slope * x otherwise (gradient negative_slope at 0).
Tensor leaky_relu(const Tensor& x);
Tensor leaky_relu(const Tensor& x, double negative_slope);
// x for x > 0, alpha * (exp(x) - 1) otherwise (gradient alpha at 0).
Tensor elu(const Tensor& x);
Tensor elu(const Tensor& x, double alpha);
// scale * elu(x, alpha) with alpha = 1.6732632423543772, scale = 1.0507009873554805
// (gradient scale at 0, as TensorFlow's SeluGrad).
Tensor selu(const Tensor& x);
// x * P(X <= x), X ~ N(0, 1): 0.5 x (1 + erf(x / sqrt(2))) (exact, the default),
// or the tanh approximation 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
Tensor gelu(const Tensor& x);
Tensor gelu(const Tensor& x, bool approximate);
// 1 / (1 + exp(-x)) (nabla::sigmoid).
Tensor sigmoid(const Tensor& x);
// relu6(x + 3) / 6 (Keras 3's definition).
Tensor hard_sigmoid(const Tensor& x);
// nabla::tanh.
Tensor tanh(const Tensor& x);
// exp(x) / sum(exp(x)) along `axis` (nabla::softmax; rank >= 1).
Tensor softmax(const Tensor& x);
Tensor softmax(const Tensor& x, int64_t axis);
// log(exp(x) + 1), stable for any |x| (TensorFlow's kernel: x above
// -(log(eps) + 2), exp(x) below log(eps) + 2); the gradient is sigmoid(x).
Tensor softplus(const Tensor& x);
// x / (|x| + 1).
Tensor softsign(const Tensor& x);
// x * sigmoid(x); swish and silu are the same function.
Tensor silu(const Tensor& x);
Tensor swish(const Tensor& x);
// x * hard_sigmoid(x); hard_swish and hard_silu are the same function.
Tensor hard_silu(const Tensor& x);
Tensor hard_swish(const Tensor& x);
// x * tanh(softplus(x)).
Tensor mish(const Tensor& x);
// x - log(sum(exp(x))) along `axis` (nabla::log_softmax).
Tensor log_softmax(const Tensor& x);
Tensor log_softmax(const Tensor& x, int64_t axis);
// exp(x).
Tensor exponential(const Tensor& x);

// An activation as a callable.
using ActivationFn = std::function<Tensor(const Tensor&)>;
// The activation with this Keras name (keras.activations.get): "linear" (also
// ""), "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "sigmoid",
// "hard_sigmoid", "tanh", "softmax", "log_softmax", "softplus", "softsign",
// "silu", "swish", "hard_silu", "hard_swish", "mish", "exponential"; the
// functions with parameters use Keras's defaults. Throws InvalidArgument
// listing the known names otherwise.
ActivationFn get(const std::string& name);
// Whether get(name) succeeds.
bool exists(const std::string& name);
// The names get() accepts, sorted ("" excluded).
std::vector<std::string> names();

}  // namespace nabla::activations
