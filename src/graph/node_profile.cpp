#include "graph/node_profile.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "graph/graph.h"

namespace nabla::graph {

namespace {

struct Row {
  std::string label;
  std::atomic<int64_t> nanos{0}, calls{0};
};

// Process-wide rows; printed when the process exits.
class Profile {
 public:
  ~Profile() { print(); }

  int row(const std::string& label) {
    std::lock_guard<std::mutex> lk(mu_);
    auto [it, fresh] = index_.try_emplace(label, int(rows_.size()));
    if (fresh) rows_.emplace_back().label = label;
    return it->second;
  }
  Row& at(int i) {
    std::lock_guard<std::mutex> lk(mu_);
    return rows_[size_t(i)];  // deque: references stay valid as rows are added
  }

 private:
  void print() {
    std::lock_guard<std::mutex> lk(mu_);
    if (rows_.empty()) return;
    std::vector<const Row*> order;
    int64_t total = 0;
    for (const Row& r : rows_) {
      order.push_back(&r);
      total += r.nanos.load();
    }
    std::sort(order.begin(), order.end(), [](const Row* a, const Row* b) { return a->nanos > b->nanos; });
    std::fprintf(stderr, "nabla graph profile (NABLA_GRAPH_PROFILE): %.1f ms in graph nodes\n", double(total) * 1e-6);
    std::fprintf(stderr, "%10s %7s %9s %10s  %s\n", "total ms", "share", "calls", "us/call", "node [output shape]");
    for (const Row* r : order) {
      const int64_t n = r->nanos.load(), c = r->calls.load();
      std::fprintf(stderr, "%10.1f %6.1f%% %9lld %10.2f  %s\n", double(n) * 1e-6,
                   total > 0 ? 100.0 * double(n) / double(total) : 0.0, static_cast<long long>(c),
                   c > 0 ? double(n) * 1e-3 / double(c) : 0.0, r->label.c_str());
    }
  }

  std::mutex mu_;
  std::deque<Row> rows_;
  std::unordered_map<std::string, int> index_;
};

Profile& profile() {
  static Profile p;
  return p;
}

}  // namespace

bool node_profiling_enabled() {
  static const bool on = [] {
    const char* v = std::getenv("NABLA_GRAPH_PROFILE");
    return v != nullptr && *v != '\0' && std::string_view(v) != "0";
  }();
  return on;
}

int node_profile_row(const Graph& g, const Node& n) {
  std::string label;
  if (n.kind == NodeKind::Stateful) {
    label = n.call ? n.call->kind : std::string("Stateful");
    const std::string optimizer = n.call ? n.call->attrs.get_or<std::string>("optimizer", "") : std::string();
    if (!optimizer.empty()) label.append("(").append(optimizer).append(")");
  } else {
    label = n.op->name;
  }
  if (n.num_outputs > 0) label.append(" ").append(g.values[size_t(n.output(0))].spec.shape.str());
  return profile().row(label);
}

void node_profile_add(int row, std::chrono::steady_clock::duration elapsed) {
  Row& r = profile().at(row);
  r.nanos.fetch_add(std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count(),
                    std::memory_order_relaxed);
  r.calls.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace nabla::graph
