// Models: Sequential, functional, compile/fit/evaluate/predict behaviour,
// summary tables, configs, errors.
#include <fstream>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "nabla/nabla.h"

namespace nb = nabla;

namespace {

std::vector<float> vals(const nb::Tensor& t) { return nb::cast(t, nb::DType::float32).to_vector<float>(); }

nb::Sequential course_mlp() {
  return nb::Sequential({
      nb::layers::Flatten({.name = "flatten", .input_shape = {28, 28}}),
      nb::layers::Dense(128, {.activation = "relu", .name = "dense"}),
      nb::layers::Dropout(0.2, {.name = "dropout"}),
      nb::layers::Dense(10, {.name = "dense_1"}),
  }, {.name = "sequential"});
}

TEST(Sequential, SummaryMatchesKerasTable) {
  nb::Sequential model = course_mlp();
  std::ostringstream s;
  model.summary(s);
  // Keras 2.x prints exactly this for the course's model (columns end at 29, 55, 65).
  const std::string expected =
      "Model: \"sequential\"\n"
      "_________________________________________________________________\n"
      " Layer (type)                Output Shape              Param #   \n"
      "=================================================================\n"
      " flatten (Flatten)           (None, 784)               0         \n"
      "                                                                 \n"
      " dense (Dense)               (None, 128)               100480    \n"
      "                                                                 \n"
      " dropout (Dropout)           (None, 128)               0         \n"
      "                                                                 \n"
      " dense_1 (Dense)             (None, 10)                1290      \n"
      "                                                                 \n"
      "=================================================================\n"
      "Total params: 101,770\n"
      "Trainable params: 101,770\n"
      "Non-trainable params: 0\n"
      "_________________________________________________________________\n";
  EXPECT_EQ(s.str(), expected);
}

TEST(Sequential, AddPopAndLazyBuild) {
  nb::Sequential model;
  model.add(nb::layers::Dense(3));
  model.add(nb::layers::Dense(2));
  std::ostringstream s;
  EXPECT_THROW(model.summary(s), nb::FailedPrecondition);  // no input shape yet
  auto y = model(nb::ones({5, 4}));
  EXPECT_EQ(y.shape(), nb::Shape({5, 2}));
  EXPECT_EQ(model.count_params(), 4 * 3 + 3 + 3 * 2 + 2);
  model.pop();
  EXPECT_EQ(model.sequential_layers().size(), 1u);
  EXPECT_EQ(model.trainable_variables().size(), 2u);
  model.pop();
  EXPECT_THROW(model.pop(), nb::InvalidArgument);
}

TEST(Sequential, ConfigRoundTripPredictsTheSame) {
  nb::Sequential model({nb::Input({4}), nb::layers::Dense(3, {.activation = "relu"}), nb::layers::Dense(2)});
  nlohmann::json config = nb::layer_to_config(model);
  EXPECT_EQ(config["class_name"], "Sequential");
  auto rebuilt = nb::model_from_config(config);
  rebuilt->set_weights(model.get_weights());
  auto x = nb::random::normal({6, 4});
  EXPECT_EQ(vals(rebuilt->predict(x)), vals(model.predict(x)));
}

TEST(Functional, MultiInputMultiOutputSharedLayer) {
  auto a = nb::Input({3}, {.name = "a"});
  auto b = nb::Input({3}, {.name = "b"});
  nb::layers::Dense shared(4, {.activation = "tanh", .name = "shared"});
  auto ha = shared(a), hb = shared(b);  // one layer, two calls: same weights
  auto merged = nb::layers::Concatenate({.name = "concat"})({ha, hb});
  EXPECT_EQ(merged.shape(), std::vector<int64_t>({-1, 8}));
  auto out1 = nb::layers::Dense(2, {.name = "head1"})(merged);
  auto out2 = nb::layers::Add({.name = "sum"})({ha, hb});
  nb::Model model({a, b}, {out1, out2}, {.name = "two_heads"});
  EXPECT_EQ(model.trainable_variables().size(), 4u);  // shared kernel+bias, head1 kernel+bias
  auto xa = nb::random::normal({5, 3}), xb = nb::random::normal({5, 3});
  auto ys = model.predict(std::vector<nb::Tensor>{xa, xb});
  ASSERT_EQ(ys.size(), 2u);
  EXPECT_EQ(ys[0].shape(), nb::Shape({5, 2}));
  // out2 = shared(xa) + shared(xb), computed by hand from the layer.
  auto expected = shared(xa) + shared(xb);
  auto got = vals(ys[1]), want = vals(expected);
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-6);
  // Config round trip keeps the graph (shared layer called twice).
  auto rebuilt = nb::model_from_config(nb::layer_to_config(model));
  rebuilt->set_weights(model.get_weights());
  auto ys2 = rebuilt->predict(std::vector<nb::Tensor>{xa, xb});
  EXPECT_EQ(vals(ys2[0]), vals(ys[0]));
  EXPECT_EQ(vals(ys2[1]), vals(ys[1]));
  std::ostringstream s;
  model.summary(s);
  EXPECT_NE(s.str().find("Connected to"), std::string::npos) << s.str();
  EXPECT_NE(s.str().find("'shared[1][0]'"), std::string::npos) << s.str();
}

