// Second half of the cross-program nb::function test: loads the function that
// function_save_main saved, with no model code in this program, runs it on the
// saved inputs and compares with the saving program's outputs (bit for bit: the
// same graph runs the same kernels).
//
//   function_load <dir>    exit 0 when every output matches
#include <cstdio>
#include <filesystem>

#include "nabla/graph/function.h"
#include "nabla/io/safetensors.h"

namespace nb = nabla;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: function_load <dir>\n");
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  try {
    nb::LoadedFunction f = nb::load_function((dir / "mlp.nabla").string());
    const nb::io::SafetensorsReader ref = nb::io::SafetensorsReader::open(dir / "expected.safetensors");
    int bad = 0;
    for (const char* k : {"1", "2"}) {
      const nb::Tensor x = ref.tensor(std::string("x") + k), want = ref.tensor(std::string("y") + k);
      const std::vector<nb::Tensor> got = f(x);
      if (got.size() != 1 || got[0].shape() != want.shape()) {
        std::fprintf(stderr, "signature %s: wrong output shape\n", k);
        ++bad;
        continue;
      }
      const std::vector<float> a = got[0].to_vector<float>(), b = want.to_vector<float>();
      size_t diff = 0;
      for (size_t i = 0; i < a.size(); ++i) diff += a[i] != b[i];
      std::printf("x%s %s: %zu of %zu values differ\n", k, x.shape().str().c_str(), diff, a.size());
      bad += diff != 0;
    }
    std::printf("signatures:");
    for (const auto& s : f.signatures()) std::printf(" %s", s.c_str());
    std::printf("\n%s\n", bad ? "MISMATCH" : "loaded function matches");
    return bad ? 1 : 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "function_load: %s\n", e.what());
    return 1;
  }
}
