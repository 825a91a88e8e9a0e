// End-to-end training benchmark peer: LibTorch (C++ frontend) on Fashion-MNIST.
//
//   bench_torch_train mlp|cnn [--data DIR] [--epochs N] [--threads T] [--seed S]
//                             [--limit N] [--json]
// --limit N trains on the first N images only: for smoke tests, not measurements.
//
// Run it with OPENBLAS_NUM_THREADS=1 (bench/run_train_bench.sh does): LibTorch
// parallelises with its own OpenMP pool (--threads, via torch::set_num_threads)
// and calls OpenBLAS from inside that pool; a multi-threaded OpenBLAS on top
// of it oversubscribes the cores. The program warns on stderr when the
// variable is not 1.
//
// Workloads (the same as bench/keras_train.py and `nabla bench`):
//   mlp: Flatten, Linear(784,128)+relu, Linear(128,10); batch 32; 1 thread by default
//   cnn: Conv2d(1,32,3)+relu, MaxPool2d(2), Conv2d(32,64,3)+relu, MaxPool2d(2),
//        Flatten, Linear(1600,128)+relu, Linear(128,10); batch 64; 2 threads by default
// Both: Adam lr 1e-3 (PyTorch defaults but eps 1e-7, as in Keras), softmax
// cross-entropy from logits, the 60000 training images shuffled every epoch
// with a seeded torch generator (the last, partial batch is kept, as in Keras).
//
// The images stay uint8 in memory; each batch is gathered and converted to
// float / 255 inside the timed loop. Only the training loop of each epoch is
// timed (steady clock): shuffle, batch gather + conversion, forward, loss,
// backward, optimizer step. Loading the data and evaluating are not.
//
// Output (--json): one line
//   {"framework":"libtorch","model":"mlp","epoch_seconds":[...],
//    "images_per_second":...,"final_loss":...,"test_accuracy":...,"threads":T,...}
// images_per_second = training images processed / summed epoch seconds;
// final_loss = mean training loss of the last epoch, weighted by batch size
// (what Keras reports as the epoch's loss); test_accuracy on the 10000 test
// images. Without --json a human-readable summary is printed.
//
// Deliberately standalone: it has its own gzip + IDX reader (zlib) and does
// not link libnabla.
#include <torch/torch.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

// ---- Fashion-MNIST: gzipped IDX files ---------------------------------------

// Reads the whole decompressed content of a gzip file (or a plain file: zlib
// reads those transparently). Throws std::runtime_error when it cannot.
std::vector<uint8_t> read_gzip(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) throw std::runtime_error("cannot open " + path);
  gzbuffer(f, 1 << 20);
  std::vector<uint8_t> out;
  std::array<uint8_t, 1 << 16> buf{};
  for (;;) {
    const int n = gzread(f, buf.data(), unsigned(buf.size()));
    if (n < 0) {
      int err = 0;
      std::string msg = gzerror(f, &err);
      gzclose(f);
      throw std::runtime_error("gzip error in " + path + ": " + msg);
    }
    if (n == 0) break;
    out.insert(out.end(), buf.data(), buf.data() + n);
  }
  gzclose(f);
  return out;
}

uint32_t be32(const std::vector<uint8_t>& b, size_t at) {
  return (uint32_t(b[at]) << 24) | (uint32_t(b[at + 1]) << 16) | (uint32_t(b[at + 2]) << 8) |
         uint32_t(b[at + 3]);
}

// Parses an IDX file of unsigned bytes: magic 0x0000080D where D is the number
// of dimensions, D big-endian uint32 sizes, then the data. Returns a uint8
// tensor of that shape. Throws on a malformed or truncated file.
torch::Tensor read_idx_u8(const std::string& path, int64_t expected_dims) {
  const std::vector<uint8_t> b = read_gzip(path);
  if (b.size() < 4) throw std::runtime_error(path + ": too short for an IDX header");
  const uint32_t magic = be32(b, 0);
  const int64_t dims = int64_t(magic & 0xFFu);
  if ((magic >> 8) != 0x08u || dims != expected_dims) {
    throw std::runtime_error(path + ": expected an IDX uint8 file with " +
                             std::to_string(expected_dims) + " dims, found magic " +
                             std::to_string(magic));
  }
  const size_t header = 4 + 4 * size_t(dims);
  if (b.size() < header) throw std::runtime_error(path + ": truncated IDX header");
  std::vector<int64_t> shape;
  size_t count = 1;
  for (int64_t d = 0; d < dims; ++d) {
    shape.push_back(int64_t(be32(b, 4 + 4 * size_t(d))));
    count *= size_t(shape.back());
  }
  if (b.size() != header + count) {
    throw std::runtime_error(path + ": expected " + std::to_string(header + count) +
                             " bytes, found " + std::to_string(b.size()));
  }
  torch::Tensor t = torch::empty(shape, torch::kUInt8);
  std::memcpy(t.data_ptr<uint8_t>(), b.data() + header, count);
  return t;
}

