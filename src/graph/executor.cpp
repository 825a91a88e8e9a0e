// Executor: the static memory plan and the run loop of a compiled graph.
#include "graph/executor.h"

#include <algorithm>

#include "graph/node_profile.h"
#include "nabla/core/error.h"

namespace nabla::graph {

namespace {

constexpr int64_t kAlign = 64;

int64_t padded_bytes(const TensorSpec& s) {
  const int64_t b = s.shape.num_elements() * int64_t(dtype_size(s.dtype));
  return std::max<int64_t>(kAlign, (b + kAlign - 1) / kAlign * kAlign);
}

// A tensor with a spec's shape and dtype and no memory: what kernel_dtype functions
// (which look at dtypes and shapes only) get at planning time.
Tensor spec_tensor(const TensorSpec& s) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::make_shared<Storage>(nullptr, 0, Device::cpu(), std::function<void(void*)>());
  impl->shape = s.shape;
  impl->strides = contiguous_strides(s.shape);
  impl->dtype = s.dtype;
  return Tensor(std::move(impl));
}

Tensor arena_tensor(const std::shared_ptr<Storage>& arena, int64_t byte_offset, const TensorSpec& s) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = arena;
  impl->offset = byte_offset / int64_t(dtype_size(s.dtype));
  impl->shape = s.shape;
  impl->strides = contiguous_strides(s.shape);
  impl->dtype = s.dtype;
  return Tensor(std::move(impl));
}

}  // namespace

Executor::Executor(std::shared_ptr<const Graph> graph) : graph_(std::move(graph)) { plan(); }

void Executor::plan() {
  const Graph& g = *graph_;
  const size_t nv = g.values.size(), nn = g.nodes.size();
  slot_.assign(nv, Slot::Transient);
  vals_.assign(nv, Tensor());
  std::vector<int> last(nv, -1);
  std::vector<char> escapes(nv, 0);
  for (size_t i = 0; i < nn; ++i)
    for (int v : g.nodes[i].inputs) last[size_t(v)] = std::max(last[size_t(v)], int(i));
  for (int v : g.outputs) escapes[size_t(v)] = 1;
  // A view keeps its base alive, and a view that leaves the function makes its base leave too.
  for (size_t i = nn; i-- > 0;) {
    const Node& n = g.nodes[i];
    if (n.kind != NodeKind::Op || !(n.op->is_view || n.op->compute)) continue;
    int m = -1;
    bool esc = false;
    for (int o = 0; o < n.num_outputs; ++o) {
      m = std::max(m, last[size_t(n.output(o))]);
      esc |= escapes[size_t(n.output(o))] != 0;
    }
    for (int v : n.inputs) {
      last[size_t(v)] = std::max(last[size_t(v)], m);
      if (esc) escapes[size_t(v)] = 1;
    }
  }

  steps_.clear();
  steps_.reserve(nn);
  struct Interval {
    int value;
    int begin, end;
    int64_t bytes, offset;
  };
  std::vector<Interval> arena_values;
  size_t max_inputs = 0;
  for (size_t i = 0; i < nn; ++i) {
    const Node& n = g.nodes[i];
    Step st{&n, nullptr, {}, {}};
    max_inputs = std::max(max_inputs, n.inputs.size());
    bool planned_outputs = n.kind == NodeKind::Stateful;
    if (n.kind == NodeKind::Op && !n.op->compute) {
      std::vector<Tensor> spec_in;
      for (int v : n.inputs) spec_in.push_back(spec_tensor(g.values[size_t(v)].spec));
      const DType kdt = n.op->kernel_dtype ? n.op->kernel_dtype(spec_in, n.attrs)
                        : !spec_in.empty() ? spec_in[0].dtype()
                                           : g.values[size_t(n.first_output)].spec.dtype;
      st.kernel = n.op->kernel(DeviceType::CPU, kdt);
      planned_outputs = st.kernel != nullptr;
    }
    if (n.kind == NodeKind::Stateful)
      for (int vi : n.call_variables) st.vars.push_back(g.variables[size_t(vi)].get());
    if ((n.kind == NodeKind::Op || n.kind == NodeKind::Stateful) && node_profiling_enabled())
      st.profile_row = node_profile_row(g, n);
    if (n.kind == NodeKind::Constant) {
      slot_[size_t(n.output(0))] = Slot::Persistent;
      vals_[size_t(n.output(0))] = n.constant;
    }
    for (int o = 0; o < n.num_outputs; ++o) {
      const int v = n.output(o);
      if (!planned_outputs) continue;
      if (escapes[size_t(v)]) {
        slot_[size_t(v)] = Slot::Dedicated;
        continue;
      }
      slot_[size_t(v)] = Slot::Persistent;
      const TensorSpec& s = g.values[size_t(v)].spec;
      arena_values.push_back({v, int(i), std::max(int(i), last[size_t(v)]), padded_bytes(s), -1});
    }
    steps_.push_back(std::move(st));
  }
  // Transient values are dropped after their last use (variable reads must be, so that
  // a later in-place update needs no copy-on-write); those leaving the function, at the end.
  for (size_t v = 0; v < nv; ++v) {
    if (slot_[v] != Slot::Transient || escapes[v]) continue;
    const int producer = g.values[v].producer;
    if (producer < 0 || g.nodes[size_t(producer)].dead) continue;
    steps_[size_t(std::max(last[v], producer))].release.push_back(int(v));
  }

  // Arena placement: largest first, each at the lowest offset that overlaps no
  // placed buffer whose lifetime overlaps its own.
  std::vector<size_t> order(arena_values.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return arena_values[a].bytes > arena_values[b].bytes; });
  std::vector<size_t> placed;
  int64_t total = 0;
  planned_bytes_ = 0;
  for (size_t idx : order) {
    Interval& iv = arena_values[idx];
    planned_bytes_ += iv.bytes;
    std::vector<std::pair<int64_t, int64_t>> busy;
    for (size_t p : placed) {
      const Interval& o = arena_values[p];
      if (o.begin <= iv.end && iv.begin <= o.end) busy.emplace_back(o.offset, o.offset + o.bytes);
    }
    std::sort(busy.begin(), busy.end());
    int64_t off = 0;
    for (const auto& [b, e] : busy) {
      if (off + iv.bytes <= b) break;
      off = std::max(off, e);
    }
    iv.offset = off;
    total = std::max(total, off + iv.bytes);
    placed.push_back(idx);
  }
  arena_bytes_ = total;
  if (total > 0) arena_ = std::make_shared<Storage>(size_t(total), Device::cpu());
  for (const Interval& iv : arena_values)
    vals_[size_t(iv.value)] = arena_tensor(arena_, iv.offset, g.values[size_t(iv.value)].spec);
  args_buf_.reserve(max_inputs);
}

