#!/usr/bin/env python3
"""Summarises the end-to-end training benchmark (bench/run_train_bench.sh).

Usage: python3 bench/compare_train.py [build-bench/train_bench.jsonl]

Reads one JSON object per line, as printed with --json by bench_torch_train,
bench/keras_train.py and `nabla bench` ("framework", "model", "epoch_seconds",
"images_per_second", "final_loss", "test_accuracy", "threads"; "config",
"load_before" and "load_after" added by the runner). Prints, per (model,
framework, configuration): the number of runs, the median epoch seconds over
every epoch of every run, the median first-epoch seconds and later-epoch
seconds (they differ for Keras, whose first epoch includes tracing), median
images/s, test accuracy and final loss, and the range of the 1-minute load
average. Then, per model, the ratios of median epoch seconds of nabla's best
configuration to each peer's best (the comparison the speed targets are about:
every framework in its best configuration), and of nabla to each peer in the
same configuration where both ran one (below 1 means nabla is faster). Lines
without "config" (older files) get "<threads>-thread(s)". Lines that are not
JSON objects are ignored.
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
            config = d.get("config") or f"{d.get('threads', '?')}-thread{'s' if d.get('threads') != 1 else ''}"
            runs[(d["framework"], d["model"], config)].append(d)
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
    models = sorted({m for _, m, _ in stats})
    order = {"nabla": 0, "libtorch": 1, "keras": 2}
    print(f"end-to-end training, Fashion-MNIST, medians ({path})")
    header = (f"{'model':5} {'framework':9} {'config':18} {'runs':>4} {'epoch s':>8} {'1st ep s':>8} "
              f"{'later s':>8} {'img/s':>8} {'test acc':>8} {'loss':>7}  load 1m")
    print(header)
    print("-" * len(header))
    for model in models:
        keys = sorted((k for k in stats if k[1] == model), key=lambda k: (order.get(k[0], 9), k[0], k[2]))
        for fw, _, config in keys:
            s = stats[(fw, model, config)]
            load_range = ("-" if s["load"] is None else f"{s['load'][0]:.2f}-{s['load'][1]:.2f}")
            print(f"{model:5} {fw:9} {config:18} {s['runs']:>4} {s['epoch']:>8.3f} {s['first']:>8.3f} "
                  f"{fmt(s['later'], '>8.3f'):>8} {fmt(s['ips'], '>8.0f'):>8} "
                  f"{fmt(s['acc'], '>8.4f'):>8} {fmt(s['loss'], '>7.4f'):>7}  {load_range}")

    def best(fw, model):
        cands = [(s["epoch"], c) for (f, m, c), s in stats.items() if f == fw and m == model]
        return min(cands) if cands else None

    ratios = []
    for model in models:
        nabla = best("nabla", model)
        if nabla is None:
            continue
        for peer in PEERS:
            other = best(peer, model)
            if other is None:
                continue
            ratios.append(f"{model}: nabla/{peer} epoch time, best configurations = "
                          f"{nabla[0] / other[0]:.3f}  (nabla {nabla[1]} {nabla[0]:.3f} s vs "
                          f"{peer} {other[1]} {other[0]:.3f} s; <1 = nabla faster)")
            for (f, m, c), s in sorted(stats.items()):
                if f == "nabla" and m == model and (peer, model, c) in stats:
                    o = stats[(peer, model, c)]
                    ratios.append(f"{model}: nabla/{peer} epoch time, both {c} = "
                                  f"{s['epoch'] / o['epoch']:.3f}  ({s['epoch']:.3f} s vs {o['epoch']:.3f} s)")
    if ratios:
        print()
        print("\n".join(ratios))
    else:
        print("\n(no nabla entries with a peer to compare: run bench/run_train_bench.sh with "
              "--frameworks including nabla and libtorch or keras)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
