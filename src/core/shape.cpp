#include "nabla/core/shape.h"

#include "nabla/core/error.h"

namespace nabla {

std::string Shape::str() const {
  std::string s = "[";
  for (size_t i = 0; i < size(); ++i) {
    if (i) s += ',';
    s += std::to_string((*this)[i]);
  }
  return s + "]";
}

std::string Shape::tuple_str() const {
  std::string s = "(";
  for (size_t i = 0; i < size(); ++i) {
    if (i) s += ", ";
    s += std::to_string((*this)[i]);
  }
  if (size() == 1) s += ",";
  return s + ")";
}

Strides contiguous_strides(const Shape& shape) {
  Strides s(shape.size(), 0);
  int64_t acc = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    s[i] = acc;
    acc *= std::max<int64_t>(shape[i], 1);
  }
  return s;
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op_name) {
  const size_t n = std::max(a.size(), b.size());
  Shape out(n, 1);
  for (size_t i = 0; i < n; ++i) {
    const int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    const int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    if (da == db || db == 1) out[i] = da;
    else if (da == 1) out[i] = db;
    else
      throw InvalidArgument(detail::str_cat("Incompatible shapes: ", a.str(), " vs. ", b.str(),
                                            op_name ? std::string(" [Op:") + op_name + "]" : ""));
  }
  return out;
}

int64_t normalize_axis(int64_t axis, int64_t rank, const char* op_name) {
  NB_CHECK(axis >= -rank && axis < rank, InvalidArgument, op_name ? op_name : "axis",
           ": axis ", axis, " is out of range for a tensor of rank ", rank, " (expected [", -rank,
           ", ", rank, "))");
  return axis < 0 ? axis + rank : axis;
}

}  // namespace nabla
