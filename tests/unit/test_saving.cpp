// Model files, weights files and checkpoints: bit-identical reloads of every
// kind of model, continued training, skip_mismatch, foreign safetensors files,
// bad files, ModelCheckpoint, and exact resume after an interrupted fit.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "nabla/nabla.h"

namespace nb = nabla;
namespace fs = std::filesystem;

namespace {

fs::path temp_dir(const std::string& name) {
  auto d = fs::temp_directory_path() / ("nabla_save_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// Bitwise equality of two tensors (dtype, shape and every byte).
::testing::AssertionResult bit_equal(const nb::Tensor& a, const nb::Tensor& b) {
  if (a.dtype() != b.dtype() || a.shape() != b.shape())
    return ::testing::AssertionFailure() << "dtype/shape differ: " << a.shape().str() << " vs " << b.shape().str();
  nb::Tensor ca = a.contiguous(), cb = b.contiguous();
  if (std::memcmp(ca.raw_data(), cb.raw_data(), size_t(ca.size()) * nb::dtype_size(ca.dtype())) != 0)
    return ::testing::AssertionFailure() << "values differ";
  return ::testing::AssertionSuccess();
}

void expect_same_weights(nb::Model& a, nb::Model& b) {
  auto wa = a.get_weights(), wb = b.get_weights();
  ASSERT_EQ(wa.size(), wb.size());
  for (size_t i = 0; i < wa.size(); ++i) EXPECT_TRUE(bit_equal(wa[i], wb[i])) << "weight " << i;
}

struct Data {
  nb::Tensor x, y;
};
Data toy_data(int64_t n = 64, int64_t features = 6, int classes = 3) {
  nb::random::Generator g(7);
  nb::Tensor x = nb::random::normal({n, features}, {}, g);
  nb::Tensor y = nb::cast(nb::argmax(x.index({nb::Slice(), nb::Slice(0, classes)}), 1), nb::int32);
  return {x, y};
}

std::shared_ptr<nb::Sequential> small_mlp() {
  return std::make_shared<nb::Sequential>(
      std::vector<nb::LayerRef>{nb::Input({6}), nb::layers::Dense(8, {.activation = "relu", .name = "hidden"}),
                                nb::layers::Dropout(0.25), nb::layers::Dense(3, {.name = "logits"})},
      nb::LayerOptions{.name = "mlp"});
}

void compile_adam(nb::Model& m) {
  m.compile({.optimizer = nb::optimizers::Adam({.learning_rate = 0.01}),
             .loss = nb::losses::SparseCategoricalCrossentropy({.from_logits = true}),
             .metrics = {"accuracy"}});
}

// A registered subclassed model: two Dense layers and a width argument.
struct Residual : nb::Model {
  explicit Residual(int64_t width = 5, const nb::LayerOptions& o = {}) : nb::Model(o), width_(width) {}
  int64_t width_;  // declared first: d1 is built from it
  nb::layers::Dense d1{width_, {.activation = "tanh"}};
  nb::layers::Dense d2{3};
  nb::Tensor call(const nb::Tensor& x, bool) override { return d2(d1(x)); }
  std::string class_name() const override { return "TestResidual"; }
  nlohmann::json get_config() const override {
    nlohmann::json c = nb::Model::get_config();
    c["width"] = width_;
    return c;
  }
  static std::shared_ptr<nb::Layer> from_config(const nlohmann::json& c) {
    return std::make_shared<Residual>(c.at("width").get<int64_t>(), nb::LayerOptions{.name = c.at("name")});
  }
};
NB_REGISTER_LAYER(Residual, "TestResidual");

// Not registered: savable by weights only.
struct Unregistered : nb::Model {
  nb::layers::Dense d{3};
  nb::Tensor call(const nb::Tensor& x, bool) override { return d(x); }
};

}  // namespace

TEST(ModelFile, SequentialReloadsBitIdenticallyAndKeepsTraining) {
  auto dir = temp_dir("seq");
  Data d = toy_data();
  auto m = small_mlp();
  compile_adam(*m);
  m->fit(d.x, d.y, {.batch_size = 16, .epochs = 2, .verbose = 0, .seed = 3});
  m->save((dir / "m.nabla").string());

  auto loaded = nb::load_model(dir / "m.nabla");
  EXPECT_EQ(loaded->class_name(), "Sequential");
  EXPECT_EQ(loaded->name(), "mlp");
  expect_same_weights(*m, *loaded);
  EXPECT_TRUE(bit_equal(m->predict(d.x), loaded->predict(d.x)));
  // Compile config and optimizer state came back.
  ASSERT_TRUE(loaded->compiled());
  EXPECT_EQ(loaded->optimizer().class_name(), "Adam");
  EXPECT_EQ(loaded->optimizer().learning_rate(), 0.01);
  EXPECT_EQ(loaded->optimizer().iterations(), m->optimizer().iterations());
  auto sa = m->optimizer().variables(), sb = loaded->optimizer().variables();
  ASSERT_EQ(sa.size(), sb.size());
  for (size_t i = 0; i < sa.size(); ++i) EXPECT_TRUE(bit_equal(sa[i].second->value(), sb[i].second->value()));
  EXPECT_EQ(m->get_compile_config().dump(), loaded->get_compile_config().dump());
  // Continued training from the file follows the original exactly.
  nb::random::set_seed(11);
  m->fit(d.x, d.y, {.batch_size = 16, .epochs = 1, .verbose = 0, .seed = 4});
  nb::random::set_seed(11);
  loaded->fit(d.x, d.y, {.batch_size = 16, .epochs = 1, .verbose = 0, .seed = 4});
  expect_same_weights(*m, *loaded);
  fs::remove_all(dir);
}

TEST(ModelFile, FunctionalMultiInputMultiOutput) {
  auto dir = temp_dir("func");
  auto a = nb::Input({4}, {.name = "a"});
  auto b = nb::Input({2}, {.name = "b"});
  auto shared = nb::layers::Dense(5, {.activation = "relu", .name = "shared"});
  auto h = nb::layers::Concatenate()({shared(a), b});
  auto out1 = nb::layers::Dense(1, {.name = "reg"})(h);
  auto out2 = nb::layers::Dense(3, {.activation = "softmax", .name = "cls"})(h);
  nb::Model m({a, b}, {out1, out2}, {.name = "two_heads"});
  m.compile({.optimizer = "sgd", .losses = {"mse", "sparse_categorical_crossentropy"}, .loss_weights = {0.5, 1.0}});
  nb::Tensor xa = nb::random::normal({10, 4}), xb = nb::random::normal({10, 2});
  m.save((dir / "f.nabla").string());
  auto loaded = nb::load_model(dir / "f.nabla");
  EXPECT_TRUE(loaded->is_functional());
  auto p1 = m.predict({xa, xb}), p2 = loaded->predict({xa, xb});
  ASSERT_EQ(p1.size(), 2u);
  for (size_t i = 0; i < 2; ++i) EXPECT_TRUE(bit_equal(p1[i], p2[i]));
  auto paths = loaded->weight_paths();
  ASSERT_EQ(paths.size(), 6u);
  EXPECT_EQ(paths[0].first, "shared/kernel");
  EXPECT_EQ(loaded->get_compile_config()["loss_weights"], nlohmann::json({0.5, 1.0}));
  fs::remove_all(dir);
}

TEST(ModelFile, RegisteredSubclassedModelThroughTheRegistry) {
  auto dir = temp_dir("sub");
  Residual m(7, {.name = "res"});
  Data d = toy_data();
  compile_adam(m);
  m.fit(d.x, d.y, {.batch_size = 32, .epochs = 1, .verbose = 0, .seed = 1});
  m.save((dir / "r.nabla").string());
  // A different process would name the Dense layers differently: make new ones here first.
  Residual other;
  other(d.x);
  auto loaded = nb::load_model(dir / "r.nabla");
  ASSERT_NE(dynamic_cast<Residual*>(loaded.get()), nullptr);
  EXPECT_EQ(dynamic_cast<Residual*>(loaded.get())->width_, 7);
  EXPECT_TRUE(bit_equal(m.predict(d.x), loaded->predict(d.x)));
  EXPECT_EQ(loaded->optimizer().iterations(), 2);
}

TEST(ModelFile, UnregisteredSubclassedModelSavesWeightsOnly) {
  auto dir = temp_dir("unreg");
  Unregistered m;
  Data d = toy_data();
  m(d.x);
  try {
    m.save((dir / "u.nabla").string());
    ADD_FAILURE() << "saved a model it cannot rebuild";
  } catch (const nb::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("NB_REGISTER_LAYER"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(dir / "u.nabla"));
  m.save_weights((dir / "u.safetensors").string());
  Unregistered fresh;
  fresh(d.x);
  fresh.load_weights((dir / "u.safetensors").string());
  EXPECT_TRUE(bit_equal(m.predict(d.x), fresh.predict(d.x)));
  // A weights file is not a model file.
  EXPECT_THROW(nb::load_model(dir / "u.safetensors"), nb::InvalidArgument);
  fs::remove_all(dir);
}

TEST(ModelFile, LoadWeightsByPathSkipMismatchAndAllOrNothing) {
  auto dir = temp_dir("weights");
  auto src = small_mlp();
  src->save_weights((dir / "w.safetensors").string());
  // Same names, but the last layer has 4 units: a shape mismatch.
  nb::Sequential other({nb::Input({6}), nb::layers::Dense(8, {.activation = "relu", .name = "hidden"}),
                        nb::layers::Dense(4, {.name = "logits"})});
  auto before = other.get_weights();
  try {
    other.load_weights((dir / "w.safetensors").string());
    ADD_FAILURE() << "loaded mismatched weights";
  } catch (const nb::DataLoss& e) {
    EXPECT_NE(std::string(e.what()).find("'logits/kernel' is float32 [8,3] in the file but"), std::string::npos)
        << e.what();
  }
  auto after = other.get_weights();
  for (size_t i = 0; i < before.size(); ++i) EXPECT_TRUE(bit_equal(before[i], after[i])) << "nothing changed";
  other.load_weights((dir / "w.safetensors").string(), {.skip_mismatch = true});
  auto w = other.get_weights();
  auto s = src->get_weights();
  EXPECT_TRUE(bit_equal(w[0], s[0]));   // hidden/kernel loaded
  EXPECT_TRUE(bit_equal(w[1], s[1]));   // hidden/bias loaded
  EXPECT_TRUE(bit_equal(w[2], before[2]));  // logits/kernel skipped
  // A missing weight names itself.
  nb::Sequential extra({nb::Input({6}), nb::layers::Dense(8, {.name = "hidden"}), nb::layers::Dense(2, {.name = "more"})});
  try {
    extra.load_weights((dir / "w.safetensors").string());
    ADD_FAILURE();
  } catch (const nb::DataLoss& e) {
    EXPECT_NE(std::string(e.what()).find("'more/kernel'"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}

TEST(ModelFile, LoadsWeightsFromAFileWrittenByPythonSafetensors) {
  nb::Sequential m({nb::Input({3}), nb::layers::Dense(2, {.name = "dense"})});
  // The file also holds tensors this model lacks (counts, half): they are ignored.
  m.load_weights(std::string(NABLA_TEST_DATA_DIR) + "/safetensors/python_written.safetensors");
  auto y = m.predict(nb::constant({{1.f, 0.f, 0.f}, {0.f, 0.f, 1.f}}));
  // kernel = [[-0.5, -0.25], [0, 0.25], [0.5, 0.75]], bias = [1, -1].
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{0.5f, -1.25f, 1.5f, -0.25f}));
}

TEST(ModelFile, BadFilesGiveTypedErrorsAndNeverAPartialModel) {
  auto dir = temp_dir("bad");
  auto m = small_mlp();
  compile_adam(*m);
  m->save((dir / "ok.nabla").string());
  const std::string good = nb::io::read_file(dir / "ok.nabla");
  // Every truncation: DataLoss.
  for (size_t len = 0; len < good.size(); len += (len < 2000 ? 1 : 997))
    EXPECT_THROW(nb::load_model_from_buffer(good.substr(0, len)), nb::DataLoss) << len;
  // Rewrite the metadata of a valid file.
  nb::io::SafetensorsReader r = nb::io::SafetensorsReader::parse(good);
  std::vector<std::pair<std::string, nb::Tensor>> tensors;
  for (const auto& e : r.entries()) tensors.emplace_back(e.name, r.tensor(e));
  auto with_meta = [&](const std::string& key, const std::string& value) {
    auto meta = r.metadata();
    if (value.empty()) meta.erase(key);
    else meta[key] = value;
    return nb::io::encode_safetensors(tensors, meta);
  };
  auto expect_error = [&](const std::string& bytes, auto type_tag, const std::string& needle) {
    using E = decltype(type_tag);
    try {
      nb::load_model_from_buffer(bytes, {}, "bad.nabla");
      ADD_FAILURE() << "loaded a bad file; expected: " << needle;
    } catch (const E& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  expect_error(with_meta("format_version", "2"), nb::InvalidArgument(""), "version 2; this build of nabla reads");
  expect_error(with_meta("format_version", "x1"), nb::DataLoss(""), "not an integer");
  expect_error(with_meta("format", "other"), nb::InvalidArgument(""), "expected a nabla model file");
  expect_error(with_meta("model_config", "{\"class_name\": \"Sequential\", \"config\": "), nb::DataLoss(""),
               "not valid JSON");
  expect_error(with_meta("model_config", ""), nb::DataLoss(""), "lacks \"model_config\"");
  // Nesting deep enough to overflow the stack of a recursive copy: refused before parsing.
  expect_error(with_meta("model_config", "{\"class_name\": \"Sequential\", \"config\": " + std::string(200000, '[') +
                                             std::string(200000, ']') + "}"),
               nb::DataLoss(""), "levels deep");
  expect_error(with_meta("model_config", R"({"class_name": "NoSuchLayer", "config": {}})"), nb::NotFound(""),
               "NoSuchLayer");
  // A config describing far bigger layers than the file's weights.
  nlohmann::json cfg = nlohmann::json::parse(*r.metadata_value("model_config"));
  cfg["config"]["layers"][1]["config"]["units"] = int64_t(1) << 34;
  expect_error(with_meta("model_config", cfg.dump()), nb::DataLoss(""), "more data than the file");
  // A weight missing from the file.
  auto missing = tensors;
  missing.erase(missing.begin());
  expect_error(nb::io::encode_safetensors(missing, r.metadata()), nb::DataLoss(""), "missing from the file");
  // An optimizer slot of the wrong shape.
  nb::Model* raw = m.get();
  (void)raw;
  expect_error(with_meta("optimizer_state", R"({"iterations": 1, "built": true, "slots": ["hidden/kernel"]})"),
               nb::DataLoss(""), "slot variables for this model but the file holds 1");
  expect_error(with_meta("optimizer_state", "[1"), nb::DataLoss(""), "not valid JSON");
  EXPECT_THROW(nb::load_model(dir / "nope.nabla"), nb::NotFound);
  fs::remove_all(dir);
}

TEST(ModelFile, SavingReplacesTheFileAtomically) {
  auto dir = temp_dir("atomic_save");
  auto m = small_mlp();
  m->save((dir / "m.nabla").string());
  m->get_weights();
  m->layers()[0]->variables()[1]->assign(nb::ones({8}));
  m->save((dir / "m.nabla").string());
  auto loaded = nb::load_model(dir / "m.nabla");
  EXPECT_EQ(loaded->layers()[0]->variables()[1]->value().to_vector<float>(), std::vector<float>(8, 1.f));
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir)) files += (void(e), 1);
  EXPECT_EQ(files, 1) << "no temporary file left behind";
  fs::remove_all(dir);
}

TEST(ModelCheckpoint, FormatsPathsAndSavesOnlyTheBest) {
  nb::Logs v{{"epoch", 3}, {"val_loss", 0.123456}};
  EXPECT_EQ(nb::callbacks::format_checkpoint_path("m-{epoch:02d}-{val_loss:.2f}.nabla", v), "m-03-0.12.nabla");
  EXPECT_EQ(nb::callbacks::format_checkpoint_path("m{epoch}{{x}}", v), "m3{x}");
  EXPECT_THROW(nb::callbacks::format_checkpoint_path("m-{acc}", v), nb::InvalidArgument);
  EXPECT_THROW(nb::callbacks::format_checkpoint_path("m-{epoch:q}", v), nb::InvalidArgument);
  EXPECT_THROW(nb::callbacks::ModelCheckpoint("x", {.save_freq = "often"}), nb::InvalidArgument);

  auto dir = temp_dir("ckpt");
  Data d = toy_data();
  auto m = small_mlp();
  compile_adam(*m);
  auto best = std::make_shared<nb::callbacks::ModelCheckpoint>(
      (dir / "best.nabla").string(), nb::callbacks::ModelCheckpointOptions{.monitor = "loss", .save_best_only = true});
  auto every = nb::callbacks::ModelCheckpoint((dir / "e{epoch:02d}.weights").string(), {.save_weights_only = true});
  std::vector<double> saved_losses;
  nb::callbacks::History h = m->fit(d.x, d.y, {.batch_size = 16, .epochs = 4, .verbose = 0, .callbacks = {best, every}});
  for (int e = 1; e <= 4; ++e) EXPECT_TRUE(fs::exists(dir / ("e0" + std::to_string(e) + ".weights"))) << e;
  // best.nabla holds the epoch with the lowest loss: its weights are the ones saved then.
  const auto& losses = h.history.at("loss");
  size_t arg = size_t(std::min_element(losses.begin(), losses.end()) - losses.begin());
  auto best_model = nb::load_model(dir / "best.nabla");
  auto ref = small_mlp();
  ref->load_weights((dir / ("e0" + std::to_string(arg + 1) + ".weights")).string());
  expect_same_weights(*best_model, *ref);
  fs::remove_all(dir);
}

namespace {
// Throws at a given global batch: a crash in the middle of an epoch.
struct CrashAt : nb::Callback {
  explicit CrashAt(int64_t at) : at_(at) {}
  void on_train_batch_end(int64_t, const nb::Logs&) override {
    if (++seen_ == at_) throw nb::Internal("simulated crash");
  }
  int64_t at_, seen_ = 0;
};

// The uninterrupted run, and runs crashed at `crashes` global batches then resumed.
void check_resume(const std::vector<int64_t>& crashes, const std::string& save_freq, bool validation) {
  auto dir = temp_dir("resume");
  Data d = toy_data(100);
  auto run = [&](std::shared_ptr<nb::Callback> crash) {
    nb::random::set_seed(5);  // as a re-started program would
    auto m = small_mlp();     // has Dropout: draws from the default generator
    compile_adam(*m);
    std::vector<nb::CallbackArg> cbs = {nb::callbacks::BackupAndRestore(dir.string(), {.save_freq = save_freq})};
    if (crash) cbs.emplace_back(crash);
    nb::FitOptions o{.batch_size = 8, .epochs = 3, .verbose = 0, .callbacks = cbs};
    if (validation) o.validation_split = 0.2;
    m->fit(d.x, d.y, o);
    return m;
  };
  auto reference = [&] {
    nb::random::set_seed(5);
    auto m = small_mlp();
    compile_adam(*m);
    nb::FitOptions o{.batch_size = 8, .epochs = 3, .verbose = 0};
    if (validation) o.validation_split = 0.2;
    m->fit(d.x, d.y, o);
    return m;
  }();
  for (int64_t at : crashes) EXPECT_THROW(run(std::make_shared<CrashAt>(at)), nb::Internal);
  EXPECT_TRUE(fs::exists(dir / "checkpoint.nabla"));
  auto resumed = run(nullptr);
  expect_same_weights(*reference, *resumed);
  EXPECT_EQ(reference->optimizer().iterations(), resumed->optimizer().iterations());
  EXPECT_FALSE(fs::exists(dir / "checkpoint.nabla")) << "deleted after a completed fit";
  fs::remove_all(dir);
}
}  // namespace

TEST(BackupAndRestore, ResumesMidEpochToBitIdenticalWeights) {
  // 100 samples, batch 8: 13 batches per epoch. Checkpoints every 3 batches; crashes
  // (each counted from the resumed batch) inside epochs 1, 2 and 3.
  check_resume({5, 7, 11}, "3", false);
}

TEST(BackupAndRestore, ResumesAtEpochBoundariesWithValidation) { check_resume({20}, "epoch", true); }

TEST(Checkpoint, RestoresRandomGeneratorsAndRejectsBadFiles) {
  auto dir = temp_dir("ckpt_rng");
  auto m = std::make_shared<nb::Sequential>(std::vector<nb::LayerRef>{
      nb::Input({4}), nb::layers::Dropout(0.5, {.seed = 9, .name = "drop"}), nb::layers::Dense(2, {.name = "out"})});
  compile_adam(*m);
  m->layers()[0]->own_generators()[0].second->advance(17);
  nb::random::default_generator().set_state(123, 456);
  nb::save_checkpoint(*m, (dir / "c.nabla").string());
  m->layers()[0]->own_generators()[0].second->advance(5);
  nb::random::set_seed(1);
  nb::Model::TrainingState st = nb::restore_checkpoint(*m, (dir / "c.nabla").string());
  EXPECT_EQ(st.epoch, 0);
  EXPECT_EQ(m->layers()[0]->own_generators()[0].second->counter(), 17u);
  EXPECT_EQ(nb::random::default_generator().seed(), 123u);
  EXPECT_EQ(nb::random::default_generator().counter(), 456u);
  // A model file without training_state is not a checkpoint.
  m->save((dir / "plain.nabla").string());
  EXPECT_THROW(nb::restore_checkpoint(*m, (dir / "plain.nabla").string()), nb::DataLoss);
  // A checkpoint of another architecture leaves the model untouched.
  auto other = std::make_shared<nb::Sequential>(
      std::vector<nb::LayerRef>{nb::Input({4}), nb::layers::Dense(3, {.name = "out"})});
  compile_adam(*other);
  auto before = other->get_weights();
  EXPECT_THROW(nb::restore_checkpoint(*other, (dir / "c.nabla").string()), nb::DataLoss);
  auto after = other->get_weights();
  for (size_t i = 0; i < before.size(); ++i) EXPECT_TRUE(bit_equal(before[i], after[i]));
  fs::remove_all(dir);
}
