// Gradient descent with a GradientTape, as in a TensorFlow course: minimise
// y = x^2 - 4x + 4 (smallest at x = 2) from x = 10 with learning rate 0.1.
#include <cstdio>

#include <nabla/nabla.h>

namespace nb = nabla;

int main() {
  nb::Variable x(10.0f);
  const float learning_rate = 0.1f;
  for (int i = 0; i < 50; ++i) {
    nb::GradientTape tape;
    auto y = x * x - 4 * x + 4;
    auto grad = tape.gradient(y, x);
    x.assign_sub(learning_rate * grad);
    std::printf("Iteration %d: x = %.5f, y = %.5f\n", i, x.value().item<float>(), y.item<float>());
  }
  return 0;
}
