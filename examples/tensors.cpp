// The tensor basics of a TensorFlow course, in nabla: constants, arithmetic,
// broadcasting, reductions, slicing, variables.
#include <iostream>

#include <nabla/nabla.h>

namespace nb = nabla;

int main() {
  auto a = nb::constant({{1, 2}, {3, 4}});
  auto b = nb::constant({{5, 6}, {8, 9}});
  std::cout << a + b << "\n";
  std::cout << nb::multiply(a, b) << "\n";
  std::cout << nb::matmul(nb::cast(a, nb::float32), nb::constant({{1.f}, {1.f}})) << "\n";
  std::cout << a + 1 << "\n";
  try {
    nb::constant({1, 2}) + nb::constant({2, 3, 1});
  } catch (const nb::Error& e) {
    std::cout << "error: " << e.what() << "\n";
  }
  auto x = nb::constant({{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}});
  std::cout << nb::softmax(x, -1) << "\n";
  std::cout << nb::reduce_sum(x) << "\n";
  std::cout << x[":, 1:"] << "\n";
  std::cout << x.index({1, 1}) << "\n";

  nb::Variable v({{1, 2, 3}, {4, 5, 6}});
  v.assign(2 * v);
  v.index({0, 1}).assign(42);
  v[":, 2"].assign(nb::constant({0, 1}));
  std::cout << v << "\n";
  auto r = nb::random::normal({2, 3}, {}, *std::make_unique<nb::random::Generator>(42));
  std::cout << r << "\n";
  return 0;
}
