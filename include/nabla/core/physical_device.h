// The devices this process can use (tf.config.list_physical_devices).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nabla/core/device.h"

namespace nabla {

// One device, as TensorFlow lists it.
struct PhysicalDevice {
  std::string name;         // "/physical_device:GPU:0"
  std::string device_type;  // "CPU" or "GPU"
  Device device;
  std::string description;  // "NVIDIA H100 80GB HBM3, compute capability 9.0"
  int64_t memory_bytes = 0; // total device memory (0 for the CPU)
};

// The CPU, then every CUDA GPU the driver reports (none in a build without the
// CUDA back end, or on a machine without a GPU or driver). `device_type` "CPU"
// or "GPU" (case-insensitive) filters; "" lists all.
std::vector<PhysicalDevice> list_physical_devices(std::string_view device_type = "");

namespace cuda {
// True when this build has the CUDA back end and its plugin (libnabla_cuda.so,
// next to libnabla) loads. The first call of any function here, or the first
// use of a GPU device, loads it; CPU-only programs never do.
bool is_built();
// Number of usable CUDA GPUs (0 without the back end, a driver or a GPU).
int device_count();
// Why device_count() is 0 ("no CUDA-capable device is detected", "nabla was
// built without CUDA"); "" when GPUs are available.
std::string unavailable_reason();
// Waits until all work queued on GPU `index` is done.
void synchronize(int index = 0);
}  // namespace cuda

}  // namespace nabla
