// SingleThreadedOmp: makes oneDNN (Debian's build uses the OpenMP runtime) run on
// the calling thread only. nabla keeps one thread pool per process (DESIGN.md §6)
// and calls oneDNN from inside it, one single-threaded call per pool chunk.
#pragma once
#include <omp.h>

namespace nabla::cpu {

// Sets this thread's OpenMP team size to 1 for the object's lifetime (oneDNN reads
// it when creating and running primitives and in dnnl_sgemm), so libgomp never
// starts threads of its own.
class SingleThreadedOmp {
 public:
  SingleThreadedOmp() : saved_(omp_get_max_threads()) {
    if (saved_ != 1) omp_set_num_threads(1);
  }
  ~SingleThreadedOmp() {
    if (saved_ != 1) omp_set_num_threads(saved_);
  }
  SingleThreadedOmp(const SingleThreadedOmp&) = delete;
  SingleThreadedOmp& operator=(const SingleThreadedOmp&) = delete;

 private:
  int saved_;
};

}  // namespace nabla::cpu
