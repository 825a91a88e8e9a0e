#include "nabla/core/dtype.h"

#include "nabla/core/error.h"

namespace nabla {

DType dtype_from_name(std::string_view name) {
  for (int i = 0; i < kNumDTypes; ++i)
    if (dtype_name(DType(i)) == name) return DType(i);
  throw InvalidArgument(detail::str_cat("unknown dtype '", name,
                                        "'; expected one of float16, bfloat16, float32, float64, "
                                        "int8, int16, int32, int64, uint8, bool"));
}

}  // namespace nabla
