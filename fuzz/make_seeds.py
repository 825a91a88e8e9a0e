#!/usr/bin/env python3
"""Writes the IDX and safetensors seeds of fuzz/corpus/ (valid files plus a few
hand-made malformed ones) and malformed variants of a real model file. The
valid model-file seeds come from make_model_seeds.cpp (nb::Model::save); run
it first:

    build-fuzz/fuzz/make_model_seeds fuzz/corpus/model_file
    python3 fuzz/make_seeds.py [fuzz/corpus]

Standard library only; every file is a few hundred bytes at most."""
import gzip
import json
import os
import struct
import sys

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def write(sub, name, data):
    d = os.path.join(OUT, sub)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ----------------------------------------------------------------------------- IDX
IDX_TYPES = {"u8": (0x08, "B"), "i8": (0x09, "b"), "i16": (0x0B, "h"), "i32": (0x0C, "i"),
             "f32": (0x0D, "f"), "f64": (0x0E, "d")}


def idx(kind, shape, values):
    code, fmt = IDX_TYPES[kind]
    head = bytes([0, 0, code, len(shape)]) + b"".join(struct.pack(">I", d) for d in shape)
    return head + struct.pack(">%d%s" % (len(values), fmt), *values)


def count(shape):
    n = 1
    for d in shape:
        n *= d
    return n


valid_idx = {
    "labels_u8.idx": idx("u8", [10], list(range(10))),
    "images_u8.idx": idx("u8", [2, 4, 4], [(7 * i) % 256 for i in range(32)]),
    "i8.idx": idx("i8", [3, 2], [-128, -1, 0, 1, 2, 127]),
    "i16.idx": idx("i16", [4], [-32768, -1, 1, 32767]),
    "i32.idx": idx("i32", [2, 2], [-2**31, -1, 1, 2**31 - 1]),
    "f32.idx": idx("f32", [2, 3], [0.0, -1.5, 3.25, float("inf"), float("nan"), 1e-38]),
    "f64.idx": idx("f64", [1, 1, 2], [3.141592653589793, -2.5e300]),
    "rank8.idx": idx("u8", [1, 2, 1, 2, 1, 1, 2, 1], list(range(8))),
    "empty_dim.idx": idx("f32", [0, 5], []),
}
for name, data in valid_idx.items():
    write("idx", name, data)
# gzip: one member, two concatenated members (split inside the data).
images = valid_idx["images_u8.idx"]
write("idx", "images_u8.idx.gz", gzip.compress(images, mtime=0))
write("idx", "labels_two_members.idx.gz",
      gzip.compress(valid_idx["labels_u8.idx"][:9], mtime=0) + gzip.compress(valid_idx["labels_u8.idx"][9:], mtime=0))
write("idx", "f32.idx.gz", gzip.compress(valid_idx["f32.idx"], mtime=0))
# Malformed.
write("idx", "bad_truncated.idx", images[:-3])
write("idx", "bad_trailing.idx", images + b"\x00")
write("idx", "bad_magic.idx", b"\x01\x00" + images[2:])
write("idx", "bad_type.idx", b"\x00\x00\x0a\x01\x00\x00\x00\x01\x00")
write("idx", "bad_rank0.idx", b"\x00\x00\x08\x00")
write("idx", "bad_huge_claim.idx", b"\x00\x00\x0d\x03\xff\xff\xff\xff\xff\xff\xff\xff\x00\x00\x00\x10" + b"\x00" * 16)
write("idx", "bad_huge_claim.idx.gz",
      gzip.compress(b"\x00\x00\x08\x02\x00\x10\x00\x00\x00\x10\x00\x00" + b"\x00" * 64, mtime=0))
write("idx", "bad_truncated.idx.gz", gzip.compress(images, mtime=0)[:-6])
write("idx", "bad_garbage_after.idx.gz", gzip.compress(images, mtime=0) + b"PK")


# ----------------------------------------------------------------------------- safetensors
ST_TYPES = {"F32": "f", "F64": "d", "I8": "b", "I16": "h", "I32": "i", "I64": "q", "U8": "B", "BOOL": "?",
            "F16": "e", "BF16": "H"}


