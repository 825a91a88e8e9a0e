// DeviceRuntime (internal): what a device back end (CUDA, src/kernels/cuda/)
// gives the core. The back end registers one at static initialisation; a build
// without it has none, and every non-CPU device is then reported as missing.
#pragma once
#include <cstddef>
#include <string>

#include "nabla/core/allocator.h"
#include "nabla/core/physical_device.h"
#include "nabla/core/tensor.h"

namespace nabla::detail {

class DeviceRuntime {
 public:
  virtual ~DeviceRuntime() = default;
  // Usable devices (0 when there is no driver or no device).
  virtual int device_count() = 0;
  // Why device_count() is 0; "" otherwise.
  virtual std::string unavailable_reason() = 0;
  virtual PhysicalDevice properties(int index) = 0;
  // The caching allocator of device `index` (< device_count()).
  virtual Allocator& allocator(int index) = 0;
  // Copies `nbytes` from `src` to `dst`; each side is host memory (CPU) or
  // memory of this runtime's device. Returns when `dst` holds the data.
  virtual void copy(void* dst, Device dst_device, const void* src, Device src_device, size_t nbytes) = 0;
  // Waits for all work queued on device `index`.
  virtual void synchronize(int index) = 0;
};

// Registers the runtime of CUDA devices (process lifetime, not owned).
void register_cuda_runtime(DeviceRuntime* runtime);
// The CUDA runtime, or nullptr in a build without the back end.
DeviceRuntime* cuda_runtime();
// InvalidArgument unless `device` exists in this process (the CPU always does).
void check_device_exists(Device device);
// `t` moved to current_device() when that is not the CPU (for the functions that
// make tensors from host values; see DeviceScope).
Tensor to_current_device(const Tensor& t);

}  // namespace nabla::detail
