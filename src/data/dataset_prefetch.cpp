// prefetch: a producer thread runs the upstream pipeline and keeps a bounded
// queue of ready elements. Shutdown is cooperative: the destructor raises a
// stop flag, wakes the producer and joins it.
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include "data/dataset_node.h"

namespace nabla::data::detail {
namespace {

class PrefetchStream final : public ElementStream {
 public:
  PrefetchStream(NodePtr input, size_t capacity) : input_(std::move(input)), capacity_(capacity) {
    thread_ = std::thread([this] { produce(); });
  }
  ~PrefetchStream() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    not_full_.notify_all();
    thread_.join();
  }
  PrefetchStream(const PrefetchStream&) = delete;
  PrefetchStream& operator=(const PrefetchStream&) = delete;

  bool next(Element& out) override {
    std::unique_lock<std::mutex> lock(mu_);
    not_empty_.wait(lock, [&] { return !queue_.empty() || done_; });
    if (!queue_.empty()) {
      out = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      not_full_.notify_one();
      return true;
    }
    if (error_) {
      std::exception_ptr e = std::move(error_);
      error_ = nullptr;  // reported once; the stream then ends
      std::rethrow_exception(e);
    }
    return false;
  }

 private:
  void produce() {
    try {
      std::unique_ptr<ElementStream> up = input_->make_elements();
      while (true) {
        {
          std::lock_guard<std::mutex> lock(mu_);
          if (stop_) break;
        }
        Element e;
        if (!up->next(e)) break;
        std::unique_lock<std::mutex> lock(mu_);
        not_full_.wait(lock, [&] { return stop_ || queue_.size() < capacity_; });
        if (stop_) break;
        queue_.push_back(std::move(e));
        lock.unlock();
        not_empty_.notify_one();
      }
      // `up` (and any threads it owns) is destroyed here, on this thread.
    } catch (...) {
      std::lock_guard<std::mutex> lock(mu_);
      error_ = std::current_exception();
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    not_empty_.notify_all();
  }

  NodePtr input_;
  size_t capacity_;
  std::mutex mu_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<Element> queue_;
  std::exception_ptr error_;
  bool done_ = false;
  bool stop_ = false;
  std::thread thread_;  // last: starts after every other member exists
};

class PrefetchNode final : public DatasetNode {
 public:
  PrefetchNode(NodePtr input, int64_t buffer_size) : input_(std::move(input)), buffer_size_(buffer_size) {}
  int64_t cardinality() const override { return input_->cardinality(); }
  // Row indices are cheap to produce: pass them through, so that a batch()
  // after prefetch() still gathers from the source directly.
  const SlicesNode* slices() const override { return input_->slices(); }
  std::unique_ptr<IndexStream> make_indices() const override { return input_->make_indices(); }
  std::unique_ptr<ElementStream> make_elements() const override {
    return std::make_unique<PrefetchStream>(input_, size_t(buffer_size_));
  }

 private:
  NodePtr input_;
  int64_t buffer_size_;
};

}  // namespace

NodePtr make_prefetch_node(NodePtr input, int64_t buffer_size) {
  NB_CHECK(buffer_size > 0 || buffer_size == Dataset::AUTOTUNE, InvalidArgument,
           "Dataset::prefetch: buffer_size must be > 0 (or Dataset::AUTOTUNE), got ", buffer_size);
  return std::make_shared<PrefetchNode>(std::move(input), buffer_size == Dataset::AUTOTUNE ? 2 : buffer_size);
}

}  // namespace nabla::data::detail
