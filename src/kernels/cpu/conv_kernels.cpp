// CPU kernels of Conv, ConvBackpropInput and ConvBackpropFilter.
//
// float32 runs on oneDNN (Debian's libdnnl, OpenMP runtime). To keep one
// thread pool per process (DESIGN.md §6) nabla parallelises itself: the batch
// is cut into one contiguous slice per pool thread and every slice runs a
// single-threaded oneDNN primitive (the calling thread's OpenMP team size is
// set to 1 around the call, so libgomp never starts threads of its own). The
// filter gradient is summed over the slices. Primitives are created once per
// geometry and slice size and cached; scratchpads are per thread. Weights are
// stored HWIO (TensorFlow's layout) and reordered to the primitive's preferred
// blocked layout on each call (they are small).
//
// float64, and float32 under nb::set_conv_reference(true), run the reference
// loops of conv_reference.cpp.

#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "kernels/cpu/conv_reference.h"
#include "kernels/cpu/elementwise_loops.h"
#include "kernels/cpu/single_threaded_omp.h"
#include "nabla/core/thread_pool.h"
#include "nabla/ops/conv.h"
#include "nabla/ops/registry.h"

namespace nabla::cpu {
namespace {

using dnnl::memory;
using Dims = memory::dims;

dnnl::engine& cpu_engine() {
  static dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  return eng;
}

// Grow-only, 64-byte aligned, per-thread buffers (scratchpads, reordered weights).
class AlignedBuffer {
 public:
  void* get(size_t bytes) {
    if (bytes > cap_) {
      const size_t n = (bytes + 63) / 64 * 64;
      p_.reset(std::aligned_alloc(64, n));
      NB_CHECK(p_ != nullptr, ResourceExhausted, "conv: cannot allocate ", n, " bytes of scratch memory");
      cap_ = n;
    }
    return p_.get();
  }

