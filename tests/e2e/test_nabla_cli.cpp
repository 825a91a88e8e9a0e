// The `nabla` command: flags, exit codes, messages, the --json contract.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

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
      {"train --model cnn", "cnn"},
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
