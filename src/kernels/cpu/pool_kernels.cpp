// CPU kernels of MaxPool, AvgPool and their gradients, for both data formats
// and 1-3 spatial dimensions. Each output position visits its window once;
// the innermost loop runs over channels, which are contiguous (and vectorise)
// in channels_last, the default. Windows skip padded positions: max pooling
// ignores them and average pooling divides by the number of real elements.
// Batch entries are independent and spread over the thread pool. MaxPool,
// MaxPoolWithArgmax and MaxPoolGradWithArgmax have a fast path for
// non-overlapping channels_last windows (below), with the same results.
#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "kernels/cpu/conv_layout.h"
#include "kernels/cpu/elementwise_loops.h"
#include "nabla/core/thread_pool.h"
#include "nabla/ops/registry.h"

namespace nabla::cpu {
namespace {

struct Window {
  int64_t lo[ops::kMaxSpatial], hi[ops::kMaxSpatial];  // real input range [lo, hi) per dim
  int64_t count() const { return (hi[0] - lo[0]) * (hi[1] - lo[1]) * (hi[2] - lo[2]); }
};

Window window(const ops::ConvGeometry& g, const int64_t* o) {
  Window w;
  for (int d = 0; d < ops::kMaxSpatial; ++d) {
    const int64_t s = o[d] * g.stride[d] - g.pad_before[d];
    w.lo[d] = std::max<int64_t>(s, 0);
    w.hi[d] = std::min<int64_t>(s + g.k[d], g.in[d]);
  }
  return w;
}

// Calls fn(n, o_offset, window) for every batch entry and output position;
// batch entries in parallel.
template <typename F> void for_each_output(const ops::ConvGeometry& g, const ActLayout& ly, F&& fn) {
  const int64_t work = std::max<int64_t>(1, g.out_spatial() * g.c_in * g.k_spatial());
  parallel_for(0, g.n, std::max<int64_t>(1, 32768 / work), [&](int64_t b, int64_t e) {
    for (int64_t n = b; n < e; ++n) {
      int64_t o[ops::kMaxSpatial];
      for (o[0] = 0; o[0] < g.out[0]; ++o[0])
        for (o[1] = 0; o[1] < g.out[1]; ++o[1])
          for (o[2] = 0; o[2] < g.out[2]; ++o[2])
            fn(n, n * ly.sn + o[0] * ly.ss[0] + o[1] * ly.ss[1] + o[2] * ly.ss[2], window(g, o));
    }
  });
}

template <typename F> void for_each_in_window(const Window& w, const ActLayout& lx, F&& fn) {
  for (int64_t i0 = w.lo[0]; i0 < w.hi[0]; ++i0)
    for (int64_t i1 = w.lo[1]; i1 < w.hi[1]; ++i1)
      for (int64_t i2 = w.lo[2]; i2 < w.hi[2]; ++i2) fn(i0 * lx.ss[0] + i1 * lx.ss[1] + i2 * lx.ss[2]);
}

template <typename T> bool better(T v, T best) { return v > best || (v != v && best == best); }

// ---- Fast path: channels_last windows that tile the input ------------------
// The common case (Keras's MaxPooling defaults: stride == pool size, "valid"
// padding, channels_last): windows are whole, do not overlap and cover the
// leading out[d] * k[d] positions of each spatial dimension; any positions
// after them lie in no window. For window sizes known at compile time, each
// output pixel reads its K input pixels once and the channel loop, innermost,
// has no branches, so it vectorises. The results are those of the generic
// path, bit for bit: the same scan order, ties and NaN rule (better()).

// Whether g has that tiling: channels_last, no padding before, stride == k,
// and at least one window per dimension.
bool tiled_channels_last(const ops::ConvGeometry& g) {
  if (g.channels_first) return false;
  for (int d = 0; d < ops::kMaxSpatial; ++d)
    if (g.pad_before[d] != 0 || g.stride[d] != g.k[d] || g.out[d] < 1 || g.out[d] * g.k[d] > g.in[d]) return false;
  return true;
}

// Calls fn(std::integral_constant<int, K>{}) when the window's element count
// k has a fast path (1-D 2 and 3, 2x2, 2x2x2, 3x3); returns whether it did.
template <typename F> bool with_window_size(int64_t k, F&& fn) {
  switch (k) {
    case 2: fn(std::integral_constant<int, 2>{}); return true;
    case 3: fn(std::integral_constant<int, 3>{}); return true;
    case 4: fn(std::integral_constant<int, 4>{}); return true;
    case 8: fn(std::integral_constant<int, 8>{}); return true;
    case 9: fn(std::integral_constant<int, 9>{}); return true;
    default: return false;
  }
}

// The offsets of a window's K elements from its first, in the generic scan
// order (for_each_in_window); rel[0] == 0.
template <int K> std::array<int64_t, K> window_offsets(const ops::ConvGeometry& g, const ActLayout& lx) {
  std::array<int64_t, K> rel{};
  int j = 0;
  for (int64_t i0 = 0; i0 < g.k[0]; ++i0)
    for (int64_t i1 = 0; i1 < g.k[1]; ++i1)
      for (int64_t i2 = 0; i2 < g.k[2]; ++i2) rel[size_t(j++)] = i0 * lx.ss[0] + i1 * lx.ss[1] + i2 * lx.ss[2];
  return rel;
}

// Calls fn(n, o0, o1, o2, base, yo) for every output pixel, rows (n, o0) in
// parallel: base is the offset of its window's first element within the
// batch entry, yo its own offset in y.
template <typename F>
void for_each_tile(const ops::ConvGeometry& g, const ActLayout& lx, const ActLayout& ly, F&& fn) {
  const int64_t row_work = std::max<int64_t>(1, g.out[1] * g.out[2] * g.c_in * g.k_spatial());
  parallel_for(0, g.n * g.out[0], std::max<int64_t>(1, 32768 / row_work), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const int64_t n = r / g.out[0], o0 = r % g.out[0];
      for (int64_t o1 = 0; o1 < g.out[1]; ++o1)
        for (int64_t o2 = 0; o2 < g.out[2]; ++o2)
          fn(n, o0, o1, o2, o0 * g.k[0] * lx.ss[0] + o1 * g.k[1] * lx.ss[1] + o2 * g.k[2] * lx.ss[2],
             n * ly.sn + o0 * ly.ss[0] + o1 * ly.ss[1] + o2 * ly.ss[2]);
    }
  });
}

