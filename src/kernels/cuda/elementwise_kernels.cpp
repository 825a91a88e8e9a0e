// Registers the element-wise CUDA kernels (elementwise.cu) for the registry
// ops: the Tensor side (dtypes, broadcasting geometry, the device's stream).
#include <span>
#include <utility>

#include "kernels/cpu/elementwise_loops.h"  // NB_REGISTER_KERNELS
#include "kernels/cuda/cuda_context.h"
#include "kernels/cuda/dtype_map.h"
#include "kernels/cuda/elementwise_launch.h"
#include "nabla/ops/registry.h"

namespace nabla::cuda_backend {
namespace {

// The output's shape; each input's strides aligned to it from the right (0
// where the input broadcasts).
Geometry geometry(const Tensor& out, Inputs in) {
  Geometry g;
  const Shape& s = out.shape();
  NB_CHECK(s.size() <= size_t(kMaxDims), Unimplemented, "CUDA element-wise kernels handle up to ", kMaxDims,
           " dimensions, got shape ", s.str());
  g.rank = int(s.size());
  g.operands = int(in.size()) + 1;
  g.n = out.size();
  g.contiguous = out.is_contiguous();
  for (int d = 0; d < g.rank; ++d) {
    g.shape[d] = s[size_t(d)];
    g.stride[0][d] = out.strides()[size_t(d)];
  }
  for (size_t k = 0; k < in.size(); ++k) {
    const Tensor& t = in[k];
    g.contiguous = g.contiguous && t.shape() == s && t.is_contiguous();
    const int shift = g.rank - int(t.rank());
    for (int d = 0; d < g.rank; ++d) {
      const int td = d - shift;
      g.stride[k + 1][d] = (td < 0 || t.shape()[size_t(td)] == 1) ? 0 : t.strides()[size_t(td)];
    }
  }
  return g;
}

cudaStream_t stream_of(const Tensor& t) { return stream(t.device().index); }

template <UnaryOp op> void unary(Inputs in, std::span<Tensor> out, const Attrs&) {
  launch_unary(op, dt_of(in[0].dtype()), out[0].mutable_raw_data(), in[0].raw_data(), geometry(out[0], in),
               stream_of(out[0]));
}

template <BinaryOp op> void binary(Inputs in, std::span<Tensor> out, const Attrs&) {
  launch_binary(op, dt_of(in[0].dtype()), out[0].mutable_raw_data(), in[0].raw_data(), in[1].raw_data(),
                geometry(out[0], in), stream_of(out[0]));
}

void cast(Inputs in, std::span<Tensor> out, const Attrs&) {
  launch_cast(dt_of(out[0].dtype()), dt_of(in[0].dtype()), out[0].mutable_raw_data(), in[0].raw_data(),
              geometry(out[0], in), stream_of(out[0]));
}

void select(Inputs in, std::span<Tensor> out, const Attrs&) {
  launch_select(dt_of(out[0].dtype()), out[0].mutable_raw_data(), in[0].raw_data(), in[1].raw_data(),
                in[2].raw_data(), geometry(out[0], in), stream_of(out[0]));
}

template <UnaryOp op> void reg_unary(const char* name) {
  for (DType d : kAllDTypes)
    if (unary_supported(op, dt_of(d))) register_kernel(name, DeviceType::CUDA, {d}, &unary<op>);
}
template <BinaryOp op> void reg_binary(const char* name) {
  for (DType d : kAllDTypes)
    if (binary_supported(op, dt_of(d))) register_kernel(name, DeviceType::CUDA, {d}, &binary<op>);
}

NB_REGISTER_KERNELS(kCudaElementwise) {
  reg_unary<UnaryOp::Neg>("Neg");
  reg_unary<UnaryOp::Abs>("Abs");
  reg_unary<UnaryOp::Sign>("Sign");
  reg_unary<UnaryOp::Square>("Square");
  reg_unary<UnaryOp::Sqrt>("Sqrt");
  reg_unary<UnaryOp::Rsqrt>("Rsqrt");
  reg_unary<UnaryOp::Exp>("Exp");
  reg_unary<UnaryOp::Log>("Log");
  reg_unary<UnaryOp::Log1p>("Log1p");
  reg_unary<UnaryOp::Expm1>("Expm1");
  reg_unary<UnaryOp::Sin>("Sin");
  reg_unary<UnaryOp::Cos>("Cos");
  reg_unary<UnaryOp::Tan>("Tan");
  reg_unary<UnaryOp::Tanh>("Tanh");
  reg_unary<UnaryOp::Sigmoid>("Sigmoid");
  reg_unary<UnaryOp::Relu>("Relu");
  reg_unary<UnaryOp::Erf>("Erf");
  reg_unary<UnaryOp::Round>("Round");
  reg_unary<UnaryOp::Floor>("Floor");
  reg_unary<UnaryOp::Ceil>("Ceil");
  reg_unary<UnaryOp::LogicalNot>("LogicalNot");
  reg_binary<BinaryOp::Add>("Add");
  reg_binary<BinaryOp::Sub>("Sub");
  reg_binary<BinaryOp::Mul>("Mul");
  reg_binary<BinaryOp::Div>("Div");
  reg_binary<BinaryOp::Maximum>("Maximum");
  reg_binary<BinaryOp::Minimum>("Minimum");
  reg_binary<BinaryOp::Pow>("Pow");
  reg_binary<BinaryOp::Equal>("Equal");
  reg_binary<BinaryOp::NotEqual>("NotEqual");
  reg_binary<BinaryOp::Less>("Less");
  reg_binary<BinaryOp::LessEqual>("LessEqual");
  reg_binary<BinaryOp::Greater>("Greater");
  reg_binary<BinaryOp::GreaterEqual>("GreaterEqual");
  reg_binary<BinaryOp::LogicalAnd>("LogicalAnd");
  reg_binary<BinaryOp::LogicalOr>("LogicalOr");
  reg_binary<BinaryOp::LogicalXor>("LogicalXor");
  for (DType d : kAllDTypes) {
    register_kernel("Cast", DeviceType::CUDA, {d}, &cast);
    register_kernel("Select", DeviceType::CUDA, {d}, &select);
  }
}

}  // namespace
}  // namespace nabla::cuda_backend
