#include "nabla/core/tensor.h"

#include <ostream>

#include "nabla/ops/cast.h"
#include "nabla/ops/registry.h"
#include "nabla/ops/shape_ops.h"

namespace nabla {

Tensor Tensor::empty(const Shape& shape, DType dtype, Device device) {
  for (int64_t d : shape)
    NB_CHECK(d >= 0, InvalidArgument, "dimension sizes must be >= 0, got shape ", shape.str());
  int64_t bytes = int64_t(dtype_size(dtype));
  for (int64_t d : shape)
    NB_CHECK(!__builtin_mul_overflow(bytes, d, &bytes), ResourceExhausted, "a tensor of shape ",
             shape.str(), " and dtype ", dtype_name(dtype), " does not fit in memory");
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::make_shared<Storage>(size_t(bytes), device);
  impl->shape = shape;
  impl->strides = contiguous_strides(shape);
  impl->dtype = dtype;
  return Tensor(std::move(impl));
}

Tensor Tensor::view_of(const Tensor& base, const Shape& shape, const Strides& strides, int64_t offset) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = base.storage();
  impl->shape = shape;
  impl->strides = strides;
  impl->offset = offset;
  impl->dtype = base.dtype();
  return Tensor(std::move(impl));
}

int64_t Tensor::dim(int64_t axis) const {
  return shape()[size_t(normalize_axis(axis, rank(), "dim"))];
}

bool Tensor::is_contiguous() const {
  const Shape& s = shape();
  const Strides& st = strides();
  int64_t expected = 1;
  for (size_t i = s.size(); i-- > 0;) {
    if (s[i] == 1) continue;
    if (st[i] != expected) return false;
    expected *= s[i];
  }
  return true;
}

void Tensor::check_type(DType requested) const {
  NB_CHECK(requested == dtype(), InvalidArgument, "tensor has dtype ", dtype_name(dtype()),
           " but was accessed as ", dtype_name(requested));
}

template <typename T> T Tensor::item() const {
  NB_CHECK(size() == 1, InvalidArgument, "item() expects a tensor with exactly one element, got shape ",
           shape().tuple_str());
  return to_vector<T>()[0];
}

template <typename T> std::vector<T> Tensor::to_vector() const {
  if (observers_active()) notify_host_read(*this);
  if (!device().is_cpu()) return to(Device::cpu()).to_vector<T>();
  Tensor c = nabla::cast(*this, dtype_of<T>()).contiguous();
  const T* p = static_cast<const T*>(c.raw_data());
  return std::vector<T>(p, p + c.size());
}

#define NB_INSTANTIATE_READBACK(T)                   \
  template T Tensor::item<T>() const;                \
  template std::vector<T> Tensor::to_vector<T>() const;
NB_INSTANTIATE_READBACK(float)
NB_INSTANTIATE_READBACK(double)
NB_INSTANTIATE_READBACK(int8_t)
NB_INSTANTIATE_READBACK(int16_t)
NB_INSTANTIATE_READBACK(int32_t)
NB_INSTANTIATE_READBACK(int64_t)
NB_INSTANTIATE_READBACK(uint8_t)
NB_INSTANTIATE_READBACK(float16_t)
NB_INSTANTIATE_READBACK(bfloat16_t)
#undef NB_INSTANTIATE_READBACK

// std::vector<bool> is bit-packed: convert through uint8.
template <> std::vector<bool> Tensor::to_vector<bool>() const {
  if (observers_active()) notify_host_read(*this);
  if (!device().is_cpu()) return to(Device::cpu()).to_vector<bool>();
  Tensor c = nabla::cast(*this, DType::bool_).contiguous();
  const bool* p = c.data<bool>();
  return std::vector<bool>(p, p + c.size());
}

template <> bool Tensor::item<bool>() const {
  NB_CHECK(size() == 1, InvalidArgument, "item() expects a tensor with exactly one element, got shape ",
           shape().tuple_str());
  return to_vector<bool>()[0];
}

Tensor Tensor::contiguous() const {
  if (is_contiguous()) return *this;
  // Inside nb::function tracing the copy must be an op the graph can redo; off
  // the CPU it runs as that op's device kernel.
  if (graph_recording_active() || !device().is_cpu()) return detail::contiguous_copy(*this);
  Tensor out = Tensor::empty(shape(), dtype(), device());
  detail::copy_into(out, *this);
  return out;
}

Tensor Tensor::cast(DType dt) const { return nabla::cast(*this, dt); }
Tensor Tensor::reshape(const Shape& s) const { return nabla::reshape(*this, s); }

Tensor Tensor::index(const std::vector<TensorIndex>& indices) const {
  std::vector<int64_t> begin, end, strides;
  StridedSliceOptions o;
  for (size_t i = 0; i < indices.size(); ++i) {
    const TensorIndex& ix = indices[i];
    const int64_t bit = int64_t(1) << i;
    switch (ix.kind()) {
      case TensorIndex::Kind::Integer:
        begin.push_back(ix.integer());
        end.push_back(ix.integer() + 1);
        strides.push_back(1);
        o.shrink_axis_mask |= bit;
        break;
      case TensorIndex::Kind::Slice: {
        const Slice& s = ix.slice();
        begin.push_back(s.start.value_or(0));
        end.push_back(s.stop.value_or(0));
        strides.push_back(s.step.value_or(1));
        if (!s.start) o.begin_mask |= bit;
        if (!s.stop) o.end_mask |= bit;
        break;
      }
      case TensorIndex::Kind::Ellipsis:
        begin.push_back(0); end.push_back(0); strides.push_back(1);
        o.ellipsis_mask |= bit;
        break;
      case TensorIndex::Kind::NewAxis:
        begin.push_back(0); end.push_back(0); strides.push_back(1);
        o.new_axis_mask |= bit;
        break;
    }
  }
  return strided_slice(*this, begin, end, strides, o);
}

Tensor Tensor::operator[](std::string_view spec) const { return index(parse_index(spec)); }
Tensor Tensor::operator[](int64_t i) const { return index({TensorIndex(i)}); }

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << t.str(); }

}  // namespace nabla
