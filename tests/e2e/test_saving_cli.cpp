// Crash safety, end to end: a writer SIGKILLed during saves never leaves a
// broken file; `nabla train --resume` SIGKILLed mid-epoch and restarted ends
// with exactly the weights of an uninterrupted run; the model-file commands.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "cli_util.h"
#include "nabla/nabla.h"

extern char** environ;

namespace nb = nabla;
namespace fs = std::filesystem;

namespace {

fs::path temp_dir(const std::string& name) {
  auto d = fs::temp_directory_path() / ("nabla_e2e_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// A child process with stdout+stderr sent to `log`.
struct Child {
  pid_t pid = -1;
  Child(const std::vector<std::string>& argv, const fs::path& log) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    if (posix_spawn(&pid, args[0], &fa, nullptr, args.data(), environ) != 0) pid = -1;
    posix_spawn_file_actions_destroy(&fa);
  }
  // Exit code, or -signal.
  int wait() {
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  }
  int kill_and_wait() {
    ::kill(pid, SIGKILL);
    return wait();
  }
  // Polls until exit; true if it exited within `seconds` (code in *rc).
  bool wait_for(double seconds, int* rc) {
    auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < end) {
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        *rc = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return false;
  }
};

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

bool wait_until_exists(const fs::path& p, double seconds) {
  auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    if (fs::exists(p)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return false;
}

}  // namespace

TEST(CrashSafety, KillingTheWriterDuringSavesNeverBreaksTheFile) {
  auto dir = temp_dir("killsave");
  const fs::path model = dir / "m.nabla";
  std::mt19937 rng(12345);
  std::set<int64_t> versions;
  int kills = 0;
  for (int round = 0; round < 25; ++round) {
    Child c({NABLA_MODEL_FILE_TOOL, "save-loop", model.string()}, dir / "log.txt");
    ASSERT_GT(c.pid, 0);
    ASSERT_TRUE(wait_until_exists(model, 60)) << read_text(dir / "log.txt");
    // Each save writes ~0.5 MB; kill at a random moment among them.
    std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, 40000)(rng)));
    c.kill_and_wait();
    ++kills;
    // The file is always a complete, loadable model whose weights are all one version k.
    std::shared_ptr<nb::Model> m;
    ASSERT_NO_THROW(m = nb::load_model(model)) << "round " << round;
    double k = -1;
    for (const nb::Tensor& w : m->get_weights()) {
      std::vector<float> v = w.to_vector<float>();
      if (k < 0) k = v[0];
      for (float x : v) ASSERT_EQ(x, float(k)) << "a torn file mixes versions (round " << round << ")";
    }
    versions.insert(int64_t(k));
  }
  EXPECT_EQ(kills, 25);
  EXPECT_GE(versions.size(), 2u) << "the writer was killed at different points";
  // Killed writers may leave their temporary file; never a broken m.nabla.
  fs::remove_all(dir);
}

TEST(CrashSafety, NablaTrainResumedAfterSigkillReachesTheUninterruptedWeights) {
  auto dir = temp_dir("resume");
  const std::vector<std::string> common = {"train", "--epochs", "2", "--train-samples", "12000", "--seed", "3",
                                           "--threads", "2", "--quiet"};
  auto args = [&](std::vector<std::string> extra) {
    std::vector<std::string> a = {NABLA_CLI_PATH};
    a.insert(a.end(), common.begin(), common.end());
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  // The uninterrupted run.
  Child ref(args({"--save", (dir / "ref.nabla").string()}), dir / "ref.log");
  ASSERT_EQ(ref.wait(), 0) << read_text(dir / "ref.log");

  // Kill the resumable run at random moments after a checkpoint exists, and restart it.
  std::mt19937 rng(777);
  const fs::path ckpt = dir / "ck" / "checkpoint.nabla";
  int kills = 0, resumes = 0;
  bool done = false;
  for (int attempt = 0; attempt < 12 && !done; ++attempt) {
    Child c(args({"--resume", (dir / "ck").string(), "--checkpoint-every", "40", "--save", (dir / "out.nabla").string()}),
            dir / "run.log");
    ASSERT_GT(c.pid, 0);
    int rc = 0;
    const bool had_checkpoint = fs::exists(ckpt);
    if (attempt < 3) {
      // Let it train past a (new) checkpoint, then kill it mid-epoch.
      auto t0 = fs::exists(ckpt) ? fs::last_write_time(ckpt) : fs::file_time_type::min();
      bool saw_new = false;
      for (int i = 0; i < 20000 && !saw_new; ++i) {
        if (c.wait_for(0.002, &rc)) break;
        saw_new = fs::exists(ckpt) && fs::last_write_time(ckpt) != t0;
      }
      if (saw_new) {
        std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 60)(rng)));
        if (!c.wait_for(0, &rc)) {
          c.kill_and_wait();
          ++kills;
          resumes += had_checkpoint;
          continue;
        }
      }
      if (rc != 0) FAIL() << "run exited with " << rc << ":\n" << read_text(dir / "run.log");
      done = true;
    } else {
      resumes += had_checkpoint;
      ASSERT_EQ(c.wait(), 0) << read_text(dir / "run.log");
      done = true;
    }
  }
  ASSERT_TRUE(done);
  EXPECT_GE(kills, 1) << read_text(dir / "run.log");
  EXPECT_GE(resumes, 1) << "at least one restart continued from a checkpoint";
  EXPECT_NE(read_text(dir / "run.log").find("resuming from"), std::string::npos);
  EXPECT_FALSE(fs::exists(ckpt)) << "the checkpoint is removed once training completes";

  auto a = nb::io::SafetensorsReader::open(dir / "ref.nabla");
  auto b = nb::io::SafetensorsReader::open(dir / "out.nabla");
  ASSERT_EQ(a.entries().size(), b.entries().size());
  for (const auto& e : a.entries()) {
    const nb::io::SafetensorsEntry* f = b.find(e.name);
    ASSERT_NE(f, nullptr) << e.name;
    nb::Tensor ta = a.tensor(e), tb = b.tensor(*f);
    ASSERT_EQ(ta.shape(), tb.shape());
    EXPECT_EQ(std::memcmp(ta.raw_data(), tb.raw_data(), size_t(ta.size()) * nb::dtype_size(ta.dtype())), 0)
        << "tensor " << e.name << " differs after " << kills << " kills";
  }
  EXPECT_EQ(*a.metadata_value("optimizer_state"), *b.metadata_value("optimizer_state"));
  fs::remove_all(dir);
}