 private:
  struct Free {
    void operator()(void* p) const { std::free(p); }
  };
  std::unique_ptr<void, Free> p_;
  size_t cap_ = 0;
};

struct ThreadState {
  dnnl::stream stream{cpu_engine()};
  AlignedBuffer scratch, weights, diff_weights;
};
ThreadState& thread_state() {
  thread_local ThreadState s;
  return s;
}

// kForwardBias / kForwardBiasRelu: FusedConv (bias and ReLU as oneDNN's bias
// argument and eltwise post-op).
enum class Kind { kForward, kBackwardData, kBackwardWeights, kForwardBias, kForwardBiasRelu };

// Plain descriptors of the user tensors for a batch slice of `n`.
memory::desc act_desc(const ops::ConvGeometry& g, int64_t n, int64_t c, const int64_t* sp) {
  Dims dims{n, c}, strides(size_t(2 + g.nsp));
  for (int d = 0; d < g.nsp; ++d) dims.push_back(sp[d]);
  int64_t spatial = 1;
  for (int d = g.nsp - 1; d >= 0; --d) {
    strides[size_t(2 + d)] = g.channels_first ? spatial : spatial * c;
    spatial *= sp[d];
  }
  strides[1] = g.channels_first ? spatial : 1;
  strides[0] = spatial * c;
  return memory::desc(dims, memory::data_type::f32, strides);
}

// HWIO filters as oneDNN's (G,) O, I, spatial... logical dims with strides.
memory::desc user_weights_desc(const ops::ConvGeometry& g) {
  const int64_t cig = g.c_in / g.groups, cog = g.c_out / g.groups;
  Dims dims, strides;
  if (g.groups > 1) {
    dims = {g.groups, cog, cig};
    strides = {cog, 1, g.c_out};
  } else {
    dims = {g.c_out, cig};
    strides = {1, g.c_out};
  }
  Dims kd, ks(size_t(g.nsp));
  int64_t s = cig * g.c_out;
  for (int d = g.nsp - 1; d >= 0; --d) {
    ks[size_t(d)] = s;
    s *= g.k[d];
  }
  for (int d = 0; d < g.nsp; ++d) kd.push_back(g.k[d]);
  dims.insert(dims.end(), kd.begin(), kd.end());
  strides.insert(strides.end(), ks.begin(), ks.end());
  return memory::desc(dims, memory::data_type::f32, strides);
}

memory::desc any_weights_desc(const ops::ConvGeometry& g) {
  const memory::desc u = user_weights_desc(g);
  return memory::desc(u.dims(), memory::data_type::f32, memory::format_tag::any);
}

// A cached primitive for one geometry, direction and batch slice size.
struct ConvPrimitive {
  memory::desc src, dst, user_w, prim_w, scratch, bias;  // bias: FusedConv only
  dnnl::primitive prim;
  dnnl::reorder to_prim_w, from_prim_w;  // set when prim_w != user_w
  bool reorder_w = false;
};

std::string cache_key(Kind kind, const ops::ConvGeometry& g, int64_t n) {
  std::string k;
  k.reserve(160);
  auto add = [&k](int64_t v) {
    k += std::to_string(v);
    k += ',';
  };
  add(int64_t(kind));
  add(g.nsp);
  add(g.channels_first);
  add(n);
  add(g.c_in);
  add(g.c_out);
  add(g.groups);
  for (int d = 0; d < g.nsp; ++d) {
    add(g.in[d]);
    add(g.out[d]);
    add(g.k[d]);
    add(g.stride[d]);
    add(g.dil[d]);
    add(g.pad_before[d]);
    add(g.pad_after[d]);
  }
  return k;
}

std::shared_ptr<const ConvPrimitive> make_primitive(Kind kind, const ops::ConvGeometry& g, int64_t n) {
  auto p = std::make_shared<ConvPrimitive>();
  dnnl::engine& eng = cpu_engine();
  p->src = act_desc(g, n, g.c_in, g.in);
  p->dst = act_desc(g, n, g.c_out, g.out);
  p->user_w = user_weights_desc(g);
  Dims strides, dil, pl, pr;
  for (int d = 0; d < g.nsp; ++d) {
    strides.push_back(g.stride[d]);
    dil.push_back(g.dil[d] - 1);
    pl.push_back(g.pad_before[d]);
    pr.push_back(g.pad_after[d]);
  }
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  const auto algo = dnnl::algorithm::convolution_direct;
  if (kind == Kind::kForwardBias || kind == Kind::kForwardBiasRelu) {
    if (kind == Kind::kForwardBiasRelu) {
      dnnl::post_ops po;
      po.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
      attr.set_post_ops(po);
    }
    p->bias = memory::desc({g.c_out}, memory::data_type::f32, memory::format_tag::a);
    dnnl::convolution_forward::primitive_desc fb(
        dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, algo, p->src, any_weights_desc(g), p->bias,
                                        p->dst, strides, dil, pl, pr),
        attr, eng);
    p->prim_w = fb.weights_desc();
    p->scratch = fb.scratchpad_desc();
    p->prim = dnnl::convolution_forward(fb);
    p->reorder_w = p->prim_w != p->user_w;
    if (p->reorder_w) p->to_prim_w = dnnl::reorder(dnnl::reorder::primitive_desc(eng, p->user_w, eng, p->prim_w));
    return p;
  }
  dnnl::convolution_forward::primitive_desc fwd(
      dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, algo, p->src, any_weights_desc(g), p->dst,
                                      strides, dil, pl, pr),
      attr, eng);
  if (kind == Kind::kForward) {
    p->prim_w = fwd.weights_desc();
    p->scratch = fwd.scratchpad_desc();
    p->prim = dnnl::convolution_forward(fwd);
  } else if (kind == Kind::kBackwardData) {
    dnnl::convolution_backward_data::primitive_desc bwd(
        dnnl::convolution_backward_data::desc(algo, p->src, any_weights_desc(g), p->dst, strides, dil, pl, pr), attr,
        eng, fwd);
    p->prim_w = bwd.weights_desc();
    p->scratch = bwd.scratchpad_desc();
    p->prim = dnnl::convolution_backward_data(bwd);
  } else {
    dnnl::convolution_backward_weights::primitive_desc bwd(
        dnnl::convolution_backward_weights::desc(algo, p->src, any_weights_desc(g), p->dst, strides, dil, pl, pr),
        attr, eng, fwd);
    p->prim_w = bwd.diff_weights_desc();
    p->scratch = bwd.scratchpad_desc();
    p->prim = dnnl::convolution_backward_weights(bwd);
  }
  p->reorder_w = p->prim_w != p->user_w;
  if (p->reorder_w) {
    if (kind == Kind::kBackwardWeights)
      p->from_prim_w = dnnl::reorder(dnnl::reorder::primitive_desc(eng, p->prim_w, eng, p->user_w));
    else
      p->to_prim_w = dnnl::reorder(dnnl::reorder::primitive_desc(eng, p->user_w, eng, p->prim_w));
  }
  return p;
}

