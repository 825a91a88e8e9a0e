// nb::function: tracing, capture semantics, passes, memory plan, save/load.
// References: the same callable run eagerly (bit-identical where no op is
// reassociated, which holds for every pass nabla runs), hand-computed values.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "function_test_util.h"
#include "nabla/nabla.h"

namespace nb = nabla;
using nabla::testing::expect_identical;
using nabla::testing::randn;

namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("nabla_fn_" + std::to_string(::getpid()) + "_" + name)).string();
}

bool has_op(const nb::ConcreteFunctionInfo& info, const std::string& op) {
  return info.node_summary.find("Op:" + op + "=") != std::string::npos;
}

}  // namespace

TEST(Function, TracesOnceAndMatchesEager) {
  nb::Variable w(randn({8, 4}, 1)), b(randn({4}, 2));
  auto body = [&](const nb::Tensor& x) { return nb::relu(nb::matmul(x, w) + b.value()) * 2.0f - 1.0f; };
  auto f = nb::function(body);
  const nb::Tensor x1 = randn({5, 8}, 3), x2 = randn({5, 8}, 4);
  expect_identical(f(x1), body(x1));
  expect_identical(f(x2), body(x2));  // runs the graph
  expect_identical(f(x1), body(x1));
  EXPECT_EQ(f.num_traces(), 1);
  const auto info = f.function().concrete_functions().at(0);
  EXPECT_EQ(info.signature, "(float32[5,8])");
  EXPECT_TRUE(has_op(info, "FusedMatMul")) << info.node_summary;
  EXPECT_LT(info.nodes, info.traced_nodes) << info.node_summary;
}

TEST(Function, RetracesForANewSignature) {
  int traced = 0;
  auto f = nb::function([&](const nb::Tensor& x) {
    ++traced;  // a C++ side effect: happens at trace time only
    return x * x;
  });
  f(nb::ones({3}));
  f(nb::ones({3}));
  f(nb::ones({4}));
  f(nb::ones({3}, nb::DType::float64));
  f(nb::ones({4}));
  EXPECT_EQ(traced, 3);
  EXPECT_EQ(f.num_traces(), 3);
  EXPECT_EQ(f(nb::constant({1.0f, 2.0f, 3.0f})).to_vector<float>(), (std::vector<float>{1, 4, 9}));
}

TEST(Function, VariablesAreCapturedByReference) {
  nb::Variable v(nb::constant({1.0f, 2.0f}));
  auto f = nb::function([&](const nb::Tensor& x) { return x + v.value(); });
  EXPECT_EQ(f(nb::constant({10.0f, 10.0f})).to_vector<float>(), (std::vector<float>{11, 12}));
  v.assign(nb::constant({5.0f, 6.0f}));
  EXPECT_EQ(f(nb::constant({10.0f, 10.0f})).to_vector<float>(), (std::vector<float>{15, 16}));
}

TEST(Function, AssignmentsInsideAreRedoneInOrder) {
  nb::Variable counter(nb::constant(0.0f));
  nb::Variable acc(nb::constant({0.0f, 0.0f}));
  auto f = nb::function([&](const nb::Tensor& x) {
    const nb::Tensor before = counter.value();  // a snapshot from before the update
    counter.assign_add(nb::constant(1.0f));
    acc.assign(acc.value() * 2.0f + x);
    return std::vector<nb::Tensor>{before, counter.value()};
  });
  for (int i = 0; i < 4; ++i) {
    auto r = f(nb::constant({1.0f, -1.0f}));
    EXPECT_EQ(r[0].item<float>(), float(i));
    EXPECT_EQ(r[1].item<float>(), float(i + 1));
  }
  EXPECT_EQ(counter.value().item<float>(), 4.0f);
  // acc_n = 2 acc_{n-1} + x: 1, 3, 7, 15.
  EXPECT_EQ(acc.value().to_vector<float>(), (std::vector<float>{15, -15}));
}

TEST(Function, RandomDrawsAreFreshOnEveryCallAndFollowTheGenerator) {
  auto draw = [](nb::random::Generator& g) {
    return [&g](const nb::Tensor& x) { return x + nb::random::uniform(x.shape(), {}, g); };
  };
  nb::random::Generator g1(7), g2(7);
  auto f = nb::function(draw(g1));
  auto eager = draw(g2);
  const nb::Tensor x = nb::zeros({6});
  nb::Tensor prev;
  for (int i = 0; i < 3; ++i) {
    nb::Tensor a = f(x), b = eager(x);
    expect_identical(a, b);
    if (prev.defined()) {
      EXPECT_NE(prev.to_vector<float>(), a.to_vector<float>());
    }
    prev = a;
  }
}

