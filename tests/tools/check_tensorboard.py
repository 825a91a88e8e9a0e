#!/usr/bin/env python3
"""Checks a nabla TensorBoard log directory with TensorBoard's own readers.

    check_tensorboard.py LOGDIR

LOGDIR is what nabla's TensorBoard callback wrote (tests/e2e/tensorboard_writer_main.cpp
makes one): LOGDIR/train and LOGDIR/validation with one event file each. Checked:

- every record's framing: lengths and masked CRC32C, with TensorBoard's own CRC code
  (its readers skip a bad record silently, so this is checked separately);
- EventAccumulator (the legacy reader): file_version, the scalars epoch_loss,
  epoch_accuracy and epoch_learning_rate (train) and epoch_loss, epoch_accuracy
  (validation) at steps 0..epochs-1, the batch scalars, one histogram and one image
  per weight and epoch;
- plugin_event_accumulator (what the TensorBoard app reads): every tag reaches the
  scalars, histograms or images plugin with the same number of points.

With LOGDIR/expected.json (written by the writer program) the values are compared
too: scalars equal the History values rounded to float32, the last histogram's
num/min/max/sum equal the final weights, the images have the expected size.
Prints what it checked; exits 1 on any mismatch.
"""
import glob
import json
import math
import os
import re
import struct
import sys

import numpy as np
from tensorboard.backend.event_processing import event_accumulator as ea
from tensorboard.backend.event_processing import plugin_event_accumulator as pea
from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c

FAILURES = []


def check(cond, what):
    if cond:
        print(f"  ok    {what}")
    else:
        print(f"  FAIL  {what}")
        FAILURES.append(what)
    return cond


def check_framing(path):
    """Walks the TFRecord framing; returns the number of records."""
    data = open(path, "rb").read()
    off, n = 0, 0
    while off < len(data):
        if len(data) - off < 12:
            return check(False, f"{path}: truncated header at offset {off}")
        header = data[off:off + 8]
        (length,) = struct.unpack("<Q", header)
        (len_crc,) = struct.unpack("<I", data[off + 8:off + 12])
        if masked_crc32c(header) != len_crc:
            return check(False, f"{path}: length CRC at offset {off}")
        if len(data) - off - 12 < length + 4:
            return check(False, f"{path}: truncated payload at offset {off}")
        payload = data[off + 12:off + 12 + length]
        (crc,) = struct.unpack("<I", data[off + 12 + length:off + 16 + length])
        if masked_crc32c(payload) != crc:
            return check(False, f"{path}: payload CRC at offset {off}")
        off += 16 + length
        n += 1
    check(n > 0, f"{os.path.relpath(path)}: {n} records, every length and masked CRC32C valid")
    return n


def png_size(data):
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", data[16:24])  # width, height


