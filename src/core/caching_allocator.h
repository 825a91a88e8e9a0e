// CachingAllocator (internal): the size-class cache under every device's
// allocator. Sizes are rounded to a size class (64-byte steps up to 4 KiB, then
// four classes per power of two, so at most 25 % waste); freed blocks wait in a
// free list of their class until the same class is asked for again. The cache
// is bounded: above `max_cached_bytes`, freed blocks go back to the system. The
// system side is two functions, so the CPU (aligned_alloc) and CUDA (cudaMalloc)
// share the logic.
#pragma once
#include <algorithm>
#include <bit>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "nabla/core/allocator.h"
#include "nabla/core/error.h"

namespace nabla::detail {

constexpr int kSmallClasses = 64;
constexpr int kNumClasses = kSmallClasses + 4 * 64;

inline int class_index(size_t n) {
  if (n == 0) n = 1;
  if (n <= 4096) return int((n + 63) / 64) - 1;
  const int p = std::bit_width(n - 1) - 1;  // 2^p < n <= 2^(p+1)
  const size_t step = (size_t(1) << p) / 4;
  const int q = int((n - (size_t(1) << p) + step - 1) / step);  // 1..4
  return kSmallClasses + (p - 12) * 4 + (q - 1);
}

inline size_t class_bytes(int c) {
  if (c < kSmallClasses) return size_t(c + 1) * 64;
  const int p = (c - kSmallClasses) / 4 + 12;
  const int q = (c - kSmallClasses) % 4 + 1;
  return (size_t(1) << p) + size_t(q) * ((size_t(1) << p) / 4);
}

class CachingAllocator final : public Allocator {
 public:
  // `system_alloc(n)` returns n bytes or nullptr; `system_free` returns them.
  CachingAllocator(std::string device_name, std::function<void*(size_t)> system_alloc,
                   std::function<void(void*)> system_free, int64_t max_cached_bytes)
      : device_(std::move(device_name)), alloc_(std::move(system_alloc)), free_fn_(std::move(system_free)),
        max_cached_(max_cached_bytes) {}
  CachingAllocator(const CachingAllocator&) = delete;
  CachingAllocator& operator=(const CachingAllocator&) = delete;

  void* allocate(size_t nbytes) override {
    NB_CHECK(nbytes <= (size_t(1) << 46), ResourceExhausted, "cannot allocate ", nbytes, " bytes on ", device_,
             " (more than 64 TiB)");
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
    void* p = alloc_(cls);
    if (!p) {  // give the cache back and try once more
      empty_cache();
      p = alloc_(cls);
    }
    NB_CHECK(p != nullptr, ResourceExhausted, "out of memory allocating ", nbytes, " bytes on ", device_);
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
      if (stats_.bytes_cached + int64_t(cls) <= max_cached_) {
        free_[size_t(ci)].push_back(ptr);
        stats_.bytes_cached += int64_t(cls);
        return;
      }
    }
    free_fn_(ptr);
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
      for (void* p : list) free_fn_(p);
  }

  void reset_peak() override {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.peak_bytes_in_use = stats_.bytes_in_use;
  }

  ~CachingAllocator() override { empty_cache(); }

 private:
  void note_alloc(size_t cls) {
    stats_.bytes_in_use += int64_t(cls);
    stats_.peak_bytes_in_use = std::max(stats_.peak_bytes_in_use, stats_.bytes_in_use);
  }
  std::string device_;
  std::function<void*(size_t)> alloc_;
  std::function<void(void*)> free_fn_;
  int64_t max_cached_;
  mutable std::mutex mu_;
  std::vector<std::vector<void*>> free_ = std::vector<std::vector<void*>>(kNumClasses);
  AllocatorStats stats_;
};

}  // namespace nabla::detail
