#!/usr/bin/env python3
"""Generates tests/data/tf_gradients.json: gradients computed by TensorFlow's GradientTape
that nabla's GradientTape must reproduce.

How to regenerate (TensorFlow is needed only here; the C++ tests read the committed JSON):

    python3 -m venv venv && venv/bin/pip install tensorflow-cpu numpy
    venv/bin/python tests/tools/gen_tf_gradients.py

Output layout (read by tests/conformance/test_tf_gradients.cpp):

    {"metadata": {"tensorflow_version": ..., ...},
     "cases": [{"name": "mlp_float64", "op": "mlp", "attrs": {...},
                "inputs": [TENSOR, ...], "sources": [1, 2, ...], "weights": [TENSOR, ...],
                "grads": [TENSOR or null, ...], "rtol": R}, ...]}

    TENSOR = {"dtype": "float64", "shape": [2, 3], "values": [flat row-major list]}

Each case runs the nabla function named by `op` (with `attrs`) on `inputs`, giving one or
more outputs; the loss is sum_k reduce_sum(outputs[k] * weights[k]), so the gradient
flowing into output k is weights[k] (random, not all ones). `sources` lists the inputs the
gradient is taken with respect to (every float input, except for the MLP: its parameters);
`grads[i]` is TensorFlow's gradient of the loss with respect to inputs[i] (null for inputs
that are not sources, and for sources TensorFlow reports as unconnected). Non-finite
floats are written as the strings "inf", "-inf" and "nan". A gradient matches when
|got - want| <= rtol * (|want| + scale), scale being the largest finite |want| of that
gradient (non-finite values must be equal).

Inputs come from fixed seeds; float64 is used wherever TensorFlow supports it. Inputs avoid
points where an op is not differentiable except in the `edge_*` cases and the documented
ties (minimum/maximum/clip give the whole gradient to x; reduce_max/min share it evenly).
"""
import json
import math
import os
import sys
from collections import defaultdict

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "data", "tf_gradients.json"))

RTOL = {"float64": 1e-10, "float32": 1e-5}
FLOATS = ("float32", "float64")

cases = []
rng = np.random.default_rng(20240607)


# ----------------------------------------------------------------------------- encoding

def enc_value(v, dtype):
    if dtype == "bool":
        return bool(v)
    if dtype in FLOATS:
        f = float(v)
        if math.isnan(f):
            return "nan"
        if math.isinf(f):
            return "inf" if f > 0 else "-inf"
        if dtype == "float32":
            short = float(str(np.float32(v)))  # shortest decimal for the float32
            if np.float32(short) == np.float32(v):
                return short
        return f
    return int(v)


def enc_tensor(a):
    a = np.asarray(a)
    dtype = a.dtype.name
    return {"dtype": dtype, "shape": list(a.shape),
            "values": [enc_value(v, dtype) for v in a.reshape(-1)]}


# ----------------------------------------------------------------------------- values

def f64(*shape, lo=-2.0, hi=2.0):
    return rng.uniform(lo, hi, size=shape).astype(np.float64)


def f32(*shape, lo=-2.0, hi=2.0):
    return rng.uniform(lo, hi, size=shape).astype(np.float32)


def away(a, points, dist=0.1):
    """Moves entries of `a` that lie within `dist` of any of `points` away from them."""
    a = np.array(a)
    for p in points:
        close = np.abs(a - p) < dist
        a[close] = p + np.where(a[close] >= p, dist, -dist) * 1.5
    return a


def arr(values, dtype="float64"):
    return np.asarray(values, dtype=dtype)


# ----------------------------------------------------------------------------- one case