// One output pixel: for each channel c < C, the first maximum of x[rel[j] + c]
// over j < K into y[c] and, if kArg, its offset base + rel[j] + c into arg[c].
template <typename T, int K, bool kArg>
void tile_max(const T* __restrict x, const std::array<int64_t, K>& window, int64_t C, int64_t base, T* __restrict y,
              int64_t* __restrict arg) {
  const std::array<int64_t, K> rel = window;  // a local copy: no store can alias it
  for (int64_t c = 0; c < C; ++c) {
    T best = x[c];
    int64_t at = 0;
    for (int j = 1; j < K; ++j) {
      const T v = x[rel[j] + c];
      const bool take = better(v, best);
      best = take ? v : best;
      at = take ? rel[j] : at;
    }
    y[c] = best;
    if constexpr (kArg) arg[c] = base + c + at;
  }
}

// MaxPool (ap null) or MaxPoolWithArgmax on a tiled geometry with K-element windows.
template <typename T, int K>
void tiled_max_pool(const ops::ConvGeometry& g, const ActLayout& lx, const ActLayout& ly, const T* xp, T* yp,
                    int64_t* ap) {
  const std::array<int64_t, K> rel = window_offsets<K>(g, lx);
  for_each_tile(g, lx, ly, [&](int64_t n, int64_t, int64_t, int64_t, int64_t base, int64_t yo) {
    if (ap)
      tile_max<T, K, true>(xp + n * lx.sn + base, rel, g.c_in, base, yp + yo, ap + yo);
    else
      tile_max<T, K, false>(xp + n * lx.sn + base, rel, g.c_in, base, yp + yo, nullptr);
  });
}

// MaxPoolGradWithArgmax with the pooled values (the ReLU before the pooling, fused):
// a window's gradient counts where its maximum is > 0, else it adds +0 (as the
// eager where(y > 0, g, 0) gives; NaN maxima give 0 too).
template <typename T> inline T masked_grad(T dy, T pooled) { return pooled > T(0) ? dy : T(0); }

