// Random generators: Philox known-answer vectors, reproducibility across runs
// and thread counts, and distribution statistics.
#include <gtest/gtest.h>

#include <cmath>

#include <nabla/nabla.h>

namespace nb = nabla;

namespace {

TEST(Random, PhiloxKnownAnswers) {
  // Known-answer tests from the Random123 distribution (kat_vectors, philox4x32_10).
  {
    const uint32_t c[4] = {0, 0, 0, 0}, k[2] = {0, 0};
    uint32_t o[4];
    nb::random::philox4x32(c, k, o);
    EXPECT_EQ(o[0], 0x6627e8d5u);
    EXPECT_EQ(o[1], 0xe169c58du);
    EXPECT_EQ(o[2], 0xbc57ac4cu);
    EXPECT_EQ(o[3], 0x9b00dbd8u);
  }
  {
    const uint32_t c[4] = {0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}, k[2] = {0xffffffffu, 0xffffffffu};
    uint32_t o[4];
    nb::random::philox4x32(c, k, o);
    EXPECT_EQ(o[0], 0x408f276du);
    EXPECT_EQ(o[1], 0x41c83b0eu);
    EXPECT_EQ(o[2], 0xa20bc7c6u);
    EXPECT_EQ(o[3], 0x6d5451fdu);
  }
  {
    const uint32_t c[4] = {0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}, k[2] = {0xa4093822u, 0x299f31d0u};
    uint32_t o[4];
    nb::random::philox4x32(c, k, o);
    EXPECT_EQ(o[0], 0xd16cfe09u);
    EXPECT_EQ(o[1], 0x94fdccebu);
    EXPECT_EQ(o[2], 0x5001e420u);
    EXPECT_EQ(o[3], 0x24126ea1u);
  }
}

TEST(Random, SameSeedSameNumbersAnyThreadCount) {
  const int saved = nb::get_num_threads();
  std::vector<float> ref;
  for (int threads : {1, 2, 4}) {
    nb::set_num_threads(threads);
    nb::random::Generator g(1234);
    auto a = nb::random::normal({300, 301}, {}, g);
    auto b = nb::random::uniform({1000}, {}, g);
    auto c = nb::random::truncated_normal({5000}, {}, g);
    std::vector<float> all = a.to_vector<float>();
    for (float v : b.to_vector<float>()) all.push_back(v);
    for (float v : c.to_vector<float>()) all.push_back(v);
    if (ref.empty()) ref = all;
    else ASSERT_EQ(all, ref) << "threads=" << threads;
  }
  nb::set_num_threads(saved);
  nb::random::Generator g1(1), g2(2);
  EXPECT_NE(nb::random::uniform({8}, {}, g1).to_vector<float>(), nb::random::uniform({8}, {}, g2).to_vector<float>());
}

TEST(Random, GeneratorAdvancesAndRestores) {
  nb::random::Generator g(7);
  auto a = nb::random::uniform({10}, {}, g);
  const uint64_t ctr = g.counter();
  auto b = nb::random::uniform({10}, {}, g);
  EXPECT_NE(a.to_vector<float>(), b.to_vector<float>());
  g.set_state(7, ctr);
  EXPECT_EQ(nb::random::uniform({10}, {}, g).to_vector<float>(), b.to_vector<float>());
}

TEST(Random, UniformStatistics) {
  nb::random::Generator g(42);
  auto u = nb::random::uniform({200000}, {.minval = -2, .maxval = 6}, g).to_vector<float>();
  double sum = 0, sq = 0;
  for (float v : u) {
    ASSERT_GE(v, -2.f);
    ASSERT_LT(v, 6.f);
    sum += v;
    sq += double(v) * v;
  }
  const double mean = sum / double(u.size()), var = sq / double(u.size()) - mean * mean;
  EXPECT_NEAR(mean, 2.0, 0.03);
  EXPECT_NEAR(var, 64.0 / 12.0, 0.06);
  auto i = nb::random::uniform({10000}, {.minval = 3, .maxval = 7, .dtype = nb::int32}, g).to_vector<int32_t>();
  std::vector<int> counts(4, 0);
  for (int32_t v : i) {
    ASSERT_GE(v, 3);
    ASSERT_LT(v, 7);
    counts[size_t(v - 3)]++;
  }
  for (int c : counts) EXPECT_NEAR(c, 2500, 200);
  EXPECT_THROW(nb::random::uniform({2}, {.minval = 3, .maxval = 3, .dtype = nb::int32}, g), nb::InvalidArgument);
}

TEST(Random, NormalAndTruncatedNormalStatistics) {
  nb::random::Generator g(99);
  auto n = nb::random::normal({200000}, {.mean = 1.0, .stddev = 2.0, .dtype = nb::float64}, g).to_vector<double>();
  double sum = 0, sq = 0;
  for (double v : n) { sum += v; sq += v * v; }
  double mean = sum / double(n.size()), var = sq / double(n.size()) - mean * mean;
  EXPECT_NEAR(mean, 1.0, 0.02);
  EXPECT_NEAR(var, 4.0, 0.06);
  auto t = nb::random::truncated_normal({200000}, {.stddev = 1.0}, g).to_vector<float>();
  sum = sq = 0;
  for (float v : t) {
    ASSERT_LE(std::fabs(v), 2.0f);
    sum += v;
    sq += double(v) * v;
  }
  mean = sum / double(t.size());
  var = sq / double(t.size()) - mean * mean;
  EXPECT_NEAR(mean, 0.0, 0.01);
  EXPECT_NEAR(var, 0.7737, 0.01);  // variance of N(0,1) truncated to [-2, 2]
  EXPECT_THROW(nb::random::normal({2}, {.dtype = nb::int32}, g), nb::InvalidArgument);
}

TEST(Random, DefaultGeneratorIsReseedable) {
  nb::random::set_seed(5);
  auto a = nb::random::normal({4}).to_vector<float>();
  nb::random::set_seed(5);
  EXPECT_EQ(nb::random::normal({4}).to_vector<float>(), a);
}

}  // namespace
