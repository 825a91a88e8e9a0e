// Checkpoints (include/nabla/io/checkpoint.h): a model file plus the training
// state and random generator states.
#include "nabla/io/checkpoint.h"

#include <algorithm>

#include "io/model_state.h"
#include "nabla/io/atomic_file.h"
#include "nabla/ops/random.h"
#include "nabla/train/optimizer.h"

namespace nabla {
namespace {

using json = nlohmann::json;
using nabla::detail::str_cat;

// Every layer-owned generator, named "<layer path>/<generator name>".
void collect_generators(Layer& layer, const std::string& prefix,
                        std::vector<std::pair<std::string, random::Generator*>>& out) {
  const std::string path = prefix + layer.name();
  for (const auto& [name, gen] : layer.own_generators()) out.emplace_back(path + "/" + name, gen);
  for (const auto& sub : layer.sublayers()) collect_generators(*sub, path + "/", out);
}

std::vector<std::pair<std::string, random::Generator*>> generators_of(Model& model) {
  std::vector<std::pair<std::string, random::Generator*>> out;
  for (const auto& [name, gen] : model.own_generators()) out.emplace_back(model.name() + "/" + name, gen);
  for (const auto& sub : model.sublayers()) collect_generators(*sub, "", out);
  return out;
}

json generator_json(const random::Generator& g) { return json::array({g.seed(), g.counter()}); }

bool read_generator(const json& j, uint64_t& seed, uint64_t& counter) {
  if (!j.is_array() || j.size() != 2 || !j[0].is_number_unsigned() || !j[1].is_number_unsigned()) {
    // Small values parse as unsigned; anything else is malformed.
    return false;
  }
  seed = j[0].get<uint64_t>();
  counter = j[1].get<uint64_t>();
  return true;
}

}  // namespace

void save_checkpoint(Model& model, const std::string& path) {
  NB_CHECK(model.compiled(), FailedPrecondition, "save_checkpoint: model '", model.name(),
           "' is not compiled; a checkpoint holds the optimizer state");
  const Model::TrainingState st = model.training_state();
  json ts = json::object();
  ts["epoch"] = st.epoch;
  ts["step"] = st.step;
  ts["shuffle_state"] = st.shuffle_state;
  ts["loss_total"] = st.loss_total;
  ts["loss_count"] = st.loss_count;
  json rng = json::object();
  rng["default"] = generator_json(random::default_generator());
  json layers = json::object();
  for (const auto& [name, gen] : generators_of(model)) layers[name] = generator_json(*gen);
  rng["layers"] = std::move(layers);
  ts["rng"] = std::move(rng);

  io::detail::EncodeOptions o;
  o.architecture = io::detail::Architecture::if_available;
  o.extra_metadata["training_state"] = ts.dump();
  io::write_file_atomically(path, io::detail::encode_model(model, o));
}

Model::TrainingState restore_checkpoint(Model& model, const std::string& path) {
  NB_CHECK(model.compiled(), FailedPrecondition, "restore_checkpoint: model '", model.name(),
           "' must be compiled first (the checkpoint holds the optimizer state)");
  const io::SafetensorsReader f = io::SafetensorsReader::open(path);
  io::detail::check_format(f);
  const json ts = io::detail::metadata_json(f, "training_state", true);
  NB_CHECK(ts.is_object(), DataLoss, f.source(), ": training_state must be a JSON object");
  Model::TrainingState st;
  try {
    st.epoch = ts.at("epoch").get<int>();
    st.step = ts.at("step").get<int64_t>();
    st.shuffle_state = ts.at("shuffle_state").get<std::string>();
    st.loss_total = ts.at("loss_total").get<double>();
    st.loss_count = ts.at("loss_count").get<double>();
  } catch (const json::exception& e) {
    throw DataLoss(str_cat(f.source(), ": malformed training_state: ", e.what()));
  }
  NB_CHECK(st.epoch >= 0 && st.step >= 0, DataLoss, f.source(), ": training_state epoch ", st.epoch, " and step ",
           st.step, " must be >= 0");
  // Random generators: validate all before changing any.
  const json rng = ts.value("rng", json::object());
  uint64_t dseed = 0, dcounter = 0;
  NB_CHECK(rng.is_object() && rng.contains("default") && read_generator(rng["default"], dseed, dcounter), DataLoss,
           f.source(), ": training_state.rng.default must be [seed, counter]");
  std::vector<std::tuple<random::Generator*, uint64_t, uint64_t>> gens;
  const json layers = rng.value("layers", json::object());
  for (const auto& [name, gen] : generators_of(model)) {
    uint64_t s = 0, c = 0;
    NB_CHECK(layers.is_object() && layers.contains(name) && read_generator(layers[name], s, c), DataLoss, f.source(),
             ": training_state.rng.layers lacks the generator '", name, "' as [seed, counter]");
    gens.emplace_back(gen, s, c);
  }
  // Weights and optimizer slots: validated in full before anything is assigned.
  // Snapshot the model so a failure in the optimizer part leaves it unchanged.
  const std::vector<Tensor> before = model.get_weights();
  io::detail::restore_weights(model, f, /*skip_mismatch=*/false);
  try {
    io::detail::restore_optimizer(model, f);
  } catch (...) {
    model.set_weights(before);
    throw;
  }
  random::default_generator().set_state(dseed, dcounter);
  for (auto& [gen, s, c] : gens) gen->set_state(s, c);
  model.resume_from(st);
  return st;
}

}  // namespace nabla
