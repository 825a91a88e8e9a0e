#!/usr/bin/env python3
"""Generates tests/data/keras_losses_metrics.json: values computed by real Keras 3 (TensorFlow
back end) that nabla's losses (include/nabla/train/losses.h) and metrics
(include/nabla/train/metrics.h) must reproduce.

How to regenerate (Keras/TensorFlow are needed only here; the C++ tests read the committed JSON):

    python3 -m venv venv && venv/bin/pip install tensorflow-cpu==2.21.* keras==3.15.*
    venv/bin/python tests/tools/gen_keras_losses_metrics.py

(in this project's dev container: /work/venv-tf/bin/python tests/tools/gen_keras_losses_metrics.py).
All inputs come from fixed seeds, so the output is deterministic.

Output layout (read by tests/unit/test_losses.cpp and tests/unit/test_metrics.cpp):

    {"metadata": {"keras_version": ..., "tensorflow_version": ...},
     "losses": [{"name": case label,
                 "class_name": "SparseCategoricalCrossentropy", "config": {Keras get_config()},
                 "y_true": TENSOR, "y_pred": TENSOR, "sample_weight": TENSOR or null,
                 "per_sample": TENSOR,   # loss.call(y_true, y_pred): unweighted, unreduced
                 "value": TENSOR,        # loss(y_true, y_pred, sample_weight)
                 "grad": TENSOR}, ...],  # d sum(value) / d y_pred (tf.GradientTape)
     "functions": [{"name": label, "fn": "huber", "kwargs": {...},
                    "y_true": TENSOR, "y_pred": TENSOR, "value": TENSOR}, ...],
     "metrics": [{"name": label, "class_name": "AUC", "config": {Keras get_config()},
                  "steps": [{"y_true": TENSOR, "y_pred": TENSOR, "sample_weight": TENSOR or null,
                             "result": number or [numbers]}, ...],   # update_state, then result()
                  "after_reset": number or [numbers],               # result() after reset_state()
                  "after_reset_step": {step as above}}, ...],       # one more update after the reset
     "accuracy_resolution": [{"y_true_shape": [...], "y_pred_shape": [...],
                              "class_name": "SparseCategoricalAccuracy"}, ...]}

    TENSOR = {"dtype": "float32", "shape": [2, 3], "values": [flat row-major list]}

Non-finite floats are written as the strings "inf", "-inf" and "nan". Keras computes in
float32 (its metric variables are float32 too), so the tests compare with float32 tolerances.
"""
import json
import math
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
from keras.src.trainers import compile_utils  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "data", "keras_losses_metrics.json"))

rng = np.random.default_rng(20251122)


# ----------------------------------------------------------------------------- encoding

def enc_value(v, dtype):
    if dtype == "bool":
        return bool(v)
    if dtype.startswith("float"):
        f = float(v)
        if math.isnan(f):
            return "nan"
        if math.isinf(f):
            return "inf" if f > 0 else "-inf"
        if dtype == "float32":
            # The shortest decimal that reads back as the same float32 (keeps the file small).
            return float(np.format_float_positional(np.float32(v), unique=True, trim="-")) if abs(f) >= 1e-4 \
                else float(np.format_float_scientific(np.float32(v), unique=True, trim="-"))
        return f
    return int(v)


def enc(x):
    if x is None:
        return None
    a = np.asarray(x)
    dtype = str(a.dtype)
    return {"dtype": dtype, "shape": list(a.shape), "values": [enc_value(v, dtype) for v in a.reshape(-1)]}


def enc_result(r):
    a = np.asarray(r, dtype=np.float64)
    if a.ndim == 0:
        return enc_value(a, "float64")
    return [enc_value(v, "float64") for v in a.reshape(-1)]


def jsonable(config):
    """Keras configs hold numpy scalars or arrays in places; make them plain JSON."""
    if isinstance(config, dict):
        return {k: jsonable(v) for k, v in config.items()}
    if isinstance(config, (list, tuple)):
        return [jsonable(v) for v in config]
    if isinstance(config, np.ndarray):
        return jsonable(config.tolist())
    if isinstance(config, np.generic):
        return config.item()
    if hasattr(config, "numpy"):
        return jsonable(np.asarray(config))
    return config


# ----------------------------------------------------------------------------- inputs

def f32(a):
    return np.asarray(a, dtype=np.float32)


def uniform(shape, lo=0.0, hi=1.0):
    return f32(rng.uniform(lo, hi, size=shape))


