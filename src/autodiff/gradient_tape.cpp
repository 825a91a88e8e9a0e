// GradientTape: records differentiable ops that read watched tensors, then
// runs their registry gradients in reverse order.
//
// Bookkeeping: every traced tensor gets a slot (an index); a flat open-
// addressing map finds the slot of a TensorImpl. The tape holds a handle to
// every slotted tensor, so an address is never reused while the tape lives.
// Recorded ops are Nodes whose inputs/outputs live in one shared array, so
// recording allocates nothing per op beyond amortised vector growth (and a
// copy of the attributes for ops that have list attributes).
#include "nabla/autodiff/gradient_tape.h"

#include <algorithm>
#include <iostream>
#include <optional>

#include "autodiff/autograd_meta.h"
#include "nabla/ops/creation.h"
#include "nabla/ops/elementwise.h"
#include "nabla/ops/registry.h"
#include "nabla/ops/shape_ops.h"

namespace nabla {
namespace {

// Open-addressing map from a TensorImpl address to a slot index.
class SlotMap {
 public:
  int32_t find(const TensorImpl* key) const {
    if (keys_.empty()) return -1;
    for (size_t i = hash(key) & mask();; i = (i + 1) & mask()) {
      if (keys_[i] == key) return values_[i];
      if (keys_[i] == nullptr) return -1;
    }
  }
  void insert_or_assign(const TensorImpl* key, int32_t value) {
    if ((size_ + 1) * 2 > keys_.size()) grow();
    for (size_t i = hash(key) & mask();; i = (i + 1) & mask()) {
      if (keys_[i] == key) { values_[i] = value; return; }
      if (keys_[i] == nullptr) {
        keys_[i] = key;
        values_[i] = value;
        ++size_;
        return;
      }
    }
  }
  void clear() {
    keys_.clear();
    values_.clear();
    size_ = 0;
  }

 private:
  static size_t hash(const TensorImpl* p) {
    return size_t((reinterpret_cast<uintptr_t>(p) >> 4) * 0x9E3779B97F4A7C15ull >> 16);
  }
  size_t mask() const { return keys_.size() - 1; }
  void grow() {
    std::vector<const TensorImpl*> old_keys = std::move(keys_);
    std::vector<int32_t> old_values = std::move(values_);
    const size_t cap = std::max<size_t>(64, old_keys.size() * 2);
    keys_.assign(cap, nullptr);
    values_.assign(cap, -1);
    size_ = 0;
    for (size_t i = 0; i < old_keys.size(); ++i)
      if (old_keys[i]) insert_or_assign(old_keys[i], old_values[i]);
  }
  std::vector<const TensorImpl*> keys_;
  std::vector<int32_t> values_;
  size_t size_ = 0;
};

bool carries_gradient(DType t) { return is_floating(t); }

}  // namespace

struct GradientTape::Impl final : OpObserver {
  struct Node {
    const OpDef* op;  // nullptr: a custom-gradient call
    uint32_t first, num_inputs, num_outputs;  // into `tensors`/`slots`: inputs, then outputs
    int32_t attrs;    // index into `attrs`, -1: no attributes
    int32_t custom;   // index into `customs`, -1: registry gradient
  };

  GradientTapeOptions options;
  bool recording = true;
  bool used = false;
  std::optional<ScopedOpObserver> registration;

  SlotMap slot_of;
  std::vector<Tensor> slot_tensor;   // the tensor of each slot (kept alive)
  std::vector<uint64_t> slot_var;    // variable id of each slot, 0 for plain tensors
  std::vector<uint64_t> watched_vars;
  std::vector<Node> nodes;
  std::vector<Tensor> tensors;
  std::vector<int32_t> slots;
  std::vector<Attrs> attrs;
  std::vector<std::shared_ptr<const CustomBackward>> customs;

  int32_t new_slot(const Tensor& t, uint64_t var) {
    const int32_t s = int32_t(slot_tensor.size());
    slot_tensor.push_back(t);
    slot_var.push_back(var);
    slot_of.insert_or_assign(t.impl_ptr().get(), s);
    return s;
  }