// One output pixel of MaxPoolGradWithArgmax: writes all K x C elements of its
// window in dx (relative to the window's first element): 0 + dy[c] where
// arg[c] == base + rel[j] + c, else 0 (as the generic path's zero fill and
// sum). Returns false if some arg[c] lies outside the window.
// With `pooled` (not null), dy[c] counts only where pooled[c] > 0 (masked_grad).
template <typename T, int K>
bool tile_scatter(const T* __restrict dy, const T* __restrict pooled, const int64_t* __restrict arg,
                  const std::array<int64_t, K>& window, int64_t C, int64_t base, T* __restrict dx) {
  const std::array<int64_t, K> rel = window;  // a local copy: no store can alias it
  int missed = 0;
  for (int64_t c = 0; c < C; ++c) {
    bool hit = false;
    const T v = pooled ? masked_grad(dy[c], pooled[c]) : dy[c];
    for (int j = 0; j < K; ++j) {
      const bool here = arg[c] == base + rel[j] + c;
      dx[rel[j] + c] = here ? T(0) + v : T(0);
      hit = hit | here;
    }
    missed |= !hit;
  }
  return missed == 0;
}

// Zeroes the elements of rows [i0b, i0e) of one batch entry of dx that lie in
// no window (past out[d] * k[d] in some dimension).
template <typename T>
void zero_uncovered(const ops::ConvGeometry& g, const ActLayout& lx, T* dxn, int64_t i0b, int64_t i0e) {
  for (int64_t i0 = i0b; i0 < i0e; ++i0) {
    T* row = dxn + i0 * lx.ss[0];
    if (i0 >= g.out[0] * g.k[0]) {
      std::fill(row, row + lx.ss[0], T(0));
      continue;
    }
    for (int64_t i1 = 0; i1 < g.in[1]; ++i1) {
      T* line = row + i1 * lx.ss[1];
      std::fill(i1 >= g.out[1] * g.k[1] ? line : line + g.out[2] * g.k[2] * lx.ss[2], line + lx.ss[1], T(0));
    }
  }
}

// MaxPoolGradWithArgmax on a tiled geometry with K-element windows: writes
// every element of dx once. Returns false, leaving dx partly written, if an
// argmax lies outside its own window (so may be out of range: the caller then
// runs the generic path, which checks each one).
template <typename T, int K>
bool tiled_max_pool_grad(const ops::ConvGeometry& g, const ActLayout& lx, const ActLayout& ly, const T* gp,
                         const T* pp, const int64_t* ap, T* dx) {
  const std::array<int64_t, K> rel = window_offsets<K>(g, lx);
  bool exact = true;  // no position outside every window
  for (int d = 0; d < ops::kMaxSpatial; ++d) exact = exact && g.out[d] * g.k[d] == g.in[d];
  std::atomic<bool> missed{false};
  for_each_tile(g, lx, ly, [&](int64_t n, int64_t o0, int64_t o1, int64_t o2, int64_t base, int64_t yo) {
    T* dxn = dx + n * lx.sn;
    if (!tile_scatter<T, K>(gp + yo, pp ? pp + yo : nullptr, ap + yo, rel, g.c_in, base, dxn + base))
      missed.store(true, std::memory_order_relaxed);
    // A row's last pixel clears the uncovered elements of its rows (the last row's: also those below).
    if (!exact && o1 == g.out[1] - 1 && o2 == g.out[2] - 1)
      zero_uncovered(g, lx, dxn, o0 * g.k[0], o0 == g.out[0] - 1 ? g.in[0] : (o0 + 1) * g.k[0]);
  });
  return !missed.load();
}

// For each channel of one output position: the input offset of the window's
// first maximum (-1 for an empty window). arg[c] relative to x + n*sn. The
// channel loop has no branches, so it vectorises in channels_last.
template <typename T>
void window_argmax(const ops::ConvGeometry& g, const ActLayout& lx, const T* xn, const Window& w, T* best,
                   int64_t* arg) {
  const int64_t C = g.c_in, sc = lx.sc;
  if (w.count() == 0) {
    for (int64_t c = 0; c < C; ++c) arg[c] = -1;
    return;
  }
  const int64_t first = w.lo[0] * lx.ss[0] + w.lo[1] * lx.ss[1] + w.lo[2] * lx.ss[2];
  for (int64_t c = 0; c < C; ++c) {
    best[c] = xn[first + c * sc];
    arg[c] = first + c * sc;
  }
  for_each_in_window(w, lx, [&](int64_t off) {
    const T* xr = xn + off;
    for (int64_t c = 0; c < C; ++c) {
      const T v = xr[c * sc];
      const bool take = v > best[c] || (v != v && best[c] == best[c]);
      best[c] = take ? v : best[c];
      arg[c] = take ? off + c * sc : arg[c];
    }
  });
}

