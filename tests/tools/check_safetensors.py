#!/usr/bin/env python3
"""Checks that a .nabla model file loads with Python's `safetensors` package
(PyPI) and that its tensors equal the weights nabla exported separately.

    check_safetensors.py MODEL.nabla DIR

DIR holds weights.json ([{name, shape, dtype, file}]) and one raw little-endian
file per tensor, written by tests/e2e/model_file_tool_main.cpp (`export`).
Exits non-zero on any mismatch.
"""
import json
import os
import sys

import numpy as np
from safetensors import safe_open

DTYPES = {"float32": "<f4", "float64": "<f8", "int32": "<i4", "int64": "<i8", "uint8": "u1",
          "int8": "i1", "int16": "<i2", "float16": "<f2", "bool": "?"}


def main():
    model, folder = sys.argv[1], sys.argv[2]
    expected = json.load(open(os.path.join(folder, "weights.json")))
    errors = []
    with safe_open(model, framework="numpy") as f:
        meta = f.metadata()
        if meta.get("format") != "nabla.model":
            errors.append("metadata format is %r, expected 'nabla.model'" % meta.get("format"))
        if meta.get("format_version") != "1":
            errors.append("format_version is %r" % meta.get("format_version"))
        config = json.loads(meta["model_config"])
        if config.get("class_name") != "Sequential" or config["config"].get("name") != "exported":
            errors.append("model_config is not the exported Sequential: %s" % meta["model_config"][:200])
        compile_config = json.loads(meta["compile_config"])
        if compile_config["optimizer"]["class_name"] != "Adam":
            errors.append("compile_config optimizer: %s" % compile_config["optimizer"])
        state = json.loads(meta["optimizer_state"])
        if state["iterations"] != expected["iterations"]:
            errors.append("optimizer iterations %s, expected %s" % (state["iterations"], expected["iterations"]))
        names = set(f.keys())
        want = {w["name"] for w in expected["weights"]}
        if names != want:
            errors.append("tensor names differ: file has %s, nabla exported %s" % (sorted(names), sorted(want)))
        checked = 0
        for w in expected["weights"]:
            if w["name"] not in names:
                continue
            t = f.get_tensor(w["name"])
            ref = np.fromfile(os.path.join(folder, w["file"]), dtype=DTYPES[w["dtype"]]).reshape(w["shape"])
            if t.dtype != ref.dtype or t.shape != ref.shape or not np.array_equal(t, ref):
                errors.append("tensor %s differs: %s %s vs nabla's %s %s" % (w["name"], t.dtype, t.shape,
                                                                               ref.dtype, ref.shape))
            checked += 1
    for e in errors:
        print("MISMATCH:", e)
    print("checked %d tensors and the metadata of %s with safetensors: %s" %
          (checked, model, "FAILED" if errors else "all equal"))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