def normal(shape, scale=1.0):
    return f32(rng.normal(0.0, scale, size=shape))


def binary(shape):
    return f32(rng.integers(0, 2, size=shape))


def one_hot(n, c):
    return f32(np.eye(c)[rng.integers(0, c, size=n)])


def distribution(shape):
    x = rng.uniform(0.05, 1.0, size=shape)
    return f32(x / x.sum(axis=-1, keepdims=True))


def labels(shape, c, dtype="int32"):
    return rng.integers(0, c, size=shape).astype(dtype)


# ----------------------------------------------------------------------------- losses

loss_cases = []


def loss_case(name, loss, y_true, y_pred, sample_weight=None):
    yp = tf.Variable(y_pred)
    with tf.GradientTape() as tape:
        value = loss(y_true, yp, sample_weight=sample_weight)
    grad = tape.gradient(value, yp)
    # Loss.__call__ converts y_true to the loss dtype (float32) before call().
    per_sample = loss.call(tf.convert_to_tensor(y_true, dtype=loss.dtype), tf.convert_to_tensor(y_pred))
    if grad is None:
        grad = np.zeros_like(y_pred)
    config = jsonable(loss.get_config())
    if isinstance(loss, keras.losses.Huber):
        # Keras 3.15's Huber.get_config() drops delta; nabla's config keeps it.
        config["delta"] = loss._fn_kwargs["delta"]
    loss_cases.append({
        "name": name,
        "class_name": type(loss).__name__,
        "config": config,
        "y_true": enc(y_true),
        "y_pred": enc(y_pred),
        "sample_weight": enc(sample_weight),
        "per_sample": enc(np.asarray(per_sample)),
        "value": enc(np.asarray(value)),
        "grad": enc(np.asarray(grad)),
    })


L = keras.losses
REDUCTIONS = ["sum_over_batch_size", "sum", "mean", None, "mean_with_sample_weight"]

# Regression losses.
for cls in (L.MeanSquaredError, L.MeanAbsoluteError, L.Huber):
    base = cls.__name__
    yt, yp = normal((5, 4)), normal((5, 4))
    for red in REDUCTIONS:
        loss_case(f"{base} reduction={red}", cls(reduction=red), yt, yp)
    loss_case(f"{base} sample_weight (5,)", cls(), yt, yp, uniform((5,)))
    loss_case(f"{base} sample_weight (5,1) sum", cls(reduction="sum"), yt, yp, uniform((5, 1)))
    loss_case(f"{base} sample_weight (5,) mean_with_sample_weight", cls(reduction="mean_with_sample_weight"),
              yt, yp, uniform((5,)))
    loss_case(f"{base} scalar sample_weight", cls(), yt, yp, f32(0.7))
    loss_case(f"{base} 3-D (3,2,4)", cls(), normal((3, 2, 4)), normal((3, 2, 4)))
    loss_case(f"{base} 3-D (3,2,4) sample_weight (3,2)", cls(), normal((3, 2, 4)), normal((3, 2, 4)),
              uniform((3, 2)))
    loss_case(f"{base} y_true (6,) y_pred (6,1)", cls(), normal((6,)), normal((6, 1)))
    loss_case(f"{base} y_true (6,1) y_pred (6,)", cls(), normal((6, 1)), normal((6,)))
    loss_case(f"{base} integer y_true", cls(), labels((6, 3), 4, "int32"), normal((6, 3), 2.0))
loss_case("Huber delta=0.5", L.Huber(delta=0.5), normal((5, 4)), normal((5, 4)))
loss_case("Huber delta=2.5 reduction=sum", L.Huber(delta=2.5, reduction="sum"), normal((5, 4), 2.0),
          normal((5, 4), 2.0))