  bool variable_watched(uint64_t id) const {
    return std::find(watched_vars.begin(), watched_vars.end(), id) != watched_vars.end();
  }

  // The slot of an input, creating one for a watchable variable read.
  int32_t input_slot(const Tensor& t) {
    const TensorImpl* impl = t.impl_ptr().get();
    int32_t s = slot_of.find(impl);
    if (s >= 0) return s;
    const AutogradMeta* meta = impl->autograd.get();
    if (meta && meta->variable_id != 0 && carries_gradient(impl->dtype) &&
        ((options.watch_accessed_variables && meta->trainable.load(std::memory_order_relaxed)) ||
         variable_watched(meta->variable_id)))
      s = new_slot(t, meta->variable_id);
    return s;
  }

  // Records a node if any input is traced.
  void record(const OpDef* op, Inputs inputs, const Attrs* a, Inputs outputs, int32_t custom) {
    bool any = false;
    for (const Tensor& t : inputs) any |= t.defined() && input_slot(t) >= 0;
    if (!any) return;
    const size_t first = tensors.size();
    for (const Tensor& t : inputs) {
      tensors.push_back(t);
      slots.push_back(t.defined() ? slot_of.find(t.impl_ptr().get()) : -1);
    }
    for (const Tensor& t : outputs) {
      tensors.push_back(t);
      slots.push_back(t.defined() && carries_gradient(t.dtype()) ? new_slot(t, 0) : -1);
    }
    int32_t ai = -1;
    if (a && !a->items().empty()) {
      ai = int32_t(attrs.size());
      attrs.push_back(*a);
    }
    nodes.push_back(Node{op, uint32_t(first), uint32_t(inputs.size()), uint32_t(outputs.size()), ai, custom});
  }

  void on_op(const OpDef& op, Inputs inputs, const Attrs& a, Inputs outputs) override {
    if (!recording || !op.differentiable) return;
    bool float_out = false;
    for (const Tensor& t : outputs) float_out |= t.defined() && carries_gradient(t.dtype());
    if (!float_out) return;
    record(&op, inputs, &a, outputs, -1);
  }

  void on_custom_gradient(Inputs inputs, Inputs outputs,
                          const std::shared_ptr<const CustomBackward>& backward) override {
    if (!recording) return;
    const size_t before = nodes.size();
    customs.push_back(backward);
    record(nullptr, inputs, nullptr, outputs, int32_t(customs.size() - 1));
    if (nodes.size() == before) customs.pop_back();
  }

  void clear() {
    slot_of.clear();
    slot_tensor.clear();
    slot_var.clear();
    nodes.clear();
    tensors.clear();
    slots.clear();
    attrs.clear();
    customs.clear();
  }

  // Slots that make up a source (a variable may have been read several times).
  std::vector<int32_t> source_slots(const GradientSource& src) const {
    std::vector<int32_t> out;
    if (src.variable_id() != 0) {
      for (size_t s = 0; s < slot_var.size(); ++s)
        if (slot_var[s] == src.variable_id()) out.push_back(int32_t(s));
    } else if (src.tensor().defined()) {
      const int32_t s = slot_of.find(src.tensor().impl_ptr().get());
      if (s >= 0) out.push_back(s);
    }
    return out;
  }

  void check_usable(const char* what) const {
    NB_CHECK(!used || options.persistent, FailedPrecondition, "GradientTape.", what,
             ": a non-persistent GradientTape can only be used to compute one set of gradients "
             "(or jacobians); construct it with GradientTape({.persistent = true}) to call "
             "gradient() or jacobian() more than once");
  }

  void finish_use() {
    used = true;
    if (!options.persistent) {
      clear();
      recording = false;
    }
  }

  static void accumulate(Tensor& acc, const Tensor& g) { acc = acc.defined() ? add(acc, g) : g; }

