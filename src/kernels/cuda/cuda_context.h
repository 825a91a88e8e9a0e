// The CUDA back end's per-device state (internal): one stream per device (all
// nabla work on a device is ordered on it, so the caching allocator can hand a
// freed block to the next kernel without an event), a cuBLASLt handle and its
// workspace. Every CUDA call's status goes through check().
#pragma once
#include <cublasLt.h>
#include <cuda_runtime_api.h>

#include <cstddef>

namespace nabla::cuda_backend {

// InternalError naming `what` and CUDA's message unless `status` is cudaSuccess.
void check(cudaError_t status, const char* what);
// The same for cuBLAS(Lt).
void check(cublasStatus_t status, const char* what);
// The stream of device `index` (created on first use; makes `index` current).
cudaStream_t stream(int index);
// The process's cuBLASLt handle (created on first use).
cublasLtHandle_t cublaslt();
// A workspace for cuBLASLt on device `index` (grown on demand; stream-ordered).
void* lt_workspace(int index, size_t* bytes);

}  // namespace nabla::cuda_backend
