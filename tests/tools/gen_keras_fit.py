#!/usr/bin/env python3
"""Reference training runs from real Keras for nabla's Model.fit/evaluate/predict.

Generates tests/data/keras_fit.json. Each case fixes the data, the initial weights
and the options (no shuffling), so nabla must reproduce Keras's loss/metric history,
final weights, evaluate() results and predict() outputs.

Rerun: /work/venv-tf/bin/python tests/tools/gen_keras_fit.py  (tensorflow-cpu 2.21, keras 3.15)
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
import numpy as np  # noqa: E402
import keras  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "data", "keras_fit.json")


def tolist(a):
    return np.asarray(a, dtype=np.float64).tolist()


def run_case(name, rng, *, n, n_val, features, hidden, classes, loss, optimizer, metrics, batch_size, epochs,
             sample_weight=False, class_weight=None, activation="relu", l2=None, validation_split=0.0,
             weighted_metrics=()):
    x = rng.normal(size=(n, features)).astype(np.float32)
    if loss == "sparse":
        y = rng.integers(0, classes, size=(n,)).astype(np.int32)
    elif loss == "mse":
        y = rng.normal(size=(n, classes)).astype(np.float32)
    xv = rng.normal(size=(n_val, features)).astype(np.float32)
    if loss == "sparse":
        yv = rng.integers(0, classes, size=(n_val,)).astype(np.int32)
    else:
        yv = rng.normal(size=(n_val, classes)).astype(np.float32)
    sw = rng.uniform(0.5, 1.5, size=(n,)).astype(np.float32) if sample_weight else None

    reg = keras.regularizers.L2(l2) if l2 else None
    model = keras.Sequential([
        keras.Input((features,)),
        keras.layers.Dense(hidden, activation=activation, kernel_regularizer=reg),
        keras.layers.Dense(classes),
    ])
    weights = [rng.normal(scale=0.5, size=w.shape).astype(np.float32) for w in model.get_weights()]
    model.set_weights(weights)
    if loss == "sparse":
        loss_obj = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    else:
        loss_obj = keras.losses.MeanSquaredError()
    opt = {"sgd": keras.optimizers.SGD(learning_rate=0.1, momentum=0.9),
           "adam": keras.optimizers.Adam(learning_rate=0.01)}[optimizer]
    model.compile(optimizer=opt, loss=loss_obj, metrics=metrics, weighted_metrics=list(weighted_metrics))
    fit_kwargs = dict(batch_size=batch_size, epochs=epochs, shuffle=False, verbose=0)
    if validation_split:
        fit_kwargs["validation_split"] = validation_split
    else:
        fit_kwargs["validation_data"] = (xv, yv)
    if sw is not None:
        fit_kwargs["sample_weight"] = sw
    if class_weight:
        fit_kwargs["class_weight"] = class_weight
    hist = model.fit(x, y, **fit_kwargs)
    ev = model.evaluate(xv, yv, batch_size=batch_size, verbose=0, return_dict=True)
    pred = model.predict(xv, batch_size=batch_size, verbose=0)
    return {
        "name": name, "features": features, "hidden": hidden, "classes": classes, "loss": loss,
        "optimizer": optimizer, "metrics": metrics, "weighted_metrics": list(weighted_metrics), "batch_size": batch_size, "epochs": epochs,
        "activation": activation, "l2": l2, "validation_split": validation_split,
        "class_weight": {str(k): v for k, v in (class_weight or {}).items()},
        "x": tolist(x), "y": tolist(y), "x_val": tolist(xv), "y_val": tolist(yv),
        "sample_weight": tolist(sw) if sw is not None else None,
        "initial_weights": [tolist(w) for w in weights],
        "history": {k: [float(v) for v in vs] for k, vs in hist.history.items()},
        "final_weights": [tolist(w) for w in model.get_weights()],
        "evaluate": {k: float(v) for k, v in ev.items()},
        "predict": tolist(pred),
    }


def main():
    rng = np.random.default_rng(20261122)
    cases = [
        run_case("sparse_sgd_momentum", rng, n=50, n_val=20, features=4, hidden=8, classes=3, loss="sparse",
                 optimizer="sgd", metrics=["accuracy"], batch_size=8, epochs=3),
        run_case("sparse_adam_sample_weight", rng, n=40, n_val=12, features=5, hidden=6, classes=4, loss="sparse",
                 optimizer="adam", metrics=["accuracy"], batch_size=16, epochs=2, sample_weight=True,
                 weighted_metrics=["acc"]),
        run_case("sparse_adam_class_weight_l2", rng, n=30, n_val=10, features=3, hidden=5, classes=3, loss="sparse",
                 optimizer="adam", metrics=["accuracy"], batch_size=7, epochs=2, class_weight={0: 2.0, 1: 0.5},
                 l2=0.01),
        run_case("mse_sgd_tanh_split", rng, n=36, n_val=10, features=3, hidden=7, classes=2, loss="mse",
                 optimizer="sgd", metrics=["mae"], batch_size=5, epochs=3, activation="tanh",
                 validation_split=0.25),
    ]
    with open(OUT, "w") as f:
        json.dump({"generator": "tests/tools/gen_keras_fit.py", "keras": keras.__version__, "cases": cases}, f)
    print("wrote", OUT, os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
