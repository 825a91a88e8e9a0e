// Op micro-benchmarks, nabla vs LibTorch vs direct OpenBLAS, in one process:
//   add_16M       element-wise add of two 2^24-element float32 tensors
//   reduce_sum_16M  sum of a 2^24-element float32 tensor
//   matmul_1024   1024x1024 float32 matmul (+ cblas_sgemm baseline)
//   add_1         add of two 1-element float32 tensors (per-op overhead);
//                 add_1/nabla_idle_tape: the same with a GradientTape alive
//                 that does not watch the inputs (nothing recorded)
//   grad_mul_1    tape + multiply of 1-element tensors + gradient (autodiff overhead)
//   grad_mlp_32   loss and gradients of a 784-128-10 MLP (relu, softmax cross
//                 entropy) on a batch of 32: forward + backward
// Every benchmark is named OP/IMPL; bench/compare.py turns the JSON output
// into ratios. Threads: NABLA_BENCH_THREADS (default 2) for nabla's pool,
// LibTorch's intra-op (OpenMP) pool and OpenBLAS (for LibTorch's matmul and the
// cblas baseline; nabla runs OpenBLAS single-threaded inside its own pool).
// Times are wall-clock (UseRealTime): the work runs on several threads.
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <nabla/nabla.h>

#ifdef NABLA_BENCH_TORCH
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/autograd.h>
#endif

namespace nb = nabla;

namespace {

constexpr int64_t kBig = int64_t(1) << 24;
constexpr int64_t kMatN = 1024;

int g_threads = 2;

// Same values for every implementation: uniform [0, 1) from a fixed seed.
const std::vector<float>& host_data(int which, int64_t n) {
  static std::vector<std::vector<float>> cache(4);
  std::vector<float>& v = cache.at(size_t(which));
  if (int64_t(v.size()) != n) {
    nb::random::Generator gen(1234 + uint64_t(which));
    v = nb::random::uniform({n}, {}, gen).to_vector<float>();
  }
  return v;
}

nb::Tensor nabla_tensor(int which, const nb::Shape& shape) {
  return nb::from_bytes(host_data(which, shape.num_elements()).data(), shape, nb::float32);
}

// Sets OpenBLAS's own thread count for one benchmark and restores it after,
// so whatever nabla configured for its own GEMM calls is left untouched.
class BlasThreads {
 public:
  explicit BlasThreads(int n) : saved_(openblas_get_num_threads()) { openblas_set_num_threads(n); }
  ~BlasThreads() { openblas_set_num_threads(saved_); }
  BlasThreads(const BlasThreads&) = delete;
  BlasThreads& operator=(const BlasThreads&) = delete;

