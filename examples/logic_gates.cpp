// Logic gates from sigmoid neurons (a deep-learning course's example):
// AND = sigmoid(20 a + 20 b - 30), OR = sigmoid(20 a + 20 b - 10),
// NOT = sigmoid(-20 a + 10), and XNOR from two layers:
// XNOR(a, b) = OR(AND(a, b), NOR(a, b)).
#include <cmath>
#include <iostream>

#include <nabla/nabla.h>

namespace nb = nabla;

namespace {
// One sigmoid neuron layer: sigmoid(x @ w + b), x of shape (4, inputs).
nb::Tensor neuron(const nb::Tensor& x, const nb::Tensor& w, const nb::Tensor& b) {
  return nb::sigmoid(nb::matmul(x, w) + b);
}
}  // namespace

int main() {
  auto x = nb::constant({{0.f, 0.f}, {0.f, 1.f}, {1.f, 0.f}, {1.f, 1.f}});
  auto and_gate = neuron(x, nb::constant({{20.f}, {20.f}}), nb::constant({-30.f}));
  auto or_gate = neuron(x, nb::constant({{20.f}, {20.f}}), nb::constant({-10.f}));
  auto not_a = neuron(x[":, :1"], nb::constant({{-20.f}}), nb::constant({10.f}));
  // Hidden layer: [AND, NOR]; output layer: OR of the two.
  auto hidden = neuron(x, nb::constant({{20.f, -20.f}, {20.f, -20.f}}), nb::constant({-30.f, 10.f}));
  auto xnor_gate = neuron(hidden, nb::constant({{20.f}, {20.f}}), nb::constant({-10.f}));

  const float expected[4][4] = {{0, 0, 1, 1}, {0, 1, 1, 0}, {0, 1, 0, 0}, {1, 1, 0, 1}};  // AND OR NOT(a) XNOR
  bool ok = true;
  std::cout << " a b | AND OR NOT(a) XNOR\n";
  for (int i = 0; i < 4; ++i) {
    float v[4] = {and_gate.index({i, 0}).item<float>(), or_gate.index({i, 0}).item<float>(),
                  not_a.index({i, 0}).item<float>(), xnor_gate.index({i, 0}).item<float>()};
    std::cout << " " << (i >> 1) << " " << (i & 1) << " |";
    for (int g = 0; g < 4; ++g) {
      int bit = v[g] > 0.5f ? 1 : 0;
      std::cout << "  " << bit << " ";
      ok &= std::fabs(v[g] - expected[i][g]) < 1e-3f;
    }
    std::cout << "\n";
  }
  std::cout << (ok ? "all gates correct" : "WRONG") << "\n";
  return ok ? 0 : 1;
}
