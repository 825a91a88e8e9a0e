#include "nabla/core/variable.h"

#include <atomic>
#include <ostream>

#include "nabla/ops/cast.h"
#include "nabla/ops/elementwise.h"
#include "nabla/ops/registry.h"
#include "nabla/ops/shape_ops.h"
#include "autodiff/autograd_meta.h"

namespace nabla {

struct Variable::Impl {
  Tensor value;
  std::string name;
  bool trainable = true;
  uint64_t id = 0;
  std::shared_ptr<AutogradMeta> meta = std::make_shared<AutogradMeta>();
  // Makes `t` the value, tagged as this variable's (for GradientTape).
  void set_value(Tensor t) {
    t.impl().autograd = meta;
    value = std::move(t);
  }
};

namespace {
std::atomic<uint64_t> g_next_id{1};

Tensor deep_copy(const Tensor& t) {
  Tensor out = Tensor::empty(t.shape(), t.dtype(), t.device());
  detail::copy_into(out, t);
  return out;
}

std::string default_name(uint64_t id) { return "Variable:" + std::to_string(id); }
}  // namespace

Variable::Variable(const Tensor& initial, VariableOptions options) : impl_(std::make_shared<Impl>()) {
  NB_CHECK(initial.defined(), InvalidArgument, "Variable needs a defined initial value");
  impl_->id = g_next_id++;
  impl_->meta->variable_id = impl_->id;
  impl_->meta->owner = impl_;
  impl_->set_value(deep_copy(initial));
  impl_->name = options.name.empty() ? default_name(impl_->id) : options.name;
  impl_->trainable = options.trainable;
  impl_->meta->trainable = options.trainable;
}

Variable::Variable(const Variable& other) {
  if (!other.impl_) return;
  impl_ = std::make_shared<Impl>();
  impl_->id = g_next_id++;
  impl_->meta->variable_id = impl_->id;
  impl_->meta->owner = impl_;
  impl_->set_value(deep_copy(other.impl_->value));
  impl_->name = other.impl_->name;
  impl_->trainable = other.impl_->trainable;
  impl_->meta->trainable = other.impl_->trainable;
}

Variable& Variable::operator=(const Variable& other) {
  if (this != &other) *this = Variable(other);
  return *this;
}

const Tensor& Variable::value() const {
  NB_CHECK(impl_ != nullptr, FailedPrecondition, "use of an uninitialised Variable");
  return impl_->value;
}
const std::string& Variable::name() const { value(); return impl_->name; }
bool Variable::trainable() const { value(); return impl_->trainable; }
void Variable::set_trainable(bool t) {
  value();
  impl_->trainable = t;
  impl_->meta->trainable = t;
}
uint64_t Variable::id() const { value(); return impl_->id; }

Variable Variable::share() const {
  value();
  return Variable(impl_);
}

Variable Variable::owner_of(const Tensor& t) {
  if (!t.defined() || !t.impl().autograd) return Variable();
  std::shared_ptr<void> owner = t.impl().autograd->owner.lock();
  if (!owner) return Variable();
  return Variable(std::static_pointer_cast<Impl>(owner));
}

void Variable::notify_assign(const Tensor& value) {
  if (!graph_recording_active()) return;
  StatefulCall call;
  call.kind = "AssignVariableOp";
  call.variables = {this};
  call.run = [](Inputs in, std::span<Tensor>, std::span<Variable* const> vars) { vars[0]->assign(in[0]); };
  notify_stateful(call, Inputs(&value, 1), {});
}

Tensor& Variable::mutable_value() {
  const Tensor& v = value();
  // Copy-on-write: if any snapshot or view still shares the storage, detach.
  if (v.impl_ptr().use_count() > 1 || v.storage().use_count() > 1 || !v.is_contiguous())
    impl_->set_value(deep_copy(v));
  return impl_->value;
}

namespace {
void check_assignable(const Variable& v, const Tensor& t, const char* what) {
  NB_CHECK(t.defined(), InvalidArgument, what, ": value is an undefined tensor");
  NB_CHECK(t.dtype() == v.dtype(), InvalidArgument, what, ": variable ", v.name(), " has dtype ",
           dtype_name(v.dtype()), " but the value has dtype ", dtype_name(t.dtype()));
  NB_CHECK(t.shape() == v.shape(), InvalidArgument, what, ": variable ", v.name(), " has shape ",
           v.shape().str(), " but the value has shape ", t.shape().str());
}
}  // namespace

Variable& Variable::assign(const Tensor& t) {
  check_assignable(*this, t, "assign");
  detail::copy_into(mutable_value(), t);
  notify_assign(t);
  return *this;
}
Variable& Variable::assign_add(const Tensor& d) {
  check_assignable(*this, d, "assign_add");
  Tensor sum = add(value(), d);
  detail::copy_into(mutable_value(), sum);
  notify_assign(sum);
  return *this;
}
Variable& Variable::assign_sub(const Tensor& d) {
  check_assignable(*this, d, "assign_sub");
  Tensor diff = subtract(value(), d);
  detail::copy_into(mutable_value(), diff);
  notify_assign(diff);
  return *this;
}
Variable& Variable::scatter_nd_update(const Tensor& indices, const Tensor& updates) {
  Tensor updated = nabla::scatter_nd_update(value(), indices, updates);
  detail::copy_into(mutable_value(), updated);
  notify_assign(updated);
  return *this;
}

std::string Variable::str() const {
  const Tensor& v = value();
  std::string vals = v.values_str();
  if (vals.find('\n') != std::string::npos) vals = "\n" + vals;
  return "<nb.Variable '" + name() + "' shape=" + v.shape().tuple_str() + " dtype=" +
         std::string(dtype_name(v.dtype())) + ", numpy=" + vals + ">";
}

std::ostream& operator<<(std::ostream& os, const Variable& v) { return os << v.str(); }

void VariableSlice::assign(const Tensor& value) {
  Tensor& target = var_->mutable_value();
  Tensor view = target.index(index_);
  NB_CHECK(value.defined(), InvalidArgument, "slice assign: value is an undefined tensor");
  NB_CHECK(value.dtype() == view.dtype(), InvalidArgument, "slice assign: variable has dtype ",
           dtype_name(view.dtype()), " but the value has dtype ", dtype_name(value.dtype()));
  const Shape b = broadcast_shapes(view.shape(), value.shape(), nullptr);
  NB_CHECK(b == view.shape(), InvalidArgument, "slice assign: cannot broadcast value of shape ",
           value.shape().str(), " to the slice's shape ", view.shape().str());
  detail::copy_into(view, value);
  if (graph_recording_active()) {
    StatefulCall call;
    call.kind = "AssignSliceOp";
    call.variables = {var_};
    call.savable = false;  // the index is a C++ object
    call.run = [index = index_](Inputs in, std::span<Tensor>, std::span<Variable* const> vars) {
      vars[0]->index(index).assign(in[0]);
    };
    notify_stateful(call, Inputs(&value, 1), {});
  }
}

void VariableSlice::assign(Scalar value) {
  Tensor& target = var_->mutable_value();
  Tensor view = target.index(index_);
  detail::copy_into(view, scalar_like(value, view));
  if (graph_recording_active()) {
    StatefulCall call;
    call.kind = "AssignSliceOp";
    call.variables = {var_};
    call.savable = false;
    call.run = [index = index_, value](Inputs, std::span<Tensor>, std::span<Variable* const> vars) {
      vars[0]->index(index).assign(value);
    };
    notify_stateful(call, {}, {});
  }
}

Tensor VariableSlice::value() const { return var_->value().index(index_); }

}  // namespace nabla
