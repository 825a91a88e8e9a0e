// Random tensors from an explicit, seeded counter-based generator
// (Philox-4x32-10). Element i of a draw depends only on (seed, counter, i),
// so results are identical across runs and thread counts.
#pragma once
#include <cstdint>

#include "nabla/core/tensor.h"

namespace nabla::random {

// A Philox generator (tf.random.Generator.from_seed). Each draw advances the
// counter by the number of 128-bit blocks it used.
class Generator {
 public:
  explicit Generator(uint64_t seed = 0) : seed_(seed) {}
  uint64_t seed() const { return seed_; }
  uint64_t counter() const { return counter_; }
  // Restores a saved state (for checkpoints).
  void set_state(uint64_t seed, uint64_t counter) { seed_ = seed; counter_ = counter; }
  // Reserves `blocks` counter values and returns the first.
  uint64_t advance(uint64_t blocks) { uint64_t c = counter_; counter_ += blocks; return c; }

 private:
  uint64_t seed_;
  uint64_t counter_ = 0;
};

// The process-wide generator used when none is passed; reseeded by set_seed.
Generator& default_generator();
void set_seed(uint64_t seed);

// Philox-4x32-10 block function: four 32-bit outputs for (counter, key).
void philox4x32(const uint32_t counter[4], const uint32_t key[2], uint32_t out[4]);

struct UniformOptions {
  double minval = 0.0;
  double maxval = 1.0;  // for integer dtypes: exclusive upper bound
  DType dtype = DType::float32;
};
// Uniform in [minval, maxval). Integer dtypes need maxval > minval.
Tensor uniform(const Shape& shape, UniformOptions options, Generator& gen);
Tensor uniform(const Shape& shape, UniformOptions options = {});

struct NormalOptions {
  double mean = 0.0;
  double stddev = 1.0;
  DType dtype = DType::float32;
};
// Normal(mean, stddev) via Box-Muller on Philox output (floating dtypes).
Tensor normal(const Shape& shape, NormalOptions options, Generator& gen);
Tensor normal(const Shape& shape, NormalOptions options = {});
// Normal values more than 2 stddev from the mean are redrawn (tf.random.truncated_normal).
Tensor truncated_normal(const Shape& shape, NormalOptions options, Generator& gen);
Tensor truncated_normal(const Shape& shape, NormalOptions options = {});

}  // namespace nabla::random