TEST(Function, TrainStepWithTapeAndOptimizerMatchesEager) {
  // Two identical models, one trained eagerly, one through nb::function.
  auto make = [] {
    return std::make_shared<nb::Sequential>(std::vector<nb::LayerRef>{
        nb::layers::Dense(16, {.activation = "relu", .input_shape = {6}}), nb::layers::Dropout(0.25, {.seed = 3}),
        nb::layers::Dense(3)});
  };
  auto [m1, m2] = nabla::testing::twin_models(make, {6});
  nb::optimizers::Adam o1({.learning_rate = 0.01}), o2({.learning_rate = 0.01});
  nb::losses::SparseCategoricalCrossentropy loss({.from_logits = true});
  auto eager = nabla::testing::train_step(*m1, o1, loss);
  auto compiled = nb::function(nabla::testing::train_step(*m2, o2, loss));
  for (int i = 0; i < 5; ++i) {
    const nb::Tensor x = randn({8, 6}, 100 + uint64_t(i));
    nb::random::Generator gy(200 + uint64_t(i));
    const nb::Tensor y = nb::random::uniform({8}, {.minval = 0, .maxval = 3, .dtype = nb::DType::int32}, gy);
    expect_identical(compiled(x, y), eager(x, y));
  }
  EXPECT_EQ(o2.iterations(), 5);
  const auto v1 = m1->trainable_variables(), v2 = m2->trainable_variables();
  ASSERT_EQ(v1.size(), v2.size());
  for (size_t i = 0; i < v1.size(); ++i) expect_identical(v1[i]->value(), v2[i]->value());
  EXPECT_EQ(compiled.num_traces(), 1);
}

TEST(Function, TrainStepAllocatesNothingAfterTheFirstSteps) {
  nb::random::set_seed(5);
  nb::Sequential m({nb::layers::Dense(32, {.activation = "relu", .input_shape = {20}}), nb::layers::Dense(4)});
  nb::optimizers::Adam opt;
  nb::losses::SparseCategoricalCrossentropy loss({.from_logits = true});
  auto step = nb::function([&](const nb::Tensor& x, const nb::Tensor& y) {
    std::vector<nb::Variable*> vars = m.trainable_variables();
    nb::GradientTape tape;
    nb::Tensor l = loss(y, m(x, true));
    opt.apply_gradients(tape.gradient(l, vars), vars);
    return l;
  });
  const nb::Tensor x = randn({16, 20}, 9);
  const nb::Tensor y = nb::constant(std::vector<int32_t>(16, 2), nb::Shape{16});
  for (int i = 0; i < 3; ++i) step(x, y);  // trace, then the first graph runs
  nb::Allocator& a = nb::get_allocator(nb::Device::cpu());
  const int64_t before = a.stats().num_allocs;
  nb::Tensor last;
  for (int i = 0; i < 10; ++i) {
    last = nb::Tensor();  // let go of the previous loss, so its buffer is reused
    last = step(x, y);
  }
  EXPECT_EQ(a.stats().num_allocs - before, 0);
  EXPECT_TRUE(std::isfinite(last.item<double>()));
}

TEST(Function, PassesFoldMergeAndDropCode) {
  auto f = nb::function([](const nb::Tensor& x) {
    const nb::Tensor c = nb::constant(2.0f) * nb::constant(3.0f);  // folded
    const nb::Tensor unused = nb::exp(x);                            // dead
    (void)unused;
    return nb::sqrt(x) * c + nb::sqrt(x) * c;                        // one sqrt, one mul
  });
  const nb::Tensor x = nb::constant({1.0f, 4.0f, 9.0f});
  EXPECT_EQ(f(x).to_vector<float>(), (std::vector<float>{12, 24, 36}));
  EXPECT_EQ(f(x).to_vector<float>(), (std::vector<float>{12, 24, 36}));
  const auto info = f.function().concrete_functions().at(0);
  EXPECT_FALSE(has_op(info, "Exp")) << info.node_summary;
  EXPECT_FALSE(has_op(info, "Sqrt")) << info.node_summary;  // fused
  EXPECT_TRUE(has_op(info, "FusedElementwise")) << info.node_summary;
  EXPECT_EQ(info.node_summary.find("Op:Mul"), std::string::npos) << info.node_summary;
}