TEST(Functional, ErrorsAreClear) {
  auto a = nb::Input({3});
  auto b = nb::Input({3});
  auto out = nb::layers::Dense(2)(b);
  EXPECT_THROW(nb::Model(a, out), nb::InvalidArgument);  // graph disconnected
  nb::Model m(b, out);
  EXPECT_THROW(m(nb::ones({2, 4})), nb::InvalidArgument);  // wrong feature size
  EXPECT_THROW(m(nb::ones({2, 3}, nb::DType::float64)), nb::InvalidArgument);
  EXPECT_THROW(nb::layers::Dense(2)(nb::Input({3, 0})), nb::InvalidArgument);
}

TEST(Compile, ResolvesNamesAndRejectsUnknown) {
  nb::Sequential model({nb::Input({2}), nb::layers::Dense(1)});
  EXPECT_THROW(model.compile({.optimizer = "nope", .loss = "mse"}), nb::InvalidArgument);
  EXPECT_THROW(model.compile({.optimizer = "sgd", .loss = "nope"}), nb::InvalidArgument);
  EXPECT_THROW(model.fit(nb::ones({4, 2}), nb::ones({4, 1})), nb::FailedPrecondition);  // not compiled
  model.compile({.optimizer = "sgd", .loss = "mse", .metrics = {"mae"}});
  EXPECT_TRUE(model.compiled());
  EXPECT_THROW(model.fit(nb::ones({4, 2}), nb::ones({3, 1}), {.verbose = 0}), nb::InvalidArgument);
  EXPECT_THROW(model.fit(nb::ones({4, 2}), nb::ones({4, 1}), {.batch_size = 0, .verbose = 0}), nb::InvalidArgument);
  EXPECT_THROW(model.fit(nb::ones({4, 2}), nb::ones({4, 1}), {.verbose = 0, .validation_split = 1.5}),
               nb::InvalidArgument);
}

