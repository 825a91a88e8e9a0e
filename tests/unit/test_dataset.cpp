// Dataset pipeline: element order and values of every transformation against
// hand-computed sequences, shuffle statistics and determinism, batching with
// and without drop_remainder (gather fast path and generic stacking path must
// agree), prefetch threading/exception/shutdown behaviour, cardinality as
// tf.data defines it, errors, and the speed of a shuffled epoch on MNIST-sized
// data.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <future>
#include <map>
#include <numeric>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nabla/data/dataset.h>
#include <nabla/nabla.h>

namespace nb = nabla;
using nb::data::Dataset;
using nb::data::Element;

namespace {

// 0..n-1 as int32 (n).
nb::Tensor iota(int64_t n) {
  std::vector<int32_t> v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  return nb::constant(v, nb::Shape{n});
}

// The first component of every element, flattened, in order.
std::vector<int32_t> firsts(const Dataset& ds) {
  std::vector<int32_t> out;
  for (const Element& e : ds)
    for (int32_t v : e.at(0).to_vector<int32_t>()) out.push_back(v);
  return out;
}

// Batch sizes (dim 0 of component 0) in order.
std::vector<int64_t> batch_sizes(const Dataset& ds) {
  std::vector<int64_t> out;
  for (const Element& e : ds) out.push_back(e.at(0).dim(0));
  return out;
}

Element identity(const Element& e) { return e; }

std::vector<int32_t> range_vec(int32_t a, int32_t b) {
  std::vector<int32_t> v;
  for (int32_t i = a; i < b; ++i) v.push_back(i);
  return v;
}

bool is_permutation_of_range(std::vector<int32_t> v, int32_t n) {
  std::sort(v.begin(), v.end());
  return v == range_vec(0, n);
}

#define EXPECT_THROW_MSG(stmt, Type, needle)                                                       \
  do {                                                                                             \
    try {                                                                                          \
      stmt;                                                                                        \
      ADD_FAILURE() << "expected " #Type;                                                          \
    } catch (const Type& e) {                                                                      \
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << "missing '" << (needle) \
                                                                       << "' in: " << e.what();    \
    }                                                                                              \
  } while (0)

}  // namespace

TEST(Dataset, FromTensorSlicesYieldsRowsInOrder) {
  const nb::Tensor x = nb::constant({{1, 2}, {3, 4}, {5, 6}});
  const nb::Tensor y = nb::constant({10.f, 20.f, 30.f});
  const Dataset ds = Dataset::from_tensor_slices({x, y});
  EXPECT_EQ(ds.cardinality(), 3);
  auto it = ds.make_iterator();
  for (int i = 0; i < 3; ++i) {
    auto e = it.next();
    ASSERT_TRUE(e.has_value());
    ASSERT_EQ(e->size(), 2u);
    EXPECT_EQ((*e)[0].shape(), nb::Shape({2}));
    EXPECT_EQ((*e)[0].to_vector<int32_t>(), (std::vector<int32_t>{2 * i + 1, 2 * i + 2}));
    EXPECT_EQ((*e)[1].shape(), nb::Shape({}));
    EXPECT_EQ((*e)[1].item<float>(), 10.f * float(i + 1));
  }
  EXPECT_FALSE(it.next().has_value());
  EXPECT_FALSE(it.next().has_value());  // stays at the end
}

TEST(Dataset, FromTensorSlicesOfAStridedView) {
  const nb::Tensor x = nb::transpose(nb::constant({{1, 2, 3}, {4, 5, 6}}));  // rows: (1,4) (2,5) (3,6)
  EXPECT_EQ(firsts(Dataset::from_tensor_slices({x})), (std::vector<int32_t>{1, 4, 2, 5, 3, 6}));
}

TEST(Dataset, FromTensorsIsOneElement) {
  const Dataset ds = Dataset::from_tensors({nb::constant({1, 2, 3}), nb::constant(7)});
  EXPECT_EQ(ds.cardinality(), 1);
  int n = 0;
  for (const Element& e : ds) {
    EXPECT_EQ(e[0].to_vector<int32_t>(), (std::vector<int32_t>{1, 2, 3}));
    EXPECT_EQ(e[1].item<int32_t>(), 7);
    ++n;
  }
  EXPECT_EQ(n, 1);
  EXPECT_EQ(Dataset().cardinality(), 0);
  EXPECT_TRUE(firsts(Dataset()).empty());
}

