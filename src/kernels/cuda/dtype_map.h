// nabla DTypes <-> the plain element-type tags of the CUDA launchers (internal).
#pragma once
#include "kernels/cuda/elementwise_launch.h"
#include "nabla/core/dtype.h"

namespace nabla::cuda_backend {

inline constexpr DType kAllDTypes[] = {DType::float32, DType::float64, DType::float16, DType::bfloat16, DType::int8,
                                       DType::int16,   DType::int32,   DType::int64,   DType::uint8,    DType::bool_};

inline Dt dt_of(DType d) {
  switch (d) {
    case DType::float32: return Dt::f32;
    case DType::float64: return Dt::f64;
    case DType::float16: return Dt::f16;
    case DType::bfloat16: return Dt::bf16;
    case DType::int8: return Dt::i8;
    case DType::int16: return Dt::i16;
    case DType::int32: return Dt::i32;
    case DType::int64: return Dt::i64;
    case DType::uint8: return Dt::u8;
    case DType::bool_: return Dt::b8;
  }
  return Dt::f32;
}

}  // namespace nabla::cuda_backend