TEST(NablaCli, EvaluatePredictAndSummaryWorkOnSavedModels) {
  auto dir = temp_dir("cli_model");
  const std::string model = (dir / "m.nabla").string();
  const fs::path logs = dir / "tb";
  const fs::path csv = dir / "log.csv";
  CliResult train = run_nabla("train --epochs 1 --train-samples 6000 --validation-split 0.1 --quiet --json --save '" +
                              model + "' --tensorboard '" + logs.string() + "' --csv-log '" + csv.string() + "'");
  ASSERT_EQ(train.exit_code, 0) << train.output;
  auto tj = nlohmann::json::parse(last_line(train.output));
  EXPECT_EQ(tj["saved"], model);
  // --csv-log: the columns; --tensorboard: one event file per writer, starting with
  // a valid TFRecord (the event contents are checked in test_tensorboard.cpp and by
  // TensorBoard's own reader in tensorboard_python_reader).
  std::ifstream csv_in(csv);
  std::string header;
  std::getline(csv_in, header);
  EXPECT_EQ(header, "epoch,loss,accuracy,val_loss,val_accuracy\r");
  for (const char* sub : {"train", "validation"}) {
    int files = 0;
    for (const auto& e : fs::directory_iterator(logs / sub)) {
      ++files;
      EXPECT_EQ(e.path().filename().string().rfind("events.out.tfevents.", 0), 0u) << e.path();
      EXPECT_GT(fs::file_size(e.path()), 50u) << e.path();
    }
    EXPECT_EQ(files, 1) << sub;
  }

  CliResult ev = run_nabla("evaluate '" + model + "' --json");
  ASSERT_EQ(ev.exit_code, 0) << ev.output;
  auto ej = nlohmann::json::parse(last_line(ev.output));
  // The saved model evaluates exactly as the trained one did.
  EXPECT_EQ(ej["test_accuracy"].get<double>(), tj["test_accuracy"].get<double>());
  EXPECT_EQ(ej["test_loss"].get<double>(), tj["test_loss"].get<double>());
  EXPECT_EQ(ej["samples"], 10000);

  CliResult pr = run_nabla("predict '" + model + "' --count 20 --json");
  ASSERT_EQ(pr.exit_code, 0) << pr.output;
  auto pj = nlohmann::json::parse(last_line(pr.output));
  ASSERT_EQ(pj["predictions"].size(), 20u);
  EXPECT_EQ(pj["labels"][0], 9);  // the first test image is an ankle boot
  EXPECT_GE(pj["correct"].get<int>(), 12);
  CliResult text = run_nabla("predict '" + model + "' --count 2");
  EXPECT_NE(text.output.find("image 0: predicted"), std::string::npos) << text.output;

  CliResult sm = run_nabla("summary '" + model + "'");
  ASSERT_EQ(sm.exit_code, 0) << sm.output;
  EXPECT_NE(sm.output.find("Total params: 101,770"), std::string::npos) << sm.output;
  CliResult sj = run_nabla("summary '" + model + "' --json");
  auto sjj = nlohmann::json::parse(last_line(sj.output));
  EXPECT_EQ(sjj["params"], 101770);
  EXPECT_EQ(sjj["compile_config"]["optimizer"]["class_name"], "Adam");

  // Bad files: a clear error and exit code 1, never a crash.
  std::ofstream(dir / "bad.nabla") << "garbage that is not a model";
  CliResult bad = run_nabla("evaluate '" + (dir / "bad.nabla").string() + "'");
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_NE(bad.output.find("expected a JSON model config or a saved model"), std::string::npos) << bad.output;
  std::string bytes = nb::io::read_file(model);
  std::ofstream(dir / "trunc.nabla", std::ios::binary).write(bytes.data(), std::streamsize(bytes.size() / 2));
  CliResult tr = run_nabla("predict '" + (dir / "trunc.nabla").string() + "'");
  EXPECT_EQ(tr.exit_code, 1) << tr.output;
  EXPECT_NE(tr.output.find("trunc.nabla"), std::string::npos) << "the message names the file: " << tr.output;
  CliResult missing = run_nabla("evaluate '" + (dir / "none.nabla").string() + "'");
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
  fs::remove_all(dir);
}
