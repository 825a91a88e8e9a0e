// A perceptron deciding whether to go to a concert (the first example of a
// deep-learning course): five yes/no inputs, their weights, a threshold.
//
// Inputs: artist is good, weather is good, a friend comes, food is served,
// alcohol is served. Weighted sum 0.7 + 0.5 + 0.4 = 1.6 >= 1.5, so: go.
#include <iostream>

#include <nabla/nabla.h>

namespace nb = nabla;

int main() {
  auto inputs = nb::constant({1.f, 0.f, 1.f, 0.f, 1.f});
  auto weights = nb::constant({0.7f, 0.6f, 0.5f, 0.3f, 0.4f});
  const float threshold = 1.5f;
  float sum = nb::reduce_sum(inputs * weights).item<float>();
  bool go = sum >= threshold;
  std::cout << "weighted sum = " << sum << ", threshold = " << threshold << "\n";
  std::cout << "decision: " << (go ? "yes, go to the concert" : "no, stay home") << "\n";
  return go ? 0 : 1;
}