// window_argmax into this thread's buffers (valid until its next call).
template <typename T> struct WindowMax {
  const T* best;
  const int64_t* arg;
};
template <typename T>
WindowMax<T> window_max(const ops::ConvGeometry& g, const ActLayout& lx, const T* xn, const Window& w) {
  thread_local std::vector<T> best;
  thread_local std::vector<int64_t> arg;
  best.resize(size_t(g.c_in));
  arg.resize(size_t(g.c_in));
  window_argmax(g, lx, xn, w, best.data(), arg.data());
  return {best.data(), arg.data()};
}

template <typename T> void max_pool_kernel(Inputs in, std::span<Tensor> out, const Attrs& a) {
  const ops::ConvGeometry g = ops::pool_geometry(in[0].shape(), a);
  const Tensor x = in[0].contiguous();
  const ActLayout lx = act_layout(g, g.c_in, g.in), ly = act_layout(g, g.c_out, g.out);
  const T* xp = x.data<T>();
  T* yp = out[0].mutable_data<T>();
  if (tiled_channels_last(g) &&
      with_window_size(g.k_spatial(), [&](auto K) { tiled_max_pool<T, K()>(g, lx, ly, xp, yp, nullptr); }))
    return;
  const int64_t C = g.c_in;
  for_each_output(g, ly, [&](int64_t n, int64_t yo, const Window& w) {
    const T* xn = xp + n * lx.sn;
    if (lx.sc == 1) {  // channels_last: vector over channels
      T* y = yp + yo;
      for (int64_t c = 0; c < C; ++c) y[c] = -std::numeric_limits<T>::infinity();
      for_each_in_window(w, lx, [&](int64_t off) {
        const T* xr = xn + off;
        for (int64_t c = 0; c < C; ++c) y[c] = better(xr[c], y[c]) ? xr[c] : y[c];
      });
      if (w.count() == 0)
        for (int64_t c = 0; c < C; ++c) y[c] = T(0);
    } else {
      for (int64_t c = 0; c < C; ++c) {
        T best = -std::numeric_limits<T>::infinity();
        for_each_in_window(w, lx, [&](int64_t off) {
          const T v = xn[off + c * lx.sc];
          best = better(v, best) ? v : best;
        });
        yp[yo + c * ly.sc] = w.count() == 0 ? T(0) : best;
      }
    }
  });
}

template <typename T> void avg_pool_kernel(Inputs in, std::span<Tensor> out, const Attrs& a) {
  const ops::ConvGeometry g = ops::pool_geometry(in[0].shape(), a);
  const Tensor x = in[0].contiguous();
  const ActLayout lx = act_layout(g, g.c_in, g.in), ly = act_layout(g, g.c_out, g.out);
  const T* xp = x.data<T>();
  T* yp = out[0].mutable_data<T>();
  const int64_t C = g.c_in;
  for_each_output(g, ly, [&](int64_t n, int64_t yo, const Window& w) {
    const T* xn = xp + n * lx.sn;
    const int64_t cnt = w.count();
    const T inv = cnt > 0 ? T(1) / T(cnt) : T(0);
    for (int64_t c = 0; c < C; ++c) yp[yo + c * ly.sc] = T(0);
    for_each_in_window(w, lx, [&](int64_t off) {
      for (int64_t c = 0; c < C; ++c) yp[yo + c * ly.sc] += xn[off + c * lx.sc];
    });
    for (int64_t c = 0; c < C; ++c) yp[yo + c * ly.sc] *= inv;
  });
}

// inputs: x, dy -> dx.
template <typename T> void max_pool_grad_kernel(Inputs in, std::span<Tensor> out, const Attrs& a) {
  const ops::ConvGeometry g = ops::pool_geometry(in[0].shape(), a);
  const Tensor x = in[0].contiguous(), dy = in[1].contiguous();
  const ActLayout lx = act_layout(g, g.c_in, g.in), ly = act_layout(g, g.c_out, g.out);
  const T* xp = x.data<T>();
  const T* gp = dy.data<T>();
  T* dx = out[0].mutable_data<T>();
  std::fill(dx, dx + out[0].size(), T(0));
  const int64_t C = g.c_in;
  // Each batch entry writes only its own dx slice.
  for_each_output(g, ly, [&](int64_t n, int64_t yo, const Window& w) {
    const WindowMax<T> m = window_max(g, lx, xp + n * lx.sn, w);
    T* dxn = dx + n * lx.sn;
    for (int64_t c = 0; c < C; ++c)
      if (m.arg[c] >= 0) dxn[m.arg[c]] += gp[yo + c * ly.sc];
  });
}

