# nabla: one-command set-up, build, test and benchmark on Debian 12.
#
#   make run      install packages, build, run the main job (nabla train on Fashion-MNIST)
#   make test     install packages, build, run every test through CTest
#   make bench    install packages (+ Google Benchmark, LibTorch, a TensorFlow venv),
#                 run the op benchmarks, then the training benchmark (bench-train)
#   make bench-train  only the training benchmark: nabla vs LibTorch vs Keras
#   make install  build and install to $(PREFIX) (default /usr/local)
#   make asan     AddressSanitizer + UBSan build in build-asan/, run every test there
#   make pyref    Python venv (build/pyref) with the reference readers the tests use
#   make fuzz     libFuzzer runs of the file readers (clang; see docs/reliability.md)
#   make clean    remove the build directories made here
#
# Every target works as root on a fresh Debian 12 machine; as another user,
# packages are installed through sudo.

# Debian packages needed to build and test. Add new build/test dependencies here.
# ocl-icd-opencl-dev: oneDNN's CMake config (dnnl-config.cmake) requires OpenCL even for its
# CPU build, and libdnnl-dev only recommends it (apt-get runs with --no-install-recommends).
DEPS := cmake g++ ninja-build ccache make pkg-config \
        libgtest-dev libgmock-dev libopenblas-dev \
        nlohmann-json3-dev zlib1g-dev libcli11-dev dataset-fashion-mnist \
        libprotobuf-dev protobuf-compiler libpng-dev libisal-dev libdnnl-dev ocl-icd-opencl-dev python3-venv
# Packages needed only by `make fuzz`.
FUZZ_DEPS := clang libclang-rt-14-dev
# Reference readers from PyPI, in a venv, never linked: TensorBoard's own event
# reader and Python's safetensors check the files nabla writes (tests/tools/).
PYREF_DIR = $(BUILD_DIR)/pyref
PYREF_PACKAGES := tensorboard==2.21.0 safetensors==0.8.0 numpy==2.4.6
# Packages needed only by `make bench` (the benchmark library and the peer we compare with).
BENCH_DEPS := libbenchmark-dev libtorch-dev python3

JOBS ?= $(shell nproc 2>/dev/null || echo 2)
PREFIX ?= /usr/local
BUILD_TYPE ?= Release
# Per-test time limit for CTest, in seconds.
TEST_TIMEOUT ?= 300

BUILD_DIR := build
BENCH_DIR := build-bench
ASAN_DIR := build-asan

CMAKE_COMMON := -G Ninja -DNABLA_BUILD_EXAMPLES=ON

SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

# Steps depend on each other in order; ninja parallelises inside each step.
.NOTPARALLEL:
.PHONY: all deps bench-deps configure build run test test-sanitize pyref bench bench-configure bench-train \
        keras-venv install asan clean fuzz

all: build

# Installs the packages in $(1) that dpkg does not report as installed.
define apt_install
	@missing=""; \
	for p in $(1); do \
	  dpkg-query -W -f='$${Status}\n' "$$p" 2>/dev/null | grep -q '^install ok installed$$' \
	    || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
	else \
	  echo "All Debian packages present: $(strip $(1))"; \
	fi
endef

deps:
	$(call apt_install,$(DEPS))

bench-deps:
	$(call apt_install,$(BENCH_DEPS))

configure:
	cmake -S . -B $(BUILD_DIR) $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	  -DNABLA_BUILD_TESTS=ON -DCMAKE_INSTALL_PREFIX=$(PREFIX)

build: configure
	ninja -C $(BUILD_DIR) -j$(JOBS)

# The main job: train the default MLP on Fashion-MNIST (TRAIN_ARGS adds flags).
TRAIN_ARGS ?=
run: deps build
	./$(BUILD_DIR)/tools/nabla/nabla train $(TRAIN_ARGS)

# Every test, then the unit tests again under AddressSanitizer + UBSan.
test: deps build pyref
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j$(JOBS) --timeout $(TEST_TIMEOUT)
	$(MAKE) --no-print-directory test-sanitize

# The Python venv with the reference readers (created once; pinned versions).
pyref:
	@if [ -x $(PYREF_DIR)/bin/python ] && $(PYREF_DIR)/bin/python -c 'import tensorboard, safetensors, numpy' 2>/dev/null; then \
	  echo "Reference venv present: $(PYREF_DIR)"; \
	else \
	  echo "Creating the reference venv $(PYREF_DIR): $(PYREF_PACKAGES)"; \
	  /usr/bin/python3 -m venv $(PYREF_DIR) && \
	  $(PYREF_DIR)/bin/pip install --quiet --disable-pip-version-check $(PYREF_PACKAGES); \
	fi

# The unit tests (tests/unit, tests/conformance) against a build of the library with
# ASan + UBSan at -O0 (nabla_sanitized, in the same build directory: the test objects
# are compiled once): memory errors, leaks and undefined behaviour fail the run.
SANITIZE_TIMEOUT ?= 1800
SANITIZE_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
test-sanitize: deps configure
	ninja -C $(BUILD_DIR) -j$(JOBS) nabla_tests_sanitized
	@# One process for all tests (CTest's process per test costs ~0.5 s each under ASan).
	$(SANITIZE_ENV) timeout $(SANITIZE_TIMEOUT) ./$(BUILD_DIR)/tests/nabla_tests_sanitized --gtest_brief=1

