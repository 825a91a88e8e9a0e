// Tensor basics: creation, dtypes, read-back, views, half types, the caching
// allocator and the thread pool.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>

#include <nabla/nabla.h>

namespace nb = nabla;

namespace {

TEST(Constant, LiteralDtypesFollowTensorFlow) {
  EXPECT_EQ(nb::constant({{1, 2}, {3, 4}}).dtype(), nb::int32);
  EXPECT_EQ(nb::constant({1.5, 2.5}).dtype(), nb::float32);  // double literal -> float32
  EXPECT_EQ(nb::constant({1.5f}).dtype(), nb::float32);
  EXPECT_EQ(nb::constant({true, false}).dtype(), nb::bool_);
  EXPECT_EQ(nb::constant(int64_t(7)).dtype(), nb::int64);
  EXPECT_EQ(nb::constant(3).dtype(), nb::int32);
  EXPECT_EQ(nb::constant({1, 2}, nb::float64).dtype(), nb::float64);
  EXPECT_EQ(nb::constant(std::vector<double>{1, 2}, {2}).dtype(), nb::float64);  // exact type
}

TEST(Constant, NestedListsUpToRank4) {
  auto t1 = nb::constant({1, 2, 3});
  EXPECT_EQ(t1.shape(), (nb::Shape{3}));
  auto t2 = nb::constant({{1, 2, 3}, {4, 5, 6}});
  EXPECT_EQ(t2.shape(), (nb::Shape{2, 3}));
  EXPECT_EQ(t2.to_vector<int32_t>(), (std::vector<int32_t>{1, 2, 3, 4, 5, 6}));
  auto t3 = nb::constant({{{1.f}, {2.f}}, {{3.f}, {4.f}}});
  EXPECT_EQ(t3.shape(), (nb::Shape{2, 2, 1}));
  auto t4 = nb::constant({{{{1}, {2}}}, {{{3}, {4}}}});
  EXPECT_EQ(t4.shape(), (nb::Shape{2, 1, 2, 1}));
  EXPECT_EQ(t4.rank(), 4);
  EXPECT_EQ(t4.size(), 4);
  EXPECT_EQ(t4.to_vector<int64_t>(), (std::vector<int64_t>{1, 2, 3, 4}));
}

TEST(Constant, RaggedListsAreRejected) {
  EXPECT_THROW(nb::constant({{1, 2}, {3}}), nb::InvalidArgument);
  EXPECT_THROW(nb::constant(std::vector<float>{1, 2, 3}, {2, 2}), nb::InvalidArgument);
}

TEST(Constant, ScalarAndItem) {
  auto s = nb::constant(2.5f);
  EXPECT_EQ(s.rank(), 0);
  EXPECT_EQ(s.size(), 1);
  EXPECT_FLOAT_EQ(s.item<float>(), 2.5f);
  EXPECT_EQ(s.item<int32_t>(), 2);  // converted like cast: truncation
  EXPECT_THROW(nb::constant({1, 2}).item<int32_t>(), nb::InvalidArgument);
}

TEST(Creation, ZerosOnesFill) {
  auto z = nb::zeros({3, 2, 4, 5});
  EXPECT_EQ(z.dtype(), nb::float32);
  EXPECT_EQ(z.rank(), 4);
  EXPECT_EQ(z.size(), 120);
  for (float v : z.to_vector<float>()) EXPECT_EQ(v, 0.f);
  auto o = nb::ones({2, 2}, nb::int64);
  EXPECT_EQ(o.to_vector<int64_t>(), (std::vector<int64_t>{1, 1, 1, 1}));
  auto f = nb::fill({2, 3}, 9);
  EXPECT_EQ(f.dtype(), nb::int32);
  EXPECT_EQ(f.to_vector<int32_t>(), std::vector<int32_t>(6, 9));
  auto fl = nb::fill({2}, 1.5, nb::float64);
  EXPECT_EQ(fl.to_vector<double>(), (std::vector<double>{1.5, 1.5}));
  EXPECT_THROW(nb::zeros({2, -1}), nb::InvalidArgument);
}

TEST(Creation, LikeFunctions) {
  auto t = nb::constant({{1, 2, 3}});
  EXPECT_EQ(nb::zeros_like(t).shape(), t.shape());
  EXPECT_EQ(nb::zeros_like(t).dtype(), nb::int32);
  EXPECT_EQ(nb::ones_like(t, nb::float32).dtype(), nb::float32);
  EXPECT_EQ(nb::fill_like(t, 7).to_vector<int32_t>(), (std::vector<int32_t>{7, 7, 7}));
}

TEST(Creation, Arange) {
  EXPECT_EQ(nb::arange(5).to_vector<int32_t>(), (std::vector<int32_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(nb::arange(5).dtype(), nb::int32);
  EXPECT_EQ(nb::arange(3, 18, 3).to_vector<int32_t>(), (std::vector<int32_t>{3, 6, 9, 12, 15}));
  EXPECT_EQ(nb::arange(5, 0, -2).to_vector<int32_t>(), (std::vector<int32_t>{5, 3, 1}));
  auto f = nb::arange(0.0, 1.0, 0.25);
  EXPECT_EQ(f.dtype(), nb::float32);
  EXPECT_EQ(f.to_vector<float>(), (std::vector<float>{0.f, 0.25f, 0.5f, 0.75f}));
  EXPECT_EQ(nb::arange(0).size(), 0);
  EXPECT_THROW(nb::arange(0, 5, 0), nb::InvalidArgument);
}

TEST(Creation, LinspaceEye) {
  auto l = nb::linspace(10, 12, 3);
  EXPECT_EQ(l.to_vector<float>(), (std::vector<float>{10.f, 11.f, 12.f}));
  EXPECT_EQ(nb::linspace(1, 5, 1).to_vector<float>(), (std::vector<float>{1.f}));
  auto e = nb::eye(2, 3);
  EXPECT_EQ(e.shape(), (nb::Shape{2, 3}));
  EXPECT_EQ(e.to_vector<float>(), (std::vector<float>{1, 0, 0, 0, 1, 0}));
  EXPECT_EQ(nb::eye(2, std::nullopt, nb::int32).to_vector<int32_t>(), (std::vector<int32_t>{1, 0, 0, 1}));
}

TEST(Creation, OneHot) {
  auto h = nb::one_hot(nb::constant({0, 2, -1, 1}), 3);
  EXPECT_EQ(h.shape(), (nb::Shape{4, 3}));
  EXPECT_EQ(h.to_vector<float>(), (std::vector<float>{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0}));
  auto h0 = nb::one_hot(nb::constant({1, 0}), 2, {.on_value = 5, .off_value = -1, .axis = 0, .dtype = nb::int32});
  EXPECT_EQ(h0.shape(), (nb::Shape{2, 2}));
  EXPECT_EQ(h0.to_vector<int32_t>(), (std::vector<int32_t>{-1, 5, 5, -1}));
  EXPECT_THROW(nb::one_hot(nb::constant({1.f}), 2), nb::InvalidArgument);
}

TEST(Cast, DocumentedTensorFlowResults) {
  auto c = nb::cast(nb::constant({{1.f, 2.f}, {3.f, -4.f}}), nb::int32);
  EXPECT_EQ(c.dtype(), nb::int32);
  EXPECT_EQ(c.to_vector<int32_t>(), (std::vector<int32_t>{1, 2, 3, -4}));
  EXPECT_EQ(nb::cast(nb::constant({true, false, true}), nb::int32).to_vector<int32_t>(),
            (std::vector<int32_t>{1, 0, 1}));
  auto r = 2.0f + nb::cast(nb::constant(40.0, nb::float64), nb::float32);
  EXPECT_EQ(r.dtype(), nb::float32);
  EXPECT_EQ(r.item<float>(), 42.f);
}

TEST(Cast, TruncatesSaturatesAndMapsBool) {
  auto c = nb::cast(nb::constant({1.9f, -1.9f, 1e20f, -1e20f, std::nanf("")}), nb::int32);
  EXPECT_EQ(c.to_vector<int32_t>(), (std::vector<int32_t>{1, -1, std::numeric_limits<int32_t>::max(),
                                                          std::numeric_limits<int32_t>::min(), 0}));
  EXPECT_EQ(nb::cast(nb::constant({0.f, 0.5f, -2.f}), nb::bool_).to_vector<bool>(),
            (std::vector<bool>{false, true, true}));
  EXPECT_EQ(nb::cast(nb::constant({300}), nb::uint8).to_vector<int32_t>(), (std::vector<int32_t>{44}));
  auto same = nb::constant({1, 2});
  EXPECT_TRUE(nb::cast(same, nb::int32).is_same(same));
}

TEST(Half, Float16RoundTrips) {
  // Every finite float16 bit pattern survives float16 -> float32 -> float16.
  for (uint32_t b = 0; b < 0x10000; ++b) {
    const nb::float16_t h = nb::float16_t::from_bits(uint16_t(b));
    const float f = float(h);
    if (std::isnan(f)) { EXPECT_TRUE(std::isnan(float(nb::float16_t(f)))); continue; }
    ASSERT_EQ(nb::float16_t(f).bits, uint16_t(b)) << "bits " << b;
  }
  EXPECT_EQ(float(nb::float16_t(65504.f)), 65504.f);
  EXPECT_TRUE(std::isinf(float(nb::float16_t(65520.f))));           // rounds up to inf
  EXPECT_EQ(float(nb::float16_t(5.960464477539063e-08f)), 5.960464477539063e-08f);  // min subnormal
  EXPECT_EQ(float(nb::float16_t(2.98e-08f)), 0.f);                  // below half of it
  EXPECT_EQ(nb::float16_t(1.00048828125f).bits, 0x3C00);  // 1 + ulp/2: tie -> even (1.0)
  EXPECT_EQ(nb::float16_t(1.00146484375f).bits, 0x3C02);  // 1 + 3ulp/2: tie -> even
  EXPECT_EQ(float(nb::float16_t(0.1f)), 0.0999755859375f);
}

TEST(Half, BFloat16RoundTrips) {
  for (uint32_t b = 0; b < 0x10000; ++b) {
    const nb::bfloat16_t h = nb::bfloat16_t::from_bits(uint16_t(b));
    const float f = float(h);
    if (std::isnan(f)) continue;
    ASSERT_EQ(nb::bfloat16_t(f).bits, uint16_t(b)) << "bits " << b;
  }
  EXPECT_EQ(float(nb::bfloat16_t(1.0f)), 1.0f);
  EXPECT_EQ(float(nb::bfloat16_t(3.140625f)), 3.140625f);
  EXPECT_EQ(nb::bfloat16_t(1.00390625f).bits, 0x3F80);  // tie -> even
  EXPECT_TRUE(std::isnan(float(nb::bfloat16_t(std::nanf("")))));
}

TEST(Half, TensorsStoreHalvesAndComputeInFloat) {
  auto h = nb::constant({0.5f, 1.5f, -2.f}, nb::float16);
  EXPECT_EQ(h.dtype(), nb::float16);
  EXPECT_EQ(h.to_vector<float>(), (std::vector<float>{0.5f, 1.5f, -2.f}));
  auto s = h + h;  // runs the float32 kernel, stores float16
  EXPECT_EQ(s.dtype(), nb::float16);
  EXPECT_EQ(s.to_vector<float>(), (std::vector<float>{1.f, 3.f, -4.f}));
  auto b = nb::cast(nb::constant({1.f, 256.f, 257.f}), nb::bfloat16);
  EXPECT_EQ(b.to_vector<float>(), (std::vector<float>{1.f, 256.f, 256.f}));
  EXPECT_EQ((b * b).dtype(), nb::bfloat16);
}

TEST(Views, ReshapeTransposeSliceShareStorage) {
  auto t = nb::reshape(nb::arange(12), {3, 4});
  auto r = nb::reshape(t, {4, 3});
  EXPECT_EQ(r.storage().get(), t.storage().get());
  auto tr = nb::transpose(t);
  EXPECT_EQ(tr.storage().get(), t.storage().get());
  EXPECT_FALSE(tr.is_contiguous());
  EXPECT_EQ(tr.shape(), (nb::Shape{4, 3}));
  EXPECT_EQ(tr.to_vector<int32_t>(), (std::vector<int32_t>{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}));
  auto s = t["1:, ::2"];
  EXPECT_EQ(s.storage().get(), t.storage().get());
  EXPECT_EQ(s.to_vector<int32_t>(), (std::vector<int32_t>{4, 6, 8, 10}));
  auto c = tr.contiguous();
  EXPECT_TRUE(c.is_contiguous());
  EXPECT_NE(c.storage().get(), t.storage().get());
  // reshape of a non-contiguous view copies and keeps the values
  EXPECT_EQ(nb::reshape(tr, {12}).to_vector<int32_t>(), tr.to_vector<int32_t>());
}

TEST(Views, ExpandDimsSqueezeBroadcastTo) {
  auto t = nb::constant({1, 2, 3});
  auto e = nb::expand_dims(t, 0);
  EXPECT_EQ(e.shape(), (nb::Shape{1, 3}));
  EXPECT_EQ(nb::expand_dims(t, -1).shape(), (nb::Shape{3, 1}));
  EXPECT_EQ(nb::squeeze(nb::reshape(t, {1, 3, 1})).shape(), (nb::Shape{3}));
  EXPECT_EQ(nb::squeeze(nb::reshape(t, {1, 3, 1}), {-1}).shape(), (nb::Shape{1, 3}));
  EXPECT_THROW(nb::squeeze(t, {0}), nb::InvalidArgument);
  auto b = nb::broadcast_to(t, {2, 3});
  EXPECT_EQ(b.storage().get(), t.storage().get());
  EXPECT_EQ(b.strides()[0], 0);
  EXPECT_EQ(b.to_vector<int32_t>(), (std::vector<int32_t>{1, 2, 3, 1, 2, 3}));
  EXPECT_THROW(nb::broadcast_to(t, {2, 4}), nb::InvalidArgument);
}

TEST(Views, ReshapeRules) {
  auto t = nb::reshape(nb::arange(30), {3, 2, 5});
  EXPECT_EQ(nb::reshape(t, {-1}).shape(), (nb::Shape{30}));
  EXPECT_EQ(nb::reshape(t, {6, 5}).shape(), (nb::Shape{6, 5}));
  EXPECT_EQ(nb::reshape(t, {3, -1}).shape(), (nb::Shape{3, 10}));
  EXPECT_THROW(nb::reshape(t, {7, -1}), nb::InvalidArgument);
  EXPECT_THROW(nb::reshape(t, {-1, -1}), nb::InvalidArgument);
  EXPECT_THROW(nb::reshape(t, {4, 8}), nb::InvalidArgument);
  try {
    nb::reshape(t, {4, 8});
  } catch (const nb::Error& e) {
    EXPECT_NE(std::string(e.what()).find("30 values"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("[Op:Reshape]"), std::string::npos) << e.what();
  }
}

TEST(Tensor, UndefinedTensorErrors) {
  nb::Tensor t;
  EXPECT_FALSE(t.defined());
  EXPECT_THROW(t.shape(), nb::InvalidArgument);
  EXPECT_THROW(nb::add(t, nb::constant(1)), nb::InvalidArgument);
}

TEST(Tensor, DataAccessChecksDtype) {
  auto t = nb::constant({1, 2});
  EXPECT_EQ(t.data<int32_t>()[1], 2);
  EXPECT_THROW(t.data<float>(), nb::InvalidArgument);
  EXPECT_EQ(t.dim(-1), 2);
  EXPECT_THROW(t.dim(1), nb::InvalidArgument);
}

TEST(Tensor, FromBytes) {
  const float raw[4] = {1.f, 2.f, 3.f, 4.f};
  auto t = nb::from_bytes(raw, {2, 2}, nb::float32);
  EXPECT_EQ(t.to_vector<float>(), (std::vector<float>{1, 2, 3, 4}));
}

TEST(DType, NamesAndSizes) {
  EXPECT_EQ(nb::dtype_name(nb::bool_), "bool");
  EXPECT_EQ(nb::dtype_from_name("bfloat16"), nb::bfloat16);
  EXPECT_THROW(nb::dtype_from_name("float128"), nb::InvalidArgument);
  EXPECT_EQ(nb::dtype_size(nb::float16), 2u);
  EXPECT_EQ(nb::dtype_size(nb::int64), 8u);
  EXPECT_TRUE(nb::is_floating(nb::bfloat16));
  EXPECT_FALSE(nb::is_floating(nb::int8));
}

TEST(Allocator, ReusesFreedBlocks) {
  nb::Allocator& a = nb::get_allocator(nb::Device::cpu());
  { auto t = nb::zeros({1000}); }
  const auto before = a.stats();
  { auto t = nb::zeros({1000}); }
  const auto after = a.stats();
  EXPECT_GE(after.num_cache_hits, before.num_cache_hits + 1);
  EXPECT_EQ(after.bytes_in_use, before.bytes_in_use);
  // A GPU that is not there (no CUDA back end, no driver or no device): InvalidArgument.
  if (nb::cuda::device_count() == 0) {
    EXPECT_THROW(nb::get_allocator(nb::Device::cuda(0)), nb::InvalidArgument);
  }
}

TEST(ThreadPool, CoversRangeExactlyOnceAndPropagatesErrors) {
  const int saved = nb::get_num_threads();
  for (int threads : {1, 2, 3}) {
    nb::set_num_threads(threads);
    std::vector<std::atomic<int>> hits(100000);
    nb::parallel_for(0, 100000, 100, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) hits[size_t(i)]++;
    });
    for (auto& h : hits) ASSERT_EQ(h.load(), 1);
    EXPECT_THROW(nb::parallel_for(0, 100000, 10, [](int64_t b, int64_t) {
                   if (b > 0) throw nb::InvalidArgument("boom");
                   if (nb::get_num_threads() == 1) throw nb::InvalidArgument("boom");
                 }),
                 nb::InvalidArgument);
  }
  EXPECT_THROW(nb::set_num_threads(0), nb::InvalidArgument);
  nb::set_num_threads(saved);
}

TEST(Registry, EveryOpIsComplete) {
  const auto ops = nb::all_ops();
  EXPECT_GT(ops.size(), 60u);
  for (const nb::OpDef* op : ops) {
    SCOPED_TRACE(op->name);
    EXPECT_FALSE(op->name.empty());
    EXPECT_TRUE(op->infer != nullptr || op->compute != nullptr);
    // An op computed by kernels must have at least one CPU kernel.
    if (!op->compute) {
      EXPECT_FALSE(op->kernel_dtypes(nb::DeviceType::CPU).empty());
    }
    EXPECT_EQ(nb::find_op(op->name), op);
  }
  EXPECT_EQ(nb::find_op("NoSuchOp"), nullptr);
}

TEST(Registry, ObserversSeeEveryOpAndCanBePaused) {
  struct Counter : nb::OpObserver {
    std::vector<std::string> names;
    void on_op(const nb::OpDef& op, nb::Inputs, const nb::Attrs&, nb::Inputs outputs) override {
      names.push_back(op.name);
      EXPECT_EQ(outputs.size(), 1u);
    }
  } counter;
  auto a = nb::constant({1.f, 2.f});
  {
    nb::ScopedOpObserver scope(counter);
    auto b = a + a;
    auto c = nb::reshape(b, {2, 1});
    {
      nb::PauseOpObservers pause;
      auto d = a * a;
    }
  }
  auto e = a - a;
  EXPECT_EQ(counter.names, (std::vector<std::string>{"Add", "Reshape"}));
}

TEST(Registry, UnsupportedDtypeSaysWhatIsSupported) {
  try {
    nb::add(nb::constant({true}), nb::constant({false}));
    FAIL() << "expected an error";
  } catch (const nb::InvalidArgument& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("bool"), std::string::npos) << m;
    EXPECT_NE(m.find("[Op:Add]"), std::string::npos) << m;
  }
}

}  // namespace