TEST(Function, FusedElementwiseMatchesEagerBitForBit) {
  // A ReLU-gradient-like chain, a bias row, NaN and signed zeros.
  auto body = [](const nb::Tensor& x, const nb::Tensor& g, const nb::Tensor& bias) {
    const nb::Tensor y = nb::relu(x + bias);
    const nb::Tensor d = nb::where(nb::greater(y, nb::zeros_like(y)), g, nb::zeros_like(g));
    return nb::maximum(nb::square(d) - nb::abs(y) / 3.0f, nb::negative(y)) * 0.5f;
  };
  auto f = nb::function(body);
  nb::Tensor x = randn({37, 29}, 21), g = randn({37, 29}, 22), bias = randn({29}, 23);
  std::vector<float> xv = x.to_vector<float>();
  xv[3] = std::nanf("");
  xv[5] = -0.0f;
  x = nb::constant(xv, x.shape());
  for (int i = 0; i < 2; ++i) expect_identical(f(x, g, bias), body(x, g, bias));
  const auto info = f.function().concrete_functions().at(0);
  EXPECT_TRUE(has_op(info, "FusedElementwise")) << info.node_summary;
}


TEST(Function, Uint8InputCastFusesIntoTheLoop) {
  // Rescaling of uint8 images, cast(x) * (1/255) - 0.5, times a uint8 row vector
  // broadcast along the last dimension: both casts are read as uint8 by the loop.
  auto body = [](const nb::Tensor& x, const nb::Tensor& row) {
    const nb::Tensor scaled = nb::cast(x, nb::DType::float32) * (1.0f / 255.0f) - 0.5f;
    return scaled * nb::cast(row, nb::DType::float32);
  };
  auto f = nb::function(body);
  std::vector<uint8_t> xv(3 * 5 * 7), rv(7);
  for (size_t i = 0; i < xv.size(); ++i) xv[i] = uint8_t((i * 37 + 11) % 256);
  xv[0] = 0;
  xv[1] = 255;
  for (size_t i = 0; i < rv.size(); ++i) rv[i] = uint8_t(250 + i);
  const nb::Tensor x = nb::constant(xv, nb::Shape{3, 5, 7}), row = nb::constant(rv, nb::Shape{7});
  for (int i = 0; i < 2; ++i) expect_identical(f(x, row), body(x, row));
  const auto info = f.function().concrete_functions().at(0);
  EXPECT_TRUE(has_op(info, "FusedElementwise")) << info.node_summary;
  EXPECT_FALSE(has_op(info, "Cast")) << info.node_summary;
  // Hand-computed element: 255 * (1/255) - 0.5 times the row's second entry (251).
  EXPECT_EQ(f(x, row).to_vector<float>()[1], (255.0f * (1.0f / 255.0f) - 0.5f) * 251.0f);

  // A cast whose result also leaves the function stays a Cast node.
  auto g = nb::function([](const nb::Tensor& x) -> std::vector<nb::Tensor> {
    const nb::Tensor c = nb::cast(x, nb::DType::float32);
    return {c, c * 2.0f + 1.0f};
  });
  const auto outs = g(x);
  EXPECT_EQ(outs.at(0).to_vector<float>()[1], 255.0f);
  EXPECT_EQ(outs.at(1).to_vector<float>()[1], 511.0f);
  EXPECT_TRUE(has_op(g.function().concrete_functions().at(0), "Cast"));
}
TEST(Function, ConvBiasReluFuseIntoOneDnn) {
  for (const char* act : {"relu", "linear"}) {
    nb::layers::Conv2D conv(5, 3, {.activation = act});
    auto body = [&](const nb::Tensor& x) { return conv(x, false); };
    auto f = nb::function(body);
    const nb::Tensor x1 = randn({2, 7, 6, 3}, 41), x2 = randn({2, 7, 6, 3}, 42);
    const nb::Tensor e1 = body(x1), e2 = body(x2);  // builds the layer
    expect_identical(f(x1), e1);
    expect_identical(f(x2), e2);
    const auto info = f.function().concrete_functions().at(0);
    EXPECT_TRUE(has_op(info, "FusedConv")) << act << ": " << info.node_summary;
    EXPECT_FALSE(has_op(info, "Conv")) << act << ": " << info.node_summary;
  }
}

