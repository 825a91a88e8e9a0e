#include "ops/op_util.h"

#include <algorithm>

namespace nabla::ops {

void check_same_dtype(const char* op, Inputs inputs) {
  if (inputs.empty()) return;
  const DType d0 = inputs[0].dtype();
  for (size_t i = 1; i < inputs.size(); ++i)
    if (inputs[i].dtype() != d0)
      throw InvalidArgument(detail::str_cat("cannot compute ", op, " as input #", i,
                                            "(zero-based) was expected to be a ", dtype_name(d0),
                                            " tensor but is a ", dtype_name(inputs[i].dtype()),
                                            " tensor"));
}

void check_dtype_in(const char* op, int index, const Tensor& x, std::initializer_list<DType> allowed) {
  for (DType t : allowed)
    if (t == x.dtype()) return;
  std::string names;
  for (DType t : allowed) names += (names.empty() ? "" : ", ") + std::string(dtype_name(t));
  throw InvalidArgument(detail::str_cat("op ", op, " does not accept dtype ", dtype_name(x.dtype()),
                                        " for input #", index, "; expected one of: ", names));
}

Shape broadcast_all(Inputs inputs) {
  Shape out = inputs.empty() ? Shape{} : inputs[0].shape();
  for (size_t i = 1; i < inputs.size(); ++i) out = broadcast_shapes(out, inputs[i].shape(), nullptr);
  return out;
}

std::vector<int64_t> normalize_axes(const std::vector<int64_t>& axes, int64_t rank) {
  std::vector<int64_t> out;
  if (axes.empty()) {
    for (int64_t i = 0; i < rank; ++i) out.push_back(i);
    return out;
  }
  for (int64_t a : axes) {
    NB_CHECK(a >= -rank && a < rank, InvalidArgument, "Invalid reduction dimension ", a,
             " for input with ", rank, " dimensions");
    int64_t n = a < 0 ? a + rank : a;
    NB_CHECK(std::find(out.begin(), out.end(), n) == out.end(), InvalidArgument,
             "axis ", a, " is listed more than once");
    out.push_back(n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Shape reduced_shape(const Shape& in, const std::vector<int64_t>& axes, bool keepdims) {
  Shape out;
  for (int64_t d = 0; d < in.rank(); ++d) {
    const bool reduced = std::find(axes.begin(), axes.end(), d) != axes.end();
    if (!reduced) out.push_back(in[size_t(d)]);
    else if (keepdims) out.push_back(1);
  }
  return out;
}

std::vector<int64_t> int_list(const Attrs& attrs, const char* name) {
  const AttrValue* v = attrs.find(name);
  if (!v) return {};
  return std::get<std::vector<int64_t>>(*v);
}

std::string list_str(const std::vector<int64_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += ',';
    s += std::to_string(v[i]);
  }
  return s + "]";
}

}  // namespace nabla::ops