def safetensors(tensors, metadata=None, header_extra=None, pad=True):
    """tensors: list of (name, dtype, shape, values)."""
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    data = b""
    for name, dt, shape, values in tensors:
        raw = struct.pack("<%d%s" % (len(values), ST_TYPES[dt]), *values)
        header[name] = {"dtype": dt, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    if header_extra:
        header.update(header_extra)
    h = json.dumps(header, separators=(",", ":")).encode()
    if pad:
        h += b" " * ((8 - (8 + len(h)) % 8) % 8)
    return struct.pack("<Q", len(h)) + h + data


valid_st = {
    "one_f32.safetensors": safetensors([("w", "F32", [2, 2], [1.0, -2.0, 0.5, 3.0])]),
    "dense.safetensors": safetensors([("dense/kernel", "F32", [3, 2], [0.1 * i for i in range(6)]),
                                      ("dense/bias", "F32", [2], [0.0, 1.0])],
                                     metadata={"format": "pt"}),
    "all_dtypes.safetensors": safetensors([
        ("f16", "F16", [2], [1.0, -0.5]), ("bf16", "BF16", [2], [0x3F80, 0xBF00]), ("f64", "F64", [1], [2.5]),
        ("i8", "I8", [2], [-1, 1]), ("i16", "I16", [1], [-300]), ("i32", "I32", [1, 1], [70000]),
        ("i64", "I64", [1], [-2**40]), ("u8", "U8", [3], [0, 128, 255]), ("b", "BOOL", [2], [True, False])]),
    "scalar_and_empty.safetensors": safetensors([("s", "F32", [], [42.0]), ("e", "F32", [0, 3], []),
                                                 ("z", "I32", [4, 0], [])]),
    "metadata_only.safetensors": safetensors([], metadata={"format": "nabla.model", "format_version": "1"}),
    "empty_header.safetensors": struct.pack("<Q", 2) + b"{}",
}
for name, data in valid_st.items():
    write("safetensors", name, data)
good = valid_st["dense.safetensors"]
hlen = struct.unpack("<Q", good[:8])[0]
write("safetensors", "bad_truncated.safetensors", good[:-5])
write("safetensors", "bad_header_len.safetensors", struct.pack("<Q", hlen + 1000) + good[8:])
write("safetensors", "bad_header_len_huge.safetensors", struct.pack("<Q", 2**63) + good[8:])
write("safetensors", "bad_json.safetensors", struct.pack("<Q", 12) + b'{"a":[1,2,3' + b"x")
write("safetensors", "bad_offsets.safetensors", safetensors([], header_extra={
    "w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4000000000]}}))
write("safetensors", "bad_shape_bytes.safetensors", safetensors([], header_extra={
    "w": {"dtype": "F32", "shape": [2**62, 8], "data_offsets": [0, 0]}}))
write("safetensors", "bad_dtype.safetensors", safetensors([], header_extra={
    "w": {"dtype": "Q7", "shape": [0], "data_offsets": [0, 0]}}))
write("safetensors", "bad_overlap.safetensors",
      safetensors([("a", "U8", [2], [1, 2])],
                  header_extra={"b": {"dtype": "U8", "shape": [2], "data_offsets": [1, 3]}}) + b"\x03")
write("safetensors", "bad_metadata.safetensors", safetensors([], metadata={"format": 1}))
write("safetensors", "bad_negative.safetensors", safetensors([], header_extra={
    "w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}) + b"\x00" * 4)

# The model-file target starts from these too (plus real .nabla files).
for name in ("dense.safetensors", "metadata_only.safetensors", "bad_truncated.safetensors"):
    write("model_file", name, open(os.path.join(OUT, "safetensors", name), "rb").read())


# ----------------------------------------------------------------------------- model files
# Malformed variants of a real .nabla file (written by make_model_seeds; run that first).
def split_safetensors(b):
    n = struct.unpack("<Q", b[:8])[0]
    return json.loads(b[8:8 + n]), b[8 + n:]


def join_safetensors(header, data):
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - (8 + len(h)) % 8) % 8)
    return struct.pack("<Q", len(h)) + h + data


mlp_path = os.path.join(OUT, "model_file", "sequential_mlp.nabla")
if os.path.exists(mlp_path):
    mlp = open(mlp_path, "rb").read()
    header, data = split_safetensors(mlp)
    meta = header["__metadata__"]
    config = json.loads(meta["model_config"])

    def variant(name, change_meta=None, change_config=None, change_header=None, data_=None):
        h = json.loads(json.dumps(header))
        c = json.loads(json.dumps(config))
        if change_config:
            change_config(c)
        h["__metadata__"]["model_config"] = json.dumps(c, separators=(",", ":"))
        if change_meta:
            change_meta(h["__metadata__"])
        if change_header:
            change_header(h)
        write("model_file", name, join_safetensors(h, data if data_ is None else data_))

    variant("bad_format_version.nabla", change_meta=lambda m: m.update(format_version="2"))
    variant("bad_format.nabla", change_meta=lambda m: m.update(format="something.else"))
    variant("bad_model_config_json.nabla", change_meta=lambda m: m.update(model_config='{"class_name":'))
    variant("bad_unknown_class.nabla",
            change_config=lambda c: c["config"]["layers"][1].update(class_name="NoSuchLayer"))
    variant("bad_units_huge.nabla",
            change_config=lambda c: c["config"]["layers"][1]["config"].update(units=2**40))
    variant("bad_units_mismatch.nabla",
            change_config=lambda c: c["config"]["layers"][1]["config"].update(units=4))
    variant("bad_input_shape_huge.nabla",
            change_config=lambda c: c["config"]["layers"][0]["config"].update(batch_shape=[None, 2**31, 2**31]))
    variant("bad_missing_weight.nabla", change_header=lambda h: h.pop("dense_1/bias"), data_=data[:-8])
    write("model_file", "bad_truncated.nabla", mlp[:len(mlp) - 10])
print("seeds written under", OUT)
