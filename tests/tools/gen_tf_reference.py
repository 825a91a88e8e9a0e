#!/usr/bin/env python3
"""Generates tests/data/tf_reference.json: TensorFlow results that nabla's ops must match.

How to regenerate (TensorFlow is needed only here; the C++ tests read the committed JSON):

    python3 -m venv venv && venv/bin/pip install tensorflow-cpu numpy
    venv/bin/python tests/tools/gen_tf_reference.py

Output layout (read by tests/conformance/test_tf_reference.cpp):

    {"metadata": {"tensorflow_version": ..., "numpy_version": ..., ...},
     "cases": [{"name": "exp_float32_0", "op": "exp", "tf_op": "tf.math.exp",
                "inputs": [TENSOR, ...], "attrs": {...}, "outputs": [TENSOR, ...],
                "tolerance": {"rtol": R, "atol": A}}, ...]}

    TENSOR = {"dtype": "float32", "shape": [2, 3], "values": [flat row-major list]}

Floats that are not finite are written as the strings "inf", "-inf" and "nan"; bools as
JSON booleans. float32 values are written with the shortest decimal that reads back as the
same float32. A float result matches when |got - want| <= atol + rtol * |want| (NaN matches
NaN, infinities must be equal); integer and bool results must be equal. `op` is the nabla
function the case exercises; `tf_op` is what computed the reference.

Inputs are generated with fixed seeds, so rerunning gives the same file for the same
TensorFlow version. Inputs avoid values whose results depend on implementation-defined
behaviour (float->int casts out of range, integer overflow) or on TensorFlow's
flush-to-zero of denormals.
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
OUT = os.path.normpath(os.path.join(HERE, "..", "data", "tf_reference.json"))

INF = float("inf")
NAN = float("nan")

NP_DTYPES = {
    "float32": np.float32, "float64": np.float64, "int32": np.int32, "int64": np.int64,
    "uint8": np.uint8, "int8": np.int8, "bool": np.bool_, "float16": np.float16,
    "bfloat16": tf.bfloat16.as_numpy_dtype,
}
FLOATS = ("float16", "bfloat16", "float32", "float64")
EPS = {"float32": float(np.finfo(np.float32).eps), "float64": float(np.finfo(np.float64).eps),
       "float16": 2.0**-10, "bfloat16": 2.0**-7}

cases = []
counters = defaultdict(int)


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


class Pattern:
    """A large input stored as a formula instead of a value list:
    value[i] = ((i * mul) % mod) * 2**-shift + offset, computed exactly in float64 and then
    converted to the dtype (all quantities are small enough for every step to be exact)."""

    def __init__(self, shape, dtype, mul, mod, shift, offset):
        n = int(np.prod(shape))
        assert n * mul < 2**62 and mod < 2**40 and offset == math.ldexp(round(math.ldexp(offset, shift)), -shift)
        k = (np.arange(n, dtype=np.int64) * mul) % mod
        v = k.astype(np.float64) * 2.0**-shift + offset
        self.array = v.astype(NP_DTYPES[dtype]).reshape(shape)
        assert np.array_equal(self.array.astype(np.float64).reshape(-1), v), "pattern not exact"
        self.spec = {"mul": mul, "mod": mod, "shift": shift, "offset": offset}


def enc_tensor(a):
    if isinstance(a, Pattern):
        return {"dtype": a.array.dtype.name, "shape": list(a.array.shape), "pattern": a.spec}
    a = np.asarray(a)
    dtype = a.dtype.name
    if dtype not in NP_DTYPES:
        raise ValueError(f"unsupported dtype {dtype}")
    return {"dtype": dtype, "shape": list(a.shape),
            "values": [enc_value(v, dtype) for v in a.reshape(-1)]}


def to_np(t):
    return t.numpy() if hasattr(t, "numpy") else np.asarray(t)


def add(op, inputs, attrs, outputs, tol, tf_op, dtype_tag=None):
    """Records one case. `outputs` is a tensor or a list of tensors."""
    inputs = [x if isinstance(x, Pattern) else np.asarray(x) for x in inputs]
    if not isinstance(outputs, (list, tuple)):
        outputs = [outputs]
    outputs = [np.asarray(to_np(o)) for o in outputs]
    if dtype_tag is None:
        first = inputs[0].array if inputs and isinstance(inputs[0], Pattern) else (
            inputs[0] if inputs else outputs[0])
        dtype_tag = first.dtype.name
    key = f"{op}_{dtype_tag}"
    name = f"{key}_{counters[key]}"
    counters[key] += 1
    cases.append({"name": name, "op": op, "tf_op": tf_op,
                  "inputs": [enc_tensor(x) for x in inputs], "attrs": attrs,
                  "outputs": [enc_tensor(o) for o in outputs],
                  "tolerance": {"rtol": float(tol[0]), "atol": float(tol[1])}})


# ----------------------------------------------------------------------------- tolerances
# Integers and bools are always compared exactly; these apply to float outputs.

EXACT = (0.0, 0.0)


def tol_arith(dt):  # correctly rounded IEEE operations: at most a rounding's difference
    return (2e-7, 1e-37) if dt == "float32" else (4e-16, 1e-300)


def tol_transc(dt, atol32=1e-37, atol64=1e-300):  # libm vs Eigen: a few ulp
    return (4e-6, atol32) if dt == "float32" else (1e-14, atol64)


def tol_sum(dt, n, scale):
    """Sums of n terms of magnitude <= scale, in any order."""
    eps = EPS.get(dt, 0.0)
    return ((2e-6, max(2.0 * eps * n * scale, 1e-37)) if dt == "float32"
            else (1e-14, max(2.0 * eps * n * scale, 1e-300)))


def absmax(a):
    a = np.asarray(a, dtype=np.float64)
    a = a[np.isfinite(a)]
    return float(np.max(np.abs(a))) if a.size else 1.0


# ----------------------------------------------------------------------------- values

def uniform(rng, shape, lo, hi, dt):
    return rng.uniform(lo, hi, size=shape).astype(NP_DTYPES[dt])


def ints(rng, shape, lo, hi, dt="int32"):
    return rng.integers(lo, hi, size=shape, endpoint=True).astype(NP_DTYPES[dt])


def bools(rng, shape, p=0.5):
    return rng.random(size=shape) < p


def arr(values, dt):
    return np.asarray(values, dtype=NP_DTYPES[dt])


def tfc(a):
    return tf.constant(np.asarray(a))


# ----------------------------------------------------------------------------- unary math

PI = math.pi
UNARY = [
    # name, tf function, random domain, float32 edge values, float64 edge values, tolerance kind
    ("exp", tf.math.exp, (-10, 10),
     [0, -0.0, 1, -1, 80, 88, -80, 1e-6, -1e-6, INF, -INF, NAN],
     [0, 1, -1, 700, -700, 1e-12, INF, -INF, NAN], "t"),
    ("log", tf.math.log, (1e-3, 100),
     [1, 0, -0.0, -1, 1e-30, 1e30, 3.4e38, 0.5, 2.718281828, INF, -INF, NAN],
     [1, 0, -1, 1e-300, 1e300, 0.5, INF, -INF, NAN], "t"),
    ("log1p", tf.math.log1p, (-0.9, 10),
     [0, -1, -2, 1e-7, -1e-7, 1e-20, -0.5, 1e30, INF, -INF, NAN],
     [0, -1, -2, 1e-15, -1e-15, 1e-200, 1e300, INF, NAN], "t"),
    ("expm1", tf.math.expm1, (-5, 5),
     [0, 1e-7, -1e-7, 1e-20, 50, -50, 88, INF, -INF, NAN],
     [0, 1e-15, -1e-15, 1e-200, 500, -500, INF, -INF, NAN], "t"),
    ("sqrt", tf.math.sqrt, (0, 100),
     [0, -0.0, 1, 4, 2, -1, 1e-30, 1e30, INF, -INF, NAN],
     [0, 1, 2, -1, 1e-300, 1e300, INF, -INF, NAN], "t"),
    ("rsqrt", tf.math.rsqrt, (0.01, 100),
     [1, 4, 0.25, 0, -0.0, -1, 1e-30, 1e30, INF, NAN],
     [1, 4, 0, -1, 1e-300, 1e300, INF, NAN], "t"),
    ("sin", tf.math.sin, (-10, 10),
     [0, 1e-7, -1e-7, PI / 2, PI, -PI, 100, 1000, INF, -INF, NAN],
     [0, 1e-15, PI / 2, PI, -PI, 100, 1000, INF, NAN], "trig"),
    ("cos", tf.math.cos, (-10, 10),
     [0, 1e-7, PI / 2, PI, -PI, 100, 1000, INF, -INF, NAN],
     [0, 1e-15, PI / 2, PI, -PI, 100, 1000, INF, NAN], "trig"),
    ("tan", tf.math.tan, (-1.4, 1.4),
     # (not 1.57 in float32: there TensorFlow's float32 tan is ~1000 ulp off the true value)
     [0, 1e-7, 1, -1, 1.5, -1.5, 0.785, INF, NAN],
     [0, 1e-15, 1, -1, 1.5, 1.57, INF, NAN], "trig"),
    ("tanh", tf.math.tanh, (-5, 5),
     [0, 1e-7, -1e-7, 0.5, -0.5, 10, -10, 20, 100, INF, -INF, NAN],
     [0, 1e-15, 0.5, -0.5, 10, 20, 100, INF, -INF, NAN], "t"),
    ("sigmoid", tf.math.sigmoid, (-10, 10),
     [0, 1e-7, 15, -15, 30, -30, 80, -80, INF, -INF, NAN],
     [0, 1e-15, 15, -15, 40, -40, 700, -700, INF, -INF, NAN], "t"),
    ("erf", tf.math.erf, (-3, 3),
     [0, 1e-7, -1e-7, 0.5, 1, -1, 3, 5, -5, 10, INF, -INF, NAN],
     # (not +-inf in float64: TensorFlow 2.21 returns NaN there instead of +-1)
     [0, 1e-15, 0.5, 1, -1, 3, 6, -6, 30, -30, NAN], "t"),
    ("abs", tf.math.abs, (-10, 10),
     [0, -0.0, 1, -1, -3.4e38, 1e-30, INF, -INF, NAN],
     [0, -0.0, -1, -1e300, INF, -INF, NAN], "e"),
    ("sign", tf.math.sign, (-10, 10),
     [0, -0.0, 3, -3, 1e-30, -1e-30, INF, -INF, NAN],
     [0, 2, -2, 1e-300, INF, -INF, NAN], "e"),
    ("square", tf.math.square, (-10, 10),
     [0, -0.0, -3, 1e-10, 1e20, -1e20, INF, -INF, NAN],
     [0, -3, 1e-100, 1e200, INF, -INF, NAN], "a"),
    ("negative", tf.math.negative, (-10, 10),
     [0, -0.0, 1, -1, 3.4e38, INF, -INF, NAN],
     [0, 1, -1e300, INF, -INF, NAN], "e"),
    ("relu", tf.nn.relu, (-10, 10),
     [0, -0.0, -1, 1, 1e-30, -1e30, INF, -INF, NAN],
     [0, -1, 1, 1e-300, INF, -INF, NAN], "e"),
    ("round", tf.math.round, (-10, 10),
     [-3.5, -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 0.49999997, 2.5000002, -0.2, 4194304.5,
      8388609, 1e20, INF, -INF, NAN],
     [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.49999999999999994, 4503599627370495.5, 1e300,
      INF, -INF, NAN], "e"),
    ("floor", tf.math.floor, (-10, 10),
     [-2.5, -0.5, -0.0, 0.5, 2, -2, 0.99999994, -1e-30, 1e20, INF, -INF, NAN],
     [-2.5, -0.5, 0.5, 2, 0.9999999999999999, -1e-300, INF, -INF, NAN], "e"),
    ("ceil", tf.math.ceil, (-10, 10),
     [-2.5, -0.5, -0.0, 0.5, 2, -2, 1.0000001, 1e-30, 1e20, INF, -INF, NAN],
     [-2.5, -0.5, 0.5, 2, 1.0000000000000002, 1e-300, INF, -INF, NAN], "e"),
]
INT_UNARY = {"abs": [-5, 0, 7, -2147483647, 2147483647],
             "sign": [-5, 0, 7, -2147483647, 2147483647],
             "square": [-5, 0, 3, 46340, -46340],
             "negative": [-5, 0, 7, -2147483647, 2147483647],
             "relu": [-5, 0, 7, -2147483647, 2147483647]}


def unary_tol(kind, dt):
    if kind == "e":
        return EXACT
    if kind == "a":
        return tol_arith(dt)
    if kind == "trig":
        return tol_transc(dt, atol32=1e-6, atol64=1e-14)
    return tol_transc(dt)


def gen_unary():
    rng = np.random.default_rng(1001)
    for name, fn, (lo, hi), edge32, edge64, kind in UNARY:
        tf_op = "tf.nn.relu" if name == "relu" else f"tf.math.{name}"
        for shape in [(), (7,), (2, 3, 4)]:
            x = uniform(rng, shape, lo, hi, "float32")
            if name == "round":  # make exact halves common
                x = (np.round(x * 2) / 2).astype(np.float32)
            add(name, [x], {}, fn(tfc(x)), unary_tol(kind, "float32"), tf_op)
        x = arr(edge32, "float32")
        add(name, [x], {}, fn(tfc(x)), unary_tol(kind, "float32"), tf_op)
        # Edge values scattered among random ones, so that vectorised loops meet them in
        # their main body as well as in the tail.
        for dt, edge in (("float32", edge32), ("float64", edge64)):
            x = np.concatenate([arr(edge, dt), arr(edge, dt), uniform(rng, (65 - 2 * len(edge),),
                                                                       lo, hi, dt)])
            x = rng.permutation(x).reshape(5, 13)
            add(name, [x], {}, fn(tfc(x)), unary_tol(kind, dt), tf_op)
        x = uniform(rng, (3, 4), lo, hi, "float64")
        if name == "round":
            x = np.round(x * 2) / 2
        add(name, [x], {}, fn(tfc(x)), unary_tol(kind, "float64"), tf_op)
        x = arr(edge64, "float64")
        add(name, [x], {}, fn(tfc(x)), unary_tol(kind, "float64"), tf_op)
        if name in INT_UNARY:
            x = ints(rng, (2, 5), -20, 20)
            add(name, [x], {}, fn(tfc(x)), EXACT, tf_op)
            x = arr(INT_UNARY[name], "int32")
            add(name, [x], {}, fn(tfc(x)), EXACT, tf_op)


# ----------------------------------------------------------------------------- binary math

def gen_binary():
    rng = np.random.default_rng(2002)
    ops = [
        ("add", tf.math.add, "a"), ("subtract", tf.math.subtract, "a"),
        ("multiply", tf.math.multiply, "a"), ("divide", tf.math.divide, "a"),
        ("floordiv", tf.math.floordiv, "a"), ("mod", tf.math.floormod, "a"),
        ("pow", tf.math.pow, "t"), ("minimum", tf.math.minimum, "e"),
        ("maximum", tf.math.maximum, "e"),
    ]
    tf_names = {"add": "tf.math.add", "subtract": "tf.math.subtract",
                "multiply": "tf.math.multiply", "divide": "tf.math.divide",
                "floordiv": "tf.math.floordiv", "mod": "tf.math.floormod", "pow": "tf.math.pow",
                "minimum": "tf.math.minimum", "maximum": "tf.math.maximum"}
    edges = {
        "add": ([1, INF, INF, -INF, NAN, 3.4e38, -0.0, 1e-8],
                [2, 1, -INF, -INF, 1, 3.4e38, 0.0, 1]),
        "subtract": ([1, INF, INF, -INF, NAN, -3.4e38, 0.0, 1],
                     [2, 1, INF, INF, 1, 3.4e38, 0.0, 1e-8]),
        "multiply": ([2, INF, INF, 0, NAN, 1e30, -0.0, -3],
                     [3, -2, 0, -INF, 1, 1e30, 5, 0.0]),
        "divide": ([1, -1, 0, INF, 1, -6, 1e-30, 7, 0.0],
                   [0, 0, 0, INF, INF, 3, 1e30, -2, -5]),
        "floordiv": ([1, -1, 0, 7, -7, 7, -7, 5.5, -5.5, INF, 1],
                     [0, 0, 0, 2, 2, -2, -2, 2, 2, 3, INF]),
        "mod": ([1, 7, -7, 7, -7, 5.5, -5.5, 0, 3, INF, 1],
                [0, 3, 3, -3, -3, 2, 2, 2, 3, 3, INF]),
        "pow": ([0, 0, -2, -2, 2, INF, NAN, 1, 4, -8, 0, 10],
                [0, -1, 3, 0.5, -1, 0, 0, NAN, 0.5, 1.0 / 3.0, 2, -3]),
        "minimum": ([NAN, 1, -1, 0, INF, -INF, 2, 1],
                    [0, NAN, -2, -0.0, 3, 5, 2, INF]),
        "maximum": ([NAN, 1, -1, 0, INF, -INF, 2, 1],
                    [0, NAN, -2, -0.0, 3, 5, 2, -INF]),
    }

    def operands(name, sa, sb, dt):
        if dt.startswith("int") or dt == "uint8":
            a = ints(rng, sa, -20, 20, dt)
            b = ints(rng, sb, -6, 6, dt)
            if name in ("divide", "floordiv", "mod"):
                b[b == 0] = 3
            if name == "pow":
                a = ints(rng, sa, -4, 4, dt)
                b = ints(rng, sb, 0, 5, dt)
            return a, b
        if name == "pow":
            return uniform(rng, sa, 0.1, 4, dt), uniform(rng, sb, -3, 3, dt)
        a = uniform(rng, sa, -10, 10, dt)
        b = uniform(rng, sb, -10, 10, dt)
        if name in ("divide", "floordiv", "mod"):
            b = np.where(np.abs(b) < 0.5, np.asarray(1.5, dtype=b.dtype), b)
        if name in ("minimum", "maximum") and a.shape == b.shape:  # a few equal entries
            b.reshape(-1)[:3] = a.reshape(-1)[:3]
        return a, b

    for name, fn, kind in ops:
        tf_op = tf_names[name]
        ref = fn
        if name == "divide":
            # nabla's integer divide truncates (tf.truncatediv); floats use tf.math.divide.
            def ref(a, b, _f=fn):
                return tf.truncatediv(a, b) if a.dtype.is_integer else _f(a, b)
        specs = [("float32", (3, 4), (3, 4)), ("float32", (2, 3), (3,)),
                 ("float32", (2, 1, 3), (4, 1)), ("float32", (), (2, 3)),
                 ("float64", (2, 1, 3, 1), (4, 1, 2)), ("int32", (3, 4), (3, 4)),
                 ("int32", (2, 3), (2, 1))]
        if name in ("add", "floordiv", "mod", "multiply"):
            specs.append(("int64", (4,), ()))
        if name == "add":
            specs.append(("uint8", (2, 3), (3,)))
        if name == "pow":
            # negative bases with integral exponents
            a = uniform(rng, (2, 3), -3, 3, "float32")
            b = arr([[2, 3, -1], [0, 1, -2]], "float32")
            add(name, [a, b], {}, ref(tfc(a), tfc(b)), tol_transc("float32"), tf_op)
        for dt, sa, sb in specs:
            if dt == "uint8":
                a = ints(rng, sa, 0, 100, dt)
                b = ints(rng, sb, 0, 100, dt)
            else:
                a, b = operands(name, sa, sb, dt)
            tol = EXACT if kind == "e" else (tol_arith(dt) if kind == "a" else tol_transc(dt))
            add(name, [a, b], {}, ref(tfc(a), tfc(b)), tol, tf_op + (
                " (tf.truncatediv for integers)" if name == "divide" and dt.startswith("int") else ""))
        # edge values
        ea, eb = edges[name]
        for dt in ("float32", "float64"):
            a, b = arr(ea, dt), arr(eb, dt)
            tol = EXACT if kind == "e" else (tol_arith(dt) if kind == "a" else tol_transc(dt))
            add(name, [a, b], {}, ref(tfc(a), tfc(b)), tol, tf_op)
        # float32 edge pairs scattered among random pairs (vector body and tail)
        a_r, b_r = operands(name, (45 - 2 * len(ea),), (45 - 2 * len(ea),), "float32")
        perm = rng.permutation(45)
        a = np.concatenate([arr(ea, "float32"), arr(ea, "float32"), a_r])[perm].reshape(3, 15)
        b = np.concatenate([arr(eb, "float32"), arr(eb, "float32"), b_r])[perm].reshape(3, 15)
        tol = EXACT if kind == "e" else (tol_arith("float32") if kind == "a" else
                                         tol_transc("float32"))
        add(name, [a, b], {}, ref(tfc(a), tfc(b)), tol, tf_op)
        if name in ("floordiv", "mod", "divide"):
            a = arr([7, -7, 7, -7, 0, 1, -1, 2147483647, -2147483647], "int32")
            b = arr([3, 3, -3, -3, 5, -5, 5, 2, -2], "int32")
            add(name, [a, b], {}, ref(tfc(a), tfc(b)), EXACT, tf_op)

    # Comparisons -> bool.
    cmps = [("equal", tf.math.equal), ("not_equal", tf.math.not_equal), ("less", tf.math.less),
            ("less_equal", tf.math.less_equal), ("greater", tf.math.greater),
            ("greater_equal", tf.math.greater_equal)]
    for name, fn in cmps:
        a = np.round(uniform(rng, (2, 3, 4), -2, 2, "float32"))
        a.reshape(-1)[[3, 10]] = [NAN, INF]
        b = arr([-1, 0, NAN, INF], "float32")
        add(name, [a, b], {}, fn(tfc(a), tfc(b)), EXACT, f"tf.math.{name}")
        a = uniform(rng, (3, 1), -1, 1, "float64")
        b = np.concatenate([a[:2, 0], [0.5]])
        add(name, [a, b], {}, fn(tfc(a), tfc(b)), EXACT, f"tf.math.{name}")
        a = ints(rng, (3, 4), -2, 2)
        b = ints(rng, (4,), -2, 2)
        add(name, [a, b], {}, fn(tfc(a), tfc(b)), EXACT, f"tf.math.{name}")
    for name, fn in [("logical_and", tf.math.logical_and), ("logical_or", tf.math.logical_or),
                     ("logical_xor", tf.math.logical_xor)]:
        a = bools(rng, (2, 3, 4))
        b = bools(rng, (3, 1))
        add(name, [a, b], {}, fn(tfc(a), tfc(b)), EXACT, f"tf.math.{name}")
        a = arr([True, True, False, False], "bool")
        b = arr([True, False, True, False], "bool")
        add(name, [a, b], {}, fn(tfc(a), tfc(b)), EXACT, f"tf.math.{name}")
    a = bools(rng, (2, 5))
    add("logical_not", [a], {}, tf.math.logical_not(tfc(a)), EXACT, "tf.math.logical_not")


# ----------------------------------------------------------------------------- reductions

def gen_reductions():
    rng = np.random.default_rng(3003)
    specs = [  # dtype, shape, axis, keepdims
        ("float32", (2, 3, 4), None, False), ("float32", (2, 3, 4), 1, False),
        ("float32", (2, 3, 4), [0, 2], True), ("float32", (2, 3, 4), -1, True),
        ("float32", (5,), 0, False), ("float32", (), None, False),
        ("float32", (2, 1, 3, 2), [1, 3], False), ("float64", (3, 4), [0, 1], False),
        ("float64", (2, 3, 4), [-1, 0], True), ("int32", (3, 4), 0, False),
        ("int32", (2, 3, 4), [1, 2], True),
    ]
    red = [("reduce_sum", tf.math.reduce_sum), ("reduce_mean", tf.math.reduce_mean),
           ("reduce_max", tf.math.reduce_max), ("reduce_min", tf.math.reduce_min),
           ("reduce_prod", tf.math.reduce_prod), ("reduce_logsumexp", tf.math.reduce_logsumexp)]
    for name, fn in red:
        for dt, shape, axis, keep in specs:
            if name == "reduce_logsumexp" and dt == "int32":
                continue
            if name == "reduce_prod":
                x = uniform(rng, shape, 0.5, 1.5, dt) if dt != "int32" else ints(rng, shape, -2, 2)
            elif dt == "int32":
                x = ints(rng, shape, -50, 50)
            else:
                x = uniform(rng, shape, -5, 5, dt)
            n = x.size
            if name in ("reduce_max", "reduce_min"):
                tol = EXACT
            elif name == "reduce_prod":
                tol = (4 * EPS.get(dt, 0) * (n + 1), 1e-37 if dt == "float32" else 1e-300)
            else:
                tol = tol_sum(dt, n, absmax(x)) if dt != "int32" else EXACT
            attrs = {"axis": axis, "keepdims": keep}
            add(name, [x], attrs, fn(tfc(x), axis=axis, keepdims=keep), tol, f"tf.math.{name}")
    # Edge cases.
    x = arr([[1, -2, 3, -4], [-1, -2, -3, -4], [5, 5, -5, 7]], "int32")  # mean truncates
    add("reduce_mean", [x], {"axis": 1, "keepdims": False},
        tf.math.reduce_mean(tfc(x), axis=1), EXACT, "tf.math.reduce_mean")
    x = arr([[1, NAN, 3], [INF, 1, 2], [-INF, 0, 1]], "float32")
    for name, fn in [("reduce_max", tf.math.reduce_max), ("reduce_min", tf.math.reduce_min),
                     ("reduce_sum", tf.math.reduce_sum)]:
        add(name, [x], {"axis": 1, "keepdims": False}, fn(tfc(x), axis=1), EXACT,
            f"tf.math.{name}")
    x = np.zeros((0, 3), np.float32)
    for name, fn in [("reduce_sum", tf.math.reduce_sum), ("reduce_prod", tf.math.reduce_prod)]:
        add(name, [x], {"axis": 0, "keepdims": False}, fn(tfc(x), axis=0), EXACT,
            f"tf.math.{name}")
    x = arr([[-INF, -INF, -INF], [INF, 1, 2], [1000, 1000, 999], [-1000, -1001, -1000]],
            "float32")
    add("reduce_logsumexp", [x], {"axis": 1, "keepdims": False},
        tf.math.reduce_logsumexp(tfc(x), axis=1), tol_sum("float32", 3, 1000),
        "tf.math.reduce_logsumexp")
    for name, fn in [("reduce_any", tf.math.reduce_any), ("reduce_all", tf.math.reduce_all)]:
        for shape, axis, keep, p in [((2, 3, 4), None, False, 0.5), ((2, 3, 4), 1, False, 0.7),
                                     ((2, 3, 4), [0, 2], True, 0.8), ((3, 4), -1, False, 0.2),
                                     ((5,), 0, True, 0.9)]:
            x = bools(rng, shape, p)
            add(name, [x], {"axis": axis, "keepdims": keep},
                fn(tfc(x), axis=axis, keepdims=keep), EXACT, f"tf.math.{name}")
        x = np.array([[True, True], [False, False], [True, False]])
        add(name, [x], {"axis": 1, "keepdims": False}, fn(tfc(x), axis=1), EXACT,
            f"tf.math.{name}")
    # argmax / argmin (int64 result; first index on ties).
    for name, fn in [("argmax", tf.math.argmax), ("argmin", tf.math.argmin)]:
        x = uniform(rng, (3, 4), -5, 5, "float32")
        add(name, [x], {"axis": 0}, fn(tfc(x), axis=0), EXACT, f"tf.math.{name}")
        add(name, [x], {"axis": -1}, fn(tfc(x), axis=-1), EXACT, f"tf.math.{name}")
        x = uniform(rng, (2, 3, 4), -5, 5, "float64")
        add(name, [x], {"axis": 1}, fn(tfc(x), axis=1), EXACT, f"tf.math.{name}")
        x = ints(rng, (3, 5), 0, 2)  # many ties
        add(name, [x], {"axis": 1}, fn(tfc(x), axis=1), EXACT, f"tf.math.{name}")
        x = arr([[1, -INF, INF, 2], [INF, INF, -INF, -INF]], "float32")
        add(name, [x], {"axis": 1}, fn(tfc(x), axis=1), EXACT, f"tf.math.{name}")
    # cumsum
    for dt, shape, axis, excl, rev in [("float32", (5,), 0, False, False),
                                       ("float32", (3, 4), 1, True, False),
                                       ("float32", (3, 4), -1, False, True),
                                       ("float32", (2, 3, 4), 1, True, True),
                                       ("float64", (4, 3), 0, False, True),
                                       ("int32", (3, 4), 0, True, False),
                                       ("int32", (2, 3, 2), -1, True, True)]:
        x = uniform(rng, shape, -5, 5, dt) if dt != "int32" else ints(rng, shape, -50, 50)
        tol = tol_sum(dt, x.size, absmax(x)) if dt != "int32" else EXACT
        add("cumsum", [x], {"axis": axis, "exclusive": excl, "reverse": rev},
            tf.math.cumsum(tfc(x), axis=axis, exclusive=excl, reverse=rev), tol,
            "tf.math.cumsum")
    # moments -> [mean, variance]
    for dt, shape, axes, keep in [("float32", (4, 3), [0], False),
                                  ("float32", (2, 3, 4), [0, 1], True),
                                  ("float32", (2, 3, 4), [-1], False),
                                  ("float64", (3, 5), [1], True)]:
        x = uniform(rng, shape, -3, 7, dt)
        m, v = tf.nn.moments(tfc(x), axes=axes, keepdims=keep)
        add("moments", [x], {"axes": axes, "keepdims": keep}, [m, v],
            tol_sum(dt, x.size, absmax(x) ** 2), "tf.nn.moments")
    # softmax / log_softmax
    for name, fn in [("softmax", tf.nn.softmax), ("log_softmax", tf.nn.log_softmax)]:
        for dt, shape, axis, scale in [("float32", (5,), -1, 3), ("float32", (3, 4), -1, 3),
                                       ("float32", (3, 4), 0, 3), ("float32", (2, 3, 4), 1, 3),
                                       ("float32", (2, 3), -1, 1000),
                                       ("float64", (2, 3, 4), -1, 10)]:
            x = uniform(rng, shape, -scale, scale, dt)
            if scale == 1000:
                x[0, 0] = x[0, 1]  # ties at the max
            atol = 8 * EPS[dt] * absmax(x) if name == "log_softmax" else (
                1e-37 if dt == "float32" else 1e-300)
            add(name, [x], {"axis": axis}, fn(tfc(x), axis=axis),
                ((8e-6 if dt == "float32" else 1e-14), atol), f"tf.nn.{name}")


# ----------------------------------------------------------------------------- shape ops

def gen_shape_ops():
    rng = np.random.default_rng(4004)

    def f32(shape):
        return np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape) * 0.5 - 3

    def i32(shape):
        return np.arange(int(np.prod(shape)), dtype=np.int32).reshape(shape) - 5

    x3 = f32((2, 3, 4))
    for x, shape in [(x3, [4, 6]), (x3, [-1]), (x3, [2, -1, 2, 3]), (np.float32(7.5), [1, 1]),
                     (i32((3, 4)), [2, 6]), (f32((1, 6)).astype(np.float64), [3, 2])]:
        add("reshape", [x], {"shape": shape}, tf.reshape(tfc(x), shape), EXACT, "tf.reshape")
    for x, perm in [(x3, None), (x3, [1, 0, 2]), (x3, [2, 0, 1]),
                    (f32((2, 1, 3, 2)), [3, 1, 0, 2]), (i32((3, 4)), [1, 0]),
                    (np.array([True, False, True])[None, :], None)]:
        add("transpose", [x], {"perm": perm}, tf.transpose(tfc(x), perm), EXACT, "tf.transpose")
    for x, axis in [(x3, 0), (x3, -1), (x3, 1), (np.float32(2.5), 0), (i32((2, 3)), -2)]:
        add("expand_dims", [x], {"axis": axis}, tf.expand_dims(tfc(x), axis), EXACT,
            "tf.expand_dims")
    for x, axis in [(f32((1, 2, 1, 3, 1)), None), (f32((1, 2, 1, 3, 1)), [2]),
                    (f32((1, 2, 1, 3, 1)), [-1, 0]), (i32((1, 1)), None)]:
        add("squeeze", [x], {"axis": axis}, tf.squeeze(tfc(x), axis), EXACT, "tf.squeeze")
    for xs, axis in [([f32((2, 3)), f32((1, 3)) + 10], 0), ([f32((2, 3)), f32((2, 2))], 1),
                     ([f32((2, 1, 2)), f32((2, 1, 1)), f32((2, 1, 3))], -1),
                     ([i32((2, 2)), i32((2, 2)) * 3], 0),
                     ([f32((3,)).astype(np.float64), f32((2,)).astype(np.float64)], 0)]:
        add("concat", xs, {"axis": axis}, tf.concat([tfc(v) for v in xs], axis), EXACT,
            "tf.concat")
    for xs, axis in [([f32((2, 3)), f32((2, 3)) + 10], 0), ([f32((2, 3)), f32((2, 3)) * 2], 1),
                     ([f32((2, 3)), f32((2, 3)), f32((2, 3)) - 1], -1),
                     ([np.float32(1), np.float32(2), np.float32(3)], 0),
                     ([i32((3,)), i32((3,)) * 2], 1)]:
        add("stack", xs, {"axis": axis}, tf.stack([tfc(v) for v in xs], axis), EXACT, "tf.stack")
    for x, split, axis in [(f32((4, 3)), 2, 0), (f32((2, 3, 6)), 3, -1),
                           (f32((2, 4, 3)), [1, -1, 2], 1), (i32((4, 2)), [3, 1], 0),
                           (f32((5,)), [2, 0, 3], 0)]:
        add("split", [x], {"num_or_size_splits": split, "axis": axis},
            tf.split(tfc(x), split, axis), EXACT, "tf.split")
    for x, mult in [(f32((2, 3)), [2, 1]), (f32((2, 1, 3)), [1, 3, 2]), (i32((3,)), [3]),
                    (f32((2, 2)), [1, 1]), (np.array([[True, False]]), [2, 2])]:
        add("tile", [x], {"multiples": mult}, tf.tile(tfc(x), mult), EXACT, "tf.tile")
    for x, pads, mode, cv in [(f32((2, 3)), [[1, 2], [0, 1]], "CONSTANT", 0),
                              (f32((2, 3)), [[0, 0], [2, 2]], "CONSTANT", 1.5),
                              (f32((3, 4)), [[1, 2], [3, 2]], "REFLECT", 0),
                              (f32((3, 4)), [[2, 3], [1, 4]], "SYMMETRIC", 0),
                              (f32((2, 3, 3)), [[1, 1], [2, 0], [0, 2]], "REFLECT", 0),
                              (f32((2, 3, 3)), [[1, 0], [0, 3], [2, 1]], "SYMMETRIC", 0),
                              (i32((2, 2)), [[1, 1], [1, 1]], "CONSTANT", -7),
                              (i32((4,)), [[3, 3]], "REFLECT", 0)]:
        add("pad", [x], {"paddings": pads, "mode": mode, "constant_value": cv},
            tf.pad(tfc(x), pads, mode=mode, constant_values=cv), EXACT, "tf.pad")
    for x, idx, axis, bd in [(f32((5, 3)), arr([4, 0, 2, 2], "int32"), 0, 0),
                             (f32((2, 5, 3)), arr([[0, 4], [1, 1], [3, 2]], "int32"), 1, 0),
                             (f32((2, 3, 4)), arr([3, 0], "int64"), -1, 0),
                             (f32((3, 4)), arr(2, "int32"), 1, 0),
                             (f32((3, 4, 2)), arr([[1, 0], [3, 3], [2, 1]], "int32"), 1, 1),
                             (f32((2, 3, 4, 2)), arr([[[0, 3]], [[1, 2]]], "int32"), 2, 1),
                             (i32((4, 3)), arr([[3], [0]], "int64"), 0, 0)]:
        add("gather", [x, idx], {"axis": axis, "batch_dims": bd},
            tf.gather(tfc(x), tfc(idx), axis=axis, batch_dims=bd), EXACT, "tf.gather")
    for x, idx in [(f32((3, 4)), arr([[0, 1], [2, 3], [1, 0]], "int32")),
                   (f32((3, 4, 2)), arr([[2], [0]], "int32")),
                   (f32((2, 3, 4)), arr([[[0, 1], [1, 2]], [[1, 0], [0, 0]]], "int64")),
                   (i32((2, 2, 2)), arr([[1, 0, 1]], "int32"))]:
        add("gather_nd", [x, idx], {}, tf.gather_nd(tfc(x), tfc(idx)), EXACT, "tf.gather_nd")
    for x, begin, size in [(x3, [1, 0, 1], [1, 2, 3]), (x3, [0, 1, 0], [-1, -1, 2]),
                           (i32((4, 3)), [2, 0], [2, -1]), (f32((5,)), [4], [0])]:
        add("slice", [x], {"begin": begin, "size": size}, tf.slice(tfc(x), begin, size), EXACT,
            "tf.slice")
    x4 = f32((3, 4, 5))
    for x, b, e, s, masks in [
        (x4, [0, 1, 0], [3, 4, 5], [1, 2, 2], {}),
        (x4, [2, -1, 4], [0, 0, 0], [-1, -1, -2], {}),
        (x4, [1, 0, 0], [0, 3, 0], [1, 1, 1], {"begin_mask": 2, "end_mask": 5}),
        (x4, [1, 2, 0], [2, 3, 5], [1, 1, 1], {"shrink_axis_mask": 3}),
        (x4, [0, 0, 1], [0, 3, 4], [1, 1, 1], {"new_axis_mask": 1}),
        (x4, [0, 2], [0, 4], [1, 1], {"ellipsis_mask": 1}),
        (x4, [1, 0, -1], [2, 0, 0], [1, 1, 1], {"ellipsis_mask": 2, "shrink_axis_mask": 5}),
        (i32((6,)), [-2], [-6], [-2], {}),
        (i32((6,)), [10], [-10], [-1], {}),  # clamped out-of-range bounds
    ]:
        opts = {k: masks.get(k, 0) for k in ("begin_mask", "end_mask", "ellipsis_mask",
                                             "new_axis_mask", "shrink_axis_mask")}
        add("strided_slice", [x], {"begin": b, "end": e, "strides": s, **opts},
            tf.strided_slice(tfc(x), b, e, s, **opts), EXACT, "tf.strided_slice")
    for x, axis in [(x3, [0]), (x3, [1]), (x3, [0, 2]), (x3, [-1]), (i32((5,)), [0])]:
        add("reverse", [x], {"axis": axis}, tf.reverse(tfc(x), axis), EXACT, "tf.reverse")
    for x, shape in [(f32((3,)), [2, 3]), (f32((2, 1)), [2, 4]), (np.float32(4), [2, 2]),
                     (f32((1, 3, 1)), [2, 3, 4]), (i32((3, 1)), [2, 3, 2])]:
        add("broadcast_to", [x], {"shape": shape}, tf.broadcast_to(tfc(x), shape), EXACT,
            "tf.broadcast_to")
    for idx, depth, on, off, axis, dt in [
        (arr([0, 2, 1, 3], "int32"), 4, 1.0, 0.0, -1, "float32"),
        (arr([0, -1, 5, 2], "int32"), 3, 1.0, 0.0, -1, "float32"),
        (arr([[0, 2], [1, 1]], "int32"), 3, 5.0, -1.0, 0, "float32"),
        (arr([[0, 2], [1, 0]], "int64"), 3, 1, 0, 1, "int32"),
        (arr([1, 0], "int32"), 2, 2.5, 0.5, -1, "float64"),
    ]:
        add("one_hot", [idx], {"depth": depth, "on_value": on, "off_value": off, "axis": axis,
                               "dtype": dt},
            tf.one_hot(tfc(idx), depth, on_value=tf.constant(on, dt),
                       off_value=tf.constant(off, dt), axis=axis, dtype=dt), EXACT, "tf.one_hot")
    # clip_by_value: scalar bounds are attrs; tensor bounds are inputs 2 and 3.
    x = uniform(rng, (3, 4), -5, 5, "float32")
    add("clip_by_value", [x], {"lo": -1.5, "hi": 2.0},
        tf.clip_by_value(tfc(x), -1.5, 2.0), EXACT, "tf.clip_by_value")
    lo, hi = arr([-1, -2, 0, -3], "float32"), arr([[1], [2], [0.5]], "float32")
    add("clip_by_value", [x, lo, hi], {}, tf.clip_by_value(tfc(x), tfc(lo), tfc(hi)), EXACT,
        "tf.clip_by_value")
    x = ints(rng, (2, 5), -10, 10)
    add("clip_by_value", [x], {"lo": -3, "hi": 4}, tf.clip_by_value(tfc(x), -3, 4), EXACT,
        "tf.clip_by_value")
    x = arr([NAN, INF, -INF, 0.5, -0.0], "float64")
    add("clip_by_value", [x], {"lo": -1.0, "hi": 1.0}, tf.clip_by_value(tfc(x), -1.0, 1.0),
        EXACT, "tf.clip_by_value")
    # where
    for c, a, b in [(bools(rng, (2, 3)), f32((2, 3)), -f32((2, 3))),
                    (bools(rng, (3, 1)), f32((1, 4)), arr(100, "float32")),
                    (np.array(True), i32((2, 2)), i32((2, 2)) * 10),
                    (bools(rng, (2, 1, 3)), uniform(rng, (4, 1), 0, 1, "float64"),
                     uniform(rng, (3,), 0, 1, "float64"))]:
        add("where", [c, a, b], {}, tf.where(tfc(c), tfc(a), tfc(b)), EXACT, "tf.where",
            dtype_tag=a.dtype.name)


# ----------------------------------------------------------------------------- linalg, cast, creation

def gen_linalg():
    rng = np.random.default_rng(5005)
    for dt, sa, sb, ta, tb in [("float32", (2, 3), (3, 4), False, False),
                               ("float32", (3, 2), (3, 4), True, False),
                               ("float32", (2, 3), (4, 3), False, True),
                               ("float32", (3, 2), (4, 3), True, True),
                               ("float32", (2, 3, 4), (2, 4, 5), False, False),
                               ("float32", (2, 1, 3, 4), (3, 4, 2), False, False),
                               ("float32", (3, 4), (2, 4, 5), False, False),
                               ("float32", (2, 4, 3), (1, 5, 4), True, True),
                               ("float32", (1, 1), (1, 1), False, False),
                               ("float64", (2, 5, 3), (3, 2), False, False),
                               ("int32", (2, 3), (3, 2), False, False),
                               ("int32", (2, 2, 3), (2, 2, 3), False, True)]:
        if dt == "int32":
            a, b = ints(rng, sa, -9, 9), ints(rng, sb, -9, 9)
            tol = EXACT
        else:
            a, b = uniform(rng, sa, -2, 2, dt), uniform(rng, sb, -2, 2, dt)
            k = sa[-2] if ta else sa[-1]
            tol = tol_sum(dt, k, absmax(a) * absmax(b))
        add("matmul", [a, b], {"transpose_a": ta, "transpose_b": tb},
            tf.linalg.matmul(tfc(a), tfc(b), transpose_a=ta, transpose_b=tb), tol,
            "tf.linalg.matmul")
    for dt, sa, sb, axes in [("float32", (2, 3), (3, 4), 1), ("float32", (2, 3, 4), (3, 4, 2), 2),
                             ("float32", (2, 3), (2,), 0),
                             ("float32", (3, 4, 2), (2, 4, 5), [[1, 2], [1, 0]]),
                             ("float64", (2, 3, 4), (4, 5), [[2], [0]]),
                             ("int32", (2, 3), (3, 2), [[0], [1]])]:
        if dt == "int32":
            a, b = ints(rng, sa, -9, 9), ints(rng, sb, -9, 9)
            tol = EXACT
        else:
            a, b = uniform(rng, sa, -2, 2, dt), uniform(rng, sb, -2, 2, dt)
            tol = tol_sum(dt, 12, absmax(a) * absmax(b))
        add("tensordot", [a, b], {"axes": axes}, tf.tensordot(tfc(a), tfc(b), axes), tol,
            "tf.tensordot")


def gen_cast():
    rng = np.random.default_rng(6006)
    for x, dt in [(arr([-2.7, 2.7, -0.5, 0.5, -0.0, 1e9, -2147483520, 7.99999], "float32"),
                   "int32"),
                  (arr([-2.7, 2.7, -1e15, 1e15, 0.999999999], "float64"), "int64"),
                  (arr([-2.7, 2.7, 255.9, 0, 128.5], "float64"), "int32"),
                  (arr([1e-30, 0.1, 1.0000000596046448, 3.4028235e38, 1e39, -1e39, NAN, INF],
                       "float64"), "float32"),
                  (uniform(rng, (2, 3), -10, 10, "float32"), "float64"),
                  (arr([0, -0.0, 0.5, -3, NAN, INF, 1e-30], "float32"), "bool"),
                  (arr([True, False, True], "bool"), "float32"),
                  (arr([[True, False], [False, True]], "bool"), "int32"),
                  (arr([0, 1, 0], "bool"), "uint8"),
                  (arr([16777217, -16777217, 2147483647, 7, -7], "int32"), "float32"),
                  (arr([16777217, 2147483647, -5], "int32"), "float64"),
                  (arr([300, -1, 255, 0, 256], "int32"), "uint8"),
                  (arr([0, 200, 255], "uint8"), "int32"),
                  (arr([2**40 + 5, -(2**33) - 1, 7], "int64"), "int32"),
                  (arr([-3, 0, 2147483647], "int32"), "int64"),
                  (arr([0, 3, -1], "int32"), "bool"),
                  (ints(rng, (2, 2), -100, 100), "float64")]:
        add("cast", [x], {"dtype": dt}, tf.cast(tfc(x), dt), EXACT, "tf.cast",
            dtype_tag=f"{x.dtype.name}_to_{dt}")


def gen_creation():
    for start, limit, delta, dt in [(0, 10, 1, "int32"), (2, 20, 3, "int32"),
                                    (10, 0, -2, "int32"), (5, 5, 1, "int32"),
                                    (-3, 4, 2, "int64"), (0.0, 1.0, 0.3, "float32"),
                                    (-3.0, 3.0, 1.5, "float32"), (1.5, -1.0, -0.25, "float64"),
                                    (0.0, 2.0, 0.1, "float64")]:
        out = tf.range(start, limit, delta, dtype=dt)
        tol = EXACT if dt.startswith("int") else (
            2e-7 if dt == "float32" else 4e-16, 4 * EPS[dt] * max(abs(start), abs(limit)))
        add("range", [], {"start": start, "limit": limit, "delta": delta, "dtype": dt}, out, tol,
            "tf.range")
    for start, stop, num, dt in [(0.0, 1.0, 5, "float32"), (-1.0, 1.0, 7, "float64"),
                                 (3.0, 3.0, 1, "float32"), (5.0, -5.0, 11, "float32"),
                                 (0.1, 0.7, 4, "float64")]:
        out = tf.linspace(tf.constant(start, dt), tf.constant(stop, dt), num)
        tol = (2e-7 if dt == "float32" else 4e-16, 4 * EPS[dt] * max(abs(start), abs(stop)))
        add("linspace", [], {"start": start, "stop": stop, "num": num, "dtype": dt}, out, tol,
            "tf.linspace")
    for rows, cols, dt in [(3, None, "float32"), (2, 4, "float32"), (4, 2, "int32"),
                           (1, None, "float64"), (3, 3, "bool")]:
        add("eye", [], {"num_rows": rows, "num_columns": cols, "dtype": dt},
            tf.eye(rows, cols, dtype=dt), EXACT, "tf.eye")


def gen_large():
    """Inputs above the thread pool's grain (32768 elements), stored as patterns; only
    small outputs are stored."""
    P = Pattern
    big = [  # op, input, attrs
        ("reduce_sum", P((64, 1024), "float32", 40503, 65537, 13, -4.0), {"axis": None}),
        ("reduce_sum", P((64, 1024), "float32", 40503, 65537, 13, -4.0), {"axis": 1}),
        ("reduce_sum", P((64, 1024), "float32", 40503, 65537, 13, -4.0), {"axis": 0}),
        ("reduce_sum", P((40000,), "int32", 7919, 2001, 0, -1000.0), {"axis": 0}),
        ("reduce_mean", P((256, 256), "float32", 7919, 65537, 14, -2.0), {"axis": [0]}),
        ("reduce_mean", P((16, 64, 64), "float64", 7919, 65537, 14, -2.0),
         {"axis": [0, 2], "keepdims": True}),
        ("reduce_max", P((65536,), "float32", 40503, 65537, 13, -4.0), {"axis": 0}),
        ("reduce_min", P((2, 32768), "float32", 40503, 65537, 13, -4.0), {"axis": -1}),
        ("reduce_max", P((128, 512), "int32", 7919, 100003, 0, -50000.0), {"axis": [0]}),
        ("reduce_prod", P((40000,), "float64", 7919, 1025, 16, 0.9921875), {"axis": 0}),
        ("reduce_logsumexp", P((8, 8192), "float32", 40503, 65537, 12, -8.0), {"axis": 1}),
        ("argmax", P((65536,), "float32", 40503, 65537, 13, -4.0), {"axis": 0}),
        ("argmin", P((64, 1024), "float64", 40503, 65537, 13, -4.0), {"axis": 1}),
        ("moments", P((128, 512), "float32", 7919, 65537, 14, -1.0), {"axes": [0]}),
    ]
    fns = {"reduce_sum": tf.math.reduce_sum, "reduce_mean": tf.math.reduce_mean,
           "reduce_max": tf.math.reduce_max, "reduce_min": tf.math.reduce_min,
           "reduce_prod": tf.math.reduce_prod, "reduce_logsumexp": tf.math.reduce_logsumexp}
    def pairwise_tol(dt, a, axis, scale=1.0, square=False):
        """Error bound of a pairwise (tree) summation over the reduced axes:
        2 * eps * ceil(log2 n) * sum|x|, times `scale` (1/n for means)."""
        v = np.abs(a.astype(np.float64))
        if square:
            v = v * v
        n = a.size // max(1, np.sum(v, axis=axis).size)
        levels = math.ceil(math.log2(max(n, 2)))
        bound = 2 * EPS[dt] * levels * float(np.max(np.sum(v, axis=axis))) * scale
        return (2e-6 if dt == "float32" else 1e-14), bound, n, levels

    for op, x, attrs in big:
        a = x.array
        dt = a.dtype.name
        if op in fns:
            attrs = {"axis": attrs["axis"], "keepdims": attrs.get("keepdims", False)}
            out = fns[op](tfc(a), axis=attrs["axis"], keepdims=attrs["keepdims"])
            ax = tuple(attrs["axis"]) if isinstance(attrs["axis"], list) else attrs["axis"]
            if dt == "int32" or op in ("reduce_max", "reduce_min"):
                tol = EXACT
            elif op == "reduce_prod":
                rtol, _, n, levels = pairwise_tol(dt, a, ax)
                tol = (2 * EPS[dt] * n, 1e-300)  # any multiplication order
            elif op == "reduce_logsumexp":
                rtol, _, n, levels = pairwise_tol(dt, a, ax)
                tol = (rtol, 4 * EPS[dt] * levels)
            else:
                rtol, bound, n, _ = pairwise_tol(dt, a, ax)
                tol = (rtol, bound / (n if op == "reduce_mean" else 1))
            tf_op = f"tf.math.{op}"
        elif op in ("argmax", "argmin"):
            out = getattr(tf.math, op)(tfc(a), axis=attrs["axis"])
            tol, tf_op = EXACT, f"tf.math.{op}"
        else:  # moments
            attrs = {"axes": attrs["axes"], "keepdims": False}
            out = list(tf.nn.moments(tfc(a), axes=attrs["axes"]))
            rtol, bound, n, _ = pairwise_tol(dt, a, tuple(attrs["axes"]), square=True)
            tol, tf_op = (rtol, 4 * bound / n), "tf.nn.moments"
        add(op, [x], attrs, out, tol, tf_op)
    for dt, sa, sb in [("float32", (64, 128), (128, 64)), ("float64", (2, 32, 96), (96, 48))]:
        a = P(sa, dt, 7919, 4099, 10, -2.0)
        b = P(sb, dt, 6007, 4099, 10, -2.0)
        out = tf.linalg.matmul(tfc(a.array), tfc(b.array))
        add("matmul", [a, b], {"transpose_a": False, "transpose_b": False}, out,
            tol_sum(dt, sa[-1], 2.0 * 2.0), "tf.linalg.matmul")


def gen_extra():
    """Empty tensors, 64-bit integers beyond 2**53, unsigned/8-bit wrap-around, half
    types and other corners."""
    rng = np.random.default_rng(7007)
    B = 2**53
    # Empty tensors.
    z03 = np.zeros((0, 3), np.float32)
    for op, fn, x, axis, out_tol in [
        ("reduce_max", tf.math.reduce_max, z03, 0, EXACT),
        ("reduce_min", tf.math.reduce_min, np.zeros((0, 2), np.int32), 0, EXACT),
        ("reduce_mean", tf.math.reduce_mean, z03, 0, EXACT),
        ("reduce_logsumexp", tf.math.reduce_logsumexp, np.zeros((2, 0), np.float32), 1, EXACT),
        ("reduce_sum", tf.math.reduce_sum, np.zeros((2, 0), np.float64), None, EXACT),
        ("reduce_any", tf.math.reduce_any, np.zeros((0,), bool), 0, EXACT),
        ("reduce_all", tf.math.reduce_all, np.zeros((0,), bool), 0, EXACT),
    ]:
        add(op, [x], {"axis": axis, "keepdims": False}, fn(tfc(x), axis=axis), out_tol,
            f"tf.math.{op}")
    x = np.zeros((2, 0), np.float32)
    add("exp", [x], {}, tf.math.exp(tfc(x)), EXACT, "tf.math.exp")
    add("add", [z03, arr([1, 2, 3], "float32")], {}, tfc(z03) + tfc(arr([1, 2, 3], "float32")),
        EXACT, "tf.math.add")
    add("cumsum", [z03], {"axis": 1, "exclusive": False, "reverse": False},
        tf.math.cumsum(tfc(z03), axis=1), EXACT, "tf.math.cumsum")
    add("concat", [z03, f := np.ones((2, 3), np.float32)], {"axis": 0},
        tf.concat([tfc(z03), tfc(f)], 0), EXACT, "tf.concat")
    add("reshape", [z03], {"shape": [3, 0]}, tf.reshape(tfc(z03), [3, 0]), EXACT, "tf.reshape")
    add("transpose", [z03], {"perm": None}, tf.transpose(tfc(z03)), EXACT, "tf.transpose")
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    add("tile", [x], {"multiples": [0, 1]}, tf.tile(tfc(x), [0, 1]), EXACT, "tf.tile")
    idx = np.zeros((0,), np.int32)
    add("gather", [x, idx], {"axis": 0, "batch_dims": 0}, tf.gather(tfc(x), tfc(idx)), EXACT,
        "tf.gather")
    x = np.zeros((0, 4), np.float32)
    add("split", [x], {"num_or_size_splits": 2, "axis": 1}, tf.split(tfc(x), 2, 1), EXACT,
        "tf.split")
    x = np.zeros((0, 2), np.float32)
    add("pad", [x], {"paddings": [[1, 1], [0, 0]], "mode": "CONSTANT", "constant_value": 0},
        tf.pad(tfc(x), [[1, 1], [0, 0]]), EXACT, "tf.pad")
    a, b = np.zeros((2, 0), np.float32), np.zeros((0, 3), np.float32)
    add("matmul", [a, b], {"transpose_a": False, "transpose_b": False},
        tf.linalg.matmul(tfc(a), tfc(b)), EXACT, "tf.linalg.matmul")
    a, b = np.zeros((0, 2, 3), np.float32), np.ones((3, 4), np.float32)
    add("matmul", [a, b], {"transpose_a": False, "transpose_b": False},
        tf.linalg.matmul(tfc(a), tfc(b)), EXACT, "tf.linalg.matmul")
    x = np.arange(6, dtype=np.int32)
    add("strided_slice", [x], {"begin": [4], "end": [2], "strides": [1], "begin_mask": 0,
                               "end_mask": 0, "ellipsis_mask": 0, "new_axis_mask": 0,
                               "shrink_axis_mask": 0},
        tf.strided_slice(tfc(x), [4], [2], [1]), EXACT, "tf.strided_slice")
    add("slice", [x], {"begin": [3], "size": [0]}, tf.slice(tfc(x), [3], [0]), EXACT, "tf.slice")
    add("linspace", [], {"start": 1.0, "stop": 2.0, "num": 0, "dtype": "float32"},
        tf.linspace(1.0, 2.0, 0), EXACT, "tf.linspace")
    add("eye", [], {"num_rows": 0, "num_columns": None, "dtype": "float32"}, tf.eye(0), EXACT,
        "tf.eye")
    # Scalars and size-1 axes.
    x = np.float32(-1.25)
    add("transpose", [x], {"perm": None}, tf.transpose(tfc(x)), EXACT, "tf.transpose")
    add("reduce_sum", [x], {"axis": None, "keepdims": True},
        tf.math.reduce_sum(tfc(x), keepdims=True), EXACT, "tf.math.reduce_sum")
    x = uniform(rng, (3, 1), -2, 2, "float32")
    add("softmax", [x], {"axis": 1}, tf.nn.softmax(tfc(x), axis=1), EXACT, "tf.nn.softmax")
    add("cumsum", [x], {"axis": 1, "exclusive": True, "reverse": True},
        tf.math.cumsum(tfc(x), axis=1, exclusive=True, reverse=True), EXACT, "tf.math.cumsum")
    # -inf entries as in masked attention (+inf is left out: TensorFlow's answer for it,
    # [nan, 0, 0], is an artefact of its kernel, not a defined result).
    x = arr([[0, -INF, 1], [-INF, -INF, -INF], [-INF, 0, -INF]], "float32")
    add("softmax", [x], {"axis": -1}, tf.nn.softmax(tfc(x)), (8e-6, 1e-37), "tf.nn.softmax")
    add("log_softmax", [x], {"axis": -1}, tf.nn.log_softmax(tfc(x)), (8e-6, 1e-6),
        "tf.nn.log_softmax")
    # clip_by_value with lo > hi: TensorFlow computes max(min(x, hi), lo), i.e. lo.
    x = arr([1, 5, -3], "float32")
    add("clip_by_value", [x], {"lo": 4.0, "hi": 2.0}, tf.clip_by_value(tfc(x), 4.0, 2.0), EXACT,
        "tf.clip_by_value")
    # More strided_slice masks.
    x4 = np.arange(60, dtype=np.float32).reshape(3, 4, 5)
    for b_, e_, s_, m in [([0, 0, 0], [1, 1, 1], [1, 1, 1], {"begin_mask": 7, "end_mask": 7}),
                          ([-1], [0], [1], {"shrink_axis_mask": 1}),
                          ([0, 0, 0], [1, 0, 0], [1, 1, 1],
                           {"ellipsis_mask": 2, "new_axis_mask": 4, "shrink_axis_mask": 1}),
                          ([0, 3], [0, 0], [1, -2], {"begin_mask": 1, "end_mask": 3})]:
        opts = {k: m.get(k, 0) for k in ("begin_mask", "end_mask", "ellipsis_mask",
                                         "new_axis_mask", "shrink_axis_mask")}
        add("strided_slice", [x4], {"begin": b_, "end": e_, "strides": s_, **opts},
            tf.strided_slice(tfc(x4), b_, e_, s_, **opts), EXACT, "tf.strided_slice")
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    add("expand_dims", [x], {"axis": 3}, tf.expand_dims(tfc(x), 3), EXACT, "tf.expand_dims")
    add("concat", [x], {"axis": 1}, tf.concat([tfc(x)], 1), EXACT, "tf.concat")
    # int64 beyond 2**53 (a double round trip would lose the low bits).
    i64 = lambda v: arr(v, "int64")  # noqa: E731
    for op, fn, a, b in [
        ("add", tf.math.add, i64([B + 1, 2**62, -(2**62)]), i64([1, 2**62 - 1, -5])),
        ("subtract", tf.math.subtract, i64([B + 3, -(2**62)]), i64([1, 2**62])),
        ("multiply", tf.math.multiply, i64([3037000499, -4, 2**40 + 1]),
         i64([3037000499, 2**60 + 3, 2**20])),
        ("floordiv", tf.math.floordiv, i64([B + 1, -(B + 1), 2**62 + 3]), i64([2, 2, -7])),
        ("mod", tf.math.floormod, i64([B + 1, -(B + 1), 2**62 + 3]), i64([2, 2, -7])),
        ("divide", tf.truncatediv, i64([B + 1, -(B + 1), 2**62 + 3]), i64([2, 2, -7])),
        ("maximum", tf.math.maximum, i64([B + 1, -B - 1]), i64([B, -B])),
        ("minimum", tf.math.minimum, i64([B + 1, -B - 1]), i64([B, -B])),
        ("equal", tf.math.equal, i64([B, B + 1]), i64([B + 1, B + 1])),
        ("less", tf.math.less, i64([B, B + 1]), i64([B + 1, B + 1])),
    ]:
        add(op, [a, b], {}, fn(tfc(a), tfc(b)), EXACT, f"tf.math.{op}" if op != "divide"
            else "tf.truncatediv")
    x = i64([B, 1, 1, -(2**62), 2**62])
    add("reduce_sum", [x], {"axis": 0, "keepdims": False}, tf.math.reduce_sum(tfc(x)), EXACT,
        "tf.math.reduce_sum")
    add("cumsum", [x], {"axis": 0, "exclusive": False, "reverse": False},
        tf.math.cumsum(tfc(x)), EXACT, "tf.math.cumsum")
    x = i64([B, B + 1, B, B + 1])
    add("argmax", [x], {"axis": 0}, tf.math.argmax(tfc(x)), EXACT, "tf.math.argmax")
    add("reduce_max", [x], {"axis": 0, "keepdims": False}, tf.math.reduce_max(tfc(x)), EXACT,
        "tf.math.reduce_max")
    x = i64([-(2**62), B + 1, -7])
    for op in ("abs", "negative", "sign"):
        add(op, [x], {}, getattr(tf.math, op)(tfc(x)), EXACT, f"tf.math.{op}")
    x = i64([B + 1, -(B + 3), 2**24 + 1])
    add("cast", [x], {"dtype": "float64"}, tf.cast(tfc(x), "float64"), EXACT, "tf.cast",
        dtype_tag="int64_to_float64")
    add("cast", [x], {"dtype": "float32"}, tf.cast(tfc(x), "float32"), EXACT, "tf.cast",
        dtype_tag="int64_to_float32")
    # uint8 / int8: wrap-around and unsigned comparisons.
    u8 = lambda v: arr(v, "uint8")  # noqa: E731
    for op, fn, a, b in [
        ("add", tf.math.add, u8([200, 255, 1]), u8([100, 1, 2])),
        ("subtract", tf.math.subtract, u8([3, 200, 0]), u8([5, 100, 1])),
        ("multiply", tf.math.multiply, u8([16, 200, 3]), u8([17, 2, 5])),
        ("floordiv", tf.math.floordiv, u8([200, 7, 255]), u8([3, 2, 16])),
        ("mod", tf.math.floormod, u8([200, 7, 255]), u8([3, 2, 16])),
        ("maximum", tf.math.maximum, u8([0, 255, 128]), u8([255, 0, 127])),
        ("greater", tf.math.greater, u8([200, 100, 128]), u8([100, 200, 127])),
        ("maximum", tf.math.maximum, arr([1, -3, -128], "int8"), arr([-1, 2, 127], "int8")),
    ]:
        add(op, [a, b], {}, fn(tfc(a), tfc(b)), EXACT, f"tf.math.{op}")
    x = u8([[200, 3], [100, 255]])
    add("reduce_max", [x], {"axis": 1, "keepdims": False}, tf.math.reduce_max(tfc(x), axis=1),
        EXACT, "tf.math.reduce_max")
    add("reduce_sum", [x], {"axis": 0, "keepdims": False}, tf.math.reduce_sum(tfc(x), axis=0),
        EXACT, "tf.math.reduce_sum")
    x = u8([3, 200, 100])
    add("argmax", [x], {"axis": 0}, tf.math.argmax(tfc(x)), EXACT, "tf.math.argmax")
    add("cast", [x], {"dtype": "float32"}, tf.cast(tfc(x), "float32"), EXACT, "tf.cast",
        dtype_tag="uint8_to_float32")
    x = arr([200, -129, 127, -128], "int32")
    add("cast", [x], {"dtype": "int8"}, tf.cast(tfc(x), "int8"), EXACT, "tf.cast",
        dtype_tag="int32_to_int8")
    x = arr([-128, 127, -1], "int8")
    add("cast", [x], {"dtype": "float32"}, tf.cast(tfc(x), "float32"), EXACT, "tf.cast",
        dtype_tag="int8_to_float32")
    add("cast", [x], {"dtype": "uint8"}, tf.cast(tfc(x), "uint8"), EXACT, "tf.cast",
        dtype_tag="int8_to_uint8")
    # Half types. TensorFlow computes in float32 and rounds; allow one unit in the last place.
    h_tol = {"float16": (2.0**-10, 0.0), "bfloat16": (2.0**-7, 0.0)}
    for dt in ("float16", "bfloat16"):
        npdt = NP_DTYPES[dt]
        a = uniform(rng, (2, 3), -10, 10, "float32").astype(npdt)
        b = uniform(rng, (3,), -10, 10, "float32").astype(npdt)
        for op, fn in [("add", tf.math.add), ("multiply", tf.math.multiply),
                       ("maximum", tf.math.maximum)]:
            add(op, [a, b], {}, fn(tfc(a), tfc(b)), h_tol[dt] if op != "maximum" else EXACT,
                f"tf.math.{op}")
        x = arr([0, 1, -1, 0.5, 5, -5, INF, -INF, NAN], "float32").astype(npdt)
        for op in ("exp", "tanh", "sqrt"):
            add(op, [x], {}, getattr(tf.math, op)(tfc(x)), h_tol[dt], f"tf.math.{op}")
        x = uniform(rng, (4, 8), -2, 2, "float32").astype(npdt)
        add("reduce_sum", [x], {"axis": 1, "keepdims": False},
            tf.math.reduce_sum(tfc(x), axis=1), (2 * h_tol[dt][0], 8 * EPS[dt] * 2),
            "tf.math.reduce_sum")
        add("cast", [x], {"dtype": "float32"}, tf.cast(tfc(x), "float32"), EXACT, "tf.cast",
            dtype_tag=f"{dt}_to_float32")
    x = arr([1 / 3, 1 + 2.0**-11, 1 + 3 * 2.0**-11, 65504, 65520, 70000, -70000, 0.1, NAN, INF,
             2.5, -7.0], "float32")
    add("cast", [x], {"dtype": "float16"}, tf.cast(tfc(x), "float16"), EXACT, "tf.cast",
        dtype_tag="float32_to_float16")
    x = arr([1 / 3, 1.00390625, 1.01171875, 3.4e38, -3.4e38, 0.1, NAN, INF, 2.5, -7.0, 1e-30],
            "float32")
    add("cast", [x], {"dtype": "bfloat16"}, tf.cast(tfc(x), "bfloat16"), EXACT, "tf.cast",
        dtype_tag="float32_to_bfloat16")
    x = arr([2.0**-20, 1 + 2.0**-11, 65519, -0.1, 1e300, NAN], "float64")
    add("cast", [x], {"dtype": "float16"}, tf.cast(tfc(x), "float16"), EXACT, "tf.cast",
        dtype_tag="float64_to_float16")
    # bool comparisons
    a, b = arr([True, False, True, False], "bool"), arr([True, True, False, False], "bool")
    for op in ("equal", "not_equal"):
        add(op, [a, b], {}, getattr(tf.math, op)(tfc(a), tfc(b)), EXACT, f"tf.math.{op}")


def main():
    gen_unary()
    gen_binary()
    gen_reductions()
    gen_shape_ops()
    gen_linalg()
    gen_cast()
    gen_creation()
    gen_large()
    gen_extra()
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names)), "duplicate case names"
    meta = {
        "generator": "tests/tools/gen_tf_reference.py",
        "tensorflow_version": tf.__version__,
        "numpy_version": np.__version__,
        "python_version": sys.version.split()[0],
        "num_cases": len(cases),
        "comparison": "float: |got-want| <= atol + rtol*|want|, NaN==NaN, infinities equal; "
                      "integer/bool: exact; shapes and dtypes must match",
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
