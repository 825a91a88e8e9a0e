#include "nabla/ops/registry.h"

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>

#include "nabla/ops/cast.h"

namespace nabla {

Attrs& Attrs::set(std::string name, AttrValue v) {
  for (auto& [k, old] : items_)
    if (k == name) { old = std::move(v); return *this; }
  items_.emplace_back(std::move(name), std::move(v));
  return *this;
}
void Attrs::missing(std::string_view name) {
  throw Internal(detail::str_cat("op attribute '", name, "' is missing"));
}
void Attrs::wrong_type(std::string_view name) {
  throw Internal(detail::str_cat("op attribute '", name, "' has the wrong type"));
}

namespace {
struct Registry {
  std::mutex mu;
  std::map<std::string, std::unique_ptr<OpDef>, std::less<>> ops;
};
Registry& registry() {
  static Registry* r = new Registry();  // NOLINT: process lifetime, used during static init
  return *r;
}
thread_local std::vector<OpObserver*> t_observers;
}  // namespace

std::vector<DType> OpDef::kernel_dtypes(DeviceType dev) const {
  std::vector<DType> out;
  for (int i = 0; i < kNumDTypes; ++i)
    if (kernels[int(dev)][i]) out.push_back(DType(i));
  return out;
}

OpDef& op_entry(std::string_view name) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  auto it = r.ops.find(name);
  if (it == r.ops.end()) {
    auto def = std::make_unique<OpDef>();
    def->name = std::string(name);
    it = r.ops.emplace(std::string(name), std::move(def)).first;
  }
  return *it->second;
}

const OpDef* find_op(std::string_view name) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  auto it = r.ops.find(name);
  if (it == r.ops.end() || (!it->second->infer && !it->second->compute)) return nullptr;
  return it->second.get();
}

std::vector<const OpDef*> all_ops() {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  std::vector<const OpDef*> out;
  for (auto& [name, def] : r.ops)
    if (def->infer || def->compute) out.push_back(def.get());
  return out;
}

const OpDef& register_op(OpDef def) {
  OpDef& e = op_entry(def.name);
  KernelFn saved[kNumDeviceTypes][kNumDTypes];
  std::copy(&e.kernels[0][0], &e.kernels[0][0] + kNumDeviceTypes * kNumDTypes, &saved[0][0]);
  GradFn grad = e.gradient;
  e = std::move(def);
  for (int d = 0; d < kNumDeviceTypes; ++d)
    for (int t = 0; t < kNumDTypes; ++t)
      if (!e.kernels[d][t]) e.kernels[d][t] = saved[d][t];
  if (!e.gradient) e.gradient = grad;
  return e;
}

void register_gradient(std::string_view name, GradFn fn) { op_entry(name).gradient = fn; }

bool observers_active() { return !t_observers.empty(); }

void notify_custom_gradient(Inputs inputs, Inputs outputs,
                            const std::shared_ptr<const CustomBackward>& backward) {
  std::vector<OpObserver*> obs = t_observers;
  for (OpObserver* o : obs) o->on_custom_gradient(inputs, outputs, backward);
}

bool graph_recording_active() {
  for (OpObserver* o : t_observers)
    if (o->records_graph()) return true;
  return false;
}

void notify_host_read(const Tensor& t) {
  std::vector<OpObserver*> obs = t_observers;
  for (OpObserver* o : obs) o->on_host_read(t);
}

void notify_stateful(const StatefulCall& call, Inputs inputs, Inputs outputs) {
  std::vector<OpObserver*> obs = t_observers;
  for (OpObserver* o : obs) o->on_stateful(call, inputs, outputs);
}

void register_kernel(std::string_view name, DeviceType dev, std::initializer_list<DType> dtypes,
                     KernelFn fn) {
  OpDef& e = op_entry(name);
  for (DType t : dtypes) e.kernels[int(dev)][int(t)] = fn;
}