TEST(Dataset, FromGeneratorRestartsPerIterator) {
  const Dataset ds = Dataset::from_generator([] {
    return [i = 0]() mutable -> std::optional<Element> {
      if (i == 4) return std::nullopt;
      return Element{nb::constant(i++ * 10)};
    };
  });
  EXPECT_EQ(ds.cardinality(), Dataset::UNKNOWN);
  EXPECT_EQ(firsts(ds), (std::vector<int32_t>{0, 10, 20, 30}));
  EXPECT_EQ(firsts(ds), (std::vector<int32_t>{0, 10, 20, 30}));
}

TEST(Dataset, SourceErrors) {
  EXPECT_THROW_MSG(Dataset::from_tensor_slices({nb::zeros({5, 2}), nb::zeros({4})}), nb::InvalidArgument,
                   "tensor 0 has shape [5,2] and tensor 1 has shape [4]");
  EXPECT_THROW_MSG(Dataset::from_tensor_slices({nb::constant(1)}), nb::InvalidArgument, "scalar");
  EXPECT_THROW_MSG(Dataset::from_tensor_slices({}), nb::InvalidArgument, "at least one tensor");
  EXPECT_THROW(Dataset::from_tensor_slices({nb::Tensor()}), nb::InvalidArgument);
  EXPECT_THROW(Dataset::from_tensors({nb::Tensor()}), nb::InvalidArgument);
  EXPECT_THROW(Dataset::from_generator(nullptr), nb::InvalidArgument);
  const Dataset ds = Dataset::from_tensor_slices({iota(4)});
  EXPECT_THROW_MSG(ds.batch(0), nb::InvalidArgument, "batch_size must be > 0, got 0");
  EXPECT_THROW_MSG(ds.shuffle(0), nb::InvalidArgument, "buffer_size must be > 0, got 0");
  EXPECT_THROW_MSG(ds.prefetch(0), nb::InvalidArgument, "buffer_size must be > 0");
  EXPECT_THROW(ds.prefetch(-2), nb::InvalidArgument);
  EXPECT_NO_THROW(ds.prefetch(Dataset::AUTOTUNE));
  EXPECT_THROW_MSG(ds.take(-2), nb::InvalidArgument, "got -2");
  EXPECT_THROW(ds.skip(-5), nb::InvalidArgument);
  EXPECT_THROW(ds.repeat(-3), nb::InvalidArgument);
  EXPECT_THROW(ds.map(nullptr), nb::InvalidArgument);
}

TEST(Dataset, BatchSizesAndValues) {
  const Dataset src = Dataset::from_tensor_slices({iota(10)});
  EXPECT_EQ(batch_sizes(src.batch(3)), (std::vector<int64_t>{3, 3, 3, 1}));
  EXPECT_EQ(batch_sizes(src.batch(3, true)), (std::vector<int64_t>{3, 3, 3}));
  EXPECT_EQ(batch_sizes(src.batch(5, true)), (std::vector<int64_t>{5, 5}));
  EXPECT_EQ(batch_sizes(src.batch(20)), (std::vector<int64_t>{10}));
  EXPECT_TRUE(batch_sizes(src.batch(20, true)).empty());
  EXPECT_EQ(firsts(src.batch(3)), range_vec(0, 10));
  // Rank-2 rows and a second component: element i = ([i, 10+i], 100+i).
  std::vector<int32_t> xv;
  for (int i = 0; i < 5; ++i) xv.insert(xv.end(), {i, 10 + i});
  const nb::Tensor x = nb::constant(xv, nb::Shape{5, 2});
  const nb::Tensor y = nb::constant(std::vector<int64_t>{100, 101, 102, 103, 104}, nb::Shape{5});
  for (bool generic : {false, true}) {
    SCOPED_TRACE(generic ? "generic stacking" : "gather from source");
    Dataset ds = Dataset::from_tensor_slices({x, y});
    if (generic) ds = ds.map(identity);  // map hides the slices source
    auto it = ds.batch(2).make_iterator();
    auto b0 = it.next();
    ASSERT_TRUE(b0);
    EXPECT_EQ((*b0)[0].shape(), nb::Shape({2, 2}));
    EXPECT_EQ((*b0)[0].dtype(), nb::int32);
    EXPECT_EQ((*b0)[0].to_vector<int32_t>(), (std::vector<int32_t>{0, 10, 1, 11}));
    EXPECT_EQ((*b0)[1].dtype(), nb::int64);
    EXPECT_EQ((*b0)[1].to_vector<int64_t>(), (std::vector<int64_t>{100, 101}));
    it.next();
    auto b2 = it.next();
    ASSERT_TRUE(b2);
    EXPECT_EQ((*b2)[0].shape(), nb::Shape({1, 2}));
    EXPECT_EQ((*b2)[0].to_vector<int32_t>(), (std::vector<int32_t>{4, 14}));
    EXPECT_EQ((*b2)[1].to_vector<int64_t>(), (std::vector<int64_t>{104}));
    EXPECT_FALSE(it.next());
  }
}