def add(name, op, fn, inputs, attrs=None, weights=None, sources=None):
    """Records one case: `fn(*tf_inputs)` returns a tensor or a list of tensors. The
    gradient is taken wrt `sources` (input indices; default: every float input)."""
    assert all(c["name"] != name for c in cases), f"duplicate case name {name}"
    inputs = [np.asarray(x) for x in inputs]
    tensors = [tf.constant(x) for x in inputs]
    float_idx = [i for i, x in enumerate(inputs) if x.dtype.name in FLOATS]
    if sources is not None:
        float_idx = list(sources)
    with tf.GradientTape(persistent=True) as tape:
        for i in float_idx:
            tape.watch(tensors[i])
        outs = fn(*tensors)
        if not isinstance(outs, (list, tuple)):
            outs = [outs]
        if weights is None:
            weights = [rng.uniform(-1.0, 1.0, size=o.shape).astype(o.dtype.as_numpy_dtype)
                       for o in outs]
        weights = [np.asarray(w, dtype=o.dtype.as_numpy_dtype).reshape(o.shape)
                   for w, o in zip(weights, outs)]
        loss = tf.add_n([tf.reduce_sum(o * tf.constant(w)) for o, w in zip(outs, weights)])
    grads = [None] * len(inputs)
    for i in float_idx:
        g = tape.gradient(loss, tensors[i])
        if g is not None:
            g = tf.convert_to_tensor(g)  # IndexedSlices (gather) -> dense
            assert g.shape == tensors[i].shape and g.dtype == tensors[i].dtype, name
            grads[i] = g.numpy()
    del tape
    rtol = RTOL["float32" if any(x.dtype.name == "float32" for x in inputs) or
                any(w.dtype.name == "float32" for w in weights) else "float64"]
    cases.append({"name": name, "op": op, "attrs": attrs or {},
                  "inputs": [enc_tensor(x) for x in inputs], "sources": float_idx,
                  "weights": [enc_tensor(w) for w in weights],
                  "grads": [None if g is None else enc_tensor(g) for g in grads],
                  "rtol": rtol})
    return grads


# ----------------------------------------------------------------------------- cases

def gen_mlp():
    """(a) A two-layer MLP with softmax cross entropy, gradients wrt the parameters."""
    for dt in ("float64", "float32"):
        r = np.random.default_rng(7)
        x = r.normal(size=(4, 5)).astype(dt)
        w1 = (r.normal(size=(5, 6)) * 0.5).astype(dt)
        b1 = (r.normal(size=6) * 0.1).astype(dt)
        w2 = (r.normal(size=(6, 3)) * 0.5).astype(dt)
        b2 = (r.normal(size=3) * 0.1).astype(dt)
        labels = np.eye(3, dtype=dt)[[0, 2, 1, 2]]

        def mlp(x, w1, b1, w2, b2, labels):
            h = tf.nn.relu(tf.matmul(x, w1) + b1)
            logits = tf.matmul(h, w2) + b2
            return tf.reduce_mean(-tf.reduce_sum(labels * tf.nn.log_softmax(logits, -1), -1))

        # Gradients are wanted wrt the parameters only; x and labels are constants.
        add(f"mlp_{dt}", "mlp", mlp, [x, w1, b1, w2, b2, labels], weights=[np.ones((), dt)],
            sources=[1, 2, 3, 4])


