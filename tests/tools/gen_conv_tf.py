#!/usr/bin/env python3
"""Generates tests/data/tf_conv.json: TensorFlow reference values for nabla's convolution,
pooling and batch-normalisation ops (include/nabla/ops/conv.h, pooling.h, normalization.h).

How to regenerate (TensorFlow is needed only here; the C++ tests read the committed JSON):

    python3 -m venv venv && venv/bin/pip install tensorflow-cpu numpy
    venv/bin/python tests/tools/gen_conv_tf.py

The layout is the one of tests/data/torch_conv.json (see tests/tools/gen_conv_torch.py);
read by tests/conformance/test_conv_reference.cpp. Every case here is "channels_last"
(TensorFlow's NWC / NHWC / NDHWC and nabla's default); the test also runs it in
"channels_first" by transposing input 0, output 0 and their weights/gradients. Filters are
TensorFlow's own layouts, which nabla shares: conv (k..., in / groups, out),
conv2d_transpose (kh, kw, out, in), depthwise (kh, kw, C, multiplier). The attrs are nabla's
option names: strides / dilations one per spatial dimension, padding "same" / "valid" /
"explicit" (+ explicit_paddings, (before, after) per spatial dimension), output_shape for
conv_transpose, pool_size for pooling, epsilon / training for fused_batch_norm,
variance_epsilon for batch_normalization (whose optional offset / scale inputs may be null).

Gradients are tf.GradientTape's of loss = sum_k reduce_sum(outputs[k] * weights[k]). Where
TensorFlow's CPU kernels have no gradient (grouped convolutions, dilation > 1 in
Conv2DBackpropInput), the gradient is taken through an equivalent formulation built from
TensorFlow ops -- a split / concat over the groups, a zero-dilated kernel -- whose forward
value is first asserted equal to the documented TensorFlow call's. Two TensorFlow
behaviours differ from nabla's contract and are converted:
  * tf.compat.v1.nn.fused_batch_norm(is_training=True) returns the Bessel-corrected
    variance (n / (n - 1) times the batch variance) and propagates no gradient through its
    batch_mean / batch_variance outputs: the case records the biased variance (TF's times
    (n - 1) / n) and gives those two outputs zero loss weights. In inference mode it gives
    no gradient with respect to mean and variance: those are not differentiated (null).
    gen_conv_torch.py's cases check both.
  * fused_batch_norm has no float64 kernel, and max_pool3d / avg_pool3d none either: those
    cases are float32 (and compared with float32 tolerances whatever nabla's dtype).
Everything else is float64. Inputs, filters and loss weights are small multiples of 1/8 or
1/16 (fixed seeds), so conv / pool results are exact and print short; max-pool inputs hold
distinct values (no ties).
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "data", "tf_conv.json"))

rng = np.random.default_rng(20240612)
cases = []


# ----------------------------------------------------------------------------- encoding

def enc_tensor(a):
    if a is None:
        return None
    a = np.asarray(a)
    dtype = a.dtype.name
    vals = []
    for v in a.reshape(-1):
        if dtype == "float32":
            short = float(str(np.float32(v)))  # shortest decimal for the float32
            vals.append(short if np.float32(short) == np.float32(v) else float(v))
        else:
            vals.append(float(v))
    return {"dtype": dtype, "shape": list(a.shape), "values": vals}


# ----------------------------------------------------------------------------- values

def dyadic(*shape, lim=12, den=8, dtype=np.float64):
    return (rng.integers(-lim, lim + 1, size=shape) / den).astype(dtype)


def distinct(*shape, den=16, dtype=np.float64):
    n = int(np.prod(shape))
    return ((rng.permutation(n) - n // 2) / den).reshape(shape).astype(dtype)


# ----------------------------------------------------------------------------- one case

def add(name, op, fn, inputs, attrs, sources, grad_fn=None, weights=None, convert=None):
    """Records one case. fn(*tf_inputs) returns a tensor or a list of tensors (the
    documented TensorFlow call); grad_fn, when given, is an equivalent formulation that the
    gradient is taken through (its value must equal fn's). convert(outputs) may rewrite
    the outputs (inside the tape) into nabla's contract."""
    assert all(c["name"] != name for c in cases), f"duplicate case name {name}"
    tensors = [None if x is None else tf.constant(x) for x in inputs]
    outs = fn(*tensors)
    outs = list(outs) if isinstance(outs, (list, tuple)) else [outs]
    with tf.GradientTape(persistent=True) as tape:
        for i in sources:
            tape.watch(tensors[i])
        gouts = (grad_fn or fn)(*tensors)
        gouts = list(gouts) if isinstance(gouts, (list, tuple)) else [gouts]
        if convert is not None:
            gouts = convert(gouts)
        if weights is None:
            weights = [dyadic(*o.shape, lim=8, dtype=o.dtype.as_numpy_dtype) for o in gouts]
        loss = tf.add_n([tf.reduce_sum(o * tf.constant(w)) for o, w in zip(gouts, weights)])
    if convert is not None:
        outs = convert(outs)
    for a, b in zip(outs, gouts):
        assert a.shape == b.shape, (name, a.shape, b.shape)
        rtol = 1e-6 if a.dtype == tf.float32 else 1e-13
        assert np.allclose(a.numpy(), b.numpy(), rtol=rtol, atol=rtol), name
    grads = [None] * len(inputs)
    for i in sources:
        g = tape.gradient(loss, tensors[i])
        assert g is not None, (name, i)
        grads[i] = g.numpy()
    cases.append({"name": name, "op": op, "layout": "channels_last", "attrs": attrs,
                  "inputs": [enc_tensor(x) for x in inputs],
                  "outputs": [enc_tensor(o.numpy()) for o in outs],
                  "weights": [enc_tensor(w) for w in weights],
                  "grads": [enc_tensor(g) for g in grads]})


def lst(v, n):
    return list(v) if isinstance(v, (list, tuple)) else [v] * n


def nabla_padding(padding, n):
    """TF padding ("SAME" / "VALID" / [[0,0],[b,a],...,[0,0]]) -> nabla attrs."""
    if isinstance(padding, str):
        return {"padding": padding.lower()}
    pads = []
    for b, a in padding[1:1 + n]:
        pads += [b, a]
    return {"padding": "explicit", "explicit_paddings": pads}


def dilate_kernel(w, d):
    """Inserts d-1 zeros between the taps of w (k..., in, out): a dilation-1 conv with the
    result equals a conv with w and dilations d. Built from TF ops (differentiable)."""
    n = len(d)
    for axis in range(n):
        if d[axis] == 1:
            continue
        k = w.shape[axis]
        w = tf.expand_dims(w, axis + 1)
        pad = [[0, 0]] * (len(w.shape))
        pad[axis + 1] = [0, d[axis] - 1]
        w = tf.pad(w, pad)
        shape = list(w.shape)
        w = tf.reshape(w, shape[:axis] + [k * d[axis]] + shape[axis + 2:])
        w = w[(slice(None),) * axis + (slice(0, (k - 1) * d[axis] + 1),)]
    return w


def plain_conv(x, w, strides, padding, dilations, groups):
    """The same conv from TF ops that all have CPU gradients: the kernel dilated with zeros,
    the groups split and concatenated. Note: TF's SAME padding depends on the effective
    kernel size only, which dilation with zeros keeps."""
    n = len(x.shape) - 2
    w = dilate_kernel(w, dilations)
    xs = tf.split(x, groups, axis=-1) if groups > 1 else [x]
    ws = tf.split(w, groups, axis=-1) if groups > 1 else [w]
    outs = [tf.nn.convolution(xi, wi, strides=strides, padding=padding) if isinstance(padding, str)
            else tf.nn.conv2d(xi, wi, strides, padding) if n == 2
            else None for xi, wi in zip(xs, ws)]
    assert all(o is not None for o in outs)
    return tf.concat(outs, axis=-1) if groups > 1 else outs[0]


def add_conv(name, fn_name, x_shape, w_shape, strides=1, padding="VALID", dilations=1):
    n = len(x_shape) - 2
    s, d = lst(strides, n), lst(dilations, n)
    groups = x_shape[-1] // w_shape[-2]
    x, w = dyadic(*x_shape), dyadic(*w_shape)
    if fn_name == "conv1d":
        fn = lambda x, w: tf.nn.conv1d(x, w, s, padding, dilations=d)  # noqa: E731
        op = "conv1d"
    elif fn_name == "conv2d":
        fn = lambda x, w: tf.nn.conv2d(x, w, s, padding, dilations=d)  # noqa: E731
        op = "conv2d"
    elif fn_name == "conv3d":
        fn = lambda x, w: tf.nn.conv3d(x, w, [1] + s + [1], padding, dilations=[1] + d + [1])  # noqa: E731
        op = "conv"
    else:  # tf.nn.convolution
        fn = lambda x, w: tf.nn.convolution(x, w, s, padding, dilations=d)  # noqa: E731
        op = "conv"
    grad_fn = None
    if groups > 1 or any(v > 1 for v in d):
        grad_fn = lambda x, w: plain_conv(x, w, s, padding, d, groups)  # noqa: E731
    attrs = {"strides": s, "dilations": d}
    attrs.update(nabla_padding(padding, n))
    add(name, op, fn, [x, w], attrs, [0, 1], grad_fn=grad_fn)


def add_conv_transpose(name, x_shape, w_shape, output_shape, strides, padding):
    n = len(x_shape) - 2
    s = lst(strides, n)
    x, w = dyadic(*x_shape), dyadic(*w_shape)
    if n == 1:
        fn = lambda x, w: tf.nn.conv1d_transpose(x, w, output_shape, s, padding)  # noqa: E731
    else:
        fn = lambda x, w: tf.nn.conv2d_transpose(x, w, output_shape, s, padding)  # noqa: E731
    attrs = {"strides": s, "dilations": [1] * n, "output_shape": list(output_shape)}
    attrs.update(nabla_padding(padding, n))
    add(name, "conv_transpose", fn, [x, w], attrs, [0, 1])


def add_depthwise(name, x_shape, w_shape, strides, padding, dilations=1):
    s, d = lst(strides, 2), lst(dilations, 2)
    x, w = dyadic(*x_shape), dyadic(*w_shape)
    fn = lambda x, w: tf.nn.depthwise_conv2d(x, w, [1] + s + [1], padding, dilations=d)  # noqa: E731
    attrs = {"strides": s, "dilations": d}
    attrs.update(nabla_padding(padding, 2))
    add(name, "depthwise_conv2d", fn, [x, w], attrs, [0, 1])


def add_pool(name, kind, x_shape, ksize, strides, padding, dtype=np.float64):
    n = len(x_shape) - 2
    x = distinct(*x_shape, dtype=dtype) if kind == "max" else dyadic(*x_shape, dtype=dtype)
    tf_fn = {("max", 1): tf.nn.max_pool1d, ("max", 2): tf.nn.max_pool2d, ("max", 3): tf.nn.max_pool3d,
             ("avg", 1): tf.nn.avg_pool1d, ("avg", 2): tf.nn.avg_pool2d, ("avg", 3): tf.nn.avg_pool3d}[(kind, n)]
    fn = lambda x: tf_fn(x, ksize, strides, padding)  # noqa: E731
    attrs = {"pool_size": lst(ksize, n), "strides": lst(strides, n), "padding": padding.lower()}
    add(name, kind + "_pool", fn, [x], attrs, [0])


def add_batch_normalization(name, x_shape, stat_shape, eps, with_offset=True, with_scale=True):
    x = dyadic(*x_shape, lim=16)
    mean = dyadic(*stat_shape)
    var = rng.integers(2, 17, size=stat_shape) / 8.0
    offset = dyadic(*stat_shape) if with_offset else None
    scale = dyadic(*stat_shape) + 1.75 if with_scale else None
    fn = lambda x, m, v, o, s: tf.nn.batch_normalization(x, m, v, o, s, eps)  # noqa: E731
    sources = [0, 1, 2] + ([3] if with_offset else []) + ([4] if with_scale else [])
    add(name, "batch_normalization", fn, [x, mean, var, offset, scale], {"variance_epsilon": eps}, sources)


def add_fused_batch_norm(name, x_shape, training, eps):
    c = x_shape[-1]
    n = int(np.prod(x_shape[:-1]))
    f32 = np.float32
    x = dyadic(*x_shape, lim=16, dtype=f32)
    scale = (dyadic(c) + 1.75).astype(f32)
    offset = dyadic(c, dtype=f32)
    mean = dyadic(c, dtype=f32)
    var = (rng.integers(2, 17, size=c) / 8.0).astype(f32)

    def fn(x, scale, offset, mean, var):
        if training:
            return tf.compat.v1.nn.fused_batch_norm(x, scale, offset, epsilon=eps, is_training=True)
        return tf.compat.v1.nn.fused_batch_norm(x, scale, offset, mean, var, epsilon=eps, is_training=False)

    def convert(outs):
        y, m, v = outs
        return [y, m, v * ((n - 1) / n)] if training else [y, m, v]

    # Check TensorFlow's values against the formula nabla documents (float64 numpy).
    y, m, v = convert(list(fn(*(tf.constant(a) for a in (x, scale, offset, mean, var)))))
    x64 = x.astype(np.float64)
    bm = x64.mean(axis=tuple(range(len(x_shape) - 1))) if training else mean
    bv = x64.var(axis=tuple(range(len(x_shape) - 1))) if training else var
    want = (x64 - bm) / np.sqrt(bv + eps) * scale + offset
    assert np.allclose(y.numpy(), want, rtol=1e-5, atol=1e-5), name
    assert np.allclose(m.numpy(), bm, rtol=1e-6, atol=1e-6) and np.allclose(v.numpy(), bv, rtol=1e-5), name
    weights = [dyadic(*x_shape, lim=8, dtype=f32), np.zeros(c, f32), np.zeros(c, f32)] if training else None
    add(name, "fused_batch_norm", fn, [x, scale, offset, mean, var], {"epsilon": eps, "training": training},
        [0, 1, 2], weights=weights, convert=convert)


# ----------------------------------------------------------------------------- cases

def gen():
    # conv2d: SAME with strides 2 and 3 on odd and even sizes (asymmetric padding).
    add_conv("conv2d_same_stride2_odd", "conv2d", (2, 7, 7, 3), (3, 3, 3, 2), 2, "SAME")
    add_conv("conv2d_same_stride2_even", "conv2d", (2, 8, 6, 2), (3, 3, 2, 3), 2, "SAME")
    add_conv("conv2d_same_stride3_kernel4x2", "conv2d", (2, 9, 7, 2), (4, 2, 2, 3), 3, "SAME")
    add_conv("conv2d_same_stride2x3_even_kernel", "conv2d", (2, 6, 8, 2), (2, 4, 2, 2), (2, 3), "SAME")
    add_conv("conv2d_valid_stride3", "conv2d", (2, 9, 8, 2), (2, 2, 2, 3), 3, "VALID")
    add_conv("conv2d_valid_stride2_odd", "conv2d", (2, 7, 6, 3), (3, 2, 3, 2), 2, "VALID")
    add_conv("conv2d_same_even_kernel_stride1", "conv2d", (2, 5, 6, 2), (2, 4, 2, 3), 1, "SAME")
    add_conv("conv2d_same_dilation2", "conv2d", (2, 7, 6, 2), (3, 3, 2, 2), 1, "SAME", 2)
    add_conv("conv2d_valid_dilation2x3", "conv2d", (2, 8, 9, 2), (2, 3, 2, 3), 1, "VALID", (2, 3))
    add_conv("conv2d_same_stride2_dilation2", "conv2d", (2, 8, 7, 2), (3, 2, 2, 2), 2, "SAME", 2)
    add_conv("conv2d_groups2_same_stride2", "conv2d", (2, 7, 6, 4), (3, 3, 2, 4), 2, "SAME")
    add_conv("conv2d_groups3_valid", "conv2d", (2, 6, 5, 6), (2, 2, 2, 6), 1, "VALID")
    add_conv("conv2d_groups2_dilation2_same", "conv2d", (2, 6, 6, 4), (2, 2, 2, 2), 1, "SAME", 2)
    add_conv("conv2d_explicit_padding", "conv2d", (2, 5, 5, 2), (3, 3, 2, 3), 1,
             [[0, 0], [1, 2], [2, 0], [0, 0]])
    add_conv("conv2d_explicit_padding_stride2", "conv2d", (2, 6, 5, 2), (3, 2, 2, 2), 2,
             [[0, 0], [0, 1], [1, 1], [0, 0]])
    # conv1d
    add_conv("conv1d_same_stride2_odd", "conv1d", (2, 9, 3), (4, 3, 2), 2, "SAME")
    add_conv("conv1d_same_stride3_even", "conv1d", (2, 8, 2), (3, 2, 3), 3, "SAME")
    add_conv("conv1d_valid_dilation2", "conv1d", (2, 9, 2), (2, 2, 3), 1, "VALID", 2)
    add_conv("conv1d_groups2_same", "conv1d", (2, 7, 4), (3, 2, 2), 1, "SAME")
    # tf.nn.convolution (rank from the input) and conv3d
    add_conv("convolution_2d_valid_dilation2", "convolution", (2, 7, 7, 2), (2, 2, 2, 3), 1, "VALID", 2)
    add_conv("convolution_1d_same_stride2", "convolution", (2, 8, 3), (3, 3, 2), 2, "SAME")
    add_conv("conv3d_same_stride2", "conv3d", (2, 5, 4, 3, 2), (2, 3, 2, 2, 3), 2, "SAME")
    add_conv("conv3d_valid", "conv3d", (2, 4, 3, 4, 2), (2, 2, 3, 2, 2), 1, "VALID")
    # conv2d_transpose / conv1d_transpose
    add_conv_transpose("conv2d_transpose_same_stride2_odd", (2, 4, 4, 3), (3, 3, 2, 3), [2, 7, 7, 2], 2, "SAME")
    add_conv_transpose("conv2d_transpose_same_stride2_even", (2, 4, 3, 3), (3, 3, 2, 3), [2, 8, 6, 2], 2, "SAME")
    add_conv_transpose("conv2d_transpose_valid_stride2", (2, 3, 3, 2), (3, 3, 3, 2), [2, 7, 8, 3], 2, "VALID")
    add_conv_transpose("conv2d_transpose_same_stride3_kernel2x3", (2, 3, 3, 3), (2, 3, 2, 3), [2, 9, 7, 2], 3,
                       "SAME")
    add_conv_transpose("conv2d_transpose_valid_stride1", (2, 4, 3, 2), (2, 3, 3, 2), [2, 5, 5, 3], 1, "VALID")
    add_conv_transpose("conv1d_transpose_same_stride2", (2, 5, 3), (3, 2, 3), [2, 9, 2], 2, "SAME")
    # depthwise_conv2d
    add_depthwise("depthwise_same_stride2_mult2", (2, 7, 7, 3), (3, 3, 3, 2), 2, "SAME")
    add_depthwise("depthwise_valid_dilation2_mult1", (2, 7, 6, 3), (3, 2, 3, 1), 1, "VALID", 2)
    add_depthwise("depthwise_same_stride3_even", (2, 8, 8, 2), (2, 2, 2, 3), 3, "SAME")
    # pooling
    add_pool("max_pool2d_same_k3_s2_even", "max", (2, 8, 8, 2), 3, 2, "SAME")
    add_pool("max_pool2d_valid_k2_s2_odd", "max", (2, 7, 7, 3), 2, 2, "VALID")
    add_pool("max_pool2d_same_k2x3_s3x2", "max", (2, 7, 8, 2), (2, 3), (3, 2), "SAME")
    add_pool("max_pool2d_same_k3_s1", "max", (2, 5, 6, 2), 3, 1, "SAME")
    add_pool("avg_pool2d_same_k3_s2_even", "avg", (2, 8, 8, 2), 3, 2, "SAME")
    add_pool("avg_pool2d_same_k3_s1", "avg", (2, 5, 6, 2), 3, 1, "SAME")
    add_pool("avg_pool2d_valid_k2x3_s2x1", "avg", (2, 7, 6, 2), (2, 3), (2, 1), "VALID")
    add_pool("avg_pool2d_same_k2_s3", "avg", (2, 7, 8, 3), 2, 3, "SAME")
    add_pool("max_pool1d_same_k3_s2", "max", (2, 8, 3), 3, 2, "SAME")
    add_pool("max_pool1d_valid_k2_s2_odd", "max", (2, 9, 3), 2, 2, "VALID")
    add_pool("avg_pool1d_same_k4_s3", "avg", (2, 9, 3), 4, 3, "SAME")
    add_pool("avg_pool1d_valid_k3_s1", "avg", (2, 7, 2), 3, 1, "VALID")
    add_pool("max_pool3d_same_float32", "max", (2, 3, 5, 4, 2), 2, 2, "SAME", np.float32)
    add_pool("avg_pool3d_same_float32", "avg", (2, 3, 5, 4, 2), 2, 2, "SAME", np.float32)
    # batch normalisation
    add_batch_normalization("batch_normalization_4d", (2, 4, 4, 3), (3,), 1e-3)
    add_batch_normalization("batch_normalization_keepdims_stats", (2, 3, 3, 2), (1, 1, 1, 2), 1e-5)
    add_batch_normalization("batch_normalization_2d_no_offset_scale", (5, 4), (4,), 1e-3, False, False)
    add_fused_batch_norm("fused_batch_norm_training", (2, 4, 4, 3), True, 1e-3)
    add_fused_batch_norm("fused_batch_norm_training_eps1e-5", (3, 2, 5, 2), True, 1e-5)
    add_fused_batch_norm("fused_batch_norm_inference", (2, 3, 3, 4), False, 1e-3)


def main():
    gen()
    root = {"metadata": {"generator": "tests/tools/gen_conv_tf.py", "tensorflow_version": tf.__version__,
                         "numpy_version": np.__version__, "python_version": sys.version.split()[0],
                         "num_cases": len(cases)},
            "cases": cases}
    with open(OUT, "w") as f:
        json.dump(root, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(cases)} cases, {os.path.getsize(OUT)} bytes to {OUT}")


if __name__ == "__main__":
    main()
