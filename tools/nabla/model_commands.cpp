// `nabla summary`, `nabla evaluate` and `nabla predict`: inspect and use a
// model -- a preset, a JSON config, or a saved .nabla file.
#include <algorithm>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "model_args.h"
#include "nabla/nabla.h"

namespace nabla::cli {

std::function<int()> add_summary_command(CLI::App& app) {
  struct Args {
    std::string model = "mlp", model_opt;
    bool json = false;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("summary", "Print a model's summary table");
  cmd->add_option("model", a->model, "Saved model (.nabla), preset (mlp, cnn) or JSON model config")->capture_default_str();
  cmd->add_option("--model", a->model_opt, "Same as the positional argument");
  cmd->add_flag("--json", a->json, "Print the model's config, weights and compile config as one line of JSON");
  return [cmd, a]() -> int {
    if (!cmd->parsed()) return -1;
    std::shared_ptr<Model> model = load_model_arg(a->model_opt.empty() ? a->model : a->model_opt);
    if (!a->json) {
      model->summary();
      return 0;
    }
    nlohmann::json j;
    j["name"] = model->name();
    j["class_name"] = model->class_name();
    j["params"] = model->built() ? model->count_params() : 0;
    nlohmann::json weights = nlohmann::json::array();
    if (model->built())
      for (const auto& [path, v] : model->weight_paths())
        weights.push_back({{"path", path}, {"shape", v->shape().vec()}, {"dtype", std::string(dtype_name(v->dtype()))}});
    j["weights"] = std::move(weights);
    j["compile_config"] = model->get_compile_config();
    std::cout << j.dump() << "\n";
    return 0;
  };
}

std::function<int()> add_evaluate_command(CLI::App& app) {
  struct Args {
    std::string model, data;
    int64_t batch_size = 256;
    int threads = 0;
    bool json = false, quiet = false;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("evaluate", "Evaluate a saved model on the Fashion-MNIST test set");
  cmd->add_option("model", a->model, "Saved model (.nabla)")->required();
  cmd->add_option("--data", a->data, "Fashion-MNIST folder (default as for train)");
  cmd->add_option("--batch-size", a->batch_size, "Batch size")
      ->capture_default_str()
      ->check(CLI::Range(int64_t(1), int64_t(1) << 40));
  cmd->add_option("--threads", a->threads, "Worker threads (0: one per core)")->check(CLI::Range(0, 1024));
  cmd->add_flag("--quiet", a->quiet, "No progress bar");
  cmd->add_flag("--json", a->json, "Print one line of JSON with the loss and metrics");
  return [cmd, a]() -> int {
    if (!cmd->parsed()) return -1;
    if (a->threads > 0) set_num_threads(a->threads);
    std::shared_ptr<Model> model = load_model_arg(a->model);
    if (!model->compiled()) compile_for_classification(*model);
    auto data = datasets::fashion_mnist::load({.path = a->data});
    Logs logs = model->evaluate(prepare_images(*model, data.x_test), data.y_test,
                                {.batch_size = a->batch_size, .verbose = a->quiet || a->json ? 0 : 1});
    if (a->json) {
      nlohmann::json j = nlohmann::json::object();
      for (const auto& [k, v] : logs) j["test_" + k] = v;
      j["samples"] = data.x_test.shape()[0];
      std::cout << j.dump() << "\n";
    } else {
      std::string line;
      for (const auto& [k, v] : logs) {
        std::ostringstream os;
        os << "test " << k << ": " << v;
        line += (line.empty() ? "" : " - ") + os.str();
      }
      std::cout << line << "\n";
    }
    return 0;
  };
}

std::function<int()> add_predict_command(CLI::App& app) {
  struct Args {
    std::string model, data;
    int64_t count = 10, start = 0;
    bool json = false;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("predict", "Classify Fashion-MNIST test images with a saved model");
  cmd->add_option("model", a->model, "Saved model (.nabla)")->required();
  cmd->add_option("--data", a->data, "Fashion-MNIST folder (default as for train)");
  cmd->add_option("--start", a->start, "Index of the first test image")->capture_default_str()->check(CLI::NonNegativeNumber);
  cmd->add_option("--count", a->count, "Number of images")->capture_default_str()->check(CLI::Range(int64_t(1), int64_t(1) << 40));
  cmd->add_flag("--json", a->json, "Print one line of JSON: predicted classes, scores and true labels");
  return [cmd, a]() -> int {
    if (!cmd->parsed()) return -1;
    std::shared_ptr<Model> model = load_model_arg(a->model);
    auto data = datasets::fashion_mnist::load({.path = a->data});
    const int64_t n = data.x_test.shape()[0];
    if (a->start >= n)
      throw UsageError("--start " + std::to_string(a->start) + ": the test set has " + std::to_string(n) + " images");
    const int64_t end = std::min(n, a->start + a->count);
    Tensor x = prepare_images(*model, data.x_test.index({Slice(a->start, end)}));
    Tensor y = data.y_test.index({Slice(a->start, end)});
    Tensor scores = cast(model->predict(x, {.batch_size = 256}), DType::float32).contiguous();
    NB_CHECK(scores.rank() == 2, InvalidArgument, "expected the model to output (batch, classes) scores, got shape ",
             scores.shape().str());
    const int64_t classes = scores.shape()[1];
    const auto names = datasets::fashion_mnist::class_names();
    Tensor labels = cast(y, DType::int64).contiguous();
    const float* s = scores.data<float>();
    const int64_t* lab = labels.data<int64_t>();
    nlohmann::json preds = nlohmann::json::array(), truth = nlohmann::json::array(), best = nlohmann::json::array();
    int64_t correct = 0;
    for (int64_t i = 0; i < end - a->start; ++i) {
      const float* row = s + i * classes;
      const int64_t k = std::max_element(row, row + classes) - row;
      correct += k == lab[i];
      preds.push_back(k);
      truth.push_back(lab[i]);
      best.push_back(row[k]);
      if (!a->json) {
        auto name = [&](int64_t c) { return c >= 0 && size_t(c) < names.size() ? names[size_t(c)] : std::to_string(c); };
        std::cout << "image " << a->start + i << ": predicted " << name(k) << " (" << k << ", score "
                  << std::setprecision(4) << row[k] << "), true " << name(lab[i]) << " (" << lab[i] << ")\n";
      }
    }
    if (a->json) {
      nlohmann::json j;
      j["start"] = a->start;
      j["predictions"] = preds;
      j["scores"] = best;
      j["labels"] = truth;
      j["correct"] = correct;
      std::cout << j.dump() << "\n";
    } else {
      std::cout << correct << " of " << end - a->start << " correct\n";
    }
    return 0;
  };
}

}  // namespace nabla::cli