TEST(Function, MaxPoolingGradientReusesTheForwardMaxima) {
  nb::Sequential m({nb::layers::Conv2D(4, 3, {.activation = "relu", .input_shape = {9, 8, 2}}),
                    nb::layers::MaxPooling2D(2, {.padding = "same"}), nb::layers::Flatten(), nb::layers::Dense(3)});
  auto grads = [&](const nb::Tensor& x) {
    std::vector<nb::Variable*> vars = m.trainable_variables();
    nb::GradientTape tape;
    nb::Tensor l = nb::reduce_sum(nb::square(m(x, true)));
    return tape.gradient(l, vars);
  };
  auto f = nb::function(grads);
  for (uint64_t seed : {51, 52, 53}) {
    const nb::Tensor x = randn({3, 9, 8, 2}, seed);
    const std::vector<nb::Tensor> want = grads(x), got = f(x);
    ASSERT_EQ(want.size(), got.size());
    for (size_t i = 0; i < want.size(); ++i) expect_identical(got[i], want[i]);
  }
  const auto info = f.function().concrete_functions().at(0);
  EXPECT_TRUE(has_op(info, "MaxPoolWithArgmax")) << info.node_summary;
  EXPECT_TRUE(has_op(info, "MaxPoolGradWithArgmax")) << info.node_summary;
  EXPECT_FALSE(has_op(info, "MaxPoolGrad")) << info.node_summary;
  // The ReLU gradient before the pooling is the pooling gradient's mask: no separate
  // compare-and-select pass over the convolution's output (it would be this graph's
  // only FusedElementwise: the other element-wise ops stand alone).
  EXPECT_FALSE(has_op(info, "Select")) << info.node_summary;
  EXPECT_FALSE(has_op(info, "Greater")) << info.node_summary;
  EXPECT_FALSE(has_op(info, "FusedElementwise")) << info.node_summary;
}

// MaxPoolWithArgmax, MaxPool and MaxPoolGradWithArgmax on NHWC inputs against
// plain loops written here: the CPU kernels have a fast path for windows that
// tile the input (stride == pool size, no padding before, channels_last), which
// must give the generic path's results bit for bit.
namespace {

struct PoolCase {
  int64_t n, h, w, c, kh, kw;
  std::string padding = "VALID";
};

nb::Attrs pool_case_attrs(const PoolCase& k) {
  return {{"ksize", std::vector<int64_t>{k.kh, k.kw}},
          {"strides", std::vector<int64_t>{k.kh, k.kw}},
          {"padding", k.padding},
          {"data_format", std::string("channels_last")}};
}

std::string pool_case_name(const PoolCase& k) {
  std::string s = "[";
  for (int64_t d : {k.n, k.h, k.w, k.c}) {
    if (s.size() > 1) s += ",";
    s += std::to_string(d);
  }
  s += "] pool ";
  s += std::to_string(k.kh);
  s += "x";
  s += std::to_string(k.kw);
  s += " ";
  s += k.padding;
  return s;
}

template <typename T> struct PoolRef {
  std::vector<T> y;
  std::vector<int64_t> arg;  // offset within the batch entry
};

// Max pooling of x (NHWC) with kh x kw windows at stride kh x kw, windows
// starting at 0 (valid padding, or same padding on sizes that divide): for
// each output element the first maximum in row-major window order, a NaN
// beating any number and the first NaN kept.
template <typename T> PoolRef<T> reference_max_pool(const std::vector<T>& x, const PoolCase& k) {
  const int64_t oh = k.h / k.kh, ow = k.w / k.kw, per = k.h * k.w * k.c;
  PoolRef<T> r;
  for (int64_t n = 0; n < k.n; ++n)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j)
        for (int64_t c = 0; c < k.c; ++c) {
          T best = 0;
          int64_t at = -1;
          for (int64_t di = 0; di < k.kh; ++di)
            for (int64_t dj = 0; dj < k.kw; ++dj) {
              const int64_t off = ((i * k.kh + di) * k.w + j * k.kw + dj) * k.c + c;
              const T v = x[size_t(n * per + off)];
              bool take;
              if (at < 0) take = true;
              else if (std::isnan(best)) take = false;
              else take = std::isnan(v) || v > best;
              if (take) {
                best = v;
                at = off;
              }
            }
          r.y.push_back(best);
          r.arg.push_back(at);
        }
  return r;
}

