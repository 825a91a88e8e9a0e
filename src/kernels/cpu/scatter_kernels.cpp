// CPU kernels of UnsortedSegmentSum, ScatterNd and TensorScatterAdd for
// float32, float64, int32 and int64 (float16/bfloat16 run the float32 kernel).
// Indices are validated first (nothing is written on error). Duplicates are
// summed in index order: work is split across threads by columns of the
// inner slice only, so every output element is accumulated by one thread in
// a fixed order and results do not depend on the thread count.
#include <algorithm>
#include <cstring>

#include "kernels/cpu/elementwise_loops.h"
#include "kernels/cpu/index_util.h"
#include "nabla/core/thread_pool.h"
#include "nabla/ops/cast.h"
#include "nabla/ops/registry.h"
#include "ops/op_util.h"

namespace nabla::cpu {
namespace {

constexpr int64_t kGrain = 1 << 15;  // element additions per task
constexpr int64_t kMinColumns = 64;  // columns per task, for whole cache lines

// out[offs[t] + j] += src[t * inner + j] for every row t with offs[t] >= 0,
// j in [0, inner), rows in order.
template <typename T>
void scatter_add_rows(T* out, const T* src, const std::vector<int64_t>& offs, int64_t inner) {
  const int64_t rows = int64_t(offs.size());
  if (rows == 0 || inner == 0) return;
  parallel_for(0, inner, std::max<int64_t>(kMinColumns, kGrain / rows), [&](int64_t j0, int64_t j1) {
    for (int64_t t = 0; t < rows; ++t) {
      const int64_t o = offs[size_t(t)];
      if (o < 0) continue;
      T* dst = out + o;
      const T* s = src + t * inner;
      for (int64_t j = j0; j < j1; ++j) dst[j] += s[j];
    }
  });
}

// Dispatches scatter_add_rows on the dtype of `out` (float32/64, int32/64).
void scatter_add(const Tensor& out, const Tensor& src, const std::vector<int64_t>& offs, int64_t inner) {
  auto run = [&]<typename T>() {
    scatter_add_rows<T>(out.mutable_data<T>(), src.data<T>(), offs, inner);
  };
  switch (out.dtype()) {
    case DType::float32: run.operator()<float>(); break;
    case DType::float64: run.operator()<double>(); break;
    case DType::int32: run.operator()<int32_t>(); break;
    case DType::int64: run.operator()<int64_t>(); break;
    default:
      throw Internal(detail::str_cat("scatter kernel called for dtype ", dtype_name(out.dtype())));
  }
}

void zero_fill(const Tensor& o) {
  if (o.size() > 0) std::memset(o.mutable_raw_data(), 0, size_t(o.size()) * dtype_size(o.dtype()));
}

int64_t tail_size(const Shape& s, size_t from) {
  int64_t n = 1;
  for (size_t i = from; i < s.size(); ++i) n *= s[i];
  return n;
}

void unsorted_segment_sum_kernel(Inputs in, std::span<Tensor> out, const Attrs& a) {
  const Tensor data = in[0].contiguous(), ids = in[1].contiguous();
  const Tensor& o = out[0];
  const int64_t num = a.get<int64_t>("num_segments");
  const int64_t inner = tail_size(data.shape(), size_t(ids.rank()));
  std::vector<int64_t> offs(size_t(ids.size()));
  with_indices(ids, [&](const auto* ip) {
    for (int64_t i = 0; i < ids.size(); ++i) {
      const int64_t v = int64_t(ip[i]);
      NB_CHECK(v < num, OutOfRange, "segment_ids", position_str(i, ids.shape()), " = ", v,
               " is out of range [0, ", num, ")");
      offs[size_t(i)] = v < 0 ? -1 : v * inner;  // negative ids are dropped
    }
  });
  zero_fill(o);
  scatter_add(o, data, offs, inner);
}

void scatter_nd_kernel(Inputs in, std::span<Tensor> out, const Attrs&) {
  const Tensor idx = in[0].contiguous(), upd = in[1].contiguous();
  const Tensor& o = out[0];
  std::vector<int64_t> offs;
  with_indices(idx, [&](const auto* ip) { offs = tuple_offsets(ip, idx.shape(), o.shape(), "shape "); });
  zero_fill(o);
  scatter_add(o, upd, offs, tail_size(o.shape(), size_t(idx.shape().back())));
}

void tensor_scatter_add_kernel(Inputs in, std::span<Tensor> out, const Attrs&) {
  const Tensor idx = in[1].contiguous(), upd = in[2].contiguous();
  const Tensor& o = out[0];
  std::vector<int64_t> offs;
  with_indices(idx, [&](const auto* ip) { offs = tuple_offsets(ip, idx.shape(), o.shape(), "shape "); });
  if (o.size() == 0) return;
  detail::copy_into(o, in[0]);
  scatter_add(o, upd, offs, tail_size(o.shape(), size_t(idx.shape().back())));
}

constexpr std::initializer_list<DType> kScatterTypes = {DType::float32, DType::float64, DType::int32,
                                                        DType::int64};

NB_REGISTER_KERNELS(kScatterKernels) {
  register_kernel("UnsortedSegmentSum", DeviceType::CPU, kScatterTypes, &unsorted_segment_sum_kernel);
  register_kernel("ScatterNd", DeviceType::CPU, kScatterTypes, &scatter_nd_kernel);
  register_kernel("TensorScatterAdd", DeviceType::CPU, kScatterTypes, &tensor_scatter_add_kernel);
}

}  // namespace
}  // namespace nabla::cpu
