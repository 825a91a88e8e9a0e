// A perceptron trained to tell points above the line y = 1.2x + 50 from points
// below it (the perceptron-learning example of a deep-learning course).
//
// Inputs (x, y, bias 1); output 1 if the point is above the line. The
// perceptron rule w += lr * (target - guess) * input, on 500 random points,
// then tested on 500 new ones.
#include <iostream>

#include <nabla/nabla.h>

namespace nb = nabla;

int main() {
  nb::random::set_seed(7);
  auto make_points = [](int n) {
    auto xs = nb::random::uniform({n}, {.minval = 0, .maxval = 400});
    auto ys = nb::random::uniform({n}, {.minval = 0, .maxval = 500});
    auto inputs = nb::stack({xs, ys, nb::ones({n})}, 1);                 // (n, 3)
    auto targets = nb::cast(ys > xs * 1.2f + 50.f, nb::float32);         // 1 above the line
    return std::pair{inputs, targets};
  };
  auto [train_x, train_y] = make_points(500);
  auto [test_x, test_y] = make_points(500);

  nb::Variable w(nb::constant({0.f, 0.f, 0.f}));
  const float learning_rate = 0.00001f;
  for (int epoch = 0; epoch < 50; ++epoch) {
    int errors = 0;
    for (int64_t i = 0; i < 500; ++i) {
      auto x = train_x[i];
      float guess = nb::reduce_sum(x * w.value()).item<float>() > 0 ? 1.f : 0.f;
      float error = train_y[i].item<float>() - guess;
      if (error != 0) {
        ++errors;
        w.assign_add(x * (learning_rate * error));
      }
    }
    if (errors == 0) break;
  }
  auto guesses = nb::cast(nb::matmul(test_x, nb::reshape(w.value(), {3, 1})) > 0.f, nb::float32);
  float accuracy = nb::reduce_mean(nb::cast(nb::equal(nb::reshape(guesses, {500}), test_y), nb::float32)).item<float>();
  std::cout << "weights: " << w.value() << "\n";
  std::cout << "test accuracy: " << accuracy << "\n";
  return accuracy >= 0.9f ? 0 : 1;
}
