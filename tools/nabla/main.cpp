// nabla: train and inspect models from the command line.
//
//   nabla train [--model mlp|cnn|CONFIG.json] [--epochs N] [--json] ...
//   nabla summary [MODEL.nabla|mlp|cnn|CONFIG.json] [--json]
//   nabla evaluate MODEL.nabla [--json]
//   nabla predict MODEL.nabla [--count N] [--json]
//   nabla info
//   nabla bench mlp|cnn [--limit N] [--json]
//
// Exit codes: 0 success, 1 runtime error (message on stderr), 2 bad flags.
#include <cblas.h>

#include <iostream>
#include <thread>

#include "commands.h"
#include "nabla/nabla.h"

namespace nabla::cli {

std::function<int()> add_info_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("info", "Print the version, build options, BLAS, threads and devices");
  return [cmd]() -> int {
    if (!cmd->parsed()) return -1;
    std::cout << "nabla " << NABLA_VERSION << "\n"
              << "build: " << NABLA_BUILD_TYPE << ", " << NABLA_COMPILER << ", C++20"
              << (NABLA_NATIVE_FLAG ? ", -march=native" : "") << "\n"
              << "BLAS: " << openblas_get_config() << " (run single-threaded inside nabla's pool)\n"
              << "threads: " << get_num_threads() << " (hardware: " << std::thread::hardware_concurrency() << ")\n"
              << "CUDA back end: " << (cuda::is_built() ? "built" : "not built") << "\n"
              << "devices:\n";
    for (const PhysicalDevice& d : list_physical_devices())
      std::cout << "  " << d.device.str() << "  " << d.description
                << (d.memory_bytes ? " (" + std::to_string(d.memory_bytes >> 20) + " MiB)" : std::string()) << "\n";
    if (cuda::is_built() && cuda::device_count() == 0) std::cout << "  no GPU: " << cuda::unavailable_reason() << "\n";
    return 0;
  };
}

}  // namespace nabla::cli

int main(int argc, char** argv) {
  CLI::App app{"nabla: a deep-learning framework in C++20 (Keras-style training from the command line)", "nabla"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("nabla ") + NABLA_VERSION);
  auto train = nabla::cli::add_train_command(app);
  auto summary = nabla::cli::add_summary_command(app);
  auto evaluate = nabla::cli::add_evaluate_command(app);
  auto predict = nabla::cli::add_predict_command(app);
  auto info = nabla::cli::add_info_command(app);
  auto bench = nabla::cli::add_bench_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Help/version exit 0; bad flags or values exit 2 with CLI11's message.
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  try {
    for (auto* f : {&train, &summary, &evaluate, &predict, &info, &bench}) {
      int rc = (*f)();
      if (rc >= 0) return rc;
    }
    return 2;
  } catch (const nabla::cli::UsageError& e) {
    std::cerr << "nabla: " << e.what() << "\nRun with --help for more information.\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "nabla: error: " << e.what() << "\n";
    return 1;
  }
}
