// Scalar: a C++ number (bool, integer or floating) waiting to be combined with
// a tensor. It takes the tensor's dtype (DESIGN.md §5: no implicit promotion).
#pragma once
#include <cstdint>
#include <type_traits>

#include "nabla/core/dtype.h"

namespace nabla {

class Scalar {
 public:
  enum class Kind : uint8_t { Bool, Int, Float };
  Scalar() = default;
  template <typename T>
    requires(std::is_arithmetic_v<T> || std::is_same_v<T, float16_t> ||
             std::is_same_v<T, bfloat16_t>)
  Scalar(T v) {  // NOLINT: implicit, so `t + 1` works
    if constexpr (std::is_same_v<T, bool>) { kind_ = Kind::Bool; i_ = v; }
    else if constexpr (std::is_integral_v<T>) { kind_ = Kind::Int; i_ = int64_t(v); }
    else if constexpr (std::is_arithmetic_v<T>) { kind_ = Kind::Float; d_ = double(v); }
    else { kind_ = Kind::Float; d_ = double(float(v)); }
  }
  Kind kind() const { return kind_; }
  bool is_floating() const { return kind_ == Kind::Float; }
  double to_double() const { return kind_ == Kind::Float ? d_ : double(i_); }
  int64_t to_int() const { return kind_ == Kind::Float ? int64_t(d_) : i_; }
  // The value converted to the C++ type T (float->int truncates toward zero).
  template <typename T> T to() const {
    if constexpr (std::is_same_v<T, bool>) return kind_ == Kind::Float ? d_ != 0.0 : i_ != 0;
    else if constexpr (std::is_integral_v<T>) return static_cast<T>(to_int());
    else return static_cast<T>(to_double());
  }
  // The dtype this scalar would get as a literal (int -> int32, float -> float32).
  DType literal_dtype() const {
    return kind_ == Kind::Bool ? DType::bool_ : kind_ == Kind::Int ? DType::int32 : DType::float32;
  }

 private:
  Kind kind_ = Kind::Int;
  int64_t i_ = 0;
  double d_ = 0.0;
};

}  // namespace nabla
