// Model::summary: Keras 2's table (layer, output shape, params, totals).
#include <iostream>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "nabla/nn/layers/input_layer.h"
#include "nabla/train/model.h"
#include "nabla/train/sequential.h"
#include "train/model_internal.h"

namespace nabla {

namespace {

std::string with_commas(int64_t v) {
  const std::string digits = std::to_string(v);
  std::string out;
  out.reserve(digits.size() + digits.size() / 3);
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0 && digits[i - 1] != '-') out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

// One row as Keras 2 prints it: a leading space, each field starting at its
// column, cut at the next column with at least one space kept between fields.
std::string row(const std::vector<std::string>& fields, const std::vector<size_t>& positions) {
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line.back() = ' ';
    if (i == 0) line += ' ';
    line += fields[i];
    if (line.size() > positions[i]) line.resize(positions[i]);
    line.append(positions[i] - line.size(), ' ');
  }
  return line;
}

std::string batch_shape_str(std::vector<int64_t> s) {
  s.insert(s.begin(), -1);
  return shape_to_keras_str(s);
}

}  // namespace

void Model::summary() { summary(std::cout); }

void Model::summary(std::ostream& os) {
  struct Row {
    std::vector<std::string> fields;
  };
  std::vector<Row> rows;
  bool connected = false;
  if (auto* seq = dynamic_cast<Sequential*>(this)) {
    std::vector<std::shared_ptr<Layer>> ls = seq->sequential_layers();
    const auto& shapes = seq->layer_output_shapes();
    NB_CHECK(shapes.size() == ls.size(), FailedPrecondition, "Sequential model '", name(),
             "' has not been built yet: give the first layer an input_shape, start with nb::Input, call "
             "build_for(), or call the model on a batch of data");
    for (size_t i = 0; i < ls.size(); ++i)
      rows.push_back({{ls[i]->name() + " (" + ls[i]->class_name() + ")", batch_shape_str(shapes[i]),
                       std::to_string(ls[i]->count_params())}});
  } else if (graph_) {
    // Keras adds a "Connected to" column unless the graph is a plain chain.
    std::unordered_map<const Layer*, int> calls;
    for (const auto& n : graph_->nodes) {
      ++calls[n->layer.get()];
      if (n->inputs.size() > 1 || n->output_shapes.size() > 1) connected = true;
    }
    for (const auto& [l, k] : calls) connected |= k > 1;
    connected |= graph_->inputs.size() > 1 || graph_->outputs.size() > 1;
    std::unordered_map<const Layer*, int> node_no;
    for (const auto& n : graph_->nodes) {
      const Layer& l = *n->layer;
      std::string shape;
      if (n->inputs.empty()) {
        shape = "[" + shape_to_keras_str(n->output_shapes[0]) + "]";
      } else if (calls[&l] > 1) {
        shape = "multiple";
      } else {
        for (size_t i = 0; i < n->output_shapes.size(); ++i)
          shape += (i ? ", " : "") + shape_to_keras_str(n->output_shapes[i]);
      }
      int k = node_no[&l]++;
      if (k > 0 && !connected) continue;
      std::vector<std::string> f{l.name() + " (" + l.class_name() + ")", shape,
                                 k == 0 ? std::to_string(const_cast<Layer&>(l).count_params()) : "0"};
      if (connected) {
        std::string conn;
        for (const KerasTensor& t : n->inputs) {
          int idx = 0;
          for (const auto& m : graph_->nodes) {
            if (m.get() == t.node().get()) break;
            if (m->layer.get() == t.node()->layer.get()) ++idx;
          }
          if (!conn.empty()) conn += ", ";
          conn += '\'';
          conn += t.node()->layer->name();
          conn += '[' + std::to_string(idx) + "][" + std::to_string(t.index()) + "]'";
        }
        f.push_back(conn.empty() ? "[]" : "[" + conn + "]");
      }
      rows.push_back({f});
    }
  } else {
    std::vector<std::shared_ptr<Layer>> ls = sublayers();
    NB_CHECK(!ls.empty() || built(), FailedPrecondition, "model '", name(),
             "' has not been built yet: call it on a batch of data (or fit) first");
    for (const auto& l : ls)
      rows.push_back({{l->name() + " (" + l->class_name() + ")", "multiple", std::to_string(l->count_params())}});
  }
  const size_t line_length = connected ? 98 : 65;
  std::vector<size_t> positions =
      connected ? std::vector<size_t>{32, 53, 65, 98} : std::vector<size_t>{29, 55, 65};
  std::vector<std::string> header{"Layer (type)", "Output Shape", "Param #"};
  if (connected) header.push_back("Connected to");
  os << "Model: \"" << name() << "\"\n";
  os << std::string(line_length, '_') << "\n";
  os << row(header, positions) << "\n";
  os << std::string(line_length, '=') << "\n";
  for (const Row& r : rows) os << row(r.fields, positions) << "\n" << std::string(line_length, ' ') << "\n";
  os << std::string(line_length, '=') << "\n";
  int64_t trainable = 0, non_trainable = 0;
  for (Variable* v : trainable_variables()) trainable += v->size();
  for (Variable* v : non_trainable_variables()) non_trainable += v->size();
  os << "Total params: " << with_commas(trainable + non_trainable) << "\n";
  os << "Trainable params: " << with_commas(trainable) << "\n";
  os << "Non-trainable params: " << with_commas(non_trainable) << "\n";
  os << std::string(line_length, '_') << "\n";
}

}  // namespace nabla
