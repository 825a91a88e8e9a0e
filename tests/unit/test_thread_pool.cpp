// The thread pool's contract (include/nabla/core/thread_pool.h): every chunk of a
// parallel_for runs exactly once, the chunks are the static partition of the range
// for the thread count (whichever thread claims them), and nothing is lost when the
// caller takes chunks that no worker claimed in time.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "nabla/core/error.h"
#include "nabla/core/thread_pool.h"

namespace nb = nabla;

namespace {

struct RestoreThreads {
  int saved = nb::get_num_threads();
  ~RestoreThreads() { nb::set_num_threads(saved); }
};

}  // namespace

TEST(ThreadPool, ChunksAreTheStaticPartitionWhoeverRunsThem) {
  RestoreThreads restore;
  for (int threads : {2, 3, 4}) {
    nb::set_num_threads(threads);
    // Hand-computed partition of [5, 105) into `threads` chunks: [5 + 100 c / t, 5 + 100 (c + 1) / t).
    std::set<std::pair<int64_t, int64_t>> expected;
    for (int c = 0; c < threads; ++c) expected.insert({5 + 100 * c / threads, 5 + 100 * (c + 1) / threads});
    for (int iter = 0; iter < 2000; ++iter) {
      std::mutex mu;
      std::vector<std::pair<int64_t, int64_t>> seen;
      std::set<std::thread::id> ids;
      nb::parallel_for(5, 105, 1, [&](int64_t b, int64_t e) {
        if (iter % 97 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));  // a slow chunk
        std::lock_guard<std::mutex> lk(mu);
        seen.emplace_back(b, e);
        ids.insert(std::this_thread::get_id());
      });
      ASSERT_EQ(seen.size(), size_t(threads)) << "iteration " << iter;
      const std::set<std::pair<int64_t, int64_t>> got(seen.begin(), seen.end());
      ASSERT_EQ(got, expected) << "iteration " << iter;
      ASSERT_LE(ids.size(), size_t(threads));
    }
  }
}

TEST(ThreadPool, BackToBackJobsOfDifferentSizesLoseNothing) {
  // Many short jobs in a row, alternating sizes, with gaps long enough for idle
  // workers to fall asleep now and then: each element is counted exactly once.
  RestoreThreads restore;
  nb::set_num_threads(2);
  std::vector<std::atomic<int>> hits(4096);
  int64_t total = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    const int64_t n = 1 + (iter * 37) % 4096;
    nb::parallel_for(0, n, 16, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) hits[size_t(i)].fetch_add(1, std::memory_order_relaxed);
    });
    total += n;
    if (iter % 500 == 499) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  int64_t counted = 0;
  for (int64_t i = 0; i < 4096; ++i) {
    // Element i is inside the jobs whose size exceeds i.
    int64_t want = 0;
    for (int iter = 0; iter < 3000; ++iter) want += (1 + (iter * 37) % 4096) > i ? 1 : 0;
    ASSERT_EQ(hits[size_t(i)].load(), want) << "element " << i;
    counted += hits[size_t(i)].load();
  }
  EXPECT_EQ(counted, total);
}

TEST(ThreadPool, AnExceptionFromAnyChunkReachesTheCallerAndThePoolKeepsWorking) {
  RestoreThreads restore;
  nb::set_num_threads(2);
  for (int iter = 0; iter < 200; ++iter) {
    EXPECT_THROW(nb::parallel_for(0, 2, 1,
                                  [&](int64_t b, int64_t) {
                                    if (b == iter % 2) throw nb::InvalidArgument("chunk failed");
                                  }),
                 nb::InvalidArgument);
    std::atomic<int64_t> sum{0};
    nb::parallel_for(0, 1000, 10, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) sum += i;
    });
    ASSERT_EQ(sum.load(), 999 * 1000 / 2);
  }
}
