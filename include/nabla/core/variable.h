// Variable: a mutable tensor (tf.Variable). Reading gives an immutable Tensor
// snapshot; assign/assign_add/assign_sub, slice assignment and
// scatter_nd_update change the value in place when no snapshot shares its
// memory, else copy-on-write, so earlier reads never change.
//
// Copying a Variable creates a new variable holding a copy of the value
// (like tf.Variable(other)); moves keep the identity. Pass variables by
// reference to share them.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nabla/core/tensor.h"
#include "nabla/ops/creation.h"

namespace nabla {

struct VariableOptions {
  std::string name = {};
  bool trainable = true;
};

class Variable;

// The target of slice assignment: v.index({0, 1}).assign(42), v[":, 2"].assign(t).
class VariableSlice {
 public:
  VariableSlice(Variable& var, std::vector<TensorIndex> index) : var_(&var), index_(std::move(index)) {}
  // Writes `value` (broadcast to the slice's shape, same dtype) into the slice.
  void assign(const Tensor& value);
  // Writes the scalar (converted to the variable's dtype) into every element.
  void assign(Scalar value);
  // The current values of the slice.
  Tensor value() const;
  operator Tensor() const { return value(); }  // NOLINT

 private:
  Variable* var_;  // non-owning: a slice proxy lives in one expression
  std::vector<TensorIndex> index_;
};

class Variable {
 public:
  Variable() = default;
  // Holds a copy of `initial` (shape and dtype fixed from now on).
  explicit Variable(const Tensor& initial, VariableOptions options = {});
  template <typename T> requires std::is_arithmetic_v<T>
  explicit Variable(T v, VariableOptions options = {}) : Variable(constant(v), std::move(options)) {}
  template <typename T>
  Variable(std::initializer_list<T> v, VariableOptions options = {}) : Variable(constant(v), std::move(options)) {}
  template <typename T>
  Variable(std::initializer_list<std::initializer_list<T>> v, VariableOptions options = {}) : Variable(constant(v), std::move(options)) {}
  template <typename T>
  Variable(std::initializer_list<std::initializer_list<std::initializer_list<T>>> v, VariableOptions options = {}) : Variable(constant(v), std::move(options)) {}
  Variable(const Variable& other);  // a new variable with a copy of the value
  Variable& operator=(const Variable& other);
  Variable(Variable&&) noexcept = default;
  Variable& operator=(Variable&&) noexcept = default;

  bool defined() const { return impl_ != nullptr; }
  // The current value (an immutable snapshot).
  const Tensor& value() const;
  operator const Tensor&() const { return value(); }  // NOLINT: reads like a tensor
  const Shape& shape() const { return value().shape(); }
  DType dtype() const { return value().dtype(); }
  int64_t rank() const { return value().rank(); }
  int64_t size() const { return value().size(); }
  const std::string& name() const;
  bool trainable() const;
  void set_trainable(bool t);
  // Unique id of this variable (stable for its lifetime).
  uint64_t id() const;
  // A second handle to this same variable (not a copy: assignments through either
  // are seen by both). nb::function graphs hold variables this way.
  Variable share() const;
  // The variable whose value `t` is (a shared handle), or an undefined Variable when
  // `t` is not a variable's current or earlier value or the variable is gone.
  static Variable owner_of(const Tensor& t);

  // v = value; value must have the variable's shape and dtype (InvalidArgument otherwise).
  Variable& assign(const Tensor& value);
  Variable& assign_add(const Tensor& delta);
  Variable& assign_sub(const Tensor& delta);
  template <typename T> Variable& assign(std::initializer_list<T> v) { return assign(constant(v, dtype())); }
  template <typename T> Variable& assign(std::initializer_list<std::initializer_list<T>> v) { return assign(constant(v, dtype())); }
  template <typename T> Variable& assign_add(std::initializer_list<T> v) { return assign_add(constant(v, dtype())); }
  template <typename T> Variable& assign_sub(std::initializer_list<T> v) { return assign_sub(constant(v, dtype())); }
  // v[indices[i]] = updates[i] (tf.Variable.scatter_nd_update).
  Variable& scatter_nd_update(const Tensor& indices, const Tensor& updates);

  VariableSlice index(std::vector<TensorIndex> indices) { return VariableSlice(*this, std::move(indices)); }
  VariableSlice operator[](std::string_view spec) { return VariableSlice(*this, parse_index(spec)); }

  std::string str() const;

  // Storage that may be written in place (copy-on-write if shared). For
  // optimisers and slice assignment.
  Tensor& mutable_value();

 private:
  struct Impl;
  explicit Variable(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  // Tells a graph recorder that the value was replaced by `value` (kind: "AssignVariableOp").
  void notify_assign(const Tensor& value);
  std::shared_ptr<Impl> impl_;
};

std::ostream& operator<<(std::ostream& os, const Variable& v);

}  // namespace nabla
