#include "nabla/train/callbacks/model_checkpoint.h"

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "nabla/train/model.h"
#include "train/callbacks/save_freq.h"

namespace nabla::callbacks {

namespace {
// Formats one value with a Python-style spec ("02d", ".2f", "8.4f", "" or "e").
std::string format_value(const std::string& key, double v, const std::string& spec) {
  if (spec.empty()) {
    if (v == double(int64_t(v)) && (key == "epoch" || key == "batch")) return std::to_string(int64_t(v));
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
  }
  // [0][width][.precision](d|f|e|g)
  size_t i = 0;
  std::string flags, width, prec;
  if (spec[i] == '0') flags = "0", ++i;
  while (i < spec.size() && std::isdigit(static_cast<unsigned char>(spec[i]))) width += spec[i++];
  if (i < spec.size() && spec[i] == '.') {
    ++i;
    while (i < spec.size() && std::isdigit(static_cast<unsigned char>(spec[i]))) prec += spec[i++];
    NB_CHECK(!prec.empty(), InvalidArgument, "ModelCheckpoint: malformed format spec '", spec, "' for {", key, "}");
  }
  NB_CHECK(i + 1 == spec.size() && std::string("dfeg").find(spec[i]) != std::string::npos && width.size() < 4 &&
               prec.size() < 3,
           InvalidArgument, "ModelCheckpoint: unsupported format spec '", spec, "' for {", key,
           "} (use d, f, e or g with optional width and precision, e.g. 02d or .4f)");
  std::string fmt = "%" + flags + width;
  if (!prec.empty()) fmt += "." + prec;
  char buf[128];
  if (spec[i] == 'd') {
    fmt += "lld";
    std::snprintf(buf, sizeof buf, fmt.c_str(), static_cast<long long>(v));
  } else {
    fmt += spec[i];
    std::snprintf(buf, sizeof buf, fmt.c_str(), v);
  }
  return buf;
}
}  // namespace

std::string format_checkpoint_path(const std::string& pattern, const Logs& values) {
  std::string out;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '{' && i + 1 < pattern.size() && pattern[i + 1] == '{') { out += '{'; ++i; continue; }
    if (c == '}' && i + 1 < pattern.size() && pattern[i + 1] == '}') { out += '}'; ++i; continue; }
    if (c != '{') { out += c; continue; }
    const size_t close = pattern.find('}', i);
    NB_CHECK(close != std::string::npos, InvalidArgument, "ModelCheckpoint: unclosed '{' in filepath '", pattern, "'");
    const std::string field = pattern.substr(i + 1, close - i - 1);
    const size_t colon = field.find(':');
    const std::string key = field.substr(0, colon);
    const std::string spec = colon == std::string::npos ? "" : field.substr(colon + 1);
    const std::optional<double> v = values.get(key);
    if (!v) {
      std::string keys;
      for (const auto& [k, value] : values) keys += (keys.empty() ? "" : ", ") + k;
      throw InvalidArgument("ModelCheckpoint: filepath '" + pattern + "' names {" + key +
                            "}, which is not available; available: " + keys);
    }
    out += format_value(key, *v, spec);
    i = close;
  }
  return out;
}

ModelCheckpoint::ModelCheckpoint(std::string filepath, const ModelCheckpointOptions& options)
    : MonitorCallback(options.monitor, options.mode, 0.0, options.initial_value_threshold),
      filepath_(std::move(filepath)), options_(options) {
  NB_CHECK(!filepath_.empty(), InvalidArgument, "ModelCheckpoint: empty filepath");
  save_every_ = detail::parse_save_freq(options_.save_freq, "ModelCheckpoint");
}

void ModelCheckpoint::on_train_begin(const Logs&) { batches_seen_ = 0; }

void ModelCheckpoint::on_epoch_begin(int epoch, const Logs&) { epoch_ = epoch; }

void ModelCheckpoint::on_train_batch_end(int64_t batch, const Logs& logs) {
  if (save_every_ == 0) return;
  if (++batches_seen_ % save_every_ == 0) save(epoch_, batch, logs);
}

void ModelCheckpoint::on_epoch_end(int epoch, const Logs& logs) {
  if (save_every_ == 0) save(epoch, std::nullopt, logs);
}

void ModelCheckpoint::save(int epoch, std::optional<int64_t> batch, const Logs& logs) {
  Logs values = logs;
  values.set("epoch", epoch + 1);
  if (batch) values.set("batch", double(*batch + 1));
  const std::string path = format_checkpoint_path(filepath_, values);
  if (options_.save_best_only) {
    const std::optional<double> v = monitor_value(logs, "Can save best model only with");
    if (!v) return;
    if (!is_improvement(*v, best_)) {
      if (options_.verbose > 0) {
        char buf[256];
        std::snprintf(buf, sizeof buf, "\nEpoch %d: %s did not improve from %.5f\n", epoch + 1, monitor_.c_str(),
                      best_ ? *best_ : 0.0);
        std::cout << buf;
      }
      return;
    }
    if (options_.verbose > 0) {
      char buf[256];
      std::snprintf(buf, sizeof buf, "\nEpoch %d: %s improved from %s to %.5f, saving model to ", epoch + 1,
                    monitor_.c_str(), best_ ? std::to_string(*best_).c_str() : "inf", *v);
      std::cout << buf << path << "\n";
    }
    best_ = *v;
  } else if (options_.verbose > 0) {
    std::cout << "\nEpoch " << epoch + 1 << ": saving model to " << path << "\n";
  }
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  if (options_.save_weights_only) model().save_weights(path);
  else model().save(path);
  last_saved_ = path;
}

}  // namespace nabla::callbacks
