#include "nabla/autodiff/custom_gradient.h"

#include "nabla/ops/registry.h"
#include "nabla/ops/shape_ops.h"

namespace nabla {

TensorList call_with_custom_gradient(const TensorList& inputs,
                                     const std::function<CustomGradientResult(const TensorList&)>& forward) {
  NB_CHECK(forward != nullptr, InvalidArgument, "custom_gradient: the forward function is empty");
  CustomGradientResult r;
  {
    // The forward's own ops are not taped (graph recorders still see them).
    PauseOpObservers pause(PauseScope::tapes);
    r = forward(inputs);
  }
  NB_CHECK(r.backward != nullptr, InvalidArgument, "custom_gradient: the forward function returned no backward function");
  // Fresh handles, so the outputs are distinct from the inputs on the tape
  // even when the forward returns an input unchanged.
  TensorList outs;
  outs.reserve(r.outputs.size());
  for (size_t i = 0; i < r.outputs.size(); ++i) {
    const Tensor& t = r.outputs[i];
    NB_CHECK(t.defined(), InvalidArgument, "custom_gradient: output #", i, " is an undefined tensor");
    // Through the Identity op while a graph recorder listens, so that it sees the link.
    outs.push_back(graph_recording_active() ? identity(t) : Tensor::view_of(t, t.shape(), t.strides(), t.offset()));
  }
  if (observers_active()) {
    const size_t n_in = inputs.size();
    auto user = std::make_shared<CustomBackward>(std::move(r.backward));
    auto checked = std::make_shared<const CustomBackward>([user, n_in](const TensorList& gs) {
      TensorList g = (*user)(gs);
      NB_CHECK(g.size() == n_in, InvalidArgument, "custom_gradient: the backward function returned ",
               g.size(), " gradients for ", n_in, " inputs");
      return g;
    });
    notify_custom_gradient(inputs, outs, checked);
  }
  return outs;
}

std::function<Tensor(const Tensor&)> custom_gradient(std::function<CustomGradientResult1(const Tensor&)> f) {
  NB_CHECK(f != nullptr, InvalidArgument, "custom_gradient: the function is empty");
  return [f = std::move(f)](const Tensor& x) {
    TensorList out = call_with_custom_gradient({x}, [&f](const TensorList& in) {
      CustomGradientResult1 r = f(in[0]);
      NB_CHECK(r.backward != nullptr, InvalidArgument, "custom_gradient: the function returned no backward function");
      return CustomGradientResult{{r.output}, [bw = std::move(r.backward)](const TensorList& gs) {
                                    return TensorList{bw(gs[0])};
                                  }};
    });
    return out[0];
  };
}

}  // namespace nabla
