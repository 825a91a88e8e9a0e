// UpdateBatch (update_util.h): the multi-tensor apply of the optimisers.
#include <algorithm>

#include "train/optimizers/update_util.h"

namespace nabla::optimizers::detail {

namespace {
thread_local UpdateBatch* t_current = nullptr;
}  // namespace

UpdateBatch::UpdateBatch() : previous_(t_current) {
  starts_.push_back(0);
  t_current = this;
}

UpdateBatch::~UpdateBatch() { t_current = previous_; }

UpdateBatch* UpdateBatch::current() { return t_current; }

void UpdateBatch::add(int64_t n, std::function<void(int64_t, int64_t)> body) {
  if (n <= 0) return;
  bodies_.push_back(std::move(body));
  starts_.push_back(starts_.back() + n);
}

void UpdateBatch::run() {
  // Loops recorded while running (none today) would run at once, not be recorded again.
  t_current = previous_;
  const int64_t total = starts_.back();
  parallel_for(int64_t(0), total, kUpdateGrain, [&](int64_t b, int64_t e) {
    // The first loop that holds element b, then every loop that overlaps [b, e).
    size_t k = size_t(std::upper_bound(starts_.begin(), starts_.end(), b) - starts_.begin()) - 1;
    for (; k < bodies_.size() && starts_[k] < e; ++k) {
      const int64_t lo = std::max(b, starts_[k]), hi = std::min(e, starts_[k + 1]);
      bodies_[k](lo - starts_[k], hi - starts_[k]);
    }
  });
  bodies_.clear();
  starts_.assign(1, 0);
  t_current = this;
}

}  // namespace nabla::optimizers::detail
