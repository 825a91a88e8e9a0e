// The process-wide thread pool (DESIGN.md §6). Every parallel kernel runs in
// it; BLAS runs single-threaded inside it, so no two pools compete for cores.
#pragma once
#include <cstdint>
#include <functional>

namespace nabla {

// Sets the number of threads used by parallel kernels (>= 1; default: cores).
void set_num_threads(int n);
int get_num_threads();

namespace detail {
void parallel_for_impl(int64_t begin, int64_t end, int64_t grain,
                       const std::function<void(int64_t, int64_t)>& fn);
bool in_parallel_region();
}  // namespace detail

// Calls fn(b, e) on disjoint sub-ranges covering [begin, end), in parallel
// when the range holds more than `grain` items. Nested calls run inline.
// The first exception thrown by any chunk is rethrown in the caller.
template <typename F>
void parallel_for(int64_t begin, int64_t end, int64_t grain, F&& fn) {
  if (end <= begin) return;
  if (end - begin <= grain || get_num_threads() == 1 || detail::in_parallel_region()) {
    fn(begin, end);
    return;
  }
  detail::parallel_for_impl(begin, end, grain, std::function<void(int64_t, int64_t)>(fn));
}

}  // namespace nabla
