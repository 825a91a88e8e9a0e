// Internals of nabla::data::Dataset: the node graph and the streams that
// iterate it. A node is immutable after construction (except the shuffle
// epoch counter, an atomic) and may be iterated from several threads.
//
// Streams come in two kinds: Stream<Element> yields elements; Stream<int64_t>
// yields row indices of a from_tensor_slices source. Nodes that only reorder
// or select rows (shuffle, take, skip, repeat, prefetch) pass index streams
// through, so batch() over them gathers each batch from the source directly.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "nabla/data/dataset.h"

namespace nabla::data::detail {

template <typename T> class Stream {
 public:
  virtual ~Stream() = default;
  // Writes the next item to `out` and returns true, or returns false at the end.
  virtual bool next(T& out) = 0;
};
using ElementStream = Stream<Element>;
using IndexStream = Stream<int64_t>;

class SlicesNode;

class DatasetNode : public std::enable_shared_from_this<DatasetNode> {
 public:
  virtual ~DatasetNode() = default;
  virtual int64_t cardinality() const = 0;
  virtual std::unique_ptr<ElementStream> make_elements() const = 0;
  // The slices source whose rows this node yields, or null when it is not a
  // pure row selection; when non-null, make_indices() must return a stream.
  virtual const SlicesNode* slices() const { return nullptr; }
  virtual std::unique_ptr<IndexStream> make_indices() const { return nullptr; }

  template <typename T> std::unique_ptr<Stream<T>> open() const {
    if constexpr (std::is_same_v<T, int64_t>) return make_indices();
    else return make_elements();
  }
  std::shared_ptr<const DatasetNode> self() const { return shared_from_this(); }
};
using NodePtr = std::shared_ptr<const DatasetNode>;

// from_tensor_slices: contiguous source tensors sharing dim 0.
class SlicesNode final : public DatasetNode {
 public:
  explicit SlicesNode(std::vector<Tensor> tensors);
  int64_t cardinality() const override { return rows_; }
  std::unique_ptr<ElementStream> make_elements() const override;
  const SlicesNode* slices() const override { return this; }
  std::unique_ptr<IndexStream> make_indices() const override;

  int64_t rows() const { return rows_; }
  const std::vector<Tensor>& tensors() const { return tensors_; }
  // Element `i` as views of the source rows.
  Element element(int64_t i) const;

 private:
  std::vector<Tensor> tensors_;  // contiguous
  int64_t rows_ = 0;
};

// Turns a row-index stream of `node` (which has slices()) into elements.
std::unique_ptr<ElementStream> elements_from_indices(const DatasetNode& node);

// Node factories (each validates its arguments).
NodePtr make_tensors_node(std::vector<Tensor> tensors);
NodePtr make_generator_node(std::function<std::function<std::optional<Element>()>()> factory);
NodePtr make_shuffle_node(NodePtr input, int64_t buffer_size, uint64_t seed, bool reshuffle);
NodePtr make_batch_node(NodePtr input, int64_t batch_size, bool drop_remainder);
NodePtr make_map_node(NodePtr input, std::function<Element(const Element&)> fn);
NodePtr make_prefetch_node(NodePtr input, int64_t buffer_size);
NodePtr make_repeat_node(NodePtr input, int64_t count);
NodePtr make_take_node(NodePtr input, int64_t count);
NodePtr make_skip_node(NodePtr input, int64_t count);

}  // namespace nabla::data::detail
