// Dataset handles, iterators, the source nodes (slices, tensors, generator)
// and map. The other transformations live in dataset_*.cpp.
#include "nabla/data/dataset.h"

#include "data/dataset_node.h"

namespace nabla::data {
namespace detail {
namespace {

using nabla::detail::str_cat;

class RangeStream final : public IndexStream {
 public:
  explicit RangeStream(int64_t n) : n_(n) {}
  bool next(int64_t& out) override {
    if (i_ >= n_) return false;
    out = i_++;
    return true;
  }

 private:
  int64_t n_;
  int64_t i_ = 0;
};

class RowsToElements final : public ElementStream {
 public:
  RowsToElements(NodePtr keep_alive, const SlicesNode* src, std::unique_ptr<IndexStream> rows)
      : keep_(std::move(keep_alive)), src_(src), rows_(std::move(rows)) {}
  bool next(Element& out) override {
    int64_t i = 0;
    if (!rows_->next(i)) return false;
    out = src_->element(i);
    return true;
  }

 private:
  NodePtr keep_;
  const SlicesNode* src_;
  std::unique_ptr<IndexStream> rows_;
};

// from_tensors: one element.
class TensorsNode final : public DatasetNode {
 public:
  explicit TensorsNode(Element e) : element_(std::move(e)) {}
  int64_t cardinality() const override { return 1; }
  std::unique_ptr<ElementStream> make_elements() const override {
    class S final : public ElementStream {
     public:
      explicit S(NodePtr n) : node_(std::move(n)) {}
      bool next(Element& out) override {
        if (done_) return false;
        done_ = true;
        out = static_cast<const TensorsNode&>(*node_).element_;
        return true;
      }

     private:
      NodePtr node_;
      bool done_ = false;
    };
    return std::make_unique<S>(self());
  }

 private:
  Element element_;
};

class EmptyNode final : public DatasetNode {
 public:
  int64_t cardinality() const override { return 0; }
  std::unique_ptr<ElementStream> make_elements() const override {
    struct S final : ElementStream {
      bool next(Element&) override { return false; }
    };
    return std::make_unique<S>();
  }
};

class GeneratorNode final : public DatasetNode {
 public:
  using Factory = std::function<std::function<std::optional<Element>()>()>;
  explicit GeneratorNode(Factory f) : factory_(std::move(f)) {}
  int64_t cardinality() const override { return Dataset::UNKNOWN; }
  std::unique_ptr<ElementStream> make_elements() const override {
    class S final : public ElementStream {
     public:
      explicit S(std::function<std::optional<Element>()> f) : f_(std::move(f)) {}
      bool next(Element& out) override {
        if (done_) return false;
        std::optional<Element> e = f_();
        if (!e) {
          done_ = true;
          return false;
        }
        out = std::move(*e);
        return true;
      }

     private:
      std::function<std::optional<Element>()> f_;
      bool done_ = false;
    };
    auto next = factory_();
    NB_CHECK(static_cast<bool>(next), InvalidArgument,
             "Dataset::from_generator: the factory returned an empty next function");
    return std::make_unique<S>(std::move(next));
  }

 private:
  Factory factory_;
};

class MapNode final : public DatasetNode {
 public:
  MapNode(NodePtr input, std::function<Element(const Element&)> fn) : input_(std::move(input)), fn_(std::move(fn)) {}
  int64_t cardinality() const override { return input_->cardinality(); }
  std::unique_ptr<ElementStream> make_elements() const override {
    class S final : public ElementStream {
     public:
      S(NodePtr node, std::unique_ptr<ElementStream> up) : node_(std::move(node)), up_(std::move(up)) {}
      bool next(Element& out) override {
        if (!up_->next(in_)) return false;
        out = static_cast<const MapNode&>(*node_).fn_(in_);
        return true;
      }

     private:
      NodePtr node_;
      std::unique_ptr<ElementStream> up_;
      Element in_;
    };
    return std::make_unique<S>(self(), input_->make_elements());
  }

