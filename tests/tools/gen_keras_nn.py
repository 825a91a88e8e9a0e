#!/usr/bin/env python3
"""Generates tests/data/keras_nn.json: Keras reference data for nabla's activations,
initialisers and regularisers (src/nn).

How to regenerate (Keras/TensorFlow are needed only here; the C++ tests read the JSON):

    python3 -m venv venv && venv/bin/pip install tensorflow-cpu keras numpy
    venv/bin/python tests/tools/gen_keras_nn.py

Every draw uses a fixed seed, so rerunning gives the same file for the same Keras and
TensorFlow versions. Read by tests/unit/test_activations.cpp, test_initializers.cpp and
test_regularizers.cpp.

Output layout:

    {"metadata": {...versions...},
     "activations": [ACT, ...], "initializers": [INIT, ...], "regularizers": [REG, ...]}

    ACT  = {"name": "relu_max_value_5_float32", "fn": "relu", "args": {"max_value": 5.0},
            "dtype": "float32", "shape": [n] or [r, c], "x": [...], "w": [...],
            "y": [...], "grad": [...]}
      y = keras.activations.<fn>(x, **args); grad = d sum(w * y) / dx from tf.GradientTape
      (w are fixed positive weights, so softmax's gradient is not trivially zero).
    INIT = {"class_name": "GlorotUniform", "args": {...}, "shape": [784, 128],
            "draws": K, "seed": S, "n": K * prod(shape),
            "config": keras get_config() of the initializer,
            "theory": {"kind": "uniform", "lo": ..., "hi": ...}
                    | {"kind": "normal", "mean": ..., "stddev": ...}
                    | {"kind": "truncated_normal", "mean": ..., "stddev": ...}  (cut at 2 stddev)
                    | {"kind": "orthogonal", "gain": ..., "rows": ..., "cols": ...}
                    | {"kind": "constant", "value": ...},
            "stats": {"mean": ..., "std": ..., "min": ..., "max": ...}}
      stats are over the K draws with seeds S, S+1, ..., S+K-1 of shape `shape` (float32),
      K = ceil(100000 / prod(shape)) capped at 2000 (1 for the constant initializers;
      orthogonal: fewer draws, see below).
      "first_entry_mean" (orthogonal only): the mean of W[0, ..., 0] over the draws,
      sensitive to the sign correction applied after the QR decomposition.
    REG  = {"class_name": "L1L2", "args": {...}, "config": keras get_config(),
            "dtype": "float32", "shape": [...], "x": [...], "value": penalty,
            "grad": d penalty / dx}

Floats that are not finite are written as the strings "inf", "-inf", "nan"; float32
values with the shortest decimal that reads back as the same float32.
"""
import json
import math
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "data", "keras_nn.json"))


def enc(v, dtype):
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if dtype == "float32":
        return float(str(np.float32(v)))
    return v


def enc_list(a, dtype):
    return [enc(v, dtype) for v in np.asarray(a, dtype=np.float64).ravel()]


# ----------------------------------------------------------------------------- activations

# Negative, zero, positive and large magnitudes, and every kink of the piecewise
# activations (relu6: 0, 6; hard_sigmoid: -3, 3; relu thresholds below).
X = [-1e3, -100.0, -20.0, -15.0, -10.0, -7.0, -6.0, -5.0, -4.0, -3.0, -2.5, -2.0, -1.5,
     -1.0, -0.5, -0.1, -1e-3, -1e-6, 0.0, 1e-6, 1e-3, 0.1, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0,
     4.0, 5.0, 6.0, 7.0, 10.0, 13.9, 14.0, 15.0, 20.0, 35.0, 100.0, 1e3]