// dx of MaxPoolGradWithArgmax: zeros, then dy added at each argmax (>= 0) of
// its batch entry, output elements in order.
template <typename T>
std::vector<T> reference_scatter(const std::vector<T>& dy, const std::vector<int64_t>& arg, const PoolCase& k) {
  const int64_t per_x = k.h * k.w * k.c, per_y = int64_t(dy.size()) / k.n;
  std::vector<T> dx(size_t(k.n * per_x), T(0));
  for (int64_t n = 0; n < k.n; ++n)
    for (int64_t i = 0; i < per_y; ++i) {
      const int64_t a = arg[size_t(n * per_y + i)];
      if (a >= 0) dx[size_t(n * per_x + a)] += dy[size_t(n * per_y + i)];
    }
  return dx;
}

// Bitwise equality (NaN payloads and the sign of zero included).
template <typename T>
void expect_same_bits(const std::vector<T>& got, const std::vector<T>& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i)
    if (std::memcmp(&got[i], &want[i], sizeof(T)) != 0) {
      ADD_FAILURE() << what << ": element " << i << " is " << got[i] << ", expected " << want[i];
      return;
    }
}

const std::vector<PoolCase>& pool_cases() {
  static const std::vector<PoolCase> cases = {
      {1, 4, 4, 1, 2, 2},    {3, 5, 7, 3, 2, 2},    {1, 7, 5, 17, 2, 2},        {3, 11, 11, 64, 2, 2},
      {2, 26, 26, 32, 2, 2}, {1, 2, 2, 1, 2, 2},    {2, 6, 4, 5, 2, 2, "SAME"}, {3, 7, 8, 3, 3, 3},
      {2, 9, 9, 17, 3, 3},   {2, 5, 6, 4, 1, 2},    {1, 6, 9, 3, 2, 3},  // 2x3: the generic path
  };
  return cases;
}

// Random normal values; `fill` may rewrite them (index, value) -> value.
template <typename T, typename F> std::vector<T> pool_input(const PoolCase& k, uint64_t seed, F&& fill) {
  std::vector<T> x = randn({k.n, k.h, k.w, k.c}, seed).to_vector<T>();
  for (size_t i = 0; i < x.size(); ++i) x[i] = fill(i, x[i]);
  return x;
}

// Runs MaxPoolWithArgmax and MaxPool on x and checks them, then
// MaxPoolGradWithArgmax on the argmax found, against the references.
template <typename T> void check_max_pool(const PoolCase& k, const std::vector<T>& x, const std::string& what) {
  SCOPED_TRACE(what + " " + pool_case_name(k));
  const nb::Attrs a = pool_case_attrs(k);
  const nb::Tensor xt = nb::constant(x, {k.n, k.h, k.w, k.c});
  const PoolRef<T> want = reference_max_pool(x, k);
  const std::vector<nb::Tensor> in{xt};
  const nb::TensorList r = nb::call_op(*nb::find_op("MaxPoolWithArgmax"), in, a);
  ASSERT_EQ(r[0].shape(), nb::Shape({k.n, k.h / k.kh, k.w / k.kw, k.c}));
  expect_same_bits(r[0].to_vector<T>(), want.y, "MaxPoolWithArgmax y");
  EXPECT_EQ(r[1].to_vector<int64_t>(), want.arg);
  expect_same_bits(nb::call_op1(*nb::find_op("MaxPool"), {xt}, a).to_vector<T>(), want.y, "MaxPool");

  // dy with a -0 (0 + -0 is +0 in the generic sum) and a NaN.
  std::vector<T> dy = randn(r[0].shape(), 99).to_vector<T>();
  dy[0] = T(-0.0);
  dy[dy.size() / 2] = std::numeric_limits<T>::quiet_NaN();
  nb::Attrs ga = a;
  ga.set("input_sizes", std::vector<int64_t>{k.n, k.h, k.w, k.c});
  const nb::Tensor dx =
      nb::call_op1(*nb::find_op("MaxPoolGradWithArgmax"), {nb::constant(dy, r[0].shape()), r[1]}, ga);
  const std::vector<T> scattered = reference_scatter(dy, want.arg, k);
  expect_same_bits(dx.to_vector<T>(), scattered, "MaxPoolGradWithArgmax dx");

  // With the pooled values as a third input (the fused ReLU gradient): what eager
  // where(x > 0, dx, 0) gives, written here on the pooling's input x.
  std::vector<T> masked(scattered.size());
  for (size_t i = 0; i < masked.size(); ++i) masked[i] = x[i] > T(0) ? scattered[i] : T(0);
  const nb::Tensor dx_masked =
      nb::call_op1(*nb::find_op("MaxPoolGradWithArgmax"), {nb::constant(dy, r[0].shape()), r[1], r[0]}, ga);
  expect_same_bits(dx_masked.to_vector<T>(), masked, "MaxPoolGradWithArgmax dx masked by the pooled values");
}

}  // namespace

