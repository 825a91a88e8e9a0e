// CPU kernels of the fused ops (src/ops/fused.cpp).
//
// FusedElementwise interprets its program over blocks of 512 elements: each
// instruction is one tight loop over the block (vectorised by the compiler), so
// the intermediate values stay in L1 and the tensor is read and written once.
// Every opcode computes exactly what the eager kernel of its op computes.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/cpu/elementwise_loops.h"
#include "nabla/core/thread_pool.h"
#include "nabla/ops/registry.h"
#include "ops/fused.h"

namespace nabla::cpu {
namespace {

constexpr int64_t kBlock = 512;

template <typename T> void bias_activation(T* y, const T* bias, int64_t rows, int64_t cols, bool relu) {
  parallel_for(0, rows, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, cols)), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      T* row = y + r * cols;
      if (relu) {
        for (int64_t j = 0; j < cols; ++j) {
          const T v = row[j] + bias[j];
          row[j] = v <= T(0) ? T(0) : v;
        }
      } else {
        for (int64_t j = 0; j < cols; ++j) row[j] = row[j] + bias[j];
      }
    }
  });
}

void fused_matmul(Inputs in, std::span<Tensor> out, const Attrs& a) {
  static const OpDef* mm = find_op("BatchMatMulV2");
  const DType dt = in[0].dtype();
  KernelFn k = mm ? mm->kernel(DeviceType::CPU, dt) : nullptr;
  NB_CHECK(k != nullptr, Internal, "FusedMatMul: no BatchMatMulV2 kernel for ", dtype_name(dt));
  k(in.subspan(0, 2), out, a);
  const Tensor bias = in[2].contiguous();
  const Tensor& y = out[0];
  const int64_t cols = y.shape().back(), rows = cols ? y.size() / cols : 0;
  const bool relu = a.get_or<std::string>("activation", "") == "relu";
  if (dt == DType::float32) bias_activation(y.mutable_data<float>(), bias.data<float>(), rows, cols, relu);
  else bias_activation(y.mutable_data<double>(), bias.data<double>(), rows, cols, relu);
}

// d[0, len) = float(src[start + j]) for a float32, bool or uint8 source (exact).
void convert_run(DType t, const void* src, int64_t start, int64_t len, float* d) {
  if (t == DType::float32) {
    std::memcpy(d, static_cast<const float*>(src) + start, size_t(len) * sizeof(float));
  } else if (t == DType::bool_) {
    const bool* p = static_cast<const bool*>(src) + start;
    for (int64_t j = 0; j < len; ++j) d[j] = p[j] ? 1.0f : 0.0f;
  } else {
    const uint8_t* p = static_cast<const uint8_t*>(src) + start;
    for (int64_t j = 0; j < len; ++j) d[j] = float(p[j]);
  }
}

struct Instr {
  FusedOpcode op;
  int dst, a, b, c;
};