ACTIVATIONS = [
    # (case suffix, keras function name, kwargs)
    ("", "linear", {}),
    ("", "relu", {}),
    ("negative_slope_0.5", "relu", {"negative_slope": 0.5}),
    ("max_value_5", "relu", {"max_value": 5.0}),
    ("max_value_6", "relu", {"max_value": 6.0}),
    ("threshold_5", "relu", {"threshold": 5.0}),
    ("threshold_-1.5", "relu", {"threshold": -1.5}),
    ("slope_0.1_max_4", "relu", {"negative_slope": 0.1, "max_value": 4.0}),
    ("slope_0.1_threshold_1_max_4", "relu",
     {"negative_slope": 0.1, "threshold": 1.0, "max_value": 4.0}),
    ("slope_0.3_threshold_2", "relu", {"negative_slope": 0.3, "threshold": 2.0}),
    ("", "relu6", {}),
    ("", "leaky_relu", {}),
    ("slope_0.5", "leaky_relu", {"negative_slope": 0.5}),
    ("slope_1.5", "leaky_relu", {"negative_slope": 1.5}),
    ("", "elu", {}),
    ("alpha_0.5", "elu", {"alpha": 0.5}),
    ("alpha_2", "elu", {"alpha": 2.0}),
    ("", "selu", {}),
    ("", "gelu", {}),
    ("approximate", "gelu", {"approximate": True}),
    ("", "sigmoid", {}),
    ("", "hard_sigmoid", {}),
    ("", "tanh", {}),
    ("", "softplus", {}),
    ("", "softsign", {}),
    ("", "silu", {}),
    ("", "hard_silu", {}),
    ("", "mish", {}),
    ("", "exponential", {}),
]

# Softmax on a 2-D input along each axis (with large and equal logits).
SOFTMAX_X = [[-1e3, -2.0, 0.0, 3.0, 1e3],
             [1.0, 2.0, 3.0, 4.0, 5.0],
             [0.5, 0.5, 0.5, 0.5, 0.5],
             [-20.0, 20.0, -0.1, 0.1, 7.0]]


def weights(n, seed):
    rng = np.random.default_rng(seed)
    return rng.uniform(0.5, 1.5, size=n)


def activation_case(name, fn, kwargs, x, dtype, seed):
    tf_dtype = tf.float32 if dtype == "float32" else tf.float64
    xt = tf.constant(np.asarray(x, dtype=np.float64), dtype=tf_dtype)
    w = weights(int(np.prod(xt.shape)), seed).reshape(xt.shape.as_list())
    wt = tf.constant(w, dtype=tf_dtype)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = getattr(keras.activations, fn)(xt, **kwargs)
        loss = tf.reduce_sum(y * wt)
    g = tape.gradient(loss, xt)
    if g is None:
        g = tf.zeros_like(xt)
    # w is stored as the value actually used (rounded to dtype).
    return {"name": name, "fn": fn, "args": kwargs, "dtype": dtype,
            "shape": xt.shape.as_list(), "x": enc_list(xt.numpy(), dtype),
            "w": enc_list(wt.numpy(), dtype), "y": enc_list(y.numpy(), dtype),
            "grad": enc_list(g.numpy(), dtype)}


def gen_activations():
    out = []
    seed = 100
    for dtype in ("float32", "float64"):
        for suffix, fn, kwargs in ACTIVATIONS:
            name = fn + ("_" + suffix if suffix else "") + "_" + dtype
            out.append(activation_case(name, fn, kwargs, X, dtype, seed))
            seed += 1
        for fn in ("softmax", "log_softmax"):
            for axis in (-1, 0):
                out.append(activation_case(f"{fn}_axis_{axis}_{dtype}", fn,
                                           {"axis": axis}, SOFTMAX_X, dtype, seed))
                seed += 1
    return out


# ----------------------------------------------------------------------------- initializers

TARGET_N = 100_000
MAX_DRAWS = 2_000  # (10,): 20000 values from 2000 seeds (each Keras call costs ~5 ms)


def fans(shape):
    # keras.src.initializers.random_initializers.compute_fans (independent copy).
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    rf = int(np.prod(shape[:-2]))
    return shape[-2] * rf, shape[-1] * rf