TEST(Fit, TrainOnBatchMatchesHandComputedSgdStep) {
  // y = w x + b, loss = mean((y - t)^2); one SGD step with lr 0.1 from w = 1, b = 0.
  nb::Sequential model({nb::Input({1}), nb::layers::Dense(1)});
  model.set_weights({nb::constant({{1.f}}), nb::constant({0.f})});
  model.compile({.optimizer = nb::optimizers::SGD({.learning_rate = 0.1}), .loss = "mse"});
  auto x = nb::constant({{1.f}, {2.f}}), t = nb::constant({{3.f}, {5.f}});
  nb::Logs logs = model.train_on_batch(x, t);
  // residuals r = (1 - 3, 2 - 5) = (-2, -3); loss = (4 + 9) / 2 = 6.5
  EXPECT_NEAR(logs.at("loss"), 6.5, 1e-6);
  // dL/dw = mean(2 r x) = (2*-2*1 + 2*-3*2) / 2 = -8; dL/db = mean(2 r) = -5
  auto w = model.get_weights();
  EXPECT_NEAR(vals(w[0])[0], 1.0 + 0.8, 1e-6);
  EXPECT_NEAR(vals(w[1])[0], 0.5, 1e-6);
  nb::Logs test = model.test_on_batch(x, t);
  // y = 1.8 x + 0.5 -> (2.3, 4.1); residuals (-0.7, -0.9): loss = (0.49 + 0.81) / 2 = 0.65
  EXPECT_NEAR(test.at("loss"), 0.65, 1e-5);
}

TEST(Fit, DeterministicForASeed) {
  const int saved_threads = nb::get_num_threads();
  auto run = [] {
    nb::set_num_threads(1);
    nb::random::set_seed(11);
    nb::Sequential model({nb::Input({5}), nb::layers::Dense(8, {.activation = "relu"}), nb::layers::Dropout(0.3),
                          nb::layers::Dense(3)});
    model.compile({.optimizer = "adam",
                   .loss = nb::losses::SparseCategoricalCrossentropy({.from_logits = true}),
                   .metrics = {"accuracy"}});
    auto x = nb::random::normal({64, 5});
    auto y = nb::cast(nb::random::uniform({64}, {.minval = 0, .maxval = 3, .dtype = nb::DType::int32}),
                      nb::DType::int32);
    return model.fit(x, y, {.batch_size = 8, .epochs = 3, .verbose = 0, .validation_split = 0.25}).history;
  };
  auto h1 = run(), h2 = run();
  EXPECT_EQ(h1, h2);
  EXPECT_EQ(h1.at("loss").size(), 3u);
  EXPECT_TRUE(h1.count("val_accuracy"));
  nb::set_num_threads(saved_threads);
}

TEST(Fit, AcceptsADatasetAndCallsCallbacks) {
  nb::random::set_seed(4);
  nb::Sequential model({nb::Input({2}), nb::layers::Dense(1)});
  model.compile({.optimizer = nb::optimizers::SGD({.learning_rate = 0.1}), .loss = "mse"});
  auto x = nb::random::normal({40, 2});
  auto y = nb::matmul(x, nb::constant({{2.f}, {-1.f}})) + 0.5f;
  auto ds = nb::data::Dataset::from_tensor_slices({x, y}).batch(10);
  int epochs_begun = 0, batches = 0;
  auto counter = nb::callbacks::LambdaCallback({
      .on_epoch_begin = [&](int, const nb::Logs&) { ++epochs_begun; },
      .on_train_batch_end = [&](int64_t, const nb::Logs& logs) { ++batches; EXPECT_TRUE(logs.contains("loss")); },
  });
  auto h = model.fit(ds, {.epochs = 30, .verbose = 0, .callbacks = {counter}});
  EXPECT_EQ(epochs_begun, 30);
  EXPECT_EQ(batches, 30 * 4);
  EXPECT_LT(h.history.at("loss").back(), 0.01);  // a linear target is learned
  EXPECT_LT(model.evaluate(ds, {.verbose = 0}).at("loss"), 0.01);
}