 private:
  int saved_;
};

void set_add_counters(benchmark::State& st, int64_t n) {
  st.SetItemsProcessed(st.iterations() * n);
  st.SetBytesProcessed(st.iterations() * n * 3 * int64_t(sizeof(float)));
}
void set_sum_counters(benchmark::State& st, int64_t n) {
  st.SetItemsProcessed(st.iterations() * n);
  st.SetBytesProcessed(st.iterations() * n * int64_t(sizeof(float)));
}
void set_matmul_counters(benchmark::State& st, int64_t n) {
  st.SetItemsProcessed(st.iterations() * 2 * n * n * n);  // items/s = FLOP/s
}

// ---- nabla -------------------------------------------------------------------

void nabla_add(benchmark::State& st, int64_t n) {
  const nb::Tensor a = nabla_tensor(0, {n}), b = nabla_tensor(1, {n});
  for (auto _ : st) {
    nb::Tensor c = nb::add(a, b);
    benchmark::DoNotOptimize(c.raw_data());
    benchmark::ClobberMemory();
  }
  set_add_counters(st, n);
}

void nabla_add_idle_tape(benchmark::State& st) {
  const nb::Tensor a = nabla_tensor(0, {1}), b = nabla_tensor(1, {1});
  nb::GradientTape tape;  // alive, but a and b are not watched: records nothing
  for (auto _ : st) {
    nb::Tensor c = nb::add(a, b);
    benchmark::DoNotOptimize(c.raw_data());
    benchmark::ClobberMemory();
  }
  set_add_counters(st, 1);
}

void nabla_grad_mul(benchmark::State& st) {
  const nb::Tensor a = nabla_tensor(0, {1}), b = nabla_tensor(1, {1});
  for (auto _ : st) {
    nb::GradientTape tape;
    tape.watch(a);
    nb::Tensor c = nb::multiply(a, b);
    nb::Tensor g = tape.gradient(c, a);
    benchmark::DoNotOptimize(g.raw_data());
    benchmark::ClobberMemory();
  }
}

constexpr int64_t kBatch = 32, kIn = 784, kHidden = 128, kOut = 10;

void nabla_grad_mlp(benchmark::State& st) {
  const nb::Tensor x = nabla_tensor(0, {kBatch, kIn});
  nb::Variable w1(nabla_tensor(1, {kIn, kHidden}) * 0.01f), b1(nb::zeros({kHidden}));
  nb::Variable w2(nabla_tensor(2, {kHidden, kOut}) * 0.1f), b2(nb::zeros({kOut}));
  const nb::Tensor labels = nb::one_hot(nb::arange(0, kBatch) % 10, kOut);
  for (auto _ : st) {
    nb::GradientTape tape;
    nb::Tensor h = nb::relu(nb::matmul(x, w1) + b1);
    nb::Tensor logits = nb::matmul(h, w2) + b2;
    nb::Tensor loss = nb::reduce_mean(-nb::reduce_sum(labels * nb::log_softmax(logits), {-1}));
    std::vector<nb::Tensor> g = tape.gradient(loss, {w1, b1, w2, b2});
    benchmark::DoNotOptimize(g[0].raw_data());
    benchmark::ClobberMemory();
  }
}

void nabla_reduce_sum(benchmark::State& st) {
  const nb::Tensor x = nabla_tensor(0, {kBig});
  for (auto _ : st) {
    nb::Tensor s = nb::reduce_sum(x);
    benchmark::DoNotOptimize(s.raw_data());
    benchmark::ClobberMemory();
  }
  set_sum_counters(st, kBig);
}

void nabla_matmul(benchmark::State& st) {
  const nb::Tensor a = nabla_tensor(0, {kMatN, kMatN}), b = nabla_tensor(1, {kMatN, kMatN});
  for (auto _ : st) {
    nb::Tensor c = nb::matmul(a, b);
    benchmark::DoNotOptimize(c.raw_data());
    benchmark::ClobberMemory();
  }
  set_matmul_counters(st, kMatN);
}

// ---- direct OpenBLAS -----------------------------------------------------------

void cblas_matmul(benchmark::State& st) {
  const std::vector<float>& a = host_data(0, kMatN * kMatN);
  const std::vector<float>& b = host_data(1, kMatN * kMatN);
  std::vector<float> c(size_t(kMatN * kMatN));
  BlasThreads threads(g_threads);
  const int n = int(kMatN);
  for (auto _ : st) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a.data(), n, b.data(), n,
                0.0f, c.data(), n);
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  set_matmul_counters(st, kMatN);
}

// ---- LibTorch ------------------------------------------------------------------

#ifdef NABLA_BENCH_TORCH
at::Tensor torch_tensor(int which, std::vector<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  // from_blob does not own the memory; clone into a LibTorch-owned tensor.
  return at::from_blob(const_cast<float*>(host_data(which, n).data()), shape, at::kFloat).clone();
}

void torch_add(benchmark::State& st, int64_t n) {
  const at::Tensor a = torch_tensor(0, {n}), b = torch_tensor(1, {n});
  for (auto _ : st) {
    at::Tensor c = at::add(a, b);
    benchmark::DoNotOptimize(c.data_ptr());
    benchmark::ClobberMemory();
  }
  set_add_counters(st, n);
}

// LibTorch writing into a preallocated output (no allocation per call):
// not a like-for-like eager op, shown to separate kernel from allocator cost.
void torch_add_out(benchmark::State& st, int64_t n) {
  const at::Tensor a = torch_tensor(0, {n}), b = torch_tensor(1, {n});
  at::Tensor c = at::empty({n}, at::kFloat);
  for (auto _ : st) {
    at::add_out(c, a, b);
    benchmark::DoNotOptimize(c.data_ptr());
    benchmark::ClobberMemory();
  }
  set_add_counters(st, n);
}

void torch_grad_mul(benchmark::State& st) {
  const at::Tensor a = torch_tensor(0, {1}).set_requires_grad(true), b = torch_tensor(1, {1});
  for (auto _ : st) {
    at::Tensor c = at::mul(a, b);
    auto g = torch::autograd::grad({c}, {a}, {at::ones_like(c)});
    benchmark::DoNotOptimize(g[0].data_ptr());
    benchmark::ClobberMemory();
  }
}