# Binary crossentropy.
for from_logits in (False, True):
    tag = "logits" if from_logits else "probs"
    gen = (lambda s: normal(s, 3.0)) if from_logits else (lambda s: uniform(s, 0.01, 0.99))
    yt, yp = binary((6, 3)), gen((6, 3))
    loss_case(f"BCE {tag}", L.BinaryCrossentropy(from_logits=from_logits), yt, yp)
    loss_case(f"BCE {tag} label_smoothing=0.1", L.BinaryCrossentropy(from_logits=from_logits, label_smoothing=0.1),
              yt, yp)
    loss_case(f"BCE {tag} axis=0", L.BinaryCrossentropy(from_logits=from_logits, axis=0), yt, yp)
    loss_case(f"BCE {tag} sample_weight sum", L.BinaryCrossentropy(from_logits=from_logits, reduction="sum"),
              yt, yp, uniform((6,)))
    loss_case(f"BCE {tag} reduction=none", L.BinaryCrossentropy(from_logits=from_logits, reduction=None), yt, yp)
    loss_case(f"BCE {tag} 3-D", L.BinaryCrossentropy(from_logits=from_logits), binary((3, 4, 2)), gen((3, 4, 2)))
    loss_case(f"BCE {tag} y_true (6,) y_pred (6,1)", L.BinaryCrossentropy(from_logits=from_logits), binary((6,)),
              gen((6, 1)))
    loss_case(f"BCE {tag} soft labels", L.BinaryCrossentropy(from_logits=from_logits), uniform((5, 3)), gen((5, 3)))
loss_case("BCE probs clipped at 0 and 1", L.BinaryCrossentropy(), f32([[0, 1, 1, 0], [1, 0, 0, 1]]),
          f32([[0.0, 1.0, 0.5, 1e-9], [0.0, 1.0, 0.9999999, 0.3]]))
loss_case("BCE logits +-1000", L.BinaryCrossentropy(from_logits=True), f32([[0, 1, 1, 0], [1, 0, 0, 1]]),
          f32([[1000.0, -1000.0, 1000.0, -1000.0], [50.0, -50.0, 0.5, -0.5]]))

# Categorical crossentropy.
for from_logits in (False, True):
    tag = "logits" if from_logits else "probs"
    gen = (lambda s: normal(s, 2.0)) if from_logits else (lambda s: uniform(s, 0.01, 1.0))
    yt, yp = one_hot(6, 4), gen((6, 4))
    loss_case(f"CCE {tag}", L.CategoricalCrossentropy(from_logits=from_logits), yt, yp)
    loss_case(f"CCE {tag} label_smoothing=0.2",
              L.CategoricalCrossentropy(from_logits=from_logits, label_smoothing=0.2), yt, yp)
    loss_case(f"CCE {tag} soft labels", L.CategoricalCrossentropy(from_logits=from_logits), distribution((6, 4)), yp)
    loss_case(f"CCE {tag} sample_weight", L.CategoricalCrossentropy(from_logits=from_logits), yt, yp, uniform((6,)))
    loss_case(f"CCE {tag} reduction=none", L.CategoricalCrossentropy(from_logits=from_logits, reduction=None), yt, yp)
    loss_case(f"CCE {tag} 3-D", L.CategoricalCrossentropy(from_logits=from_logits),
              f32(np.eye(4)[rng.integers(0, 4, size=(3, 2))]), gen((3, 2, 4)))
    loss_case(f"CCE {tag} axis=1 on (3,4,2)", L.CategoricalCrossentropy(from_logits=from_logits, axis=1),
              f32(np.transpose(np.eye(4)[rng.integers(0, 4, size=(3, 2))], (0, 2, 1))), gen((3, 4, 2)))
loss_case("CCE logits +-1000", L.CategoricalCrossentropy(from_logits=True), one_hot(3, 4),
          f32([[1000.0, -1000.0, 0.0, 1000.0], [-1000.0, -1000.0, 1000.0, 0.0], [0.0, 0.0, 0.0, 0.0]]))

