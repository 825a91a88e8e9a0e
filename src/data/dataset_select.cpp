// take / skip / repeat: row selections that work on element streams and on
// row-index streams alike.
#include "data/dataset_node.h"

#include <algorithm>
#include <string>

namespace nabla::data::detail {
namespace {

template <typename T> class TakeStream final : public Stream<T> {
 public:
  TakeStream(std::unique_ptr<Stream<T>> up, int64_t count) : up_(std::move(up)), left_(count) {}
  bool next(T& out) override {
    if (left_ == 0) return false;
    if (!up_->next(out)) {
      left_ = 0;
      return false;
    }
    if (left_ > 0) --left_;
    return true;
  }

 private:
  std::unique_ptr<Stream<T>> up_;
  int64_t left_;  // -1: unlimited
};

template <typename T> class SkipStream final : public Stream<T> {
 public:
  SkipStream(std::unique_ptr<Stream<T>> up, int64_t count) : up_(std::move(up)), to_skip_(count) {}
  bool next(T& out) override {
    if (done_) return false;
    if (to_skip_ < 0) {  // skip everything
      done_ = true;
      return false;
    }
    for (; to_skip_ > 0; --to_skip_)
      if (!up_->next(out)) {
        done_ = true;
        return false;
      }
    if (!up_->next(out)) {
      done_ = true;
      return false;
    }
    return true;
  }

 private:
  std::unique_ptr<Stream<T>> up_;
  int64_t to_skip_;
  bool done_ = false;
};

template <typename T> class RepeatStream final : public Stream<T> {
 public:
  RepeatStream(NodePtr input, int64_t count) : input_(std::move(input)), count_(count) {}
  bool next(T& out) override {
    while (true) {
      if (!up_) {
        if (count_ >= 0 && epoch_ >= count_) return false;
        up_ = input_->template open<T>();
        ++epoch_;
        produced_in_epoch_ = 0;
      }
      if (up_->next(out)) {
        ++produced_in_epoch_;
        return true;
      }
      up_.reset();
      // An input with no elements would make repeat() spin forever: stop.
      if (produced_in_epoch_ == 0) {
        count_ = epoch_;
        return false;
      }
    }
  }

 private:
  NodePtr input_;
  int64_t count_;  // -1: forever
  int64_t epoch_ = 0;
  int64_t produced_in_epoch_ = 0;
  std::unique_ptr<Stream<T>> up_;
};

// A node that selects rows of its input; `make<T>(upstream-or-node)` builds
// its stream over either kind of item.
template <typename Derived> class SelectNode : public DatasetNode {
 public:
  explicit SelectNode(NodePtr input, int64_t count) : input_(std::move(input)), count_(count) {}
  const SlicesNode* slices() const override { return input_->slices(); }
  std::unique_ptr<ElementStream> make_elements() const override {
    if (slices()) return elements_from_indices(*this);
    return static_cast<const Derived*>(this)->template make<Element>();
  }
  std::unique_ptr<IndexStream> make_indices() const override {
    if (!slices()) return nullptr;
    return static_cast<const Derived*>(this)->template make<int64_t>();
  }

 protected:
  NodePtr input_;
  int64_t count_;
};

class TakeNode final : public SelectNode<TakeNode> {
 public:
  using SelectNode::SelectNode;
  int64_t cardinality() const override {
    const int64_t n = input_->cardinality();
    if (count_ == -1) return n;
    if (n == Dataset::INFINITE) return count_;
    if (n == Dataset::UNKNOWN) return Dataset::UNKNOWN;
    return std::min(n, count_);
  }
  template <typename T> std::unique_ptr<Stream<T>> make() const {
    return std::make_unique<TakeStream<T>>(input_->template open<T>(), count_);
  }
};

class SkipNode final : public SelectNode<SkipNode> {
 public:
  using SelectNode::SelectNode;
  int64_t cardinality() const override {
    const int64_t n = input_->cardinality();
    if (n == Dataset::INFINITE || n == Dataset::UNKNOWN) return n;
    if (count_ == -1) return 0;
    return std::max<int64_t>(0, n - count_);
  }
  template <typename T> std::unique_ptr<Stream<T>> make() const {
    return std::make_unique<SkipStream<T>>(input_->template open<T>(), count_);
  }
};

class RepeatNode final : public SelectNode<RepeatNode> {
 public:
  using SelectNode::SelectNode;
  int64_t cardinality() const override {
    const int64_t n = input_->cardinality();  // same rules as tf.data
    if (count_ == -1) return n == 0 ? 0 : Dataset::INFINITE;
    if (count_ == 0) return 0;
    if (n == Dataset::INFINITE || n == Dataset::UNKNOWN) return n;
    int64_t total = 0;
    return __builtin_mul_overflow(n, count_, &total) ? Dataset::INFINITE : total;
  }
  template <typename T> std::unique_ptr<Stream<T>> make() const {
    return std::make_unique<RepeatStream<T>>(input_, count_);
  }
};

void check_count(const char* op, int64_t count) {
  NB_CHECK(count >= -1, InvalidArgument, "Dataset::", op, ": count must be >= 0, or -1 for ",
           std::string(op) == "repeat" ? "forever" : std::string(op) == "take" ? "all elements" : "all of them",
           "; got ", count);
}

}  // namespace

NodePtr make_take_node(NodePtr input, int64_t count) {
  check_count("take", count);
  return std::make_shared<TakeNode>(std::move(input), count);
}
NodePtr make_skip_node(NodePtr input, int64_t count) {
  check_count("skip", count);
  return std::make_shared<SkipNode>(std::move(input), count);
}
NodePtr make_repeat_node(NodePtr input, int64_t count) {
  check_count("repeat", count);
  return std::make_shared<RepeatNode>(std::move(input), count);
}

}  // namespace nabla::data::detail
