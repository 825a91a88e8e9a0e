// ActivationArg: an activation given by Keras name ("relu") or as a C++ function.
#pragma once
#include <functional>
#include <string>
#include "nabla/core/tensor.h"

namespace nabla {

class ActivationArg {
 public:
  using Fn = std::function<Tensor(const Tensor&)>;
  ActivationArg() = default;
  ActivationArg(const char* name) : name_(name) {}          // NOLINT: implicit by design
  ActivationArg(std::string name) : name_(std::move(name)) {}  // NOLINT
  ActivationArg(Fn fn) : fn_(std::move(fn)) {}              // NOLINT
  ActivationArg(Tensor (*fn)(const Tensor&)) : fn_(fn) {}   // NOLINT: e.g. nb::activations::relu
  // The name ("linear" when none; "custom" for a C++ function).
  std::string name() const { return fn_ ? "custom" : (name_.empty() ? "linear" : name_); }
  bool is_linear() const { return !fn_ && (name_.empty() || name_ == "linear"); }
  // The function; InvalidArgument for an unknown name.
  Fn resolve() const;
 private:
  std::string name_;
  Fn fn_;
};

}  // namespace nabla
