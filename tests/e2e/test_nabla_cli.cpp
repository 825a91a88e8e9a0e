// The `nabla` command: flags, exit codes, messages, the --json contract.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli_util.h"

namespace {

bool has_fashion_mnist() { return std::filesystem::exists("/usr/share/datasets/fashion-mnist"); }

TEST(NablaCli, HelpAndInfo) {
  CliResult help = run_nabla("--help");
  EXPECT_EQ(help.exit_code, 0) << help.output;
  EXPECT_NE(help.output.find("train"), std::string::npos);
  CliResult train_help = run_nabla("train --help");
  EXPECT_EQ(train_help.exit_code, 0);
  for (const char* flag : {"--model", "--data", "--epochs", "--batch-size", "--optimizer", "--lr",
                           "--validation-split", "--seed", "--threads", "--quiet", "--json"})
    EXPECT_NE(train_help.output.find(flag), std::string::npos) << flag;
  CliResult info = run_nabla("info");
  EXPECT_EQ(info.exit_code, 0) << info.output;
  EXPECT_NE(info.output.find("OpenBLAS"), std::string::npos) << info.output;
  EXPECT_NE(info.output.find("threads:"), std::string::npos) << info.output;
}

TEST(NablaCli, BadFlagsExitWithCode2AndNameTheFlag) {
  struct Case {
    const char* args;
    const char* mention;
  } cases[] = {
      {"train --epochs -1", "--epochs"},
      {"train --epochs many", "--epochs"},
      {"train --batch-size 0", "--batch-size"},
      {"train --lr -0.1", "--lr"},
      {"train --validation-split 2", "--validation-split"},
      {"train --optimizer sgdd", "--optimizer"},
      {"train --model rnn", "rnn"},
      {"bench rnn", "rnn"},
      {"bench cnn --limit -5", "--limit"},
      {"train --model nosuch.json", "nosuch.json"},
      {"train --bogus", "--bogus"},
      {"frobnicate", "subcommand"},
      {"", "subcommand"},
  };
  for (const Case& c : cases) {
    CliResult r = run_nabla(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.output;
    EXPECT_NE(r.output.find(c.mention), std::string::npos) << c.args << "\n" << r.output;
  }
}

TEST(NablaCli, MissingDataIsARuntimeErrorWithTheInstallHint) {
  CliResult r = run_nabla("train --quiet --data /nonexistent/fashion");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("dataset-fashion-mnist"), std::string::npos) << r.output;
}

TEST(NablaCli, BadModelConfigIsARuntimeError) {
  std::string path = ::testing::TempDir() + "/nabla_bad_model.json";
  std::ofstream(path) << "{\"class_name\": \"Sequential\", \"config\": {\"layers\": [{\"class_name\": \"Dense\"";
  CliResult r = run_nabla("summary --model " + path);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("not valid JSON"), std::string::npos) << r.output;
}

TEST(NablaCli, SummaryOfTheMlpPreset) {
  CliResult r = run_nabla("summary");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("Total params: 101,770"), std::string::npos) << r.output;
}

TEST(NablaCli, SummaryOfTheCnnPreset) {
  // Keras: Conv2D 288 (no bias) + BatchNormalization 128 + Conv2D 18,432 +
  // BatchNormalization 256 + Dense 401,408 + BatchNormalization 512 + Dense 1,290
  // (activations, pooling, Dropout: none); the moving statistics (448) are not trainable.
  CliResult r = run_nabla("summary cnn");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("Total params: 422,314"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("Non-trainable params: 448"), std::string::npos) << r.output;
  for (const char* layer : {"(Conv2D)", "batch_normalization (BatchN", "(None, 28, 28, 32)", "(None, 14, 14, 32)", "(None, 7, 7, 64)", "(None, 3136)"})
    EXPECT_NE(r.output.find(layer), std::string::npos) << layer << "\n" << r.output;
}

