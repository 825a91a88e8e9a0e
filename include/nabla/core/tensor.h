// Tensor: an immutable n-dimensional array. A Tensor is a cheap handle to a
// view (storage + element offset + shape + strides + dtype); copying a Tensor
// shares the view. Views made by reshape/transpose/slice/expand_dims/squeeze/
// broadcast_to share storage with their base where strides allow.
#pragma once
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "nabla/core/device.h"
#include "nabla/core/dtype.h"
#include "nabla/core/error.h"
#include "nabla/core/indexing.h"
#include "nabla/core/scalar.h"
#include "nabla/core/shape.h"
#include "nabla/core/storage.h"

namespace nabla {

struct AutogradMeta;  // defined by the autodiff layer

// The state behind a Tensor handle. Kernels and views read it directly.
struct TensorImpl {
  std::shared_ptr<Storage> storage;
  int64_t offset = 0;  // in elements
  Shape shape;
  Strides strides;     // in elements
  DType dtype = DType::float32;
  std::shared_ptr<AutogradMeta> autograd;  // reserved for GradientTape
};

class Tensor {
 public:
  // An undefined tensor (defined() == false); most operations reject it.
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  // Allocates an uninitialised contiguous tensor.
  static Tensor empty(const Shape& shape, DType dtype, Device device = Device::cpu());
  // A view of `base`'s storage with the given geometry (no checks beyond bounds).
  static Tensor view_of(const Tensor& base, const Shape& shape, const Strides& strides,
                        int64_t offset);

  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const { return impl().shape; }
  const Strides& strides() const { return impl().strides; }
  int64_t offset() const { return impl().offset; }
  int64_t rank() const { return int64_t(impl().shape.size()); }
  // Number of elements.
  int64_t size() const { return impl().shape.num_elements(); }
  int64_t dim(int64_t axis) const;  // negative axes count from the end
  DType dtype() const { return impl().dtype; }
  Device device() const { return impl().storage->device(); }
  const std::shared_ptr<Storage>& storage() const { return impl().storage; }
  bool is_contiguous() const;

  // Pointer to the first element (storage + offset). T must match dtype().
  template <typename T> const T* data() const {
    check_type(dtype_of<T>());
    return static_cast<const T*>(raw_data());
  }
  const void* raw_data() const {
    return static_cast<const char*>(impl().storage->data()) + impl().offset * int64_t(dtype_size(dtype()));
  }
  // Mutable access for kernels writing freshly allocated outputs.
  void* mutable_raw_data() const { return const_cast<void*>(raw_data()); }
  template <typename T> T* mutable_data() const {
    check_type(dtype_of<T>());
    return static_cast<T*>(mutable_raw_data());
  }

  // The single element converted to T; throws InvalidArgument unless size() == 1.
  template <typename T> T item() const;
  // All elements in row-major order, converted to T.
  template <typename T> std::vector<T> to_vector() const;

  // This tensor if contiguous, else a contiguous copy.
  Tensor contiguous() const;
  // The same values on `device` (a contiguous copy; this tensor itself when it
  // is already there). Not recorded by GradientTape. InvalidArgument for a
  // device that does not exist (no CUDA back end in this build, no such GPU).
  Tensor to(Device device) const;
  // Same values, converted to `dtype` (see nabla::cast).
  Tensor cast(DType dtype) const;
  Tensor reshape(const Shape& shape) const;

  // NumPy indexing: t.index({Slice(1, None), -1}), t.index({Ellipsis, 0}).
  Tensor index(const std::vector<TensorIndex>& indices) const;
  // NumPy indexing from a string: t["1:, ::-1"], t["..., 0"], t["2"].
  Tensor operator[](std::string_view spec) const;
  Tensor operator[](int64_t i) const;

  // TensorFlow-style text: nb.Tensor([1 2], shape=(2,), dtype=int32)
  std::string str() const;
  // Only the values, NumPy style: [[1 2] [3 4]] with line breaks.
  std::string values_str() const;

  TensorImpl& impl() const {
    NB_CHECK(impl_ != nullptr, InvalidArgument, "use of an undefined (default-constructed) Tensor");
    return *impl_;
  }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }
  // Two handles to the same view.
  bool is_same(const Tensor& o) const { return impl_ == o.impl_; }

 private:
  void check_type(DType requested) const;
  std::shared_ptr<TensorImpl> impl_;
};

std::ostream& operator<<(std::ostream& os, const Tensor& t);

}  // namespace nabla
