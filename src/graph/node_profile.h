// Per-node timing of compiled graphs, for finding where a train step's time goes
// (docs/performance.md). Off unless the environment variable NABLA_GRAPH_PROFILE is
// set to a non-empty value other than "0" when the process first runs a graph; then
// every Op and Stateful node is timed, and at process exit a table goes to stderr:
// one row per (op, output shape), sorted by total time, with calls, total ms, us per
// call and share. Disabled, it costs one predictable branch per node.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace nabla::graph {

struct Graph;
struct Node;

// True when NABLA_GRAPH_PROFILE asks for profiling (read once per process).
bool node_profiling_enabled();

// The row of `n` (registered on first use of its label): "MatMul [32,128]".
int node_profile_row(const Graph& g, const Node& n);

// Adds one call of `seconds` to a row.
void node_profile_add(int row, std::chrono::steady_clock::duration elapsed);

}  // namespace nabla::graph