def gen_elementwise():
    # Binary ops, same shapes.
    a, b = f64(3, 4), f64(3, 4)
    add("add", "add", tf.math.add, [a, b])
    add("subtract", "subtract", tf.math.subtract, [a, b])
    add("multiply", "multiply", tf.math.multiply, [a, b])
    add("divide", "divide", tf.math.divide, [a, away(b, [0.0], 0.3)])
    add("pow", "pow", tf.math.pow, [f64(3, 4, lo=0.2, hi=3.0), f64(3, 4, lo=-2, hi=3)])
    # Negative base with integral exponents: d/dy is 0 where x <= 0 (TensorFlow).
    add("pow_negative_base", "pow", tf.math.pow,
        [arr([-1.5, -2.0, 0.5, -0.7, 3.0, -1.1]), arr([2.0, 3.0, 2.5, 1.0, -1.0, 4.0])])
    add("minimum", "minimum", tf.math.minimum, [a, b])
    add("maximum", "maximum", tf.math.maximum, [a, b])
    ties_x = arr([1.0, 2.0, -3.0, 0.5, 4.0, -1.0])
    ties_y = arr([1.0, 1.0, -3.0, 0.7, 4.0, -2.0])
    add("minimum_ties", "minimum", tf.math.minimum, [ties_x, ties_y])
    add("maximum_ties", "maximum", tf.math.maximum, [ties_x, ties_y])
    add("floormod", "mod", tf.math.floormod,
        [arr([5.3, -5.3, 7.9, -2.2, 9.1, 0.4]), arr([2.0, 2.0, -3.0, 1.5, -2.5, 0.75])])
    x = away(f64(3, 5), [-0.5, 0.8], 0.05)
    add("clip_by_value_scalar", "clip_by_value", lambda x: tf.clip_by_value(x, -0.5, 0.8), [x],
        {"lo": -0.5, "hi": 0.8})
    add("clip_by_value_ties", "clip_by_value", lambda x: tf.clip_by_value(x, -0.5, 0.75),
        [arr([-1.0, -0.5, 0.0, 0.75, 1.0, 0.25])], {"lo": -0.5, "hi": 0.75})
    add("clip_by_value_tensor_bounds", "clip_by_value", tf.clip_by_value,
        [arr([[-2.0, -0.3, 0.1, 0.9], [1.7, -0.9, 0.4, 2.5]]), arr([[-0.5, -0.2, 0.0, -1.0]]),
         arr([[0.5], [1.0]])])
    cond = rng.random((3, 4)) < 0.5
    add("where", "where", tf.where, [cond, a, b])
    add("where_broadcast", "where", tf.where, [cond[:, :1], f64(1, 4), f64(3, 4)])

    # Unary ops.
    u = f64(2, 5)
    pos = f64(2, 5, lo=0.2, hi=4.0)
    unary = [
        ("abs", tf.math.abs, away(u, [0.0])), ("sqrt", tf.math.sqrt, pos),
        ("rsqrt", tf.math.rsqrt, pos), ("exp", tf.math.exp, u), ("log", tf.math.log, pos),
        ("log1p", tf.math.log1p, f64(2, 5, lo=-0.8, hi=3.0)), ("expm1", tf.math.expm1, u),
        ("sin", tf.math.sin, u * 2), ("cos", tf.math.cos, u * 2),
        ("tan", tf.math.tan, f64(2, 5, lo=-1.3, hi=1.3)), ("tanh", tf.math.tanh, u),
        ("sigmoid", tf.math.sigmoid, u * 3), ("relu", tf.nn.relu, away(u, [0.0])),
        ("erf", tf.math.erf, u), ("square", tf.math.square, u), ("negative", tf.math.negative, u),
    ]
    for name, fn, x in unary:
        add(name, name, fn, [x])

    # Broadcasting pairs: the gradient is summed over broadcast axes.
    add("add_broadcast_3x1_1x4", "add", tf.math.add, [f64(3, 1), f64(1, 4)])
    add("subtract_broadcast_2x3_3", "subtract", tf.math.subtract, [f64(2, 3), f64(3)])
    add("subtract_broadcast_scalar", "subtract", tf.math.subtract, [f64(), f64(2, 3)])
    add("multiply_broadcast_2x1x4_3x1", "multiply", tf.math.multiply, [f64(2, 1, 4), f64(3, 1)])
    add("divide_broadcast_4x3_1x3", "divide", tf.math.divide,
        [f64(4, 3), f64(1, 3, lo=0.5, hi=2.0)])
    add("pow_broadcast_3x4_4", "pow", tf.math.pow, [f64(3, 4, lo=0.2, hi=2.0), f64(4)])
    add("maximum_broadcast_2x3_scalar", "maximum", tf.math.maximum, [f64(2, 3), arr(0.1)])
    add("minimum_broadcast_3x1_1x2", "minimum", tf.math.minimum, [f64(3, 1), f64(1, 2)])

    # float32 versions of a few.
    add("multiply_float32", "multiply", tf.math.multiply, [f32(3, 4), f32(3, 4)])
    add("tanh_float32", "tanh", tf.math.tanh, [f32(3, 4)])
    add("sigmoid_float32", "sigmoid", tf.math.sigmoid, [f32(3, 4)])

    # Documented edge values (upstream gradient of ones).
    add("edge_sqrt_at_0", "sqrt", tf.math.sqrt, [arr([0.0, 4.0])], weights=[arr([1.0, 1.0])])
    add("edge_log_at_0", "log", tf.math.log, [arr([0.0, 2.0])], weights=[arr([1.0, 1.0])])
    add("edge_abs_at_0", "abs", tf.math.abs, [arr([0.0, 2.0, -3.0])],
        weights=[arr([1.0, 1.0, 1.0])])
    add("edge_relu_at_0", "relu", tf.nn.relu, [arr([0.0, -1.0, 2.0])],
        weights=[arr([1.0, 1.0, 1.0])])
    add("edge_pow_at_0", "pow", tf.math.pow, [arr([0.0, 3.0]), arr([2.0, 2.0])],
        weights=[arr([1.0, 1.0])])