// The process-wide primitive cache (bounded: cleared when it grows past 512
// entries; a training loop uses a handful).
std::shared_ptr<const ConvPrimitive> get_primitive(Kind kind, const ops::ConvGeometry& g, int64_t n) {
  static std::mutex mu;
  static std::unordered_map<std::string, std::shared_ptr<const ConvPrimitive>> cache;
  const std::string key = cache_key(kind, g, n);
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find(key);
    if (it != cache.end()) return it->second;
  }
  std::shared_ptr<const ConvPrimitive> p = make_primitive(kind, g, n);
  std::lock_guard<std::mutex> lock(mu);
  if (cache.size() >= 512) cache.clear();
  return cache.emplace(key, std::move(p)).first->second;
}

// Runs one batch slice [n0, n0 + n) on this thread. For kBackwardWeights,
// `w` receives this slice's filter gradient (user layout).
void run_slice(Kind kind, const ops::ConvGeometry& g, int64_t n0, int64_t n, const float* x, float* w_or_dw,
               const float* dy_or_y, float* dx_or_y, const float* bias = nullptr) {
  SingleThreadedOmp single;
  ThreadState& ts = thread_state();
  const std::shared_ptr<const ConvPrimitive> p = get_primitive(kind, g, n);
  dnnl::engine& eng = cpu_engine();
  const int64_t xs = g.c_in * g.in_spatial(), ys = g.c_out * g.out_spatial();
  memory scratch(p->scratch, eng, ts.scratch.get(p->scratch.get_size()));
  memory user_w(p->user_w, eng, w_or_dw);
  memory prim_w = user_w;
  if (p->reorder_w) prim_w = memory(p->prim_w, eng, ts.weights.get(p->prim_w.get_size()));
  if (kind == Kind::kForwardBias || kind == Kind::kForwardBiasRelu) {
    if (p->reorder_w) p->to_prim_w.execute(ts.stream, user_w, prim_w);
    memory src(p->src, eng, const_cast<float*>(x) + n0 * xs);
    memory dst(p->dst, eng, dx_or_y + n0 * ys);
    memory b(p->bias, eng, const_cast<float*>(bias));
    p->prim.execute(ts.stream, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, prim_w}, {DNNL_ARG_BIAS, b},
                                {DNNL_ARG_DST, dst}, {DNNL_ARG_SCRATCHPAD, scratch}});
  } else if (kind == Kind::kForward) {
    if (p->reorder_w) p->to_prim_w.execute(ts.stream, user_w, prim_w);
    memory src(p->src, eng, const_cast<float*>(x) + n0 * xs);
    memory dst(p->dst, eng, dx_or_y + n0 * ys);
    p->prim.execute(ts.stream, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, prim_w}, {DNNL_ARG_DST, dst},
                                {DNNL_ARG_SCRATCHPAD, scratch}});
  } else if (kind == Kind::kBackwardData) {
    if (p->reorder_w) p->to_prim_w.execute(ts.stream, user_w, prim_w);
    memory ddst(p->dst, eng, const_cast<float*>(dy_or_y) + n0 * ys);
    memory dsrc(p->src, eng, dx_or_y + n0 * xs);
    p->prim.execute(ts.stream, {{DNNL_ARG_DIFF_DST, ddst}, {DNNL_ARG_WEIGHTS, prim_w}, {DNNL_ARG_DIFF_SRC, dsrc},
                                {DNNL_ARG_SCRATCHPAD, scratch}});
  } else {
    memory src(p->src, eng, const_cast<float*>(x) + n0 * xs);
    memory ddst(p->dst, eng, const_cast<float*>(dy_or_y) + n0 * ys);
    p->prim.execute(ts.stream, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DIFF_DST, ddst}, {DNNL_ARG_DIFF_WEIGHTS, prim_w},
                                {DNNL_ARG_SCRATCHPAD, scratch}});
    if (p->reorder_w) p->from_prim_w.execute(ts.stream, prim_w, user_w);
  }
  ts.stream.wait();
}

