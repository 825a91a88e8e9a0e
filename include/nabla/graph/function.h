// nb::function: compiled graphs (TensorFlow's tf.function, for C++).
//
//   nb::Variable w(nb::random::normal({784, 10}));
//   auto f = nb::function([&](const nb::Tensor& x) { return nb::relu(nb::matmul(x, w)); });
//   nb::Tensor y = f(x);   // first call with this signature: traces (and runs) the body
//   y = f(x2);             // same signature: runs the optimised graph
//
// Tracing. The first call for an input signature (the dtype, shape and device of
// every argument, and which arguments are the same tensor) runs the callable
// eagerly while recording every op it executes; the recording becomes a graph,
// which is optimised (constant folding, algebraic simplification, common-
// subexpression and dead-code elimination, fusion of element-wise chains and of
// bias-add/ReLU into the producing matmul) and given a static memory plan (one
// arena per graph; dead buffers are reused). Later calls with that signature run
// the graph; a new signature traces again (num_traces() counts them).
//
// What is captured, and how:
//  - Tensor arguments become graph inputs.
//  - Variables are captured by reference: the graph reads their current value on
//    every call, and assign/assign_add/assign_sub/scatter_nd_update/slice
//    assignment inside the body are part of the graph (redone, in order).
//  - Random draws (nb::random::*, Dropout, the random image layers) are redone on
//    every call from the same generator, so calls give fresh numbers.
//  - An optimizer's apply_gradients inside the body becomes one node that updates
//    every variable on every call (learning-rate schedules and iterations() advance).
//  - A GradientTape inside the body works: the backward pass is recorded as ops
//    of the same graph, so a whole train step is one graph.
//  - Every other tensor the body uses (made outside the body, or from C++ values)
//    is a constant of the graph, fixed at trace time.
//
// C++ control flow is resolved at trace time, as Python control flow is in
// tf.function: an `if` on a C++ value, a loop count, or a value read from a tensor
// with item()/to_vector() is fixed in the graph by what happened while tracing.
// Code that must branch on tensor values per call should stay outside the function
// (or use where/select ops). Side effects that are not ops (printing, writing C++
// variables) happen once, at trace time.
//
// The callable and everything it captures by reference (variables, layers,
// optimizers, generators) must outlive the function.
//
// Calls made while a GradientTape outside the function is recording run the body
// eagerly (so the tape sees its ops) instead of the graph.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "nabla/core/tensor.h"

namespace nabla {

// Options of nb::function.
struct FunctionOptions {
  // Run the graph passes (off: the graph runs as traced, op by op; for debugging
  // and for comparing against the optimised graph).
  bool optimize = true;
  // Run every call eagerly, never tracing (tf.config.run_functions_eagerly).
  bool run_eagerly = false;
  // Name used in messages and saved files.
  std::string name = "function";
  // Dimension 0 of every argument of rank >= 1 is a batch dimension whose size
  // may change from call to call (TensorFlow's TensorSpec([None, ...])). The
  // function is traced at two batch sizes; the two graphs are then generalised
  // over the batch size, and calls with any other batch size run a graph made
  // from them without tracing again (num_traces() stays at 2).
  //
  // The contract, as for TensorFlow's None dimension: the body must not compute
  // with the batch size on the host. x.shape(0) may flow into ops (reshape to
  // {x.shape(0), -1}, a mean over the batch) but must not steer C++ control flow
  // or be combined with other numbers other than by multiplication (min(B, 32),
  // B + 1, B / 2): the graphs of two traces cannot tell such code from code
  // proportional to B. Numbers that differ between the two traces in ways other
  // than x = a*B (integers), c/B or c*B (floats) keep the function tracing once
  // per batch size; dynamic_batch_report() says why.
  bool dynamic_batch = false;
};

// Statistics of one traced signature, for tests and tuning.
struct ConcreteFunctionInfo {
  std::string signature;      // "(float32[32,784], int32[32])"
  int64_t traced_nodes = 0;   // nodes recorded by the trace
  int64_t nodes = 0;          // nodes after the passes
  std::string node_summary;   // per kind and op: "Op:MatMul=3 ..." after the passes
  int64_t arena_bytes = 0;    // the static memory plan's arena
  int64_t planned_bytes = 0;  // bytes of all planned buffers before reuse
  bool generalized = false;   // made from the batch template (dynamic_batch), not traced
};

// The type-erased core of nb::function (use nb::function() to make one).
class Function {
 public:
  using Body = std::function<std::vector<Tensor>(const std::vector<Tensor>& args)>;
  Function(Body body, FunctionOptions options = {});
  ~Function();
  Function(Function&&) noexcept;
  Function& operator=(Function&&) noexcept;

