// `nabla bench mlp`: the training-speed workload compared with LibTorch and
// Keras by bench/run_train_bench.sh (same model, optimizer, batch and data).
#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "epoch_timer.h"
#include "nabla/nabla.h"

namespace nabla::cli {

std::function<int()> add_bench_command(CLI::App& app) {
  struct Args {
    std::string workload;
    std::string data;
    int epochs = 1;
    int threads = 0;
    uint64_t seed = 1;
    bool json = false;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "bench", "Time the training loop of a benchmark workload (mlp: 784-128-10, Adam 1e-3, batch 32)");
  cmd->add_option("workload", a->workload, "Workload: mlp (cnn arrives with convolution layers)")->required();
  cmd->add_option("--data", a->data, "Fashion-MNIST folder (default as for train)");
  cmd->add_option("--epochs", a->epochs, "Epochs to time")->capture_default_str()->check(CLI::Range(1, 1000));
  cmd->add_option("--threads", a->threads, "Worker threads (0: one per core)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1024));
  cmd->add_option("--seed", a->seed, "Seed")->capture_default_str();
  cmd->add_flag("--json", a->json, "Print one line of JSON");
  return [cmd, a]() -> int {
    if (!cmd->parsed()) return -1;
    if (a->workload != "mlp")
      throw UsageError("bench: unknown workload '" + a->workload + "'; available: mlp (cnn arrives with convolution "
                       "layers)");
    if (a->threads > 0) set_num_threads(a->threads);
    random::set_seed(a->seed);
    auto data = datasets::fashion_mnist::load({.path = a->data});
    Sequential model({
        Input({28, 28}, {.dtype = DType::uint8}),
        layers::Rescaling(1.0 / 255),
        layers::Flatten(),
        layers::Dense(128, {.activation = "relu"}),
        layers::Dense(10),
    });
    // The loop the peers time: shuffle, gather, forward, loss, backward, update (no metrics).
    model.compile({.optimizer = optimizers::Adam({.learning_rate = 1e-3}),
                   .loss = losses::SparseCategoricalCrossentropy({.from_logits = true})});
    std::vector<double> epoch_seconds;
    auto timer = epoch_timer(epoch_seconds);
    auto history = model.fit(data.x_train, data.y_train,
                             {.batch_size = 32, .epochs = a->epochs, .verbose = 0, .callbacks = {timer},
                              .seed = a->seed});
    model.compile({.optimizer = optimizers::Adam({.learning_rate = 1e-3}),
                   .loss = losses::SparseCategoricalCrossentropy({.from_logits = true}),
                   .metrics = {"accuracy"}});
    Logs test = model.evaluate(data.x_test, data.y_test, {.batch_size = 1000, .verbose = 0});
    double best = *std::min_element(epoch_seconds.begin(), epoch_seconds.end());
    nlohmann::json j{{"framework", "nabla"},
                     {"model", a->workload},
                     {"epoch_seconds", epoch_seconds},
                     {"images_per_second", double(data.x_train.shape()[0]) / best},
                     {"final_loss", history.history.at("loss").back()},
                     {"test_accuracy", test.at("accuracy")},
                     {"threads", get_num_threads()}};
    if (a->json) {
      std::cout << j.dump() << "\n";
    } else {
      std::cout << "nabla bench " << a->workload << ": epoch " << best << " s (" << j["images_per_second"].get<double>()
                << " images/s), final loss " << j["final_loss"].get<double>() << ", test accuracy "
                << j["test_accuracy"].get<double>() << ", " << get_num_threads() << " thread(s)\n";
    }
    return 0;
  };
}

}  // namespace nabla::cli
