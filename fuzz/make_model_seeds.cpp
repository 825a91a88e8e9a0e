// Writes the real .nabla seeds of fuzz/corpus/model_file/ with nb::Model::save:
// small Sequential and functional models, compiled or not, trained one step
// (so that optimizer state is saved) or not. Each file is a few KB at most.
//
//   build-fuzz/fuzz/make_model_seeds fuzz/corpus/model_file
//
// (fuzz/make_seeds.py writes the IDX and safetensors seeds.)
#include <cstdio>
#include <filesystem>
#include <string>

#include <nabla/nabla.h>
#include <nabla/train/sequential.h>

namespace nb = nabla;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
    return 2;
  }
  const std::filesystem::path out = argv[1];
  std::filesystem::create_directories(out);

  {  // Sequential MLP, not compiled.
    nb::Sequential model({nb::Input({4}), nb::layers::Dense(3, {.activation = "relu"}), nb::layers::Dense(2)});
    model.save((out / "sequential_mlp.nabla").string());
  }
  {  // Sequential with Flatten/Rescaling/Dropout, compiled with Adam and trained one step.
    nb::Sequential model({nb::layers::Flatten({.input_shape = {2, 3}}), nb::layers::Rescaling(0.5),
                          nb::layers::Dense(4, {.activation = "tanh"}), nb::layers::Dropout(0.25),
                          nb::layers::Dense(3)});
    model.compile({.optimizer = "adam",
                   .loss = nb::losses::SparseCategoricalCrossentropy({.from_logits = true}),
                   .metrics = {"accuracy"}});
    model.train_on_batch(nb::zeros({2, 2, 3}), nb::zeros({2}, nb::int32));
    model.save((out / "sequential_adam_trained.nabla").string());
  }
  {  // Functional: two inputs, a shared layer, Concatenate, Add, Reshape, two outputs; SGD.
    auto a = nb::Input({3}, {.name = "a"});
    auto b = nb::Input({3}, {.name = "b"});
    nb::layers::Dense shared(2, {.activation = "sigmoid", .name = "shared"});
    auto ha = shared(a), hb = shared(b);
    auto merged = nb::layers::Concatenate({.name = "concat"})({ha, hb});
    auto out1 = nb::layers::Reshape({2, 1})(nb::layers::Dense(2, {.name = "head"})(merged));
    auto out2 = nb::layers::Add({.name = "sum"})({ha, hb});
    nb::Model model({a, b}, {out1, out2}, {.name = "two_heads"});
    model.compile({.optimizer = "sgd", .loss = "mse"});
    model.save((out / "functional_two_heads.nabla").string());
  }
  std::printf("model seeds written under %s\n", out.string().c_str());
  return 0;
}
