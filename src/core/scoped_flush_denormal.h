// Floating-point control state (FTZ/DAZ) as RAII scopes:
// - ScopedFlushDenormal sets flush-to-zero/denormals-are-zero for a scope when
//   set_flush_denormal is on (training steps, optimizer updates);
// - the thread pool gives each worker the dispatching thread's mode for its
//   chunk (ScopedFloatingPointMode), so a parallel kernel computes the same
//   way on every thread.
// The previous state is always restored: a user's own code never sees a change.
#pragma once
#if defined(__SSE__) || defined(__x86_64__)
#include <xmmintrin.h>
#define NABLA_HAS_MXCSR 1
#endif
#include "nabla/core/denormal.h"

namespace nabla::detail {

struct FloatingPointMode {
  unsigned csr = 0;
  static FloatingPointMode current() {
#ifdef NABLA_HAS_MXCSR
    return {_mm_getcsr()};
#else
    return {};
#endif
  }
};

constexpr unsigned kFlushBits = 0x8040u;  // MXCSR FTZ (bit 15) | DAZ (bit 6)

// Applies the flush bits of `mode` on this thread for a scope.
class ScopedFloatingPointMode {
 public:
  explicit ScopedFloatingPointMode(FloatingPointMode mode) {
#ifdef NABLA_HAS_MXCSR
    saved_ = _mm_getcsr();
    unsigned want = (saved_ & ~kFlushBits) | (mode.csr & kFlushBits);
    if (want != saved_) {
      _mm_setcsr(want);
      restore_ = true;
    }
#else
    (void)mode;
#endif
  }
  ~ScopedFloatingPointMode() {
#ifdef NABLA_HAS_MXCSR
    if (restore_) _mm_setcsr(saved_);
#endif
  }
  ScopedFloatingPointMode(const ScopedFloatingPointMode&) = delete;
  ScopedFloatingPointMode& operator=(const ScopedFloatingPointMode&) = delete;

 private:
  unsigned saved_ = 0;
  bool restore_ = false;
};

// FTZ/DAZ for a scope when set_flush_denormal() is on (the default).
class ScopedFlushDenormal {
 public:
  ScopedFlushDenormal() : mode_(FloatingPointMode{flush_denormal() ? kFlushBits | FloatingPointMode::current().csr
                                                                   : FloatingPointMode::current().csr}) {}
 private:
  ScopedFloatingPointMode mode_;
};

}  // namespace nabla::detail
