#!/usr/bin/env python3
"""Generates tests/data/keras_norm_layers.json: Keras reference data for nabla's
normalisation, reshaping and image-augmentation layers (src/nn/layers/):
BatchNormalization, LayerNormalization, ZeroPadding2D, Cropping2D, UpSampling2D,
RandomTranslation and RandomZoom (the random layers with factors whose lower and upper
bounds are equal, so the transform is deterministic).

How to regenerate (Keras/TensorFlow are needed only here; the C++ test reads the JSON):

    python3 -m venv venv && venv/bin/pip install tensorflow-cpu keras numpy
    venv/bin/python tests/tools/gen_keras_norm_layers.py

Inputs come from a fixed-seed NumPy generator, so rerunning gives the same file for the
same Keras and TensorFlow versions. Read by tests/unit/test_norm_layers.cpp.

Layout (every tensor is {"shape": [...], "values": [...]} in row-major order, float32):

    {"metadata": {...versions...},
     "batch_norm": [BN, ...], "layer_norm": [LN, ...], "shape_layers": [SL, ...],
     "image_transforms": [SL, ...]}

    BN = {"name", "config": keras get_config(),
          "weights": {"gamma", "beta", "moving_mean", "moving_variance"} (before the calls;
                     gamma/beta absent when scale/center are false),
          "train_grad": {"x", "r", "y", "dx", "dgamma", "dbeta"},
              y = layer(x, training=True), d sum(y * r) / d(x, gamma, beta) (tf.GradientTape)
              (this call updates the moving statistics),
          "train_steps": [{"x", "y"}, ...]  more training calls, in order,
          "moving_mean", "moving_variance": the statistics after all training calls,
          "infer_grad": {"x", "r", "y", "dx", "dgamma", "dbeta"} with training=False.}
    LN = {"name", "config", "weights": {"gamma", "beta"}, "x", "r", "y", "dx", "dgamma", "dbeta"}
    SL = {"name", "class_name", "config": keras get_config(), "x", "y"}
         y = layer(x) for the reshaping layers, layer(x, training=True) for the random ones.
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "data", "keras_norm_layers.json"))

RNG = np.random.default_rng(20240611)


def enc(a):
    a = np.asarray(a, dtype=np.float32)
    return {"shape": list(a.shape), "values": [float(str(v)) for v in a.ravel()]}


def rand(*shape, lo=-2.0, hi=2.0):
    return RNG.uniform(lo, hi, size=shape).astype(np.float32)


def clean_config(layer):
    c = layer.get_config()
    return json.loads(json.dumps(c))


def grads(layer, x, r, training):
    xt = tf.Variable(x)
    with tf.GradientTape() as tape:
        y = layer(xt, training=training)
        loss = tf.reduce_sum(y * r)
    tv = [xt] + [w for w in (getattr(layer, "gamma", None), getattr(layer, "beta", None)) if w is not None]
    g = tape.gradient(loss, tv)
    out = {"x": enc(x), "r": enc(r), "y": enc(y), "dx": enc(g[0])}
    i = 1
    if getattr(layer, "gamma", None) is not None:
        out["dgamma"] = enc(g[i])
        i += 1
    if getattr(layer, "beta", None) is not None:
        out["dbeta"] = enc(g[i])
    return out


# ----------------------------------------------------------------------------- BatchNormalization

BN_CASES = [
    # (name, input shape, kwargs)
    ("rank2_last", (6, 4), {}),
    ("rank4_last", (3, 2, 3, 4), {"momentum": 0.9}),
    ("rank4_axis1_channels_first", (2, 3, 4, 2), {"axis": 1, "momentum": 0.8, "epsilon": 1e-2}),
    ("rank4_axis2", (2, 3, 4, 5), {"axis": 2, "momentum": 0.5}),
    ("rank3_no_center_no_scale", (3, 5, 2), {"center": False, "scale": False, "momentum": 0.7}),
    ("rank3_axis1", (4, 3, 5), {"axis": 1, "epsilon": 0.5}),
]


def bn_case(name, shape, kwargs):
    layer = keras.layers.BatchNormalization(**kwargs)
    layer.build(shape)
    c = shape[layer.axis]
    w = {}
    if layer.scale:
        w["gamma"] = rand(c, lo=0.5, hi=1.5)
        layer.gamma.assign(w["gamma"])
    if layer.center:
        w["beta"] = rand(c, lo=-0.5, hi=0.5)
        layer.beta.assign(w["beta"])
    w["moving_mean"] = rand(c, lo=-0.3, hi=0.3)
    w["moving_variance"] = rand(c, lo=0.5, hi=2.0)
    layer.moving_mean.assign(w["moving_mean"])
    layer.moving_variance.assign(w["moving_variance"])
    scale = RNG.uniform(0.5, 3.0, size=c).astype(np.float32)
    shift = RNG.uniform(-1.0, 1.0, size=c).astype(np.float32)
    bshape = [1] * len(shape)
    bshape[layer.axis] = c

    def sample():  # per-channel offsets and scales, so the statistics differ by channel
        return (rand(*shape) * scale.reshape(bshape) + shift.reshape(bshape)).astype(np.float32)

    train_grad = grads(layer, sample(), rand(*shape), True)
    steps = []
    for _ in range(2):
        x = sample()
        steps.append({"x": enc(x), "y": enc(layer(x, training=True))})
    mm = layer.moving_mean.numpy()
    mv = layer.moving_variance.numpy()
    infer_grad = grads(layer, sample(), rand(*shape), False)
    return {"name": name, "config": clean_config(layer), "weights": {k: enc(v) for k, v in w.items()},
            "train_grad": train_grad, "train_steps": steps, "moving_mean": enc(mm),
            "moving_variance": enc(mv), "infer_grad": infer_grad}


# ----------------------------------------------------------------------------- LayerNormalization

LN_CASES = [
    ("rank3_last", (2, 3, 4), {}),
    ("rank3_axes_1_2", (2, 3, 4), {"axis": [1, 2]}),
    ("rank4_axes_2_3_eps", (2, 2, 3, 4), {"axis": [2, 3], "epsilon": 1e-5}),
    ("rank4_axis1", (2, 3, 2, 2), {"axis": 1}),
    ("rank2_no_center_no_scale", (3, 6), {"center": False, "scale": False}),
]


def ln_case(name, shape, kwargs):
    layer = keras.layers.LayerNormalization(**kwargs)
    layer.build(shape)
    w = {}
    if layer.gamma is not None:
        w["gamma"] = rand(*layer.gamma.shape, lo=0.5, hi=1.5)
        layer.gamma.assign(w["gamma"])
    if layer.beta is not None:
        w["beta"] = rand(*layer.beta.shape, lo=-0.5, hi=0.5)
        layer.beta.assign(w["beta"])
    x = rand(*shape) * 3.0 + 1.0
    out = grads(layer, x, rand(*shape), False)
    # The config as the user wrote it (Keras's get_config after build lists the axes).
    cfg = keras.layers.LayerNormalization(**kwargs).get_config()
    return {"name": name, "config": json.loads(json.dumps(cfg)), "weights": {k: enc(v) for k, v in w.items()},
            **out}


# ----------------------------------------------------------------------------- reshaping layers

SHAPE_CASES = [
    ("ZeroPadding2D", "int", (2, 3, 4, 2), {"padding": 1}),
    ("ZeroPadding2D", "hw", (2, 3, 4, 2), {"padding": (2, 1)}),
    ("ZeroPadding2D", "tblr", (1, 3, 4, 2), {"padding": ((1, 2), (3, 0))}),
    ("ZeroPadding2D", "tblr_channels_first", (1, 2, 3, 4), {"padding": ((0, 1), (2, 1)), "data_format": "channels_first"}),
    ("Cropping2D", "int", (2, 5, 6, 2), {"cropping": 1}),
    ("Cropping2D", "hw", (1, 5, 6, 2), {"cropping": (2, 1)}),
    ("Cropping2D", "tblr", (1, 5, 6, 2), {"cropping": ((1, 0), (2, 1))}),
    ("Cropping2D", "tblr_channels_first", (1, 2, 5, 6), {"cropping": ((0, 2), (1, 3)), "data_format": "channels_first"}),
    ("UpSampling2D", "nearest_2", (2, 2, 3, 2), {"size": 2}),
    ("UpSampling2D", "nearest_2_3", (1, 2, 3, 2), {"size": (2, 3)}),
    ("UpSampling2D", "nearest_channels_first", (1, 2, 2, 3), {"size": (3, 1), "data_format": "channels_first"}),
    ("UpSampling2D", "bilinear_2_3", (2, 3, 4, 2), {"size": (2, 3), "interpolation": "bilinear"}),
    ("UpSampling2D", "bilinear_channels_first", (1, 2, 3, 3), {"size": (3, 2), "interpolation": "bilinear",
                                                                 "data_format": "channels_first"}),
]


def shape_case(cls, name, shape, kwargs):
    layer = getattr(keras.layers, cls)(**kwargs)
    x = rand(*shape)
    return {"name": cls + "_" + name, "class_name": cls, "config": clean_config(layer), "x": enc(x),
            "y": enc(layer(x))}


# ----------------------------------------------------------------------------- random layers (deterministic)

def image_cases():
    cases = []
    x = rand(2, 5, 6, 2)  # batch of two 5x6 images, two channels
    shifts = [("down_right", (0.4, 0.4), (1.0 / 3, 1.0 / 3)),   # (2, 2) pixels
              ("up_left_far", (-0.8, -0.8), (-1.0, -1.0)),      # (-4, -6): past the border
              ("fractional", (0.3, 0.3), (-0.25, -0.25))]       # (1.5, -1.5) pixels
    for mode in ("reflect", "wrap", "constant", "nearest"):
        for interp in ("nearest", "bilinear"):
            for sname, hf, wf in shifts:
                kw = {"height_factor": hf, "width_factor": wf, "fill_mode": mode, "interpolation": interp,
                      "seed": 1}
                if mode == "constant":
                    kw["fill_value"] = 0.5
                layer = keras.layers.RandomTranslation(**kw)
                cases.append({"name": f"RandomTranslation_{mode}_{interp}_{sname}",
                              "class_name": "RandomTranslation", "config": clean_config(layer),
                              "x": enc(x), "y": enc(layer(x, training=True))})
    xf = rand(1, 2, 4, 5)  # channels_first
    layer = keras.layers.RandomTranslation((0.5, 0.5), (-0.2, -0.2), fill_mode="constant",
                                           interpolation="nearest", data_format="channels_first")
    cases.append({"name": "RandomTranslation_channels_first", "class_name": "RandomTranslation",
                  "config": clean_config(layer), "x": enc(xf), "y": enc(layer(xf, training=True))})
    zooms = [("out", (0.5, 0.5), None), ("in", (-0.3, -0.3), None), ("aspect", (0.25, 0.25), (-0.4, -0.4))]
    for mode in ("reflect", "wrap", "constant", "nearest"):
        for interp in ("nearest", "bilinear"):
            for zname, hf, wf in zooms:
                kw = {"height_factor": hf, "width_factor": wf, "fill_mode": mode, "interpolation": interp}
                if mode == "constant":
                    kw["fill_value"] = -1.0
                layer = keras.layers.RandomZoom(**kw)
                cases.append({"name": f"RandomZoom_{mode}_{interp}_{zname}", "class_name": "RandomZoom",
                              "config": clean_config(layer), "x": enc(x), "y": enc(layer(x, training=True))})
    return cases


def main():
    keras.utils.set_random_seed(1)
    data = {
        "metadata": {"generator": "tests/tools/gen_keras_norm_layers.py", "tensorflow": tf.__version__,
                     "keras": keras.__version__, "numpy": np.__version__},
        "batch_norm": [bn_case(*c) for c in BN_CASES],
        "layer_norm": [ln_case(*c) for c in LN_CASES],
        "shape_layers": [shape_case(*c) for c in SHAPE_CASES],
        "image_transforms": image_cases(),
    }
    with open(OUT, "w") as f:
        json.dump(data, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
