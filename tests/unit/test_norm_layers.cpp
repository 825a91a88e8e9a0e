// Normalisation, reshaping and image-augmentation layers: BatchNormalization,
// LayerNormalization, ZeroPadding2D, Cropping2D, UpSampling2D, RandomFlip,
// RandomTranslation, RandomZoom. Values, gradients and moving statistics
// against Keras 3 (tests/data/keras_norm_layers.json, written by
// tests/tools/gen_keras_norm_layers.py from Keras's own configs, which the
// layers are rebuilt from), plus hand-checked cases, training, saving and
// configs.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <sstream>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "unit/gradient_check.h"
#include "unit/keras_nn_data.h"

namespace nb = nabla;
using json = nlohmann::json;

namespace {

const json& data() {
  static const json root = [] {
    const std::string path = std::string(NABLA_TEST_DATA_DIR) + "/keras_norm_layers.json";
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    return json::parse(in);
  }();
  return root;
}

// {"shape", "values"} -> float32 tensor.
nb::Tensor tensor(const json& t) { return keras_nn::tensor(t["values"], t["shape"], nb::float32); }

std::vector<double> vals(const nb::Tensor& t) { return nb::cast(t, nb::float64).contiguous().to_vector<double>(); }

::testing::AssertionResult close(const nb::Tensor& got, const json& want, double rtol, double atol,
                                 const std::string& what) {
  if (got.shape().vec() != want["shape"].get<std::vector<int64_t>>())
    return ::testing::AssertionFailure() << what << ": shape " << got.shape().str() << ", expected "
                                         << want["shape"].dump();
  return keras_nn::all_close(vals(got), keras_nn::nums(want["values"]), rtol, atol, what);
}

// Rebuilds a layer from Keras's get_config(); its own config has the same keys.
nb::LayerRef from_keras(const std::string& class_name, const json& config) {
  nb::LayerRef layer = nb::layer_from_config(json{{"class_name", class_name}, {"config", config}});
  std::set<std::string> ours, theirs;
  const json mine = layer->get_config();
  for (auto it = mine.begin(); it != mine.end(); ++it) ours.insert(it.key());
  for (auto it = config.begin(); it != config.end(); ++it) theirs.insert(it.key());
  EXPECT_EQ(ours, theirs) << class_name << " config keys";
  return layer;
}

std::vector<int64_t> no_batch(const json& t) {
  auto s = t["shape"].get<std::vector<int64_t>>();
  s.erase(s.begin());
  return s;
}

// d sum(layer(x) * r) / d(x, gamma, beta) for a normalisation layer.
struct Grads {
  nb::Tensor y, dx, dgamma, dbeta;
};
Grads grads(nb::LayerRef layer, nb::Variable* gamma, nb::Variable* beta, const nb::Tensor& x, const nb::Tensor& r,
            bool training) {
  nb::GradientTape tape;
  tape.watch(x);
  Grads g;
  g.y = layer(x, training);
  nb::Tensor loss = nb::reduce_sum(g.y * r);
  std::vector<nb::GradientSource> src{x};
  if (gamma) src.emplace_back(*gamma);
  if (beta) src.emplace_back(*beta);
  auto d = tape.gradient(loss, src);
  g.dx = d[0];
  if (gamma) g.dgamma = d[1];
  if (beta) g.dbeta = d[gamma ? 2 : 1];
  return g;
}

void expect_grads(const Grads& g, const json& want, const std::string& what) {
  EXPECT_TRUE(close(g.y, want["y"], 1e-4, 2e-5, what + " y"));
  EXPECT_TRUE(close(g.dx, want["dx"], 1e-3, 2e-4, what + " dx"));
  if (want.contains("dgamma")) {
    EXPECT_TRUE(close(g.dgamma, want["dgamma"], 1e-4, 1e-4, what + " dgamma"));
  }
  if (want.contains("dbeta")) {
    EXPECT_TRUE(close(g.dbeta, want["dbeta"], 1e-4, 1e-4, what + " dbeta"));
  }
}

// ---------------------------------------------------------------------------- Keras references

TEST(BatchNormalizationKeras, TrainingInferenceMovingStatisticsAndGradients) {
  ASSERT_FALSE(data()["batch_norm"].empty());
  for (const json& c : data()["batch_norm"]) {
    const std::string name = c["name"];
    SCOPED_TRACE(name);
    auto ref = from_keras("BatchNormalization", c["config"]);
    auto& bn = static_cast<nb::layers::BatchNormalizationImpl&>(*ref);
    ref->build_from_shapes({no_batch(c["train_grad"]["x"])});
    std::vector<nb::Tensor> w;
    for (const char* k : {"gamma", "beta", "moving_mean", "moving_variance"})
      if (c["weights"].contains(k)) w.push_back(tensor(c["weights"][k]));
    ref->set_weights(w);
    nb::Variable* gamma = bn.options().scale ? &bn.gamma() : nullptr;
    nb::Variable* beta = bn.options().center ? &bn.beta() : nullptr;

    const json& tg = c["train_grad"];
    expect_grads(grads(ref, gamma, beta, tensor(tg["x"]), tensor(tg["r"]), true), tg, name + " training");
    for (const json& s : c["train_steps"])
      EXPECT_TRUE(close(ref(tensor(s["x"]), true), s["y"], 1e-4, 2e-5, name + " training step"));
    EXPECT_TRUE(close(bn.moving_mean().value(), c["moving_mean"], 1e-5, 1e-6, name + " moving_mean"));
    EXPECT_TRUE(close(bn.moving_variance().value(), c["moving_variance"], 1e-5, 1e-6, name + " moving_variance"));
    const json& ig = c["infer_grad"];
    expect_grads(grads(ref, gamma, beta, tensor(ig["x"]), tensor(ig["r"]), false), ig, name + " inference");
  }
}

TEST(LayerNormalizationKeras, OutputsAndGradients) {
  ASSERT_FALSE(data()["layer_norm"].empty());
  for (const json& c : data()["layer_norm"]) {
    const std::string name = c["name"];
    SCOPED_TRACE(name);
    auto ref = from_keras("LayerNormalization", c["config"]);
    auto& ln = static_cast<nb::layers::LayerNormalizationImpl&>(*ref);
    ref->build_from_shapes({no_batch(c["x"])});
    std::vector<nb::Tensor> w;
    for (const char* k : {"gamma", "beta"})
      if (c["weights"].contains(k)) w.push_back(tensor(c["weights"][k]));
    ref->set_weights(w);
    nb::Variable* gamma = ln.options().scale ? &ln.gamma() : nullptr;
    nb::Variable* beta = ln.options().center ? &ln.beta() : nullptr;
    // The same in both modes.
    expect_grads(grads(ref, gamma, beta, tensor(c["x"]), tensor(c["r"]), true), c, name);
    expect_grads(grads(ref, gamma, beta, tensor(c["x"]), tensor(c["r"]), false), c, name);
  }
}

TEST(ImageLayersKeras, PaddingCroppingUpSampling) {
  ASSERT_GE(data()["shape_layers"].size(), 12u);
  for (const json& c : data()["shape_layers"]) {
    const std::string name = c["name"];
    auto layer = from_keras(c["class_name"], c["config"]);
    EXPECT_TRUE(close(layer(tensor(c["x"])), c["y"], 1e-6, 1e-6, name));
    // Inference and training agree (no randomness).
    EXPECT_TRUE(close(layer(tensor(c["x"]), true), c["y"], 1e-6, 1e-6, name + " training"));
  }
}

TEST(ImageLayersKeras, TranslationAndZoomEveryFillModeAndInterpolation) {
  const json& cases = data()["image_transforms"];
  ASSERT_GE(cases.size(), 40u);
  for (const json& c : cases) {
    const std::string name = c["name"];
    auto layer = from_keras(c["class_name"], c["config"]);
    nb::Tensor x = tensor(c["x"]);
    EXPECT_TRUE(close(layer(x, true), c["y"], 1e-5, 1e-5, name));
    EXPECT_EQ(vals(layer(x, false)), vals(x)) << name << ": identity in inference";
  }
}

// ---------------------------------------------------------------------------- BatchNormalization

TEST(BatchNormalization, WeightsInKerasOrderAndOnlyGammaBetaTrainable) {
  nb::layers::BatchNormalization bn({.gamma_regularizer = nb::regularizers::L2({.l2 = 0.5})});
  bn(nb::ones({2, 3}));
  auto vars = bn->variables();
  ASSERT_EQ(vars.size(), 4u);
  const char* names[] = {"/gamma", "/beta", "/moving_mean", "/moving_variance"};
  for (size_t i = 0; i < 4; ++i) EXPECT_NE(vars[i]->name().find(names[i]), std::string::npos) << vars[i]->name();
  EXPECT_EQ(bn->trainable_variables().size(), 2u);
  EXPECT_EQ(bn->non_trainable_variables().size(), 2u);
  EXPECT_EQ(bn->count_params(), 12);
  // gamma = ones: L2 penalty 0.5 * 3.
  ASSERT_EQ(bn->losses().size(), 1u);
  EXPECT_NEAR(bn->losses()[0].item<double>(), 1.5, 1e-6);

  nb::layers::BatchNormalization bare({.center = false, .scale = false});
  bare(nb::ones({2, 3}));
  EXPECT_EQ(bare->variables().size(), 2u);
  EXPECT_TRUE(bare->trainable_variables().empty());
  EXPECT_THROW(bare->gamma(), nb::FailedPrecondition);
  EXPECT_THROW(bare->beta(), nb::FailedPrecondition);
}

TEST(BatchNormalization, HandComputedTrainingStepAndMovingUpdate) {
  // One channel, batch [1, 3]: mean 2, biased variance 1.
  nb::layers::BatchNormalization bn({.momentum = 0.75, .epsilon = 1e-3});
  auto x = nb::constant({{1.f}, {3.f}});
  auto y = bn(x, true);
  const double s = 1.0 / std::sqrt(1.0 + 1e-3);
  EXPECT_NEAR(vals(y)[0], -s, 1e-6);
  EXPECT_NEAR(vals(y)[1], s, 1e-6);
  EXPECT_NEAR(bn->moving_mean().value().item<float>(), 0.75 * 0 + 0.25 * 2, 1e-6);
  EXPECT_NEAR(bn->moving_variance().value().item<float>(), 0.75 * 1 + 0.25 * 1, 1e-6);
  // Inference uses the moving statistics: (x - 0.5) / sqrt(1 + eps).
  EXPECT_NEAR(vals(bn(x, false))[1], 2.5 * s, 1e-6);
  // So does a frozen layer in training mode, and it keeps its statistics.
  bn->set_trainable(false);
  EXPECT_EQ(vals(bn(x, true)), vals(bn(x, false)));
  EXPECT_NEAR(bn->moving_mean().value().item<float>(), 0.5, 1e-7);
  bn->set_trainable(true);
  bn(x, true);
  EXPECT_NEAR(bn->moving_mean().value().item<float>(), 0.75 * 0.5 + 0.25 * 2, 1e-6);
}

TEST(BatchNormalization, MovingStatisticUpdateIsNotRecordedOnTheTape) {
  nb::layers::BatchNormalization bn;
  nb::random::Generator gen(3);
  auto x = nb::random::normal({8, 3}, {}, gen);
  bn(x, false);  // build
  nb::GradientTape tape({.persistent = true});
  tape.watch(x);
  // The training call records exactly what the bare normalisation op records:
  // the moving-average update is not on the tape.
  nb::fused_batch_norm(x, bn->gamma().value(), bn->beta().value(), bn->moving_mean().value(),
                       bn->moving_variance().value(), {.training = true});
  const size_t op_only = tape.num_recorded_ops();
  ASSERT_GT(op_only, 0u);
  auto before = vals(bn->moving_mean().value());
  auto y = bn(x, true);
  EXPECT_NE(vals(bn->moving_mean().value()), before);
  EXPECT_EQ(tape.num_recorded_ops(), 2 * op_only);
  const auto watched = tape.watched_variable_ids();
  EXPECT_EQ(std::count(watched.begin(), watched.end(), bn->moving_mean().id()), 0);
  EXPECT_EQ(std::count(watched.begin(), watched.end(), bn->moving_variance().id()), 0);
  auto g = tape.gradient(nb::reduce_sum(y * y), {nb::GradientSource(x), nb::GradientSource(bn->gamma())});
  EXPECT_TRUE(g[0].defined());
  EXPECT_TRUE(g[1].defined());
}

TEST(BatchNormalization, RejectsBadOptionsAndInputs) {
  EXPECT_THROW(nb::layers::BatchNormalization({.momentum = 1.5}), nb::InvalidArgument);
  EXPECT_THROW(nb::layers::BatchNormalization({.epsilon = 0.0}), nb::InvalidArgument);
  EXPECT_THROW(nb::layers::BatchNormalization({.axis = 3})(nb::ones({2, 3})), nb::InvalidArgument);
  EXPECT_THROW(nb::layers::BatchNormalization({.axis = 0})(nb::ones({2, 3})), nb::InvalidArgument);
  nb::layers::BatchNormalization bn;
  bn(nb::ones({2, 3}));
  try {
    bn(nb::ones({2, 4}));
    FAIL() << "expected InvalidArgument";
  } catch (const nb::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("(2, 4)"), std::string::npos) << e.what();
  }
  EXPECT_THROW(bn(nb::ones({2, 2, 3})), nb::InvalidArgument);
  json c = nb::layer_to_config(*bn);
  c["config"]["renorm"] = true;
  EXPECT_THROW(nb::layer_from_config(c), nb::Unimplemented);
  c["config"]["renorm"] = false;
  c["config"]["momentum"] = "high";
  EXPECT_THROW(nb::layer_from_config(c), nb::InvalidArgument);
}