// inputs: x, g (x's shape) -> g at each window's first maximum.
template <typename T> void max_pool_grad_grad_kernel(Inputs in, std::span<Tensor> out, const Attrs& a) {
  const ops::ConvGeometry g = ops::pool_geometry(in[0].shape(), a);
  const Tensor x = in[0].contiguous(), gx = in[1].contiguous();
  const ActLayout lx = act_layout(g, g.c_in, g.in), ly = act_layout(g, g.c_out, g.out);
  const T* xp = x.data<T>();
  const T* gp = gx.data<T>();
  T* yp = out[0].mutable_data<T>();
  const int64_t C = g.c_in;
  for_each_output(g, ly, [&](int64_t n, int64_t yo, const Window& w) {
    const WindowMax<T> m = window_max(g, lx, xp + n * lx.sn, w);
    for (int64_t c = 0; c < C; ++c)
      yp[yo + c * ly.sc] = m.arg[c] >= 0 ? gp[n * lx.sn + m.arg[c]] : T(0);
  });
}

// MaxPoolWithArgmax: x -> y, and the offset of each window's first maximum within
// its batch entry (int64, -1 for an empty window). Same values as MaxPool.
template <typename T> void max_pool_argmax_kernel(Inputs in, std::span<Tensor> out, const Attrs& a) {
  const ops::ConvGeometry g = ops::pool_geometry(in[0].shape(), a);
  const Tensor x = in[0].contiguous();
  const ActLayout lx = act_layout(g, g.c_in, g.in), ly = act_layout(g, g.c_out, g.out);
  const T* xp = x.data<T>();
  T* yp = out[0].mutable_data<T>();
  int64_t* ap = out[1].mutable_data<int64_t>();
  if (tiled_channels_last(g) &&
      with_window_size(g.k_spatial(), [&](auto K) { tiled_max_pool<T, K()>(g, lx, ly, xp, yp, ap); }))
    return;
  const int64_t C = g.c_in;
  for_each_output(g, ly, [&](int64_t n, int64_t yo, const Window& w) {
    const WindowMax<T> m = window_max(g, lx, xp + n * lx.sn, w);
    for (int64_t c = 0; c < C; ++c) {
      yp[yo + c * ly.sc] = m.arg[c] >= 0 ? m.best[c] : T(0);
      ap[yo + c * ly.sc] = m.arg[c];
    }
  });
}

// MaxPoolGradWithArgmax: dy, argmax [, pooled]; attr input_sizes -> dx (dy added at
// each recorded maximum, in MaxPoolGrad's order, so the sums are the same; with the
// pooled values, only where the window's maximum is > 0: masked_grad). Throws
// InvalidArgument for an argmax outside its batch entry.
template <typename T> void max_pool_grad_argmax_kernel(Inputs in, std::span<Tensor> out, const Attrs& a) {
  const Shape xs(std::vector<int64_t>(a.get<std::vector<int64_t>>("input_sizes")));
  const ops::ConvGeometry g = ops::pool_geometry(xs, a);
  const Tensor dy = in[0].contiguous(), am = in[1].contiguous();
  const Tensor pooled = in.size() > 2 ? in[2].contiguous() : Tensor();
  const ActLayout lx = act_layout(g, g.c_in, g.in), ly = act_layout(g, g.c_out, g.out);
  const T* gp = dy.data<T>();
  const T* pp = pooled.defined() ? pooled.data<T>() : nullptr;  // ReLU mask (see masked_grad)
  const int64_t* ap = am.data<int64_t>();
  T* dx = out[0].mutable_data<T>();
  // The offsets come from MaxPoolWithArgmax, or from a file: checked as they are used.
  auto check = [&](int64_t k) {
    NB_CHECK(k >= -1 && k < lx.sn, InvalidArgument, "MaxPoolGradWithArgmax: argmax ", k,
             " is outside a batch entry of ", lx.sn, " elements");
  };
  bool done = false;  // the fast path wrote dx, every argmax inside its own window
  if (tiled_channels_last(g))
    with_window_size(g.k_spatial(), [&](auto K) { done = tiled_max_pool_grad<T, K()>(g, lx, ly, gp, pp, ap, dx); });
  if (done) return;
  std::fill(dx, dx + out[0].size(), T(0));
  const int64_t C = g.c_in;
  if (ly.sc == 1) {
    // Every output element in order, per batch entry (MaxPoolGrad's order).
    const int64_t per = ly.sn;
    parallel_for(0, g.n, 1, [&](int64_t b, int64_t e) {
      for (int64_t n = b; n < e; ++n) {
        T* dxn = dx + n * lx.sn;
        const int64_t* a = ap + n * per;
        const T* gn = gp + n * per;
        const T* pn = pp ? pp + n * per : nullptr;
        for (int64_t i = 0; i < per; ++i) {
          check(a[i]);
          if (a[i] >= 0) dxn[a[i]] += pn ? masked_grad(gn[i], pn[i]) : gn[i];
        }
      }
    });
    return;
  }
  for_each_output(g, ly, [&](int64_t n, int64_t yo, const Window&) {
    T* dxn = dx + n * lx.sn;
    for (int64_t c = 0; c < C; ++c) {
      const int64_t k = ap[yo + c * ly.sc];
      check(k);
      if (k >= 0) dxn[k] += pp ? masked_grad(gp[yo + c * ly.sc], pp[yo + c * ly.sc]) : gp[yo + c * ly.sc];
    }
  });
}

