// GradientTape: the results a TensorFlow course documents for automatic
// differentiation, reproduced by nabla, and the tape's semantics (persistence,
// unconnected sources, seeds, watching, pausing, nesting, Jacobians,
// stop_gradient, custom gradients).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <nabla/nabla.h>

namespace nb = nabla;

namespace {

std::vector<float> vf(const nb::Tensor& t) { return t.to_vector<float>(); }

// ----------------------------------------------------------------------------- course examples

TEST(AutodiffExamples, SquareAtThree) {
  nb::Variable x(3.0f);
  nb::GradientTape tape;
  auto y = x * x;
  auto dy_dx = tape.gradient(y, x);
  ASSERT_TRUE(dy_dx.defined());
  EXPECT_EQ(dy_dx.dtype(), nb::float32);
  EXPECT_EQ(dy_dx.shape(), nb::Shape{});
  EXPECT_EQ(dy_dx.item<float>(), 6.0f);
}

TEST(AutodiffExamples, TwoSourcesFromOneGradientCall) {
  nb::Variable x(4.0f), y(2.0f);
  nb::GradientTape tape;
  auto f = 3 * x * x + y;
  auto grads = tape.gradient(f, {x, y});
  ASSERT_EQ(grads.size(), 2u);
  EXPECT_EQ(grads[0].item<float>(), 24.0f);
  EXPECT_EQ(grads[1].item<float>(), 1.0f);
}

TEST(AutodiffExamples, QuadraticValueAndSlope) {
  nb::Variable x(1.0f);
  nb::GradientTape tape;
  auto f = x * x + 2 * x - 5;
  EXPECT_EQ(f.item<float>(), -2.0f);
  EXPECT_EQ(tape.gradient(f, x).item<float>(), 4.0f);
}

// Gradient descent on y = x^2 - 4x + 4 = (x - 2)^2 from x = 10 with learning
// rate 0.1: x <- x - 0.1 * (2x - 4) = 0.8 x + 0.4, so x_n - 2 = 8 * 0.8^n after
// n updates. The course prints x after the update of iteration i (counted from
// 0), i.e. x_{i+1}: iteration 43 prints 2 + 8 * 0.8^44 = 2.000436 -> "2.00044"
// (x_43 would print 2.00054).
TEST(AutodiffExamples, GradientDescentOnAParabola) {
  nb::Variable x(10.0f);
  const float learning_rate = 0.1f;
  std::vector<double> xs, ys;
  for (int i = 0; i < 50; ++i) {
    nb::GradientTape tape;
    auto y = x * x - 4 * x + 4;
    auto grad = tape.gradient(y, x);
    x.assign_sub(learning_rate * grad);
    xs.push_back(x.value().item<float>());
    ys.push_back(y.item<float>());
  }
  for (int i = 0; i < 50; ++i) {
    EXPECT_NEAR(xs[size_t(i)], 2.0 + 8.0 * std::pow(0.8, i + 1), 1e-5) << "iteration " << i;
    EXPECT_NEAR(ys[size_t(i)], std::pow(8.0 * std::pow(0.8, i), 2), 1e-4) << "iteration " << i;
  }
  EXPECT_NEAR(xs[43], 2.00044, 1e-5);
  char line[64];
  std::snprintf(line, sizeof line, "Iteration 43: x = %.5f, y = %.5f", xs[43], ys[43]);
  EXPECT_STREQ(line, "Iteration 43: x = 2.00044, y = 0.00000");
  EXPECT_NEAR(xs.back(), 2.0, 1e-3);
}

// loss = mean((x @ w + b)^2) for a random w: the tape's gradients equal central
// finite differences of the same loss computed in float64.
TEST(AutodiffExamples, LinearModelMatchesFiniteDifferences) {
  nb::random::Generator gen(42);
  nb::Variable w(nb::random::normal({3, 2}, {}, gen));
  nb::Variable b(nb::zeros({2}));
  auto x = nb::constant({{1.f, 2.f, 3.f}});
  nb::GradientTape tape;
  auto loss = nb::reduce_mean(nb::square(nb::matmul(x, w) + b));
  auto grads = tape.gradient(loss, {w, b});
  ASSERT_EQ(grads.size(), 2u);
  ASSERT_TRUE(grads[0].defined() && grads[1].defined());
  EXPECT_EQ(grads[0].shape(), (nb::Shape{3, 2}));
  EXPECT_EQ(grads[1].shape(), (nb::Shape{2}));

  auto loss64 = [&](const std::vector<double>& wv, const std::vector<double>& bv) {
    auto x64 = nb::cast(x, nb::float64);
    auto out = nb::matmul(x64, nb::constant(wv, {3, 2})) + nb::constant(bv, {2});
    return nb::reduce_mean(nb::square(out)).item<double>();
  };
  const std::vector<double> w0 = w.value().to_vector<double>(), b0(2, 0.0);
  const double h = 1e-6;
  auto check = [&](const nb::Tensor& grad, bool is_w) {
    const std::vector<float> g = vf(grad);
    for (size_t i = 0; i < g.size(); ++i) {
      std::vector<double> wp = w0, wm = w0, bp = b0, bm = b0;
      (is_w ? wp : bp)[i] += h;
      (is_w ? wm : bm)[i] -= h;
      const double fd = (loss64(wp, bp) - loss64(wm, bm)) / (2 * h);
      EXPECT_NEAR(g[i], fd, 1e-4 * (1 + std::fabs(fd))) << (is_w ? "dw" : "db") << "[" << i << "]";
    }
  };
  check(grads[0], true);
  check(grads[1], false);
}

// ----------------------------------------------------------------------------- tape semantics

TEST(GradientTapeSemantics, PersistentTapeAllowsSeveralGradientCalls) {
  nb::Variable x(3.0f);
  nb::GradientTape tape({.persistent = true});
  auto y = x * x;
  auto z = y * y;
  EXPECT_EQ(tape.gradient(z, x).item<float>(), 108.0f);  // 4x^3
  EXPECT_EQ(tape.gradient(y, x).item<float>(), 6.0f);
}

TEST(GradientTapeSemantics, NonPersistentTapeRefusesASecondCall) {
  nb::Variable x(3.0f);
  nb::GradientTape tape;
  auto y = x * x;
  EXPECT_EQ(tape.gradient(y, x).item<float>(), 6.0f);
  try {
    tape.gradient(y, x);
    FAIL() << "a second gradient() on a non-persistent tape must throw";
  } catch (const nb::FailedPrecondition& e) {
    EXPECT_NE(std::string(e.what()).find("persistent"), std::string::npos) << e.what();
  }
}

TEST(GradientTapeSemantics, UnconnectedSources) {
  nb::Variable x(3.0f), y(nb::constant({1.f, 2.f}));
  {
    nb::GradientTape tape;
    auto f = x * x;
    auto g = tape.gradient(f, {x, y});
    ASSERT_EQ(g.size(), 2u);
    EXPECT_EQ(g[0].item<float>(), 6.0f);
    EXPECT_FALSE(g[1].defined());
  }
  {
    nb::GradientTape tape;
    auto f = x * x;
    nb::GradientOptions options;
    options.unconnected_gradients = nb::UnconnectedGradients::Zero;
    auto g = tape.gradient(f, {x, y}, options);
    ASSERT_EQ(g.size(), 2u);
    ASSERT_TRUE(g[1].defined());
    EXPECT_EQ(g[1].shape(), (nb::Shape{2}));
    EXPECT_EQ(g[1].dtype(), nb::float32);
    EXPECT_EQ(vf(g[1]), (std::vector<float>{0.f, 0.f}));
  }
}

TEST(GradientTapeSemantics, OutputGradientsSeedTheBackwardPass) {
  nb::Variable x(nb::constant({1.f, 2.f, 3.f}));
  nb::GradientTape tape;
  auto y = x * x;
  auto g = tape.gradient(y, x, {.output_gradients = {nb::constant({1.f, 10.f, 100.f})}});
  EXPECT_EQ(vf(g), (std::vector<float>{2.f, 40.f, 600.f}));
}

TEST(GradientTapeSemantics, NonScalarTargetIsSummed) {
  nb::Variable x(nb::constant({1.f, 2.f, 3.f}));
  nb::GradientTape tape;
  auto y = x * x;
  EXPECT_EQ(vf(tape.gradient(y, x)), (std::vector<float>{2.f, 4.f, 6.f}));
}

TEST(GradientTapeSemantics, WatchAccessedVariablesFalse) {
  nb::Variable a(3.0f), b(5.0f);
  nb::GradientTape tape({.persistent = true, .watch_accessed_variables = false});
  tape.watch(b);
  auto y = a * a + b * b;
  EXPECT_FALSE(tape.gradient(y, a).defined());
  EXPECT_EQ(tape.gradient(y, b).item<float>(), 10.0f);
  const auto ids = tape.watched_variable_ids();
  EXPECT_EQ(ids, (std::vector<uint64_t>{b.id()}));
}

TEST(GradientTapeSemantics, WatchingAnIntegerTensorWarnsAndGivesNoGradient) {
  auto x = nb::constant({1, 2, 3});
  nb::Tensor g;
  std::string error;
  testing::internal::CaptureStderr();
  try {
    nb::GradientTape tape;
    tape.watch(x);
    auto y = x * x;
    g = tape.gradient(y, x);
  } catch (const std::exception& e) {
    error = e.what();
  }
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(error, "") << "gradient() threw";
  EXPECT_NE(err.find("int32"), std::string::npos) << "stderr: " << err;
  EXPECT_FALSE(g.defined());
}

TEST(GradientTapeSemantics, StopRecordingPausesTheTape) {
  nb::Variable x(3.0f);
  nb::GradientTape tape;
  auto y = x * x;
  const size_t recorded = tape.num_recorded_ops();
  EXPECT_GT(recorded, 0u);
  nb::Tensor z;
  {
    auto pause = tape.stop_recording();
    z = x * x * x;
  }
  EXPECT_EQ(tape.num_recorded_ops(), recorded);
  EXPECT_EQ(tape.gradient(y + z, x).item<float>(), 6.0f);  // z is a constant to the tape
}

TEST(GradientTapeSemantics, NestedTapesGiveHigherDerivatives) {
  nb::Variable x(2.0f);
  nb::Tensor dy, d2y, d3y;
  {
    nb::GradientTape t1;
    {
      nb::GradientTape t2;
      {
        nb::GradientTape t3;
        auto y = x * x * x;
        dy = t3.gradient(y, x);  // 3x^2
      }
      d2y = t2.gradient(dy, x);  // 6x
    }
    d3y = t1.gradient(d2y, x);  // 6
  }
  EXPECT_EQ(dy.item<float>(), 12.0f);
  EXPECT_EQ(d2y.item<float>(), 12.0f);
  EXPECT_EQ(d3y.item<float>(), 6.0f);
}

TEST(GradientTapeSemantics, JacobianOfElementwiseSquare) {
  auto x = nb::constant({1.f, 2.f, 3.f});
  nb::GradientTape tape;
  tape.watch(x);
  auto y = x * x;
  auto j = tape.jacobian(y, x);
  EXPECT_EQ(j.shape(), (nb::Shape{3, 3}));
  EXPECT_EQ(vf(j), (std::vector<float>{2, 0, 0, 0, 4, 0, 0, 0, 6}));
}

TEST(GradientTapeSemantics, JacobianOfMatmul) {
  auto a = nb::constant({{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}});
  auto x = nb::constant({{1.f, -1.f}, {0.5f, 2.f}, {3.f, 0.f}});
  nb::GradientTape tape;
  tape.watch(x);
  auto y = nb::matmul(a, x);  // (2, 2)
  auto j = tape.jacobian(y, x);
  ASSERT_EQ(j.shape(), (nb::Shape{2, 2, 3, 2}));
  // dy[i, c] / dx[k, l] = a[i, k] * (c == l)
  const auto jv = vf(j);
  const auto av = vf(a);
  for (int i = 0; i < 2; ++i)
    for (int c = 0; c < 2; ++c)
      for (int k = 0; k < 3; ++k)
        for (int l = 0; l < 2; ++l)
          EXPECT_EQ(jv[size_t(((i * 2 + c) * 3 + k) * 2 + l)], c == l ? av[size_t(i * 3 + k)] : 0.f)
              << i << c << k << l;
}

TEST(GradientTapeSemantics, StopGradient) {
  nb::Variable x(3.0f);
  nb::GradientTape tape;
  auto y = x * nb::stop_gradient(x);
  EXPECT_EQ(y.item<float>(), 9.0f);
  EXPECT_EQ(tape.gradient(y, x).item<float>(), 3.0f);
}

TEST(GradientTapeSemantics, CustomGradientUsesTheUsersBackward) {
  // The identity, with its gradient clipped to [-1, 1].
  auto clip_gradient = nb::custom_gradient([](const nb::Tensor& x) {
    return nb::CustomGradientResult1{nb::identity(x),
                                     [](const nb::Tensor& dy) { return nb::clip_by_value(dy, -1.0, 1.0); }};
  });
  auto x = nb::constant({1.f, -2.f, 3.f});
  nb::GradientTape tape;
  tape.watch(x);
  auto y = clip_gradient(x);
  EXPECT_EQ(vf(y), vf(x));
  auto loss = nb::reduce_sum(y * nb::constant({5.f, -5.f, 0.5f}));
  EXPECT_EQ(vf(tape.gradient(loss, x)), (std::vector<float>{1.f, -1.f, 0.5f}));
}

TEST(GradientTapeSemantics, CustomGradientLog1pexpIsStable) {
  // TensorFlow's tf.custom_gradient example: log(1 + e^x) with a stable gradient.
  auto log1pexp = nb::custom_gradient([](const nb::Tensor& x) {
    nb::Tensor e = nb::exp(x);
    return nb::CustomGradientResult1{nb::log(1 + e),
                                     [e](const nb::Tensor& dy) { return dy * (1 - 1 / (1 + e)); }};
  });
  auto x = nb::constant(100.f);
  nb::GradientTape tape;
  tape.watch(x);
  auto y = log1pexp(x);
  EXPECT_EQ(tape.gradient(y, x).item<float>(), 1.0f);
}

TEST(GradientTapeSemantics, NonTrainableVariableIsNotWatched) {
  nb::Variable frozen(2.0f, {.name = "frozen", .trainable = false});
  nb::Variable live(3.0f);
  nb::GradientTape tape({.persistent = true});
  auto y = frozen * live;
  EXPECT_FALSE(tape.gradient(y, frozen).defined());
  EXPECT_EQ(tape.gradient(y, live).item<float>(), 2.0f);
  EXPECT_EQ(tape.watched_variable_ids(), (std::vector<uint64_t>{live.id()}));
}

}  // namespace