TEST(MaxPoolKernels, RandomInputsMatchTheReference) {
  for (const PoolCase& k : pool_cases()) {
    check_max_pool<float>(k, pool_input<float>(k, 7, [](size_t, float v) { return v; }), "random");
    check_max_pool<float>(k, pool_input<float>(k, 8, [](size_t, float v) { return -std::fabs(v) - 1.0f; }),
                          "negative");
  }
  for (const PoolCase& k : {pool_cases()[1], pool_cases()[3], pool_cases()[7]})
    check_max_pool<double>(k, pool_input<double>(k, 9, [](size_t, double v) { return v; }), "float64");
}

TEST(MaxPoolKernels, TiesGoToTheFirstMaximum) {
  for (const PoolCase& k : pool_cases()) {
    check_max_pool<float>(k, pool_input<float>(k, 1, [](size_t, float) { return 2.5f; }), "constant");
    // Few distinct values, +0 and -0 among them: many ties, told apart by their bits.
    const float values[] = {0.0f, -0.0f, 1.0f, -1.0f, 0.0f};
    check_max_pool<float>(k, pool_input<float>(k, 2, [&](size_t i, float) { return values[(i * 7 + i / 5) % 5]; }),
                          "few values");
  }
}

TEST(MaxPoolKernels, NaNWinsAndTheFirstNaNIsKept) {
  // Two NaNs told apart by their payloads; every 3rd / 5th element.
  const float nan1 = std::bit_cast<float>(0x7fc00001u), nan2 = std::bit_cast<float>(0xffc00002u);
  for (const PoolCase& k : pool_cases()) {
    check_max_pool<float>(k, pool_input<float>(k, 3, [&](size_t i, float v) {
                            if (i % 3 == 1) return nan1;
                            if (i % 5 == 2) return nan2;
                            return v;
                          }),
                          "NaNs");
    check_max_pool<float>(k, pool_input<float>(k, 4, [&](size_t i, float) { return i % 2 ? nan1 : nan2; }),
                          "all NaN");
  }
}

TEST(MaxPoolKernels, GradWithArgmaxTakesAnyOffsetInItsBatchEntry) {
  // Offsets from elsewhere (a loaded file): in range but outside their windows,
  // repeated, or -1 (skipped). dx is still the sum of dy at each offset.
  const PoolCase k{2, 5, 7, 3, 2, 2};
  const int64_t per_x = k.h * k.w * k.c;
  const nb::Shape ys{k.n, k.h / k.kh, k.w / k.kw, k.c};
  nb::Attrs a = pool_case_attrs(k);
  a.set("input_sizes", std::vector<int64_t>{k.n, k.h, k.w, k.c});
  const std::vector<float> dy = randn(ys, 5).to_vector<float>();
  const nb::OpDef& op = *nb::find_op("MaxPoolGradWithArgmax");
  auto run = [&](const std::vector<int64_t>& arg) {
    return nb::call_op1(op, {nb::constant(dy, ys), nb::constant(arg, ys)}, a).to_vector<float>();
  };
  const std::vector<nb::Tensor> x{randn({k.n, k.h, k.w, k.c}, 6)};
  const std::vector<int64_t> found =
      nb::call_op(*nb::find_op("MaxPoolWithArgmax"), x, pool_case_attrs(k))[1].to_vector<int64_t>();
  std::vector<int64_t> one_off = found;
  one_off.back() = 0;  // the last window's maximum moved to the batch entry's first element
  std::vector<int64_t> skipped = found;
  skipped[3] = -1;
  std::vector<int64_t> mixed(found.size());
  for (size_t i = 0; i < mixed.size(); ++i) mixed[i] = int64_t(i * 13) % per_x;
  mixed[1] = -1;
  for (const auto& arg : {found, one_off, skipped, mixed, std::vector<int64_t>(found.size(), 0),
                          std::vector<int64_t>(found.size(), -1), std::vector<int64_t>(found.size(), per_x - 1)})
    expect_same_bits(run(arg), reference_scatter(dy, arg, k), "dx");

  // Outside the batch entry: InvalidArgument, wherever it is.
  for (int64_t bad : {per_x, int64_t(-2), std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()})
    for (size_t at : {size_t(0), found.size() / 2, found.size() - 1}) {
      std::vector<int64_t> arg = found;
      arg[at] = bad;
      EXPECT_THROW(run(arg), nb::InvalidArgument) << "argmax " << bad << " at " << at;
    }
}

