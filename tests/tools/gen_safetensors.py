#!/usr/bin/env python3
"""Writes tests/data/safetensors/python_written.safetensors with Python's
safetensors package (PyPI `safetensors`, `numpy`): a file from another tool that
nabla must read (tests/unit/test_safetensors.cpp, test_saving.cpp).

    python3 -m venv /tmp/st && /tmp/st/bin/pip install safetensors numpy
    /tmp/st/bin/python tests/tools/gen_safetensors.py
"""
import os
import numpy as np
from safetensors.numpy import save_file

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "..", "data", "safetensors", "python_written.safetensors")
tensors = {
    # A Dense(2) layer named "dense" on 3 inputs: kernel[i] = 0.25 * i - 0.5 (row-major).
    "dense/kernel": (0.25 * np.arange(6, dtype=np.float32) - 0.5).reshape(3, 2),
    "dense/bias": np.array([1.0, -1.0], dtype=np.float32),
    "counts": np.array([1, 2, 1 << 40], dtype=np.int64),
    "half": np.array([0.25, 0.5], dtype=np.float16),
}
save_file(tensors, out, metadata={"writer": "python safetensors"})
print("wrote", os.path.normpath(out), os.path.getsize(out), "bytes")
