// The strided, broadcasting, converting copy behind contiguous(), cast and
// slice assignment.
#include <cstring>

#include "kernels/cpu/convert.h"
#include "kernels/cpu/tensor_iter.h"
#include "nabla/ops/cast.h"

namespace nabla {
namespace detail {

void copy_into(const Tensor& dst, const Tensor& src) {
  NB_CHECK(dst.device().is_cpu() && src.device().is_cpu(), Unimplemented,
           "copy between devices is not available in this build");
  const Tensor ins[1] = {src};
  cpu::ElementwiseIter it(dst, ins);
  visit_dtype(dst.dtype(), [&]<typename D>() {
    visit_dtype(src.dtype(), [&]<typename S>() {
      it.for_each([](char* const* p, const int64_t* s, int64_t n) {
        D* d = reinterpret_cast<D*>(p[0]);
        const char* x = p[1];
        if constexpr (std::is_same_v<D, S>) {
          if (s[0] == int64_t(sizeof(D)) && s[1] == int64_t(sizeof(S))) {
            std::memcpy(d, x, size_t(n) * sizeof(D));
            return;
          }
        }
        if (s[0] == int64_t(sizeof(D)) && s[1] == int64_t(sizeof(S))) {
          const S* xs = reinterpret_cast<const S*>(x);
          for (int64_t i = 0; i < n; ++i) d[i] = cpu::convert<D, S>(xs[i]);
        } else if (s[0] == int64_t(sizeof(D)) && s[1] == 0) {
          const D v = cpu::convert<D, S>(*reinterpret_cast<const S*>(x));
          for (int64_t i = 0; i < n; ++i) d[i] = v;
        } else {
          char* o = p[0];
          for (int64_t i = 0; i < n; ++i)
            *reinterpret_cast<D*>(o + i * s[0]) = cpu::convert<D, S>(*reinterpret_cast<const S*>(x + i * s[1]));
        }
      });
    });
  });
}

}  // namespace detail
}  // namespace nabla
