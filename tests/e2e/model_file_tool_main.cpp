// Helper program for the saving end-to-end tests.
//
//   model_file_tool save-loop PATH   save a model to PATH forever; before save k every
//                                    weight element is set to k, and "saved k" is printed
//                                    after it (the kill-during-save test SIGKILLs this)
//   model_file_tool export PATH DIR  train a small model, save it to PATH, and write each
//                                    weight as raw little-endian bytes to DIR plus
//                                    DIR/weights.json (for tests/tools/check_safetensors.py)
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "nabla/nabla.h"

namespace nb = nabla;

namespace {

std::shared_ptr<nb::Sequential> model() {
  return std::make_shared<nb::Sequential>(std::vector<nb::LayerRef>{
      nb::Input({256}), nb::layers::Dense(512, {.activation = "relu", .name = "wide"}),
      nb::layers::Dense(10, {.name = "out"})});
}

int save_loop(const std::string& path) {
  auto m = model();
  for (int64_t k = 0;; ++k) {
    for (nb::Variable* v : m->variables()) v->assign(nb::fill(v->shape(), double(k), v->dtype()));
    m->save(path);
    std::cout << "saved " << k << std::endl;
  }
}

int export_model(const std::string& path, const std::string& dir) {
  nb::random::set_seed(4);
  auto m = std::make_shared<nb::Sequential>(std::vector<nb::LayerRef>{
      nb::Input({5}), nb::layers::Dense(7, {.activation = "relu", .name = "hidden"}), nb::layers::Dense(3, {.name = "out"})},
      nb::LayerOptions{.name = "exported"});
  m->compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"}});
  nb::Tensor x = nb::random::normal({40, 5});
  nb::Tensor y = nb::cast(nb::argmax(x.index({nb::Slice(), nb::Slice(0, 3)}), 1), nb::int32);
  m->fit(x, y, {.batch_size = 8, .epochs = 2, .verbose = 0});
  m->save(path);
  nlohmann::json list = nlohmann::json::array();
  int i = 0;
  auto dump = [&](const std::string& name, const nb::Tensor& t) {
    nb::Tensor c = t.contiguous();
    std::string file = std::to_string(i++) + ".bin";
    std::ofstream(dir + "/" + file, std::ios::binary)
        .write(static_cast<const char*>(c.raw_data()), std::streamsize(c.size() * int64_t(nb::dtype_size(c.dtype()))));
    list.push_back({{"name", name}, {"shape", c.shape().vec()}, {"dtype", std::string(nb::dtype_name(c.dtype()))},
                    {"file", file}});
  };
  for (const auto& [p, v] : m->weight_paths()) dump(p, v->value());
  for (const auto& [p, v] : m->optimizer().variables()) dump("optimizer/" + p, v->value());
  nlohmann::json j;
  j["weights"] = list;
  j["iterations"] = m->optimizer().iterations();
  std::ofstream(dir + "/weights.json") << j.dump(1);
  std::cout << "exported " << list.size() << " tensors\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "save-loop" && argc == 3) return save_loop(argv[2]);
    if (mode == "export" && argc == 4) return export_model(argv[2], argv[3]);
    std::cerr << "usage: model_file_tool save-loop PATH | export PATH DIR\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "model_file_tool: " << e.what() << "\n";
    return 1;
  }
}
