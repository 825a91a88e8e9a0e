// A fixed pool of worker threads plus the calling thread. A parallel_for is
// split into one contiguous chunk per thread (static partition: the same
// thread count gives the same split, so results are reproducible). Idle
// workers spin briefly, then sleep on a condition variable, so they never
// compete with BLAS or with the caller for long.
#include "nabla/core/thread_pool.h"

#include "core/scoped_flush_denormal.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "nabla/core/error.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define NB_CPU_RELAX() _mm_pause()
#else
#define NB_CPU_RELAX() std::this_thread::yield()
#endif

namespace nabla {
namespace {

thread_local bool t_in_parallel = false;

class ThreadPool {
 public:
  explicit ThreadPool(int n) { resize(n); }
  ~ThreadPool() { stop(); }

  int size() const { return nthreads_; }

  void resize(int n) {
    std::lock_guard<std::mutex> run(run_mu_);
    stop();
    nthreads_ = std::max(1, n);
    quit_ = false;
    // Workers start from the current epoch: a job published before a new
    // thread first runs is still seen as new by it.
    const uint64_t epoch = epoch_.load();
    for (int i = 1; i < nthreads_; ++i) workers_.emplace_back([this, i, epoch] { worker(i, epoch); });
  }

  // Returns false if the pool is busy (another thread is inside a parallel_for).
  bool run(int64_t begin, int64_t end, int64_t grain,
           const std::function<void(int64_t, int64_t)>& fn) {
    std::unique_lock<std::mutex> run(run_mu_, std::try_to_lock);
    if (!run.owns_lock()) return false;
    const int64_t range = end - begin;
    const int64_t max_chunks = std::max<int64_t>(1, range / std::max<int64_t>(grain, 1));
    const int nchunks = int(std::min<int64_t>(nthreads_, max_chunks));
    if (nchunks <= 1) {
      fn(begin, end);
      return true;
    }
    fn_ = &fn;
    fp_mode_ = detail::FloatingPointMode::current();  // workers compute as the caller does
    begin_ = begin;
    end_ = end;
    nchunks_ = nchunks;
    error_ = nullptr;
    // Every worker acknowledges every job (even with no chunk of its own), so
    // job parameters never change while a worker may still read them.
    pending_.store(nthreads_ - 1, std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lk(mu_);
      epoch_.fetch_add(1, std::memory_order_release);
    }
    cv_.notify_all();
    t_in_parallel = true;
    run_chunk(0);
    t_in_parallel = false;
    for (int spins = 0; pending_.load(std::memory_order_acquire) != 0; ++spins) {
      if (spins < 1 << 16) NB_CPU_RELAX();
      else std::this_thread::yield();
    }
    fn_ = nullptr;
    if (error_) std::rethrow_exception(error_);
    return true;
  }

 private:
  void run_chunk(int c) {
    const int64_t range = end_ - begin_;
    const int64_t b = begin_ + range * c / nchunks_;
    const int64_t e = begin_ + range * (c + 1) / nchunks_;
    try {
      detail::ScopedFloatingPointMode mode(fp_mode_);
      if (b < e) (*fn_)(b, e);
    } catch (...) {
      std::lock_guard<std::mutex> lk(err_mu_);
      if (!error_) error_ = std::current_exception();
    }
  }

  void worker(int id, uint64_t seen) {
    t_in_parallel = true;
    for (;;) {
      // Spin a little (consecutive ops arrive within microseconds), then sleep.
      int spins = 0;
      while (epoch_.load(std::memory_order_acquire) == seen && !quit_.load() && spins < 4000) {
        NB_CPU_RELAX();
        ++spins;
      }
      if (epoch_.load(std::memory_order_acquire) == seen) {
        std::unique_lock<std::mutex> lk(mu_);
        cv_.wait(lk, [&] { return epoch_.load() != seen || quit_.load(); });
      }
      if (quit_.load()) return;
      seen = epoch_.load(std::memory_order_acquire);
      if (id < nchunks_) run_chunk(id);
      pending_.fetch_sub(1, std::memory_order_acq_rel);
    }
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lk(mu_);
      quit_ = true;
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
  }

  int nthreads_ = 1;
  std::vector<std::thread> workers_;
  detail::FloatingPointMode fp_mode_{};
  std::mutex run_mu_;  // one parallel_for at a time
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<uint64_t> epoch_{0};
  std::atomic<bool> quit_{false};
  std::atomic<int> pending_{0};
  const std::function<void(int64_t, int64_t)>* fn_ = nullptr;
  int64_t begin_ = 0, end_ = 0;
  int nchunks_ = 1;
  std::mutex err_mu_;
  std::exception_ptr error_;
};

int default_threads() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : int(n);
}

std::atomic<int> g_num_threads{0};

ThreadPool& pool() {
  // Leaked on purpose: joining threads during static destruction can deadlock.
  static ThreadPool* p = new ThreadPool(g_num_threads.load() > 0 ? g_num_threads.load() : default_threads());  // NOLINT
  return *p;
}

}  // namespace

void set_num_threads(int n) {
  NB_CHECK(n >= 1, InvalidArgument, "set_num_threads expects a count >= 1, got ", n);
  g_num_threads = n;
  if (pool().size() != n) pool().resize(n);
}

int get_num_threads() {
  const int n = g_num_threads.load(std::memory_order_relaxed);
  return n > 0 ? n : pool().size();
}

namespace detail {
bool in_parallel_region() { return t_in_parallel; }

void parallel_for_impl(int64_t begin, int64_t end, int64_t grain,
                       const std::function<void(int64_t, int64_t)>& fn) {
  if (!pool().run(begin, end, grain, fn)) fn(begin, end);  // pool busy: run inline
}
}  // namespace detail

}  // namespace nabla
