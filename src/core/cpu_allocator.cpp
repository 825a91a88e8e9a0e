// The CPU allocator: a CachingAllocator over aligned_alloc (64-byte aligned),
// caching at most 2 GiB of freed blocks; and get_allocator's device dispatch.
#include <cstdlib>

#include "core/caching_allocator.h"
#include "core/device_runtime.h"

namespace nabla {

Allocator& get_allocator(Device device) {
  // Intentionally leaked: tensors in static objects may be freed after main.
  static Allocator* cpu = new detail::CachingAllocator(  // NOLINT: process lifetime
      "CPU:0", [](size_t n) { return std::aligned_alloc(64, n); }, [](void* p) { std::free(p); },
      int64_t(2) << 30);
  if (device.is_cpu()) return *cpu;
  detail::check_device_exists(device);
  return detail::cuda_runtime()->allocator(device.index);
}

}  // namespace nabla
