// MatMul on CUDA through cuBLASLt: BatchMatMulV2 and FusedMatMul (bias, and
// ReLU, as the epilogue of the same call). Row-major C = op(A) op(B) is computed
// as column-major C^T = op(B)^T op(A)^T, so A and B swap places. float32 and
// float64 compute in their own precision (no TF32: results match the CPU's);
// float16/bfloat16 compute in float32.
#include <cublasLt.h>

#include <memory>
#include <span>

#include "kernels/cpu/elementwise_loops.h"  // NB_REGISTER_KERNELS
#include "kernels/cuda/cuda_context.h"
#include "nabla/ops/registry.h"

namespace nabla::cuda_backend {
namespace {

struct LtTypes {
  cudaDataType_t data;
  cublasComputeType_t compute;
  cudaDataType_t scale;
};

LtTypes lt_types(DType d) {
  switch (d) {
    case DType::float64: return {CUDA_R_64F, CUBLAS_COMPUTE_64F, CUDA_R_64F};
    case DType::float16: return {CUDA_R_16F, CUBLAS_COMPUTE_32F, CUDA_R_32F};
    case DType::bfloat16: return {CUDA_R_16BF, CUBLAS_COMPUTE_32F, CUDA_R_32F};
    default: return {CUDA_R_32F, CUBLAS_COMPUTE_32F, CUDA_R_32F};
  }
}

// RAII holders of the cuBLASLt descriptors.
struct DescDeleter {
  void operator()(cublasLtMatmulDescOpaque_t* d) const { cublasLtMatmulDescDestroy(d); }
  void operator()(cublasLtMatrixLayoutOpaque_t* l) const { cublasLtMatrixLayoutDestroy(l); }
  void operator()(cublasLtMatmulPreferenceOpaque_t* p) const { cublasLtMatmulPreferenceDestroy(p); }
};
template <typename T> using Owned = std::unique_ptr<T, DescDeleter>;

// A column-major rows x cols matrix (leading dimension ld), `batch` of them
// `stride` elements apart (stride 0: one matrix broadcast over the batch).
Owned<cublasLtMatrixLayoutOpaque_t> layout(cudaDataType_t t, uint64_t rows, uint64_t cols, int64_t ld,
                                           int32_t batch, int64_t stride) {
  cublasLtMatrixLayout_t l = nullptr;
  check(cublasLtMatrixLayoutCreate(&l, t, rows, cols, ld), "cublasLtMatrixLayoutCreate");
  Owned<cublasLtMatrixLayoutOpaque_t> owned(l);
  check(cublasLtMatrixLayoutSetAttribute(l, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &batch, sizeof(batch)), "layout batch");
  check(cublasLtMatrixLayoutSetAttribute(l, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &stride, sizeof(stride)),
        "layout stride");
  return owned;
}

int64_t batch_of(const Tensor& t) {
  int64_t b = 1;
  for (int64_t d = 0; d + 2 < t.rank(); ++d) b *= t.shape()[size_t(d)];
  return b;
}

// out = op(a) op(b) (+ bias) (then ReLU); a, b: [..., M, K] / [..., K, N].
void matmul(const Tensor& a_in, const Tensor& b_in, const Tensor* bias, bool relu, const Attrs& at, Tensor& out) {
  const Tensor a = a_in.contiguous(), b = b_in.contiguous();
  const bool ta = at.get_or<bool>("transpose_a", false), tb = at.get_or<bool>("transpose_b", false);
  const int64_t ar = a.rank();
  const int64_t M = out.shape()[size_t(out.rank() - 2)], N = out.shape()[size_t(out.rank() - 1)];
  const int64_t K = ta ? a.shape()[size_t(ar - 2)] : a.shape()[size_t(ar - 1)];
  const int64_t batch = batch_of(out), ba = batch_of(a), bb = batch_of(b);
  NB_CHECK((ba == batch || ba == 1) && (bb == batch || bb == 1), Unimplemented,
           "CUDA BatchMatMul broadcasts a batch of one matrix only; got batch shapes of ", a.shape().str(), " and ",
           b.shape().str());
  const LtTypes t = lt_types(out.dtype());
  cublasLtMatmulDesc_t desc_raw = nullptr;
  check(cublasLtMatmulDescCreate(&desc_raw, t.compute, t.scale), "cublasLtMatmulDescCreate");
  Owned<cublasLtMatmulDescOpaque_t> desc(desc_raw);
  // Column-major view: C^T (N x M) = op(B)^T (N x K) * op(A)^T (K x M).
  const cublasOperation_t op_b = tb ? CUBLAS_OP_T : CUBLAS_OP_N, op_a = ta ? CUBLAS_OP_T : CUBLAS_OP_N;
  check(cublasLtMatmulDescSetAttribute(desc_raw, CUBLASLT_MATMUL_DESC_TRANSA, &op_b, sizeof(op_b)), "transa");
  check(cublasLtMatmulDescSetAttribute(desc_raw, CUBLASLT_MATMUL_DESC_TRANSB, &op_a, sizeof(op_a)), "transb");
  if (bias) {
    const cublasLtEpilogue_t epi = relu ? CUBLASLT_EPILOGUE_RELU_BIAS : CUBLASLT_EPILOGUE_BIAS;
    const void* ptr = bias->raw_data();
    check(cublasLtMatmulDescSetAttribute(desc_raw, CUBLASLT_MATMUL_DESC_EPILOGUE, &epi, sizeof(epi)), "epilogue");
    check(cublasLtMatmulDescSetAttribute(desc_raw, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &ptr, sizeof(ptr)), "bias");
  } else if (relu) {
    const cublasLtEpilogue_t epi = CUBLASLT_EPILOGUE_RELU;
    check(cublasLtMatmulDescSetAttribute(desc_raw, CUBLASLT_MATMUL_DESC_EPILOGUE, &epi, sizeof(epi)), "epilogue");
  }
  // Row-major B (K x N, or N x K when transposed) is column-major N x K (K x N).
  auto lb = layout(t.data, tb ? K : N, tb ? N : K, tb ? K : N, int32_t(batch), bb == 1 ? 0 : K * N);
  auto la = layout(t.data, ta ? M : K, ta ? K : M, ta ? M : K, int32_t(batch), ba == 1 ? 0 : M * K);
  auto lc = layout(t.data, N, M, N, int32_t(batch), M * N);
  const int index = out.device().index;
  size_t ws_bytes = 0;
  void* ws = lt_workspace(index, &ws_bytes);
  cublasLtMatmulPreference_t pref_raw = nullptr;
  check(cublasLtMatmulPreferenceCreate(&pref_raw), "cublasLtMatmulPreferenceCreate");
  Owned<cublasLtMatmulPreferenceOpaque_t> pref(pref_raw);
  check(cublasLtMatmulPreferenceSetAttribute(pref_raw, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws_bytes,
                                             sizeof(ws_bytes)),
        "workspace preference");
  cublasLtMatmulHeuristicResult_t heur{};
  int found = 0;
  check(cublasLtMatmulAlgoGetHeuristic(cublaslt(), desc_raw, lb.get(), la.get(), lc.get(), lc.get(), pref_raw, 1, &heur,
                                       &found),
        "cublasLtMatmulAlgoGetHeuristic");
  NB_CHECK(found > 0, Unimplemented, "cuBLASLt has no algorithm for this matmul (", a.shape().str(), " x ",
           b.shape().str(), ", ", dtype_name(out.dtype()), ")");
  const double one64 = 1.0, zero64 = 0.0;
  const float one32 = 1.0f, zero32 = 0.0f;
  const bool f64 = out.dtype() == DType::float64;
  check(cublasLtMatmul(cublaslt(), desc_raw, f64 ? static_cast<const void*>(&one64) : &one32, b.raw_data(), lb.get(),
                       a.raw_data(), la.get(), f64 ? static_cast<const void*>(&zero64) : &zero32, out.mutable_raw_data(),
                       lc.get(), out.mutable_raw_data(), lc.get(), &heur.algo, ws, ws_bytes, stream(index)),
        "cublasLtMatmul");
}

void batch_matmul(Inputs in, std::span<Tensor> out, const Attrs& a) { matmul(in[0], in[1], nullptr, false, a, out[0]); }

void fused_matmul(Inputs in, std::span<Tensor> out, const Attrs& a) {
  matmul(in[0], in[1], &in[2], a.get_or<std::string>("activation", "") == "relu", a, out[0]);
}

NB_REGISTER_KERNELS(kCudaMatMul) {
  for (DType d : {DType::float32, DType::float64, DType::float16, DType::bfloat16}) {
    register_kernel("BatchMatMulV2", DeviceType::CUDA, {d}, &batch_matmul);
    register_kernel("FusedMatMul", DeviceType::CUDA, {d}, &fused_matmul);
  }
}

}  // namespace
}  // namespace nabla::cuda_backend