  // Runs one backward pass. seeds[i] seeds targets[i].
  std::vector<Tensor> backward(const std::vector<Tensor>& targets, const std::vector<Tensor>& seeds,
                               const std::vector<GradientSource>& sources, UnconnectedGradients unconnected);
};

std::vector<Tensor> GradientTape::Impl::backward(const std::vector<Tensor>& targets,
                                                 const std::vector<Tensor>& seeds,
                                                 const std::vector<GradientSource>& sources,
                                                 UnconnectedGradients unconnected) {
  // While this tape differentiates, it records nothing itself; outer tapes do
  // record (higher-order derivatives).
  const bool was_recording = recording;
  recording = false;
  struct Restore {
    Impl* self;
    bool value;
    ~Restore() { self->recording = value; }
  } restore{this, was_recording};

  const size_t n_slots = slot_tensor.size();
  std::vector<std::vector<int32_t>> src_slots;
  src_slots.reserve(sources.size());
  // depends[s]: slot s depends on some source (only those get gradients).
  std::vector<char> depends(n_slots, 0), is_source(n_slots, 0);
  for (const GradientSource& src : sources) {
    src_slots.push_back(source_slots(src));
    for (int32_t s : src_slots.back()) depends[size_t(s)] = is_source[size_t(s)] = 1;
  }
  for (const Node& n : nodes) {
    bool dep = false;
    for (uint32_t i = 0; i < n.num_inputs; ++i) {
      const int32_t s = slots[n.first + i];
      dep |= s >= 0 && depends[size_t(s)];
    }
    if (!dep) continue;
    for (uint32_t o = 0; o < n.num_outputs; ++o) {
      const int32_t s = slots[n.first + n.num_inputs + o];
      if (s >= 0) depends[size_t(s)] = 1;
    }
  }

  std::vector<Tensor> grads(n_slots);
  for (size_t i = 0; i < targets.size(); ++i) {
    const int32_t s = slot_of.find(targets[i].impl_ptr().get());
    if (s >= 0 && depends[size_t(s)]) accumulate(grads[size_t(s)], seeds[i]);
  }

  std::vector<Tensor> out_grads;
  const Attrs no_attrs;
  for (size_t k = nodes.size(); k-- > 0;) {
    const Node& n = nodes[k];
    const Tensor* in_t = tensors.data() + n.first;
    const Tensor* out_t = in_t + n.num_inputs;
    const int32_t* in_s = slots.data() + n.first;
    const int32_t* out_s = in_s + n.num_inputs;
    bool any_grad = false;
    out_grads.assign(n.num_outputs, Tensor());
    for (uint32_t o = 0; o < n.num_outputs; ++o) {
      if (out_s[o] < 0) continue;
      Tensor& g = grads[size_t(out_s[o])];
      if (g.defined()) {
        out_grads[o] = g;
        if (!is_source[size_t(out_s[o])]) g = Tensor();  // free it early
        any_grad = true;
      }
    }
    if (!any_grad) continue;
    uint64_t needed = 0;
    for (uint32_t i = 0; i < n.num_inputs; ++i)
      if (in_s[i] >= 0 && depends[size_t(in_s[i])]) needed |= i < 64 ? uint64_t(1) << i : 0;
    if (needed == 0 && n.num_inputs <= 64) continue;

    TensorList in_grads;
    const std::string op_name = n.op ? n.op->name : std::string("custom_gradient");
    try {
      if (n.op) {
        NB_CHECK(n.op->gradient != nullptr, Unimplemented, "no gradient is defined for op ",
                 n.op->name);
        const GradContext ctx{Inputs(in_t, n.num_inputs), Inputs(out_t, n.num_outputs),
                              Inputs(out_grads.data(), out_grads.size()),
                              n.attrs >= 0 ? attrs[size_t(n.attrs)] : no_attrs, needed};
        in_grads = n.op->gradient(ctx);
      } else {
        TensorList gs(out_grads.begin(), out_grads.end());
        for (uint32_t o = 0; o < n.num_outputs; ++o)
          if (!gs[o].defined()) gs[o] = zeros_like(out_t[o]);
        in_grads = (*customs[size_t(n.custom)])(gs);
      }
    } catch (const Error& e) {
      const std::string msg = detail::str_cat("while computing the gradient of ", op_name, ": ", e.what());
      if (dynamic_cast<const InvalidArgument*>(&e)) throw InvalidArgument(msg);
      if (dynamic_cast<const Unimplemented*>(&e)) throw Unimplemented(msg);
      throw Internal(msg);
    }
    if (in_grads.size() != n.num_inputs) {
      const std::string msg = detail::str_cat("the gradient of ", op_name, " returned ", in_grads.size(),
                                              " tensors for ", n.num_inputs, " inputs");
      if (n.op) throw Internal(msg);
      throw InvalidArgument(msg);
    }
    for (uint32_t i = 0; i < n.num_inputs; ++i) {
      if (in_s[i] < 0 || !depends[size_t(in_s[i])] || !in_grads[i].defined()) continue;
      const Tensor& x = in_t[i];
      const Tensor& g = in_grads[i];
      if (g.shape() != x.shape() || g.dtype() != x.dtype()) {
        const std::string msg = detail::str_cat(
            "the gradient of ", op_name, " for input #", i, " has shape ", g.shape().str(), " and dtype ",
            dtype_name(g.dtype()), ", but the input has shape ", x.shape().str(), " and dtype ",
            dtype_name(x.dtype()));
        if (n.op) throw Internal(msg);
        throw InvalidArgument(msg);
      }
      accumulate(grads[size_t(in_s[i])], g);
    }
  }

  std::vector<Tensor> result;
  result.reserve(sources.size());
  for (size_t j = 0; j < sources.size(); ++j) {
    Tensor g;
    for (int32_t s : src_slots[j]) {
      if (!grads[size_t(s)].defined()) continue;
      accumulate(g, grads[size_t(s)]);
    }
    if (!g.defined() && unconnected == UnconnectedGradients::Zero) {
      const Tensor& t = sources[j].tensor();
      NB_CHECK(t.defined(), InvalidArgument, "GradientTape.gradient: source #", j, " is an undefined tensor");
      g = zeros_like(t);
    }
    result.push_back(std::move(g));
  }
  return result;
}

GradientTape::GradientTape(GradientTapeOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
  impl_->registration.emplace(*impl_);
}

GradientTape::~GradientTape() = default;

void GradientTape::watch(const Tensor& t) {
  NB_CHECK(t.defined(), InvalidArgument, "GradientTape.watch: the tensor is undefined");
  if (!carries_gradient(t.dtype())) {
    std::cerr << "WARNING: GradientTape.watch: the dtype of the watched tensor must be floating "
                 "(e.g. float32), got "
              << dtype_name(t.dtype()) << "; it will not carry a gradient\n";
    return;
  }
  if (impl_->slot_of.find(t.impl_ptr().get()) < 0) {
    const AutogradMeta* meta = t.impl().autograd.get();
    impl_->new_slot(t, meta ? meta->variable_id : 0);
  }
}

void GradientTape::watch(const Variable& v) {
  const uint64_t id = v.id();
  if (!impl_->variable_watched(id)) impl_->watched_vars.push_back(id);
  watch(v.value());
}

void GradientTape::watch(const std::vector<Tensor>& ts) {
  for (const Tensor& t : ts) watch(t);
}

Tensor GradientTape::gradient(const Tensor& target, const GradientSource& source,
                              const GradientOptions& options) {
  return gradient(std::vector<Tensor>{target}, std::vector<GradientSource>{source}, options).at(0);
}

std::vector<Tensor> GradientTape::gradient(const Tensor& target, const std::vector<GradientSource>& sources,
                                           const GradientOptions& options) {
  return gradient(std::vector<Tensor>{target}, sources, options);
}

std::vector<Tensor> GradientTape::gradient(const Tensor& target, const std::vector<Variable*>& sources,
                                           const GradientOptions& options) {
  std::vector<GradientSource> srcs;
  srcs.reserve(sources.size());
  for (const Variable* v : sources) {
    NB_CHECK(v != nullptr && v->defined(), InvalidArgument, "gradient(): source variable is null or undefined");
    srcs.emplace_back(*v);
  }
  return gradient(std::vector<Tensor>{target}, srcs, options);
}

std::vector<Tensor> GradientTape::gradient(const std::vector<Tensor>& targets,
                                           const std::vector<GradientSource>& sources,
                                           const GradientOptions& options) {
  impl_->check_usable("gradient");
  NB_CHECK(options.output_gradients.empty() || options.output_gradients.size() == targets.size(),
           InvalidArgument, "GradientTape.gradient: got ", options.output_gradients.size(),
           " output_gradients for ", targets.size(), " targets");
  std::vector<Tensor> seeds;
  seeds.reserve(targets.size());
  for (size_t i = 0; i < targets.size(); ++i) {
    const Tensor& t = targets[i];
    NB_CHECK(t.defined(), InvalidArgument, "GradientTape.gradient: target #", i, " is an undefined tensor");
    if (options.output_gradients.empty() || !options.output_gradients[i].defined()) {
      seeds.push_back(ones_like(t));
      continue;
    }
    const Tensor& s = options.output_gradients[i];
    NB_CHECK(s.shape() == t.shape() && s.dtype() == t.dtype(), InvalidArgument,
             "GradientTape.gradient: output_gradients[", i, "] must match target #", i, " (shape ",
             t.shape().str(), ", dtype ", dtype_name(t.dtype()), "), got shape ", s.shape().str(),
             " and dtype ", dtype_name(s.dtype()));
    seeds.push_back(s);
  }
  for (size_t j = 0; j < sources.size(); ++j)
    NB_CHECK(sources[j].tensor().defined(), InvalidArgument, "GradientTape.gradient: source #", j,
             " is an undefined tensor");
  std::vector<Tensor> r = impl_->backward(targets, seeds, sources, options.unconnected_gradients);
  impl_->finish_use();
  return r;
}

Tensor GradientTape::jacobian(const Tensor& target, const GradientSource& source,
                              UnconnectedGradients unconnected) {
  impl_->check_usable("jacobian");
  NB_CHECK(target.defined() && source.tensor().defined(), InvalidArgument,
           "GradientTape.jacobian: target and source must be defined tensors");
  const Tensor& x = source.tensor();
  const int64_t m = target.size();
  std::vector<Tensor> rows;
  rows.reserve(size_t(m));
  bool connected = false;
  for (int64_t i = 0; i < m; ++i) {
    Tensor seed = reshape(one_hot(constant(int32_t(i)), m, {.dtype = target.dtype()}), target.shape());
    Tensor g = impl_->backward({target}, {seed}, {source}, UnconnectedGradients::None).at(0);
    connected |= g.defined();
    rows.push_back(g.defined() ? g : zeros_like(x));
  }
  impl_->finish_use();
  if (!connected && unconnected == UnconnectedGradients::None) return Tensor();
  Shape shape = target.shape();
  for (int64_t d : x.shape()) shape.push_back(d);
  if (m == 0) return zeros(shape, x.dtype());
  return reshape(stack(rows, 0), shape);
}

GradientTape::StopRecording::StopRecording(GradientTape& tape)
    : tape_(&tape), was_recording_(tape.impl_->recording) {
  tape.impl_->recording = false;
}
GradientTape::StopRecording::~StopRecording() { tape_->impl_->recording = was_recording_; }

void GradientTape::reset() {
  impl_->clear();
  impl_->used = false;
  impl_->recording = true;
}

std::vector<uint64_t> GradientTape::watched_variable_ids() const {
  std::vector<uint64_t> ids = impl_->watched_vars;
  for (uint64_t v : impl_->slot_var)
    if (v != 0 && std::find(ids.begin(), ids.end(), v) == ids.end()) ids.push_back(v);
  return ids;
}

size_t GradientTape::num_recorded_ops() const { return impl_->nodes.size(); }

}  // namespace nabla
