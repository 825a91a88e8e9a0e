// Layers: building, weights, calls, configs, tracking (hand-computed references).
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "nabla/nabla.h"

namespace nb = nabla;

namespace {

std::vector<float> vals(const nb::Tensor& t) { return nb::cast(t, nb::DType::float32).to_vector<float>(); }

TEST(Dense, BuildsOnFirstCallAndComputesAffineMap) {
  nb::layers::Dense dense(2);
  EXPECT_FALSE(dense->built());
  auto x = nb::constant({{1.f, 2.f, 3.f}});
  auto y0 = dense(x);
  EXPECT_TRUE(dense->built());
  EXPECT_EQ(dense->kernel().shape(), nb::Shape({3, 2}));
  EXPECT_EQ(dense->bias().shape(), nb::Shape({2}));
  EXPECT_EQ(vals(dense->bias().value()), std::vector<float>({0.f, 0.f}));  // bias_initializer "zeros"
  dense->set_weights({nb::constant({{1.f, -1.f}, {0.5f, 2.f}, {0.f, 1.f}}), nb::constant({0.25f, -10.f})});
  // [1 2 3] @ W + b = [1 + 1 + 0, -1 + 4 + 3] + [0.25, -10] = [2.25, -4]
  EXPECT_EQ(vals(dense(x)), std::vector<float>({2.25f, -4.f}));
  EXPECT_EQ(y0.shape(), nb::Shape({1, 2}));
  EXPECT_EQ(dense->count_params(), 8);
  EXPECT_NE(dense->kernel().name().find("/kernel"), std::string::npos);
}

TEST(Dense, AppliesActivationAndHandlesRank3) {
  nb::layers::Dense dense(2, {.activation = "relu", .use_bias = false});
  dense(nb::zeros({1, 1, 2}));
  dense->set_weights({nb::constant({{1.f, -1.f}, {1.f, -1.f}})});
  auto y = dense(nb::constant({{{1.f, 2.f}, {-3.f, 1.f}}}));  // (1, 2, 2)
  EXPECT_EQ(y.shape(), nb::Shape({1, 2, 2}));
  EXPECT_EQ(vals(y), std::vector<float>({3.f, 0.f, 0.f, 2.f}));
  EXPECT_THROW(dense->bias(), nb::FailedPrecondition);
}

TEST(Dense, RejectsBadInputAndOptions) {
  EXPECT_THROW(nb::layers::Dense(0), nb::InvalidArgument);
  nb::layers::Dense dense(3);
  dense(nb::zeros({2, 4}));
  try {
    dense(nb::zeros({2, 5}));
    FAIL() << "expected InvalidArgument";
  } catch (const nb::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("(None, 4)"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("(2, 5)"), std::string::npos) << e.what();
  }
  EXPECT_THROW(dense(nb::zeros({2, 4}, nb::DType::float64)), nb::InvalidArgument);
  EXPECT_THROW(nb::layers::Dense(3, {.activation = "no_such_activation"}), nb::InvalidArgument);
}

TEST(Dense, KernelRegularizerAddsPenalty) {
  nb::layers::Dense dense(1, {.kernel_regularizer = nb::regularizers::L2({.l2 = 0.1})});
  dense(nb::zeros({1, 2}));
  dense->set_weights({nb::constant({{3.f}, {4.f}}), nb::constant({1.f})});
  auto losses = dense->losses();
  ASSERT_EQ(losses.size(), 1u);
  EXPECT_NEAR(losses[0].item<double>(), 0.1 * (9 + 16), 1e-5);
}

TEST(Layer, TrainableFlagSplitsVariables) {
  nb::layers::Dense dense(4);
  dense(nb::zeros({1, 3}));
  EXPECT_EQ(dense->trainable_variables().size(), 2u);
  EXPECT_EQ(dense->non_trainable_variables().size(), 0u);
  dense->set_trainable(false);
  EXPECT_EQ(dense->trainable_variables().size(), 0u);
  EXPECT_EQ(dense->non_trainable_variables().size(), 2u);
  // A frozen layer's weights are not watched by a tape.
  nb::GradientTape tape;
  auto y = nb::reduce_sum(dense(nb::ones({1, 3})));
  EXPECT_EQ(tape.watched_variable_ids().size(), 0u);
  dense->set_trainable(true);
  EXPECT_EQ(dense->trainable_variables().size(), 2u);
}

TEST(Layer, SetWeightsChecksCountShapeAndDtype) {
  nb::layers::Dense dense(2);
  dense(nb::zeros({1, 3}));
  EXPECT_THROW(dense->set_weights({nb::zeros({3, 2})}), nb::InvalidArgument);
  EXPECT_THROW(dense->set_weights({nb::zeros({2, 3}), nb::zeros({2})}), nb::InvalidArgument);
  EXPECT_THROW(dense->set_weights({nb::zeros({3, 2}, nb::DType::float64), nb::zeros({2})}), nb::InvalidArgument);
}

TEST(Dropout, IdentityInInferenceScaledMaskInTraining) {
  nb::layers::Dropout drop(0.25, {.seed = 5});
  auto x = nb::ones({100, 100});
  EXPECT_TRUE(drop(x).is_same(x));
  EXPECT_TRUE(drop(x, false).is_same(x));
  std::vector<float> y = vals(drop(x, true));
  int64_t zeros = 0;
  for (float v : y) {
    if (v == 0.f) ++zeros;
    else ASSERT_FLOAT_EQ(v, 1.f / 0.75f);
  }
  // Binomial(10000, 0.25): mean 2500, sd 43.3; allow 5 sd.
  EXPECT_NEAR(double(zeros), 2500.0, 5 * 43.3);
  // Same seed, same masks.
  nb::layers::Dropout again(0.25, {.seed = 5});
  EXPECT_EQ(vals(again(x, true)), y);
  EXPECT_THROW(nb::layers::Dropout(1.0), nb::InvalidArgument);
  EXPECT_THROW(nb::layers::Dropout(-0.1), nb::InvalidArgument);
}

TEST(Dropout, GradientFlowsOnlyThroughKeptUnits) {
  nb::layers::Dropout drop(0.5, {.seed = 1});
  nb::Variable v(nb::ones({1000}));
  nb::GradientTape tape;
  auto y = drop(v.value(), true);
  auto g = tape.gradient(nb::reduce_sum(y), v);
  std::vector<float> yv = vals(y), gv = vals(g);
  for (size_t i = 0; i < yv.size(); ++i) EXPECT_FLOAT_EQ(gv[i], yv[i] == 0.f ? 0.f : 2.f);
}

TEST(ShapeLayers, FlattenReshape) {
  auto x = nb::reshape(nb::arange(0.f, 24.f), {2, 3, 4});
  EXPECT_EQ(nb::layers::Flatten()(x).shape(), nb::Shape({2, 12}));
  EXPECT_EQ(nb::layers::Reshape({4, -1})(x).shape(), nb::Shape({2, 4, 3}));
  EXPECT_EQ(vals(nb::layers::Reshape({12})(x)), vals(x));
  EXPECT_THROW(nb::layers::Reshape({5})(x), nb::InvalidArgument);
  EXPECT_THROW(nb::layers::Reshape({-1, -1}), nb::InvalidArgument);
}

TEST(MergeLayers, AddAndConcatenate) {
  auto a = nb::constant({{1.f, 2.f}}), b = nb::constant({{10.f, 20.f}});
  EXPECT_EQ(vals(nb::layers::Add()(std::vector<nb::Tensor>{a, b})[0]), std::vector<float>({11.f, 22.f}));
  auto c = nb::layers::Concatenate()(std::vector<nb::Tensor>{a, b})[0];
  EXPECT_EQ(c.shape(), nb::Shape({1, 4}));
  EXPECT_EQ(vals(c), std::vector<float>({1.f, 2.f, 10.f, 20.f}));
  EXPECT_EQ(nb::layers::Concatenate({.axis = 0})(std::vector<nb::Tensor>{a, b})[0].shape(), nb::Shape({2, 2}));
  EXPECT_THROW(nb::layers::Add()(std::vector<nb::Tensor>{a}), nb::InvalidArgument);
}

TEST(ActivationLayer, ByNameAndFunction) {
  auto x = nb::constant({{-1.f, 0.5f}});
  EXPECT_EQ(vals(nb::layers::Activation("relu")(x)), std::vector<float>({0.f, 0.5f}));
  EXPECT_EQ(vals(nb::layers::Activation(nb::activations::linear)(x)), vals(x));
  EXPECT_THROW(nb::layers::Activation("nope"), nb::InvalidArgument);
}

TEST(LambdaLayer, WrapsCallableAndSavesOnlyWhenRegistered) {
  nb::layers::Lambda twice([](const nb::Tensor& t) { return t * 2.f; });
  EXPECT_EQ(vals(twice(nb::constant({{1.f, 3.f}}))), std::vector<float>({2.f, 6.f}));
  EXPECT_THROW(twice->get_config(), nb::Unimplemented);
  nb::layers::Lambda::register_function("test_triple", [](const nb::Tensor& t) { return t * 3.f; });
  nb::layers::Lambda triple([](const nb::Tensor& t) { return t * 3.f; }, {.function_name = "test_triple"});
  auto rebuilt = nb::layer_from_config(nb::layer_to_config(*triple.ptr()));
  EXPECT_EQ(vals((*rebuilt)(nb::constant({{1.f}}))), std::vector<float>({3.f}));
  nlohmann::json bad = {{"class_name", "Lambda"}, {"config", {{"function", "never_registered"}}}};
  EXPECT_THROW(nb::layer_from_config(bad), nb::NotFound);
}

TEST(Rescaling, CastsIntegersAndScales) {
  auto x = nb::constant({{0, 255}}, nb::DType::uint8);
  auto y = nb::layers::Rescaling(1.0 / 255, {.offset = -0.5})(x);
  EXPECT_EQ(y.dtype(), nb::DType::float32);
  EXPECT_NEAR(vals(y)[0], -0.5f, 1e-6f);
  EXPECT_NEAR(vals(y)[1], 0.5f, 1e-6f);
}

TEST(LayerConfig, RoundTripsEveryBuiltInLayer) {
  std::vector<nb::LayerRef> layers = {
      nb::layers::Dense(3, {.activation = "tanh", .use_bias = false, .kernel_regularizer = "l2"}),
      nb::layers::Flatten(), nb::layers::Reshape({2, -1}), nb::layers::Dropout(0.3, {.seed = 9}),
      nb::layers::Activation("sigmoid"), nb::layers::Add(), nb::layers::Concatenate({.axis = 1}),
      nb::layers::Rescaling(0.5, {.offset = 1.0})};
  for (const auto& l : layers) {
    nlohmann::json c = nb::layer_to_config(*l);
    auto rebuilt = nb::layer_from_config(c);
    EXPECT_EQ(rebuilt->class_name(), l->class_name());
    EXPECT_EQ(nb::layer_to_config(*rebuilt), c) << c.dump();
  }
  EXPECT_THROW(nb::layer_from_config({{"class_name", "NoSuchLayer"}, {"config", nlohmann::json::object()}}),
               nb::NotFound);
  EXPECT_THROW(nb::layer_from_config({{"class_name", "Dense"}, {"config", {{"units", "three"}}}}),
               nb::InvalidArgument);
  EXPECT_THROW(nb::layer_from_config(nlohmann::json::array()), nb::InvalidArgument);
}

// A custom layer with its own weight, as a Keras user writes one.
class Scale : public nb::Layer {
 public:
  void build(const std::vector<nb::Shape>& shapes) override {
    w_ = &add_weight("w", nb::Shape{shapes[0][shapes[0].rank() - 1]}, {.initializer = "ones"});
  }
  nb::Tensor call(const nb::Tensor& x, bool) override { return x * w_->value(); }
  std::string class_name() const override { return "Scale"; }
 private:
  nb::Variable* w_ = nullptr;
};

// A subclassed model: layers called in call() are tracked; training reaches Dropout.
struct TwoLayer : nb::Model {
  nb::layers::Dense d1{4, {.activation = "relu"}};
  nb::layers::Dropout drop{0.5, {.seed = 2}};
  nb::LayerHolder<Scale> scale = nb::make_layer<Scale>();
  nb::Tensor call(const nb::Tensor& x, bool) override { return scale(drop(d1(x))); }
};

TEST(SubclassedModel, TracksCalledLayersAndPropagatesTraining) {
  TwoLayer m;
  auto x = nb::ones({8, 3});
  auto y = m(x);
  EXPECT_EQ(y.shape(), nb::Shape({8, 4}));
  EXPECT_EQ(m.trainable_variables().size(), 3u);  // d1 kernel, d1 bias, scale w
  EXPECT_EQ(m.count_params(), 3 * 4 + 4 + 4);
  // Inference: deterministic; training: dropout active.
  EXPECT_EQ(vals(m(x, false)), vals(m(x, false)));
  auto yt = vals(m(x, true));
  EXPECT_TRUE(std::count(yt.begin(), yt.end(), 0.f) > 0);
  std::ostringstream s;
  m.summary(s);
  EXPECT_NE(s.str().find("Total params: 20"), std::string::npos) << s.str();
}

TEST(CustomLayer, AddWeightAndGradient) {
  auto s = nb::make_layer<Scale>();
  auto x = nb::constant({{1.f, 2.f}});
  nb::GradientTape tape;
  auto y = nb::reduce_sum(s(x));
  auto g = tape.gradient(y, s->trainable_variables());
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(vals(g[0]), std::vector<float>({1.f, 2.f}));
}

}  // namespace
