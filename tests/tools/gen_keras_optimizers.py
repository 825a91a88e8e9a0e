#!/usr/bin/env python3
"""Generates tests/data/keras_optimizers.json: optimiser trajectories and learning-rate
schedule values computed by real Keras 3 (TensorFlow backend), which nabla's optimisers
(include/nabla/train/optimizers.h) and schedules (learning_rate_schedule.h) must reproduce.

How to regenerate (Keras/TensorFlow are needed only here; the C++ tests read the JSON):

    python3 -m venv venv && venv/bin/pip install tensorflow-cpu keras numpy
    KERAS_BACKEND=tensorflow venv/bin/python tests/tools/gen_keras_optimizers.py

(the reference run used tensorflow-cpu 2.21 and keras 3.15 from /work/venv-tf). The output is
deterministic: every number comes from numpy.random.default_rng with fixed seeds.

Output layout (read by tests/unit/test_optimizers.cpp and test_learning_rate_schedules.cpp):

    {"metadata": {"keras_version": ..., "tensorflow_version": ..., "steps": 8},
     "optimizer_cases": [
        {"name": "adam_amsgrad", "dtype": "float32",
         "optimizer": <keras.optimizers.serialize(opt)>,   # {"class_name", "config", ...}
         "variables": [{"name": "v0", "shape": [3, 4], "values": [...]},
                       {"name": "v1", "shape": [5], "values": [...]}],
         "grads": [[G0, G1], ...],            # per step; G = flat list, or null (no gradient)
         "trajectory": [[V0, V1], ...],       # variable values after each step
         "slots": [{"name": "v0_momentum", "values": [...]}, ...],  # optimizer.variables at
                                               # the end, minus iteration and learning_rate
         "iterations": 8, "learning_rate": <optimizer.learning_rate at the end>}, ...],
     "schedules": [
        {"name": "exponential_staircase", "schedule": <keras schedules.serialize(s)>,
         "steps": [0, 1, ...], "values": [...]}, ...]}

Gradients are float32 normals, scaled per step by a random factor in [0.1, 3] so that
AMSGrad's running maximum and the clipping options matter; the second variable's gradient is
smaller so that clipnorm clips one variable and not the other. Hyper-parameters are chosen
so that every term of each update is visible at float32 precision (large learning rates,
large epsilons in some cases). float32 values are written with the shortest decimal that
round-trips to the same float32; float64 values with repr().
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
from keras import optimizers as ko  # noqa: E402
from keras.optimizers import schedules as ks  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "data", "keras_optimizers.json"))

STEPS = 8
SHAPES = [(3, 4), (5,)]


def enc(arr, dtype):
    a = np.asarray(arr, dtype=dtype).reshape(-1)
    if dtype == "float32":
        # Shortest decimal that round-trips to this float32 (numpy's repr of float32).
        return [float(repr(np.float32(x)).replace("np.float32(", "").rstrip(")")) for x in a]
    return [float(x) for x in a]


def make_inputs(seed, dtype, skip=()):
    """Initial values and per-step gradients (None where (step, var) is in `skip`)."""
    rng = np.random.default_rng(seed)
    init = [rng.normal(size=s).astype(dtype) for s in SHAPES]
    grads = []
    for step in range(STEPS):
        scale = rng.uniform(0.1, 3.0)
        row = []
        for k, s in enumerate(SHAPES):
            g = (rng.normal(size=s) * scale * (1.0 if k == 0 else 0.2)).astype(dtype)
            row.append(None if (step, k) in skip else g)
        grads.append(row)
    return init, grads


def run_case(name, make_opt, seed, dtype="float32", skip=()):
    init, grads = make_inputs(seed, dtype, skip)
    variables = [keras.Variable(init[k], dtype=dtype, name=f"v{k}") for k in range(len(SHAPES))]
    opt = make_opt()
    traj = []
    for step in range(STEPS):
        opt.apply(grads[step], variables)
        traj.append([enc(v.numpy(), dtype) for v in variables])
    skip_names = {opt.iterations.path}
    if isinstance(opt._learning_rate, keras.Variable):
        skip_names.add(opt._learning_rate.path)
    slots = [{"name": v.name, "values": enc(v.numpy(), v.dtype)}
             for v in opt.variables if v.path not in skip_names]
    return {
        "name": name,
        "dtype": dtype,
        "optimizer": ko.serialize(opt),
        "variables": [{"name": f"v{k}", "shape": list(SHAPES[k]), "values": enc(init[k], dtype)}
                      for k in range(len(SHAPES))],
        "grads": [[None if g is None else enc(g, dtype) for g in row] for row in grads],
        "trajectory": traj,
        "slots": slots,
        "iterations": int(opt.iterations.numpy()),
        "learning_rate": float(np.asarray(opt.learning_rate)),
    }


def schedule_makers():
    return {
        "exponential": lambda: ks.ExponentialDecay(0.1, decay_steps=3, decay_rate=0.5),
        "exponential_staircase": lambda: ks.ExponentialDecay(0.1, 3, 0.5, staircase=True),
        "piecewise": lambda: ks.PiecewiseConstantDecay([2, 5], [0.1, 0.05, 0.01]),
        "cosine": lambda: ks.CosineDecay(0.1, decay_steps=6, alpha=0.1),
        "cosine_warmup": lambda: ks.CosineDecay(0.01, decay_steps=5, warmup_target=0.2,
                                                warmup_steps=3),
        "inverse_time": lambda: ks.InverseTimeDecay(0.1, decay_steps=2, decay_rate=0.5),
        "inverse_time_staircase": lambda: ks.InverseTimeDecay(0.1, 2, 0.5, staircase=True),
        "polynomial": lambda: ks.PolynomialDecay(0.1, decay_steps=5, end_learning_rate=0.01,
                                                 power=2.0),
        "polynomial_cycle": lambda: ks.PolynomialDecay(0.1, 3, 0.01, power=0.5, cycle=True),
        "cosine_restarts": lambda: ks.CosineDecayRestarts(0.1, first_decay_steps=2, t_mul=2.0,
                                                          m_mul=0.5, alpha=0.05),
        "cosine_restarts_tmul1": lambda: ks.CosineDecayRestarts(0.1, 3, t_mul=1.0, m_mul=0.8),
    }


def optimizer_cases():
    F = "float32"
    sm = schedule_makers()
    c = []

    def add(name, fn, seed, dtype=F, skip=()):
        c.append(run_case(name, lambda: fn(name), seed, dtype, skip))

    add("sgd", lambda n: ko.SGD(learning_rate=0.1, name=n), 1)
    add("sgd_momentum", lambda n: ko.SGD(0.1, momentum=0.9, name=n), 2)
    add("sgd_nesterov", lambda n: ko.SGD(0.1, momentum=0.9, nesterov=True, name=n), 3)
    add("sgd_weight_decay", lambda n: ko.SGD(0.1, momentum=0.5, weight_decay=0.2, name=n), 4)
    add("rmsprop", lambda n: ko.RMSprop(0.01, rho=0.8, epsilon=1e-3, name=n), 5)
    add("rmsprop_momentum", lambda n: ko.RMSprop(0.01, momentum=0.9, name=n), 6)
    add("rmsprop_centered", lambda n: ko.RMSprop(0.01, momentum=0.5, epsilon=1e-2,
                                                 centered=True, name=n), 7)
    add("adam", lambda n: ko.Adam(0.1, beta_1=0.8, beta_2=0.99, epsilon=1e-3, name=n), 8)
    add("adam_amsgrad", lambda n: ko.Adam(0.1, amsgrad=True, name=n), 9)
    add("adam_skip_none", lambda n: ko.Adam(0.1, name=n), 10, skip={(1, 1), (2, 1), (5, 0)})
    add("adamw", lambda n: ko.AdamW(0.05, weight_decay=0.5, name=n), 11)
    add("adamw_amsgrad_schedule", lambda n: ko.AdamW(sm["exponential"](), weight_decay=0.3,
                                                     amsgrad=True, name=n), 12)
    add("adagrad", lambda n: ko.Adagrad(0.1, initial_accumulator_value=0.5, epsilon=1e-2,
                                        name=n), 13)
    add("adadelta", lambda n: ko.Adadelta(1.0, rho=0.9, epsilon=1e-3, name=n), 14)
    add("adamax", lambda n: ko.Adamax(0.1, beta_1=0.8, epsilon=1e-2, name=n), 15)
    add("nadam", lambda n: ko.Nadam(0.1, name=n), 16)
    add("nadam_skip_none", lambda n: ko.Nadam(0.05, beta_2=0.9, epsilon=1e-2, name=n), 17,
        skip={(0, 1), (3, 1), (4, 0)})
    add("ftrl", lambda n: ko.Ftrl(0.1, name=n), 18)
    add("ftrl_regularized", lambda n: ko.Ftrl(
        0.1, learning_rate_power=-0.7, initial_accumulator_value=0.2,
        l1_regularization_strength=0.01, l2_regularization_strength=0.1,
        l2_shrinkage_regularization_strength=0.05, beta=0.5, name=n), 19)
    add("ftrl_l1_sparse", lambda n: ko.Ftrl(0.5, l1_regularization_strength=0.5,
                                            learning_rate_power=0.0, name=n), 20)
    add("sgd_clipnorm", lambda n: ko.SGD(0.1, momentum=0.5, clipnorm=1.0, name=n), 21)
    add("adam_clipvalue", lambda n: ko.Adam(0.1, clipvalue=0.5, name=n), 22)
    add("sgd_global_clipnorm", lambda n: ko.SGD(0.1, global_clipnorm=2.0, name=n), 23)
    add("rmsprop_weight_decay_clipnorm", lambda n: ko.RMSprop(
        0.01, weight_decay=0.1, clipnorm=0.7, centered=True, name=n), 24)
    for k, (sname, mk) in enumerate(sorted(sm.items())):
        add(f"sgd_schedule_{sname}", lambda n, mk=mk: ko.SGD(mk(), momentum=0.5, name=n), 30 + k)
    # float64 variables: learning rates exactly representable in float32, because Keras keeps
    # a constant learning rate in a float32 variable and casts it to the variable's dtype.
    D = "float64"
    add("sgd_nesterov_f64", lambda n: ko.SGD(0.125, momentum=0.9, nesterov=True, name=n), 50, D)
    add("rmsprop_centered_f64", lambda n: ko.RMSprop(0.015625, momentum=0.5, centered=True,
                                                     name=n), 51, D)
    add("adam_f64", lambda n: ko.Adam(0.0625, amsgrad=True, epsilon=1e-3, name=n), 52, D)
    add("adamw_f64", lambda n: ko.AdamW(0.0625, weight_decay=0.25, name=n), 53, D)
    add("adagrad_f64", lambda n: ko.Adagrad(0.125, name=n), 54, D)
    add("adadelta_f64", lambda n: ko.Adadelta(1.0, epsilon=1e-3, name=n), 55, D)
    add("adamax_f64", lambda n: ko.Adamax(0.0625, name=n), 56, D)
    add("nadam_f64", lambda n: ko.Nadam(0.0625, name=n), 57, D)
    add("ftrl_f64", lambda n: ko.Ftrl(0.125, learning_rate_power=-0.7, l1_regularization_strength=0.01,
                                      l2_regularization_strength=0.1,
                                      l2_shrinkage_regularization_strength=0.05, beta=0.5,
                                      name=n), 58, D)
    add("adam_clipnorm_f64", lambda n: ko.Adam(0.0625, clipnorm=0.5, name=n), 59, D)
    add("sgd_global_clipnorm_f64", lambda n: ko.SGD(0.125, global_clipnorm=1.5, name=n), 60, D)
    return c


def schedule_cases():
    out = []
    for name, mk in sorted(schedule_makers().items()):
        s = mk()
        steps = list(range(0, 21))
        vals = [float(np.asarray(s(np.int64(t)))) for t in steps]
        out.append({"name": name, "schedule": ks.serialize(s), "steps": steps, "values": vals})
    return out


def main():
    data = {
        "metadata": {"keras_version": keras.__version__, "tensorflow_version": tf.__version__,
                     "keras_backend": keras.backend.backend(), "steps": STEPS},
        "optimizer_cases": optimizer_cases(),
        "schedules": schedule_cases(),
    }
    with open(OUT, "w") as f:
        f.write("{\"metadata\": " + json.dumps(data["metadata"]) + ",\n")
        for key in ("optimizer_cases", "schedules"):
            f.write(f"\"{key}\": [\n")
            items = data[key]
            for i, item in enumerate(items):
                f.write(json.dumps(item, separators=(",", ":")) + (",\n" if i + 1 < len(items) else "\n"))
            f.write("]" + (",\n" if key == "optimizer_cases" else "\n"))
        f.write("}\n")
    print(f"wrote {OUT}: {len(data['optimizer_cases'])} optimizer cases, "
          f"{len(data['schedules'])} schedules, {os.path.getsize(OUT)} bytes")


if __name__ == "__main__":
    main()