def variance_scaling_theory(shape, scale, mode, distribution):
    fan_in, fan_out = fans(shape)
    if mode == "fan_in":
        s = scale / max(1.0, fan_in)
    elif mode == "fan_out":
        s = scale / max(1.0, fan_out)
    else:
        s = scale / max(1.0, (fan_in + fan_out) / 2.0)
    if distribution in ("truncated_normal", "normal"):
        return {"kind": "truncated_normal", "mean": 0.0, "stddev": math.sqrt(s) / 0.87962566103423978}
    if distribution == "untruncated_normal":
        return {"kind": "normal", "mean": 0.0, "stddev": math.sqrt(s)}
    limit = math.sqrt(3.0 * s)
    return {"kind": "uniform", "lo": -limit, "hi": limit}


VS_ALIASES = {
    "GlorotUniform": (1.0, "fan_avg", "uniform"),
    "GlorotNormal": (1.0, "fan_avg", "truncated_normal"),
    "HeUniform": (2.0, "fan_in", "uniform"),
    "HeNormal": (2.0, "fan_in", "truncated_normal"),
    "LecunUniform": (1.0, "fan_in", "uniform"),
    "LecunNormal": (1.0, "fan_in", "truncated_normal"),
}

SHAPES = [(784, 128), (3, 3, 32, 64), (10,)]

INITIALIZERS = [(cls, {}) for cls in VS_ALIASES] + [
    ("VarianceScaling", {"scale": 0.5, "mode": "fan_out", "distribution": "uniform"}),
    ("VarianceScaling", {"scale": 3.0, "mode": "fan_avg", "distribution": "untruncated_normal"}),
    ("VarianceScaling", {}),
    ("RandomNormal", {}),
    ("RandomNormal", {"mean": 1.0, "stddev": 2.0}),
    ("RandomUniform", {}),
    ("RandomUniform", {"minval": -3.0, "maxval": 1.0}),
    ("TruncatedNormal", {}),
    ("TruncatedNormal", {"mean": -1.0, "stddev": 0.5}),
    ("Zeros", {}),
    ("Ones", {}),
    ("Constant", {"value": 0.25}),
]

ORTHOGONAL = [((64, 64), 1.0), ((64, 64), 0.5), ((128, 32), 1.0), ((32, 128), 2.0),
              ((3, 3, 16, 32), 1.0), ((4, 4), 1.0)]


def theory(cls, args, shape):
    if cls in VS_ALIASES:
        return variance_scaling_theory(shape, *VS_ALIASES[cls])
    if cls == "VarianceScaling":
        return variance_scaling_theory(shape, args.get("scale", 1.0), args.get("mode", "fan_in"),
                                       args.get("distribution", "truncated_normal"))
    if cls == "RandomNormal":
        return {"kind": "normal", "mean": args.get("mean", 0.0), "stddev": args.get("stddev", 0.05)}
    if cls == "TruncatedNormal":
        return {"kind": "truncated_normal", "mean": args.get("mean", 0.0),
                "stddev": args.get("stddev", 0.05)}
    if cls == "RandomUniform":
        return {"kind": "uniform", "lo": args.get("minval", -0.05), "hi": args.get("maxval", 0.05)}
    if cls == "Zeros":
        return {"kind": "constant", "value": 0.0}
    if cls == "Ones":
        return {"kind": "constant", "value": 1.0}
    if cls == "Constant":
        return {"kind": "constant", "value": args.get("value", 0.0)}
    raise ValueError(cls)


def stats(values):
    v = np.asarray(values, dtype=np.float64)
    return {"mean": float(v.mean()), "std": float(v.std()), "min": float(v.min()),
            "max": float(v.max())}


def draw(cls, args, shape, seed, draws):
    vals = []
    for k in range(draws):
        kw = dict(args)
        if cls not in ("Zeros", "Ones", "Constant"):
            kw["seed"] = seed + k
        init = getattr(keras.initializers, cls)(**kw)
        vals.append(np.asarray(init(shape, dtype="float32")))
    return vals


def json_config(cfg):
    return json.loads(json.dumps(cfg))