# Benchmarks: nabla vs LibTorch vs direct OpenBLAS, in one process, 2 threads each.
# OPENBLAS_NUM_THREADS sets the pool OpenBLAS starts with (used by LibTorch's
# matmul and the cblas_sgemm baseline); OPENBLAS_THREAD_TIMEOUT=4 puts its idle
# workers to sleep at once instead of spinning ~0.1 s into the next benchmark.
# nabla runs OpenBLAS single-threaded inside its own pool. See docs/benchmarks.md.
BENCH_THREADS ?= 2
# Extra Google Benchmark flags. compare.py reports the median of 10 repetitions, run in
# random interleaved order so that a busy moment does not hit one benchmark only.
BENCH_ARGS ?= --benchmark_repetitions=10 --benchmark_enable_random_interleaving=true \
  --benchmark_report_aggregates_only=true
bench: deps bench-deps bench-configure
	ninja -C $(BENCH_DIR) -j$(JOBS) bench_ops
	OPENBLAS_NUM_THREADS=$(BENCH_THREADS) OPENBLAS_THREAD_TIMEOUT=4 OMP_NUM_THREADS=$(BENCH_THREADS) \
	  NABLA_BENCH_THREADS=$(BENCH_THREADS) \
	  ./$(BENCH_DIR)/bench/bench_ops --benchmark_out=$(BENCH_DIR)/bench_ops.json \
	  --benchmark_out_format=json $(BENCH_ARGS)
	python3 bench/compare.py $(BENCH_DIR)/bench_ops.json
	$(MAKE) --no-print-directory bench-train

bench-configure:
	cmake -S . -B $(BENCH_DIR) $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Release \
	  -DNABLA_BUILD_TESTS=OFF -DNABLA_BUILD_BENCH=ON

# End-to-end training benchmark (bench/run_train_bench.sh, see docs/benchmarks.md):
# `nabla bench mlp|cnn`, LibTorch's C++ frontend (bench_torch_train) and Keras
# (bench/keras_train.py) on Fashion-MNIST, one epoch per run, the frameworks
# interleaved, TRAIN_BENCH_REPS_MLP / TRAIN_BENCH_REPS_CNN repetitions (fewer
# repetitions: faster, noisier; a full run takes about 15-20 minutes on 2 cores),
# then the medians and the nabla/LibTorch and nabla/Keras ratios
# (bench/compare_train.py). TRAIN_BENCH_ARGS adds flags of run_train_bench.sh
# (e.g. --models mlp). Results: $(BENCH_DIR)/train_bench.jsonl.
TRAIN_BENCH_REPS_MLP ?= 5
TRAIN_BENCH_REPS_CNN ?= 3
TRAIN_BENCH_ARGS ?=
# Keras peer: a venv with TensorFlow (CPU) and Keras from PyPI, created once in
# $(BENCH_DIR)/venv-tf; KERAS_PYTHON=/path/to/python uses an existing one instead.
KERAS_VENV = $(BENCH_DIR)/venv-tf
KERAS_PACKAGES := tensorflow-cpu==2.21.0 keras==3.15.1
KERAS_PYTHON ?= $(KERAS_VENV)/bin/python
bench-train: deps bench-deps bench-configure keras-venv
	ninja -C $(BENCH_DIR) -j$(JOBS) nabla_cli bench_torch_train
	BUILD_DIR=$(abspath $(BENCH_DIR)) NABLA_BIN=$(abspath $(BENCH_DIR))/tools/nabla/nabla \
	  KERAS_PYTHON=$(KERAS_PYTHON) bench/run_train_bench.sh \
	  --reps-mlp $(TRAIN_BENCH_REPS_MLP) --reps-cnn $(TRAIN_BENCH_REPS_CNN) $(TRAIN_BENCH_ARGS)

keras-venv:
	@if [ "$(KERAS_PYTHON)" != "$(KERAS_VENV)/bin/python" ]; then \
	  echo "Keras peer: $(KERAS_PYTHON) (KERAS_PYTHON)"; \
	elif [ -x $(KERAS_VENV)/bin/python ] && $(KERAS_VENV)/bin/python -c 'import tensorflow, keras' 2>/dev/null; then \
	  echo "Keras venv present: $(KERAS_VENV)"; \
	else \
	  echo "Creating the Keras venv $(KERAS_VENV): $(KERAS_PACKAGES)"; \
	  /usr/bin/python3 -m venv $(KERAS_VENV) && \
	  $(KERAS_VENV)/bin/pip install --quiet --disable-pip-version-check $(KERAS_PACKAGES); \
	fi

install: deps build
	cmake --install $(BUILD_DIR) --prefix $(PREFIX)
	@if [ "$$(id -u)" = 0 ] && command -v ldconfig >/dev/null; then ldconfig; fi

# Sanitizer build (ASan + UBSan), RelWithDebInfo so the tests stay fast.
asan: deps
	cmake -S . -B $(ASAN_DIR) $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DNABLA_BUILD_TESTS=ON -DNABLA_SANITIZE=ON
	ninja -C $(ASAN_DIR) -j$(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir $(ASAN_DIR) --output-on-failure -j$(JOBS) --timeout $(TEST_TIMEOUT)

# libFuzzer targets (clang; CI-optional): FUZZ_SECONDS per target, see docs/reliability.md.
FUZZ_SECONDS ?= 300
fuzz: deps
	$(call apt_install,$(FUZZ_DEPS))
	fuzz/run_fuzz.sh $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD_DIR) $(BENCH_DIR) $(ASAN_DIR) build-fuzz