def gen_reductions():
    x = f64(3, 4)
    x3 = f64(2, 3, 4)
    for op, fn in (("reduce_sum", tf.reduce_sum), ("reduce_mean", tf.reduce_mean),
                   ("reduce_logsumexp", tf.reduce_logsumexp)):
        for tag, xx, axis, keep in (("all", x, None, False), ("axis1", x, 1, False),
                                    ("axis0_keepdims", x, 0, True),
                                    ("axes02", x3, [0, 2], False),
                                    ("axes_neg1_keepdims", x3, [-1], True)):
            add(f"{op}_{tag}", op, lambda t, fn=fn, axis=axis, keep=keep: fn(t, axis, keep), [xx],
                {"axis": axis, "keepdims": keep})
    mx = arr([[1.0, 3.0, 3.0, -1.0], [2.0, 0.5, 2.0, 2.0], [-1.0, -4.0, 0.0, -4.0]])
    for op, fn in (("reduce_max", tf.reduce_max), ("reduce_min", tf.reduce_min)):
        add(f"{op}_all", op, lambda t, fn=fn: fn(t), [x], {"axis": None, "keepdims": False})
        add(f"{op}_ties_axis1", op, lambda t, fn=fn: fn(t, 1), [mx], {"axis": 1, "keepdims": False})
        add(f"{op}_ties_all", op, lambda t, fn=fn: fn(t), [mx], {"axis": None, "keepdims": False})
        add(f"{op}_axes01_keepdims", op, lambda t, fn=fn: fn(t, [0, 1], True), [x3],
            {"axis": [0, 1], "keepdims": True})
    px = f64(3, 4, lo=0.5, hi=1.5) * np.sign(f64(3, 4))
    add("reduce_prod_axis1", "reduce_prod", lambda t: tf.reduce_prod(t, 1), [px],
        {"axis": 1, "keepdims": False})
    add("reduce_prod_all", "reduce_prod", lambda t: tf.reduce_prod(t), [px],
        {"axis": None, "keepdims": False})
    zx = px.copy()
    zx[0, 2] = 0.0
    zx[2, 1] = 0.0
    zx[2, 3] = 0.0  # row 2 has two zeros: all its gradients are 0
    add("reduce_prod_with_zero_axis1", "reduce_prod", lambda t: tf.reduce_prod(t, 1), [zx],
        {"axis": 1, "keepdims": False})
    add("reduce_prod_with_zero_axis0_keepdims", "reduce_prod",
        lambda t: tf.reduce_prod(t, 0, True), [zx], {"axis": 0, "keepdims": True})

    for tag, axis, excl, rev in (("axis0", 0, False, False), ("axis1_exclusive", 1, True, False),
                                 ("axis1_reverse", 1, False, True),
                                 ("axis0_exclusive_reverse", 0, True, True)):
        add(f"cumsum_{tag}", "cumsum",
            lambda t, axis=axis, excl=excl, rev=rev: tf.cumsum(t, axis, excl, rev), [x],
            {"axis": axis, "exclusive": excl, "reverse": rev})

    for op, fn in (("softmax", tf.nn.softmax), ("log_softmax", tf.nn.log_softmax)):
        add(f"{op}_last", op, lambda t, fn=fn: fn(t, -1), [x * 2], {"axis": -1})
        add(f"{op}_axis0", op, lambda t, fn=fn: fn(t, 0), [x3], {"axis": 0})
        add(f"{op}_float32", op, lambda t, fn=fn: fn(t, -1), [f32(3, 5)], {"axis": -1})

    add("moments_axis0", "moments", lambda t: list(tf.nn.moments(t, [0])), [x],
        {"axes": [0], "keepdims": False})
    add("moments_axes01_keepdims", "moments",
        lambda t: list(tf.nn.moments(t, [0, 1], keepdims=True)), [x3],
        {"axes": [0, 1], "keepdims": True})