# Sparse categorical crossentropy.
for from_logits in (False, True):
    tag = "logits" if from_logits else "probs"
    gen = (lambda s: normal(s, 2.0)) if from_logits else (lambda s: uniform(s, 0.01, 1.0))
    yp = gen((6, 4))
    for dtype in ("int32", "int64", "uint8", "float32"):
        loss_case(f"SCCE {tag} labels {dtype} (8,)", L.SparseCategoricalCrossentropy(from_logits=from_logits),
                  labels((6,), 4, dtype), yp)
    loss_case(f"SCCE {tag} labels (6,1)", L.SparseCategoricalCrossentropy(from_logits=from_logits),
              labels((6, 1), 4, "int64"), yp)
    for red in REDUCTIONS:
        loss_case(f"SCCE {tag} reduction={red}",
                  L.SparseCategoricalCrossentropy(from_logits=from_logits, reduction=red), labels((6,), 4), yp,
                  uniform((6,)) if red == "mean_with_sample_weight" else None)
    loss_case(f"SCCE {tag} sample_weight (6,)", L.SparseCategoricalCrossentropy(from_logits=from_logits),
              labels((6,), 4), yp, uniform((6,)))
    loss_case(f"SCCE {tag} 3-D", L.SparseCategoricalCrossentropy(from_logits=from_logits), labels((3, 2), 5),
              gen((3, 2, 5)))
    loss_case(f"SCCE {tag} 3-D labels (3,2,1) sample_weight (3,2)",
              L.SparseCategoricalCrossentropy(from_logits=from_logits), labels((3, 2, 1), 5), gen((3, 2, 5)),
              uniform((3, 2)))
    for red in ("sum_over_batch_size", "sum", None):
        yl = labels((6,), 4)
        yl[[1, 4, 5]] = 2
        loss_case(f"SCCE {tag} ignore_class=2 reduction={red}",
                  L.SparseCategoricalCrossentropy(from_logits=from_logits, ignore_class=2, reduction=red), yl, yp)
    yl = labels((6,), 4)
    yl[[0, 5]] = -1
    loss_case(f"SCCE {tag} ignore_class=-1 sample_weight",
              L.SparseCategoricalCrossentropy(from_logits=from_logits, ignore_class=-1), yl, yp, uniform((6,)))
loss_case("SCCE logits +-1000", L.SparseCategoricalCrossentropy(from_logits=True), np.array([0, 1, 2, 3], "int32"),
          f32([[1000.0, -1000.0, 0.0, 3.0], [1000.0, -1000.0, 0.0, 3.0], [-1000.0, 1000.0, 999.0, 0.0],
               [0.0, 0.0, 0.0, 0.0]]))
loss_case("SCCE probs clipped", L.SparseCategoricalCrossentropy(), np.array([0, 1, 2], "int32"),
          f32([[0.0, 0.5, 0.5], [1.0, 0.0, 0.0], [0.2, 0.3, 1.0]]))

# KL divergence.
loss_case("KLD", L.KLDivergence(), distribution((8, 5)), distribution((8, 5)))
loss_case("KLD zeros in y_true", L.KLDivergence(), f32([[0.0, 0.5, 0.5], [1.0, 0.0, 0.0]]),
          f32([[0.2, 0.3, 0.5], [0.0, 0.5, 0.5]]))
loss_case("KLD sample_weight sum", L.KLDivergence(reduction="sum"), distribution((6, 4)), distribution((6, 4)),
          uniform((6,)))
loss_case("KLD 3-D reduction=none", L.KLDivergence(reduction=None), distribution((2, 3, 4)), distribution((2, 3, 4)))

# ----------------------------------------------------------------------------- function forms

function_cases = []


def fn_case(name, fn, y_true, y_pred, **kwargs):
    value = getattr(keras.losses, fn)(y_true, y_pred, **kwargs)
    function_cases.append({"name": name, "fn": fn, "kwargs": kwargs, "y_true": enc(y_true), "y_pred": enc(y_pred),
                           "value": enc(np.asarray(value))})


fn_case("mse (5,4)", "mean_squared_error", normal((5, 4)), normal((5, 4)))
fn_case("mse (6,) vs (6,1)", "mean_squared_error", normal((6,)), normal((6, 1)))
fn_case("mse (4,) rank 1", "mean_squared_error", normal((4,)), normal((4,)))
fn_case("mae (5,4)", "mean_absolute_error", normal((5, 4)), normal((5, 4)))
fn_case("huber delta=0.7", "huber", normal((5, 4)), normal((5, 4)), delta=0.7)
fn_case("bce probs", "binary_crossentropy", binary((5, 3)), uniform((5, 3), 0.01, 0.99))
fn_case("bce logits smoothing", "binary_crossentropy", binary((5, 3)), normal((5, 3), 2.0), from_logits=True,
        label_smoothing=0.3)
fn_case("cce probs", "categorical_crossentropy", one_hot(5, 4), uniform((5, 4), 0.01, 1.0))
fn_case("cce logits smoothing", "categorical_crossentropy", one_hot(5, 4), normal((5, 4)), from_logits=True,
        label_smoothing=0.1)
fn_case("scce probs", "sparse_categorical_crossentropy", labels((5,), 4), uniform((5, 4), 0.01, 1.0))
fn_case("scce logits", "sparse_categorical_crossentropy", labels((5,), 4, "int64"), normal((5, 4)),
        from_logits=True)
