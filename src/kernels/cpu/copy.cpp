// The strided, broadcasting, converting copy behind contiguous(), cast and
// slice assignment. Same-dtype copies move bytes by element size (4 loop
// instantiations); converting copies instantiate one loop per dtype pair.
#include <cstring>

#include "kernels/cpu/convert.h"
#include "kernels/cpu/tensor_iter.h"
#include "nabla/ops/cast.h"

namespace nabla {
namespace {

template <typename E> void copy_same(const cpu::ElementwiseIter& it) {
  it.for_each([](char* const* p, const int64_t* s, int64_t n) {
    constexpr int64_t es = sizeof(E);
    if (s[0] == es && s[1] == es) {
      std::memcpy(p[0], p[1], size_t(n) * sizeof(E));
    } else if (s[0] == es && s[1] == 0) {
      E v;
      std::memcpy(&v, p[1], sizeof(E));
      E* d = reinterpret_cast<E*>(p[0]);
      for (int64_t i = 0; i < n; ++i) d[i] = v;
    } else {
      for (int64_t i = 0; i < n; ++i) std::memcpy(p[0] + i * s[0], p[1] + i * s[1], sizeof(E));
    }
  });
}

template <typename D, typename S> void copy_convert(const cpu::ElementwiseIter& it) {
  it.for_each([](char* const* p, const int64_t* s, int64_t n) {
    if (s[0] == int64_t(sizeof(D)) && s[1] == int64_t(sizeof(S))) {
      D* d = reinterpret_cast<D*>(p[0]);
      const S* x = reinterpret_cast<const S*>(p[1]);
      for (int64_t i = 0; i < n; ++i) d[i] = cpu::convert<D, S>(x[i]);
    } else {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<D*>(p[0] + i * s[0]) = cpu::convert<D, S>(*reinterpret_cast<const S*>(p[1] + i * s[1]));
    }
  });
}

}  // namespace

namespace detail {

void copy_into(const Tensor& dst, const Tensor& src) {
  NB_CHECK(dst.device().is_cpu() && src.device().is_cpu(), Unimplemented,
           "copy between devices is not available in this build");
  const Tensor ins[1] = {src};
  cpu::ElementwiseIter it(dst, ins);
  if (dst.dtype() == src.dtype()) {
    switch (dtype_size(dst.dtype())) {
      case 1: return copy_same<uint8_t>(it);
      case 2: return copy_same<uint16_t>(it);
      case 4: return copy_same<uint32_t>(it);
      default: return copy_same<uint64_t>(it);
    }
  }
  visit_dtype(dst.dtype(), [&]<typename D>() {
    visit_dtype(src.dtype(), [&]<typename S>() {
      if constexpr (!std::is_same_v<D, S>) copy_convert<D, S>(it);
    });
  });
}

}  // namespace detail
}  // namespace nabla
