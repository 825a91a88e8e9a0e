// nb::function with dynamic_batch: two traces generalised over the batch size.
// References: the same callable run eagerly, bit for bit, at batch sizes that
// were never traced.
#include <gtest/gtest.h>

#include <algorithm>

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