void torch_grad_mlp(benchmark::State& st) {
  BlasThreads threads(g_threads);  // LibTorch's float32 GEMM is OpenBLAS sgemm here
  const at::Tensor x = torch_tensor(0, {kBatch, kIn});
  const at::Tensor w1 = (torch_tensor(1, {kIn, kHidden}) * 0.01f).set_requires_grad(true);
  const at::Tensor b1 = at::zeros({kHidden}).set_requires_grad(true);
  const at::Tensor w2 = (torch_tensor(2, {kHidden, kOut}) * 0.1f).set_requires_grad(true);
  const at::Tensor b2 = at::zeros({kOut}).set_requires_grad(true);
  const at::Tensor labels = at::one_hot(at::arange(kBatch) % 10, kOut).to(at::kFloat);
  for (auto _ : st) {
    at::Tensor h = at::relu(at::matmul(x, w1) + b1);
    at::Tensor logits = at::matmul(h, w2) + b2;
    at::Tensor loss = (-(labels * at::log_softmax(logits, -1)).sum(-1)).mean();
    auto g = torch::autograd::grad({loss}, {w1, b1, w2, b2});
    benchmark::DoNotOptimize(g[0].data_ptr());
    benchmark::ClobberMemory();
  }
}

void torch_reduce_sum(benchmark::State& st) {
  const at::Tensor x = torch_tensor(0, {kBig});
  for (auto _ : st) {
    at::Tensor s = at::sum(x);
    benchmark::DoNotOptimize(s.data_ptr());
    benchmark::ClobberMemory();
  }
  set_sum_counters(st, kBig);
}

void torch_matmul(benchmark::State& st) {
  const at::Tensor a = torch_tensor(0, {kMatN, kMatN}), b = torch_tensor(1, {kMatN, kMatN});
  BlasThreads threads(g_threads);  // LibTorch's float32 GEMM is OpenBLAS sgemm here
  for (auto _ : st) {
    at::Tensor c = at::matmul(a, b);
    benchmark::DoNotOptimize(c.data_ptr());
    benchmark::ClobberMemory();
  }
  set_matmul_counters(st, kMatN);
}
#endif

template <typename F> void reg(const std::string& name, F fn) {
  benchmark::RegisterBenchmark(name.c_str(), fn)->UseRealTime()->Unit(benchmark::kMicrosecond);
}

}  // namespace

int main(int argc, char** argv) {
  if (const char* env = std::getenv("NABLA_BENCH_THREADS")) g_threads = std::max(1, std::atoi(env));
  nb::set_num_threads(g_threads);
#ifdef NABLA_BENCH_TORCH
  at::set_num_threads(g_threads);
#endif
  benchmark::AddCustomContext("threads", std::to_string(g_threads));
  benchmark::AddCustomContext("openblas_threads_at_start", std::to_string(openblas_get_num_threads()));
  benchmark::AddCustomContext("openblas_config", openblas_get_config());
#ifdef NABLA_BENCH_TORCH
  benchmark::AddCustomContext("torch_parallel_info", at::get_parallel_info());
#endif

  // Order: small ops first; GEMMs last, as OpenBLAS worker threads keep
  // spinning for a while after a multi-threaded call.
  reg("add_1/nabla", [](benchmark::State& st) { nabla_add(st, 1); });
#ifdef NABLA_BENCH_TORCH
  reg("add_1/torch", [](benchmark::State& st) { torch_add(st, 1); });
#endif
  reg("add_1/nabla_idle_tape", nabla_add_idle_tape);
  reg("grad_mul_1/nabla", nabla_grad_mul);
#ifdef NABLA_BENCH_TORCH
  reg("grad_mul_1/torch", torch_grad_mul);
#endif
  reg("grad_mlp_32/nabla", nabla_grad_mlp);
#ifdef NABLA_BENCH_TORCH
  reg("grad_mlp_32/torch", torch_grad_mlp);
#endif
  reg("add_16M/nabla", [](benchmark::State& st) { nabla_add(st, kBig); });
#ifdef NABLA_BENCH_TORCH
  reg("add_16M/torch", [](benchmark::State& st) { torch_add(st, kBig); });
  reg("add_16M/torch_out", [](benchmark::State& st) { torch_add_out(st, kBig); });
#endif
  reg("reduce_sum_16M/nabla", nabla_reduce_sum);
#ifdef NABLA_BENCH_TORCH
  reg("reduce_sum_16M/torch", torch_reduce_sum);
#endif
  reg("matmul_1024/nabla", nabla_matmul);
  reg("matmul_1024/cblas", cblas_matmul);
#ifdef NABLA_BENCH_TORCH
  reg("matmul_1024/torch", torch_matmul);
#endif

  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
