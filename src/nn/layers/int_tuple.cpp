#include "nabla/nn/layers/int_tuple.h"

#include "nabla/core/error.h"

namespace nabla::layers {

namespace {
std::string tuple_str(const std::vector<int64_t>& v) {
  std::string s = "(";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(v[i]);
  }
  if (v.size() == 1) s += ",";
  s += ")";
  return s;
}
}  // namespace

std::vector<int64_t> IntTuple::expand(int rank, const std::string& what, bool allow_zero) const {
  NB_CHECK(values_.size() == 1 || values_.size() == size_t(rank), InvalidArgument, "The `", what,
           "` argument must be an integer or a tuple of ", rank, " integers. Received ", what, "=",
           values_.size() == 1 ? std::to_string(values_[0]) : tuple_str(values_));
  std::vector<int64_t> out = values_.size() == 1 ? std::vector<int64_t>(size_t(rank), values_[0]) : values_;
  for (int64_t v : out)
    NB_CHECK(allow_zero ? v >= 0 : v > 0, InvalidArgument, "The `", what, "` argument must be a tuple of ", rank,
             " integers, each ", allow_zero ? ">= 0" : "> 0", ". Received ", what, "=", tuple_str(out));
  return out;
}

}  // namespace nabla::layers
