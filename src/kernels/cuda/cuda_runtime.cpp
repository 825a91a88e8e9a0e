// The CUDA back end's DeviceRuntime: devices, caching allocators, streams and
// host<->device copies (see core/device_runtime.h and cuda_context.h).
#include <array>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/caching_allocator.h"
#include "core/device_runtime.h"
#include "kernels/cuda/cuda_context.h"
#include "nabla/core/error.h"

namespace nabla::cuda_backend {

void check(cudaError_t status, const char* what) {
  if (status == cudaSuccess) return;
  throw Internal(detail::str_cat("CUDA error in ", what, ": ", cudaGetErrorName(status), " (",
                                 cudaGetErrorString(status), ")"));
}

void check(cublasStatus_t status, const char* what) {
  if (status == CUBLAS_STATUS_SUCCESS) return;
  throw Internal(detail::str_cat("cuBLAS error in ", what, ": status ", int(status)));
}

namespace {

constexpr int kMaxDevices = 64;

class CudaRuntime final : public detail::DeviceRuntime {
 public:
  int device_count() override {
    std::call_once(count_once_, [&] {
      int n = 0;
      const cudaError_t st = cudaGetDeviceCount(&n);
      if (st != cudaSuccess) {
        reason_ = detail::str_cat("the CUDA runtime reports ", cudaGetErrorName(st), ": ", cudaGetErrorString(st));
        (void)cudaGetLastError();  // clear the sticky error
        n = 0;
      } else if (n == 0) {
        reason_ = "no CUDA-capable device is detected";
      }
      count_ = std::min(n, kMaxDevices);
    });
    return count_;
  }

  std::string unavailable_reason() override {
    return device_count() == 0 ? reason_ : std::string();
  }

  PhysicalDevice properties(int index) override {
    cudaDeviceProp p{};
    check(cudaGetDeviceProperties(&p, index), "cudaGetDeviceProperties");
    PhysicalDevice d;
    d.name = "/physical_device:GPU:" + std::to_string(index);
    d.device_type = "GPU";
    d.device = Device::cuda(index);
    d.description = detail::str_cat(p.name, ", compute capability ", p.major, ".", p.minor);
    d.memory_bytes = int64_t(p.totalGlobalMem);
    return d;
  }

  Allocator& allocator(int index) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto& a = allocators_[size_t(index)];
    if (!a) {
      // Process lifetime (tensors in static objects may die after main).
      a = new detail::CachingAllocator(  // NOLINT: intentionally leaked
          Device::cuda(index).str(),
          [index](size_t n) -> void* {
            void* p = nullptr;
            check(cudaSetDevice(index), "cudaSetDevice");
            if (cudaMallocAsync(&p, n, stream(index)) != cudaSuccess) {
              (void)cudaGetLastError();
              return nullptr;
            }
            return p;
          },
          [index](void* p) {
            (void)cudaSetDevice(index);
            (void)cudaFreeAsync(p, stream(index));
          },
          int64_t(1) << 62);  // cache without bound; empty_cache() gives memory back
    }
    return *a;
  }

  void copy(void* dst, Device dst_device, const void* src, Device src_device, size_t nbytes) override {
    const int index = dst_device.is_cuda() ? dst_device.index : src_device.index;
    cudaMemcpyKind kind = cudaMemcpyDeviceToDevice;
    if (dst_device.is_cpu()) kind = cudaMemcpyDeviceToHost;
    if (src_device.is_cpu()) kind = cudaMemcpyHostToDevice;
    cudaStream_t s = stream(index);
    if (dst_device.is_cuda() && src_device.is_cuda() && dst_device.index != src_device.index) {
      check(cudaStreamSynchronize(stream(src_device.index)), "cudaStreamSynchronize");
      check(cudaMemcpyPeerAsync(dst, dst_device.index, src, src_device.index, nbytes, s), "cudaMemcpyPeerAsync");
    } else {
      check(cudaMemcpyAsync(dst, src, nbytes, kind, s), "cudaMemcpyAsync");
    }
    // The host may reuse or read its side as soon as this returns.
    check(cudaStreamSynchronize(s), "cudaStreamSynchronize");
  }

  void synchronize(int index) override { check(cudaStreamSynchronize(stream(index)), "cudaStreamSynchronize"); }

 private:
  std::once_flag count_once_;
  int count_ = 0;
  std::string reason_;
  std::mutex mu_;
  std::array<detail::CachingAllocator*, kMaxDevices> allocators_{};
};

struct DeviceState {
  std::once_flag once;
  cudaStream_t stream = nullptr;
  std::mutex ws_mu;
  void* workspace = nullptr;
  size_t workspace_bytes = 0;
};
std::array<DeviceState, kMaxDevices> g_state;

[[maybe_unused]] const bool kRegistered = [] {
  static CudaRuntime runtime;
  detail::register_cuda_runtime(&runtime);
  return true;
}();

}  // namespace

cudaStream_t stream(int index) {
  DeviceState& d = g_state.at(size_t(index));
  check(cudaSetDevice(index), "cudaSetDevice");
  std::call_once(d.once, [&] { check(cudaStreamCreateWithFlags(&d.stream, cudaStreamNonBlocking), "cudaStreamCreate"); });
  return d.stream;
}

cublasLtHandle_t cublaslt() {
  static std::once_flag once;
  static cublasLtHandle_t h = nullptr;
  std::call_once(once, [] { check(cublasLtCreate(&h), "cublasLtCreate"); });
  return h;
}

void* lt_workspace(int index, size_t* bytes) {
  DeviceState& d = g_state.at(size_t(index));
  std::lock_guard<std::mutex> lock(d.ws_mu);
  constexpr size_t kBytes = size_t(32) << 20;  // cuBLASLt's recommendation for Hopper
  if (!d.workspace) check(cudaMallocAsync(&d.workspace, kBytes, stream(index)), "cudaMallocAsync");
  d.workspace_bytes = kBytes;
  *bytes = d.workspace_bytes;
  return d.workspace;
}

}  // namespace nabla::cuda_backend
