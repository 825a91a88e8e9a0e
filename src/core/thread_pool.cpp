// A fixed pool of worker threads plus the calling thread. A parallel_for is
// split into at most one contiguous chunk per thread (static partition: the same
// thread count gives the same chunks, so results are reproducible). Chunks are
// claimed, not assigned: the caller starts on them at once and takes any chunk
// that no worker has claimed by the time it is free, so a worker that is asleep
// or descheduled (a busy or virtualised machine) never holds the caller up; it
// only helps when it comes. Idle workers spin briefly, then sleep on a
// condition variable, so they never compete with BLAS or with the caller for long.
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
    // Workers start from the current job: one published before a new thread
    // first runs is still seen as new by it.
    const uint32_t epoch = epoch_.load();
    for (int i = 1; i < nthreads_; ++i) workers_.emplace_back([this, epoch] { worker(epoch); });
  }

  // Returns false if the pool is busy (another thread is inside a parallel_for).
  bool run(int64_t begin, int64_t end, int64_t grain,
           const std::function<void(int64_t, int64_t)>& fn) {
    std::unique_lock<std::mutex> run(run_mu_, std::try_to_lock);
    if (!run.owns_lock()) return false;
    const int64_t range = end - begin;
    const int64_t max_chunks = std::max<int64_t>(1, range / std::max<int64_t>(grain, 1));
    const int nchunks = int(std::min<int64_t>({nthreads_, max_chunks, kMaxChunks}));
    if (nchunks <= 1) {
      fn(begin, end);
      return true;
    }
    // Publish the job, then open it for claims (release: a claim sees the job).
    fn_ = &fn;
    fp_mode_ = detail::FloatingPointMode::current();  // workers compute as the caller does
    begin_ = begin;
    end_ = end;
    error_ = nullptr;
    done_.store(0, std::memory_order_relaxed);
    const uint32_t job = epoch_.load(std::memory_order_relaxed) + 1;  // only this caller writes it
    claims_.store(pack(job, nchunks, 0), std::memory_order_release);
    {
      std::lock_guard<std::mutex> lk(mu_);
      epoch_.store(job, std::memory_order_release);
    }
    cv_.notify_all();
    t_in_parallel = true;
    run_claimed_chunks(job);
    t_in_parallel = false;
    // What is left runs on workers right now: a short wait.
    for (int spins = 0; done_.load(std::memory_order_acquire) != nchunks; ++spins) {
      if (spins < 1 << 16) NB_CPU_RELAX();
      else std::this_thread::yield();
    }
    fn_ = nullptr;
    if (error_) std::rethrow_exception(error_);
    return true;
  }

 private:
  static constexpr int64_t kMaxChunks = 0xFFFF;

  // The claim word: job number (32 bits), chunk count and next unclaimed chunk (16 each).
  static uint64_t pack(uint32_t job, int nchunks, int next) {
    return uint64_t(job) << 32 | uint64_t(uint32_t(nchunks)) << 16 | uint64_t(uint32_t(next));
  }

  // Claims and runs chunks of `job` until none is left. A successful claim keeps the
  // job's parameters valid: the job cannot end before the claimed chunk is done.
  void run_claimed_chunks(uint32_t job) {
    uint64_t w = claims_.load(std::memory_order_acquire);
    for (;;) {
      const int nchunks = int((w >> 16) & 0xFFFF), next = int(w & 0xFFFF);
      if (uint32_t(w >> 32) != job || next >= nchunks) return;
      if (!claims_.compare_exchange_weak(w, w + 1, std::memory_order_acq_rel, std::memory_order_acquire))
        continue;
      run_chunk(next, nchunks);
      done_.fetch_add(1, std::memory_order_acq_rel);
      w = claims_.load(std::memory_order_acquire);
    }
  }

  void run_chunk(int c, int nchunks) {
    const int64_t range = end_ - begin_;
    const int64_t b = begin_ + range * c / nchunks;
    const int64_t e = begin_ + range * (c + 1) / nchunks;
    try {
      detail::ScopedFloatingPointMode mode(fp_mode_);
      if (b < e) (*fn_)(b, e);
    } catch (...) {
      std::lock_guard<std::mutex> lk(err_mu_);
      if (!error_) error_ = std::current_exception();
    }
  }

  void worker(uint32_t seen) {
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
      run_claimed_chunks(seen);
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
  std::atomic<uint32_t> epoch_{0};    // the newest job number (written under run_mu_)
  std::atomic<uint64_t> claims_{0};   // pack(job, nchunks, next unclaimed chunk)
  std::atomic<int> done_{0};          // chunks of the current job finished
  std::atomic<bool> quit_{false};
  const std::function<void(int64_t, int64_t)>* fn_ = nullptr;
  int64_t begin_ = 0, end_ = 0;
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