TEST(Callbacks, EarlyStoppingStopsAndRestoresBestWeights) {
  nb::Sequential model({nb::Input({1}), nb::layers::Dense(1)});
  model.compile({.optimizer = nb::optimizers::SGD({.learning_rate = 0.0}), .loss = "mse"});
  // Drive the callback with a known val_loss sequence: best at epoch 1, then worse.
  nb::callbacks::EarlyStopping es({.patience = 2, .restore_best_weights = true});
  es.set_model(&model);
  es.on_train_begin({});
  const double seq[] = {1.0, 0.5, 0.6, 0.7, 0.8};
  int stopped_at = -1;
  for (int e = 0; e < 5 && stopped_at < 0; ++e) {
    model.set_weights({nb::constant({{float(e)}}), nb::constant({0.f})});
    es.on_epoch_end(e, {{"val_loss", seq[e]}});
    if (model.stop_training) stopped_at = e;
  }
  EXPECT_EQ(stopped_at, 3);  // wait reaches patience 2 at epoch 3
  EXPECT_EQ(es.stopped_epoch(), 3);
  es.on_train_end({});
  EXPECT_EQ(vals(model.get_weights()[0])[0], 1.f);  // weights of epoch 1
  nb::callbacks::EarlyStopping bad({.monitor = "mystery"});
  bad.set_model(&model);
  bad.on_train_begin({});
  EXPECT_THROW(bad.on_epoch_end(0, {{"mystery", 1.0}}), nb::InvalidArgument);  // direction unknown in "auto"
}

TEST(Callbacks, ReduceLROnPlateauAndScheduler) {
  nb::Sequential model({nb::Input({1}), nb::layers::Dense(1)});
  model.compile({.optimizer = nb::optimizers::SGD({.learning_rate = 1.0}), .loss = "mse"});
  nb::callbacks::ReduceLROnPlateau r({.monitor = "loss", .factor = 0.5, .patience = 1, .min_lr = 0.2});
  r.set_model(&model);
  r.on_train_begin({});
  const double seq[] = {1.0, 1.0, 1.0, 1.0, 1.0};
  std::vector<double> lrs;
  for (int e = 0; e < 5; ++e) {
    r.on_epoch_end(e, {{"loss", seq[e]}});
    lrs.push_back(model.optimizer().learning_rate());
  }
  EXPECT_EQ(lrs, std::vector<double>({1.0, 0.5, 0.25, 0.2, 0.2}));
  EXPECT_THROW(nb::callbacks::ReduceLROnPlateau({.factor = 1.0}), nb::InvalidArgument);

  auto sched = nb::callbacks::LearningRateScheduler([](int epoch, double) { return 0.1 / (epoch + 1); });
  std::vector<double> seen;
  auto probe = nb::callbacks::LambdaCallback(
      {.on_epoch_end = [&](int, const nb::Logs&) { seen.push_back(model.optimizer().learning_rate()); }});
  model.fit(nb::ones({4, 1}), nb::ones({4, 1}), {.epochs = 3, .verbose = 0, .callbacks = {sched, probe}});
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_DOUBLE_EQ(seen[0], 0.1);
  EXPECT_DOUBLE_EQ(seen[2], 0.1 / 3);
}

TEST(Callbacks, TerminateOnNaNAndCsvLogger) {
  nb::Sequential model({nb::Input({1}), nb::layers::Dense(1)});
  model.compile({.optimizer = nb::optimizers::SGD({.learning_rate = 1e30}), .loss = "mse"});
  auto h = model.fit(nb::constant({{1e10f}, {2e10f}}), nb::constant({{1.f}, {2.f}}),
                     {.batch_size = 1, .epochs = 50, .verbose = 0, .callbacks = {nb::callbacks::TerminateOnNaN()}});
  EXPECT_LT(h.history.at("loss").size(), 50u);

  std::string path = ::testing::TempDir() + "/nabla_csv_logger.csv";
  nb::Sequential m2({nb::Input({1}), nb::layers::Dense(1)});
  m2.compile({.optimizer = "sgd", .loss = "mse", .metrics = {"mae"}});
  auto h2 = m2.fit(nb::ones({4, 1}), nb::ones({4, 1}),
                   {.epochs = 2, .verbose = 0, .callbacks = {nb::callbacks::CSVLogger(path)}});
  std::ifstream in(path);
  std::string header, row0, row1;
  std::getline(in, header);
  std::getline(in, row0);
  std::getline(in, row1);
  EXPECT_EQ(header, "epoch,loss,mae,val_loss,val_mae\r");  // Keras keeps the name given to compile
  EXPECT_EQ(row1.substr(0, 2), "1,");
  EXPECT_NE(row0.find("NA"), std::string::npos);  // no validation data
}

