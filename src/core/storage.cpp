#include "nabla/core/storage.h"

#include "nabla/core/error.h"

namespace nabla {

namespace {
thread_local ScopedAllocationLimit* t_limit = nullptr;
}  // namespace

ScopedAllocationLimit::ScopedAllocationLimit(uint64_t max_bytes) : remaining_(max_bytes), outer_(t_limit) {
  if (outer_ && outer_->remaining_ < remaining_) remaining_ = outer_->remaining_;
  t_limit = this;
}

ScopedAllocationLimit::~ScopedAllocationLimit() { t_limit = outer_; }

void ScopedAllocationLimit::charge(uint64_t nbytes) {
  for (ScopedAllocationLimit* l = t_limit; l != nullptr; l = l->outer_) {
    NB_CHECK(nbytes <= l->remaining_, ResourceExhausted, "allocation of ", nbytes,
             " bytes exceeds the limit set for this operation (", l->remaining_, " bytes left)");
  }
  for (ScopedAllocationLimit* l = t_limit; l != nullptr; l = l->outer_) l->remaining_ -= nbytes;
}

Storage::Storage(size_t nbytes, Device device)
    : nbytes_(nbytes), device_(device), allocator_(&get_allocator(device)) {
  if (t_limit) ScopedAllocationLimit::charge(nbytes);
  data_ = allocator_->allocate(nbytes);
}

Storage::Storage(void* data, size_t nbytes, Device device, std::function<void(void*)> deleter)
    : data_(data), nbytes_(nbytes), device_(device), deleter_(std::move(deleter)) {}

Storage::~Storage() {
  if (allocator_) allocator_->deallocate(data_, nbytes_);
  else if (deleter_) deleter_(data_);
}

}  // namespace nabla