void fused_elementwise(Inputs in, std::span<Tensor> out, const Attrs& attrs) {
  const std::vector<int64_t>& prog = attrs.get<std::vector<int64_t>>("program");
  const std::vector<int64_t>& modes = attrs.get<std::vector<int64_t>>("modes");
  const int n_in = int(in.size());
  const int n_instr = int(prog.size() / 5);
  Instr code[kFusedMaxRegisters];
  for (int i = 0; i < n_instr; ++i)
    code[i] = {FusedOpcode(prog[size_t(5 * i)]), int(prog[size_t(5 * i + 1)]), int(prog[size_t(5 * i + 2)]),
               int(prog[size_t(5 * i + 3)]), int(prog[size_t(5 * i + 4)])};
  // Inputs: float32 read in place, bool and uint8 converted per block, scalars read once.
  Tensor keep[kFusedMaxRegisters];  // contiguous copies of strided inputs (rare)
  const void* base[kFusedMaxRegisters] = {};
  DType dtype[kFusedMaxRegisters] = {};
  float scalar[kFusedMaxRegisters] = {};
  for (int i = 0; i < n_in; ++i) {
    const Tensor& t = in[size_t(i)];
    dtype[i] = t.dtype();
    if (modes[size_t(i)] == 1) {
      convert_run(dtype[i], t.raw_data(), 0, 1, &scalar[i]);
      continue;
    }
    if (t.is_contiguous()) {
      base[i] = t.raw_data();
    } else {
      keep[i] = t.contiguous();
      base[i] = keep[i].raw_data();
    }
  }
  const Tensor& y = out[0];
  float* dst = y.mutable_data<float>();
  const int64_t n = y.size();
  const int64_t row = y.rank() ? y.shape().back() : 1;
  // As the other element-wise kernels: below kElementwiseGrain elements one thread is faster.
  const int64_t grain = std::max<int64_t>(1, kElementwiseGrain / kBlock);
  parallel_for(0, (n + kBlock - 1) / kBlock, grain, [&](int64_t b0, int64_t b1) {
    alignas(64) float regs[kFusedMaxRegisters][kBlock];
    const float* src[kFusedMaxRegisters];
    for (int64_t blk = b0; blk < b1; ++blk) {
      const int64_t start = blk * kBlock, len = std::min(kBlock, n - start);
      for (int i = 0; i < n_in; ++i) {
        const int64_t mode = modes[size_t(i)];
        if (mode == 1) {
          std::fill(regs[i], regs[i] + len, scalar[i]);
          src[i] = regs[i];
        } else if (mode == 0) {
          if (dtype[i] == DType::float32) {
            src[i] = static_cast<const float*>(base[i]) + start;
          } else {
            convert_run(dtype[i], base[i], start, len, regs[i]);
            src[i] = regs[i];
          }
        } else {
          // A vector along the last dimension: copy whole runs of it (no division per element).
          float* d = regs[i];
          int64_t col = start % row, j = 0;
          while (j < len) {
            const int64_t run = std::min(row - col, len - j);
            convert_run(dtype[i], base[i], col, run, d + j);
            j += run;
            col = 0;
          }
          src[i] = regs[i];
        }
      }
      for (int k = 0; k < n_instr; ++k) {
        const Instr& I = code[k];
        float* d = k == n_instr - 1 ? dst + start : regs[I.dst];
        const float* A = I.a >= 0 ? src[I.a] : nullptr;
        const float* B = I.b >= 0 ? src[I.b] : nullptr;
        const float* C = I.c >= 0 ? src[I.c] : nullptr;
        switch (I.op) {
          case FusedOpcode::Add: for (int64_t j = 0; j < len; ++j) d[j] = A[j] + B[j]; break;
          case FusedOpcode::Sub: for (int64_t j = 0; j < len; ++j) d[j] = A[j] - B[j]; break;
          case FusedOpcode::Mul: for (int64_t j = 0; j < len; ++j) d[j] = A[j] * B[j]; break;
          case FusedOpcode::Div: for (int64_t j = 0; j < len; ++j) d[j] = A[j] / B[j]; break;
          case FusedOpcode::Maximum:
            for (int64_t j = 0; j < len; ++j) d[j] = ((A[j] > B[j]) | (A[j] != A[j])) ? A[j] : B[j];
            break;
          case FusedOpcode::Minimum:
            for (int64_t j = 0; j < len; ++j) d[j] = ((A[j] < B[j]) | (A[j] != A[j])) ? A[j] : B[j];
            break;
          case FusedOpcode::Neg: for (int64_t j = 0; j < len; ++j) d[j] = -A[j]; break;
          case FusedOpcode::Relu: for (int64_t j = 0; j < len; ++j) d[j] = A[j] <= 0.0f ? 0.0f : A[j]; break;
          case FusedOpcode::Abs: for (int64_t j = 0; j < len; ++j) d[j] = std::fabs(A[j]); break;
          case FusedOpcode::Square: for (int64_t j = 0; j < len; ++j) d[j] = A[j] * A[j]; break;
          case FusedOpcode::Sqrt: for (int64_t j = 0; j < len; ++j) d[j] = std::sqrt(A[j]); break;
          case FusedOpcode::Greater: for (int64_t j = 0; j < len; ++j) d[j] = A[j] > B[j] ? 1.0f : 0.0f; break;
          case FusedOpcode::GreaterEqual:
            for (int64_t j = 0; j < len; ++j) d[j] = A[j] >= B[j] ? 1.0f : 0.0f;
            break;
          case FusedOpcode::Less: for (int64_t j = 0; j < len; ++j) d[j] = A[j] < B[j] ? 1.0f : 0.0f; break;
          case FusedOpcode::LessEqual: for (int64_t j = 0; j < len; ++j) d[j] = A[j] <= B[j] ? 1.0f : 0.0f; break;
          case FusedOpcode::Select: for (int64_t j = 0; j < len; ++j) d[j] = A[j] != 0.0f ? B[j] : C[j]; break;
          case FusedOpcode::kCount: break;
        }
        src[I.dst] = d;
      }
    }
  });
}

NB_REGISTER_KERNELS(kFusedKernels) {
  register_kernel("FusedMatMul", DeviceType::CPU, {DType::float32, DType::float64}, &fused_matmul);
  register_kernel("FusedElementwise", DeviceType::CPU, {DType::float32}, &fused_elementwise);
}

}  // namespace
}  // namespace nabla::cpu