 private:
  NodePtr input_;
  std::function<Element(const Element&)> fn_;
};

}  // namespace

SlicesNode::SlicesNode(std::vector<Tensor> tensors) {
  NB_CHECK(!tensors.empty(), InvalidArgument, "Dataset::from_tensor_slices: expected at least one tensor, got none");
  for (size_t k = 0; k < tensors.size(); ++k) {
    const Tensor& t = tensors[k];
    NB_CHECK(t.defined(), InvalidArgument, "Dataset::from_tensor_slices: tensor ", k, " is undefined");
    NB_CHECK(t.rank() >= 1, InvalidArgument, "Dataset::from_tensor_slices: tensor ", k,
             " is a scalar (shape []); expected rank >= 1 to slice along dimension 0");
    NB_CHECK(t.dim(0) == tensors[0].dim(0), InvalidArgument,
             "Dataset::from_tensor_slices: all tensors must have the same size in dimension 0, but tensor 0 has "
             "shape ", tensors[0].shape().str(), " and tensor ", k, " has shape ", t.shape().str());
  }
  rows_ = tensors[0].dim(0);
  tensors_.reserve(tensors.size());
  for (Tensor& t : tensors) tensors_.push_back(t.contiguous());
}

Element SlicesNode::element(int64_t i) const {
  Element e;
  e.reserve(tensors_.size());
  for (const Tensor& t : tensors_) {
    const Shape& s = t.shape();
    Shape row(s.begin() + 1, s.end());
    Strides strides(t.strides().begin() + 1, t.strides().end());
    e.push_back(Tensor::view_of(t, row, strides, t.offset() + i * t.strides()[0]));
  }
  return e;
}

std::unique_ptr<ElementStream> SlicesNode::make_elements() const { return elements_from_indices(*this); }

std::unique_ptr<IndexStream> SlicesNode::make_indices() const { return std::make_unique<RangeStream>(rows_); }

std::unique_ptr<ElementStream> elements_from_indices(const DatasetNode& node) {
  const SlicesNode* src = node.slices();
  NB_CHECK(src != nullptr, Internal, "elements_from_indices: the node has no slices source");
  return std::make_unique<RowsToElements>(node.self(), src, node.make_indices());
}

NodePtr make_tensors_node(std::vector<Tensor> tensors) {
  for (size_t k = 0; k < tensors.size(); ++k)
    NB_CHECK(tensors[k].defined(), InvalidArgument, "Dataset::from_tensors: tensor ", k, " is undefined");
  return std::make_shared<TensorsNode>(std::move(tensors));
}

NodePtr make_generator_node(std::function<std::function<std::optional<Element>()>()> factory) {
  NB_CHECK(static_cast<bool>(factory), InvalidArgument, "Dataset::from_generator: the factory is empty");
  return std::make_shared<GeneratorNode>(std::move(factory));
}

NodePtr make_map_node(NodePtr input, std::function<Element(const Element&)> fn) {
  NB_CHECK(static_cast<bool>(fn), InvalidArgument, "Dataset::map: the function is empty");
  return std::make_shared<MapNode>(std::move(input), std::move(fn));
}

}  // namespace detail

// ----------------------------------------------------------------------------- Dataset

Dataset::Dataset() : node_(std::make_shared<detail::EmptyNode>()) {}

Dataset Dataset::from_tensor_slices(std::vector<Tensor> tensors) {
  return Dataset(std::make_shared<detail::SlicesNode>(std::move(tensors)));
}
Dataset Dataset::from_tensors(std::vector<Tensor> tensors) {
  return Dataset(detail::make_tensors_node(std::move(tensors)));
}
Dataset Dataset::from_generator(std::function<std::function<std::optional<Element>()>()> factory) {
  return Dataset(detail::make_generator_node(std::move(factory)));
}
Dataset Dataset::batch(int64_t batch_size, bool drop_remainder) const {
  return Dataset(detail::make_batch_node(node_, batch_size, drop_remainder));
}
Dataset Dataset::map(std::function<Element(const Element&)> fn) const {
  return Dataset(detail::make_map_node(node_, std::move(fn)));
}
Dataset Dataset::prefetch(int64_t buffer_size) const {
  return Dataset(detail::make_prefetch_node(node_, buffer_size));
}
Dataset Dataset::repeat(int64_t count) const { return Dataset(detail::make_repeat_node(node_, count)); }
Dataset Dataset::take(int64_t count) const { return Dataset(detail::make_take_node(node_, count)); }
Dataset Dataset::skip(int64_t count) const { return Dataset(detail::make_skip_node(node_, count)); }

int64_t Dataset::cardinality() const { return node_->cardinality(); }

Dataset::Iterator Dataset::make_iterator() const { return Iterator(node_->make_elements()); }

Dataset::ElementIterator Dataset::begin() const {
  auto it = std::make_shared<Iterator>(make_iterator());
  Iterator* raw = it.get();
  return ElementIterator(std::move(it), raw);
}

// ----------------------------------------------------------------------------- Iterator

Dataset::Iterator::Iterator(std::unique_ptr<detail::Stream<Element>> stream) : stream_(std::move(stream)) {}
Dataset::Iterator::Iterator(Iterator&&) noexcept = default;
Dataset::Iterator& Dataset::Iterator::operator=(Iterator&&) noexcept = default;
Dataset::Iterator::~Iterator() = default;

std::optional<Element> Dataset::Iterator::next() {
  if (!stream_) return std::nullopt;
  Element e;
  if (stream_->next(e)) return e;
  stream_.reset();  // release upstream state (threads, buffers) at the end
  return std::nullopt;
}

Dataset::ElementIterator Dataset::Iterator::begin() { return ElementIterator(nullptr, this); }

}  // namespace nabla::data