// input: dy; attr input_sizes -> dx.
template <typename T> void avg_pool_grad_kernel(Inputs in, std::span<Tensor> out, const Attrs& a) {
  const Shape xs(std::vector<int64_t>(a.get<std::vector<int64_t>>("input_sizes")));
  const ops::ConvGeometry g = ops::pool_geometry(xs, a);
  const Tensor dy = in[0].contiguous();
  const ActLayout lx = act_layout(g, g.c_in, g.in), ly = act_layout(g, g.c_out, g.out);
  const T* gp = dy.data<T>();
  T* dx = out[0].mutable_data<T>();
  std::fill(dx, dx + out[0].size(), T(0));
  const int64_t C = g.c_in;
  for_each_output(g, ly, [&](int64_t n, int64_t yo, const Window& w) {
    const int64_t cnt = w.count();
    if (cnt == 0) return;
    const T inv = T(1) / T(cnt);
    T* dxn = dx + n * lx.sn;
    for_each_in_window(w, lx, [&](int64_t off) {
      for (int64_t c = 0; c < C; ++c) dxn[off + c * lx.sc] += gp[yo + c * ly.sc] * inv;
    });
  });
}

NB_REGISTER_KERNELS(kPoolKernels) {
  register_kernel("MaxPool", DeviceType::CPU, {DType::float32}, &max_pool_kernel<float>);
  register_kernel("MaxPool", DeviceType::CPU, {DType::float64}, &max_pool_kernel<double>);
  register_kernel("AvgPool", DeviceType::CPU, {DType::float32}, &avg_pool_kernel<float>);
  register_kernel("AvgPool", DeviceType::CPU, {DType::float64}, &avg_pool_kernel<double>);
  register_kernel("MaxPoolWithArgmax", DeviceType::CPU, {DType::float32}, &max_pool_argmax_kernel<float>);
  register_kernel("MaxPoolWithArgmax", DeviceType::CPU, {DType::float64}, &max_pool_argmax_kernel<double>);
  register_kernel("MaxPoolGradWithArgmax", DeviceType::CPU, {DType::float32}, &max_pool_grad_argmax_kernel<float>);
  register_kernel("MaxPoolGradWithArgmax", DeviceType::CPU, {DType::float64}, &max_pool_grad_argmax_kernel<double>);
  register_kernel("MaxPoolGrad", DeviceType::CPU, {DType::float32}, &max_pool_grad_kernel<float>);
  register_kernel("MaxPoolGrad", DeviceType::CPU, {DType::float64}, &max_pool_grad_kernel<double>);
  register_kernel("MaxPoolGradGrad", DeviceType::CPU, {DType::float32}, &max_pool_grad_grad_kernel<float>);
  register_kernel("MaxPoolGradGrad", DeviceType::CPU, {DType::float64}, &max_pool_grad_grad_kernel<double>);
  register_kernel("AvgPoolGrad", DeviceType::CPU, {DType::float32}, &avg_pool_grad_kernel<float>);
  register_kernel("AvgPoolGrad", DeviceType::CPU, {DType::float64}, &avg_pool_grad_kernel<double>);
}

}  // namespace
}  // namespace nabla::cpu
