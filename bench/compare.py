#!/usr/bin/env python3
"""Prints nabla's ratios to LibTorch and OpenBLAS from bench_ops JSON output.

Usage: python3 bench/compare.py build-bench/bench_ops.json

Benchmarks are named OP/IMPL (add_16M/nabla, add_16M/torch, ...). With
--benchmark_repetitions the median is used, else the single run. Ratios are
of throughput (items/s: elements, or FLOP for matmul), except per-op
overhead, which compares time per call. Python 3 standard library only.
"""
import json
import sys

# (label, op, nabla impl, peer impl, kind, target): kind "throughput" means
# nabla/peer of items per second (higher is better, target is a minimum);
# "time" means nabla/peer of time per call (lower is better, target is a maximum).
CHECKS = [
    ("element-wise add, 2^24 f32", "add_16M", "nabla", "torch", "throughput", 1.0),
    ("reduce_sum, 2^24 f32", "reduce_sum_16M", "nabla", "torch", "throughput", 1.0),
    ("matmul 1024^2 f32 vs cblas_sgemm", "matmul_1024", "nabla", "cblas", "throughput", 0.95),
    ("per-op overhead, add of 1 element", "add_1", "nabla", "torch", "time", 0.5),
    ("tape + mul + gradient, 1 element", "grad_mul_1", "nabla", "torch", "time", 1.0),
    ("MLP 784-128-10 batch 32, loss + gradients", "grad_mlp_32", "nabla", "torch", "time", 1.0),
]
# Shown for information, no target.
INFO = [
    ("add 2^24 vs LibTorch add_out (no alloc)", "add_16M", "nabla", "torch_out", "throughput"),
    ("matmul 1024^2 f32 vs LibTorch", "matmul_1024", "nabla", "torch", "throughput"),
    ("LibTorch matmul vs cblas_sgemm", "matmul_1024", "torch", "cblas", "throughput"),
    ("add of 1 element: idle tape alive vs no tape", "add_1", "nabla_idle_tape", "nabla", "time"),
]

TO_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def load(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    runs = {}
    for b in data.get("benchmarks", []):
        name = b.get("run_name") or b["name"]
        for suffix in ("/real_time", "/process_time", "/manual_time"):
            if name.endswith(suffix):
                name = name[: -len(suffix)]
        if b.get("run_type") == "aggregate":
            if b.get("aggregate_name") != "median":
                continue
        elif name in runs and runs[name].get("_median"):
            continue
        entry = {
            "time_ns": b["real_time"] * TO_NS.get(b.get("time_unit", "ns"), 1.0),
            "items_per_second": b.get("items_per_second"),
            "bytes_per_second": b.get("bytes_per_second"),
            "_median": b.get("run_type") == "aggregate",
        }
        runs[name] = entry
    return data.get("context", {}), runs


def ratio(runs, op, num, den, kind):
    a, b = runs.get(f"{op}/{num}"), runs.get(f"{op}/{den}")
    if not a or not b:
        return None
    if kind == "time":
        return a["time_ns"] / b["time_ns"]
    if not a["items_per_second"] or not b["items_per_second"]:
        return None
    return a["items_per_second"] / b["items_per_second"]


def human(v, unit):
    for scale, prefix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if v >= scale:
            return f"{v / scale:.2f} {prefix}{unit}"
    return f"{v:.2f} {unit}"


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    ctx, runs = load(argv[1])
    print(f"\nhost: {ctx.get('host_name', '?')}, {ctx.get('num_cpus', '?')} CPUs, "
          f"threads: {ctx.get('threads', '?')}")
    print(f"\n{'benchmark':28} {'time/call':>12} {'items/s':>14} {'bytes/s':>14}")
    for name, r in sorted(runs.items()):
        t = r["time_ns"]
        ts = f"{t / 1e6:.3f} ms" if t >= 1e6 else f"{t / 1e3:.3f} us" if t >= 1e3 else f"{t:.1f} ns"
        ips = human(r["items_per_second"], "") if r["items_per_second"] else "-"
        bps = human(r["bytes_per_second"], "B/s") if r["bytes_per_second"] else "-"
        print(f"{name:28} {ts:>12} {ips:>14} {bps:>14}")

    print(f"\n{'ratio (nabla / peer)':42} {'value':>7} {'target':>8}  result")
    missed = 0
    for label, op, num, den, kind, target in CHECKS:
        r = ratio(runs, op, num, den, kind)
        if r is None:
            print(f"{label:42} {'n/a':>7} {'':>8}  MISSING (benchmark not run)")
            missed += 1
            continue
        ok = r >= target if kind == "throughput" else r <= target
        missed += not ok
        cmp = ">=" if kind == "throughput" else "<="
        print(f"{label:42} {r:7.3f} {cmp + ' ' + format(target, '.2f'):>8}  {'met' if ok else 'MISSED'}")
    for label, op, num, den, kind in INFO:
        r = ratio(runs, op, num, den, kind)
        if r is not None:
            print(f"{label:42} {r:7.3f} {'(info)':>8}")
    print(f"\n{missed} target(s) missed or not measured" if missed else "\nall targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