  // Runs the function on `args` (traces first for a new signature). The results
  // are fresh tensors owned by the caller.
  std::vector<Tensor> call(const std::vector<Tensor>& args);
  // Number of traces so far (one per distinct signature, less the signatures
  // served by a dynamic_batch generalisation).
  int64_t num_traces() const;
  // One entry per signature seen (traced or generalised), in order.
  std::vector<ConcreteFunctionInfo> concrete_functions() const;
  // With dynamic_batch: one line per family of signatures that differ only in
  // the batch size, saying whether it is generalised, from which two batch
  // sizes, or why not ("... node #12 (Reshape): attribute 'shape' does not
  // follow the batch size"). Empty without dynamic_batch.
  std::string dynamic_batch_report() const;
  // Writes every traced signature's graph (as traced, before the passes) and the
  // variables it uses to `path`, atomically, so that nb::load_function(path) runs
  // it in another program without this one's source. FailedPrecondition before
  // the first call; Unimplemented when the graph holds a C++ object that cannot
  // be saved (an optimizer update, a slice assignment). With dynamic_batch the
  // file says so, and the loaded function makes graphs for new batch sizes from
  // two saved ones (call the function at two batch sizes before saving).
  void save(const std::string& path) const;
  const FunctionOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

namespace detail {
// Calls f with args[0..N-1] and turns the result into a list of tensors.
template <typename F, size_t... I>
std::vector<Tensor> invoke_with(F& f, const std::vector<Tensor>& args, std::index_sequence<I...>) {
  using R = std::invoke_result_t<F&, decltype((void)I, std::declval<const Tensor&>())...>;
  if constexpr (std::is_void_v<R>) {
    f(args[I]...);
    return {};
  } else if constexpr (std::is_convertible_v<R, Tensor>) {
    return {Tensor(f(args[I]...))};
  } else {
    static_assert(std::is_convertible_v<R, std::vector<Tensor>>,
                  "nb::function: the callable must return void, a Tensor or a std::vector<Tensor>");
    return std::vector<Tensor>(f(args[I]...));
  }
}
}  // namespace detail

// A compiled callable: calls it with tensors, returns what F returns.
template <typename F> class TracedFunction {
 public:
  TracedFunction(F f, FunctionOptions options)
      : f_(std::make_shared<F>(std::move(f))), options_(std::move(options)) {}

  template <typename... A>
    requires(std::is_convertible_v<const A&, const Tensor&> && ...)
  auto operator()(const A&... args) {
    using R = std::invoke_result_t<F&, decltype((void)sizeof(A), std::declval<const Tensor&>())...>;
    Function& core = this->core<sizeof...(A)>();
    std::vector<Tensor> outs = core.call(std::vector<Tensor>{Tensor(static_cast<const Tensor&>(args))...});
    if constexpr (std::is_void_v<R>) return;
    else if constexpr (std::is_convertible_v<R, Tensor>) return outs.at(0);
    else return outs;
  }
  // The type-erased function (traces, save, statistics). Valid after the first call.
  Function& function() {
    NB_CHECK(core_ != nullptr, FailedPrecondition, "nb::function: call it once before asking for its graph");
    return *core_;
  }
  int64_t num_traces() const { return core_ ? core_->num_traces() : 0; }
  void save(const std::string& path) const {
    NB_CHECK(core_ != nullptr, FailedPrecondition, "nb::function: call it once before saving it");
    core_->save(path);
  }

 private:
  template <size_t N> Function& core() {
    std::call_once(*once_, [&] {
      std::shared_ptr<F> f = f_;
      core_ = std::make_shared<Function>(
          [f](const std::vector<Tensor>& args) {
            NB_CHECK(args.size() == N, InvalidArgument, "nb::function: traced with ", N,
                     " arguments, called with ", args.size());
            return detail::invoke_with(*f, args, std::make_index_sequence<N>{});
          },
          options_);
    });
    return *core_;
  }
  std::shared_ptr<F> f_;
  FunctionOptions options_;
  std::shared_ptr<std::once_flag> once_ = std::make_shared<std::once_flag>();
  std::shared_ptr<Function> core_;
};

// Compiles `f`, a callable taking Tensors and returning void, a Tensor or a
// std::vector<Tensor> (see the top of this file for the semantics).
template <typename F> TracedFunction<std::decay_t<F>> function(F&& f, FunctionOptions options = {}) {
  return TracedFunction<std::decay_t<F>>(std::forward<F>(f), std::move(options));
}

// A function loaded from a file written by Function::save: runs the saved graphs
// with variables restored from the file (owned by this object).
class LoadedFunction {
 public:
  ~LoadedFunction();
  LoadedFunction(LoadedFunction&&) noexcept;
  LoadedFunction& operator=(LoadedFunction&&) noexcept;
  // Runs the saved graph whose signature matches `args`. A function saved with
  // dynamic_batch also runs any other batch size: its graph is made, once, from
  // two saved graphs of the same signature at different batch sizes, as the traced
  // function would (FunctionOptions::dynamic_batch). Otherwise InvalidArgument,
  // listing the saved signatures and saying why no graph could be made.
  std::vector<Tensor> call(const std::vector<Tensor>& args);
  template <typename... A>
    requires(std::is_convertible_v<const A&, const Tensor&> && ...)
  std::vector<Tensor> operator()(const A&... args) {
    return call(std::vector<Tensor>{Tensor(static_cast<const Tensor&>(args))...});
  }
  // The saved signatures, e.g. "(float32[60,28,28])".
  std::vector<std::string> signatures() const;
  const std::string& name() const;

 private:
  friend LoadedFunction load_function(const std::string& path);
  struct Impl;
  explicit LoadedFunction(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Reads a file written by Function::save. NotFound if missing; DataLoss naming
// the problem for a truncated or corrupted file; InvalidArgument for an op this
// build does not know.
LoadedFunction load_function(const std::string& path);

}  // namespace nabla