def gen_linalg():
    for tag, sa, sb, ta, tb in (("plain", (3, 4), (4, 5), False, False),
                                ("transpose_a", (4, 3), (4, 5), True, False),
                                ("transpose_b", (3, 4), (5, 4), False, True),
                                ("transpose_both", (4, 3), (5, 4), True, True),
                                ("batch", (2, 3, 4), (2, 4, 5), False, False),
                                ("batch_broadcast_rank2", (2, 3, 4), (4, 5), False, False),
                                ("batch_broadcast", (2, 1, 3, 4), (3, 4, 2), False, False),
                                ("batch_broadcast_transpose_b", (3, 2, 4), (1, 5, 4), False, True)):
        add(f"matmul_{tag}", "matmul",
            lambda a, b, ta=ta, tb=tb: tf.linalg.matmul(a, b, transpose_a=ta, transpose_b=tb),
            [f64(*sa), f64(*sb)], {"transpose_a": ta, "transpose_b": tb})
    add("matmul_float32", "matmul", tf.linalg.matmul, [f32(4, 6), f32(6, 3)],
        {"transpose_a": False, "transpose_b": False})
    add("cast_float64_to_float32", "cast", lambda t: tf.cast(t, tf.float32), [f64(2, 3)],
        {"dtype": "float32"})