def gen_initializers():
    out = []
    seed = 1000
    for cls, args in INITIALIZERS:
        for shape in SHAPES:
            size = int(np.prod(shape))
            draws = 1 if cls in ("Zeros", "Ones", "Constant") else min(MAX_DRAWS, -(-TARGET_N // size))
            vals = draw(cls, args, shape, seed, draws)
            case = {"class_name": cls, "args": args, "shape": list(shape), "draws": draws,
                    "seed": seed, "n": draws * size,
                    "config": json_config(getattr(keras.initializers, cls)(**args).get_config()),
                    "theory": theory(cls, args, shape),
                    "stats": stats(np.concatenate([v.ravel() for v in vals]))}
            out.append(case)
            seed += draws
    for shape, gain in ORTHOGONAL:
        size = int(np.prod(shape))
        draws = 400 if size <= 16 else max(1, -(-TARGET_N // size) // 4)
        vals = draw("Orthogonal", {"gain": gain}, shape, seed, draws)
        rows = int(np.prod(shape[:-1]))
        out.append({"class_name": "Orthogonal", "args": {"gain": gain}, "shape": list(shape),
                    "draws": draws, "seed": seed, "n": draws * size,
                    "config": json_config(keras.initializers.Orthogonal(gain=gain).get_config()),
                    "theory": {"kind": "orthogonal", "gain": gain, "rows": rows, "cols": shape[-1]},
                    "stats": stats(np.concatenate([v.ravel() for v in vals])),
                    "first_entry_mean": float(np.mean([v.ravel()[0] for v in vals]))})
        seed += draws
    return out


# ----------------------------------------------------------------------------- regularizers

REGULARIZERS = [
    ("L1", {}),
    ("L1", {"l1": 0.3}),
    ("L2", {}),
    ("L2", {"l2": 0.05}),
    ("L1L2", {}),
    ("L1L2", {"l1": 0.01, "l2": 0.02}),
    ("L1L2", {"l2": 0.1}),
    ("OrthogonalRegularizer", {}),
    ("OrthogonalRegularizer", {"factor": 0.2, "mode": "columns"}),
]


def gen_regularizers():
    out = []
    rng = np.random.default_rng(7)
    base = rng.normal(size=(4, 5))
    base[1, 2] = 0.0  # a zero entry: the L1 gradient there is sign(0) = 0
    base[3, 4] = -2.5
    for dtype in ("float32", "float64"):
        for cls, args in REGULARIZERS:
            if cls == "OrthogonalRegularizer" and dtype == "float64":
                continue  # Keras 3.15 multiplies its float32 factor by the input: fails in float64
            reg = getattr(keras.regularizers, cls)(**args)
            xt = tf.constant(base, dtype=tf.float32 if dtype == "float32" else tf.float64)
            with tf.GradientTape() as tape:
                tape.watch(xt)
                v = reg(xt)
                v = tf.convert_to_tensor(v, dtype=xt.dtype)
            g = tape.gradient(v, xt)
            if g is None:
                g = tf.zeros_like(xt)
            out.append({"class_name": cls, "args": args, "config": json_config(reg.get_config()),
                        "dtype": dtype, "shape": list(base.shape),
                        "x": enc_list(xt.numpy(), dtype), "value": enc(float(v.numpy()), dtype),
                        "grad": enc_list(g.numpy(), dtype)})
    return out


def main():
    data = {
        "metadata": {
            "generator": "tests/tools/gen_keras_nn.py",
            "keras_version": keras.__version__,
            "tensorflow_version": tf.__version__,
            "numpy_version": np.__version__,
            "python_version": sys.version.split()[0],
        },
        "activations": gen_activations(),
        "initializers": gen_initializers(),
        "regularizers": gen_regularizers(),
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        f.write("{")
        keys = list(data)
        for i, k in enumerate(keys):
            f.write(("" if i == 0 else ",\n") + json.dumps(k) + ": ")
            if isinstance(data[k], list):
                f.write("[\n" + ",\n".join(json.dumps(c, separators=(",", ":"), allow_nan=False)
                                         for c in data[k]) + "\n]")
            else:
                f.write(json.dumps(data[k], sort_keys=True))
        f.write("}\n")
    print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes): {len(data['activations'])} activation, "
          f"{len(data['initializers'])} initializer, {len(data['regularizers'])} regularizer cases")


if __name__ == "__main__":
    main()
