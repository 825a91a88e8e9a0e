// nb::function with dynamic_batch: two traces generalised over the batch size.
// References: the same callable run eagerly, bit for bit, at batch sizes that
// were never traced.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "function_test_util.h"
#include "nabla/nabla.h"

namespace nb = nabla;
using nabla::testing::expect_identical;
using nabla::testing::randn;

TEST(Function, DynamicBatchRunsNewBatchSizesWithoutTracing) {
  nb::Variable w(randn({8, 4}, 81)), b(randn({4}, 82));
  int traced = 0;
  auto body = [&](const nb::Tensor& x) {
    ++traced;
    // The batch size flows into ops: a reshape of B*2 rows and a mean over the batch.
    nb::Tensor h = nb::relu(nb::matmul(x, w) + b.value());
    nb::Tensor r = nb::reshape(h, {x.shape()[0] * 2, 2});
    // A scale computed on the host from the batch size: 1/B (float), B*0.5 (double).
    nb::Tensor s = nb::reduce_sum(h, {0}) * (1.0f / float(x.shape()[0])) + float(double(x.shape()[0]) * 0.5);
    return std::vector<nb::Tensor>{r * 3.0f, nb::reduce_mean(h, {0}), s};
  };
  auto f = nb::function(body, {.dynamic_batch = true});
  for (int64_t n : {32, 16, 7, 50, 1, 16, 7}) {
    const nb::Tensor x = randn({n, 8}, 90 + uint64_t(n));
    const std::vector<nb::Tensor> got = f(x), want = body(x);
    ASSERT_EQ(got.size(), 3u);
    for (size_t i = 0; i < got.size(); ++i) expect_identical(got[i], want[i]);
  }
  EXPECT_EQ(f.num_traces(), 2);
  EXPECT_EQ(traced, 2 + 7);  // two traces inside f, seven eager reference calls
  const auto infos = f.function().concrete_functions();
  ASSERT_EQ(infos.size(), 5u);  // 32, 16, 7, 50, 1
  EXPECT_FALSE(infos[0].generalized);
  EXPECT_FALSE(infos[1].generalized);
  EXPECT_TRUE(infos[2].generalized);
  EXPECT_EQ(infos[2].signature, "(float32[7,8])");
  EXPECT_NE(f.function().dynamic_batch_report().find("(float32[?,8]): generalised from batch sizes 32 and 16"),
            std::string::npos)
      << f.function().dynamic_batch_report();
}

// A whole train step (Dropout, a mean loss whose gradient holds 1/B, Adam),
// trained through the generalised graphs at batch sizes never traced: the
// weights stay bit-identical to eager training.
void expect_dynamic_batch_training_matches_eager(const std::function<std::shared_ptr<nb::Sequential>()>& make,
                                                 const nb::Shape& sample_shape) {
  auto [m1, m2] = nabla::testing::twin_models(make, sample_shape);
  nb::optimizers::Adam o1({.learning_rate = 0.01}), o2({.learning_rate = 0.01});
  nb::losses::SparseCategoricalCrossentropy loss({.from_logits = true});
  auto eager = nabla::testing::train_step(*m1, o1, loss);
  auto compiled = nb::function(nabla::testing::train_step(*m2, o2, loss), {.dynamic_batch = true});
  const std::vector<int64_t> sizes = {8, 5, 3, 11, 8, 1, 3};
  for (size_t i = 0; i < sizes.size(); ++i) {
    nb::Shape xs = sample_shape;
    xs.insert(xs.begin(), sizes[i]);
    const nb::Tensor x = randn(xs, 300 + i);
    nb::random::Generator gy(400 + i);
    const nb::Tensor y = nb::random::uniform({sizes[i]}, {.minval = 0, .maxval = 3, .dtype = nb::DType::int32}, gy);
    expect_identical(compiled(x, y), eager(x, y));
  }
  const auto v1 = m1->variables(), v2 = m2->variables();  // BatchNormalization's moving statistics too
  for (size_t i = 0; i < v1.size(); ++i) expect_identical(v1[i]->value(), v2[i]->value());
  EXPECT_EQ(compiled.num_traces(), 2) << compiled.function().dynamic_batch_report();
  int generalized = 0;
  for (const auto& info : compiled.function().concrete_functions()) generalized += info.generalized ? 1 : 0;
  EXPECT_EQ(generalized, 3);  // 3, 11 and 1
}

TEST(Function, DynamicBatchTrainStepMatchesEagerMlp) {
  expect_dynamic_batch_training_matches_eager(
      [] {
        return std::make_shared<nb::Sequential>(std::vector<nb::LayerRef>{
            nb::layers::Dense(16, {.activation = "relu", .input_shape = {6}}), nb::layers::Dropout(0.25, {.seed = 3}),
            nb::layers::Dense(3)});
      },
      {6});
}

