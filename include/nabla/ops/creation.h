// Tensor creation: constants from C++ values, filled tensors, ranges, eye,
// one_hot. Integer literals give int32, floating literals float32 (as in
// TensorFlow); pass a dtype to choose another.
#pragma once
#include <initializer_list>
#include <optional>
#include <vector>

#include "nabla/core/tensor.h"

namespace nabla {

namespace detail {
// Builds a tensor of `dtype` from row-major doubles/int64s (exact for int64).
Tensor make_from_doubles(const std::vector<double>& v, const Shape& shape, DType dtype);
Tensor make_from_int64s(const std::vector<int64_t>& v, const Shape& shape, DType dtype);
template <typename T> Tensor make_from(const std::vector<T>& flat, const Shape& shape, DType dtype) {
  if constexpr (std::is_integral_v<T>)
    return make_from_int64s(std::vector<int64_t>(flat.begin(), flat.end()), shape, dtype);
  else
    return make_from_doubles(std::vector<double>(flat.begin(), flat.end()), shape, dtype);
}
template <typename T> using IL1 = std::initializer_list<T>;
template <typename T> using IL2 = std::initializer_list<IL1<T>>;
template <typename T> using IL3 = std::initializer_list<IL2<T>>;
template <typename T> using IL4 = std::initializer_list<IL3<T>>;
// Flattens nested lists, checking they are rectangular (InvalidArgument otherwise).
template <typename T> void flatten(const T& v, std::vector<T>& out, Shape&, size_t) { out.push_back(v); }
template <typename T, typename E>
void flatten(const std::initializer_list<E>& il, std::vector<T>& out, Shape& shape, size_t depth) {
  if (shape.size() <= depth) shape.push_back(int64_t(il.size()));
  else if (shape[depth] != int64_t(il.size()))
    throw InvalidArgument(str_cat("constant: nested lists must be rectangular; at depth ", depth,
                                  " expected ", shape[depth], " elements, got ", il.size()));
  for (const auto& e : il) flatten<T>(e, out, shape, depth + 1);
}
template <typename T, typename L> Tensor constant_nested(const L& il, std::optional<DType> dtype) {
  std::vector<T> flat;
  Shape shape;
  flatten<T>(il, flat, shape, 0);
  return make_from(flat, shape, dtype.value_or(literal_dtype<T>()));
}
}  // namespace detail

// A scalar tensor. constant(3) -> int32, constant(2.5) -> float32.
template <typename T> requires std::is_arithmetic_v<T>
Tensor constant(T value, std::optional<DType> dtype = std::nullopt) {
  return detail::make_from(std::vector<T>{value}, Shape{}, dtype.value_or(literal_dtype<T>()));
}
// Ranks 1 to 4 from nested initializer lists: constant({{1, 2}, {3, 4}}).
template <typename T> Tensor constant(std::initializer_list<T> v, std::optional<DType> dtype = std::nullopt) {
  return detail::constant_nested<T>(v, dtype);
}
template <typename T> Tensor constant(std::initializer_list<std::initializer_list<T>> v, std::optional<DType> dtype = std::nullopt) {
  return detail::constant_nested<T>(v, dtype);
}
template <typename T> Tensor constant(std::initializer_list<std::initializer_list<std::initializer_list<T>>> v, std::optional<DType> dtype = std::nullopt) {
  return detail::constant_nested<T>(v, dtype);
}
template <typename T> Tensor constant(std::initializer_list<std::initializer_list<std::initializer_list<std::initializer_list<T>>>> v, std::optional<DType> dtype = std::nullopt) {
  return detail::constant_nested<T>(v, dtype);
}
// From a flat row-major vector and a shape; the dtype defaults to the exact
// C++ element type (std::vector<double> -> float64). Throws InvalidArgument
// when v.size() != shape.num_elements().
template <typename T>
Tensor constant(const std::vector<T>& v, const Shape& shape, std::optional<DType> dtype = std::nullopt) {
  return detail::make_from(v, shape, dtype.value_or(dtype_of<T>()));
}
// Copies `nbytes = size * dtype_size` raw bytes (row-major) into a new tensor.
Tensor from_bytes(const void* data, const Shape& shape, DType dtype);

Tensor zeros(const Shape& shape, DType dtype = DType::float32);
Tensor ones(const Shape& shape, DType dtype = DType::float32);
// tf.fill: every element equals `value` (converted to dtype; default: the literal's dtype).
Tensor fill(const Shape& shape, Scalar value, std::optional<DType> dtype = std::nullopt);
Tensor zeros_like(const Tensor& t, std::optional<DType> dtype = std::nullopt);
Tensor ones_like(const Tensor& t, std::optional<DType> dtype = std::nullopt);
Tensor fill_like(const Tensor& t, Scalar value);

// tf.range: start, start+delta, ... < limit (> limit for negative delta).
// dtype defaults to int32 when all arguments are integers, else float32.
Tensor arange(Scalar limit);
Tensor arange(Scalar start, Scalar limit, Scalar delta = 1, std::optional<DType> dtype = std::nullopt);
// `num` evenly spaced values from start to stop inclusive (float32 by default).
Tensor linspace(double start, double stop, int64_t num, DType dtype = DType::float32);
// Identity matrix (num_rows x num_columns, columns default to rows).
Tensor eye(int64_t num_rows, std::optional<int64_t> num_columns = std::nullopt,
           DType dtype = DType::float32);

struct OneHotOptions {
  double on_value = 1.0;
  double off_value = 0.0;
  int64_t axis = -1;
  DType dtype = DType::float32;
};
// tf.one_hot: indices (integer tensor) -> one-hot along a new axis; indices
// outside [0, depth) give an all-off row (as TensorFlow).
Tensor one_hot(const Tensor& indices, int64_t depth, OneHotOptions options = {});

}  // namespace nabla
