// The Fashion-MNIST MLP of the Keras course, line for line in nabla:
//
//   (x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
//   x_train, x_test = x_train / 255.0, x_test / 255.0
//   model = keras.Sequential([
//       keras.layers.Flatten(input_shape=(28, 28)),
//       keras.layers.Dense(128, activation="relu"),
//       keras.layers.Dropout(0.2),
//       keras.layers.Dense(10)])
//   model.compile(optimizer="adam",
//                 loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
//                 metrics=["accuracy"])
//   model.fit(x_train, y_train, epochs=5)
//   model.evaluate(x_test, y_test, verbose=2)
//
// Usage: example_fashion_mnist_mlp [epochs]   (default 5)
#include <cstdlib>
#include <iostream>

#include <nabla/nabla.h>

namespace nb = nabla;

int main(int argc, char** argv) {
  int epochs = argc > 1 ? std::atoi(argv[1]) : 5;
  auto [x_train, y_train, x_test, y_test] = nb::datasets::fashion_mnist::load_data();
  x_train = nb::cast(x_train, nb::float32) / 255.0f;
  x_test = nb::cast(x_test, nb::float32) / 255.0f;

  nb::Sequential model({
      nb::layers::Flatten({.input_shape = {28, 28}}),
      nb::layers::Dense(128, {.activation = "relu"}),
      nb::layers::Dropout(0.2),
      nb::layers::Dense(10),
  });
  model.compile({.optimizer = "adam",
                 .loss = nb::losses::SparseCategoricalCrossentropy({.from_logits = true}),
                 .metrics = {"accuracy"}});
  model.summary();
  model.fit(x_train, y_train, {.epochs = epochs});
  auto result = model.evaluate(x_test, y_test, {.verbose = 2});
  std::cout << "test accuracy: " << result["accuracy"] << "\n";
  return 0;
}
