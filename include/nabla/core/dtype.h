// DType: the element types a Tensor can hold (DESIGN.md §5) and the mapping
// between C++ types and DType values.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "nabla/core/half.h"

namespace nabla {

// Element type of a tensor. The numeric values are stable (used in files).
enum class DType : uint8_t {
  float16 = 0,
  bfloat16 = 1,
  float32 = 2,
  float64 = 3,
  int8 = 4,
  int16 = 5,
  int32 = 6,
  int64 = 7,
  uint8 = 8,
  bool_ = 9,
};
inline constexpr int kNumDTypes = 10;

// Short aliases so user code reads like TensorFlow: nb::float32, nb::int32 ...
inline constexpr DType float16 = DType::float16;
inline constexpr DType bfloat16 = DType::bfloat16;
inline constexpr DType float32 = DType::float32;
inline constexpr DType float64 = DType::float64;
inline constexpr DType int8 = DType::int8;
inline constexpr DType int16 = DType::int16;
inline constexpr DType int32 = DType::int32;
inline constexpr DType int64 = DType::int64;
inline constexpr DType uint8 = DType::uint8;
inline constexpr DType bool_ = DType::bool_;

// Size of one element in bytes.
constexpr size_t dtype_size(DType t) {
  switch (t) {
    case DType::float16: case DType::bfloat16: case DType::int16: return 2;
    case DType::float32: case DType::int32: return 4;
    case DType::float64: case DType::int64: return 8;
    case DType::int8: case DType::uint8: case DType::bool_: return 1;
  }
  return 0;
}

// TensorFlow's name for the dtype ("float32", "int32", "bool" ...).
constexpr std::string_view dtype_name(DType t) {
  switch (t) {
    case DType::float16: return "float16";
    case DType::bfloat16: return "bfloat16";
    case DType::float32: return "float32";
    case DType::float64: return "float64";
    case DType::int8: return "int8";
    case DType::int16: return "int16";
    case DType::int32: return "int32";
    case DType::int64: return "int64";
    case DType::uint8: return "uint8";
    case DType::bool_: return "bool";
  }
  return "?";
}

// Parses a dtype name as printed by dtype_name; throws InvalidArgument otherwise.
DType dtype_from_name(std::string_view name);

constexpr bool is_floating(DType t) {
  return t == DType::float16 || t == DType::bfloat16 || t == DType::float32 || t == DType::float64;
}
constexpr bool is_half(DType t) { return t == DType::float16 || t == DType::bfloat16; }
constexpr bool is_integral(DType t) {  // integer types, bool excluded
  return t == DType::int8 || t == DType::int16 || t == DType::int32 || t == DType::int64 ||
         t == DType::uint8;
}
constexpr bool is_signed(DType t) { return t != DType::uint8 && t != DType::bool_; }

// C++ storage type for a DType.
template <DType D> struct dtype_traits;
template <> struct dtype_traits<DType::float16> { using type = float16_t; };
template <> struct dtype_traits<DType::bfloat16> { using type = bfloat16_t; };
template <> struct dtype_traits<DType::float32> { using type = float; };
template <> struct dtype_traits<DType::float64> { using type = double; };
template <> struct dtype_traits<DType::int8> { using type = int8_t; };
template <> struct dtype_traits<DType::int16> { using type = int16_t; };
template <> struct dtype_traits<DType::int32> { using type = int32_t; };
template <> struct dtype_traits<DType::int64> { using type = int64_t; };
template <> struct dtype_traits<DType::uint8> { using type = uint8_t; };
template <> struct dtype_traits<DType::bool_> { using type = bool; };
template <DType D> using dtype_t = typename dtype_traits<D>::type;

// DType of a C++ storage type (exact mapping; `long long` maps to int64).
template <typename T> constexpr DType dtype_of() {
  using U = std::remove_cv_t<T>;
  if constexpr (std::is_same_v<U, float16_t>) return DType::float16;
  else if constexpr (std::is_same_v<U, bfloat16_t>) return DType::bfloat16;
  else if constexpr (std::is_same_v<U, float>) return DType::float32;
  else if constexpr (std::is_same_v<U, double>) return DType::float64;
  else if constexpr (std::is_same_v<U, bool>) return DType::bool_;
  else if constexpr (std::is_same_v<U, int8_t> || std::is_same_v<U, signed char> ||
                     std::is_same_v<U, char>) return DType::int8;
  else if constexpr (std::is_same_v<U, uint8_t>) return DType::uint8;
  else if constexpr (std::is_same_v<U, int16_t>) return DType::int16;
  else if constexpr (std::is_same_v<U, int32_t>) return DType::int32;
  else if constexpr (std::is_integral_v<U> && std::is_signed_v<U> && sizeof(U) == 8) return DType::int64;
  else static_assert(sizeof(U) == 0, "type has no nabla DType");
}

// The dtype a C++ *literal* gets in nb::constant (TensorFlow's rule): integer
// literals -> int32, floating literals -> float32, bool -> bool. Explicitly
// sized integer types keep their width (int64_t -> int64, uint8_t -> uint8).
template <typename T> constexpr DType literal_dtype() {
  using U = std::remove_cv_t<T>;
  if constexpr (std::is_same_v<U, double> || std::is_same_v<U, float>) return DType::float32;
  else if constexpr (std::is_same_v<U, int> || std::is_same_v<U, short>) return DType::int32;
  else return dtype_of<U>();
}

// Calls f.template operator()<T>() with T the storage type of `t`.
// Usage: visit_dtype(t, [&]<typename T>() { ... });
template <typename F> decltype(auto) visit_dtype(DType t, F&& f) {
  switch (t) {
    case DType::float16: return f.template operator()<float16_t>();
    case DType::bfloat16: return f.template operator()<bfloat16_t>();
    case DType::float32: return f.template operator()<float>();
    case DType::float64: return f.template operator()<double>();
    case DType::int8: return f.template operator()<int8_t>();
    case DType::int16: return f.template operator()<int16_t>();
    case DType::int32: return f.template operator()<int32_t>();
    case DType::int64: return f.template operator()<int64_t>();
    case DType::uint8: return f.template operator()<uint8_t>();
    case DType::bool_: return f.template operator()<bool>();
  }
  return f.template operator()<float>();
}

}  // namespace nabla