def f32(x):
    return float(np.float32(x))


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    logdir = sys.argv[1]
    expected = None
    if os.path.exists(os.path.join(logdir, "expected.json")):
        with open(os.path.join(logdir, "expected.json")) as f:
            expected = json.load(f)

    runs = {}
    for run in ("train", "validation"):
        print(f"{run}:")
        files = sorted(glob.glob(os.path.join(logdir, run, "events.out.tfevents.*")))
        if not check(len(files) == 1, f"one event file in {run}/ (found {len(files)})"):
            continue
        name = os.path.basename(files[0])
        check(re.fullmatch(r"events\.out\.tfevents\.\d+\..+\.\d+\.\d+\.v2", name) is not None,
              f"file name {name}")
        check_framing(files[0])
        acc = ea.EventAccumulator(os.path.join(logdir, run), size_guidance=ea.STORE_EVERYTHING_SIZE_GUIDANCE)
        acc.Reload()
        check(acc.file_version == 2.0, f"file_version brain.Event:2 (read {acc.file_version})")
        runs[run] = acc

        # The reader the TensorBoard app uses: legacy values migrate to plugin tensors.
        pacc = pea.EventAccumulator(os.path.join(logdir, run), size_guidance={"tensors": 0})
        pacc.Reload()
        tags = acc.Tags()
        for kind, plugin in ((ea.SCALARS, "scalars"), (ea.HISTOGRAMS, "histograms"), (ea.IMAGES, "images")):
            for tag in tags[kind]:
                meta = pacc.SummaryMetadata(tag)
                n_legacy = len({"scalars": acc.Scalars, "histograms": acc.Histograms, "images": acc.Images}[plugin](tag))
                if not (meta.plugin_data.plugin_name == plugin and len(pacc.Tensors(tag)) == n_legacy):
                    check(False, f"{run}/{tag}: plugin {meta.plugin_data.plugin_name!r}, "
                                 f"{len(pacc.Tensors(tag))} tensors (want {plugin!r}, {n_legacy})")
        check(True, f"{run}: {len(tags[ea.SCALARS])} scalar, {len(tags[ea.HISTOGRAMS])} histogram and "
                    f"{len(tags[ea.IMAGES])} image tags reach TensorBoard's plugins")

    if len(runs) != 2:
        return finish()
    train, val = runs["train"], runs["validation"]
    epochs = expected["epochs"] if expected else len(train.Scalars("epoch_loss"))
    steps = list(range(epochs))

    print("scalars:")
    hist = expected["history"] if expected else {}
    for run, acc, tag, key in (("train", train, "epoch_loss", "loss"),
                               ("train", train, "epoch_accuracy", "accuracy"),
                               ("train", train, "epoch_learning_rate", None),
                               ("validation", val, "epoch_loss", "val_loss"),
                               ("validation", val, "epoch_accuracy", "val_accuracy")):
        if tag not in acc.Tags()[ea.SCALARS]:
            check(False, f"{run}/{tag} present")
            continue
        events = acc.Scalars(tag)
        check([e.step for e in events] == steps, f"{run}/{tag} at steps {steps}")
        if expected:
            want = expected["learning_rate"] if key is None else hist[key]
            got = [e.value for e in events]
            check(got == [f32(w) for w in want], f"{run}/{tag} values {got} == History (float32)")
    check(not any(t.startswith("epoch_val_") for t in train.Tags()[ea.SCALARS]), "no val_ scalars in train/")
    if expected:
        freq, per_epoch = expected["batch_freq"], expected["steps_per_epoch"]
        want_steps = [s for s in range(1, epochs * per_epoch + 1) if s % freq == 0]
        for tag in ("batch_loss", "batch_accuracy"):
            got = [e.step for e in train.Scalars(tag)] if tag in train.Tags()[ea.SCALARS] else []
            check(got == want_steps, f"train/{tag} at global batch steps {want_steps}")

    print("histograms and images:")
    weights = expected["weights"] if expected else [
        {"name": t[:-len("/histogram")]} for t in train.Tags()[ea.HISTOGRAMS] if t.endswith("/histogram")]
    check(len(weights) > 0, f"{len(weights)} weights")
    for w in weights:
        htag, itag = w["name"] + "/histogram", w["name"] + "/image"
        if not check(htag in train.Tags()[ea.HISTOGRAMS], f"histogram {htag} present"):
            continue
        hs = train.Histograms(htag)
        check([h.step for h in hs] == steps, f"{htag} at steps {steps}")
        hv = hs[-1].histogram_value
        check(len(hv.bucket) == len(hv.bucket_limit) and sum(hv.bucket) == hv.num,
              f"{htag}: {len(hv.bucket)} buckets holding num={hv.num:g} values")
        if expected:
            check(hv.num == w["size"] and hv.min == w["min"] and hv.max == w["max"] and
                  math.isclose(hv.sum, w["sum"], rel_tol=1e-12, abs_tol=1e-12),
                  f"{htag}: num {hv.num:g}, min {hv.min:.6g}, max {hv.max:.6g}, sum {hv.sum:.6g} == final weights")
        if not check(itag in train.Tags()[ea.IMAGES], f"image {itag} present"):
            continue
        ims = train.Images(itag)
        check([i.step for i in ims] == steps, f"{itag} at steps {steps}")
        im = ims[-1]
        size = png_size(im.encoded_image_string)
        ok = size == (im.width, im.height)
        if expected:
            ok = ok and size == (w["image_width"], w["image_height"])
        check(ok, f"{itag}: PNG {size[0] if size else '?'}x{size[1] if size else '?'} matches "
                  f"Summary.Image {im.width}x{im.height}")
    return finish()


def finish():
    if FAILURES:
        print(f"check_tensorboard: {len(FAILURES)} check(s) failed")
        return 1
    print("check_tensorboard: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
