// Sub-commands of the `nabla` tool. Each registers its flags on the CLI11 app
// and returns the function that runs it (exit code).
#pragma once
#include <functional>
#include <CLI/CLI.hpp>

#include <stdexcept>

namespace nabla::cli {

// A bad flag value found after parsing (exit code 2, like CLI11's own errors).
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::function<int()> add_train_command(CLI::App& app);
std::function<int()> add_summary_command(CLI::App& app);
std::function<int()> add_evaluate_command(CLI::App& app);
std::function<int()> add_predict_command(CLI::App& app);
std::function<int()> add_info_command(CLI::App& app);
std::function<int()> add_bench_command(CLI::App& app);

}  // namespace nabla::cli