fn_case("kld", "kl_divergence", distribution((5, 4)), distribution((5, 4)))

# ----------------------------------------------------------------------------- metrics

metric_cases = []
M = keras.metrics


def metric_case(name, metric, make_step, weights=(False, True, False)):
    """make_step(i) -> (y_true, y_pred); weights[i] says whether step i uses a sample weight."""
    steps = []
    for i, weighted in enumerate(weights):
        y_true, y_pred, sw = make_step(i, weighted)
        metric.update_state(y_true, y_pred, sample_weight=sw)
        steps.append({"y_true": enc(y_true), "y_pred": enc(y_pred), "sample_weight": enc(sw),
                      "result": enc_result(metric.result())})
    metric.reset_state()
    after_reset = enc_result(metric.result())
    y_true, y_pred, sw = make_step(len(weights), False)
    metric.update_state(y_true, y_pred, sample_weight=sw)
    last = {"y_true": enc(y_true), "y_pred": enc(y_pred), "sample_weight": None,
            "result": enc_result(metric.result())}
    metric_cases.append({"name": name, "class_name": type(metric).__name__, "config": jsonable(metric.get_config()),
                         "steps": steps, "after_reset": after_reset, "after_reset_step": last})


def mean_case(name, metric, values_shape, weight_shape):
    steps = []
    for i in range(3):
        values = normal(values_shape)
        sw = uniform(weight_shape) if (weight_shape is not None and i != 1) else None
        metric.update_state(values, sample_weight=sw)
        steps.append({"y_true": None, "y_pred": enc(values), "sample_weight": enc(sw),
                      "result": enc_result(metric.result())})
    metric.reset_state()
    after_reset = enc_result(metric.result())
    values = normal(values_shape)
    metric.update_state(values)
    last = {"y_true": None, "y_pred": enc(values), "sample_weight": None, "result": enc_result(metric.result())}
    metric_cases.append({"name": name, "class_name": "Mean", "config": jsonable(metric.get_config()),
                         "steps": steps, "after_reset": after_reset, "after_reset_step": last})


mean_case("Mean (8,) weights (8,)", M.Mean(), (8,), (8,))
mean_case("Mean scalars", M.Mean(name="loss"), (), None)
mean_case("Mean scalars weighted", M.Mean(), (), ())
mean_case("Mean (4,3) weights (4,)", M.Mean(), (4, 3), (4,))
mean_case("Mean (4,3) weights (4,3)", M.Mean(), (4, 3), (4, 3))
mean_case("Mean (4,3) weights (4,1)", M.Mean(), (4, 3), (4, 1))
mean_case("Mean (5,) scalar weight", M.Mean(), (5,), ())
mean_case("Mean (4,1) weights (4,)", M.Mean(), (4, 1), (4,))


def sw_for(shape, weighted):
    return uniform(shape) if weighted else None


def classes_step(n, c, sparse_shape=None, dtype="int32"):
    def make(i, weighted):
        yp = normal((n, c))
        yt = labels(sparse_shape or (n,), c, dtype)
        return yt, yp, sw_for((n,), weighted)
    return make


metric_case("Accuracy", M.Accuracy(), lambda i, w: (f32(labels((8,), 3)), f32(labels((8,), 3)), sw_for((8,), w)))
metric_case("Accuracy (6,1) vs (6,)", M.Accuracy(),
            lambda i, w: (f32(labels((6, 1), 2)), f32(labels((6,), 2)), sw_for((6,), w)))
metric_case("BinaryAccuracy", M.BinaryAccuracy(), lambda i, w: (binary((8, 1)), uniform((8, 1)), sw_for((8,), w)))
metric_case("BinaryAccuracy y_true (8,) threshold=0.7", M.BinaryAccuracy(threshold=0.7),
            lambda i, w: (binary((8,)), uniform((8, 1)), sw_for((8,), w)))
metric_case("BinaryAccuracy (5,3)", M.BinaryAccuracy(), lambda i, w: (binary((5, 3)), uniform((5, 3)), sw_for((5,), w)))
metric_case("CategoricalAccuracy", M.CategoricalAccuracy(), lambda i, w: (one_hot(8, 5), normal((8, 5)), sw_for((8,), w)))
metric_case("CategoricalAccuracy 3-D", M.CategoricalAccuracy(),
            lambda i, w: (f32(np.eye(4)[rng.integers(0, 4, size=(3, 2))]), normal((3, 2, 4)), sw_for((3,), w)))
