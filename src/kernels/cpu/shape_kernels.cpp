// CPU kernels of the byte-moving shape ops: ConcatV2, Pack, Tile, PadV2,
// MirrorPad, GatherV2, GatherNd, TensorScatterUpdate, StridedSliceGrad. They work on element
// sizes only, so one kernel serves every dtype. Strided copies go through
// detail::copy_into (parallel, broadcasting); gathers copy contiguous rows
// with memcpy, split across the thread pool.
#include <cstring>
#include <string>

#include "kernels/cpu/elementwise_loops.h"
#include "kernels/cpu/index_util.h"
#include "nabla/core/thread_pool.h"
#include "nabla/ops/cast.h"
#include "nabla/ops/creation.h"
#include "nabla/ops/registry.h"
#include "ops/op_util.h"
#include "ops/strided_slice.h"

namespace nabla::cpu {
namespace {

constexpr int kMaxIterDims = 16;     // ElementwiseIter's rank limit
constexpr int64_t kCopyGrainBytes = 1 << 16;

int64_t prod(const Shape& s, size_t from, size_t to) {
  int64_t n = 1;
  for (size_t i = from; i < to; ++i) n *= s[i];
  return n;
}

// ---- concat / stack ------------------------------------------------------------

void concat_kernel(Inputs in, std::span<Tensor> out, const Attrs& a) {
  const Tensor& o = out[0];
  const int64_t axis = normalize_axis(a.get<int64_t>("axis"), o.rank(), "ConcatV2");
  const int64_t ostride = o.strides()[size_t(axis)];
  int64_t pos = 0;
  for (const Tensor& x : in) {
    if (x.size() > 0)
      detail::copy_into(Tensor::view_of(o, x.shape(), o.strides(), o.offset() + pos * ostride), x);
    pos += x.shape()[size_t(axis)];
  }
}

void pack_kernel(Inputs in, std::span<Tensor> out, const Attrs& a) {
  const Tensor& o = out[0];
  const int64_t axis = normalize_axis(a.get<int64_t>("axis"), o.rank(), "Pack");
  Strides st = o.strides();
  const int64_t ostride = st[size_t(axis)];
  st.erase(st.begin() + axis);
  for (size_t i = 0; i < in.size(); ++i)
    if (in[i].size() > 0)
      detail::copy_into(Tensor::view_of(o, in[i].shape(), st, o.offset() + int64_t(i) * ostride), in[i]);
}

// ---- tile ------------------------------------------------------------------------

// Writes x tiled `m` times into dst (shape x.shape * m). Each tiled axis i
// becomes a pair (m_i, n_i) of output axes, and x is broadcast along m_i, so
// one broadcasting copy does the whole job; beyond the iterator's rank limit
// the first tiled axis is unrolled.
void tile_into(const Tensor& dst, const Tensor& x, std::vector<int64_t> m) {
  Shape ds, ss;
  Strides dst_st, src_st;
  for (size_t i = 0; i < m.size(); ++i) {
    const int64_t n = x.shape()[i], os = dst.strides()[i];
    if (m[i] != 1) {
      ds.push_back(m[i]);
      dst_st.push_back(n * os);
      ss.push_back(1);
      src_st.push_back(0);
    }
    ds.push_back(n);
    dst_st.push_back(os);
    ss.push_back(n);
    src_st.push_back(x.strides()[i]);
  }
  if (ds.size() <= size_t(kMaxIterDims)) {
    detail::copy_into(Tensor::view_of(dst, ds, dst_st, dst.offset()),
                      Tensor::view_of(x, ss, src_st, x.offset()));
    return;
  }
  size_t i = 0;
  while (m[i] == 1) ++i;
  const int64_t reps = m[i], n = x.shape()[i];
  Shape sub = dst.shape();
  sub[i] = n;
  m[i] = 1;
  for (int64_t k = 0; k < reps; ++k)
    tile_into(Tensor::view_of(dst, sub, dst.strides(), dst.offset() + k * n * dst.strides()[i]), x, m);
}

void tile_kernel(Inputs in, std::span<Tensor> out, const Attrs& a) {
  if (out[0].size() == 0) return;
  tile_into(out[0], in[0], ops::int_list(a, "multiples"));
}

// ---- pad -------------------------------------------------------------------------

// The view of `o` where the unpadded input goes.
Tensor interior_view(const Tensor& o, const Tensor& x, const std::vector<int64_t>& p) {
  int64_t off = o.offset();
  for (size_t i = 0; i < size_t(x.rank()); ++i) off += p[2 * i] * o.strides()[i];
  return Tensor::view_of(o, x.shape(), o.strides(), off);
}

void pad_constant_kernel(Inputs in, std::span<Tensor> out, const Attrs& a) {
  const Tensor &x = in[0], &o = out[0];
  const std::vector<int64_t> p = ops::int_list(a, "paddings");
  if (o.size() > x.size()) {
    const AttrValue* v = a.find("constant_value");
    Tensor c = v && std::holds_alternative<double>(*v)
                   ? detail::make_from_doubles({std::get<double>(*v)}, {}, o.dtype())
                   : detail::make_from_int64s({v ? std::get<int64_t>(*v) : 0}, {}, o.dtype());
    detail::copy_into(o, c);
  }
  if (x.size() > 0) detail::copy_into(interior_view(o, x, p), x);
}

void mirror_pad_kernel(Inputs in, std::span<Tensor> out, const Attrs& a) {
  const Tensor &x = in[0], &o = out[0];
  if (o.size() == 0) return;
  const std::vector<int64_t> p = ops::int_list(a, "paddings");
  const bool reflect = a.get<std::string>("mode") == "REFLECT";
  detail::copy_into(interior_view(o, x, p), x);
  // Axis by axis: axes before d are complete, axes after d hold only the
  // interior; the pads along d are mirrored views (negative stride) of the
  // interior along d.
  const size_t r = size_t(x.rank());
  for (size_t d = 0; d < r; ++d) {
    const int64_t b = p[2 * d], e = p[2 * d + 1], n = x.shape()[d], os = o.strides()[d];
    if (b == 0 && e == 0) continue;
    Shape s = o.shape();
    int64_t base = o.offset();
    for (size_t j = d + 1; j < r; ++j) {
      s[j] = x.shape()[j];
      base += p[2 * j] * o.strides()[j];
    }
    Strides rev = o.strides();
    rev[d] = -os;
    if (b > 0) {
      s[d] = b;
      const int64_t src = reflect ? 2 * b : 2 * b - 1;
      detail::copy_into(Tensor::view_of(o, s, o.strides(), base),
                        Tensor::view_of(o, s, rev, base + src * os));
    }
    if (e > 0) {
      s[d] = e;
      const int64_t src = reflect ? b + n - 2 : b + n - 1;
      detail::copy_into(Tensor::view_of(o, s, o.strides(), base + (b + n) * os),
                        Tensor::view_of(o, s, rev, base + src * os));
    }
  }
}

// ---- gather ----------------------------------------------------------------------

void gather_kernel(Inputs in, std::span<Tensor> out, const Attrs& a) {
  const Tensor x = in[0].contiguous(), idx = in[1].contiguous();
  const Tensor& o = out[0];
  int64_t bd = a.get_or<int64_t>("batch_dims", 0);
  if (bd < 0) bd += idx.rank();
  const int64_t axis = normalize_axis(a.get_or<int64_t>("axis", 0), x.rank(), "GatherV2");
  const Shape& xs = x.shape();
  const int64_t B = prod(xs, 0, size_t(bd)), outer = prod(xs, size_t(bd), size_t(axis)),
                A = xs[size_t(axis)], inner = prod(xs, size_t(axis) + 1, xs.size()),
                N = prod(idx.shape(), size_t(bd), idx.shape().size());
  const int64_t es = int64_t(dtype_size(x.dtype()));
  const int64_t row_bytes = inner * es;
  const char* src = static_cast<const char*>(x.raw_data());
  char* dst = static_cast<char*>(o.mutable_raw_data());
  with_indices(idx, [&](const auto* ip) {
    const int64_t total = idx.size();
    for (int64_t i = 0; i < total; ++i)
      NB_CHECK(ip[i] >= 0 && ip[i] < A, OutOfRange, "indices", position_str(i, idx.shape()), " = ",
               int64_t(ip[i]), " is not in [0, ", A, ")");
    if (o.size() == 0) return;
    const int64_t rows = B * outer * N;
    parallel_for(0, rows, std::max<int64_t>(1, kCopyGrainBytes / std::max<int64_t>(1, row_bytes)),
                 [&](int64_t r0, int64_t r1) {
                   for (int64_t r = r0; r < r1; ++r) {
                     const int64_t b = r / (outer * N), ob = (r / N) % outer, n = r % N;
                     const int64_t v = int64_t(ip[b * N + n]);
                     std::memcpy(dst + r * row_bytes, src + ((b * outer + ob) * A + v) * row_bytes,
                                 size_t(row_bytes));
                   }
                 });
  });
}

void gather_nd_kernel(Inputs in, std::span<Tensor> out, const Attrs&) {
  const Tensor x = in[0].contiguous(), idx = in[1].contiguous();
  const Tensor& o = out[0];
  const int64_t k = idx.shape().back();
  const int64_t es = int64_t(dtype_size(x.dtype()));
  const int64_t slice_bytes = prod(x.shape(), size_t(k), x.shape().size()) * es;
  std::vector<int64_t> offs;
  with_indices(idx, [&](const auto* ip) { offs = tuple_offsets(ip, idx.shape(), x.shape(), "param shape "); });
  if (o.size() == 0) return;
  const char* src = static_cast<const char*>(x.raw_data());
  char* dst = static_cast<char*>(o.mutable_raw_data());
  parallel_for(0, int64_t(offs.size()),
               std::max<int64_t>(1, kCopyGrainBytes / std::max<int64_t>(1, slice_bytes)),
               [&](int64_t t0, int64_t t1) {
                 for (int64_t t = t0; t < t1; ++t)
                   std::memcpy(dst + t * slice_bytes, src + offs[size_t(t)] * es, size_t(slice_bytes));
               });
}

// Updates are applied in order, so for repeated indices the last one wins.
void scatter_nd_update_kernel(Inputs in, std::span<Tensor> out, const Attrs&) {
  const Tensor &x = in[0], &o = out[0];
  const Tensor idx = in[1].contiguous(), upd = in[2].contiguous();
  const int64_t k = idx.shape().back();
  const int64_t es = int64_t(dtype_size(x.dtype()));
  const int64_t slice_bytes = prod(x.shape(), size_t(k), x.shape().size()) * es;
  std::vector<int64_t> offs;
  with_indices(idx, [&](const auto* ip) { offs = tuple_offsets(ip, idx.shape(), x.shape(), "shape "); });
  if (o.size() == 0) return;
  detail::copy_into(o, x);
  const char* src = static_cast<const char*>(upd.raw_data());
  char* dst = static_cast<char*>(o.mutable_raw_data());
  for (size_t t = 0; t < offs.size(); ++t)
    std::memcpy(dst + offs[t] * es, src + int64_t(t) * slice_bytes, size_t(slice_bytes));
}

// ---- strided slice gradient --------------------------------------------------------

// Zeros, with dy copied into the view StridedSlice reads (the same function
// computes it). Size-1 dims (new axes among them) are dropped from both views.
void strided_slice_grad_kernel(Inputs in, std::span<Tensor> out, const Attrs& a) {
  const Tensor &dy = in[0], &o = out[0];
  if (o.size() == 0) return;
  std::memset(o.mutable_raw_data(), 0, size_t(o.size()) * dtype_size(o.dtype()));
  if (dy.size() == 0) return;
  const ops::StridedView v = ops::strided_slice_view(o.shape(), o.strides(), o.offset(), a);
  Shape s;
  Strides dst_st, src_st;
  for (size_t i = 0; i < v.shape.size(); ++i) {
    if (v.shape[i] == 1) continue;
    s.push_back(v.shape[i]);
    dst_st.push_back(v.strides[i]);
    src_st.push_back(dy.strides()[i]);
  }
  detail::copy_into(Tensor::view_of(o, s, dst_st, v.offset), Tensor::view_of(dy, s, src_st, dy.offset()));
}

NB_REGISTER_KERNELS(kShapeKernels) {
  register_kernel("ConcatV2", DeviceType::CPU, ops::kKernelAll, &concat_kernel);
  register_kernel("Pack", DeviceType::CPU, ops::kKernelAll, &pack_kernel);
  register_kernel("Tile", DeviceType::CPU, ops::kKernelAll, &tile_kernel);
  register_kernel("PadV2", DeviceType::CPU, ops::kKernelAll, &pad_constant_kernel);
  register_kernel("MirrorPad", DeviceType::CPU, ops::kKernelAll, &mirror_pad_kernel);
  register_kernel("GatherV2", DeviceType::CPU, ops::kKernelAll, &gather_kernel);
  register_kernel("GatherNd", DeviceType::CPU, ops::kKernelAll, &gather_nd_kernel);
  register_kernel("TensorScatterUpdate", DeviceType::CPU, ops::kKernelAll, &scatter_nd_update_kernel);
  register_kernel("StridedSliceGrad", DeviceType::CPU, ops::kKernelAll, &strided_slice_grad_kernel);
}

}  // namespace
}  // namespace nabla::cpu
