// Custom gradients (tf.custom_gradient): a forward computation whose gradient
// is written by the user instead of being derived from the ops it runs.
//
//   auto log1pexp = nb::custom_gradient([](const nb::Tensor& x) {
//     nb::Tensor e = nb::exp(x);
//     return nb::CustomGradientResult1{nb::log(1 + e),
//                                      [e](const nb::Tensor& dy) { return dy * (1 - 1 / (1 + e)); }};
//   });
//   nb::Tensor y = log1pexp(x);   // recorded as one node; gradient = the lambda
//
// The forward function runs with every tape paused; tapes then record one node
// from the inputs to the outputs. The backward function may use any ops; it
// runs under outer tapes, so it can be differentiated again where it is
// written in terms of the inputs/outputs.
#pragma once
#include <functional>

#include "nabla/ops/registry.h"

namespace nabla {

// General form: outputs and the backward (output grads -> one grad per input).
struct CustomGradientResult {
  TensorList outputs;
  CustomBackward backward;
};
// Runs `forward(inputs)` unrecorded and records its outputs with `backward`
// as their gradient. Returns the outputs. The backward must return exactly
// one tensor per input, shaped like it (undefined: no gradient).
TensorList call_with_custom_gradient(const TensorList& inputs,
                                     const std::function<CustomGradientResult(const TensorList&)>& forward);

// One input, one output: the common case.
struct CustomGradientResult1 {
  Tensor output;
  std::function<Tensor(const Tensor& dy)> backward;
};
// Wraps `f` (x -> {y, dy -> dx}) into a function x -> y with that gradient.
std::function<Tensor(const Tensor&)> custom_gradient(std::function<CustomGradientResult1(const Tensor&)> f);

}  // namespace nabla