metric_case("SparseCategoricalAccuracy int32", M.SparseCategoricalAccuracy(), classes_step(8, 5))
metric_case("SparseCategoricalAccuracy uint8", M.SparseCategoricalAccuracy(), classes_step(8, 5, dtype="uint8"))
metric_case("SparseCategoricalAccuracy (8,1) float", M.SparseCategoricalAccuracy(),
            classes_step(8, 5, sparse_shape=(8, 1), dtype="float32"))
metric_case("SparseCategoricalAccuracy 3-D", M.SparseCategoricalAccuracy(),
            lambda i, w: (labels((3, 4), 6), normal((3, 4, 6)), sw_for((3, 4), w)))
metric_case("SparseCategoricalAccuracy ties", M.SparseCategoricalAccuracy(),
            lambda i, w: (labels((6,), 3), f32(rng.integers(0, 2, size=(6, 3))), sw_for((6,), w)))
metric_case("TopKCategoricalAccuracy k=5", M.TopKCategoricalAccuracy(),
            lambda i, w: (one_hot(8, 7), normal((8, 7)), sw_for((8,), w)))
metric_case("TopKCategoricalAccuracy k=2", M.TopKCategoricalAccuracy(k=2),
            lambda i, w: (one_hot(8, 5), normal((8, 5)), sw_for((8,), w)))
metric_case("SparseTopKCategoricalAccuracy k=5", M.SparseTopKCategoricalAccuracy(), classes_step(8, 7))
metric_case("SparseTopKCategoricalAccuracy k=2 ties", M.SparseTopKCategoricalAccuracy(k=2),
            lambda i, w: (labels((8,), 4), f32(rng.integers(0, 3, size=(8, 4))), sw_for((8,), w)))
metric_case("SparseTopKCategoricalAccuracy (8,1) k=3", M.SparseTopKCategoricalAccuracy(k=3),
            classes_step(8, 6, sparse_shape=(8, 1)))

for cls in (M.Precision, M.Recall):
    base = cls.__name__
    metric_case(f"{base}", cls(), lambda i, w: (binary((10,)), uniform((10,)), sw_for((10,), w)))
    metric_case(f"{base} (6,3)", cls(), lambda i, w: (binary((6, 3)), uniform((6, 3)), sw_for((6,), w)))
    metric_case(f"{base} thresholds=[0.3,0.5,0.8]", cls(thresholds=[0.3, 0.5, 0.8]),
                lambda i, w: (binary((10,)), uniform((10,)), sw_for((10,), w)))
    metric_case(f"{base} evenly spaced thresholds", cls(thresholds=[0.0, 0.25, 0.5, 0.75, 1.0]),
                lambda i, w: (binary((10,)), uniform((10,)), sw_for((10,), w)))
    metric_case(f"{base} top_k=2", cls(top_k=2), lambda i, w: (binary((6, 4)), uniform((6, 4)), sw_for((6,), w)))
    metric_case(f"{base} class_id=1", cls(class_id=1), lambda i, w: (binary((6, 4)), uniform((6, 4)), sw_for((6,), w)))
    metric_case(f"{base} top_k=2 class_id=3", cls(top_k=2, class_id=3),
                lambda i, w: (binary((6, 4)), uniform((6, 4)), sw_for((6,), w)))
    metric_case(f"{base} threshold=0.6 weights (6,3)", cls(thresholds=0.6),
                lambda i, w: (binary((6, 3)), uniform((6, 3)), sw_for((6, 3), w)))

for avg in (None, "micro", "macro", "weighted"):
    metric_case(f"F1Score average={avg}", M.F1Score(average=avg),
                lambda i, w: (one_hot(8, 3), uniform((8, 3)), sw_for((8,), w)))
    metric_case(f"F1Score average={avg} threshold=0.4", M.F1Score(average=avg, threshold=0.4),
                lambda i, w: (binary((8, 3)), uniform((8, 3)), sw_for((8,), w)))

