// The Fashion-MNIST CNN of the Keras course, line for line in nabla:
//
//   (x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
//   x_train, x_test = x_train[..., None] / 255.0, x_test[..., None] / 255.0
//   model = keras.Sequential([
//       keras.Input(shape=(28, 28, 1)),
//       keras.layers.Conv2D(32, 3, activation="relu"),
//       keras.layers.MaxPooling2D(2),
//       keras.layers.Dropout(0.25),
//       keras.layers.Conv2D(64, 3, activation="relu"),
//       keras.layers.MaxPooling2D(2),
//       keras.layers.Dropout(0.25),
//       keras.layers.Flatten(),
//       keras.layers.Dense(128, activation="relu"),
//       keras.layers.Dropout(0.4),
//       keras.layers.Dense(10)])
//   model.compile(optimizer="adam",
//                 loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
//                 metrics=["accuracy"])
//   model.fit(x_train, y_train, batch_size=64, epochs=5)
//   model.evaluate(x_test, y_test, verbose=2)
//
// Usage: example_fashion_cnn [epochs] [train_samples]
//   epochs         default 5 (about 0.90 test accuracy, as Keras: 0.899; the
//                  `nabla train --model cnn` preset adds BatchNormalization and
//                  "same" padding to pass 0.91)
//   train_samples  train on the first N images only (default: all 60000); the
//                  smoke test uses a few thousand to stay short
#include <cstdlib>
#include <iostream>

#include <nabla/nabla.h>

namespace nb = nabla;

int main(int argc, char** argv) {
  int epochs = argc > 1 ? std::atoi(argv[1]) : 5;
  int64_t samples = argc > 2 ? std::atoll(argv[2]) : 0;
  auto [x_train, y_train, x_test, y_test] = nb::datasets::fashion_mnist::load_data();
  if (samples > 0 && samples < x_train.shape()[0]) {
    x_train = x_train.index({nb::Slice(0, samples)});
    y_train = y_train.index({nb::Slice(0, samples)});
  }
  // Channels last, as Keras: (N, 28, 28) -> (N, 28, 28, 1).
  x_train = nb::expand_dims(nb::cast(x_train, nb::float32) / 255.0f, -1);
  x_test = nb::expand_dims(nb::cast(x_test, nb::float32) / 255.0f, -1);

  nb::Sequential model({
      nb::Input({28, 28, 1}),
      nb::layers::Conv2D(32, 3, {.activation = "relu"}),
      nb::layers::MaxPooling2D(2),
      nb::layers::Dropout(0.25),
      nb::layers::Conv2D(64, 3, {.activation = "relu"}),
      nb::layers::MaxPooling2D(2),
      nb::layers::Dropout(0.25),
      nb::layers::Flatten(),
      nb::layers::Dense(128, {.activation = "relu"}),
      nb::layers::Dropout(0.4),
      nb::layers::Dense(10),
  });
  model.compile({.optimizer = "adam",
                 .loss = nb::losses::SparseCategoricalCrossentropy({.from_logits = true}),
                 .metrics = {"accuracy"}});
  model.summary();
  model.fit(x_train, y_train, {.batch_size = 64, .epochs = epochs});
  auto result = model.evaluate(x_test, y_test, {.verbose = 2});
  std::cout << "test accuracy: " << result["accuracy"] << "\n";
  return 0;
}
