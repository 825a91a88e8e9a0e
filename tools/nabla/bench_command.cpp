// `nabla bench mlp|cnn`: the training-speed workloads compared with LibTorch and
// Keras by bench/run_train_bench.sh (same model, optimizer, batch and data):
//   mlp: Flatten, Dense(784->128, relu), Dense(128->10); batch 32
//   cnn: Conv(1->32, 3x3)+relu, MaxPool 2, Conv(32->64, 3x3)+relu, MaxPool 2, Flatten,
//        Dense(1600->128, relu), Dense(128->10); batch 64 (no Dropout: the peers have none)
// Both: Adam 1e-3, sparse cross-entropy from logits, uint8 images rescaled per batch.
#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "epoch_timer.h"
#include "nabla/nabla.h"

namespace nabla::cli {

namespace {

// The workload's model (uncompiled) and batch size.
std::pair<std::shared_ptr<Sequential>, int64_t> bench_model(const std::string& workload) {
  if (workload == "mlp")
    return {std::make_shared<Sequential>(std::vector<LayerRef>{
                Input({28, 28}, {.dtype = DType::uint8}),
                layers::Rescaling(1.0 / 255),
                layers::Flatten(),
                layers::Dense(128, {.activation = "relu"}),
                layers::Dense(10),
            }),
            32};
  return {std::make_shared<Sequential>(std::vector<LayerRef>{
              Input({28, 28}, {.dtype = DType::uint8}),
              layers::Rescaling(1.0 / 255),
              layers::Reshape({28, 28, 1}),
              layers::Conv2D(32, 3, {.activation = "relu"}),
              layers::MaxPooling2D(2),
              layers::Conv2D(64, 3, {.activation = "relu"}),
              layers::MaxPooling2D(2),
              layers::Flatten(),
              layers::Dense(128, {.activation = "relu"}),
              layers::Dense(10),
          }),
          64};
}

}  // namespace

std::function<int()> add_bench_command(CLI::App& app) {
  struct Args {
    std::string workload;
    std::string data;
    int epochs = 1;
    int threads = 0;
    uint64_t seed = 1;
    int64_t limit = 0;
    bool json = false;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "bench",
      "Time the training loop of a benchmark workload (mlp: 784-128-10, batch 32; cnn: conv32-pool-conv64-pool-"
      "128-10, batch 64; Adam 1e-3)");
  cmd->add_option("workload", a->workload, "Workload: mlp or cnn")->required()->check(CLI::IsMember({"mlp", "cnn"}));
  cmd->add_option("--data", a->data, "Fashion-MNIST folder (default as for train)");
  cmd->add_option("--epochs", a->epochs, "Epochs to time")->capture_default_str()->check(CLI::Range(1, 1000));
  cmd->add_option("--threads", a->threads, "Worker threads (0: one per core)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1024));
  cmd->add_option("--seed", a->seed, "Seed")->capture_default_str();
  cmd->add_option("--limit", a->limit,
                  "Train on the first N training images only (0: all 60000); for smoke tests, not measurements")
      ->capture_default_str()
      ->check(CLI::Range(int64_t(0), int64_t(1) << 40));
  cmd->add_flag("--json", a->json, "Print one line of JSON");
  return [cmd, a]() -> int {
    if (!cmd->parsed()) return -1;
    if (a->threads > 0) set_num_threads(a->threads);
    random::set_seed(a->seed);
    auto data = datasets::fashion_mnist::load({.path = a->data});
    Tensor x_train = data.x_train, y_train = data.y_train;
    if (a->limit > 0 && a->limit < x_train.shape()[0]) {
      x_train = x_train.index({Slice(0, a->limit)});
      y_train = y_train.index({Slice(0, a->limit)});
    }
    auto [model, batch_size] = bench_model(a->workload);
    // The loop the peers time: shuffle, gather, forward, loss, backward, update (no metrics).
    model->compile({.optimizer = optimizers::Adam({.learning_rate = 1e-3}),
                    .loss = losses::SparseCategoricalCrossentropy({.from_logits = true})});
    std::vector<double> epoch_seconds;
    auto timer = epoch_timer(epoch_seconds);
    auto history = model->fit(x_train, y_train,
                              {.batch_size = batch_size, .epochs = a->epochs, .verbose = 0, .callbacks = {timer},
                               .seed = a->seed});
    model->compile({.optimizer = optimizers::Adam({.learning_rate = 1e-3}),
                    .loss = losses::SparseCategoricalCrossentropy({.from_logits = true}),
                    .metrics = {"accuracy"}});
    Logs test = model->evaluate(data.x_test, data.y_test, {.batch_size = 1000, .verbose = 0});
    double best = *std::min_element(epoch_seconds.begin(), epoch_seconds.end());
    nlohmann::json j{{"framework", "nabla"},
                     {"model", a->workload},
                     {"epoch_seconds", epoch_seconds},
                     {"images_per_second", double(x_train.shape()[0]) / best},
                     {"final_loss", history.history.at("loss").back()},
                     {"test_accuracy", test.at("accuracy")},
                     {"threads", get_num_threads()},
                     {"batch_size", batch_size},
                     {"epochs", a->epochs},
                     {"train_images", x_train.shape()[0]}};
    if (a->json) {
      std::cout << j.dump() << "\n";
    } else {
      std::cout << "nabla bench " << a->workload << ": epoch " << best << " s (" << j["images_per_second"].get<double>()
                << " images/s), final loss " << j["final_loss"].get<double>() << ", test accuracy "
                << j["test_accuracy"].get<double>() << ", " << get_num_threads() << " thread(s), batch " << batch_size
                << "\n";
    }
    return 0;
  };
}

}  // namespace nabla::cli
