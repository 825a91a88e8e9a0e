// CPU kernels of MaxPool, AvgPool and their gradients, for both data formats
// and 1-3 spatial dimensions. Each output position visits its window once;
// the innermost loop runs over channels, which are contiguous (and vectorise)
// in channels_last, the default. Windows skip padded positions: max pooling
// ignores them and average pooling divides by the number of real elements.
// Batch entries are independent and spread over the thread pool.
#include <cmath>
#include <limits>
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
  const int64_t C = g.c_in;
  for_each_output(g, ly, [&](int64_t n, int64_t yo, const Window& w) {
    const WindowMax<T> m = window_max(g, lx, xp + n * lx.sn, w);
    for (int64_t c = 0; c < C; ++c) {
      yp[yo + c * ly.sc] = m.arg[c] >= 0 ? m.best[c] : T(0);
      ap[yo + c * ly.sc] = m.arg[c];
    }
  });
}

// MaxPoolGradWithArgmax: dy, argmax; attr input_sizes -> dx (dy added at each
// recorded maximum, in MaxPoolGrad's order, so the sums are the same).
template <typename T> void max_pool_grad_argmax_kernel(Inputs in, std::span<Tensor> out, const Attrs& a) {
  const Shape xs(std::vector<int64_t>(a.get<std::vector<int64_t>>("input_sizes")));
  const ops::ConvGeometry g = ops::pool_geometry(xs, a);
  const Tensor dy = in[0].contiguous(), am = in[1].contiguous();
  const ActLayout lx = act_layout(g, g.c_in, g.in), ly = act_layout(g, g.c_out, g.out);
  const T* gp = dy.data<T>();
  const int64_t* ap = am.data<int64_t>();
  T* dx = out[0].mutable_data<T>();
  // The offsets come from MaxPoolWithArgmax, or from a file: checked as they are used.
  auto check = [&](int64_t k) {
    NB_CHECK(k >= -1 && k < lx.sn, InvalidArgument, "MaxPoolGradWithArgmax: argmax ", k,
             " is outside a batch entry of ", lx.sn, " elements");
  };
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
        for (int64_t i = 0; i < per; ++i) {
          check(a[i]);
          if (a[i] >= 0) dxn[a[i]] += gn[i];
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
      if (k >= 0) dxn[k] += gp[yo + c * ly.sc];
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
