#!/usr/bin/env python3
"""End-to-end training benchmark peer: Keras 3 (TensorFlow CPU backend) on Fashion-MNIST.

Run with the TensorFlow venv (tensorflow-cpu 2.21, keras 3.15):

    /work/venv-tf/bin/python bench/keras_train.py --model mlp|cnn [--epochs N]
        [--threads T] [--inter-op I] [--data DIR] [--seed S] [--json]

bench/run_train_bench.sh runs it with the right environment. Workloads (the same
as bench/torch_train.cpp and `nabla bench`):
  mlp: Flatten, Dense(128, relu), Dense(10); batch 32; 1 intra-op thread by default
  cnn: Conv2D(32,3,relu), MaxPool2D(2), Conv2D(64,3,relu), MaxPool2D(2), Flatten,
       Dense(128, relu), Dense(10); batch 64; 2 intra-op threads by default
Both: Adam(1e-3), SparseCategoricalCrossentropy(from_logits=True),
metrics=["accuracy"], model.fit(..., shuffle=True, verbose=0), Keras's defaults
otherwise (on a CPU-only machine Keras 3 resolves jit_compile="auto" to False).

Threads: tf.config.threading intra-op = --threads, inter-op = --inter-op
(default 1; 1 and 2 were tried, see run_train_bench.sh), set before TF starts.

Data: read from the gzipped IDX files with gzip + numpy and converted ONCE to
float32 / 255 before fit (the Keras idiom; unlike the LibTorch peer, which
converts each uint8 batch inside its timed loop). The JSON says so in "input".

Timing: a Keras callback takes a perf_counter time stamp in on_epoch_begin and
on_epoch_end, so each epoch's time includes Keras's own per-step overhead (what
a Keras user experiences) but not the data loading nor the evaluation. The
first epoch also includes tracing the train function; it is reported separately
as "first_epoch_seconds" (and "later_epoch_seconds" when --epochs > 1).

Output (--json): one line
  {"framework":"keras","model":"mlp","epoch_seconds":[...],"images_per_second":...,
   "final_loss":...,"test_accuracy":...,"threads":T,...}
images_per_second = training images processed / summed epoch seconds;
final_loss = the last epoch's loss as Keras reports it (mean over the epoch);
test_accuracy = model.evaluate on the 10000 test images.
"""
import argparse
import contextlib
import gzip
import json
import os
import struct
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402


def read_idx_u8(path, expected_dims):
    """Returns the uint8 array stored in a (gzipped) IDX file; raises ValueError if malformed."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4:
        raise ValueError(f"{path}: too short for an IDX header")
    magic = struct.unpack(">I", raw[:4])[0]
    dims = magic & 0xFF
    if magic >> 8 != 0x08 or dims != expected_dims:
        raise ValueError(f"{path}: expected an IDX uint8 file with {expected_dims} dims, "
                         f"found magic {magic:#x}")
    shape = struct.unpack(f">{dims}I", raw[4:4 + 4 * dims])
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims)
    if data.size != int(np.prod(shape)):
        raise ValueError(f"{path}: expected {int(np.prod(shape))} values, found {data.size}")
    return data.reshape(shape)


@contextlib.contextmanager
def quiet_native_stderr():
    """Redirects file descriptor 2 to /dev/null inside the block."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def load_split(data_dir, prefix):
    images = read_idx_u8(os.path.join(data_dir, f"{prefix}-images-idx3-ubyte.gz"), 3)
    labels = read_idx_u8(os.path.join(data_dir, f"{prefix}-labels-idx1-ubyte.gz"), 1)
    return images, labels.astype(np.int64)


def build_model(keras, name):
    layers = keras.layers
    if name == "mlp":
        return keras.Sequential([
            keras.Input(shape=(28, 28)),
            layers.Flatten(),
            layers.Dense(128, activation="relu"),
            layers.Dense(10),
        ])
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dense(10),
    ])


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", choices=["mlp", "cnn"], required=True)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--threads", type=int, default=0,
                   help="intra-op threads (default: mlp 1, cnn 2)")
    p.add_argument("--inter-op", type=int, default=1, help="inter-op threads (default 1)")
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    if args.epochs < 1:
        p.error("--epochs must be at least 1")
    threads = args.threads or (1 if args.model == "mlp" else 2)
    batch = 32 if args.model == "mlp" else 64

    # TF_CPP_MIN_LOG_LEVEL does not cover the lines absl writes before its
    # logging is initialised ("oneDNN custom operations are on"); silence the
    # C-level stderr while TensorFlow and Keras start. Python exceptions are
    # still raised (and printed once stderr is back).
    with quiet_native_stderr():
        import tensorflow as tf
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.inter_op)
        import keras
        tf.constant(0.0) + 1.0  # starts the runtime, which logs once more

    keras.utils.set_random_seed(args.seed)

    x_train, y_train = load_split(args.data, "train")
    x_test, y_test = load_split(args.data, "t10k")
    # Keras idiom: convert the whole set to float32 / 255 once, before fit.
    x_train = x_train.astype(np.float32) / 255.0
    x_test = x_test.astype(np.float32) / 255.0
    if args.model == "cnn":
        x_train = x_train[..., np.newaxis]
        x_test = x_test[..., np.newaxis]

    model = build_model(keras, args.model)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])

    class EpochTimer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seconds = []
            self._t0 = 0.0

        def on_epoch_begin(self, epoch, logs=None):
            self._t0 = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self._t0)
            if not args.json:
                print(f"epoch {epoch + 1}: {self.seconds[-1]:.3f} s, "
                      f"loss {logs.get('loss', float('nan')):.4f}", flush=True)

    timer = EpochTimer()
    history = model.fit(x_train, y_train, batch_size=batch, epochs=args.epochs, shuffle=True,
                        verbose=0, callbacks=[timer])
    _, accuracy = model.evaluate(x_test, y_test, batch_size=1000, verbose=0)

    secs = timer.seconds
    result = {
        "framework": "keras",
        "model": args.model,
        "epoch_seconds": [round(s, 4) for s in secs],
        "images_per_second": round(len(x_train) * len(secs) / sum(secs), 1),
        "final_loss": round(float(history.history["loss"][-1]), 5),
        "test_accuracy": round(float(accuracy), 4),
        "threads": threads,
        "inter_op_threads": args.inter_op,
        "batch_size": batch,
        "epochs": args.epochs,
        "first_epoch_seconds": round(secs[0], 4),
        "tf_version": tf.__version__,
        "keras_version": keras.__version__,
        "input": "float32/255 converted once before fit (Keras idiom)",
    }
    if len(secs) > 1:
        result["later_epoch_seconds"] = [round(s, 4) for s in secs[1:]]
    if args.json:
        print(json.dumps(result, separators=(",", ":")), flush=True)
    else:
        print(f"keras {args.model}: {args.epochs} epoch(s), {result['images_per_second']} "
              f"images/s, final loss {result['final_loss']}, test accuracy "
              f"{result['test_accuracy']} ({threads} intra-op / {args.inter_op} inter-op "
              f"thread(s), batch {batch}; first epoch {secs[0]:.3f} s incl. tracing)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