TEST(Dataset, BatchOfBatchesAndScalars) {
  const Dataset ds = Dataset::from_tensor_slices({iota(8)}).batch(2).batch(2);
  auto it = ds.make_iterator();
  auto e = it.next();
  ASSERT_TRUE(e);
  EXPECT_EQ((*e)[0].shape(), nb::Shape({2, 2}));
  EXPECT_EQ((*e)[0].to_vector<int32_t>(), (std::vector<int32_t>{0, 1, 2, 3}));
}

TEST(Dataset, BatchRejectsMismatchedShapes) {
  const Dataset ds = Dataset::from_generator([] {
    return [i = 0]() mutable -> std::optional<Element> {
      if (i == 3) return std::nullopt;
      ++i;
      return Element{nb::zeros({i == 2 ? 3 : 2})};
    };
  });
  auto it = ds.batch(3).make_iterator();
  EXPECT_THROW_MSG(it.next(), nb::InvalidArgument, "shape [3]");
  auto it2 = ds.batch(3).make_iterator();
  EXPECT_THROW_MSG(it2.next(), nb::InvalidArgument, "with shape [2]");
  const Dataset parts = Dataset::from_generator([] {
    return [i = 0]() mutable -> std::optional<Element> {
      if (i++ == 2) return std::nullopt;
      return i == 1 ? Element{nb::zeros({1})} : Element{nb::zeros({1}), nb::zeros({1})};
    };
  });
  EXPECT_THROW_MSG(parts.batch(2).make_iterator().next(), nb::InvalidArgument, "1 and 2 components");
  const Dataset dtypes = Dataset::from_generator([] {
    return [i = 0]() mutable -> std::optional<Element> {
      if (i++ == 2) return std::nullopt;
      return Element{nb::zeros({1}, i == 1 ? nb::float32 : nb::int32)};
    };
  });
  EXPECT_THROW_MSG(dtypes.batch(2).make_iterator().next(), nb::InvalidArgument, "dtype int32");
}

TEST(Dataset, MapAppliesTheFunction) {
  const Dataset ds = Dataset::from_tensor_slices({iota(4)}).map([](const Element& e) {
    const int32_t v = e[0].item<int32_t>();
    return Element{nb::constant(v * v), nb::constant(float(v) + 0.5f)};
  });
  EXPECT_EQ(ds.cardinality(), 4);
  std::vector<int32_t> sq;
  std::vector<float> half;
  for (const Element& e : ds) {
    ASSERT_EQ(e.size(), 2u);
    sq.push_back(e[0].item<int32_t>());
    half.push_back(e[1].item<float>());
  }
  EXPECT_EQ(sq, (std::vector<int32_t>{0, 1, 4, 9}));
  EXPECT_EQ(half, (std::vector<float>{0.5f, 1.5f, 2.5f, 3.5f}));
}

