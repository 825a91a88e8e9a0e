// The CPU caching allocator. Sizes are rounded to a size class (powers of two
// split into 4 steps above 4 KiB, 64-byte steps below); freed blocks wait in a
// free list of their class. The cache is bounded: above kMaxCachedBytes, freed
// blocks go back to the system.
#include <algorithm>
#include <bit>
#include <cstdlib>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

#include "nabla/core/allocator.h"
#include "nabla/core/error.h"

namespace nabla {
namespace {

constexpr size_t kAlign = 64;
constexpr int64_t kMaxCachedBytes = int64_t(2) << 30;  // 2 GiB

size_t size_class(size_t n) {
  if (n == 0) n = 1;
  if (n <= 4096) return (n + 63) & ~size_t(63);
  // Four classes per power of two: waste is at most 25 %.
  const size_t p = std::bit_floor(n - 1);  // n > p
  const size_t step = p / 4;
  return (n + step - 1) / step * step;
}

class CpuCachingAllocator final : public Allocator {
 public:
  void* allocate(size_t nbytes) override {
    const size_t cls = size_class(nbytes);
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.num_allocs;
      auto it = free_.find(cls);
      if (it != free_.end() && !it->second.empty()) {
        void* p = it->second.back();
        it->second.pop_back();
        stats_.bytes_cached -= int64_t(cls);
        ++stats_.num_cache_hits;
        note_alloc(cls);
        return p;
      }
    }
    void* p = std::aligned_alloc(kAlign, cls);
    if (!p) {
      empty_cache();
      p = std::aligned_alloc(kAlign, cls);
    }
    NB_CHECK(p != nullptr, ResourceExhausted, "out of memory allocating ", nbytes,
             " bytes on CPU:0");
    std::lock_guard<std::mutex> lock(mu_);
    note_alloc(cls);
    return p;
  }

  void deallocate(void* ptr, size_t nbytes) override {
    if (!ptr) return;
    const size_t cls = size_class(nbytes);
    {
      std::lock_guard<std::mutex> lock(mu_);
      stats_.bytes_in_use -= int64_t(cls);
      if (stats_.bytes_cached + int64_t(cls) <= kMaxCachedBytes) {
        free_[cls].push_back(ptr);
        stats_.bytes_cached += int64_t(cls);
        return;
      }
    }
    std::free(ptr);
  }

  AllocatorStats stats() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return stats_;
  }

  void empty_cache() override {
    std::unordered_map<size_t, std::vector<void*>> blocks;
    {
      std::lock_guard<std::mutex> lock(mu_);
      blocks.swap(free_);
      stats_.bytes_cached = 0;
    }
    for (auto& [cls, list] : blocks)
      for (void* p : list) std::free(p);
  }

  void reset_peak() override {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.peak_bytes_in_use = stats_.bytes_in_use;
  }

  ~CpuCachingAllocator() override { empty_cache(); }

 private:
  void note_alloc(size_t cls) {
    stats_.bytes_in_use += int64_t(cls);
    stats_.peak_bytes_in_use = std::max(stats_.peak_bytes_in_use, stats_.bytes_in_use);
  }
  mutable std::mutex mu_;
  std::unordered_map<size_t, std::vector<void*>> free_;
  AllocatorStats stats_;
};

}  // namespace

Allocator& get_allocator(Device device) {
  // Intentionally leaked: tensors in static objects may be freed after main.
  static Allocator* cpu = new CpuCachingAllocator();  // NOLINT: process lifetime
  NB_CHECK(device.is_cpu(), Unimplemented, "no allocator for device ", device.str(),
           ": this build of nabla has no CUDA back end");
  return *cpu;
}

}  // namespace nabla