auc_step = lambda i, w: (binary((12,)), uniform((12,)), sw_for((12,), w))  # noqa: E731
metric_case("AUC ROC", M.AUC(), auc_step)
metric_case("AUC PR", M.AUC(curve="PR"), auc_step)
metric_case("AUC ROC minoring", M.AUC(summation_method="minoring"), auc_step)
metric_case("AUC ROC majoring", M.AUC(summation_method="majoring"), auc_step)
metric_case("AUC PR majoring", M.AUC(curve="PR", summation_method="majoring"), auc_step)
metric_case("AUC num_thresholds=7", M.AUC(num_thresholds=7), auc_step)
metric_case("AUC thresholds=[0.2,0.5,0.7]", M.AUC(thresholds=[0.2, 0.5, 0.7]), auc_step)
metric_case("AUC from_logits", M.AUC(from_logits=True), lambda i, w: (binary((12,)), normal((12,), 2.0), sw_for((12,), w)))
metric_case("AUC (6,3)", M.AUC(), lambda i, w: (binary((6, 3)), uniform((6, 3)), sw_for((6,), w)))
metric_case("AUC multi_label", M.AUC(multi_label=True), lambda i, w: (binary((8, 3)), uniform((8, 3)), sw_for((8,), w)))
metric_case("AUC multi_label PR label_weights", M.AUC(multi_label=True, curve="PR", label_weights=[0.2, 0.5, 0.3]),
            lambda i, w: (binary((8, 3)), uniform((8, 3)), sw_for((8,), w)))
metric_case("AUC label_weights", M.AUC(label_weights=[0.2, 0.5, 0.3]),
            lambda i, w: (binary((8, 3)), uniform((8, 3)), sw_for((8,), w)))
metric_case("AUC predictions on thresholds", M.AUC(num_thresholds=5),
            lambda i, w: (binary((8,)), f32(rng.integers(0, 5, size=(8,)) / 4.0), sw_for((8,), w)))

metric_case("MeanSquaredError", M.MeanSquaredError(), lambda i, w: (normal((6, 3)), normal((6, 3)), sw_for((6,), w)))
metric_case("MeanSquaredError (6,)", M.MeanSquaredError(), lambda i, w: (normal((6,)), normal((6,)), sw_for((), w)))
metric_case("MeanAbsoluteError", M.MeanAbsoluteError(), lambda i, w: (normal((6, 3)), normal((6, 3)), sw_for((6,), w)))
metric_case("RootMeanSquaredError", M.RootMeanSquaredError(),
            lambda i, w: (normal((6, 3)), normal((6, 3)), sw_for((6,), w)))
metric_case("RootMeanSquaredError (6,1) vs (6,)", M.RootMeanSquaredError(),
            lambda i, w: (normal((6, 1)), normal((6,)), sw_for((6,), w)))
for agg in ("uniform_average", "variance_weighted_average", None):
    metric_case(f"R2Score {agg}", M.R2Score(class_aggregation=agg),
                lambda i, w: (normal((6, 3)), normal((6, 3)), sw_for((6,), w)))
metric_case("R2Score num_regressors=2", M.R2Score(num_regressors=2),
            lambda i, w: (normal((6, 2)), normal((6, 2)), sw_for((6,), w)))
metric_case("R2Score (6,) vs (6,1)", M.R2Score(), lambda i, w: (normal((6,)), normal((6, 1)), sw_for((6,), w)))

# ----------------------------------------------------------------------------- accuracy resolution

resolution = []
for yt_shape, yp_shape in [((8,), (8, 10)), ((8, 1), (8, 10)), ((8, 10), (8, 10)), ((8, 1), (8, 1)), ((8,), (8, 1)),
                           ((8, 3), (8, 3, 5)), ((8, 3, 1), (8, 3, 5)), ((8, 3, 5), (8, 3, 5)), ((8,), (8,))]:
    m = compile_utils.get_metric("accuracy", np.zeros(yt_shape, "float32"), np.zeros(yp_shape, "float32"))
    resolution.append({"y_true_shape": list(yt_shape), "y_pred_shape": list(yp_shape),
                       "class_name": type(m).__name__, "name": m.name})

out = {
    "metadata": {"keras_version": keras.__version__, "tensorflow_version": tf.__version__,
                 "generator": "tests/tools/gen_keras_losses_metrics.py"},
    "losses": loss_cases,
    "functions": function_cases,
    "metrics": metric_cases,
    "accuracy_resolution": resolution,
}
with open(OUT, "w") as f:
    json.dump(out, f, separators=(",", ":"))
    f.write("\n")
print(f"wrote {OUT}: {len(loss_cases)} loss cases, {len(function_cases)} function cases, "
      f"{len(metric_cases)} metric cases, {os.path.getsize(OUT)} bytes")
