// The CPU caching allocator. Sizes are rounded to a size class (powers of two
// split into 4 steps above 4 KiB, 64-byte steps below); freed blocks wait in a
// free list of their class. The cache is bounded: above kMaxCachedBytes, freed
// blocks go back to the system.
#include <algorithm>
#include <bit>
#include <cstdlib>
#include <mutex>
#include <new>
#include <vector>

#include "nabla/core/allocator.h"
#include "nabla/core/error.h"

namespace nabla {
namespace {

constexpr size_t kAlign = 64;
constexpr int64_t kMaxCachedBytes = int64_t(2) << 30;  // 2 GiB

// Size classes: 64-byte steps up to 4 KiB (classes 0..63), then four classes
// per power of two (waste at most 25 %).
constexpr int kSmallClasses = 64;
constexpr int kNumClasses = kSmallClasses + 4 * 64;

int class_index(size_t n) {
  if (n == 0) n = 1;
  if (n <= 4096) return int((n + 63) / 64) - 1;
  const int p = std::bit_width(n - 1) - 1;  // 2^p < n <= 2^(p+1)
  const size_t step = (size_t(1) << p) / 4;
  const int q = int((n - (size_t(1) << p) + step - 1) / step);  // 1..4
  return kSmallClasses + (p - 12) * 4 + (q - 1);
}

size_t class_bytes(int c) {
  if (c < kSmallClasses) return size_t(c + 1) * 64;
  const int p = (c - kSmallClasses) / 4 + 12;
  const int q = (c - kSmallClasses) % 4 + 1;
  return (size_t(1) << p) + size_t(q) * ((size_t(1) << p) / 4);
}

class CpuCachingAllocator final : public Allocator {
 public:
  void* allocate(size_t nbytes) override {
    NB_CHECK(nbytes <= (size_t(1) << 46), ResourceExhausted, "cannot allocate ", nbytes,
             " bytes on CPU:0 (more than 64 TiB)");
    const int ci = class_index(nbytes);
    const size_t cls = class_bytes(ci);
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.num_allocs;
      auto& list = free_[size_t(ci)];
      if (!list.empty()) {
        void* p = list.back();
        list.pop_back();
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
    const int ci = class_index(nbytes);
    const size_t cls = class_bytes(ci);
    {
      std::lock_guard<std::mutex> lock(mu_);
      stats_.bytes_in_use -= int64_t(cls);
      if (stats_.bytes_cached + int64_t(cls) <= kMaxCachedBytes) {
        free_[size_t(ci)].push_back(ptr);
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
    std::vector<std::vector<void*>> blocks(kNumClasses);
    {
      std::lock_guard<std::mutex> lock(mu_);
      blocks.swap(free_);
      stats_.bytes_cached = 0;
    }
    for (auto& list : blocks)
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
  std::vector<std::vector<void*>> free_ = std::vector<std::vector<void*>>(kNumClasses);
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