TEST(Function, OutputsHeldByTheCallerAreNotOverwritten) {
  auto f = nb::function([](const nb::Tensor& x) { return x * 2.0f; });
  const nb::Tensor a = f(nb::constant({1.0f}));
  const nb::Tensor b = f(nb::constant({2.0f}));
  const nb::Tensor c = f(nb::constant({3.0f}));
  EXPECT_EQ(a.item<float>(), 2.0f);
  EXPECT_EQ(b.item<float>(), 4.0f);
  EXPECT_EQ(c.item<float>(), 6.0f);
}

TEST(Function, AnOuterTapeSeesTheOps) {
  nb::Variable w(nb::constant({3.0f}));
  auto f = nb::function([&](const nb::Tensor& x) { return x * w.value() * w.value(); });
  f(nb::constant({2.0f}));  // traced outside any tape
  nb::GradientTape tape;
  nb::Tensor y = f(nb::constant({2.0f}));
  std::vector<nb::Variable*> vars = {&w};
  EXPECT_FLOAT_EQ(tape.gradient(y, vars)[0].item<float>(), 12.0f);  // d(2 w^2)/dw
}

TEST(Function, BadArgumentsGiveClearErrors) {
  auto f = nb::function([](const nb::Tensor& x) { return x + 1.0f; });
  EXPECT_THROW(f(nb::Tensor()), nb::InvalidArgument);
  auto g = nb::function([](const nb::Tensor&) { return nb::Tensor(); });
  EXPECT_THROW(g(nb::ones({2})), nb::InvalidArgument);
}

TEST(Function, SaveAndLoadRunWithoutTheSource) {
  nb::Variable w(randn({6, 3}, 31)), b(randn({3}, 32));
  nb::Variable calls(nb::constant(0.0f));
  auto f = nb::function([&](const nb::Tensor& x) {
    calls.assign_add(nb::constant(1.0f));
    return nb::softmax(nb::relu(nb::matmul(x, w) + b.value()));
  });
  const nb::Tensor x = randn({4, 6}, 33), x2 = randn({2, 6}, 34);
  const nb::Tensor y = f(x), y2 = f(x2);
  const std::string path = temp_path("saved.nabla");
  f.save(path);
  nb::LoadedFunction lf = nb::load_function(path);
  EXPECT_EQ(lf.signatures(), (std::vector<std::string>{"(float32[4,6])", "(float32[2,6])"}));
  expect_identical(lf(x)[0], y);
  expect_identical(lf(x2)[0], y2);
  EXPECT_THROW(lf(nb::ones({3, 6})), nb::InvalidArgument);
  // Truncated and corrupted files.
  std::string bytes = nb::io::read_file(path);
  for (size_t cut : {size_t(4), size_t(20), bytes.size() / 2, bytes.size() - 1}) {
    std::ofstream(path, std::ios::binary).write(bytes.data(), std::streamsize(cut));
    EXPECT_THROW(nb::load_function(path), nb::DataLoss) << "cut at " << cut;
  }
  std::filesystem::remove(path);
  EXPECT_THROW(nb::load_function(path), nb::NotFound);
}

TEST(Function, SavingAnOptimizerStepIsRefused) {
  nb::Variable w(nb::constant({1.0f}));
  nb::optimizers::SGD opt;
  auto step = nb::function([&](const nb::Tensor& x) {
    std::vector<nb::Variable*> vars = {&w};
    nb::GradientTape tape;
    nb::Tensor l = nb::reduce_sum(x * w.value());
    opt.apply_gradients(tape.gradient(l, vars), vars);
    return l;
  });
  step(nb::constant({2.0f}));
  step(nb::constant({2.0f}));
  EXPECT_FLOAT_EQ(w.value().item<float>(), 1.0f - 2 * 0.01f * 2.0f);
  EXPECT_THROW(step.save(temp_path("step.nabla")), nb::Unimplemented);
}

