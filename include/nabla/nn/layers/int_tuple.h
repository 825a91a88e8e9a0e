// IntTuple: a Keras "int or tuple of ints" argument (kernel_size, strides,
// dilation_rate, pool_size ...). `3` means 3 along every spatial dimension;
// `{3, 2}` gives one value per dimension:
//
//   nb::layers::Conv2D(32, 3, {.strides = {2, 1}});
#pragma once
#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

namespace nabla::layers {

class IntTuple {
 public:
  // Empty: "not given" (each layer documents its default).
  IntTuple() = default;
  template <std::integral T>
  IntTuple(T v) : values_{int64_t(v)} {}                                // NOLINT: implicit by design
  IntTuple(std::initializer_list<int64_t> v) : values_(v) {}            // NOLINT
  IntTuple(std::vector<int64_t> v) : values_(std::move(v)) {}           // NOLINT
  bool empty() const { return values_.empty(); }
  // The values as given (one, or one per dimension).
  const std::vector<int64_t>& values() const { return values_; }
  // One value per dimension of `rank`: a single value is repeated. InvalidArgument
  // (Keras's message, naming `what`) when the length is neither 1 nor `rank`, or a
  // value is <= 0 (< 0 when allow_zero).
  std::vector<int64_t> expand(int rank, const std::string& what, bool allow_zero = false) const;
 private:
  std::vector<int64_t> values_;
};

}  // namespace nabla::layers