// The CNN preset on 3000 training images for two epochs: it trains with batch 64 by
// default and its training accuracy beats chance (0.1) by far; the full 5-epoch >= 0.91
// run is in test_training.cpp. The test accuracy is not checked here: after 94 steps the
// BatchNormalization moving statistics (momentum 0.99) are still far from the data's,
// so inference is poor, exactly as in Keras.
TEST(NablaCli, TrainCnnPresetOnASubsetLearns) {
  if (!has_fashion_mnist()) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  CliResult r = run_nabla("train --model cnn --epochs 2 --train-samples 3000 --quiet --json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = nlohmann::json::parse(last_line(r.output));
  EXPECT_EQ(j["batch_size"], 64) << j.dump();
  EXPECT_EQ(j["epoch_seconds"].size(), 2u) << j.dump();
  EXPECT_GT(j["initial_test_loss"].get<double>(), 2.0) << j.dump();
  const auto loss = j["history"]["loss"].get<std::vector<double>>();
  const auto accuracy = j["history"]["accuracy"].get<std::vector<double>>();
  ASSERT_EQ(loss.size(), 2u) << j.dump();
  EXPECT_LT(loss[1], loss[0]) << j.dump();
  EXPECT_LT(loss[1], 1.0) << j.dump();
  EXPECT_GE(accuracy[1], 0.65) << j.dump();
  // --batch-size still overrides the preset's default.
  CliResult b = run_nabla("train --model cnn --epochs 1 --train-samples 128 --batch-size 128 --quiet --json");
  ASSERT_EQ(b.exit_code, 0) << b.output;
  EXPECT_EQ(nlohmann::json::parse(last_line(b.output))["batch_size"], 128);
}

// `nabla bench mlp|cnn --json` on a few batches: one JSON line in the peers' format
// (bench/compare_train.py reads it).
TEST(NablaCli, BenchJsonHasThePeersFields) {
  if (!has_fashion_mnist()) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  for (auto [workload, batch] : {std::pair<std::string, int>{"mlp", 32}, {"cnn", 64}}) {
    CliResult r = run_nabla("bench " + workload + " --limit 640 --epochs 2 --threads 2 --json");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    auto j = nlohmann::json::parse(last_line(r.output));
    EXPECT_EQ(j["framework"], "nabla") << j.dump();
    EXPECT_EQ(j["model"], workload) << j.dump();
    EXPECT_EQ(j["batch_size"], batch) << j.dump();
    EXPECT_EQ(j["train_images"], 640) << j.dump();
    EXPECT_EQ(j["threads"], 2) << j.dump();
    ASSERT_EQ(j["epoch_seconds"].size(), 2u) << j.dump();
    for (double s : j["epoch_seconds"].get<std::vector<double>>()) EXPECT_GT(s, 0.0) << j.dump();
    EXPECT_GT(j["images_per_second"].get<double>(), 0.0) << j.dump();
    // 20 batches of Adam from chance level (loss log(10) = 2.30): the loss went down and
    // the test accuracy is well above chance (0.1).
    EXPECT_LT(j["final_loss"].get<double>(), 2.0) << j.dump();
    EXPECT_GT(j["test_accuracy"].get<double>(), 0.4) << j.dump();
    EXPECT_LE(j["test_accuracy"].get<double>(), 1.0) << j.dump();
  }
}

// NABLA_GRAPH_PROFILE=1: at exit, a table of the compiled graphs' nodes with their
// calls and times (docs/performance.md).
TEST(NablaCli, GraphProfileListsEveryNodeOfTheTrainStep) {
  if (!has_fashion_mnist()) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  CliResult r = run_nabla("bench mlp --limit 640 --threads 1", "NABLA_GRAPH_PROFILE=1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("nabla graph profile (NABLA_GRAPH_PROFILE)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("us/call  node [output shape]"), std::string::npos) << r.output;
  // One row per node and output shape, with its number of calls: 20 steps of 32 images,
  // the first of which is the trace (it runs eagerly), so the graph runs 19 times.
  auto calls_of = [&](const std::string& node) -> long {
    std::istringstream lines(r.output);
    for (std::string line; std::getline(lines, line);) {
      if (line.size() < node.size() || line.compare(line.size() - node.size(), node.size(), node) != 0) continue;
      std::istringstream cols(line);
      double total_ms = 0;
      std::string share;
      long calls = -1;
      cols >> total_ms >> share >> calls;
      return calls;
    }
    return -1;
  };
  for (const char* node : {"  FusedMatMul [32,128]", "  BatchMatMulV2 [784,128]", "  OptimizerApply(Adam)",
                           "  FusedElementwise [32,28,28]"})
    EXPECT_EQ(calls_of(node), 19) << node << "\n" << r.output;
  // Without the variable: no table.
  CliResult quiet = run_nabla("bench mlp --limit 640 --threads 1");
  ASSERT_EQ(quiet.exit_code, 0) << quiet.output;
  EXPECT_EQ(quiet.output.find("nabla graph profile"), std::string::npos) << quiet.output;
}

TEST(NablaCli, TrainJsonIsDeterministicForASeed) {
  if (!has_fashion_mnist()) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  const std::string args = "train --epochs 1 --threads 1 --seed 3 --quiet --json --validation-split 0.1";
  CliResult a = run_nabla(args), b = run_nabla(args);
  ASSERT_EQ(a.exit_code, 0) << a.output;
  ASSERT_EQ(b.exit_code, 0) << b.output;
  auto ja = nlohmann::json::parse(last_line(a.output)), jb = nlohmann::json::parse(last_line(b.output));
  EXPECT_EQ(ja["history"], jb["history"]);
  EXPECT_EQ(ja["test_accuracy"], jb["test_accuracy"]);
  EXPECT_TRUE(ja["history"].contains("val_loss"));
  EXPECT_EQ(ja["epoch_seconds"].size(), 1u);
}

}  // namespace