struct Split {
  torch::Tensor images;  // [n, 1, 28, 28] uint8
  torch::Tensor labels;  // [n] int64
};

Split load_split(const std::string& dir, const std::string& prefix) {
  torch::Tensor images = read_idx_u8(dir + "/" + prefix + "-images-idx3-ubyte.gz", 3);
  torch::Tensor labels = read_idx_u8(dir + "/" + prefix + "-labels-idx1-ubyte.gz", 1);
  if (images.size(0) != labels.size(0) || images.size(1) != 28 || images.size(2) != 28) {
    throw std::runtime_error(dir + "/" + prefix + ": expected [n,28,28] images and [n] labels");
  }
  return {images.unsqueeze(1).contiguous(), labels.to(torch::kInt64)};
}

// ---- the two models -------------------------------------------------------

struct MlpImpl : torch::nn::Module {
  MlpImpl()
      : fc1(register_module("fc1", torch::nn::Linear(784, 128))),
        fc2(register_module("fc2", torch::nn::Linear(128, 10))) {}
  torch::Tensor forward(const torch::Tensor& x) {
    return fc2->forward(torch::relu(fc1->forward(x.flatten(1))));
  }
  torch::nn::Linear fc1;
  torch::nn::Linear fc2;
};
TORCH_MODULE(Mlp);

struct CnnImpl : torch::nn::Module {
  CnnImpl()
      : conv1(register_module("conv1", torch::nn::Conv2d(1, 32, 3))),
        conv2(register_module("conv2", torch::nn::Conv2d(32, 64, 3))),
        fc1(register_module("fc1", torch::nn::Linear(1600, 128))),
        fc2(register_module("fc2", torch::nn::Linear(128, 10))) {}
  torch::Tensor forward(const torch::Tensor& x) {
    torch::Tensor h = torch::max_pool2d(torch::relu(conv1->forward(x)), 2);  // [b,32,13,13]
    h = torch::max_pool2d(torch::relu(conv2->forward(h)), 2);                // [b,64,5,5]
    return fc2->forward(torch::relu(fc1->forward(h.flatten(1))));
  }
  torch::nn::Conv2d conv1;
  torch::nn::Conv2d conv2;
  torch::nn::Linear fc1;
  torch::nn::Linear fc2;
};
TORCH_MODULE(Cnn);

// ---- training and evaluation ------------------------------------------------

struct Options {
  std::string model = {};
  std::string data = "/usr/share/datasets/fashion-mnist";
  int epochs = 1;
  int threads = 0;  // 0: the workload's default (mlp 1, cnn 2)
  uint64_t seed = 42;
  int64_t limit = 0;  // > 0: train on the first `limit` images only (smoke tests)
  bool json = false;
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "error: %s\nusage: bench_torch_train mlp|cnn [--data DIR] [--epochs N] "
               "[--threads T] [--seed S] [--limit N] [--json]\n",
               why);
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(("missing value after " + a).c_str());
      return argv[++i];
    };
    try {
      if (a == "mlp" || a == "cnn") {
        o.model = a;
      } else if (a == "--model") {
        o.model = value();
      } else if (a == "--data") {
        o.data = value();
      } else if (a == "--epochs") {
        o.epochs = std::stoi(value());
      } else if (a == "--threads") {
        o.threads = std::stoi(value());
      } else if (a == "--seed") {
        o.seed = std::stoull(value());
      } else if (a == "--limit") {
        o.limit = std::stoll(value());
      } else if (a == "--json") {
        o.json = true;
      } else {
        usage(("unknown argument '" + a + "'").c_str());
      }
    } catch (const std::logic_error&) {
      usage(("bad number after " + a).c_str());
    }
  }
  if (o.model != "mlp" && o.model != "cnn") usage("the workload must be mlp or cnn");
  if (o.epochs < 1) usage("--epochs must be at least 1");
  if (o.threads < 0) usage("--threads must be positive");
  if (o.limit < 0) usage("--limit must be positive");
  if (o.threads == 0) o.threads = o.model == "mlp" ? 1 : 2;
  return o;
}

struct EpochResult {
  double seconds = 0;
  double mean_loss = 0;
};

// One epoch over `train`; only this function's loop is timed.
template <typename Net>
EpochResult train_epoch(Net& net, torch::optim::Adam& opt, const Split& train, int64_t batch,
                        torch::Generator& gen) {
  const int64_t n = train.images.size(0);
  const auto t0 = std::chrono::steady_clock::now();
  const torch::Tensor perm = torch::randperm(n, gen, torch::kInt64);
  // Sum of loss * batch size, accumulated without a host sync per step.
  torch::Tensor loss_sum = torch::zeros({}, torch::kFloat32);
  for (int64_t start = 0; start < n; start += batch) {
    const torch::Tensor idx = perm.slice(0, start, std::min(start + batch, n));
    const torch::Tensor x = train.images.index_select(0, idx).to(torch::kFloat32).div_(255.0f);
    const torch::Tensor y = train.labels.index_select(0, idx);
    opt.zero_grad();
    const torch::Tensor loss = torch::nn::functional::cross_entropy(net->forward(x), y);
    loss.backward();
    opt.step();
    {
      torch::NoGradGuard no_grad;
      loss_sum.add_(loss, double(idx.size(0)));
    }
  }
  const auto t1 = std::chrono::steady_clock::now();
  return {std::chrono::duration<double>(t1 - t0).count(), loss_sum.item<double>() / double(n)};
}