TEST(BatchNormalization, FitUpdatesMovingStatisticsAndSaveLoadKeepsThem) {
  nb::random::Generator g(5);
  nb::Tensor x = nb::random::normal({64, 4}, {.mean = 3.0, .stddev = 2.0}, g);
  nb::Tensor y = nb::cast(nb::argmax(x.index({nb::Slice(), nb::Slice(0, 2)}), 1), nb::int32);
  nb::Sequential m({nb::Input({4}), nb::layers::Dense(8, {.name = "d1"}),
                    nb::layers::BatchNormalization({.momentum = 0.9, .name = "bn"}),
                    nb::layers::Activation("relu"), nb::layers::Dense(2, {.name = "out"})});
  m.compile({.optimizer = nb::optimizers::Adam({.learning_rate = 0.01}),
             .loss = nb::losses::SparseCategoricalCrossentropy({.from_logits = true})});
  EXPECT_EQ(m.trainable_variables().size(), 6u);  // 2 Dense x 2 + gamma, beta
  EXPECT_EQ(m.non_trainable_variables().size(), 2u);
  std::ostringstream summary;
  m.summary(summary);
  EXPECT_NE(summary.str().find("BatchNormalization"), std::string::npos) << summary.str();
  EXPECT_NE(summary.str().find("Non-trainable params: 16"), std::string::npos) << summary.str();

  m.fit(x, y, {.batch_size = 16, .epochs = 2, .verbose = 0, .seed = 1});
  nb::Variable* mm = nullptr;
  for (auto& [path, v] : m.weight_paths())
    if (path.find("bn") != std::string::npos && path.find("moving_mean") != std::string::npos) mm = v;
  ASSERT_NE(mm, nullptr);
  // Eight batches with momentum 0.9 moved the mean away from its zero start.
  double moved = 0;
  for (double v : vals(mm->value())) moved += std::abs(v);
  EXPECT_GT(moved, 0.1);
  // The optimizer never saw the moving statistics (Adam: 2 slots per trainable variable).
  for (const auto& [name, v] : m.optimizer().variables()) EXPECT_EQ(name.find("moving"), std::string::npos) << name;

  const auto dir = std::filesystem::temp_directory_path() / ("nabla_bn_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  m.save((dir / "bn.nabla").string());
  auto loaded = nb::load_model(dir / "bn.nabla");
  auto wa = m.get_weights(), wb = loaded->get_weights();
  ASSERT_EQ(wa.size(), wb.size());
  for (size_t i = 0; i < wa.size(); ++i) EXPECT_EQ(vals(wa[i]), vals(wb[i])) << "weight " << i;
  EXPECT_EQ(vals(m.predict(x)), vals(loaded->predict(x)));
  EXPECT_EQ(loaded->non_trainable_variables().size(), 2u);
  std::filesystem::remove_all(dir);
}

// ---------------------------------------------------------------------------- LayerNormalization

TEST(LayerNormalization, HandComputedAndShapes) {
  nb::layers::LayerNormalization ln({.epsilon = 1e-6});
  auto y = ln(nb::constant({{1.f, 3.f}, {10.f, 10.f}}));
  EXPECT_NEAR(vals(y)[0], -1.0, 1e-5);
  EXPECT_NEAR(vals(y)[1], 1.0, 1e-5);
  EXPECT_NEAR(vals(y)[2], 0.0, 1e-6);
  nb::layers::LayerNormalization multi({.axis = {-1, 1}});
  multi(nb::ones({2, 3, 4}));
  EXPECT_EQ(multi->gamma().shape(), nb::Shape({3, 4}));
  EXPECT_THROW(multi(nb::ones({2, 3, 5})), nb::InvalidArgument);
  EXPECT_THROW(nb::layers::LayerNormalization({.axis = {0}})(nb::ones({2, 3})), nb::InvalidArgument);
  EXPECT_THROW(nb::layers::LayerNormalization({.axis = {1, -1}})(nb::ones({2, 3})), nb::InvalidArgument);
  EXPECT_THROW(nb::layers::LayerNormalization({.axis = {}}), nb::InvalidArgument);
}

// ---------------------------------------------------------------------------- reshaping layers

TEST(ImageLayers, PaddingCroppingUpSamplingByHand) {
  auto x = nb::reshape(nb::arange(1, 5, 1, nb::float32), {1, 2, 2, 1});  // [[1 2] [3 4]]
  EXPECT_EQ(vals(nb::layers::ZeroPadding2D({{1, 0}, {0, 1}})(x)),
            std::vector<double>({0, 0, 0, 1, 2, 0, 3, 4, 0}));
  EXPECT_EQ(nb::layers::ZeroPadding2D(2)(x).shape(), nb::Shape({1, 6, 6, 1}));
  EXPECT_EQ(nb::layers::ZeroPadding2D({1, 2})(x).shape(), nb::Shape({1, 4, 6, 1}));
  EXPECT_EQ(vals(nb::layers::UpSampling2D({1, 2})(x)), std::vector<double>({1, 1, 2, 2, 3, 3, 4, 4}));
  auto big = nb::reshape(nb::arange(0, 12, 1, nb::float32), {1, 3, 4, 1});
  EXPECT_EQ(vals(nb::layers::Cropping2D({{1, 1}, {0, 2}})(big)), std::vector<double>({4, 5}));
  // Integer images keep their dtype through padding, cropping and nearest upsampling.
  EXPECT_EQ(nb::layers::ZeroPadding2D()(nb::cast(x, nb::uint8)).dtype(), nb::uint8);
  EXPECT_EQ(nb::layers::UpSampling2D()(nb::cast(x, nb::uint8)).dtype(), nb::uint8);
  EXPECT_THROW(nb::layers::Cropping2D({{2, 1}, {0, 0}})(big), nb::InvalidArgument);
  EXPECT_EQ(vals(nb::layers::ZeroPadding2D({{0, 0}, {1, 0}})(x)), std::vector<double>({0, 1, 2, 0, 3, 4}));
  EXPECT_THROW(nb::layers::ZeroPadding2D({{1, 1}}), nb::InvalidArgument);
  EXPECT_THROW(nb::layers::ZeroPadding2D(-1), nb::InvalidArgument);
  EXPECT_THROW(nb::layers::ZeroPadding2D(1)(nb::ones({2, 2, 2})), nb::InvalidArgument);
  EXPECT_THROW(nb::layers::ZeroPadding2D(1, {.data_format = "NHWC"}), nb::InvalidArgument);
  EXPECT_THROW(nb::layers::UpSampling2D(0), nb::InvalidArgument);
  EXPECT_THROW(nb::layers::UpSampling2D(2, {.interpolation = "bicubic"}), nb::Unimplemented);
  EXPECT_THROW(nb::layers::UpSampling2D(2, {.interpolation = "cubic"}), nb::InvalidArgument);
}

TEST(ImageLayers, GradientsReachTheInput) {
  nb::random::Generator g(11);
  nb::Tensor x = nb::random::normal({2, 3, 4, 2}, {.dtype = nb::float64}, g);
  std::vector<std::pair<std::string, nb::LayerRef>> layers = {
      {"ZeroPadding2D", nb::layers::ZeroPadding2D({{1, 0}, {2, 1}}, {.dtype = nb::float64})},
      {"Cropping2D", nb::layers::Cropping2D({1, 1}, {.dtype = nb::float64})},
      {"UpSampling2D bilinear", nb::layers::UpSampling2D({2, 3}, {.interpolation = "bilinear", .dtype = nb::float64})},
      {"RandomTranslation",
       nb::layers::RandomTranslation({0.3, 0.3}, {-0.3, -0.3}, {.fill_value = 0.5, .dtype = nb::float64})},
      {"RandomTranslation constant",
       nb::layers::RandomTranslation({0.3, 0.3}, {-0.3, -0.3},
                                     {.fill_mode = "constant", .fill_value = 0.5, .dtype = nb::float64})},
      {"RandomZoom", nb::layers::RandomZoom({-0.3, -0.3}, {.width_factor = nb::layers::FactorArg(0.2, 0.2),
                                                           .fill_mode = "wrap", .dtype = nb::float64})},
  };
  for (auto& [label, layer] : layers) {
    nb::LayerRef l = layer;
    auto f = [l](const nb::TensorList& in) { return nb::TensorList{l(in[0], true)}; };
    EXPECT_TRUE(nb::gradcheck::check_gradient(label, f, {x}));
  }
}

// ---------------------------------------------------------------------------- random layers

// 16 different 3x4 single-channel images (channels_last) and their flips.
nb::Tensor distinct_images(int64_t n) { return nb::reshape(nb::arange(0, n * 12, 1, nb::float32), {n, 3, 4, 1}); }

TEST(RandomFlip, EachImageIsKeptOrFlippedAndBothHappen) {
  const int64_t n = 16;
  nb::Tensor x = distinct_images(n);
  for (const std::string mode : {"horizontal", "vertical", "horizontal_and_vertical"}) {
    SCOPED_TRACE(mode);
    nb::layers::RandomFlip flip(mode, {.seed = 42});
    EXPECT_EQ(vals(flip(x, false)), vals(x));
    std::vector<int64_t> axes;
    if (mode != "vertical") axes.push_back(2);
    if (mode != "horizontal") axes.push_back(1);
    nb::Tensor flipped = nb::reverse(x, axes);
    nb::random::Generator gen(1);
    nb::Tensor r = nb::random::normal(x.shape(), {}, gen);
    nb::GradientTape tape;
    tape.watch(x);
    nb::Tensor y = flip(x, true);
    nb::Tensor dx = tape.gradient(nb::reduce_sum(y * r), x);
    int kept = 0, changed = 0;
    for (int64_t i = 0; i < n; ++i) {
      auto yi = vals(y[i]);
      if (yi == vals(x[i])) {
        ++kept;
        EXPECT_EQ(vals(dx[i]), vals(r[i]));
      } else {
        ASSERT_EQ(yi, vals(flipped[i])) << "image " << i << " is neither kept nor flipped";
        ++changed;
        EXPECT_EQ(vals(dx[i]), vals(nb::reverse(r, axes)[i])) << "gradient flows back through the flip";
      }
    }
    EXPECT_GT(kept, 0);
    EXPECT_GT(changed, 0);
  }
  // One image (rank 3) and channels_first.
  nb::layers::RandomFlip h("horizontal", {.seed = 3, .data_format = "channels_first"});
  nb::Tensor img = nb::reshape(nb::arange(0, 6, 1, nb::float32), {1, 2, 3});  // (c, h, w)
  bool saw_flip = false;
  for (int i = 0; i < 20; ++i) {
    auto y = vals(h(img, true));
    saw_flip = saw_flip || y == vals(nb::reverse(img, {2}));
    EXPECT_TRUE(y == vals(img) || y == vals(nb::reverse(img, {2})));
  }
  EXPECT_TRUE(saw_flip);
  EXPECT_THROW(nb::layers::RandomFlip("diagonal"), nb::InvalidArgument);
}

TEST(RandomTranslation, IntegerShiftsMoveContentAsExpected) {
  // 4x4 image 0..15; height 0.5 -> 2 rows down, width -0.25 -> 1 column left.
  nb::Tensor x = nb::reshape(nb::arange(0, 16, 1, nb::float32), {1, 4, 4, 1});
  nb::layers::RandomTranslation t({0.5, 0.5}, {-0.25, -0.25},
                                  {.fill_mode = "constant", .interpolation = "nearest", .fill_value = -1});
  EXPECT_EQ(vals(t(x, true)), std::vector<double>({-1, -1, -1, -1,  //
                                                   -1, -1, -1, -1,  //
                                                   1, 2, 3, -1,     //
                                                   5, 6, 7, -1}));
  nb::layers::RandomTranslation nearest({0.5, 0.5}, {-0.25, -0.25},
                                        {.fill_mode = "nearest", .interpolation = "nearest"});
  EXPECT_EQ(vals(nearest(x, true)), std::vector<double>({1, 2, 3, 3, 1, 2, 3, 3, 1, 2, 3, 3, 5, 6, 7, 7}));
  nb::layers::RandomTranslation wrap({0.5, 0.5}, {-0.25, -0.25}, {.fill_mode = "wrap", .interpolation = "nearest"});
  EXPECT_EQ(vals(wrap(x, true)), std::vector<double>({9, 10, 11, 8, 13, 14, 15, 12, 1, 2, 3, 0, 5, 6, 7, 4}));
  nb::layers::RandomTranslation reflect({0.5, 0.5}, {-0.25, -0.25},
                                        {.fill_mode = "reflect", .interpolation = "nearest"});
  EXPECT_EQ(vals(reflect(x, true)), std::vector<double>({5, 6, 7, 7, 1, 2, 3, 3, 1, 2, 3, 3, 5, 6, 7, 7}));
  // Identity in inference; integer images are cast to the layer's dtype.
  EXPECT_EQ(vals(t(x, false)), vals(x));
  EXPECT_EQ(t(nb::cast(x, nb::uint8), false).dtype(), nb::float32);
  EXPECT_THROW(nb::layers::RandomTranslation(1.5, 0.1), nb::InvalidArgument);
  EXPECT_THROW(nb::layers::RandomTranslation(0.1, 0.1, {.fill_mode = "mirror"}), nb::InvalidArgument);
  EXPECT_THROW(nb::layers::RandomTranslation(0.1, 0.1)(nb::ones({2, 2})), nb::InvalidArgument);
}

TEST(RandomZoom, KeepsShapeZoomsAboutTheCentreAndIsIdentityInInference) {
  nb::Tensor x = distinct_images(3);
  nb::layers::RandomZoom z(0.4, {.seed = 9});
  EXPECT_EQ(z(x, true).shape(), x.shape());
  EXPECT_EQ(vals(z(x, false)), vals(x));
  // Zoom factor 1 (height_factor 0): identity even in training.
  nb::layers::RandomZoom none(0.0, {.interpolation = "nearest"});
  EXPECT_EQ(vals(none(x, true)), vals(x));
  // Zoom out by 2 on a 5x5 image, nearest: output pixel i reads input 2i - 2 (centre 2 fixed).
  nb::Tensor img = nb::reshape(nb::arange(0, 25, 1, nb::float32), {1, 5, 5, 1});
  nb::layers::RandomZoom out({1.0, 1.0}, {.fill_mode = "constant", .interpolation = "nearest", .fill_value = -1});
  EXPECT_EQ(vals(out(img, true)), std::vector<double>({-1, -1, -1, -1, -1,  //
                                                       -1, 0, 2, 4, -1,     //
                                                       -1, 10, 12, 14, -1,  //
                                                       -1, 20, 22, 24, -1,  //
                                                       -1, -1, -1, -1, -1}));
  // channels_first and a single image keep their layout.
  nb::layers::RandomZoom cf(0.3, {.seed = 1, .data_format = "channels_first"});
  EXPECT_EQ(cf(nb::ones({2, 3, 5, 4}), true).shape(), nb::Shape({2, 3, 5, 4}));
  EXPECT_EQ(cf(nb::ones({3, 5, 4}), true).shape(), nb::Shape({3, 5, 4}));
  EXPECT_THROW(nb::layers::RandomZoom(-1.0), nb::InvalidArgument);
  EXPECT_THROW(nb::layers::RandomZoom(0.2, {.interpolation = "bicubic"}), nb::Unimplemented);
}

TEST(RandomLayers, SeededLayersAreReproducibleAndOwnTheirGenerator) {
  nb::Tensor x = distinct_images(8);
  auto run = [&](auto make) {
    auto a = make(), b = make();
    std::vector<double> first = vals(a(x, true));
    EXPECT_EQ(first, vals(b(x, true)));
    EXPECT_EQ(a->own_generators().size(), 1u);
    EXPECT_EQ(a->own_generators()[0].first, "seed");
    return first;
  };
  run([] { return nb::layers::RandomFlip("horizontal", {.seed = 5}); });
  auto t1 = run([] { return nb::layers::RandomTranslation(0.3, 0.3, {.seed = 5}); });
  run([] { return nb::layers::RandomZoom(0.3, {.width_factor = 0.2, .seed = 5}); });
  // Different seeds give different shifts; an unseeded layer uses the global generator.
  EXPECT_NE(t1, vals(nb::layers::RandomTranslation(0.3, 0.3, {.seed = 6})(x, true)));
  EXPECT_TRUE(nb::layers::RandomFlip()->own_generators().empty());
}

TEST(RandomLayers, AugmentOnlyDuringFitAndWorkInModels) {
  nb::Sequential m({nb::Input({6, 6, 1}), nb::layers::RandomFlip("horizontal", {.seed = 1}),
                    nb::layers::RandomTranslation(0.2, 0.2, {.seed = 2}), nb::layers::RandomZoom(0.2, {.seed = 3}),
                    nb::layers::ZeroPadding2D(1), nb::layers::Cropping2D(1), nb::layers::UpSampling2D(2),
                    nb::layers::Flatten(), nb::layers::Dense(2)});
  nb::random::Generator gen(4);
  nb::Tensor x = nb::random::uniform({4, 6, 6, 1}, {}, gen);
  EXPECT_EQ(vals(m.predict(x)), vals(m.predict(x)));  // inference: no augmentation
  EXPECT_NE(vals(m(x, true)), vals(m(x, true)));      // training: random each call
  std::ostringstream s;
  m.summary(s);
  EXPECT_NE(s.str().find("(None, 12, 12, 1)"), std::string::npos) << s.str();
  m.compile({.optimizer = nb::optimizers::SGD({.learning_rate = 0.1}),
             .loss = nb::losses::SparseCategoricalCrossentropy({.from_logits = true})});
  m.fit(x, nb::constant({0, 1, 0, 1}), {.batch_size = 2, .epochs = 1, .verbose = 0});
}

// ---------------------------------------------------------------------------- configs

TEST(NormLayerConfig, RoundTripsEveryNewLayer) {
  std::vector<nb::LayerRef> layers = {
      nb::layers::BatchNormalization({.axis = 1, .momentum = 0.9, .epsilon = 1e-5, .center = false,
                                      .gamma_initializer = "glorot_uniform", .gamma_regularizer = "l2"}),
      nb::layers::LayerNormalization({.axis = {1, 2}, .epsilon = 1e-6, .scale = false}),
      nb::layers::LayerNormalization(),
      nb::layers::ZeroPadding2D({{1, 2}, {3, 4}}, {.data_format = "channels_first"}),
      nb::layers::Cropping2D({2, 1}),
      nb::layers::UpSampling2D({2, 3}, {.interpolation = "bilinear"}),
      nb::layers::RandomFlip("vertical", {.seed = 4}),
      nb::layers::RandomTranslation({-0.2, 0.3}, 0.1, {.fill_mode = "wrap", .interpolation = "nearest", .seed = 8,
                                                      .fill_value = 1.5}),
      nb::layers::RandomZoom(0.2, {.width_factor = nb::layers::FactorArg(-0.1, 0.3), .fill_mode = "constant"}),
      nb::layers::RandomZoom({0.1, 0.2}),
  };
  std::set<std::string> classes;
  for (const auto& l : layers) {
    json c = nb::layer_to_config(*l);
    auto rebuilt = nb::layer_from_config(c);
    EXPECT_EQ(rebuilt->class_name(), l->class_name());
    EXPECT_EQ(nb::layer_to_config(*rebuilt), c) << c.dump();
    classes.insert(l->class_name());
  }
  EXPECT_EQ(classes.size(), 8u);
  for (const char* cls : {"BatchNormalization", "LayerNormalization", "ZeroPadding2D", "Cropping2D", "UpSampling2D",
                          "RandomFlip", "RandomTranslation", "RandomZoom"}) {
    auto reg = nb::registered_layer_classes();
    EXPECT_NE(std::find(reg.begin(), reg.end(), cls), reg.end()) << cls;
  }
  // Keras's other spellings of paddings and sizes.
  nb::LayerRef p =
      nb::layer_from_config({{"class_name", "ZeroPadding2D"}, {"config", {{"padding", json::array({2, 3})}}}});
  EXPECT_EQ(p(nb::ones({1, 1, 1, 1})).shape(), nb::Shape({1, 5, 7, 1}));
  nb::LayerRef u = nb::layer_from_config({{"class_name", "UpSampling2D"}, {"config", {{"size", 3}}}});
  EXPECT_EQ(u(nb::ones({1, 1, 2, 1})).shape(), nb::Shape({1, 3, 6, 1}));
  EXPECT_THROW(nb::layer_from_config({{"class_name", "Cropping2D"}, {"config", {{"cropping", "wide"}}}}),
               nb::InvalidArgument);
  EXPECT_THROW(nb::layer_from_config({{"class_name", "RandomZoom"}, {"config", {{"width_factor", 0.1}}}}),
               nb::InvalidArgument);
  EXPECT_THROW(
      nb::layer_from_config({{"class_name", "LayerNormalization"}, {"config", {{"rms_scaling", true}}}}),
      nb::Unimplemented);
  EXPECT_THROW(nb::layer_from_config({{"class_name", "RandomFlip"}, {"config", {{"seed", -3}}}}),
               nb::InvalidArgument);
}

}  // namespace
