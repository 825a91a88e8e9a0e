// Creation ops: constants, fills, ranges, eye, one_hot.
#include "nabla/ops/creation.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/device_runtime.h"
#include "kernels/cpu/convert.h"
#include "nabla/ops/cast.h"
#include "nabla/ops/registry.h"
#include "ops/op_util.h"

namespace nabla {
namespace {
// A scalar tensor of dtype `dtype` on the CPU holding `v`.
template <typename V> Tensor cpu_scalar(V v, DType dtype) {
  Tensor t = Tensor::empty({}, dtype);
  visit_dtype(dtype, [&]<typename T>() { *static_cast<T*>(t.mutable_raw_data()) = cpu::convert<T, V>(v); });
  return t;
}
}  // namespace

namespace detail {

Tensor make_from_doubles(const std::vector<double>& v, const Shape& shape, DType dtype) {
  NB_CHECK(int64_t(v.size()) == shape.num_elements(), InvalidArgument, "constant: ", v.size(),
           " values do not fill shape ", shape.str(), " (", shape.num_elements(), " elements)");
  Tensor t = Tensor::empty(shape, dtype);
  visit_dtype(dtype, [&]<typename T>() {
    T* p = static_cast<T*>(t.mutable_raw_data());
    for (size_t i = 0; i < v.size(); ++i) p[i] = cpu::convert<T, double>(v[i]);
  });
  return to_current_device(t);
}

Tensor make_from_int64s(const std::vector<int64_t>& v, const Shape& shape, DType dtype) {
  NB_CHECK(int64_t(v.size()) == shape.num_elements(), InvalidArgument, "constant: ", v.size(),
           " values do not fill shape ", shape.str(), " (", shape.num_elements(), " elements)");
  Tensor t = Tensor::empty(shape, dtype);
  visit_dtype(dtype, [&]<typename T>() {
    T* p = static_cast<T*>(t.mutable_raw_data());
    for (size_t i = 0; i < v.size(); ++i) p[i] = cpu::convert<T, int64_t>(v[i]);
  });
  return to_current_device(t);
}

}  // namespace detail

Tensor from_bytes(const void* data, const Shape& shape, DType dtype) {
  Tensor t = Tensor::empty(shape, dtype);
  if (t.size()) std::memcpy(t.mutable_raw_data(), data, size_t(t.size()) * dtype_size(dtype));
  return detail::to_current_device(t);
}

Tensor fill(const Shape& shape, Scalar value, std::optional<DType> dtype) {
  const DType dt = dtype.value_or(value.literal_dtype());
  Tensor t = Tensor::empty(shape, dt);
  // The scalar on the CPU (DeviceScope applies to the result, once).
  const Tensor s = value.kind() == Scalar::Kind::Float ? cpu_scalar(value.to_double(), dt) : cpu_scalar(value.to_int(), dt);
  detail::copy_into(t, s);
  return detail::to_current_device(t);
}
Tensor zeros(const Shape& shape, DType dtype) { return fill(shape, 0, dtype); }
Tensor ones(const Shape& shape, DType dtype) { return fill(shape, 1, dtype); }
// The *_like functions follow `t`'s device, not the DeviceScope.
Tensor zeros_like(const Tensor& t, std::optional<DType> dtype) {
  return zeros(t.shape(), dtype.value_or(t.dtype())).to(t.device());
}
Tensor ones_like(const Tensor& t, std::optional<DType> dtype) {
  return ones(t.shape(), dtype.value_or(t.dtype())).to(t.device());
}
Tensor fill_like(const Tensor& t, Scalar value) { return fill(t.shape(), value, t.dtype()).to(t.device()); }

Tensor arange(Scalar limit) { return arange(0, limit, 1); }

Tensor arange(Scalar start, Scalar limit, Scalar delta, std::optional<DType> dtype) {
  const bool all_int = !start.is_floating() && !limit.is_floating() && !delta.is_floating();
  const DType dt = dtype.value_or(all_int ? DType::int32 : DType::float32);
  NB_CHECK(delta.to_double() != 0, InvalidArgument, "arange: delta must not be zero");
  if (all_int && !is_floating(dt)) {
    const int64_t s = start.to_int(), l = limit.to_int(), d = delta.to_int();
    const int64_t n = d > 0 ? (l > s ? (l - s + d - 1) / d : 0) : (s > l ? (s - l - d - 1) / (-d) : 0);
    std::vector<int64_t> v(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) v[size_t(i)] = s + i * d;
    return detail::make_from_int64s(v, {n}, dt);
  }
  const double s = start.to_double(), l = limit.to_double(), d = delta.to_double();
  NB_CHECK((d > 0 && s <= l) || (d < 0 && s >= l) || s == l, InvalidArgument,
           "arange: requires start <= limit when delta > 0 (or >= when delta < 0), got start=", s,
           " limit=", l, " delta=", d);
  const int64_t n = int64_t(std::ceil((l - s) / d));
  std::vector<double> v(size_t(std::max<int64_t>(n, 0)));
  for (size_t i = 0; i < v.size(); ++i) v[i] = s + double(i) * d;
  return detail::make_from_doubles(v, {int64_t(v.size())}, dt);
}

Tensor linspace(double start, double stop, int64_t num, DType dtype) {
  NB_CHECK(num >= 0, InvalidArgument, "linspace: num must be >= 0, got ", num);
  std::vector<double> v(static_cast<size_t>(num));
  for (int64_t i = 0; i < num; ++i)
    v[size_t(i)] = num == 1 ? start : start + (stop - start) * double(i) / double(num - 1);
  if (num > 1) v.back() = stop;
  return detail::make_from_doubles(v, {num}, dtype);
}

Tensor eye(int64_t rows, std::optional<int64_t> cols, DType dtype) {
  const int64_t c = cols.value_or(rows);
  NB_CHECK(rows >= 0 && c >= 0, InvalidArgument, "eye: sizes must be >= 0, got ", rows, "x", c);
  std::vector<double> v(size_t(rows * c), 0.0);
  for (int64_t i = 0; i < std::min(rows, c); ++i) v[size_t(i * c + i)] = 1.0;
  return detail::make_from_doubles(v, {rows, c}, dtype);
}

namespace {

// OneHot(indices): attrs depth, axis (already in [0, rank]), on_value, off_value, dtype.
NB_REGISTER_OP(kOneHot) {
  OpDef d;
  d.name = "OneHot";
  d.onnx_name = "OneHot";
  d.min_inputs = d.max_inputs = 1;
  d.attr_names = {"depth", "axis", "on_value", "off_value", "dtype"};
  d.differentiable = false;
  d.half_via_float = false;
  d.kernel_dtype = [](Inputs, const Attrs&) { return DType::int64; };  // one kernel for every dtype
  d.infer = [](Inputs in, const Attrs& a) -> std::vector<TensorSpec> {
    const Tensor& idx = in[0];
    NB_CHECK(is_integral(idx.dtype()), InvalidArgument, "one_hot expects integer indices, got ",
             dtype_name(idx.dtype()));
    const int64_t depth = a.get<int64_t>("depth"), axis = a.get<int64_t>("axis");
    NB_CHECK(depth >= 0, InvalidArgument, "one_hot: depth must be >= 0, got ", depth);
    NB_CHECK(axis >= 0 && axis <= idx.rank(), InvalidArgument, "one_hot: axis ", axis,
             " out of range for indices of rank ", idx.rank());
    Shape out = idx.shape();
    out.insert(out.begin() + axis, depth);
    return {{out, a.get<DType>("dtype")}};
  };
  d.kernels[int(DeviceType::CPU)][int(DType::int64)] = [](Inputs in, std::span<Tensor> out, const Attrs& a) {
    const Tensor idx = in[0].contiguous();
    const int64_t depth = a.get<int64_t>("depth"), axis = a.get<int64_t>("axis");
    const double on = a.get<double>("on_value"), off = a.get<double>("off_value");
    int64_t outer = 1, inner = 1;
    for (int64_t i = 0; i < axis; ++i) outer *= idx.shape()[size_t(i)];
    for (int64_t i = axis; i < idx.rank(); ++i) inner *= idx.shape()[size_t(i)];
    visit_dtype(out[0].dtype(), [&]<typename T>() {
      T* p = static_cast<T*>(out[0].mutable_raw_data());
      const T on_t = cpu::convert<T, double>(on), off_t = cpu::convert<T, double>(off);
      std::fill(p, p + out[0].size(), off_t);
      visit_dtype(idx.dtype(), [&]<typename I>() {
        if constexpr (std::is_integral_v<I>) {
          const I* q = static_cast<const I*>(idx.raw_data());
          for (int64_t x = 0; x < outer; ++x)
            for (int64_t y = 0; y < inner; ++y) {
              const int64_t k = int64_t(q[x * inner + y]);
              if (k >= 0 && k < depth) p[(x * depth + k) * inner + y] = on_t;
            }
        }
      });
    });
  };
  return d;
}

}  // namespace

Tensor one_hot(const Tensor& indices, int64_t depth, OneHotOptions o) {
  NB_CHECK(indices.defined() && (is_integral(indices.dtype())), InvalidArgument,
           "one_hot expects integer indices, got ",
           indices.defined() ? std::string(dtype_name(indices.dtype())) : "an undefined tensor");
  const int64_t r = indices.rank();
  const int64_t axis = o.axis == -1 ? r : o.axis;
  NB_CHECK(axis >= 0 && axis <= r, InvalidArgument, "one_hot: axis ", o.axis,
           " out of range for indices of rank ", r);
  return call_op1(kOneHot, {indices},
                  Attrs{{"depth", depth}, {"axis", axis}, {"on_value", o.on_value}, {"off_value", o.off_value},
                        {"dtype", o.dtype}});
}

}  // namespace nabla