void Executor::prepare_dedicated(int v) {
  Tensor& t = vals_[size_t(v)];
  if (t.defined() && t.impl_ptr().use_count() == 1 && t.storage().use_count() == 1) return;
  const TensorSpec& s = graph_->values[size_t(v)].spec;
  t = Tensor::empty(s.shape, s.dtype);
}

std::vector<Tensor> Executor::run(const std::vector<Tensor>& args) {
  std::lock_guard<std::mutex> lock(mu_);
  const Graph& g = *graph_;
  // Whatever happens, transient values (inputs, variable reads, views) are not kept.
  struct Cleanup {
    Executor* self;
    ~Cleanup() {
      for (size_t v = 0; v < self->slot_.size(); ++v)
        if (self->slot_[v] == Slot::Transient) self->vals_[v] = Tensor();
      self->args_buf_.clear();
    }
  } cleanup{this};

  for (const Step& st : steps_) {
    const Node& n = *st.node;
    switch (n.kind) {
      case NodeKind::Input:
        vals_[size_t(n.output(0))] = args[size_t(n.arg)];
        break;
      case NodeKind::Constant:
        break;
      case NodeKind::ReadVariable:
        vals_[size_t(n.output(0))] = g.variables[size_t(n.variable)]->value();
        break;
      case NodeKind::Op:
      case NodeKind::Stateful: {
        args_buf_.clear();
        for (int v : n.inputs) {
          NB_CHECK(vals_[size_t(v)].defined(), Internal, "nb::function: value ", v, " is not available");
          args_buf_.push_back(vals_[size_t(v)]);
        }
        const bool preallocated = n.kind == NodeKind::Stateful || st.kernel != nullptr;
        if (preallocated)
          for (int o = 0; o < n.num_outputs; ++o)
            if (slot_[size_t(n.output(o))] == Slot::Dedicated) prepare_dedicated(n.output(o));
        std::span<Tensor> outs(vals_.data() + n.first_output, size_t(n.num_outputs));
        const auto start = st.profile_row >= 0 ? std::chrono::steady_clock::now()
                                               : std::chrono::steady_clock::time_point();
        if (n.kind == NodeKind::Stateful) {
          n.call->run(args_buf_, outs, st.vars);
        } else if (st.kernel) {
          try {
            st.kernel(args_buf_, outs, n.attrs);
          } catch (const Error&) {
            rethrow_tagged(*n.op);
          }
        } else {
          TensorList r = n.op->compute ? n.op->compute(args_buf_, n.attrs) : call_op(*n.op, args_buf_, n.attrs);
          NB_CHECK(int(r.size()) == n.num_outputs, Internal, "nb::function: op ", n.op->name, " gave ", r.size(),
                   " outputs, the trace ", n.num_outputs);
          for (int o = 0; o < n.num_outputs; ++o) outs[size_t(o)] = std::move(r[size_t(o)]);
        }
        if (st.profile_row >= 0) node_profile_add(st.profile_row, std::chrono::steady_clock::now() - start);
        break;
      }
    }
    for (int v : st.release) vals_[size_t(v)] = Tensor();
  }
  std::vector<Tensor> result;
  result.reserve(g.outputs.size());
  for (int v : g.outputs) result.push_back(vals_[size_t(v)]);
  return result;
}

}  // namespace nabla::graph
