// Registers the CUDA reductions (ReduceSum/Mean/Max/Min/Prod/Any/All) and
// Softmax/LogSoftmax (reduce.cu): axes and strides from the Tensors.
#include <span>

#include "kernels/cpu/elementwise_loops.h"  // NB_REGISTER_KERNELS
#include "kernels/cuda/cuda_context.h"
#include "kernels/cuda/dtype_map.h"
#include "kernels/cuda/reduce_launch.h"
#include "nabla/ops/registry.h"
#include "ops/op_util.h"

namespace nabla::cuda_backend {
namespace {

template <ReduceOp op> void reduce(Inputs in, std::span<Tensor> out, const Attrs& a) {
  const Tensor& x = in[0];
  NB_CHECK(x.rank() <= kMaxDims, Unimplemented, "CUDA reductions handle up to ", kMaxDims, " dimensions, got shape ",
           x.shape().str());
  const std::vector<int64_t> axes = ops::normalize_axes(ops::int_list(a, "axes"), x.rank());
  std::vector<bool> reduced(size_t(x.rank()), axes.empty());
  for (int64_t ax : axes) reduced[size_t(ax)] = true;
  ReduceGeometry g;
  g.n_out = out[0].size();
  g.n_red = 1;
  for (int64_t d = 0; d < x.rank(); ++d) {
    const int64_t n = x.shape()[size_t(d)], s = x.strides()[size_t(d)];
    if (reduced[size_t(d)]) {
      g.red_shape[g.red_rank] = n;
      g.red_stride[g.red_rank++] = s;
      g.n_red *= n;
    } else {
      g.kept_shape[g.kept_rank] = n;
      g.kept_stride[g.kept_rank++] = s;
    }
  }
  launch_reduce(op, dt_of(x.dtype()), out[0].mutable_raw_data(), x.raw_data(), g, stream(x.device().index));
}

template <bool log> void softmax(Inputs in, std::span<Tensor> out, const Attrs& a) {
  const Tensor x = in[0].contiguous();
  const int64_t axis = ops::normalize_axes({a.get<int64_t>("axis")}, x.rank()).at(0);
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= x.shape()[size_t(d)];
  for (int64_t d = axis + 1; d < x.rank(); ++d) inner *= x.shape()[size_t(d)];
  launch_softmax(log, dt_of(x.dtype()), out[0].mutable_raw_data(), x.raw_data(), outer, x.shape()[size_t(axis)],
                 inner, stream(x.device().index));
}

template <ReduceOp op> void reg(const char* name) {
  for (DType d : kAllDTypes)
    if (reduce_supported(op, dt_of(d))) register_kernel(name, DeviceType::CUDA, {d}, &reduce<op>);
}

NB_REGISTER_KERNELS(kCudaReduce) {
  reg<ReduceOp::Sum>("ReduceSum");
  reg<ReduceOp::Mean>("ReduceMean");
  reg<ReduceOp::Max>("ReduceMax");
  reg<ReduceOp::Min>("ReduceMin");
  reg<ReduceOp::Prod>("ReduceProd");
  reg<ReduceOp::Any>("ReduceAny");
  reg<ReduceOp::All>("ReduceAll");
  for (DType d : {DType::float32, DType::float64, DType::float16, DType::bfloat16}) {
    register_kernel("Softmax", DeviceType::CUDA, {d}, &softmax<false>);
    register_kernel("LogSoftmax", DeviceType::CUDA, {d}, &softmax<true>);
  }
}

}  // namespace
}  // namespace nabla::cuda_backend
