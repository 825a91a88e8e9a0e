#include "nabla/train/logs.h"

#include <cmath>
#include <cstdio>

#include "nabla/core/error.h"

namespace nabla {

void Logs::set(const std::string& key, double value) {
  for (auto& [k, v] : items_)
    if (k == key) {
      v = value;
      return;
    }
  items_.emplace_back(key, value);
}

std::optional<double> Logs::get(const std::string& key) const {
  for (const auto& [k, v] : items_)
    if (k == key) return v;
  return std::nullopt;
}

double Logs::at(const std::string& key) const {
  if (auto v = get(key)) return *v;
  std::string keys;
  for (const auto& [k, v] : items_) keys += (keys.empty() ? "" : ", ") + k;
  throw NotFound("no value named '" + key + "' in the logs; available: " + (keys.empty() ? "(none)" : keys));
}

std::string Logs::str() const {
  std::string s;
  char buf[64];
  for (const auto& [k, v] : items_) {
    if (!s.empty()) s += " - ";
    if (std::fabs(v) > 1e-3) std::snprintf(buf, sizeof buf, "%.4f", v);
    else std::snprintf(buf, sizeof buf, "%.4e", v);
    s += k + ": " + buf;
  }
  return s;
}

}  // namespace nabla