TEST(Dataset, TakeSkipRepeat) {
  const Dataset ds = Dataset::from_tensor_slices({iota(6)});
  for (bool generic : {false, true}) {
    SCOPED_TRACE(generic ? "element streams" : "index streams");
    const Dataset d = generic ? ds.map(identity) : ds;
    EXPECT_EQ(firsts(d.take(2)), (std::vector<int32_t>{0, 1}));
    EXPECT_EQ(firsts(d.take(0)), (std::vector<int32_t>{}));
    EXPECT_EQ(firsts(d.take(-1)), range_vec(0, 6));
    EXPECT_EQ(firsts(d.take(100)), range_vec(0, 6));
    EXPECT_EQ(firsts(d.skip(4)), (std::vector<int32_t>{4, 5}));
    EXPECT_EQ(firsts(d.skip(0)), range_vec(0, 6));
    EXPECT_EQ(firsts(d.skip(-1)), (std::vector<int32_t>{}));
    EXPECT_EQ(firsts(d.skip(9)), (std::vector<int32_t>{}));
    EXPECT_EQ(firsts(d.take(3).repeat(2)), (std::vector<int32_t>{0, 1, 2, 0, 1, 2}));
    EXPECT_EQ(firsts(d.repeat(0)), (std::vector<int32_t>{}));
    EXPECT_EQ(firsts(d.repeat().take(8)), (std::vector<int32_t>{0, 1, 2, 3, 4, 5, 0, 1}));
    EXPECT_EQ(firsts(d.skip(1).take(3).repeat(2).skip(2)), (std::vector<int32_t>{3, 1, 2, 3}));
    // Batches cross repetition boundaries, as in tf.data.
    EXPECT_EQ(firsts(d.take(3).repeat(3).batch(4)), (std::vector<int32_t>{0, 1, 2, 0, 1, 2, 0, 1, 2}));
    EXPECT_EQ(batch_sizes(d.take(3).repeat(3).batch(4)), (std::vector<int64_t>{4, 4, 1}));
    EXPECT_EQ(firsts(d.skip(2).take(3).batch(2)), (std::vector<int32_t>{2, 3, 4}));
    // Repeating an empty input forever terminates with nothing.
    EXPECT_EQ(firsts(d.skip(-1).repeat()), (std::vector<int32_t>{}));
  }
}

TEST(Dataset, ShuffleIsAPermutationDeterministicPerSeed) {
  const Dataset src = Dataset::from_tensor_slices({iota(100)});
  const auto a = firsts(src.shuffle(100, 42));
  const auto b = firsts(src.shuffle(100, 42));
  const auto c = firsts(src.shuffle(100, 43));
  EXPECT_TRUE(is_permutation_of_range(a, 100));
  EXPECT_EQ(a, b) << "same seed, same first-epoch order";
  EXPECT_NE(a, c);
  EXPECT_NE(a, range_vec(0, 100));
  // Buffer of 1: nothing to shuffle.
  EXPECT_EQ(firsts(src.shuffle(1, 5)), range_vec(0, 100));
}

TEST(Dataset, ShuffleReshufflesEachIterationUnlessAskedNotTo) {
  const Dataset src = Dataset::from_tensor_slices({iota(50)});
  const Dataset re = src.shuffle(50, 7);
  const auto e1 = firsts(re), e2 = firsts(re), e3 = firsts(re);
  EXPECT_TRUE(is_permutation_of_range(e2, 50));
  EXPECT_NE(e1, e2);
  EXPECT_NE(e2, e3);
  // Deterministic from the seed and the epoch count: a fresh dataset replays the sequence.
  const Dataset again = src.shuffle(50, 7);
  EXPECT_EQ(firsts(again), e1);
  EXPECT_EQ(firsts(again), e2);
  const Dataset fixed = src.shuffle(50, 7, false);
  const auto f1 = firsts(fixed);
  EXPECT_EQ(firsts(fixed), f1);
  EXPECT_EQ(f1, e1);
  // repeat() re-iterates upstream, so each repetition is a new permutation.
  const auto two = firsts(src.shuffle(50, 7).repeat(2));
  ASSERT_EQ(two.size(), 100u);
  const std::vector<int32_t> first(two.begin(), two.begin() + 50), second(two.begin() + 50, two.end());
  EXPECT_EQ(first, e1);
  EXPECT_EQ(second, e2);
}

TEST(Dataset, ShuffleWithoutSeedFollowsTheGlobalSeed) {
  const Dataset src = Dataset::from_tensor_slices({iota(64)});
  nb::random::set_seed(1234);
  const auto a = firsts(src.shuffle(64));
  nb::random::set_seed(1234);
  const auto b = firsts(src.shuffle(64));
  EXPECT_EQ(a, b);
  EXPECT_TRUE(is_permutation_of_range(a, 64));
  nb::random::set_seed(99);
  EXPECT_NE(firsts(src.shuffle(64)), a);
}

TEST(Dataset, ShuffleBufferLimitsHowFarElementsMove) {
  // With a buffer of k, output position p holds one of the first p + k inputs
  // and every input is out by position (its index) + ... (tf.data semantics).
  const Dataset src = Dataset::from_tensor_slices({iota(200)});
  for (uint64_t seed = 0; seed < 5; ++seed) {
    const auto v = firsts(src.shuffle(4, seed));
    ASSERT_TRUE(is_permutation_of_range(v, 200));
    for (size_t p = 0; p < v.size(); ++p) EXPECT_LT(v[p], int32_t(p + 4)) << "position " << p;
    EXPECT_NE(v, range_vec(0, 200));
  }
}

