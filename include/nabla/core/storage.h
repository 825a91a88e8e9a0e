// Storage: a reference-counted block of device memory shared by all tensor
// views of it. The block returns to its allocator when the last view dies.
#pragma once
#include <cstddef>
#include <functional>
#include <memory>

#include "nabla/core/allocator.h"
#include "nabla/core/device.h"

namespace nabla {

class Storage {
 public:
  // Allocates `nbytes` on `device` from its caching allocator.
  Storage(size_t nbytes, Device device);
  // Wraps memory owned elsewhere; `deleter` (may be empty) runs on destruction.
  Storage(void* data, size_t nbytes, Device device, std::function<void(void*)> deleter);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  Device device() const { return device_; }

 private:
  void* data_ = nullptr;  // owned through allocator_ or deleter_
  size_t nbytes_ = 0;
  Device device_;
  Allocator* allocator_ = nullptr;  // non-owning: allocators live for the process
  std::function<void(void*)> deleter_;
};

}  // namespace nabla