template <typename Net>
double test_accuracy(Net& net, const Split& test) {
  torch::NoGradGuard no_grad;
  net->eval();
  const int64_t n = test.images.size(0);
  int64_t correct = 0;
  for (int64_t start = 0; start < n; start += 1000) {
    const int64_t end = std::min(start + 1000, n);
    const torch::Tensor x = test.images.slice(0, start, end).to(torch::kFloat32).div_(255.0f);
    const torch::Tensor pred = net->forward(x).argmax(1);
    correct += pred.eq(test.labels.slice(0, start, end)).sum().template item<int64_t>();
  }
  net->train();
  return double(correct) / double(n);
}

struct RunResult {
  std::vector<EpochResult> epochs;
  double accuracy = 0;
};

template <typename Net>
RunResult run(Net net, const Options& o, int64_t batch, const Split& train, const Split& test) {
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(1e-3).eps(1e-7));
  torch::Generator gen = at::make_generator<at::CPUGeneratorImpl>(o.seed);
  RunResult r;
  for (int e = 0; e < o.epochs; ++e) {
    r.epochs.push_back(train_epoch(net, opt, train, batch, gen));
    if (!o.json) {
      std::printf("epoch %d: %.3f s, loss %.4f\n", e + 1, r.epochs.back().seconds,
                  r.epochs.back().mean_loss);
    }
  }
  r.accuracy = test_accuracy(net, test);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  // Two pools on the same cores spin against each other: LibTorch's OpenMP pool
  // (--threads) and OpenBLAS's own (OPENBLAS_NUM_THREADS). One of them at 1 is fine.
  const char* blas_threads = std::getenv("OPENBLAS_NUM_THREADS");
  if (o.threads > 1 && (blas_threads == nullptr || std::string(blas_threads) != "1")) {
    std::fprintf(stderr,
                 "warning: OPENBLAS_NUM_THREADS is %s, not 1, with %d LibTorch threads: OpenBLAS "
                 "threads will compete with LibTorch's own pool; run with OPENBLAS_NUM_THREADS=1\n",
                 blas_threads == nullptr ? "unset" : blas_threads, o.threads);
  }
  try {
    torch::set_num_threads(o.threads);
    torch::manual_seed(o.seed);  // weight initialisation
    Split train = load_split(o.data, "train");
    if (o.limit > 0 && o.limit < train.images.size(0)) {
      train = {train.images.slice(0, 0, o.limit), train.labels.slice(0, 0, o.limit)};
    }
    const Split test = load_split(o.data, "t10k");
    const int64_t batch = o.model == "mlp" ? 32 : 64;
    const RunResult r = o.model == "mlp" ? run(Mlp(), o, batch, train, test)
                                         : run(Cnn(), o, batch, train, test);

    double total = 0;
    std::string secs;
    for (const EpochResult& e : r.epochs) {
      total += e.seconds;
      char buf[32];
      std::snprintf(buf, sizeof buf, "%s%.4f", secs.empty() ? "" : ",", e.seconds);
      secs += buf;
    }
    const double ips = double(train.images.size(0)) * double(r.epochs.size()) / total;
    if (o.json) {
      std::printf(
          "{\"framework\":\"libtorch\",\"model\":\"%s\",\"epoch_seconds\":[%s],"
          "\"images_per_second\":%.1f,\"final_loss\":%.5f,\"test_accuracy\":%.4f,"
          "\"threads\":%d,\"batch_size\":%lld,\"epochs\":%d,\"train_images\":%lld,\"torch_version\":\"%d.%d.%d\","
          "\"input\":\"uint8 kept in memory, each batch converted to float/255 in the loop\"}\n",
          o.model.c_str(), secs.c_str(), ips, r.epochs.back().mean_loss, r.accuracy, o.threads,
          static_cast<long long>(batch), o.epochs,
          static_cast<long long>(train.images.size(0)), TORCH_VERSION_MAJOR, TORCH_VERSION_MINOR,
          TORCH_VERSION_PATCH);
    } else {
      std::printf("libtorch %s: %d epoch(s), %.1f images/s, final loss %.4f, test accuracy %.4f "
                  "(%d thread(s), batch %lld)\n",
                  o.model.c_str(), o.epochs, ips, r.epochs.back().mean_loss, r.accuracy,
                  o.threads, static_cast<long long>(batch));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
