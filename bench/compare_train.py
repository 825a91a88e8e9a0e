#!/usr/bin/env python3
"""Summarises the end-to-end training benchmark (bench/run_train_bench.sh).

Usage: python3 bench/compare_train.py [build-bench/train_bench.jsonl]

Reads one JSON object per line, as printed with --json by bench_torch_train,
bench/keras_train.py and `nabla bench` ("framework", "model", "epoch_seconds",
"images_per_second", "final_loss", "test_accuracy", "threads"; optional
"load_before"/"load_after" added by the runner). Prints, per (framework, model):
the number of runs, the median epoch seconds over every epoch of every run, the
median first-epoch seconds and later-epoch seconds (they differ for Keras,
whose first epoch includes tracing), median images/s, test accuracy and final
loss, and the range of the 1-minute load average. When a "nabla" entry exists
it prints the ratios of median epoch seconds nabla/libtorch and nabla/keras
(below 1 means nabla is faster). Lines that are not JSON objects are ignored.
Python 3 standard library only.
"""
import json
import statistics
import sys
from collections import defaultdict

PEERS = ["libtorch", "keras"]


def load_runs(path):
    runs = defaultdict(list)
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line.startswith("{"):
                continue
            try:
                d = json.loads(line)
            except json.JSONDecodeError as e:
                print(f"{path}:{lineno}: skipped, not JSON ({e})", file=sys.stderr)
                continue
            if not d.get("epoch_seconds") or "framework" not in d or "model" not in d:
                print(f"{path}:{lineno}: skipped, needs framework, model, epoch_seconds",
                      file=sys.stderr)
                continue
            runs[(d["framework"], d["model"])].append(d)
    return runs


def median_or_none(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(v, spec):
    return "-" if v is None else format(v, spec)


def summarise(rows):
    epochs = [s for r in rows for s in r["epoch_seconds"]]
    first = [r["epoch_seconds"][0] for r in rows]
    later = [s for r in rows for s in r["epoch_seconds"][1:]]
    loads = [r[k] for r in rows for k in ("load_before", "load_after") if k in r]
    return {
        "runs": len(rows),
        "epoch": statistics.median(epochs),
        "first": statistics.median(first),
        "later": median_or_none(later),
        "ips": median_or_none([r.get("images_per_second") for r in rows]),
        "acc": median_or_none([r.get("test_accuracy") for r in rows]),
        "loss": median_or_none([r.get("final_loss") for r in rows]),
        "threads": sorted({r.get("threads") for r in rows if r.get("threads") is not None}),
        "load": (min(loads), max(loads)) if loads else None,
    }


def main(argv):
    path = argv[1] if len(argv) > 1 else "build-bench/train_bench.jsonl"
    runs = load_runs(path)
    if not runs:
        print(f"no benchmark results in {path}")
        return 1
    stats = {key: summarise(rows) for key, rows in runs.items()}
    models = sorted({m for _, m in stats})
    order = {"nabla": 0, "libtorch": 1, "keras": 2}
    print(f"end-to-end training, Fashion-MNIST, medians ({path})")
    header = (f"{'model':5} {'framework':9} {'runs':>4} {'epoch s':>8} {'1st ep s':>8} "
              f"{'later s':>8} {'img/s':>8} {'test acc':>8} {'loss':>7} {'thr':>4}  load 1m")
    print(header)
    print("-" * len(header))
    for model in models:
        fws = sorted((f for f, m in stats if m == model), key=lambda f: (order.get(f, 9), f))
        for fw in fws:
            s = stats[(fw, model)]
            load_range = ("-" if s["load"] is None else f"{s['load'][0]:.2f}-{s['load'][1]:.2f}")
            print(f"{model:5} {fw:9} {s['runs']:>4} {s['epoch']:>8.3f} {s['first']:>8.3f} "
                  f"{fmt(s['later'], '>8.3f'):>8} {fmt(s['ips'], '>8.0f'):>8} "
                  f"{fmt(s['acc'], '>8.4f'):>8} {fmt(s['loss'], '>7.4f'):>7} "
                  f"{','.join(str(t) for t in s['threads']):>4}  {load_range}")
    ratios = []
    for model in models:
        nabla = stats.get(("nabla", model))
        if nabla is None:
            continue
        for peer in PEERS:
            other = stats.get((peer, model))
            if other is not None:
                ratios.append(f"{model}: nabla/{peer} epoch time = "
                              f"{nabla['epoch'] / other['epoch']:.3f}  "
                              f"({nabla['epoch']:.3f} s vs {other['epoch']:.3f} s; <1 = nabla faster)")
    if ratios:
        print()
        print("\n".join(ratios))
    else:
        print("\n(no nabla entries with a peer to compare: run bench/run_train_bench.sh with "
              "--frameworks including nabla and libtorch or keras)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
