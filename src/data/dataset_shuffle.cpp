// shuffle: tf.data's buffered shuffle, driven by Philox-4x32-10 keyed by the
// seed with the epoch number in the counter, so every order is reproducible.
#include <atomic>

#include "data/dataset_node.h"
#include "nabla/ops/random.h"

namespace nabla::data::detail {
namespace {

// Uniform integers from the Philox stream (seed, epoch).
class ShuffleRng {
 public:
  ShuffleRng(uint64_t seed, uint64_t epoch) {
    key_[0] = uint32_t(seed);
    key_[1] = uint32_t(seed >> 32);
    ctr_[2] = uint32_t(epoch);
    ctr_[3] = uint32_t(epoch >> 32);
  }
  uint32_t next32() {
    if (pos_ == 4) {
      random::philox4x32(ctr_, key_, buf_);
      if (++ctr_[0] == 0) ++ctr_[1];
      pos_ = 0;
    }
    return buf_[pos_++];
  }
  // Uniform in [0, n), n >= 1, without modulo bias (Lemire's method).
  uint64_t below(uint64_t n) {
    if (n <= 0xffffffffu) {
      const uint32_t n32 = uint32_t(n);
      uint64_t m = uint64_t(next32()) * n32;
      if (uint32_t(m) < n32) {
        const uint32_t t = uint32_t(-n32) % n32;
        while (uint32_t(m) < t) m = uint64_t(next32()) * n32;
      }
      return m >> 32;
    }
    const uint64_t limit = ~uint64_t(0) - (~uint64_t(0) % n + 1) % n;  // largest multiple of n, minus 1
    uint64_t x = 0;
    do x = (uint64_t(next32()) << 32) | next32();
    while (x > limit);
    return x % n;
  }

 private:
  uint32_t key_[2] = {0, 0};
  uint32_t ctr_[4] = {0, 0, 0, 0};
  uint32_t buf_[4] = {0, 0, 0, 0};
  int pos_ = 4;
};

// Keeps up to `buffer_size` items; each next() tops the buffer up from
// upstream, then removes and returns a uniformly chosen one.
template <typename T> class ShuffleStream final : public Stream<T> {
 public:
  ShuffleStream(std::unique_ptr<Stream<T>> up, int64_t buffer_size, uint64_t seed, uint64_t epoch)
      : up_(std::move(up)), capacity_(size_t(buffer_size)), rng_(seed, epoch) {}
  bool next(T& out) override {
    while (!up_done_ && buffer_.size() < capacity_) {
      T item{};
      if (up_->next(item)) buffer_.push_back(std::move(item));
      else up_done_ = true;
    }
    if (buffer_.empty()) return false;
    const size_t j = size_t(rng_.below(buffer_.size()));
    out = std::move(buffer_[j]);
    if (j + 1 != buffer_.size()) buffer_[j] = std::move(buffer_.back());
    buffer_.pop_back();
    return true;
  }

 private:
  std::unique_ptr<Stream<T>> up_;
  size_t capacity_;
  ShuffleRng rng_;
  std::vector<T> buffer_;
  bool up_done_ = false;
};

class ShuffleNode final : public DatasetNode {
 public:
  ShuffleNode(NodePtr input, int64_t buffer_size, uint64_t seed, bool reshuffle)
      : input_(std::move(input)), buffer_size_(buffer_size), seed_(seed), reshuffle_(reshuffle) {}
  int64_t cardinality() const override { return input_->cardinality(); }
  const SlicesNode* slices() const override { return input_->slices(); }
  std::unique_ptr<ElementStream> make_elements() const override {
    if (slices()) return elements_from_indices(*this);
    return make<Element>();
  }
  std::unique_ptr<IndexStream> make_indices() const override {
    if (!slices()) return nullptr;
    return make<int64_t>();
  }

 private:
  template <typename T> std::unique_ptr<Stream<T>> make() const {
    const uint64_t epoch = reshuffle_ ? epochs_.fetch_add(1, std::memory_order_relaxed) : 0;
    return std::make_unique<ShuffleStream<T>>(input_->template open<T>(), buffer_size_, seed_, epoch);
  }

  NodePtr input_;
  int64_t buffer_size_;
  uint64_t seed_;
  bool reshuffle_;
  mutable std::atomic<uint64_t> epochs_{0};  // iterators made so far
};

}  // namespace

NodePtr make_shuffle_node(NodePtr input, int64_t buffer_size, uint64_t seed, bool reshuffle) {
  NB_CHECK(buffer_size > 0, InvalidArgument, "Dataset::shuffle: buffer_size must be > 0, got ", buffer_size);
  return std::make_shared<ShuffleNode>(std::move(input), buffer_size, seed, reshuffle);
}

}  // namespace nabla::data::detail

namespace nabla::data {

Dataset Dataset::shuffle(int64_t buffer_size, std::optional<uint64_t> seed, bool reshuffle_each_iteration) const {
  uint64_t s = 0;
  if (seed) {
    s = *seed;
  } else {
    // Derive a seed from the global generator (reproducible after set_seed).
    random::Generator& g = random::default_generator();
    const uint64_t c = g.advance(1);
    const uint32_t ctr[4] = {uint32_t(c), uint32_t(c >> 32), 0x73687566u /* "shuf" */, 0};
    const uint32_t key[2] = {uint32_t(g.seed()), uint32_t(g.seed() >> 32)};
    uint32_t out[4];
    random::philox4x32(ctr, key, out);
    s = (uint64_t(out[1]) << 32) | out[0];
  }
  return Dataset(detail::make_shuffle_node(node_, buffer_size, s, reshuffle_each_iteration));
}

}  // namespace nabla::data
