// Functional model configs in Keras's layout: layers with their inbound
// nodes, input_layers and output_layers, so model_from_config rebuilds the graph.
#include <map>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "nabla/nn/layers/input_layer.h"
#include "nabla/train/model.h"
#include "nabla/train/sequential.h"
#include "train/model_internal.h"

namespace nabla {

namespace {
// [layer name, node index, tensor index] of a KerasTensor within the graph.
nlohmann::json tensor_ref(const KerasTensor& t, const std::unordered_map<const Node*, int>& node_index) {
  return nlohmann::json::array({t.node()->layer->name(), node_index.at(t.node().get()), t.index()});
}
}  // namespace

nlohmann::json Model::get_config() const {
  if (graph_ == nullptr) {
    // A subclassed model: its config is the base layer config; a registered
    // subclass (own class_name + from_config) is rebuilt through the registry.
    NB_CHECK(class_name() != "Model", Unimplemented, "model '", name(),
             "' is a subclassed model without a class name: override class_name() (and get_config() for "
             "constructor arguments), give it a static from_config(), and register it with "
             "NB_REGISTER_LAYER(MyModel, \"MyModel\") to save it whole; or use save_weights()");
    nlohmann::json c = nlohmann::json::object();
    base_config(c);
    return c;
  }
  std::unordered_map<const Node*, int> node_index;
  std::unordered_map<const Layer*, int> calls;
  std::vector<const Layer*> order;
  std::unordered_map<const Layer*, std::vector<const Node*>> nodes_of;
  for (const auto& n : graph_->nodes) {
    const Layer* l = n->layer.get();
    if (!calls.count(l)) order.push_back(l);
    node_index[n.get()] = calls[l]++;
    nodes_of[l].push_back(n.get());
  }
  nlohmann::json layers = nlohmann::json::array();
  for (const Layer* l : order) {
    nlohmann::json inbound = nlohmann::json::array();
    for (const Node* n : nodes_of[l]) {
      if (n->inputs.empty()) continue;
      nlohmann::json args = nlohmann::json::array();
      for (const KerasTensor& t : n->inputs) args.push_back(tensor_ref(t, node_index));
      inbound.push_back(args);
    }
    layers.push_back({{"class_name", l->class_name()},
                      {"config", l->get_config()},
                      {"name", l->name()},
                      {"inbound_nodes", inbound}});
  }
  nlohmann::json ins = nlohmann::json::array(), outs = nlohmann::json::array();
  for (const KerasTensor& t : graph_->inputs) ins.push_back(tensor_ref(t, node_index));
  for (const KerasTensor& t : graph_->outputs) outs.push_back(tensor_ref(t, node_index));
  return {{"name", name()}, {"trainable", trainable()}, {"layers", layers}, {"input_layers", ins},
          {"output_layers", outs}};
}

std::shared_ptr<Layer> Model::from_config(const nlohmann::json& c) {
  for (const char* key : {"layers", "input_layers", "output_layers"})
    NB_CHECK(c.contains(key) && c[key].is_array(), InvalidArgument, "functional model config needs a \"", key,
             "\" list");
  // Create every layer, then replay the calls until all inbound nodes are made.
  struct Pending {
    std::shared_ptr<Layer> layer;
    nlohmann::json inbound;
    size_t next = 0;  // next inbound node to create
  };
  std::vector<Pending> pending;
  std::map<std::string, std::vector<std::vector<KerasTensor>>> made;  // layer name -> node outputs
  for (const auto& lc : c["layers"]) {
    std::shared_ptr<Layer> l = layer_from_config(lc);
    std::string lname = lc.contains("name") && lc["name"].is_string() ? lc["name"].get<std::string>() : l->name();
    NB_CHECK(!made.count(lname), InvalidArgument, "functional model config: two layers are named '", lname, "'");
    made[lname];
    if (auto* in = dynamic_cast<layers::InputLayerImpl*>(l.get())) made[lname].push_back({in->output()});
    nlohmann::json inbound = lc.contains("inbound_nodes") ? lc["inbound_nodes"] : nlohmann::json::array();
    NB_CHECK(inbound.is_array(), InvalidArgument, "layer '", lname, "': \"inbound_nodes\" must be a list");
    pending.push_back({l, inbound, 0});
  }
  auto resolve = [&](const nlohmann::json& ref, KerasTensor& out) -> bool {
    NB_CHECK(ref.is_array() && ref.size() >= 3 && ref[0].is_string(), InvalidArgument,
             "a tensor reference must be [layer name, node index, tensor index], got ", ref.dump());
    std::string lname = ref[0].get<std::string>();
    auto it = made.find(lname);
    NB_CHECK(it != made.end(), InvalidArgument, "functional model config refers to unknown layer '", lname, "'");
    size_t node = ref[1].get<size_t>(), tensor = ref[2].get<size_t>();
    if (node >= it->second.size()) return false;  // not made yet
    NB_CHECK(tensor < it->second[node].size(), InvalidArgument, "layer '", lname, "' node ", node, " has no output ",
             tensor);
    out = it->second[node][tensor];
    return true;
  };
  bool progress = true;
  while (progress) {
    progress = false;
    for (Pending& p : pending) {
      while (p.next < p.inbound.size()) {
        const nlohmann::json& args = p.inbound[p.next];
        NB_CHECK(args.is_array() && !args.empty(), InvalidArgument, "layer '", p.layer->name(),
                 "': an inbound node must be a non-empty list of tensor references");
        std::vector<KerasTensor> ins(args.size());
        bool ready = true;
        for (size_t i = 0; i < args.size() && ready; ++i) ready = resolve(args[i], ins[i]);
        if (!ready) break;
        LayerRef ref(p.layer);
        made[p.layer->name()].push_back(ins.size() == 1 ? std::vector<KerasTensor>{ref(ins[0])} : ref(ins));
        ++p.next;
        progress = true;
      }
    }
  }
  for (const Pending& p : pending)
    NB_CHECK(p.next == p.inbound.size(), InvalidArgument, "functional model config: the inputs of layer '",
             p.layer->name(), "' can never be computed (a cycle or a missing layer)");
  std::vector<KerasTensor> ins, outs;
  for (const auto& r : c["input_layers"]) {
    KerasTensor t;
    NB_CHECK(resolve(r, t), InvalidArgument, "unknown model input ", r.dump());
    ins.push_back(t);
  }
  for (const auto& r : c["output_layers"]) {
    KerasTensor t;
    NB_CHECK(resolve(r, t), InvalidArgument, "unknown model output ", r.dump());
    outs.push_back(t);
  }
  LayerOptions o;
  if (c.contains("name") && c["name"].is_string()) o.name = c["name"].get<std::string>();
  return std::make_shared<Model>(ins, outs, o);
}

std::shared_ptr<Model> model_from_config(const nlohmann::json& description) {
  std::shared_ptr<Layer> l = layer_from_config(description);
  auto m = std::dynamic_pointer_cast<Model>(l);
  NB_CHECK(m != nullptr, InvalidArgument, "the config describes a ", l->class_name(), " layer, not a model");
  return m;
}

NB_REGISTER_LAYER(Model, "Functional");

}  // namespace nabla