TEST(Dataset, ShuffleIsUniform) {
  // Position of element 0 after shuffling 5 elements, over 5000 seeds: each of
  // the 5 positions expects 1000 hits (binomial sd ~28); chi-square with 4 dof
  // stays below 30 with overwhelming probability (p ~ 5e-6).
  const Dataset src = Dataset::from_tensor_slices({iota(5)});
  std::vector<int> hits(5, 0);
  std::map<std::vector<int32_t>, int> perms;
  for (uint64_t seed = 0; seed < 5000; ++seed) {
    const auto v = firsts(src.shuffle(5, seed));
    hits[size_t(std::find(v.begin(), v.end(), 0) - v.begin())]++;
    perms[v]++;
  }
  double chi2 = 0;
  for (int h : hits) chi2 += (h - 1000.0) * (h - 1000.0) / 1000.0;
  EXPECT_LT(chi2, 30.0);
  EXPECT_EQ(perms.size(), 120u) << "all 5! orders should occur";
}

TEST(Dataset, GatherPathMatchesGenericPath) {
  // Same seed and epoch: batching straight from the source must give exactly
  // the batches that shuffling elements and stacking them gives.
  std::vector<int32_t> xv;
  for (int i = 0; i < 97; ++i) xv.insert(xv.end(), {i, -i, 3 * i});
  const nb::Tensor x = nb::constant(xv, nb::Shape{97, 3});
  const nb::Tensor y = nb::cast(iota(97), nb::uint8);
  for (int64_t buffer : {int64_t(1), int64_t(10), int64_t(97), int64_t(1000)}) {
    SCOPED_TRACE("buffer " + std::to_string(buffer));
    const Dataset fast = Dataset::from_tensor_slices({x, y}).shuffle(buffer, 11).batch(8);
    const Dataset slow = Dataset::from_tensor_slices({x, y}).map(identity).shuffle(buffer, 11).batch(8);
    for (int epoch = 0; epoch < 2; ++epoch) {
      auto a = fast.make_iterator(), b = slow.make_iterator();
      int batches = 0;
      while (true) {
        auto ea = a.next(), eb = b.next();
        ASSERT_EQ(ea.has_value(), eb.has_value());
        if (!ea) break;
        ++batches;
        EXPECT_EQ((*ea)[0].shape(), (*eb)[0].shape());
        EXPECT_EQ((*ea)[0].to_vector<int32_t>(), (*eb)[0].to_vector<int32_t>());
        EXPECT_EQ((*ea)[1].dtype(), nb::uint8);
        EXPECT_EQ((*ea)[1].to_vector<int32_t>(), (*eb)[1].to_vector<int32_t>());
      }
      EXPECT_EQ(batches, 13);
    }
  }
}

TEST(Dataset, PrefetchYieldsTheSameSequenceOnAnotherThread) {
  const Dataset src = Dataset::from_tensor_slices({iota(37)});
  EXPECT_EQ(firsts(src.prefetch(1)), range_vec(0, 37));
  EXPECT_EQ(firsts(src.shuffle(37, 3).batch(5).prefetch(2)), firsts(src.shuffle(37, 3).batch(5)));
  EXPECT_EQ(firsts(src.map(identity).prefetch(4).batch(6)), range_vec(0, 37));
  EXPECT_EQ(firsts(src.prefetch(3).prefetch(2).take(5)), range_vec(0, 5));
  std::atomic<bool> other_thread{false};
  const auto main_id = std::this_thread::get_id();
  const Dataset probe = src.map([&](const Element& e) {
    if (std::this_thread::get_id() != main_id) other_thread = true;
    return e;
  });
  EXPECT_EQ(firsts(probe.prefetch(2)), range_vec(0, 37));
  EXPECT_TRUE(other_thread.load()) << "prefetch should run upstream on a background thread";
}