TEST(Callbacks, CsvLoggerColumnsFollowTheLogs) {
  std::string path = ::testing::TempDir() + "/nabla_csv_logger_columns.csv";
  nb::Sequential m({nb::Input({2}), nb::layers::Dense(3)});
  m.compile({.optimizer = "sgd", .loss = nb::losses::SparseCategoricalCrossentropy({.from_logits = true}),
             .metrics = {"accuracy"}});
  m.fit(nb::ones({10, 2}), nb::zeros({10}, nb::int32),
        {.epochs = 1, .verbose = 0, .callbacks = {nb::callbacks::CSVLogger(path)}, .validation_split = 0.2});
  std::ifstream in(path);
  std::string header;
  std::getline(in, header);
  EXPECT_EQ(header, "epoch,loss,accuracy,val_loss,val_accuracy\r");
}

TEST(Progbar, KerasFormatting) {
  using P = nb::callbacks::ProgbarLogger;
  EXPECT_EQ(P::format_bar(1875, 1875), "1875/1875 [==============================]");
  EXPECT_EQ(P::format_bar(1, 1875), "   1/1875 [..............................]");
  EXPECT_EQ(P::format_bar(938, 1875), " 938/1875 [==============>...............]");
  EXPECT_EQ(P::format_bar(12, 0), "     12/Unknown");
  EXPECT_EQ(P::format_value(0.29341), "0.2934");
  EXPECT_EQ(P::format_value(0.0001234), "1.2340e-04");
  EXPECT_EQ(P::format_per_step(0.0012), "1ms/step");
  EXPECT_EQ(P::format_per_step(2.4), "2s/step");
  EXPECT_EQ(P::format_per_step(0.00042), "420us/step");
  EXPECT_EQ(P::format_eta(5.5), "5s");
  EXPECT_EQ(P::format_eta(65), "1:05");
  EXPECT_EQ(P::format_eta(3665), "1:01:05");
}

TEST(Progbar, OneLinePerEpochWhenNotATerminal) {
  std::ostringstream out;
  nb::callbacks::ProgbarLogger p({.verbose = 1, .out = &out, .live = false});
  p.set_params(2, 3);
  p.on_train_begin({});
  for (int e = 0; e < 2; ++e) {
    p.on_epoch_begin(e, {});
    for (int b = 0; b < 3; ++b) p.on_train_batch_end(b, {{"loss", 0.5}, {"accuracy", 0.75}});
    p.on_epoch_end(e, {{"loss", 0.5}, {"accuracy", 0.75}, {"val_loss", 0.25}, {"val_accuracy", 0.8}});
  }
  std::string s = out.str();
  std::regex line(
      R"(Epoch 1/2\n3/3 \[==============================\] - 0s \d+(us|ms)/step - loss: 0\.5000 - accuracy: 0\.7500 - val_loss: 0\.2500 - val_accuracy: 0\.8000\nEpoch 2/2\n3/3 \[=+\] .*\n)");
  EXPECT_TRUE(std::regex_match(s, line)) << s;
}

TEST(Progbar, VerboseTwoIsCompact) {
  std::ostringstream out;
  nb::callbacks::ProgbarLogger p({.verbose = 2, .out = &out, .live = false});
  p.set_params(1, 4);
  p.on_train_begin({});
  p.on_epoch_begin(0, {});
  for (int b = 0; b < 4; ++b) p.on_train_batch_end(b, {{"loss", 1.25}});
  p.on_epoch_end(0, {{"loss", 1.25}});
  EXPECT_TRUE(std::regex_match(out.str(), std::regex(R"(4/4 - 0s - loss: 1\.2500 - 0s/epoch - \d+(us|ms)/step\n)")))
      << out.str();
}

}  // namespace
