// A small regression with Keras-style layers: fit y = x^2 + 2x - 5 + noise on
// 209 points in [-2, 2] with Dense(64, relu) + Dense(1), mean squared error, SGD.
#include <iostream>

#include <nabla/nabla.h>

namespace nb = nabla;

int main() {
  nb::random::set_seed(3);
  auto x = nb::reshape(nb::linspace(-2.0, 2.0, 209), {209, 1});
  auto noise = nb::random::normal({209, 1}, {.stddev = 0.1});
  auto y = x * x + 2.f * x - 5.f + noise;

  nb::Sequential model({
      nb::layers::Dense(64, {.activation = "relu", .input_shape = {1}}),
      nb::layers::Dense(1),
  });
  model.compile({.optimizer = nb::optimizers::SGD({.learning_rate = 0.05}), .loss = "mse"});
  model.summary();
  auto history = model.fit(x, y, {.batch_size = 16, .epochs = 200, .verbose = 0, .seed = 3});
  double first = history.history["loss"].front(), last = history.history["loss"].back();
  std::cout << "loss: first epoch " << first << ", last epoch " << last << "\n";
  auto pred = model.predict(nb::constant({{-1.f}, {0.f}, {1.f}}));
  std::cout << "f(-1), f(0), f(1) predicted: " << nb::reshape(pred, {3}) << " (true: -6, -5, -2)\n";
  return last < 0.05 ? 0 : 1;
}
