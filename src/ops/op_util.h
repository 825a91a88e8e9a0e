// Helpers shared by op definitions: dtype checks, broadcasting inference,
// axis handling. Internal to the library.
#pragma once
#include <initializer_list>
#include <string>
#include <vector>

#include "nabla/ops/registry.h"

namespace nabla::ops {

// Throws InvalidArgument "cannot compute OP as input #i(zero-based) was
// expected to be a float32 tensor but is a int32 tensor" unless all inputs
// share input 0's dtype.
void check_same_dtype(const char* op, Inputs inputs);
// Throws InvalidArgument unless x's dtype is one of `allowed`, naming the op,
// the input index and the accepted dtypes.
void check_dtype_in(const char* op, int index, const Tensor& x, std::initializer_list<DType> allowed);
// Common dtype sets.
inline constexpr std::initializer_list<DType> kFloatTypes = {DType::float16, DType::bfloat16,
                                                             DType::float32, DType::float64};
inline constexpr std::initializer_list<DType> kNumericTypes = {
    DType::float16, DType::bfloat16, DType::float32, DType::float64, DType::int8,
    DType::int16,   DType::int32,    DType::int64,   DType::uint8};
inline constexpr std::initializer_list<DType> kSignedNumericTypes = {
    DType::float16, DType::bfloat16, DType::float32, DType::float64,
    DType::int8,    DType::int16,    DType::int32,   DType::int64};
inline constexpr std::initializer_list<DType> kAllTypes = {
    DType::float16, DType::bfloat16, DType::float32, DType::float64, DType::int8,
    DType::int16,   DType::int32,    DType::int64,   DType::uint8,   DType::bool_};
// Native (non-half) dtypes for kernels; halves run through float32.
inline constexpr std::initializer_list<DType> kKernelFloat = {DType::float32, DType::float64};
inline constexpr std::initializer_list<DType> kKernelNumeric = {
    DType::float32, DType::float64, DType::int8, DType::int16, DType::int32, DType::int64, DType::uint8};
inline constexpr std::initializer_list<DType> kKernelAll = {
    DType::float32, DType::float64, DType::int8, DType::int16, DType::int32,
    DType::int64, DType::uint8, DType::bool_, DType::float16, DType::bfloat16};

// Broadcast shape of all inputs ("Incompatible shapes: [2] vs. [3]").
Shape broadcast_all(Inputs inputs);

// Normalised, sorted, de-duplicated reduction axes (empty = all axes).
std::vector<int64_t> normalize_axes(const std::vector<int64_t>& axes, int64_t rank);
// Shape after reducing `axes` (normalised) with/without keepdims.
Shape reduced_shape(const Shape& in, const std::vector<int64_t>& axes, bool keepdims);

// The integer-list attribute `name` (empty when absent).
std::vector<int64_t> int_list(const Attrs& attrs, const char* name);

// Joins a list of ints as "[1,2,3]".
std::string list_str(const std::vector<int64_t>& v);

}  // namespace nabla::ops
