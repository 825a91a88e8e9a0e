// `nabla bench mlp|cnn`: the training-speed workloads compared with LibTorch and
// Keras by bench/run_train_bench.sh (same model, optimizer, batch and data):
//   mlp: Flatten, Dense(784->128, relu), Dense(128->10); batch 32
//   cnn: Conv(1->32, 3x3)+relu, MaxPool 2, Conv(32->64, 3x3)+relu, MaxPool 2, Flatten,
//        Dense(1600->128, relu), Dense(128->10); batch 64 (no Dropout: the peers have none)
// Both: Adam 1e-3, sparse cross-entropy from logits, uint8 images rescaled per batch.
#include <algorithm>
#include <chrono>
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

// The TensorFlow course's tf.function demonstration: the same model called
// `calls` times eagerly and as an nb::function; prints both times.
int run_inference_bench(int calls, bool json) {
  Sequential model({layers::Flatten({.input_shape = {28, 28}}), layers::Dense(128, {.activation = "relu"}),
                    layers::Dropout(0.2), layers::Dense(10)});
  random::Generator g(3);
  const Tensor x = random::uniform({60, 28, 28}, {}, g);
  auto compiled = function([&](const Tensor& in) { return model(in, false); });
  auto time_calls = [&](auto&& f) {
    f();  // warm-up (traces the function)
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < calls; ++i) f();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  const double eager_s = time_calls([&] { return model(x, false); });
  const double compiled_s = time_calls([&] { return compiled(x); });
  const double max_diff = reduce_max(abs(model(x, false) - compiled(x))).item<double>();
  if (json) {
    std::cout << nlohmann::json{{"framework", "nabla"},     {"model", "inference"},     {"calls", calls},
                                {"eager_seconds", eager_s}, {"compiled_seconds", compiled_s},
                                {"speedup", eager_s / compiled_s}, {"max_abs_diff", max_diff},
                                {"threads", get_num_threads()}}
                     .dump()
              << "\n";
  } else {
    std::cout << "nabla bench inference: " << calls << " calls of Flatten-Dense(128, relu)-Dropout-Dense(10) on "
              << "(60, 28, 28): eager " << eager_s << " s, nb::function " << compiled_s << " s (" << eager_s / compiled_s
              << "x faster; largest difference " << max_diff << "), " << get_num_threads() << " thread(s)\n";
  }
  return 0;
}

// The BLAS lab of the course: GFLOP/s of C = A B (float32, N x N) for each N.
int run_gemm_bench(const std::vector<int64_t>& sizes, const std::string& device_name, bool json) {
  const Device device = Device::parse(device_name);
  for (int64_t n : sizes) {
    random::Generator g{uint64_t(n)};
    const Tensor a = random::uniform({n, n}, {}, g).to(device);
    const Tensor b = random::uniform({n, n}, {}, g).to(device);
    auto sync = [&] {
      if (device.is_cuda()) cuda::synchronize(device.index);
    };
    (void)matmul(a, b);  // warm-up
    sync();
    int reps = 0;
    const auto t0 = std::chrono::steady_clock::now();
    double seconds = 0;
    while (reps < 3 || seconds < 1.0) {
      (void)matmul(a, b);
      sync();
      ++reps;
      seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    const double gflops = 2.0 * double(n) * double(n) * double(n) * reps / seconds / 1e9;
    if (json) {
      std::cout << nlohmann::json{{"framework", "nabla"}, {"model", "gemm"}, {"n", n}, {"device", device.str()},
                                  {"seconds_per_call", seconds / reps}, {"gflops", gflops},
                                  {"threads", get_num_threads()}}
                       .dump()
                << "\n";
    } else {
      std::cout << "nabla bench gemm: N=" << n << " on " << device.str() << ": " << gflops << " GFLOP/s ("
                << seconds / reps * 1e3 << " ms per call, " << get_num_threads() << " CPU thread(s))\n";
    }
  }
  return 0;
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
    bool eager = false;
    int calls = 10000;
    std::vector<int64_t> sizes = {2000, 4000, 6000};
    std::string device = "CPU:0";
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "bench",
      "Time the training loop of a benchmark workload (mlp: 784-128-10, batch 32; cnn: conv32-pool-conv64-pool-"
      "128-10, batch 64; Adam 1e-3)");
  cmd->add_option("workload", a->workload,
                  "Workload: mlp or cnn (training epochs), inference (eager against nb::function: "
                  "Flatten-Dense(128, relu)-Dropout-Dense(10) on a (60, 28, 28) input), or gemm (GFLOP/s of an "
                  "N x N float32 matmul)")
      ->required()
      ->check(CLI::IsMember({"mlp", "cnn", "inference", "gemm"}));
  cmd->add_option("--sizes", a->sizes, "gemm: matrix sizes N (C = A B, float32, N x N)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t(1), int64_t(65536)));
  cmd->add_option("--device", a->device, "gemm: device to run on (CPU:0, GPU:0)")->capture_default_str();
  cmd->add_option("--calls", a->calls, "inference: calls to time in each mode")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000000));
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
  cmd->add_flag("--eager", a->eager, "Run the steps eagerly (compile's run_eagerly) instead of as nb::function graphs");
  return [cmd, a]() -> int {
    if (!cmd->parsed()) return -1;
    if (a->threads > 0) set_num_threads(a->threads);
    random::set_seed(a->seed);
    if (a->workload == "inference") return run_inference_bench(a->calls, a->json);
    if (a->workload == "gemm") return run_gemm_bench(a->sizes, a->device, a->json);
    auto data = datasets::fashion_mnist::load({.path = a->data});
    Tensor x_train = data.x_train, y_train = data.y_train;
    if (a->limit > 0 && a->limit < x_train.shape()[0]) {
      x_train = x_train.index({Slice(0, a->limit)});
      y_train = y_train.index({Slice(0, a->limit)});
    }
    auto [model, batch_size] = bench_model(a->workload);
    // The loop the peers time: shuffle, gather, forward, loss, backward, update (no metrics).
    model->compile({.optimizer = optimizers::Adam({.learning_rate = 1e-3}),
                    .loss = losses::SparseCategoricalCrossentropy({.from_logits = true}),
                    .run_eagerly = a->eager});
    std::vector<double> epoch_seconds;
    auto timer = epoch_timer(epoch_seconds);
    auto history = model->fit(x_train, y_train,
                              {.batch_size = batch_size, .epochs = a->epochs, .verbose = 0, .callbacks = {timer},
                               .seed = a->seed});
    model->compile({.optimizer = optimizers::Adam({.learning_rate = 1e-3}),
                    .loss = losses::SparseCategoricalCrossentropy({.from_logits = true}),
                    .metrics = {"accuracy"},
                    .run_eagerly = a->eager});
    Logs test = model->evaluate(data.x_test, data.y_test, {.batch_size = 1000, .verbose = 0});
    double best = *std::min_element(epoch_seconds.begin(), epoch_seconds.end());
    nlohmann::json j{{"framework", "nabla"},
                     {"mode", a->eager ? "eager" : "compiled"},
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