// fit compiled (the default) against fit with run_eagerly: the same weights, bit
// for bit, after an epoch with shuffling, Dropout and a last partial batch.
void expect_fit_modes_agree(const std::function<std::shared_ptr<nb::Sequential>()>& make, const nb::Tensor& x,
                            const nb::Tensor& y) {
  std::vector<std::shared_ptr<nb::Sequential>> models;
  for (bool eager : {true, false}) {
    nb::random::set_seed(123);
    auto m = make();
    m->compile({.optimizer = nb::optimizers::Adam({.learning_rate = 0.01}),
                .loss = nb::losses::SparseCategoricalCrossentropy({.from_logits = true}),
                .metrics = {"accuracy"},
                .run_eagerly = eager});
    auto h = m->fit(x, y, {.batch_size = 16, .epochs = 2, .verbose = 0, .seed = 9});
    EXPECT_EQ(h.history.at("loss").size(), 2u);
    models.push_back(m);
  }
  const auto a = models[0]->variables(), b = models[1]->variables();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) expect_identical(b[i]->value(), a[i]->value());
  expect_identical(models[1]->predict(x), models[0]->predict(x));
}

TEST(Function, FitCompiledMatchesFitEagerMlp) {
  const nb::Tensor x = randn({70, 12}, 61);
  nb::random::Generator g(62);
  const nb::Tensor y = nb::random::uniform({70}, {.minval = 0, .maxval = 4, .dtype = nb::DType::int32}, g);
  expect_fit_modes_agree(
      [] {
        return std::make_shared<nb::Sequential>(std::vector<nb::LayerRef>{
            nb::layers::Dense(32, {.activation = "relu", .input_shape = {12}}), nb::layers::Dropout(0.3),
            nb::layers::Dense(4)});
      },
      x, y);
}

TEST(Function, FitCompiledMatchesFitEagerCnn) {
  const nb::Tensor x = randn({40, 10, 10, 1}, 63);
  nb::random::Generator g(64);
  const nb::Tensor y = nb::random::uniform({40}, {.minval = 0, .maxval = 3, .dtype = nb::DType::int32}, g);
  expect_fit_modes_agree(
      [] {
        return std::make_shared<nb::Sequential>(std::vector<nb::LayerRef>{
            nb::layers::Conv2D(6, 3, {.activation = "relu", .input_shape = {10, 10, 1}}), nb::layers::MaxPooling2D(2),
            nb::layers::Conv2D(8, 3, {.padding = "same", .use_bias = false}), nb::layers::BatchNormalization(),
            nb::layers::Activation("relu"), nb::layers::Flatten(), nb::layers::Dropout(0.25), nb::layers::Dense(3)});
      },
      x, y);
}

TEST(Function, FitTracesOncePerBatchShape) {
  // A C++ side effect in a layer runs at trace time only: once per batch shape
  // (16 and the last partial batch of 6) when compiled, once per step eagerly.
  for (bool eager : {false, true}) {
    int calls = 0;
    nb::Sequential m({nb::layers::Lambda([&calls](const nb::Tensor& t) {
                        ++calls;
                        return t * 2.0f;
                      }, {.input_shape = {5}}),
                      nb::layers::Dense(2)});
    m.compile({.optimizer = "sgd", .loss = "mse", .run_eagerly = eager});
    calls = 0;
    m.fit(randn({70, 5}, 71), randn({70, 2}, 72), {.batch_size = 16, .epochs = 2, .verbose = 0});
    EXPECT_EQ(calls, eager ? 10 : 2) << (eager ? "eager" : "compiled");
    // Batch sizes 16 and 6 are traced: the steps are generalised over the batch
    // size (as Keras's functions are), so new sizes (13, 1, 5) trace no more.
    calls = 0;
    m.predict(randn({45, 5}, 73), {.batch_size = 16});  // 16, 16, 13
    m.fit(randn({33, 5}, 74), randn({33, 2}, 75), {.batch_size = 16, .epochs = 1, .verbose = 0});  // 16, 16, 1
    m.evaluate(randn({21, 5}, 76), randn({21, 2}, 77), {.batch_size = 16, .verbose = 0});              // 16, 5
    EXPECT_EQ(calls, eager ? 3 + 3 + 2 : 2 + 2) << (eager ? "eager" : "compiled");  // predict and test steps: 2 traces each
  }
}
