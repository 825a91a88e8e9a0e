// Allocator: device memory with a caching layer (DESIGN.md §6). Freed blocks
// go back to a per-size cache so steady-state training does not call malloc.
#pragma once
#include <cstddef>
#include <cstdint>

#include "nabla/core/device.h"

namespace nabla {

// Counters of an allocator, in bytes.
struct AllocatorStats {
  int64_t bytes_in_use = 0;      // handed out and not yet freed
  int64_t peak_bytes_in_use = 0; // maximum of bytes_in_use since start/reset
  int64_t bytes_cached = 0;      // freed, kept for reuse
  int64_t num_allocs = 0;        // allocate() calls
  int64_t num_cache_hits = 0;    // allocate() calls served from the cache
};

// Interface of a device allocator. Implementations are thread-safe and live
// for the whole process.
class Allocator {
 public:
  virtual ~Allocator() = default;
  // Returns at least `nbytes` bytes aligned to 64; throws ResourceExhausted.
  virtual void* allocate(size_t nbytes) = 0;
  // Returns a block from allocate(nbytes) (same nbytes).
  virtual void deallocate(void* ptr, size_t nbytes) = 0;
  virtual AllocatorStats stats() const = 0;
  // Returns all cached blocks to the system.
  virtual void empty_cache() = 0;
  virtual void reset_peak() = 0;
};

// The process-wide caching allocator of a device (CPU only for now).
Allocator& get_allocator(Device device);

// Caps the total bytes of tensor storage the calling thread may allocate while
// this object lives (nested limits: the tightest applies). An allocation beyond
// it throws ResourceExhausted. Loaders use it so that a corrupt config cannot
// make nabla allocate memory the file does not back.
class ScopedAllocationLimit {
 public:
  explicit ScopedAllocationLimit(uint64_t max_bytes);
  ~ScopedAllocationLimit();
  ScopedAllocationLimit(const ScopedAllocationLimit&) = delete;
  ScopedAllocationLimit& operator=(const ScopedAllocationLimit&) = delete;
  // Charges `nbytes` to the calling thread's innermost limit (if any).
  static void charge(uint64_t nbytes);

 private:
  uint64_t remaining_;
  ScopedAllocationLimit* outer_;
};

}  // namespace nabla