TEST(Dataset, PrefetchBufferIsBounded) {
  std::atomic<int> produced{0};
  const Dataset ds = Dataset::from_generator([&] {
    return [&]() -> std::optional<Element> { return Element{nb::constant(produced++)}; };
  }).prefetch(3);
  auto it = ds.make_iterator();
  ASSERT_TRUE(it.next());
  // The producer runs ahead: wait (up to 5 s) until it has filled the queue.
  for (int i = 0; i < 500 && produced.load() < 4; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_GE(produced.load(), 4);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  // ... but no further than 1 consumed + 3 queued + 1 waiting to be queued.
  EXPECT_LE(produced.load(), 5);
}

TEST(Dataset, PrefetchPropagatesExceptionsInOrder) {
  const Dataset ds = Dataset::from_tensor_slices({iota(10)})
                         .map([](const Element& e) {
                           if (e[0].item<int32_t>() == 5) throw std::runtime_error("bad element 5");
                           return e;
                         })
                         .prefetch(2);
  auto it = ds.make_iterator();
  for (int i = 0; i < 5; ++i) {
    auto e = it.next();
    ASSERT_TRUE(e);
    EXPECT_EQ((*e)[0].item<int32_t>(), i);
  }
  EXPECT_THROW_MSG(it.next(), std::runtime_error, "bad element 5");
  EXPECT_FALSE(it.next()) << "the stream ends after reporting the error";
  // Errors in the upstream pipeline itself (here: batching mismatched shapes).
  const Dataset bad = Dataset::from_generator([] {
    return [i = 0]() mutable -> std::optional<Element> {
      if (i == 4) return std::nullopt;
      return Element{nb::zeros({++i})};
    };
  });
  EXPECT_THROW(firsts(bad.batch(2).prefetch(1)), nb::InvalidArgument);
}

TEST(Dataset, DestroyingHalfConsumedPrefetchDoesNotHang) {
  auto done = std::make_shared<std::promise<void>>();
  auto fut = done->get_future();
  std::thread t([done] {
    const Dataset forever = Dataset::from_tensor_slices({iota(10)}).repeat().map(identity).prefetch(2).prefetch(2);
    {
      auto it = forever.make_iterator();
      for (int i = 0; i < 15; ++i) it.next();
    }  // destroys two producer threads blocked on full queues
    {
      auto it = forever.make_iterator();  // never consumed
    }
    for (const Element& e : forever) {  // range-for left early
      if (e[0].item<int32_t>() == 3) break;
    }
    done->set_value();
  });
  const bool finished = fut.wait_for(std::chrono::seconds(20)) == std::future_status::ready;
  EXPECT_TRUE(finished) << "prefetch iterator destruction hung";
  if (finished) t.join();
  else t.detach();
}

// The expected values agree with tf.data (TensorFlow 2.21, checked once by hand).
TEST(Dataset, Cardinality) {
  const Dataset ds = Dataset::from_tensor_slices({iota(10)});
  const Dataset gen = Dataset::from_generator([] { return []() -> std::optional<Element> { return std::nullopt; }; });
  EXPECT_EQ(ds.cardinality(), 10);
  EXPECT_EQ(ds.batch(3).cardinality(), 4);
  EXPECT_EQ(ds.batch(3, true).cardinality(), 3);
  EXPECT_EQ(ds.batch(5).cardinality(), 2);
  EXPECT_EQ(ds.shuffle(4).cardinality(), 10);
  EXPECT_EQ(ds.map(identity).cardinality(), 10);
  EXPECT_EQ(ds.prefetch(2).cardinality(), 10);
  EXPECT_EQ(ds.repeat(3).cardinality(), 30);
  EXPECT_EQ(ds.repeat(0).cardinality(), 0);
  EXPECT_EQ(ds.repeat().cardinality(), Dataset::INFINITE);
  EXPECT_EQ(ds.repeat().take(5).cardinality(), 5);
  EXPECT_EQ(ds.repeat().skip(5).cardinality(), Dataset::INFINITE);
  EXPECT_EQ(ds.repeat().batch(3).cardinality(), Dataset::INFINITE);
  EXPECT_EQ(ds.take(4).cardinality(), 4);
  EXPECT_EQ(ds.take(40).cardinality(), 10);
  EXPECT_EQ(ds.take(-1).cardinality(), 10);
  EXPECT_EQ(ds.skip(4).cardinality(), 6);
  EXPECT_EQ(ds.skip(40).cardinality(), 0);
  EXPECT_EQ(ds.skip(-1).cardinality(), 0);
  EXPECT_EQ(ds.skip(-1).repeat().cardinality(), 0);
  EXPECT_EQ(gen.cardinality(), Dataset::UNKNOWN);
  EXPECT_EQ(gen.take(3).cardinality(), Dataset::UNKNOWN);
  EXPECT_EQ(gen.batch(2).cardinality(), Dataset::UNKNOWN);
  EXPECT_EQ(gen.repeat().cardinality(), Dataset::INFINITE);
  EXPECT_EQ(gen.repeat(2).cardinality(), Dataset::UNKNOWN);
  EXPECT_EQ(Dataset::from_tensors({iota(3)}).cardinality(), 1);
  // Finite cardinalities match what iteration yields.
  for (const Dataset& d : {ds, ds.batch(3), ds.batch(3, true), ds.repeat(3).skip(7), ds.take(4).repeat(2).batch(3)}) {
    int64_t n = 0;
    for (const Element& e : d) n += e.empty() ? 0 : 1;
    EXPECT_EQ(n, d.cardinality());
  }
}

TEST(Dataset, TransformationsLeaveTheirInputUnchangedAndIteratorsOutliveDatasets) {
  const Dataset ds = Dataset::from_tensor_slices({iota(6)});
  const Dataset b = ds.batch(4);
  EXPECT_EQ(ds.cardinality(), 6);
  EXPECT_EQ(b.cardinality(), 2);
  auto it = Dataset::from_tensor_slices({iota(6)}).shuffle(6, 1).batch(4).prefetch(1).make_iterator();
  std::vector<int32_t> all;
  for (const Element& e : it)
    for (int32_t v : e[0].to_vector<int32_t>()) all.push_back(v);
  EXPECT_TRUE(is_permutation_of_range(all, 6));
  // Range-for over an iterator continues from where next() left off.
  auto it2 = ds.make_iterator();
  it2.next();
  it2.next();
  std::vector<int32_t> rest;
  for (const Element& e : it2) rest.push_back(e[0].item<int32_t>());
  EXPECT_EQ(rest, (std::vector<int32_t>{2, 3, 4, 5}));
}

TEST(Dataset, ShuffledEpochOverMnistSizedDataIsFast) {
  // (60000, 28, 28) uint8 images whose first two bytes encode the row number,
  // and int32 labels equal to the row number: every batch must pair them up.
  const int64_t n = 60000;
  nb::Tensor x = nb::Tensor::empty({n, 28, 28}, nb::uint8);
  auto* px = x.mutable_data<uint8_t>();
  std::memset(px, 0, size_t(n) * 784);
  for (int64_t i = 0; i < n; ++i) {
    px[i * 784] = uint8_t(i & 255);
    px[i * 784 + 1] = uint8_t(i >> 8);
    px[i * 784 + 783] = uint8_t(i % 251);
  }
  const nb::Tensor y = iota(n);
  const Dataset ds = Dataset::from_tensor_slices({x, y}).shuffle(n, 2024).batch(32);
  EXPECT_EQ(ds.cardinality(), 1875);
  double best = 1e9;
  for (int epoch = 0; epoch < 3; ++epoch) {
    const auto t0 = std::chrono::steady_clock::now();
    int64_t batches = 0;
    for (const Element& e : ds) {
      ++batches;
      (void)e;
    }
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    EXPECT_EQ(batches, 1875);
  }
  std::printf("[ perf     ] one shuffled epoch of 1875 batches of 32 x (28, 28) uint8: %.1f ms\n", best * 1e3);
  EXPECT_LT(best, 1.0) << "well under 100 ms expected; 1 s is a gross-regression guard";
  // Correctness of the gathered batches.
  std::vector<char> seen(size_t(n), 0);
  for (const Element& e : ds) {
    const int64_t b = e[0].dim(0);
    ASSERT_EQ(e[0].shape(), nb::Shape({b, 28, 28}));
    const auto* img = e[0].data<uint8_t>();
    const auto* lab = e[1].data<int32_t>();
    for (int64_t k = 0; k < b; ++k) {
      const int64_t id = img[k * 784] | (img[k * 784 + 1] << 8);
      ASSERT_EQ(id, lab[k]);
      ASSERT_EQ(img[k * 784 + 783], uint8_t(id % 251));
      ASSERT_FALSE(seen[size_t(id)]) << "row " << id << " twice";
      seen[size_t(id)] = 1;
    }
  }
  EXPECT_EQ(std::count(seen.begin(), seen.end(), 1), n);
}
