// AutogradMeta: what the tape needs to know about a tensor beyond its value
// (internal). Attached to the value of every Variable so that a tape can
// watch trainable variables when an op reads them.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>

namespace nabla {

struct AutogradMeta {
  uint64_t variable_id = 0;            // the Variable whose value this is
  std::atomic<bool> trainable{true};   // mirrors Variable::trainable()
  std::weak_ptr<void> owner;           // the Variable's state (for graph capture)
};

}  // namespace nabla
