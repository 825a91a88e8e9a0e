// Reference convolution loops: for every output element and filter tap the
// input position i_d = o_d * stride_d - pad_before_d + k_d * dilation_d.
#include "kernels/cpu/conv_reference.h"

#include <algorithm>
#include <vector>

#include "kernels/cpu/conv_layout.h"
#include "nabla/core/thread_pool.h"

namespace nabla::cpu {
namespace {

// Calls fn(x_offset, y_offset, w_tap_offset) for every valid (output
// position, filter tap) pair of one batch entry and one channel pair offset 0.
template <typename F>
void for_each_tap(const ops::ConvGeometry& g, const ActLayout& lx, const ActLayout& ly, int64_t w_tap_stride, F&& fn) {
  for (int64_t o0 = 0; o0 < g.out[0]; ++o0)
    for (int64_t o1 = 0; o1 < g.out[1]; ++o1)
      for (int64_t o2 = 0; o2 < g.out[2]; ++o2) {
        const int64_t yo = o0 * ly.ss[0] + o1 * ly.ss[1] + o2 * ly.ss[2];
        for (int64_t k0 = 0; k0 < g.k[0]; ++k0) {
          const int64_t i0 = o0 * g.stride[0] - g.pad_before[0] + k0 * g.dil[0];
          if (i0 < 0 || i0 >= g.in[0]) continue;
          for (int64_t k1 = 0; k1 < g.k[1]; ++k1) {
            const int64_t i1 = o1 * g.stride[1] - g.pad_before[1] + k1 * g.dil[1];
            if (i1 < 0 || i1 >= g.in[1]) continue;
            for (int64_t k2 = 0; k2 < g.k[2]; ++k2) {
              const int64_t i2 = o2 * g.stride[2] - g.pad_before[2] + k2 * g.dil[2];
              if (i2 < 0 || i2 >= g.in[2]) continue;
              const int64_t xo = i0 * lx.ss[0] + i1 * lx.ss[1] + i2 * lx.ss[2];
              const int64_t wo = ((k0 * g.k[1] + k1) * g.k[2] + k2) * w_tap_stride;
              fn(xo, yo, wo);
            }
          }
        }
      }
}

}  // namespace

template <typename T> void conv_forward_reference(const ops::ConvGeometry& g, const T* x, const T* w, T* y) {
  const ActLayout lx = act_layout(g, g.c_in, g.in), ly = act_layout(g, g.c_out, g.out);
  const int64_t cig = g.c_in / g.groups, cog = g.c_out / g.groups;
  const int64_t tap = cig * g.c_out;  // filter elements per spatial tap
  parallel_for(0, g.n * g.c_out, 1, [&](int64_t b, int64_t e) {
    std::vector<double> acc(size_t(g.out_spatial()));
    for (int64_t t = b; t < e; ++t) {
      const int64_t n = t / g.c_out, oc = t % g.c_out, grp = oc / cog;
      std::fill(acc.begin(), acc.end(), 0.0);
      for (int64_t icg = 0; icg < cig; ++icg) {
        const T* xp = x + n * lx.sn + (grp * cig + icg) * lx.sc;
        const T* wp = w + icg * g.c_out + oc;
        int64_t idx = 0, last_yo = -1;
        // acc is indexed by output position in row-major spatial order.
        for_each_tap(g, lx, ly, tap, [&](int64_t xo, int64_t yo, int64_t wo) {
          if (yo != last_yo) {
            idx = 0;
            int64_t r = yo;
            for (int d = 0; d < ops::kMaxSpatial; ++d) {
              idx = idx * g.out[d] + r / ly.ss[d];
              r %= ly.ss[d];
            }
            last_yo = yo;
          }
          acc[size_t(idx)] += double(xp[xo]) * double(wp[wo]);
        });
      }
      T* yp = y + n * ly.sn + oc * ly.sc;
      int64_t i = 0;
      for (int64_t o0 = 0; o0 < g.out[0]; ++o0)
        for (int64_t o1 = 0; o1 < g.out[1]; ++o1)
          for (int64_t o2 = 0; o2 < g.out[2]; ++o2)
            yp[o0 * ly.ss[0] + o1 * ly.ss[1] + o2 * ly.ss[2]] = T(acc[size_t(i++)]);
    }
  });
}

template <typename T> void conv_backward_data_reference(const ops::ConvGeometry& g, const T* dy, const T* w, T* dx) {
  const ActLayout lx = act_layout(g, g.c_in, g.in), ly = act_layout(g, g.c_out, g.out);
  const int64_t cig = g.c_in / g.groups, cog = g.c_out / g.groups;
  const int64_t tap = cig * g.c_out;
  parallel_for(0, g.n * g.c_in, 1, [&](int64_t b, int64_t e) {
    std::vector<double> acc(size_t(g.in_spatial()));
    for (int64_t t = b; t < e; ++t) {
      const int64_t n = t / g.c_in, ic = t % g.c_in, grp = ic / cig, icg = ic % cig;
      std::fill(acc.begin(), acc.end(), 0.0);
      for (int64_t ocg = 0; ocg < cog; ++ocg) {
        const int64_t oc = grp * cog + ocg;
        const T* yp = dy + n * ly.sn + oc * ly.sc;
        const T* wp = w + icg * g.c_out + oc;
        for_each_tap(g, lx, ly, tap, [&](int64_t xo, int64_t yo, int64_t wo) {
          int64_t idx = 0, r = xo;
          for (int d = 0; d < ops::kMaxSpatial; ++d) {
            idx = idx * g.in[d] + r / lx.ss[d];
            r %= lx.ss[d];
          }
          acc[size_t(idx)] += double(yp[yo]) * double(wp[wo]);
        });
      }
      T* xp = dx + n * lx.sn + ic * lx.sc;
      int64_t i = 0;
      for (int64_t i0 = 0; i0 < g.in[0]; ++i0)
        for (int64_t i1 = 0; i1 < g.in[1]; ++i1)
          for (int64_t i2 = 0; i2 < g.in[2]; ++i2) xp[i0 * lx.ss[0] + i1 * lx.ss[1] + i2 * lx.ss[2]] = T(acc[size_t(i++)]);
    }
  });
}

template <typename T> void conv_backward_filter_reference(const ops::ConvGeometry& g, const T* x, const T* dy, T* dw) {
  const ActLayout lx = act_layout(g, g.c_in, g.in), ly = act_layout(g, g.c_out, g.out);
  const int64_t cig = g.c_in / g.groups, cog = g.c_out / g.groups;
  const int64_t tap = cig * g.c_out;
  const int64_t nw = g.k_spatial() * tap;
  std::fill(dw, dw + nw, T(0));
  // One task per (output channel, input channel within the group): disjoint filter elements.
  parallel_for(0, g.c_out * cig, 1, [&](int64_t b, int64_t e) {
    std::vector<double> acc(size_t(g.k_spatial()));
    for (int64_t t = b; t < e; ++t) {
      const int64_t oc = t / cig, icg = t % cig, grp = oc / cog;
      std::fill(acc.begin(), acc.end(), 0.0);
      for (int64_t n = 0; n < g.n; ++n) {
        const T* xp = x + n * lx.sn + (grp * cig + icg) * lx.sc;
        const T* yp = dy + n * ly.sn + oc * ly.sc;
        for_each_tap(g, lx, ly, tap, [&](int64_t xo, int64_t yo, int64_t wo) {
          acc[size_t(wo / tap)] += double(xp[xo]) * double(yp[yo]);
        });
      }
      for (int64_t k = 0; k < g.k_spatial(); ++k) dw[k * tap + icg * g.c_out + oc] = T(acc[size_t(k)]);
    }
  });
}

#define NB_INSTANTIATE(T)                                                                                        \
  template void conv_forward_reference<T>(const ops::ConvGeometry&, const T*, const T*, T*);                    \
  template void conv_backward_data_reference<T>(const ops::ConvGeometry&, const T*, const T*, T*);              \
  template void conv_backward_filter_reference<T>(const ops::ConvGeometry&, const T*, const T*, T*);
NB_INSTANTIATE(float)
NB_INSTANTIATE(double)
#undef NB_INSTANTIATE

}  // namespace nabla::cpu
