#!/usr/bin/env bash
# End-to-end training benchmark: Fashion-MNIST MLP and CNN, one epoch each,
# LibTorch C++ (bench_torch_train), Keras 3 / TensorFlow CPU (keras_train.py)
# and nabla (`nabla bench mlp|cnn --json`), interleaved.
#
# Usage: bench/run_train_bench.sh [--quick] [--reps-mlp N] [--reps-cnn N]
#          [--models "mlp cnn"] [--frameworks "libtorch keras nabla"]
#          [--epochs N] [--keras-inter-op I] [--data DIR] [--out FILE] [--append]
#   --quick          one repetition of everything (default: 5 for mlp, 3 for cnn)
#   --models         workloads to run (default "mlp cnn")
#   --frameworks     frameworks to run (default "libtorch keras nabla")
#   --epochs         epochs per run (default 1)
#   --keras-inter-op TensorFlow inter-op threads (default 1; 1 and 2 measured
#                    the same within noise, 1 is the honest choice for 1-2 cores)
#   --out            JSON-lines file (default build-bench/train_bench.jsonl),
#                    overwritten unless --append
#
# Needs: build-bench/bench/bench_torch_train and build-bench/tools/nabla/nabla
# (configure with -DNABLA_BUILD_BENCH=ON and run `ninja -C build-bench
# bench_torch_train nabla_cli`; `make bench` does all of this), and a Python
# with tensorflow-cpu + keras: KERAS_PYTHON, default build-bench/venv-tf/bin/python
# (made by `make bench`), else /work/venv-tf/bin/python. NABLA_BIN overrides
# the nabla binary (default build-bench/tools/nabla/nabla, else build/...).
#
# Configurations: every framework runs in each configuration listed for it, and
# compare_train.py compares the best (lowest median) of each, as the issue asks
# ("LibTorch in its best configuration"), plus the same-thread-count pairs.
#   mlp: LibTorch "1-thread" (OpenMP 1, OPENBLAS_NUM_THREADS=1) and "omp1+blas2"
#        (OpenMP 1, OpenBLAS's own pool of 2: its matmuls use both cores, with no
#        second pool spinning against it), each also with OPENBLAS_CORETYPE=SkylakeX
#        ("+avx512": Debian's OpenBLAS 0.3.21 does not recognise recent AMD cores
#        and picks its AVX2 Haswell kernels; forcing the AVX-512 kernels is faster
#        there); Keras 1 thread; nabla 1 and 2 threads (--threads; nabla runs its
#        GEMMs single-threaded inside its own pool). On the AMD EPYC machine of
#        2026-11-23, LibTorch's fastest was omp1+blas2+avx512 (0.45 s, against
#        0.48 omp1+blas2, 0.49 1-thread+avx512, 0.58 1-thread).
#   cnn: 2 threads for everyone, LibTorch also with "+avx512" (OPENBLAS_NUM_THREADS=1: LibTorch calls OpenBLAS
#        from inside its own OpenMP pool; a threaded OpenBLAS on top of that
#        oversubscribes the cores).
#   OMP_NUM_THREADS is set to the OpenMP thread count. TF_CPP_MIN_LOG_LEVEL=2 for quiet TF.
#   OMP_WAIT_POLICY is passed through from the caller (recorded in the JSON as
#   "omp_wait_policy"). Leave it unset on a quiet machine (libgomp's default,
#   LibTorch's normal configuration). On a LOADED machine (other processes
#   busy: load average above the core count) LibTorch with 2 OpenMP threads
#   collapses with the default spin-waiting (cnn, load ~8.8 on 2 cores:
#   --limit 3200 took 45.8 s with 2 threads vs 7.8 s with 1 thread, and 7.4 s
#   with 2 threads and OMP_WAIT_POLICY=PASSIVE; a full cnn epoch at load 2-4:
#   107.5 s default vs 37.2 s PASSIVE vs 30.3 s with 1 thread); export
#   OMP_WAIT_POLICY=PASSIVE then, or better, wait for a quiet machine.
#
# Runs are strictly sequential (never two benchmarks at once) and the
# frameworks are interleaved per repetition so that load changes from other
# processes hit all of them alike. Each JSON line gets the 1-minute load
# average before and after the run ("load_before", "load_after"): check them,
# the machine is shared. At the end bench/compare_train.py prints the medians.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${BUILD_DIR:-$ROOT/build-bench}"
first_executable() { for f in "$@"; do [[ -x "$f" ]] && { echo "$f"; return; }; done; echo "$1"; }
NABLA_BIN="${NABLA_BIN:-$(first_executable "$BUILD/tools/nabla/nabla" "$ROOT/build/tools/nabla/nabla")}"
TORCH_BIN="$BUILD/bench/bench_torch_train"
KERAS_PYTHON="${KERAS_PYTHON:-$(first_executable "$BUILD/venv-tf/bin/python" /work/venv-tf/bin/python)}"
DATA="/usr/share/datasets/fashion-mnist"
OUT="$BUILD/train_bench.jsonl"
REPS_MLP=5
REPS_CNN=3
MODELS="mlp cnn"
FRAMEWORKS="libtorch keras nabla"
EPOCHS=1
KERAS_INTER_OP=1
APPEND=0

