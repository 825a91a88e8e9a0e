// A reusable finite-difference gradient checker for tests (DESIGN.md §4, §9).
//
// check_gradient(label, f, inputs, options) runs f(inputs) under a
// GradientTape that watches the differentiated inputs, seeds every target
// output k with a random upstream gradient g_k, takes the analytic gradients
// with one tape.gradient(outputs, sources, {.output_gradients = gs}) call and
// compares them with central finite differences of
//   L(x) = sum_k sum(out_k * g_k)
// evaluated without a tape. check_second_order does the same for the
// first-order gradient itself (nested tapes). Failures name the label, the
// input index, the element index and both values.
#pragma once
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nabla/nabla.h>

namespace nabla::gradcheck {

// The function under test: inputs -> outputs (usually one registry op).
using Fn = std::function<TensorList(const TensorList&)>;

struct CheckOptions {
  // Finite-difference step. Inputs are perturbed by +-eps in their own dtype;
  // the difference quotient divides by the perturbation actually stored.
  double eps = 1e-6;
  // Pass when |analytic - numeric| <= atol + rtol * |numeric|.
  double atol = 1e-6;
  double rtol = 1e-5;
  // Output indices used as targets (empty: every floating-point output).
  std::vector<int> targets;
  // Which inputs are sources (empty: every floating-point input).
  std::vector<bool> diff;
  // Seed of the random upstream gradients.
  uint64_t seed = 0x5eed;
  // Pass the upstream gradients as non-contiguous views (same values).
  bool noncontiguous_seeds = false;
};

// A callable running one registry op with fixed attributes.
Fn op_fn(const OpDef& op, Attrs attrs);

// Analytic (tape) gradients: one per input (undefined for non-sources), and
// the outputs of the taped run.
struct TapeResult {
  TensorList outputs;
  TensorList grads;
};
TapeResult tape_gradients(const Fn& f, const TensorList& inputs, const CheckOptions& options);

// First-order check against central finite differences. When `result` is
// given, it receives the taped run (for comparing other variants to it).
::testing::AssertionResult check_gradient(const std::string& label, const Fn& f,
                                          const TensorList& inputs, const CheckOptions& options = {},
                                          TapeResult* result = nullptr);

// Runs the taped computation with `inputs` (and non-contiguous upstream
// gradients) and requires outputs and
// gradients identical to `reference`: same shapes and dtypes, and values
// bit-identical when rtol == 0, else within rtol * max(1, |value|) (for
// kernels whose summation order follows the input's strides).
::testing::AssertionResult check_same_as(const std::string& label, const Fn& f, const TensorList& inputs,
                                         const CheckOptions& options, const TapeResult& reference,
                                         double rtol = 0);

// With several sources: takes the gradient of each source alone (the other
// inputs unwatched, so gradient functions see a partial ctx.needs mask) and
// requires it to equal its gradient in `reference` (within rtol as above).
::testing::AssertionResult check_each_source_alone(const std::string& label, const Fn& f,
                                                   const TensorList& inputs, const CheckOptions& options,
                                                   const TapeResult& reference, double rtol = 0);

// Second order: with nested tapes, d/dx sum_i(grad_i(x) * h_i) for random
// h_i, against central differences of the first-order tape gradient.
::testing::AssertionResult check_second_order(const std::string& label, const Fn& f,
                                              const TensorList& inputs, const CheckOptions& options = {});

// The same values as `t` in a non-contiguous view of a bigger buffer: for
// rank >= 2 a transposed view (last two axes) of a contiguous buffer, for
// rank 1 the slice buf[1::2] of a buffer whose other elements are NaN.
// Rank 0 tensors are returned unchanged.
Tensor noncontiguous_copy(const Tensor& t);
// Every floating-point input of rank >= 1 replaced by noncontiguous_copy.
TensorList with_noncontiguous_inputs(const TensorList& inputs);

}  // namespace nabla::gradcheck
