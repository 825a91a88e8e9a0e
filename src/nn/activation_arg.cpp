#include "nabla/nn/activation_arg.h"

#include "nabla/nn/activations.h"

namespace nabla {

ActivationArg::Fn ActivationArg::resolve() const {
  if (fn_) return fn_;
  return activations::get(name_.empty() ? "linear" : name_);
}

}  // namespace nabla
