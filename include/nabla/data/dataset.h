// Dataset: a tf.data-style input pipeline. A Dataset is a cheap handle to an
// immutable node graph; every transformation returns a new Dataset and leaves
// its input unchanged. Nothing runs until an iterator pulls elements.
//
//   auto ds = Dataset::from_tensor_slices({x_train, y_train})
//                 .shuffle(60000, /*seed=*/42).batch(32).prefetch(2);
//   for (const Element& batch : ds) step(batch[0], batch[1]);
//
// from_tensor_slices(...) followed by any chain of shuffle/take/skip/repeat/
// prefetch and then batch() gathers each batch straight from the source
// tensors (one copy per batch, no per-element tensors).
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <vector>

#include "nabla/core/tensor.h"

namespace nabla::data {

// One element of a data set: a tuple of tensors, e.g. (x), (x, y) or (x, y, sample_weight).
using Element = std::vector<Tensor>;

namespace detail {
class DatasetNode;
template <typename T> class Stream;
}  // namespace detail

class Dataset {
 public:
  // Special cardinality() values, as tf.data.
  static constexpr int64_t INFINITE = -1;
  static constexpr int64_t UNKNOWN = -2;
  // prefetch(AUTOTUNE) lets nabla pick the buffer size.
  static constexpr int64_t AUTOTUNE = -1;

  class Iterator;
  class ElementIterator;

  // An empty data set (no elements).
  Dataset();

  // Element i is {tensors[0][i], tensors[1][i], ...}. Requires a non-empty list
  // of defined tensors of rank >= 1 with equal dim 0 (InvalidArgument otherwise,
  // naming both shapes). Non-contiguous tensors are copied once.
  static Dataset from_tensor_slices(std::vector<Tensor> tensors);
  // A data set of exactly one element: `tensors` itself (each must be defined).
  static Dataset from_tensors(std::vector<Tensor> tensors);
  // `factory` is called once per iterator and returns that iterator's `next`
  // function, which returns std::nullopt at the end. cardinality() is UNKNOWN.
  // Throws InvalidArgument when factory is empty.
  static Dataset from_generator(std::function<std::function<std::optional<Element>()>()> factory);

  // Fills a buffer of `buffer_size` elements from upstream and each time yields
  // a uniformly chosen buffered element, replacing it by the next upstream one
  // (tf.data.Dataset.shuffle). Requires buffer_size > 0. The order is a
  // deterministic function of `seed` (when absent, a seed is drawn once from
  // nabla::random::default_generator(), so set_seed makes it reproducible) and,
  // when reshuffle_each_iteration, of the number of iterators made before, so
  // each epoch gets a new order; otherwise every iterator sees the same order.
  Dataset shuffle(int64_t buffer_size, std::optional<uint64_t> seed = std::nullopt,
                  bool reshuffle_each_iteration = true) const;
  // Stacks `batch_size` consecutive elements along a new axis 0 (component by
  // component). The last batch is smaller unless drop_remainder, which drops it.
  // Requires batch_size > 0 (InvalidArgument); elements of one batch must have
  // the same number of components and the same shapes and dtypes, otherwise
  // iteration throws InvalidArgument naming both shapes.
  Dataset batch(int64_t batch_size, bool drop_remainder = false) const;
  // Applies `fn` to every element (on the thread that pulls it). Exceptions
  // from fn propagate to the consumer. Throws InvalidArgument when fn is empty.
  Dataset map(std::function<Element(const Element&)> fn) const;
  // Runs upstream on a background thread that keeps up to `buffer_size`
  // elements ready (AUTOTUNE: 2). Same elements, same order. An exception
  // raised upstream is re-thrown by the consumer's next() after the elements
  // produced before it; destroying an iterator stops and joins its thread
  // (an upstream call already running is allowed to finish first).
  // Requires buffer_size > 0 or AUTOTUNE. Exception: when upstream only
  // selects rows of a from_tensor_slices source (nothing to compute) and
  // batch/shuffle/take/skip/repeat follows, that transformation reads the
  // rows directly, with no thread (same elements; keeps batch() on its
  // gather path).
  Dataset prefetch(int64_t buffer_size) const;
  // The elements `count` times over (-1: forever); each repetition re-iterates
  // upstream (so shuffle reshuffles). Repeating forever an input that yields no
  // elements yields none. Requires count >= -1.
  Dataset repeat(int64_t count = -1) const;
  // The first `count` elements (-1: all). Requires count >= -1.
  Dataset take(int64_t count) const;
  // All but the first `count` elements (-1: skip everything). Requires count >= -1.
  Dataset skip(int64_t count) const;

  // Number of elements, or INFINITE / UNKNOWN as tf.data.Dataset.cardinality.
  int64_t cardinality() const;

  // A new iterator from the first element (cheap; iterators are independent).
  Iterator make_iterator() const;
  // Range-for support: `for (const Element& e : ds)` iterates a fresh iterator.
  ElementIterator begin() const;
  std::default_sentinel_t end() const { return {}; }

 private:
  explicit Dataset(std::shared_ptr<const detail::DatasetNode> node) : node_(std::move(node)) {}
  std::shared_ptr<const detail::DatasetNode> node_;
};

// A position in a data set. Move-only; owns its pipeline state (threads,
// shuffle buffers), released on destruction.
class Dataset::Iterator {
 public:
  Iterator(Iterator&&) noexcept;
  Iterator& operator=(Iterator&&) noexcept;
  ~Iterator();
  // The next element, or std::nullopt at the end (and on every later call).
  std::optional<Element> next();
  // Range-for over the remaining elements of this iterator.
  ElementIterator begin();
  std::default_sentinel_t end() const { return {}; }

 private:
  friend class Dataset;
  explicit Iterator(std::unique_ptr<detail::Stream<Element>> stream);
  std::unique_ptr<detail::Stream<Element>> stream_;
};

// Input iterator over elements (what range-for uses); compares equal to
// std::default_sentinel at the end.
class Dataset::ElementIterator {
 public:
  using value_type = Element;
  using difference_type = std::ptrdiff_t;
  using reference = const Element&;
  using pointer = const Element*;
  using iterator_category = std::input_iterator_tag;

  ElementIterator() = default;
  const Element& operator*() const { return *current_; }
  const Element* operator->() const { return &*current_; }
  ElementIterator& operator++() {
    current_ = it_->next();
    return *this;
  }
  void operator++(int) { ++*this; }
  friend bool operator==(const ElementIterator& i, std::default_sentinel_t) { return !i.current_.has_value(); }

 private:
  friend class Dataset;
  friend class Dataset::Iterator;
  ElementIterator(std::shared_ptr<Iterator> owned, Iterator* it)
      : owned_(std::move(owned)), it_(it), current_(it_->next()) {}
  std::shared_ptr<Iterator> owned_;  // set when iterating a Dataset directly
  Iterator* it_ = nullptr;           // the iterator advanced (non-owning)
  std::optional<Element> current_;
};

}  // namespace nabla::data
