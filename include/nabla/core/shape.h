// Shape: the extent of each dimension of a tensor. Strides: the distance, in
// elements, between neighbours along each dimension (may be 0 for broadcast
// views and negative for reversed views).
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "nabla/core/small_vector.h"

namespace nabla {

// A list of dimension sizes. Rank 0 (empty) is a scalar.
class Shape : public SmallVector<int64_t, 6> {
 public:
  using SmallVector::SmallVector;
  Shape() = default;
  Shape(std::initializer_list<int64_t> il) : SmallVector(il) {}
  Shape(const std::vector<int64_t>& v) : SmallVector(v.begin(), v.end()) {}  // NOLINT
  int64_t rank() const { return int64_t(size()); }
  // Number of elements (1 for a scalar).
  int64_t num_elements() const {
    int64_t n = 1;
    for (int64_t d : *this) n *= d;
    return n;
  }
  std::vector<int64_t> vec() const { return {begin(), end()}; }
  // TensorFlow's spelling of a shape in messages: "[2,3]".
  std::string str() const;
  // Python tuple spelling used when printing tensors: "(2, 3)", "(2,)", "()".
  std::string tuple_str() const;
};

using Strides = SmallVector<int64_t, 6>;

// Row-major (C order) strides for `shape`.
Strides contiguous_strides(const Shape& shape);

// NumPy broadcast of two shapes; throws InvalidArgument
// "Incompatible shapes: [2] vs. [3] [Op:NAME]" when they do not broadcast.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op_name);

// Normalises a possibly negative axis into [0, rank); throws InvalidArgument
// naming the op, the axis and the valid range otherwise.
int64_t normalize_axis(int64_t axis, int64_t rank, const char* op_name);

}  // namespace nabla