TEST(Function, DynamicBatchTrainStepMatchesEagerCnn) {
  expect_dynamic_batch_training_matches_eager(
      [] {
        return std::make_shared<nb::Sequential>(std::vector<nb::LayerRef>{
            nb::layers::Conv2D(6, 3, {.activation = "relu", .input_shape = {10, 10, 1}}), nb::layers::MaxPooling2D(2),
            nb::layers::Conv2D(8, 3, {.padding = "same", .use_bias = false}), nb::layers::BatchNormalization(),
            nb::layers::Activation("relu"), nb::layers::Flatten(), nb::layers::Dropout(0.25, {.seed = 4}),
            nb::layers::Dense(3)});
      },
      {10, 10, 1});
}

TEST(Function, DynamicBatchFallsBackToTracingWhenTheBatchIsNotProportional) {
  // A constant built from the batch size on the host (iota of length B) is not
  // one value repeated: the family is not generalised, each size traces.
  auto iota = [](const nb::Tensor& x) {
    std::vector<float> v(size_t(x.shape()[0]));
    for (size_t i = 0; i < v.size(); ++i) v[i] = float(i);
    return x * nb::constant(v, {x.shape()[0], 1});
  };
  auto f = nb::function(iota, {.dynamic_batch = true});
  for (int64_t n : {4, 6, 9}) expect_identical(f(randn({n, 3}, uint64_t(n))), iota(randn({n, 3}, uint64_t(n))));
  EXPECT_EQ(f.num_traces(), 3);
  const std::string report = f.function().dynamic_batch_report();
  EXPECT_NE(report.find("not generalised"), std::string::npos) << report;
  EXPECT_NE(report.find("constant"), std::string::npos) << report;

  // A slice of the first 4 rows does not depend on B (both traces have B > 4):
  // at B = 2 the generalised graph would slice past the end, which the op's
  // shape inference rejects, so that size is traced.
  auto head = [](const nb::Tensor& x) {
    return nb::slice(x, {0, 0}, {std::min<int64_t>(x.shape()[0], 4), x.shape()[1]}) * 2.0f;
  };
  auto g = nb::function(head, {.dynamic_batch = true});
  for (int64_t n : {8, 6, 5, 2}) expect_identical(g(randn({n, 3}, uint64_t(n))), head(randn({n, 3}, uint64_t(n))));
  EXPECT_EQ(g.num_traces(), 3) << g.function().dynamic_batch_report();
}

// Saved with dynamic_batch, the loaded function runs batch sizes that were never
// traced nor saved (its graphs made from two saved ones), bit for bit as the body
// run eagerly; without two saved batch sizes, or without dynamic_batch, a new batch
// size is refused with the reason.
TEST(Function, DynamicBatchSurvivesSaveAndLoad) {
  nb::Variable w(randn({8, 4}, 181)), b(randn({4}, 182));
  auto body = [&](const nb::Tensor& x) {
    nb::Tensor h = nb::relu(nb::matmul(x, w) + b.value());
    nb::Tensor r = nb::reshape(h, {x.shape()[0] * 2, 2});
    nb::Tensor s = nb::reduce_sum(h, {0}) * (1.0f / float(x.shape()[0]));
    return std::vector<nb::Tensor>{r * 3.0f, nb::reduce_mean(h, {0}), s};
  };
  const std::string path =
      (std::filesystem::temp_directory_path() / ("nabla_dynamic_batch_" + std::to_string(::getpid()) + ".nabla"))
          .string();
  auto message_of = [](auto&& call) {
    try {
      call();
    } catch (const nb::InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string("(no InvalidArgument)");
  };

  auto f = nb::function(body, {.dynamic_batch = true});
  (void)f(randn({6, 8}, 1));
  f.save(path);
  {
    // One saved batch size: nothing to generalise from.
    nb::LoadedFunction one = nb::load_function(path);
    const std::string m = message_of([&] { one(randn({5, 8}, 2)); });
    EXPECT_NE(m.find("two saved ones"), std::string::npos) << m;
    EXPECT_NE(m.find("(float32[6,8])"), std::string::npos) << m;  // lists the saved signature
  }
  (void)f(randn({4, 8}, 3));
  f.save(path);
  nb::LoadedFunction lf = nb::load_function(path);
  for (int64_t n : {5, 9, 1, 6, 4, 5}) {
    const nb::Tensor x = randn({n, 8}, 200 + uint64_t(n));
    const std::vector<nb::Tensor> got = lf(x), want = body(x);
    ASSERT_EQ(got.size(), 3u);
    for (size_t i = 0; i < got.size(); ++i) expect_identical(got[i], want[i]);
  }
  EXPECT_EQ(lf.signatures().size(), 5u);  // 6, 4 saved; 5, 9, 1 made once each
  // Another feature size is another signature, not another batch size.
  EXPECT_NE(message_of([&] { lf(randn({5, 7}, 4)); }).find("no graph for the signature (float32[5,7])"),
            std::string::npos);

  // Without dynamic_batch: the saved signatures only.
  auto g = nb::function(body);
  (void)g(randn({6, 8}, 5));
  (void)g(randn({4, 8}, 6));
  g.save(path);
  nb::LoadedFunction lg = nb::load_function(path);
  const std::string m = message_of([&] { lg(randn({5, 8}, 7)); });
  EXPECT_NE(m.find("saved without dynamic_batch"), std::string::npos) << m;
  std::filesystem::remove(path);
}
