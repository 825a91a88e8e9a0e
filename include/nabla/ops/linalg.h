// Linear algebra. float32/float64 run through OpenBLAS inside nabla's thread
// pool; other dtypes use a plain loop.
#pragma once
#include <vector>

#include "nabla/core/tensor.h"

namespace nabla {

struct MatmulOptions {
  bool transpose_a = false;
  bool transpose_b = false;
};
// a @ b for rank >= 2 with broadcast batch dimensions (tf.linalg.matmul).
// Inner dimensions must agree: "Matrix size-incompatible: In[0]: [2,3], In[1]: [2,2]".
Tensor matmul(const Tensor& a, const Tensor& b, MatmulOptions options = {});
// Contracts the last `axes` dims of a with the first `axes` dims of b.
Tensor tensordot(const Tensor& a, const Tensor& b, int64_t axes);
// Contracts a's axes_a[i] with b's axes_b[i].
Tensor tensordot(const Tensor& a, const Tensor& b, const std::vector<int64_t>& axes_a,
                 const std::vector<int64_t>& axes_b);

}  // namespace nabla