while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) REPS_MLP=1; REPS_CNN=1 ;;
    --reps-mlp) REPS_MLP="$2"; shift ;;
    --reps-cnn) REPS_CNN="$2"; shift ;;
    --models) MODELS="$2"; shift ;;
    --frameworks) FRAMEWORKS="$2"; shift ;;
    --epochs) EPOCHS="$2"; shift ;;
    --keras-inter-op) KERAS_INTER_OP="$2"; shift ;;
    --data) DATA="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    --append) APPEND=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d'; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

reps_for() { [[ "$1" == mlp ]] && echo "$REPS_MLP" || echo "$REPS_CNN"; }
load1() { cut -d' ' -f1 /proc/loadavg; }

# Configurations of a framework for a model, one per line:
#   label  OpenMP/intra-op threads  OPENBLAS_NUM_THREADS  OPENBLAS_CORETYPE ("-": detected)
configs_for() {  # framework model
  if [[ "$2" == mlp ]]; then
    case "$1" in
      libtorch) printf '%s\n' "1-thread 1 1 -" "omp1+blas2 1 2 -" \
                               "1-thread+avx512 1 1 SkylakeX" "omp1+blas2+avx512 1 2 SkylakeX" ;;
      keras) printf '%s\n' "1-thread 1 1 -" ;;
      nabla) printf '%s\n' "1-thread 1 1 -" "2-threads 2 1 -" ;;
    esac
  else
    case "$1" in
      libtorch) printf '%s\n' "2-threads 2 1 -" "2-threads+avx512 2 1 SkylakeX" ;;
      *) printf '%s\n' "2-threads 2 1 -" ;;
    esac
  fi
}

# env arguments for OPENBLAS_CORETYPE ("-": none, OpenBLAS detects the CPU).
coretype_env() { [[ "$1" == - ]] || echo "OPENBLAS_CORETYPE=$1"; }

# Runs one benchmark command (with its environment) and appends its JSON line,
# plus the configuration label and the load averages, to $OUT. A failing run is
# reported and skipped.
record() {
  local label="$1" config="$2"; shift 2
  local before after line
  before="$(load1)"
  echo "[$(date +%T)] $label, $config (load $before) ..." >&2
  if ! line="$("$@" | grep -m1 '^{')"; then
    echo "  FAILED: $*" >&2
    return 0
  fi
  after="$(load1)"
  line="$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); d["config"]=sys.argv[5]; d["load_before"]=float(sys.argv[2]); d["load_after"]=float(sys.argv[3]); d["omp_wait_policy"]=sys.argv[4]; print(json.dumps(d, separators=(",",":")))' "$line" "$before" "$after" "${OMP_WAIT_POLICY:-default}" "$config")"
  echo "$line" >> "$OUT"
  echo "  $line" >&2
}

