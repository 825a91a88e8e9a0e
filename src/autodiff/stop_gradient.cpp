// StopGradient: an identity view that tapes do not differentiate through.
#include "nabla/autodiff/stop_gradient.h"

#include "nabla/ops/registry.h"

namespace nabla {
namespace {

NB_REGISTER_OP(kStopGradient) {
  OpDef d;
  d.name = "StopGradient";
  d.onnx_name = "Identity";
  d.min_inputs = d.max_inputs = 1;
  d.differentiable = false;
  d.is_view = true;
  d.compute = [](Inputs in, const Attrs&) -> TensorList {
    const Tensor& x = in[0];
    return {Tensor::view_of(x, x.shape(), x.strides(), x.offset())};
  };
  return d;
}

}  // namespace

Tensor stop_gradient(const Tensor& x) { return call_op1(kStopGradient, {x}); }

}  // namespace nabla
