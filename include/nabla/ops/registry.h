// The op registry (DESIGN.md §4). Every op is declared once, as an OpDef:
// name, arity, attributes, shape/dtype inference, kernels per (device, dtype),
// gradient slot and ONNX name. Eager execution, the tape, graph tracing, ONNX
// and the test harnesses all read this one table.
//
// An op file registers its definition with NB_REGISTER_OP; kernel files attach
// kernels with register_kernel. Both may run in any static-initialisation
// order: entries are created on first mention by name.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "nabla/core/tensor.h"

namespace nabla {

class Variable;

// An attribute value: bool, integer, float, string, integer list or dtype.
using AttrValue = std::variant<bool, int64_t, double, std::string, std::vector<int64_t>, DType>;

// Named attributes of one op call (small: linear lookup).
class Attrs {
 public:
  Attrs() = default;
  Attrs(std::initializer_list<std::pair<std::string, AttrValue>> il) : items_(il) {}
  Attrs& set(std::string name, AttrValue v);
  bool has(std::string_view name) const { return find(name) != nullptr; }
  // Value of a required attribute; throws Internal when absent or of another type.
  template <typename T> const T& get(std::string_view name) const {
    const AttrValue* v = find(name);
    if (!v) missing(name);
    const T* p = std::get_if<T>(v);
    if (!p) wrong_type(name);
    return *p;
  }
  template <typename T> T get_or(std::string_view name, T fallback) const {
    const AttrValue* v = find(name);
    if (!v) return fallback;
    const T* p = std::get_if<T>(v);
    if (!p) wrong_type(name);
    return *p;
  }
  const std::vector<std::pair<std::string, AttrValue>>& items() const { return items_; }
  const AttrValue* find(std::string_view name) const {
    for (const auto& [k, v] : items_)
      if (k == name) return &v;
    return nullptr;
  }

 private:
  [[noreturn]] static void missing(std::string_view name);
  [[noreturn]] static void wrong_type(std::string_view name);
  std::vector<std::pair<std::string, AttrValue>> items_;
};

// Shape and dtype of one output, as inferred before allocation.
struct TensorSpec {
  Shape shape;
  DType dtype;
};

using TensorList = std::vector<Tensor>;
using Inputs = std::span<const Tensor>;

// The user-written backward of a custom-gradient call: output gradients
// (undefined ones replaced by zeros) -> one gradient per input.
using CustomBackward = std::function<TensorList(const TensorList& output_grads)>;

// Shape/dtype inference. Throws InvalidArgument on bad inputs/attributes.
using InferFn = std::vector<TensorSpec> (*)(Inputs inputs, const Attrs& attrs);
// A kernel writes the pre-allocated (contiguous) outputs.
using KernelFn = void (*)(Inputs inputs, std::span<Tensor> outputs, const Attrs& attrs);
// Whole-op implementation for view ops and ops composed of other ops; used
// instead of infer + kernel when set.
using ComputeFn = TensorList (*)(Inputs inputs, const Attrs& attrs);
// What a gradient function sees: the forward inputs, outputs and attributes,
// the gradients of the outputs (undefined where an output got none; never all
// undefined), and which input gradients are wanted.
struct GradContext {
  Inputs inputs;
  Inputs outputs;
  Inputs output_grads;
  const Attrs& attrs;
  uint64_t needed = ~uint64_t(0);  // bit i: the gradient of input i is wanted
  bool needs(size_t i) const { return i >= 64 || ((needed >> i) & 1) != 0; }
};
// Gradient: returns one tensor per input, shaped and typed like that input
// (undefined for inputs that get none or are not needed). Written with
// registry ops only, so it runs on every device and can be differentiated again.
using GradFn = TensorList (*)(const GradContext& ctx);
// Picks the dtype whose kernel runs (default: dtype of input 0, else output 0).
using KernelDTypeFn = DType (*)(Inputs inputs, const Attrs& attrs);

struct OpDef {
  std::string name;         // TensorFlow-style op type used in messages: "Add"
  std::string onnx_name;    // ONNX op type, empty when there is none
  int min_inputs = 0;
  int max_inputs = 0;       // -1: variadic
  int num_outputs = 1;
  std::vector<std::string> attr_names;  // documented attributes
  bool differentiable = true;  // false: integer/bool results or piecewise constant
  bool is_view = false;        // outputs may alias input storage
  bool half_via_float = true;  // float16/bfloat16 run the float32 kernel
  InferFn infer = nullptr;
  ComputeFn compute = nullptr;
  KernelDTypeFn kernel_dtype = nullptr;
  GradFn gradient = nullptr;   // filled by the autodiff layer
  KernelFn kernels[kNumDeviceTypes][kNumDTypes] = {};

