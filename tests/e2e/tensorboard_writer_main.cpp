// Writes a TensorBoard log directory for tests/tools/check_tensorboard.py:
// fits a tiny classifier with the TensorBoard callback (validation data,
// histogram_freq 1, write_images, batch scalars every 2 batches) and writes
// LOGDIR/expected.json with what the files must hold (History values, learning
// rates, final weights, image sizes), for the Python side to compare.
//
//   tensorboard_writer LOGDIR
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "nabla/nabla.h"

namespace nb = nabla;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: tensorboard_writer LOGDIR\n";
    return 2;
  }
  const std::filesystem::path logdir = argv[1];
  try {
    std::filesystem::remove_all(logdir);
    nb::random::set_seed(7);
    nb::Sequential model({nb::Input({4}), nb::layers::Dense(6, {.activation = "relu"}), nb::layers::Dense(3)});
    model.compile({.optimizer = nb::optimizers::Adam({.learning_rate = 0.01}),
                   .loss = nb::losses::SparseCategoricalCrossentropy({.from_logits = true}),
                   .metrics = {"accuracy"}});
    auto labels = [](int64_t n) {
      return nb::cast(nb::random::uniform({n}, {.minval = 0, .maxval = 3, .dtype = nb::DType::int32}),
                      nb::DType::int32);
    };
    auto x = nb::random::normal({40, 4});
    auto y = labels(40);
    auto xv = nb::random::normal({12, 4});
    auto yv = labels(12);
    const int epochs = 3, batch_size = 10, batch_freq = 2;
    auto h = model.fit(
        x, y,
        {.batch_size = batch_size, .epochs = epochs, .verbose = 0,
         .callbacks = {nb::callbacks::TensorBoard(
             logdir.string(), {.histogram_freq = 1, .update_freq = std::to_string(batch_freq), .write_images = true})},
         .validation_data = {{xv, yv}}});

    nlohmann::json expected;
    expected["epochs"] = epochs;
    expected["steps_per_epoch"] = (40 + batch_size - 1) / batch_size;
    expected["batch_freq"] = batch_freq;
    expected["history"] = h.history;
    expected["learning_rate"] = std::vector<double>(size_t(epochs), model.optimizer().learning_rate());
    nlohmann::json weights = nlohmann::json::array();
    for (nb::Variable* v : model.variables()) {
      std::vector<double> w = v->value().to_vector<double>();
      double sum = 0;
      for (double d : w) sum += d;
      // The image Keras's write_images draws: 1-D -> one row; 2-D -> transposed if taller than wide.
      int64_t ih = 1, iw = v->shape()[0];
      if (v->rank() == 2) {
        ih = std::min(v->shape()[0], v->shape()[1]);
        iw = std::max(v->shape()[0], v->shape()[1]);
      }
      weights.push_back({{"name", v->name()},
                         {"size", w.size()},
                         {"min", *std::min_element(w.begin(), w.end())},
                         {"max", *std::max_element(w.begin(), w.end())},
                         {"sum", sum},
                         {"image_height", ih},
                         {"image_width", iw}});
    }
    expected["weights"] = weights;
    std::ofstream(logdir / "expected.json") << expected.dump(2) << "\n";
    std::cout << "wrote " << logdir.string() << " (" << epochs << " epochs, " << weights.size() << " weights)\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "tensorboard_writer: " << e.what() << "\n";
    return 1;
  }
}
