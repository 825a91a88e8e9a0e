#!/usr/bin/env python3
"""Generates tests/data/keras_conv_layers.json: Keras reference data for nabla's
convolution and pooling layers (src/nn/layers: Conv1D, Conv2D, DepthwiseConv2D,
SeparableConv2D, Conv2DTranspose, Max/AveragePooling1D/2D, Global*Pooling1D/2D).

How to regenerate (Keras/TensorFlow are needed only here; the C++ test reads the JSON):

    python3 -m venv venv && venv/bin/pip install tensorflow-cpu keras numpy
    venv/bin/python tests/tools/gen_keras_conv_layers.py

Every draw uses a fixed seed, so rerunning gives the same file for the same Keras and
TensorFlow versions. Read by tests/unit/test_conv_layers.cpp.

Output layout:

    {"metadata": {...versions...}, "scale": 64,
     "cases": [CASE, ...]}

    CASE = {"name": "conv2d_same_stride2", "class_name": "Conv2D",
            "config": keras layer.get_config() (tuples as lists),
            "input_shape": [2, 6, 5, 3],            (batch included)
            "x": [ints], "weights": [{"name": "kernel", "shape": [...], "values": [ints]}, ...],
            "r": [ints],
            "output_shape": [...],                   (batch included)
            "keras_output_shape": [null, ...],       (layer.compute_output_shape, batch None)
            "params": layer.count_params(),
            "y": [floats], "grad_x": [floats], "grad_weights": [[floats], ...]}

    x, the weights and r hold integers k meaning k / scale (exact in float32; x are
    distinct so max pooling has no ties). y = layer(x) with the given weights (in Keras's
    weight order), and grad_* = d sum(y * r) / d(x, weights) from tf.GradientTape.
    Floats are float32 values written with the shortest decimal that reads back as the
    same float32.
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "data", "keras_conv_layers.json"))
SCALE = 64

L = keras.layers
IMG = (2, 6, 5, 3)      # batch, height, width, channels (channels_last)
IMG_CF = (2, 3, 6, 5)   # channels_first
SMALL = (2, 4, 3, 3)    # for the transposed convolutions (their outputs are larger)
SMALL_CF = (2, 3, 4, 3)
SEQ = (2, 9, 3)         # batch, steps, channels
SEQ_CF = (2, 3, 9)

# (name, layer constructor, input shape)
CASES = [
    # Conv2D
    ("conv2d_valid", lambda: L.Conv2D(4, 3), IMG),
    ("conv2d_same_stride2_tanh", lambda: L.Conv2D(4, (3, 2), strides=2, padding="same", activation="tanh"), IMG),
    ("conv2d_dilation_same_nobias", lambda: L.Conv2D(2, 3, dilation_rate=(2, 1), padding="same", use_bias=False), IMG),
    ("conv2d_groups", lambda: L.Conv2D(6, 2, groups=3, strides=(1, 2)), IMG),
    ("conv2d_channels_first_same_stride2",
     lambda: L.Conv2D(4, 3, data_format="channels_first", padding="same", strides=2), IMG_CF),
    ("conv2d_even_kernel_same", lambda: L.Conv2D(3, (2, 4), padding="same", strides=(2, 3)), IMG),
    # Conv1D
    ("conv1d_valid_stride2", lambda: L.Conv1D(4, 3, strides=2), SEQ),
    ("conv1d_causal_dilated", lambda: L.Conv1D(2, 3, padding="causal", dilation_rate=2), SEQ),
    ("conv1d_same_groups_channels_first",
     lambda: L.Conv1D(6, 2, padding="same", groups=3, data_format="channels_first"), SEQ_CF),
    # DepthwiseConv2D
    ("depthwise_valid", lambda: L.DepthwiseConv2D(3), IMG),
    ("depthwise_mult2_same_stride2", lambda: L.DepthwiseConv2D((3, 2), strides=2, padding="same", depth_multiplier=2),
     IMG),
    ("depthwise_stride_and_dilation", lambda: L.DepthwiseConv2D(2, strides=2, dilation_rate=2, padding="same"), IMG),
    ("depthwise_channels_first_nobias",
     lambda: L.DepthwiseConv2D(3, data_format="channels_first", depth_multiplier=2, use_bias=False, padding="same"),
     IMG_CF),
    # SeparableConv2D
    ("separable_valid", lambda: L.SeparableConv2D(4, 3), IMG),
    ("separable_mult2_same_stride2_tanh",
     lambda: L.SeparableConv2D(5, (2, 3), strides=2, padding="same", depth_multiplier=2, activation="tanh"), IMG),
    ("separable_channels_first_dilation_nobias",
     lambda: L.SeparableConv2D(2, 2, dilation_rate=2, data_format="channels_first", use_bias=False), IMG_CF),
    # Conv2DTranspose
    ("conv2d_transpose_valid", lambda: L.Conv2DTranspose(4, 3), SMALL),
    ("conv2d_transpose_same_stride2", lambda: L.Conv2DTranspose(2, (3, 2), strides=2, padding="same"), SMALL),
    ("conv2d_transpose_stride_above_kernel", lambda: L.Conv2DTranspose(3, 2, strides=3), SMALL),
    ("conv2d_transpose_output_padding_valid", lambda: L.Conv2DTranspose(2, 3, strides=2, output_padding=1), SMALL),
    ("conv2d_transpose_output_padding_same",
     lambda: L.Conv2DTranspose(2, 3, strides=(2, 3), output_padding=(1, 2), padding="same"), SMALL),
    ("conv2d_transpose_channels_first_dilation_nobias",
     lambda: L.Conv2DTranspose(2, 2, dilation_rate=2, data_format="channels_first", use_bias=False), SMALL_CF),
    # Pooling
    ("max_pooling2d_default", lambda: L.MaxPooling2D(), IMG),
    ("max_pooling2d_same_stride1", lambda: L.MaxPooling2D((3, 2), strides=1, padding="same"), IMG),
    ("max_pooling2d_channels_first", lambda: L.MaxPooling2D(2, strides=(1, 2), data_format="channels_first"), IMG_CF),
    ("average_pooling2d_valid", lambda: L.AveragePooling2D((2, 3), strides=(2, 1)), IMG),
    ("average_pooling2d_same_stride2", lambda: L.AveragePooling2D(3, strides=2, padding="same"), IMG),
    ("max_pooling1d_same", lambda: L.MaxPooling1D(3, strides=2, padding="same"), SEQ),
    ("average_pooling1d_channels_first", lambda: L.AveragePooling1D(2, data_format="channels_first"), SEQ_CF),
    ("average_pooling1d_same", lambda: L.AveragePooling1D(4, strides=3, padding="same"), SEQ),
    # Global pooling
    ("global_average_pooling2d", lambda: L.GlobalAveragePooling2D(), IMG),
    ("global_max_pooling2d_keepdims", lambda: L.GlobalMaxPooling2D(keepdims=True), IMG),
    ("global_average_pooling2d_channels_first", lambda: L.GlobalAveragePooling2D(data_format="channels_first"), IMG_CF),
    ("global_max_pooling2d_channels_first", lambda: L.GlobalMaxPooling2D(data_format="channels_first"), IMG_CF),
    ("global_average_pooling1d_channels_first_keepdims",
     lambda: L.GlobalAveragePooling1D(data_format="channels_first", keepdims=True), SEQ_CF),
    ("global_max_pooling1d", lambda: L.GlobalMaxPooling1D(), SEQ),
]


def f32(v):
    return float(str(np.float32(v)))


def floats(a):
    return [f32(v) for v in np.asarray(a, dtype=np.float32).ravel()]


def plain(obj):
    """Tuples as lists, recursively (JSON)."""
    if isinstance(obj, dict):
        return {k: plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [plain(v) for v in obj]
    return obj


def make_case(rng, name, ctor, shape):
    layer = ctor()
    n = int(np.prod(shape))
    # Distinct integers (no ties for max pooling), k / SCALE in [-2, 2).
    xi = rng.permutation(np.arange(-2 * SCALE, 2 * SCALE))[:n].reshape(shape)
    x = tf.constant(xi.astype(np.float32) / SCALE)
    layer.build(shape)
    weights = []
    for w in layer.weights:
        wi = rng.integers(-SCALE, SCALE + 1, size=tuple(w.shape))
        weights.append({"name": w.name.split("/")[-1], "shape": list(w.shape), "ints": wi})
    layer.set_weights([w["ints"].astype(np.float32) / SCALE for w in weights])
    y = layer(x)
    ri = rng.integers(-SCALE, SCALE + 1, size=tuple(y.shape))
    r = tf.constant(ri.astype(np.float32) / SCALE)
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_sum(layer(x) * r)
    grads = tape.gradient(loss, [x] + list(layer.trainable_weights))
    keras_out = layer.compute_output_shape((None,) + tuple(shape[1:]))
    return {
        "name": name,
        "class_name": type(layer).__name__,
        "config": plain(layer.get_config()),
        "input_shape": list(shape),
        "x": [int(v) for v in xi.ravel()],
        "weights": [{"name": w["name"], "shape": w["shape"], "values": [int(v) for v in w["ints"].ravel()]}
                    for w in weights],
        "r": [int(v) for v in ri.ravel()],
        "output_shape": list(y.shape),
        "keras_output_shape": list(keras_out),
        "params": int(layer.count_params()),
        "y": floats(y),
        "grad_x": floats(grads[0]),
        "grad_weights": [floats(g) for g in grads[1:]],
    }


def main():
    rng = np.random.default_rng(20240611)
    cases = [make_case(rng, *c) for c in CASES]
    root = {
        "metadata": {
            "generator": "tests/tools/gen_keras_conv_layers.py",
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
            "numpy": np.__version__,
        },
        "scale": SCALE,
        "cases": cases,
    }
    with open(OUT, "w") as f:
        json.dump(root, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT}: {len(cases)} cases, {os.path.getsize(OUT)} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