namespace {

[[noreturn]] void rethrow_with_op(const OpDef& op) {
  const std::string suffix = " [Op:" + op.name + "]";
  try {
    throw;
  } catch (const Error& e) {
    std::string msg = e.what();
    if (msg.find(" [Op:") != std::string::npos) throw;  // already tagged (nested op)
    msg += suffix;
    if (dynamic_cast<const InvalidArgument*>(&e)) throw InvalidArgument(msg);
    if (dynamic_cast<const OutOfRange*>(&e)) throw OutOfRange(msg);
    if (dynamic_cast<const Unimplemented*>(&e)) throw Unimplemented(msg);
    if (dynamic_cast<const NotFound*>(&e)) throw NotFound(msg);
    if (dynamic_cast<const FailedPrecondition*>(&e)) throw FailedPrecondition(msg);
    if (dynamic_cast<const ResourceExhausted*>(&e)) throw ResourceExhausted(msg);
    if (dynamic_cast<const DataLoss*>(&e)) throw DataLoss(msg);
    if (dynamic_cast<const Internal*>(&e)) throw Internal(msg);
    throw Error(msg);
  }
}

std::string dtype_list(const std::vector<DType>& v) {
  std::string s;
  for (DType t : v) s += (s.empty() ? "" : ", ") + std::string(dtype_name(t));
  return s.empty() ? "none" : s;
}

TensorList run_kernel(const OpDef& op, Inputs inputs, const Attrs& attrs, Device device) {
  std::vector<TensorSpec> specs = op.infer(inputs, attrs);
  const DType kdt = op.kernel_dtype ? op.kernel_dtype(inputs, attrs)
                    : !inputs.empty() ? inputs[0].dtype()
                                      : specs.at(0).dtype;
  KernelFn k = op.kernel(device.type, kdt);
  if (k) {
    TensorList outs;
    outs.reserve(specs.size());
    for (auto& s : specs) outs.push_back(Tensor::empty(s.shape, s.dtype, device));
    k(inputs, outs, attrs);
    return outs;
  }
  if (is_half(kdt) && op.half_via_float && op.kernel(device.type, DType::float32)) {
    // float16/bfloat16 are computed in float32 (DESIGN.md §5).
    TensorList up;
    up.reserve(inputs.size());
    for (const Tensor& t : inputs) up.push_back(t.dtype() == kdt ? cast(t, DType::float32) : t);
    TensorList outs;
    for (auto& s : specs)
      outs.push_back(Tensor::empty(s.shape, s.dtype == kdt ? DType::float32 : s.dtype, device));
    op.kernel(device.type, DType::float32)(up, outs, attrs);
    for (size_t i = 0; i < outs.size(); ++i)
      if (specs[i].dtype == kdt) outs[i] = cast(outs[i], kdt);
    return outs;
  }
  throw Unimplemented(detail::str_cat("op ", op.name, " has no ", device.is_cpu() ? "CPU" : "CUDA",
                                      " kernel for dtype ", dtype_name(kdt), "; supported: ",
                                      dtype_list(op.kernel_dtypes(device.type))));
}

}  // namespace

TensorList call_op(const OpDef& op, Inputs inputs, const Attrs& attrs) {
  std::vector<OpObserver*>& observers = t_observers;  // one thread-local lookup
  const bool observing = !observers.empty();
  TensorList outs;
  try {
    const int n = int(inputs.size());
    if (n < op.min_inputs || (op.max_inputs >= 0 && n > op.max_inputs))
      throw InvalidArgument(detail::str_cat(
          "expected ", op.min_inputs,
          op.max_inputs < 0 ? " or more" : op.max_inputs == op.min_inputs ? "" : " to " + std::to_string(op.max_inputs),
          " inputs, got ", n));
    Device device = Device::cpu();
    for (int i = 0; i < n; ++i) {
      if (!inputs[i].defined())
        throw InvalidArgument(detail::str_cat("input #", i, " is an undefined tensor"));
      if (i == 0) device = inputs[0].device();
      else if (inputs[i].device() != device)
        throw InvalidArgument(detail::str_cat(
            "expected all inputs on the same device, but input #0 is on ", device.str(),
            " and input #", i, " is on ", inputs[i].device().str()));
    }
    NB_CHECK(op.compute || op.infer, Internal, "op has neither infer nor compute function");
    if (!observing) [[likely]] {
      outs = op.compute ? op.compute(inputs, attrs) : run_kernel(op, inputs, attrs, device);
    } else {
      // Ops run inside this one (composites, half-precision casts) are part of
      // it: observers see only the outer op, so they are paused meanwhile.
      struct Pause {
        std::vector<OpObserver*>& live;
        std::vector<OpObserver*> saved;
        explicit Pause(std::vector<OpObserver*>& v) : live(v) { saved.swap(live); }
        ~Pause() { live.swap(saved); }
      } pause(observers);
      outs = op.compute ? op.compute(inputs, attrs) : run_kernel(op, inputs, attrs, device);
    }
  } catch (const Error&) {
    rethrow_with_op(op);
  }
  if (observing) [[unlikely]] {
    // Iterate over a copy (an observer may run ops of its own, which it
    // pauses itself); a small local array avoids an allocation per op.
    const size_t n = observers.size();
    if (n <= 8) {
      OpObserver* obs[8];
      std::copy(observers.begin(), observers.end(), obs);
      for (size_t i = 0; i < n; ++i) obs[i]->on_op(op, inputs, attrs, outs);
    } else {
      const std::vector<OpObserver*> obs = observers;
      for (OpObserver* o : obs) o->on_op(op, inputs, attrs, outs);
    }
  }
  return outs;
}

void rethrow_tagged(const OpDef& op) { rethrow_with_op(op); }

Tensor call_op1(const OpDef& op, Inputs inputs, const Attrs& attrs) {
  TensorList outs = call_op(op, inputs, attrs);
  return std::move(outs.at(0));
}

ScopedOpObserver::ScopedOpObserver(OpObserver& obs) : obs_(&obs) { t_observers.push_back(obs_); }
ScopedOpObserver::~ScopedOpObserver() {
  auto it = std::find(t_observers.rbegin(), t_observers.rend(), obs_);
  if (it != t_observers.rend()) t_observers.erase(std::next(it).base());
}
PauseOpObservers::PauseOpObservers(PauseScope scope) {
  saved_.swap(t_observers);
  if (scope == PauseScope::tapes)
    for (OpObserver* o : saved_)
      if (o->records_graph()) t_observers.push_back(o);
}
PauseOpObservers::~PauseOpObservers() { t_observers.swap(saved_); }

}  // namespace nabla