// Splits the batch into one slice per pool thread and runs them.
template <typename F> void for_each_slice(int64_t n, F&& fn) {
  const int64_t parts = std::max<int64_t>(1, std::min<int64_t>(get_num_threads(), n));
  parallel_for(0, parts, 1, [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; ++t) {
      const int64_t n0 = n * t / parts, n1 = n * (t + 1) / parts;
      if (n1 > n0) fn(t, n0, n1 - n0);
    }
  });
  (void)parts;
}

int64_t slice_count(int64_t n) { return std::max<int64_t>(1, std::min<int64_t>(get_num_threads(), n)); }

template <typename F> void translate_dnnl_errors(const char* op, F&& fn) {
  try {
    fn();
  } catch (const dnnl::error& e) {
    throw Internal(detail::str_cat(op, ": oneDNN failed: ", e.what(), " (status ", int(e.status), ")"));
  }
}

// ---- kernels -----------------------------------------------------------------

template <typename T> void conv_kernel(Inputs in, std::span<Tensor> out, const Attrs& a) {
  const ops::ConvGeometry g = ops::conv_geometry(in[0].shape(), in[1].shape(), a);
  const Tensor x = in[0].contiguous(), w = in[1].contiguous();
  T* y = out[0].mutable_data<T>();
  if (out[0].size() == 0) return;
  if (std::is_same_v<T, double> || conv_reference() || x.size() == 0) {
    if (x.size() == 0) {
      std::fill(y, y + out[0].size(), T(0));
      return;
    }
    conv_forward_reference<T>(g, x.data<T>(), w.data<T>(), y);
    return;
  }
  if constexpr (std::is_same_v<T, float>) {
    translate_dnnl_errors("Conv", [&] {
      for_each_slice(g.n, [&](int64_t, int64_t n0, int64_t n) {
        run_slice(Kind::kForward, g, n0, n, x.data<float>(), const_cast<float*>(w.data<float>()), nullptr, y);
      });
    });
  }
}

// FusedConv(x, w, bias): activation(conv(x, w) + bias), channels_last or first;
// "activation" is "" or "relu". float32 runs oneDNN with the bias argument and a
// ReLU post-op; float64 (and NABLA_CONV_REFERENCE) the reference loops then the epilogue.
template <typename T> void fused_conv_kernel(Inputs in, std::span<Tensor> out, const Attrs& a) {
  const ops::ConvGeometry g = ops::conv_geometry(in[0].shape(), in[1].shape(), a);
  const Tensor x = in[0].contiguous(), w = in[1].contiguous(), b = in[2].contiguous();
  const bool relu = a.get_or<std::string>("activation", "") == "relu";
  T* y = out[0].mutable_data<T>();
  if (out[0].size() == 0) return;
  if (std::is_same_v<T, double> || conv_reference() || x.size() == 0) {
    if (x.size() == 0) std::fill(y, y + out[0].size(), T(0));
    else conv_forward_reference<T>(g, x.data<T>(), w.data<T>(), y);
    const T* bias = b.data<T>();
    const int64_t sp = g.out_spatial(), c = g.c_out, total = out[0].size();
    for (int64_t i = 0; i < total; ++i) {
      const int64_t ch = g.channels_first ? (i / sp) % c : i % c;
      const T v = y[i] + bias[ch];
      y[i] = relu && v <= T(0) ? T(0) : v;
    }
    return;
  }
  if constexpr (std::is_same_v<T, float>) {
    translate_dnnl_errors("FusedConv", [&] {
      for_each_slice(g.n, [&](int64_t, int64_t n0, int64_t n) {
        run_slice(relu ? Kind::kForwardBiasRelu : Kind::kForwardBias, g, n0, n, x.data<float>(),
                  const_cast<float*>(w.data<float>()), nullptr, y, b.data<float>());
      });
    });
  }
}

