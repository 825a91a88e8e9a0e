// Subnormal floats: Model training/evaluation steps and optimizer updates run
// with flush-to-zero / denormals-are-zero on by default, as TensorFlow's
// executors do (ops called directly keep IEEE subnormals).
// Subnormal arithmetic is 10-100x slower on x86, and training produces many
// (Adam's moments of rarely active inputs decay geometrically into that range).
#pragma once

namespace nabla {

// Turns flushing on or off for every later op and update (torch.set_flush_denormal).
// Returns the previous setting. No effect on CPUs without FTZ/DAZ.
bool set_flush_denormal(bool on);
// Whether subnormals are flushed (default true).
bool flush_denormal();

}  // namespace nabla
