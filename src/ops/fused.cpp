// Fused ops that only nb::function's fusion pass creates (src/graph/fusion.cpp);
// the kernels are in src/kernels/cpu/fused_kernels.cpp. They have no gradient:
// fusion runs on graphs whose backward pass is already recorded.
//
// FusedMatMul(a, b, bias): activation(matmul(a, b) + bias) for rank-2 a and b and
//   a rank-1 bias of the output's last dimension; attrs transpose_a, transpose_b
//   (as BatchMatMulV2) and activation ("" or "relu").
// FusedElementwise(x0, x1, ...): one float32 loop computing a small program of
//   element-wise ops (bool and uint8 inputs are converted to float32 as they are read) (see FusedOpcode in ops/fused.h); attrs "program" (5 integers
//   per instruction: opcode, destination, a, b, c registers; registers 0..n-1 are
//   the inputs), "modes" (per input: 0 same shape as the output, 1 a single value
//   broadcast, 2 a vector broadcast along the last dimension), "shape" (the output's).
#include "ops/fused.h"

#include "nabla/ops/registry.h"
#include "ops/op_util.h"

namespace nabla {
namespace {

NB_REGISTER_OP(kFusedMatMul) {
  OpDef d;
  d.name = "FusedMatMul";
  d.min_inputs = d.max_inputs = 3;
  d.attr_names = {"transpose_a", "transpose_b", "activation"};
  d.differentiable = false;
  d.infer = [](Inputs in, const Attrs& a) -> std::vector<TensorSpec> {
    const OpDef* mm = find_op("BatchMatMulV2");
    NB_CHECK(mm != nullptr, Internal, "BatchMatMulV2 is not registered");
    NB_CHECK(in[0].rank() == 2 && in[1].rank() == 2, InvalidArgument, "FusedMatMul takes rank-2 operands, got ",
             in[0].shape().str(), " and ", in[1].shape().str());
    std::vector<TensorSpec> s = mm->infer(in.subspan(0, 2), a);
    const int64_t n = s[0].shape.back();
    NB_CHECK(in[2].rank() == 1 && in[2].shape()[0] == n && in[2].dtype() == in[0].dtype(), InvalidArgument,
             "FusedMatMul: the bias must be a vector of ", n, " ", dtype_name(in[0].dtype()), ", got ",
             dtype_name(in[2].dtype()), in[2].shape().str());
    const std::string act = a.get_or<std::string>("activation", "");
    NB_CHECK(act.empty() || act == "relu", InvalidArgument, "FusedMatMul: unknown activation '", act, "'");
    return s;
  };
  return d;
}

NB_REGISTER_OP(kFusedElementwise) {
  OpDef d;
  d.name = "FusedElementwise";
  d.min_inputs = 1;
  d.max_inputs = -1;
  d.attr_names = {"program", "modes", "shape"};
  d.differentiable = false;
  d.half_via_float = false;
  d.kernel_dtype = [](Inputs, const Attrs&) { return DType::float32; };
  d.infer = [](Inputs in, const Attrs& a) -> std::vector<TensorSpec> {
    const std::vector<int64_t>& shape = a.get<std::vector<int64_t>>("shape");
    const std::vector<int64_t>& modes = a.get<std::vector<int64_t>>("modes");
    const std::vector<int64_t>& prog = a.get<std::vector<int64_t>>("program");
    const Shape out(shape.begin(), shape.end());
    NB_CHECK(modes.size() == in.size(), InvalidArgument, "FusedElementwise: ", modes.size(), " modes for ",
             in.size(), " inputs");
    NB_CHECK(!prog.empty() && prog.size() % 5 == 0, InvalidArgument,
             "FusedElementwise: the program must hold 5 integers per instruction, got ", prog.size());
    const int64_t n_regs = int64_t(in.size()) + int64_t(prog.size() / 5);
    NB_CHECK(n_regs <= kFusedMaxRegisters, InvalidArgument, "FusedElementwise: at most ", kFusedMaxRegisters,
             " registers, got ", n_regs);
    for (size_t i = 0; i < prog.size(); i += 5) {
      NB_CHECK(prog[i] >= 0 && prog[i] < int64_t(FusedOpcode::kCount), InvalidArgument,
               "FusedElementwise: unknown opcode ", prog[i]);
      const int64_t dst = int64_t(in.size()) + int64_t(i / 5);
      NB_CHECK(prog[i + 1] == dst, InvalidArgument, "FusedElementwise: instruction ", i / 5,
               " must write register ", dst);
      for (int k = 2; k < 5; ++k)
        NB_CHECK(prog[i + size_t(k)] >= -1 && prog[i + size_t(k)] < dst, InvalidArgument,
                 "FusedElementwise: instruction ", i / 5, " reads register ", prog[i + size_t(k)],
                 " before it is written");
    }
    for (size_t i = 0; i < in.size(); ++i) {
      const Tensor& t = in[i];
      NB_CHECK(t.dtype() == DType::float32 || t.dtype() == DType::bool_ || t.dtype() == DType::uint8,
               InvalidArgument, "FusedElementwise: input #", i, " must be float32, bool or uint8, got ",
               dtype_name(t.dtype()));
      const bool ok = modes[i] == 0   ? t.shape() == out
                      : modes[i] == 1 ? t.size() == 1
                      : modes[i] == 2 ? (t.rank() == 1 && !out.empty() && t.shape()[0] == out.back())
                                      : false;
      NB_CHECK(ok, InvalidArgument, "FusedElementwise: input #", i, " of shape ", t.shape().str(),
               " does not fit mode ", modes[i], " for output shape ", out.str());
    }
    return {{out, DType::float32}};
  };
  return d;
}

}  // namespace
}  // namespace nabla