def gen_shape_ops():
    x = f64(2, 3, 4)
    m = f64(4, 5)
    add("reshape", "reshape", lambda t: tf.reshape(t, [4, -1]), [x], {"shape": [4, -1]})
    add("transpose", "transpose", lambda t: tf.transpose(t, [2, 0, 1]), [x], {"perm": [2, 0, 1]})
    add("transpose_default", "transpose", lambda t: tf.transpose(t), [x], {"perm": None})
    add("expand_dims", "expand_dims", lambda t: tf.expand_dims(t, 1), [m], {"axis": 1})
    add("squeeze", "squeeze", lambda t: tf.squeeze(t, [0, 2]), [f64(1, 3, 1, 2)], {"axis": [0, 2]})
    add("squeeze_all", "squeeze", lambda t: tf.squeeze(t), [f64(1, 3, 1, 2)], {"axis": None})
    add("slice", "slice", lambda t: tf.slice(t, [0, 1, 1], [2, -1, 2]), [x],
        {"begin": [0, 1, 1], "size": [2, -1, 2]})
    ss = [("steps", [0, 1], [4, 5], [2, 2], 0, 0, 0),
          ("negative_step", [3, 4], [0, 0], [-1, -2], 0, 2, 0),
          ("masks_shrink", [1, 0], [0, 5], [1, 3], 2, 2, 1)]
    for tag, b, e, s, bm, em, sm in ss:
        add(f"strided_slice_{tag}", "strided_slice",
            lambda t, b=b, e=e, s=s, bm=bm, em=em, sm=sm: tf.strided_slice(
                t, b, e, s, begin_mask=bm, end_mask=em, shrink_axis_mask=sm),
            [m], {"begin": b, "end": e, "strides": s, "begin_mask": bm, "end_mask": em,
                  "ellipsis_mask": 0, "new_axis_mask": 0, "shrink_axis_mask": sm})
    idx = arr([3, 0, 3, 1], "int32")  # repeated index: gradients accumulate
    add("gather_axis0", "gather", lambda t, i: tf.gather(t, i), [m, idx],
        {"axis": 0, "batch_dims": 0})
    add("gather_axis1", "gather", lambda t, i: tf.gather(t, i, axis=1), [m, idx],
        {"axis": 1, "batch_dims": 0})
    bidx = arr([[0, 2, 2], [1, 1, 0], [3, 0, 1], [2, 2, 2]], "int32")
    add("gather_batch_dims1", "gather", lambda t, i: tf.gather(t, i, axis=1, batch_dims=1),
        [m, bidx], {"axis": 1, "batch_dims": 1})
    nd = arr([[0, 1], [3, 4], [0, 1], [2, 0]], "int32")
    add("gather_nd", "gather_nd", tf.gather_nd, [m, nd])
    add("gather_nd_rows", "gather_nd", tf.gather_nd, [x, arr([[1], [0], [1]], "int32")])
    add("concat_axis0", "concat", lambda a, b: tf.concat([a, b], 0), [f64(2, 3), f64(1, 3)],
        {"axis": 0})
    add("concat_axis_neg1", "concat", lambda a, b, c: tf.concat([a, b, c], -1),
        [f64(2, 1), f64(2, 3), f64(2, 2)], {"axis": -1})
    add("split_num", "split", lambda t: tf.split(t, 3, axis=1), [f64(2, 6)],
        {"num_or_size_splits": 3, "axis": 1})
    add("split_sizes", "split", lambda t: tf.split(t, [1, 3], axis=0), [m],
        {"num_or_size_splits": [1, 3], "axis": 0})
    add("stack_axis0", "stack", lambda a, b: tf.stack([a, b], 0), [f64(2, 3), f64(2, 3)],
        {"axis": 0})
    add("stack_axis2", "stack", lambda a, b, c: tf.stack([a, b, c], 2),
        [f64(2, 3), f64(2, 3), f64(2, 3)], {"axis": 2})
    add("tile", "tile", lambda t: tf.tile(t, [2, 1, 3]), [f64(2, 1, 2)], {"multiples": [2, 1, 3]})
    for mode in ("CONSTANT", "REFLECT", "SYMMETRIC"):
        pads = [[1, 2], [2, 1]]
        add(f"pad_{mode.lower()}", "pad",
            lambda t, mode=mode, pads=pads: tf.pad(t, pads, mode, 1.5), [f64(3, 4)],
            {"paddings": pads, "mode": mode, "constant_value": 1.5})
    add("reverse", "reverse", lambda t: tf.reverse(t, [0, 2]), [x], {"axis": [0, 2]})
    add("broadcast_to", "broadcast_to", lambda t: tf.broadcast_to(t, [2, 3, 4]), [f64(3, 1)],
        {"shape": [2, 3, 4]})


def main():
    gen_mlp()
    gen_elementwise()
    gen_reductions()
    gen_linalg()
    gen_shape_ops()
    meta = {
        "generator": "tests/tools/gen_tf_gradients.py",
        "tensorflow_version": tf.__version__,
        "numpy_version": np.__version__,
        "python_version": sys.version.split()[0],
        "num_cases": len(cases),
        "loss": "sum_k reduce_sum(outputs[k] * weights[k])",
        "comparison": "|got-want| <= rtol*(|want| + max finite |want| of the gradient); "
                      "non-finite values equal; null = no gradient (undefined tensor)",
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        f.write('{"metadata": ' + json.dumps(meta, sort_keys=True) + ',\n "cases": [\n')
        f.write(",\n".join(json.dumps(c, separators=(",", ":"), allow_nan=False) for c in cases))
        f.write("\n]}\n")
    per_op = defaultdict(int)
    for c in cases:
        per_op[c["op"]] += 1
    print(f"wrote {len(cases)} cases to {OUT} ({os.path.getsize(OUT)} bytes)")
    print(", ".join(f"{k}:{v}" for k, v in sorted(per_op.items())))


if __name__ == "__main__":
    main()