template <typename T> void conv_backprop_input_kernel(Inputs in, std::span<Tensor> out, const Attrs& a) {
  const Shape xs(std::vector<int64_t>(a.get<std::vector<int64_t>>("input_sizes")));
  const ops::ConvGeometry g = ops::conv_geometry(xs, in[1].shape(), a);
  const Tensor dy = in[0].contiguous(), w = in[1].contiguous();
  T* dx = out[0].mutable_data<T>();
  if (out[0].size() == 0) return;
  if (std::is_same_v<T, double> || conv_reference() || dy.size() == 0) {
    if (dy.size() == 0) {
      std::fill(dx, dx + out[0].size(), T(0));
      return;
    }
    conv_backward_data_reference<T>(g, dy.data<T>(), w.data<T>(), dx);
    return;
  }
  if constexpr (std::is_same_v<T, float>) {
    translate_dnnl_errors("ConvBackpropInput", [&] {
      for_each_slice(g.n, [&](int64_t, int64_t n0, int64_t n) {
        run_slice(Kind::kBackwardData, g, n0, n, nullptr, const_cast<float*>(w.data<float>()), dy.data<float>(), dx);
      });
    });
  }
}

template <typename T> void conv_backprop_filter_kernel(Inputs in, std::span<Tensor> out, const Attrs& a) {
  const Shape ws(std::vector<int64_t>(a.get<std::vector<int64_t>>("filter_sizes")));
  const ops::ConvGeometry g = ops::conv_geometry(in[0].shape(), ws, a);
  const Tensor x = in[0].contiguous(), dy = in[1].contiguous();
  T* dw = out[0].mutable_data<T>();
  const int64_t nw = out[0].size();
  if (nw == 0) return;
  if (std::is_same_v<T, double> || conv_reference() || dy.size() == 0) {
    if (dy.size() == 0) {
      std::fill(dw, dw + nw, T(0));
      return;
    }
    conv_backward_filter_reference<T>(g, x.data<T>(), dy.data<T>(), dw);
    return;
  }
  if constexpr (std::is_same_v<T, float>) {
    const int64_t parts = slice_count(g.n);
    // Slice 0 writes dw; the others write partial sums that are added after.
    std::vector<float> partial(size_t((parts - 1) * nw));
    translate_dnnl_errors("ConvBackpropFilter", [&] {
      for_each_slice(g.n, [&](int64_t t, int64_t n0, int64_t n) {
        float* dst = t == 0 ? dw : partial.data() + (t - 1) * nw;
        run_slice(Kind::kBackwardWeights, g, n0, n, x.data<float>(), dst, dy.data<float>(), nullptr);
      });
    });
    for (int64_t t = 1; t < parts; ++t) {
      const float* p = partial.data() + (t - 1) * nw;
      for (int64_t i = 0; i < nw; ++i) dw[i] += p[i];
    }
  }
}

NB_REGISTER_KERNELS(kConvKernels) {
  register_kernel("Conv", DeviceType::CPU, {DType::float32}, &conv_kernel<float>);
  register_kernel("Conv", DeviceType::CPU, {DType::float64}, &conv_kernel<double>);
  register_kernel("FusedConv", DeviceType::CPU, {DType::float32}, &fused_conv_kernel<float>);
  register_kernel("FusedConv", DeviceType::CPU, {DType::float64}, &fused_conv_kernel<double>);
  register_kernel("ConvBackpropInput", DeviceType::CPU, {DType::float32}, &conv_backprop_input_kernel<float>);
  register_kernel("ConvBackpropInput", DeviceType::CPU, {DType::float64}, &conv_backprop_input_kernel<double>);
  register_kernel("ConvBackpropFilter", DeviceType::CPU, {DType::float32}, &conv_backprop_filter_kernel<float>);
  register_kernel("ConvBackpropFilter", DeviceType::CPU, {DType::float64}, &conv_backprop_filter_kernel<double>);
}

}  // namespace
}  // namespace nabla::cpu