  KernelFn kernel(DeviceType dev, DType dt) const { return kernels[int(dev)][int(dt)]; }
  // DTypes with a kernel on `dev` (for messages and test harnesses).
  std::vector<DType> kernel_dtypes(DeviceType dev) const;
};

// The entry for `name`, created empty on first use. References stay valid.
OpDef& op_entry(std::string_view name);
// The registered op, or nullptr.
const OpDef* find_op(std::string_view name);
// Every op with a definition (infer or compute set), sorted by name.
std::vector<const OpDef*> all_ops();

// Fills the entry of def.name with `def` (kernels already attached are kept).
const OpDef& register_op(OpDef def);
// Sets the gradient function of op `name` (any static-initialisation order).
void register_gradient(std::string_view name, GradFn fn);
// Attaches `fn` as the kernel of op `name` for each dtype in `dtypes`.
void register_kernel(std::string_view name, DeviceType dev, std::initializer_list<DType> dtypes,
                     KernelFn fn);

// Runs an op eagerly: checks devices, infers, allocates, runs the kernel and
// notifies observers (tape, tracer). Errors carry the suffix " [Op:NAME]".
TensorList call_op(const OpDef& op, Inputs inputs, const Attrs& attrs = {});
// Inside a catch block: rethrows the current nb::Error with " [Op:NAME]" appended
// (unless the message already names an op), keeping its type.
[[noreturn]] void rethrow_tagged(const OpDef& op);
// call_op for single-output ops.
Tensor call_op1(const OpDef& op, Inputs inputs, const Attrs& attrs = {});
inline Tensor call_op1(const OpDef& op, std::initializer_list<Tensor> inputs, const Attrs& attrs = {}) {
  return call_op1(op, Inputs(inputs.begin(), inputs.size()), attrs);
}

// A stateful call that is not a registry op: a variable assignment, a random
// draw, an optimizer update. Graph tracers (nb::function) record it so that the
// compiled graph redoes it on every call; the tape ignores it.
struct StatefulCall {
  std::string kind;  // "AssignVariableOp", "RandomUniform", "OptimizerApply", ...
  Attrs attrs;       // its parameters (shape, dtype, bounds ...)
  // Variables it reads or writes (non-owning; valid while the notification runs).
  std::vector<Variable*> variables;
  // Redoes the call: reads `inputs`, writes every element of the pre-allocated,
  // contiguous `outputs` and updates `variables` (the same variables, in order).
  std::function<void(Inputs inputs, std::span<Tensor> outputs, std::span<Variable* const> variables)> run;
  // False when `run` refers to C++ objects (an optimizer) that a saved function cannot hold.
  bool savable = true;
};

// Something that wants to see every op executed on this thread (GradientTape,
// graph tracer). Observers register themselves for their lifetime.
class OpObserver {
 public:
  virtual ~OpObserver() = default;
  // True for graph recorders (nb::function's tracer): they keep seeing ops that
  // PauseOpObservers(PauseScope::tapes) hides from tapes.
  virtual bool records_graph() const { return false; }
  // Host code is about to read the values of `t` (item, to_vector). A graph
  // recorder rejects it when `t` depends on the function's inputs or state.
  virtual void on_host_read(const Tensor& t) { (void)t; }
  // A stateful call that has just run with these inputs and outputs.
  virtual void on_stateful(const StatefulCall& call, Inputs inputs, Inputs outputs) {
    (void)call, (void)inputs, (void)outputs;
  }
  virtual void on_op(const OpDef& op, Inputs inputs, const Attrs& attrs, Inputs outputs) = 0;
  // A call whose gradient is a user function (nb::custom_gradient): the
  // outputs depend on the inputs through `backward` only.
  virtual void on_custom_gradient(Inputs inputs, Inputs outputs,
                                  const std::shared_ptr<const CustomBackward>& backward) {
    (void)inputs, (void)outputs, (void)backward;
  }
};
// True when an observer is active on this thread (the tape is recording).
bool observers_active();
// Tells this thread's observers about a custom-gradient call.
void notify_custom_gradient(Inputs inputs, Inputs outputs,
                            const std::shared_ptr<const CustomBackward>& backward);
// True when a graph recorder (nb::function tracing) is active on this thread.
bool graph_recording_active();
// Tells this thread's observers that host code reads the values of `t`.
void notify_host_read(const Tensor& t);
// Tells this thread's observers about a stateful call that has just run.
void notify_stateful(const StatefulCall& call, Inputs inputs, Inputs outputs);
// RAII registration of an observer on the current thread (innermost last).
class ScopedOpObserver {
 public:
  explicit ScopedOpObserver(OpObserver& obs);
  ~ScopedOpObserver();
  ScopedOpObserver(const ScopedOpObserver&) = delete;
  ScopedOpObserver& operator=(const ScopedOpObserver&) = delete;

 private:
  OpObserver* obs_;  // non-owning
};
// Which observers PauseOpObservers suspends.
enum class PauseScope {
  all,    // every observer: the ops are not part of anything (weight creation)
  tapes,  // gradient tapes only: state updates that a compiled graph must still redo
};
// Suspends observers on this thread for its lifetime (stop_recording).
class PauseOpObservers {
 public:
  explicit PauseOpObservers(PauseScope scope = PauseScope::all);
  ~PauseOpObservers();
  PauseOpObservers(const PauseOpObservers&) = delete;
  PauseOpObservers& operator=(const PauseOpObservers&) = delete;

 private:
  std::vector<OpObserver*> saved_;
};

}  // namespace nabla

// Registers an op definition at static-initialisation time. Use inside an
// anonymous namespace:  NB_REGISTER_OP(add_def) { OpDef d; ...; return d; }
#define NB_REGISTER_OP(ident)                                        \
  static ::nabla::OpDef ident##_make();                              \
  [[maybe_unused]] static const ::nabla::OpDef& ident =              \
      ::nabla::register_op(ident##_make());                          \
  static ::nabla::OpDef ident##_make()

// Registers the gradient of an op defined elsewhere in the same file (ops
// defined by macros). Use inside an anonymous namespace:
//   NB_REGISTER_GRADIENT(exp_grad, "Exp") { return {ctx.output_grads[0] * ctx.outputs[0]}; }
#define NB_REGISTER_GRADIENT(ident, opname)                                            \
  static ::nabla::TensorList ident(const ::nabla::GradContext& ctx);                  \
  [[maybe_unused]] static const bool ident##_registered =                            \
      (::nabla::register_gradient(opname, &ident), true);                             \
  static ::nabla::TensorList ident([[maybe_unused]] const ::nabla::GradContext& ctx)
