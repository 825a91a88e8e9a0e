// batch: stacks consecutive elements along a new axis 0. Over a row selection
// of a from_tensor_slices source it copies the rows of each batch straight from
// the source tensors (contiguous runs in one memcpy) instead of making one
// tensor per element and stacking.
#include <cstring>

#include "data/dataset_node.h"

namespace nabla::data::detail {
namespace {

using nabla::detail::str_cat;

Shape batched_shape(int64_t n, const Shape& row) {
  Shape s;
  s.reserve(row.size() + 1);
  s.push_back(n);
  for (int64_t d : row) s.push_back(d);
  return s;
}

// Batches of rows gathered from a slices source.
class GatherBatchStream final : public ElementStream {
 public:
  GatherBatchStream(NodePtr keep, const SlicesNode* src, std::unique_ptr<IndexStream> rows, int64_t batch_size,
                    bool drop_remainder)
      : keep_(std::move(keep)), src_(src), rows_(std::move(rows)), batch_size_(size_t(batch_size)),
        drop_(drop_remainder) {
    for (const Tensor& t : src_->tensors()) {
      row_shapes_.emplace_back(t.shape().begin() + 1, t.shape().end());
      row_bytes_.push_back(size_t(row_shapes_.back().num_elements()) * dtype_size(t.dtype()));
    }
  }

  bool next(Element& out) override {
    ids_.clear();
    for (int64_t i = 0; ids_.size() < batch_size_ && rows_->next(i);) ids_.push_back(i);
    const size_t n = ids_.size();
    if (n == 0 || (drop_ && n < batch_size_)) return false;
    out.clear();
    out.reserve(row_bytes_.size());
    const auto& sources = src_->tensors();
    for (size_t c = 0; c < sources.size(); ++c) {
      Tensor b = Tensor::empty(batched_shape(int64_t(n), row_shapes_[c]), sources[c].dtype());
      copy_rows(static_cast<const uint8_t*>(sources[c].raw_data()), static_cast<uint8_t*>(b.mutable_raw_data()),
                row_bytes_[c], n);
      out.push_back(std::move(b));
    }
    return true;
  }

 private:
  void copy_rows(const uint8_t* src, uint8_t* dst, size_t row, size_t n) const {
    if (row == 0) return;
    if (row == 1) {  // labels: plain byte gather
      for (size_t i = 0; i < n; ++i) dst[i] = src[ids_[i]];
      return;
    }
    if (row == 4) {
      for (size_t i = 0; i < n; ++i) std::memcpy(dst + 4 * i, src + 4 * size_t(ids_[i]), 4);
      return;
    }
    for (size_t i = 0; i < n;) {
      size_t j = i + 1;  // extend a run of consecutive rows
      while (j < n && ids_[j] == ids_[j - 1] + 1) ++j;
      std::memcpy(dst + i * row, src + size_t(ids_[i]) * row, (j - i) * row);
      i = j;
    }
  }

  NodePtr keep_;
  const SlicesNode* src_;
  std::unique_ptr<IndexStream> rows_;
  size_t batch_size_;
  bool drop_;
  std::vector<int64_t> ids_;
  std::vector<size_t> row_bytes_;
  std::vector<Shape> row_shapes_;
};

// Generic batching: collect elements, check they agree, copy them into place.
class StackBatchStream final : public ElementStream {
 public:
  StackBatchStream(std::unique_ptr<ElementStream> up, int64_t batch_size, bool drop_remainder)
      : up_(std::move(up)), batch_size_(size_t(batch_size)), drop_(drop_remainder) {}

  bool next(Element& out) override {
    size_t n = 0;  // items_ grows with what arrives (batch_size may be huge)
    while (n < batch_size_) {
      if (n == items_.size()) items_.emplace_back();
      if (!up_->next(items_[n])) break;
      ++n;
    }
    if (n == 0 || (drop_ && n < batch_size_)) return false;
    const Element& first = items_[0];
    for (size_t i = 1; i < n; ++i) {
      NB_CHECK(items_[i].size() == first.size(), InvalidArgument, "Dataset::batch: cannot batch elements with ",
               first.size(), " and ", items_[i].size(), " components (elements 0 and ", i, " of the batch)");
      for (size_t c = 0; c < first.size(); ++c) {
        const Tensor& a = first[c];
        const Tensor& b = items_[i][c];
        NB_CHECK(a.shape() == b.shape() && a.dtype() == b.dtype(), InvalidArgument,
                 "Dataset::batch: cannot stack component ", c, " of shape ", b.shape().str(), " and dtype ",
                 dtype_name(b.dtype()), " (element ", i, " of the batch) with shape ", a.shape().str(),
                 " and dtype ", dtype_name(a.dtype()), " (element 0); all elements of a batch must have the "
                 "same shapes and dtypes");
      }
    }
    out.clear();
    out.reserve(first.size());
    for (size_t c = 0; c < first.size(); ++c) {
      const Tensor& a = first[c];
      Tensor b = Tensor::empty(batched_shape(int64_t(n), a.shape()), a.dtype());
      const size_t bytes = size_t(a.size()) * dtype_size(a.dtype());
      auto* dst = static_cast<uint8_t*>(b.mutable_raw_data());
      for (size_t i = 0; i < n; ++i) {
        const Tensor src = items_[i][c].contiguous();
        if (bytes) std::memcpy(dst + i * bytes, src.raw_data(), bytes);
      }
      out.push_back(std::move(b));
    }
    for (size_t i = 0; i < n; ++i) items_[i].clear();  // release element references early
    return true;
  }

 private:
  std::unique_ptr<ElementStream> up_;
  size_t batch_size_;
  bool drop_;
  std::vector<Element> items_;
};

class BatchNode final : public DatasetNode {
 public:
  BatchNode(NodePtr input, int64_t batch_size, bool drop) : input_(std::move(input)), batch_size_(batch_size), drop_(drop) {}
  int64_t cardinality() const override {
    const int64_t n = input_->cardinality();
    if (n == Dataset::INFINITE || n == Dataset::UNKNOWN) return n;
    return drop_ ? n / batch_size_ : (n + batch_size_ - 1) / batch_size_;
  }
  std::unique_ptr<ElementStream> make_elements() const override {
    if (const SlicesNode* src = input_->slices())
      return std::make_unique<GatherBatchStream>(self(), src, input_->make_indices(), batch_size_, drop_);
    return std::make_unique<StackBatchStream>(input_->make_elements(), batch_size_, drop_);
  }

 private:
  NodePtr input_;
  int64_t batch_size_;
  bool drop_;
};

}  // namespace

NodePtr make_batch_node(NodePtr input, int64_t batch_size, bool drop_remainder) {
  NB_CHECK(batch_size > 0, InvalidArgument, "Dataset::batch: batch_size must be > 0, got ", batch_size);
  return std::make_shared<BatchNode>(std::move(input), batch_size, drop_remainder);
}

}  // namespace nabla::data::detail
