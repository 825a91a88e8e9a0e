#include "nabla/core/denormal.h"

#include <atomic>

namespace nabla {

namespace {
std::atomic<bool> g_flush{true};
}

bool set_flush_denormal(bool on) { return g_flush.exchange(on); }

bool flush_denormal() { return g_flush.load(std::memory_order_relaxed); }

}  // namespace nabla
