// First half of the cross-program nb::function test: builds and trains a small
// model, compiles its inference with nb::function (Flatten -> Dense(32, relu) ->
// Dropout -> Dense(10), as in the TensorFlow course), saves the function, and
// writes the inputs and this program's outputs to a second file for
// function_load_main, which runs the saved graph without this source.
//
//   function_save <dir>    writes <dir>/mlp.nabla and <dir>/expected.safetensors
#include <cstdio>
#include <filesystem>

#include "nabla/nabla.h"

namespace nb = nabla;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: function_save <dir>\n");
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  std::filesystem::create_directories(dir);
  nb::random::set_seed(42);
  nb::Sequential model({nb::layers::Flatten({.input_shape = {28, 28}}),
                        nb::layers::Dense(32, {.activation = "relu"}), nb::layers::Dropout(0.2),
                        nb::layers::Dense(10)});
  model.compile({.optimizer = "adam",
                 .loss = nb::losses::SparseCategoricalCrossentropy({.from_logits = true})});
  nb::random::Generator g(7);
  const nb::Tensor xs = nb::random::uniform({256, 28, 28}, {}, g);
  const nb::Tensor ys = nb::random::uniform({256}, {.minval = 0, .maxval = 10, .dtype = nb::DType::int32}, g);
  model.fit(xs, ys, {.batch_size = 32, .epochs = 1, .verbose = 0});

  // Inference: softmax probabilities, as the course's probability_model.
  auto infer = nb::function([&](const nb::Tensor& x) { return nb::softmax(model(x, false)); });
  const nb::Tensor x1 = nb::random::uniform({60, 28, 28}, {}, g);
  const nb::Tensor x2 = nb::random::uniform({5, 28, 28}, {}, g);
  const nb::Tensor y1 = infer(x1), y2 = infer(x2);
  infer.save((dir / "mlp.nabla").string());
  nb::io::save_safetensors(dir / "expected.safetensors", {{"x1", x1}, {"y1", y1}, {"x2", x2}, {"y2", y2}});
  std::printf("saved %s (2 signatures)\n", (dir / "mlp.nabla").c_str());
  return 0;
}
