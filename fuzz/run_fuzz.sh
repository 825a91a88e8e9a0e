#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) in build-fuzz/ and runs each
# for a bounded time on a copy of its seed corpus (fuzz/corpus/<target>/).
#
#   fuzz/run_fuzz.sh [SECONDS_PER_TARGET]      (default 300; `make fuzz` runs it)
#
# Environment: FUZZ_BUILD_DIR (default build-fuzz), FUZZ_TARGETS (default
# "idx safetensors model_file"), FUZZ_WORK_DIR (default $FUZZ_BUILD_DIR/fuzz-runs),
# JOBS (ninja -j, default nproc).
#
# Prints one summary line per target (executions, coverage, corpus, findings) and
# exits non-zero if any target found something: a crash, a sanitizer report, an
# exception other than nabla::Error, a timeout (-timeout=10 s per input), more than
# 2 GiB of memory (-rss_limit_mb=2048; a single malloc above it counts too) or a leak.
# Each finding is saved as <work dir>/<target>/artifacts/{crash,leak,timeout,oom}-<sha1>;
# rerun one with: build-fuzz/fuzz/fuzz_<target> <that file>. See docs/reliability.md.
set -euo pipefail

SECONDS_PER_TARGET="${1:-300}"
if ! [[ "$SECONDS_PER_TARGET" =~ ^[0-9]+$ ]] || [ "$SECONDS_PER_TARGET" -lt 1 ]; then
  echo "usage: $0 [SECONDS_PER_TARGET]   (a positive whole number of seconds; default 300)" >&2
  exit 2
fi
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BUILD_DIR="${FUZZ_BUILD_DIR:-build-fuzz}"
TARGETS="${FUZZ_TARGETS:-idx safetensors model_file}"
WORK_DIR="${FUZZ_WORK_DIR:-$BUILD_DIR/fuzz-runs}"
JOBS="${JOBS:-$(nproc 2>/dev/null || echo 2)}"

# Largest input per target: a few times the biggest seed, small enough to stay fast.
max_len_of() {
  case "$1" in
    idx) echo 4096 ;;
    safetensors) echo 8192 ;;
    model_file) echo 16384 ;;
    *) echo 4096 ;;
  esac
}

if ! command -v clang++ >/dev/null 2>&1; then
  echo "run_fuzz.sh: clang++ not found; install the Debian packages clang and libclang-rt-14-dev" >&2
  exit 2
fi

echo "== configuring $BUILD_DIR (clang, -DNABLA_FUZZ=ON)"
CC=clang CXX=clang++ cmake -S . -B "$BUILD_DIR" -G Ninja -DNABLA_FUZZ=ON -DNABLA_BUILD_TESTS=OFF \
  -DNABLA_BUILD_EXAMPLES=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
build_targets=()
for t in $TARGETS; do build_targets+=("fuzz_$t"); done
echo "== building ${build_targets[*]}"
ninja -C "$BUILD_DIR" -j"$JOBS" "${build_targets[@]}"

# halt_on_error: every sanitizer report stops the run (libFuzzer then saves the input).
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:strict_string_checks=1:check_initialization_order=1:detect_stack_use_after_return=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}"
# One thread for BLAS and nabla's pool: the inputs are tiny, and it keeps runs reproducible.
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 NABLA_NUM_THREADS=1

summary=()
failed=0
for t in $TARGETS; do
  bin="$BUILD_DIR/fuzz/fuzz_$t"
  seeds="fuzz/corpus/$t"
  dir="$WORK_DIR/$t"
  rm -rf "$dir"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  [ -d "$seeds" ] && cp -R "$seeds/." "$dir/corpus/"
  nseeds=$(find "$dir/corpus" -type f | wc -l)
  max_len=$(max_len_of "$t")
  echo "== fuzz_$t: ${SECONDS_PER_TARGET}s, $nseeds seeds, -max_len=$max_len (log: $dir/fuzz.log)"
  set +e
  "$bin" -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 -timeout=10 -max_len="$max_len" \
    -print_final_stats=1 -artifact_prefix="$dir/artifacts/" "$dir/corpus" >"$dir/fuzz.log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/fuzz.log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$dir/fuzz.log" | grep ' cov: ' | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corpus_files=$(find "$dir/corpus" -type f | wc -l)
  artifacts=$(find "$dir/artifacts" -type f | wc -l)
  findings=$artifacts
  if [ "$rc" -ne 0 ] && [ "$findings" -eq 0 ]; then findings=1; fi  # died without saving an input
  line=$(printf '%-18s seconds=%-5s execs=%-10s cov=%-6s ft=%-6s corpus=%-5s findings=%s' \
    "fuzz_$t" "$SECONDS_PER_TARGET" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$corpus_files" "$findings")
  if [ "$findings" -ne 0 ]; then
    failed=1
    line+="  (exit $rc; artifacts in $dir/artifacts/; log $dir/fuzz.log)"
    grep -E 'ERROR: |SUMMARY: |runtime error|terminate called|uncaught exception|==[0-9]+== ' "$dir/fuzz.log" \
      | head -5 | sed 's/^/    /' || true
  fi
  summary+=("$line")
done

echo
echo "== fuzz summary ($(date -u +%Y-%m-%dT%H:%MZ))"
printf '%s\n' "${summary[@]}"
if [ "$failed" -ne 0 ]; then
  echo "FINDINGS: see the artifacts above; rerun one with $BUILD_DIR/fuzz/fuzz_<target> <artifact>" >&2
  exit 1
fi
echo "no findings"