run_libtorch() {  # model config threads blas_threads coretype
  record "libtorch $1" "$2" env $(coretype_env "$5") OPENBLAS_NUM_THREADS="$4" OMP_NUM_THREADS="$3" \
    "$TORCH_BIN" "$1" --data "$DATA" --epochs "$EPOCHS" --threads "$3" --json
}

run_keras() {  # model config threads blas_threads coretype (unused: TensorFlow has no OpenBLAS)
  record "keras $1" "$2" env OPENBLAS_NUM_THREADS="$4" OMP_NUM_THREADS="$3" TF_CPP_MIN_LOG_LEVEL=2 \
    "$KERAS_PYTHON" "$ROOT/bench/keras_train.py" --model "$1" --data "$DATA" \
    --epochs "$EPOCHS" --threads "$3" --inter-op "$KERAS_INTER_OP" --json
}

# ============================ nabla runs ======================================
# `nabla bench mlp|cnn --json` times only the training loop of each epoch, as the
# peers do, and prints one JSON line in their format. NABLA_BIN overrides the
# binary. nabla runs OpenBLAS single-threaded inside its own pool whatever
# OPENBLAS_NUM_THREADS says; the variable is set for symmetry with the peers.
run_nabla() {  # model config threads blas_threads coretype (unused: float32 GEMM is oneDNN's)
  record "nabla $1" "$2" env OPENBLAS_NUM_THREADS="$4" \
    "$NABLA_BIN" bench "$1" --data "$DATA" --epochs "$EPOCHS" --threads "$3" --json
}
# ==============================================================================

has_framework() { [[ " $FRAMEWORKS " == *" $1 "* ]]; }

if has_framework libtorch && [[ ! -x "$TORCH_BIN" ]]; then
  echo "missing $TORCH_BIN: cmake -S $ROOT -B $BUILD -G Ninja -DCMAKE_BUILD_TYPE=Release" \
       "-DNABLA_BUILD_TESTS=OFF -DNABLA_BUILD_BENCH=ON && ninja -C $BUILD -j2 bench_torch_train" >&2
  exit 1
fi
if has_framework nabla && [[ ! -x "$NABLA_BIN" ]]; then
  echo "missing $NABLA_BIN: ninja -C $BUILD -j2 nabla_cli (or make build), or set NABLA_BIN" >&2
  exit 1
fi
if has_framework keras && [[ ! -x "$KERAS_PYTHON" ]]; then
  echo "missing $KERAS_PYTHON (TensorFlow venv); set KERAS_PYTHON" >&2
  exit 1
fi

mkdir -p "$(dirname "$OUT")"
[[ "$APPEND" == 1 ]] || : > "$OUT"
echo "host: $(nproc) cores, $(uptime)" >&2
echo "nabla: $NABLA_BIN; libtorch: $TORCH_BIN; keras: $KERAS_PYTHON" >&2
if awk -v l="$(load1)" -v n="$(nproc)" 'BEGIN { exit !(l > n) }'; then
  echo "warning: load average $(load1) is above the $(nproc) cores: timings will be noisy" \
       "(and LibTorch cnn with 2 OpenMP threads slow unless OMP_WAIT_POLICY=PASSIVE)" >&2
fi

for model in $MODELS; do
  reps="$(reps_for "$model")"
  for ((r = 1; r <= reps; ++r)); do
    echo "--- $model, repetition $r/$reps" >&2
    for fw in $FRAMEWORKS; do
      case "$fw" in
        libtorch|keras|nabla) ;;
        *) echo "unknown framework $fw" >&2; exit 2 ;;
      esac
      while read -r config threads blas coretype; do
        "run_$fw" "$model" "$config" "$threads" "$blas" "$coretype" < /dev/null
      done < <(configs_for "$fw" "$model")
    done
  done
done

echo "host after: $(uptime)" >&2
python3 "$ROOT/bench/compare_train.py" "$OUT"
