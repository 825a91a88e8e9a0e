#!/usr/bin/python3
"""Generates tests/data/torch_conv.json: PyTorch reference values for nabla's convolution,
pooling and batch-normalisation ops (include/nabla/ops/conv.h, pooling.h, normalization.h).

How to regenerate (PyTorch is needed only here; the C++ tests read the committed JSON):

    apt-get install python3-torch        # Debian's PyTorch, for /usr/bin/python3
    /usr/bin/python3 tests/tools/gen_conv_torch.py

Read by tests/conformance/test_conv_reference.cpp (together with tf_conv.json, written by
gen_conv_tf.py; both files share this layout):

    {"metadata": {...versions...},
     "cases": [{"name": "conv2d_stride2_pad1", "op": "conv2d", "layout": "channels_first",
                "attrs": {...nabla options...},
                "inputs": [TENSOR, ...], "outputs": [TENSOR, ...],
                "weights": [TENSOR, ...],       # one per output
                "grads": [TENSOR or null, ...]  # one per input
               }, ...]}
    TENSOR = {"dtype": "float64", "shape": [2, 3], "values": [flat row-major list]}

Each case calls one nabla function (`op`) on `inputs` with `attrs`, in the data format
`layout`; `outputs` are PyTorch's results and grads[i] the gradient of
    loss = sum_k sum(outputs[k] * weights[k])
with respect to inputs[i] (null: not differentiated). Input 0 and output 0 are the data
tensors (batch, channel and spatial axes); every other tensor is a filter or a per-channel
vector, whose layout does not depend on the data format. The test runs every case in both
data formats: the stored one directly and the other one by transposing input 0, output 0,
weights 0 and grads 0 (and the output_shape attribute of conv_transpose).

Mapping from PyTorch to nabla (documented here because the JSON is already in nabla terms):
  * Data tensors stay NCHW / NCW / NCDHW: nabla's "channels_first" is PyTorch's layout.
  * Filters: PyTorch's conv weight is (out, in / groups, k...) (OIHW); nabla's (and
    TensorFlow's) is (k..., in / groups, out) (HWIO), whatever the data format:
    transpose (2, 3, 1, 0) for 2-d. Output channel o belongs to group o // (out / groups)
    in both, so grouped weights need no other reordering; nabla infers
    groups = in_channels / filters.shape[-2].
  * Padding: PyTorch's symmetric `padding=p` is nabla's padding="explicit" with
    explicit_paddings = [p, p] per spatial dimension; an asymmetric F.pad(x, (l, r, t, b))
    followed by an unpadded conv is explicit_paddings = [t, b, l, r] (F.pad lists the last
    dimension first, nabla lists dimensions in order, (before, after) each).
    PyTorch's padding="same" (stride 1) pads d*(k-1) in total, the smaller half first:
    TensorFlow's and nabla's "same".
  * depthwise: PyTorch's groups = C conv with weight (C * m, 1, kh, kw), output channel
    c * m + j, is nabla's depthwise_conv2d with filters (kh, kw, C, m):
    weight.reshape(C, m, kh, kw).permute(2, 3, 0, 1). (The same weights in HWIO,
    (kh, kw, 1, C * m), are also run through conv2d as a grouped conv.)
  * conv_transpose{1,2}d(x, w, stride s, padding p, output_padding op, dilation d,
    groups g), w of shape (C_in, C_out / g, k...), is the gradient with respect to the
    input of conv(y, w') where w' = w read as a conv weight (out = C_in, in = C_out / g) and
    y has the transposed conv's output shape (N, C_out, (H-1)s - 2p + d(k-1) + op + 1, ...):
    nabla's conv_transpose(x, filters, output_shape, {strides s, explicit padding p,
    dilations d}) with filters = w.permute(2, 3, 1, 0) = (kh, kw, C_out / g, C_in)
    (TensorFlow's (k..., out_channels, in_channels) layout) and output_shape in the data
    format's layout. A conv of y gives back x's size exactly when op < s, which PyTorch
    does not require (op < max(s, d)): only cases with op < s are representable.
  * Pooling: max_pool/avg_pool with padding p (count_include_pad=False, ceil_mode=False)
    equal nabla's padding="same" when PyTorch's output size is ceil(in / s) and p is the
    "before" half of TensorFlow's SAME padding, max(0, (out-1)s + k - in) // 2, in every
    dimension (padded positions never count: -inf for max, excluded from the average);
    p = 0 is "valid". Other paddings (p larger than SAME's, ceil_mode=True,
    count_include_pad=True, dilation) have no nabla equivalent and are not generated;
    the script asserts each pooling case is one of the two.
  * batch_norm(x, running_mean, running_var, weight, bias, training, eps) is nabla's
    fused_batch_norm(x, scale=weight, offset=bias, mean, variance, {epsilon, training,
    data_format}); its outputs (y, batch_mean, batch_variance) are, in training mode,
    y, x.mean(axes) and x.var(axes, unbiased=False) computed by PyTorch (momentum and the
    running-statistics update do not matter), and in inference mode y, running_mean and
    running_var. The loss includes all three outputs, so the gradient of the batch
    statistics is checked too.

Values: inputs, filters and loss weights are small multiples of 1/8 or 1/16 (fixed seeds),
so every conv / conv_transpose / max-pool result and gradient is exact in float64 and in
float32 and prints as a short decimal; max-pool inputs hold distinct values (no ties).
Everything is computed in float64.
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "data", "torch_conv.json"))

torch.use_deterministic_algorithms(True)
rng = np.random.default_rng(20240611)
cases = []


# ----------------------------------------------------------------------------- encoding

def enc_tensor(a):
    a = np.asarray(a.detach().numpy() if isinstance(a, torch.Tensor) else a, dtype=np.float64)
    return {"dtype": "float64", "shape": list(a.shape), "values": [float(v) for v in a.reshape(-1)]}


# ----------------------------------------------------------------------------- values

def dyadic(*shape, lim=12, den=8):
    """Uniform multiples of 1/den in [-lim/den, lim/den]: products and sums stay exact."""
    return torch.tensor(rng.integers(-lim, lim + 1, size=shape) / den, dtype=torch.float64)


def distinct(*shape, den=16):
    """Distinct multiples of 1/den in random order (max pooling without ties)."""
    n = int(np.prod(shape))
    v = (rng.permutation(n) - n // 2) / den
    return torch.tensor(v.reshape(shape), dtype=torch.float64)


def hwio(w):
    """PyTorch's (out, in/groups, k...) conv weight -> nabla's (k..., in/groups, out)."""
    r = w.dim()
    return w.permute(*range(2, r), 1, 0)


# ----------------------------------------------------------------------------- one case

def add(name, op, fn, inputs, attrs, sources, to_nabla=None, weights=None):
    """Records one case. fn(*torch_inputs) returns a tensor or a tuple of tensors; the
    gradient of sum_k sum(out_k * weights_k) is taken wrt inputs[i] for i in sources.
    to_nabla[i] (optional) converts input i and its gradient to nabla's layout."""
    assert all(c["name"] != name for c in cases), f"duplicate case name {name}"
    ts = [t.clone().requires_grad_(i in sources) for i, t in enumerate(inputs)]
    outs = fn(*ts)
    if not isinstance(outs, (list, tuple)):
        outs = [outs]
    if weights is None:
        weights = [dyadic(*o.shape, lim=8) for o in outs]
    loss = sum((o * w).sum() for o, w in zip(outs, weights))
    grads = torch.autograd.grad(loss, [ts[i] for i in sources])
    gmap = dict(zip(sources, grads))
    conv = to_nabla or {}
    ident = lambda t: t  # noqa: E731
    cases.append({
        "name": name, "op": op, "layout": "channels_first", "attrs": attrs,
        "inputs": [enc_tensor(conv.get(i, ident)(t)) for i, t in enumerate(inputs)],
        "outputs": [enc_tensor(o) for o in outs],
        "weights": [enc_tensor(w) for w in weights],
        "grads": [enc_tensor(conv.get(i, ident)(gmap[i])) if i in gmap else None
                  for i in range(len(inputs))],
    })


def spatial_list(v, n):
    return list(v) if isinstance(v, (list, tuple)) else [v] * n


def conv_attrs(n, stride=1, padding=0, dilation=1, asym=None):
    """nabla ConvOptions for a PyTorch conv with n spatial dims. asym: F.pad tuple."""
    a = {"strides": spatial_list(stride, n), "dilations": spatial_list(dilation, n)}
    if padding == "same":
        a["padding"] = "same"
        return a
    pads = []
    for p in spatial_list(padding, n):
        pads += [p, p]
    if asym is not None:
        # F.pad: (last_before, last_after, prev_before, prev_after, ...)
        for d in range(n):
            before, after = asym[2 * (n - 1 - d)], asym[2 * (n - 1 - d) + 1]
            pads[2 * d] += before
            pads[2 * d + 1] += after
    if any(pads):
        a["padding"] = "explicit"
        a["explicit_paddings"] = pads
    else:
        a["padding"] = "valid"
    return a


TORCH_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
OP_NAME = {1: "conv1d", 2: "conv2d", 3: "conv"}


def add_conv(name, x_shape, out_ch, kernel, stride=1, padding=0, dilation=1, groups=1, asym=None):
    n = len(x_shape) - 2
    cin = x_shape[1]
    x = dyadic(*x_shape)
    w = dyadic(out_ch, cin // groups, *spatial_list(kernel, n))

    def fn(x, w):
        if asym is not None:
            x = F.pad(x, asym)
        return TORCH_CONV[n](x, w, None, stride, padding, dilation, groups)

    add(name, OP_NAME[n], fn, [x, w], conv_attrs(n, stride, padding, dilation, asym), [0, 1],
        to_nabla={1: hwio})


def add_depthwise(name, x_shape, mult, kernel, stride=1, padding=0, dilation=1):
    c = x_shape[1]
    x = dyadic(*x_shape)
    w = dyadic(c * mult, 1, *spatial_list(kernel, 2))
    attrs = conv_attrs(2, stride, padding, dilation)

    def fn(x, w):
        return F.conv2d(x, w, None, stride, padding, dilation, c)

    # As a grouped conv2d (filters (kh, kw, 1, C*m)) and as depthwise_conv2d.
    add(name + "_grouped", "conv2d", fn, [x, w], attrs, [0, 1], to_nabla={1: hwio})
    kh, kw = spatial_list(kernel, 2)
    to_dw = lambda t: t.reshape(c, mult, kh, kw).permute(2, 3, 0, 1)  # noqa: E731
    add(name, "depthwise_conv2d", fn, [x, w], attrs, [0, 1], to_nabla={1: to_dw})


def add_conv_transpose(name, x_shape, out_ch, kernel, stride=1, padding=0, output_padding=0,
                       dilation=1, groups=1):
    n = len(x_shape) - 2
    cin = x_shape[1]
    x = dyadic(*x_shape)
    ks = spatial_list(kernel, n)
    w = dyadic(cin, out_ch // groups, *ks)
    s, p, op, d = (spatial_list(v, n) for v in (stride, padding, output_padding, dilation))
    assert all(o < st for o, st in zip(op, s)), "output_padding must be < stride"
    fn_t = {1: F.conv_transpose1d, 2: F.conv_transpose2d}[n]

    def fn(x, w):
        return fn_t(x, w, None, stride, padding, output_padding, groups, dilation)

    out_spatial = [(x_shape[2 + i] - 1) * s[i] - 2 * p[i] + d[i] * (ks[i] - 1) + op[i] + 1 for i in range(n)]
    attrs = conv_attrs(n, s, p, d)
    attrs["output_shape"] = [x_shape[0], out_ch] + out_spatial
    y = fn(x, w)
    assert list(y.shape) == attrs["output_shape"], (y.shape, attrs["output_shape"])
    # Check the documented equivalence before recording: conv of the result's shape
    # with the same weights, differentiated wrt its input, is the transposed conv.
    probe = torch.zeros(attrs["output_shape"], dtype=torch.float64, requires_grad=True)
    fwd = TORCH_CONV[n](probe, w, None, stride, padding, dilation, groups)
    assert list(fwd.shape) == list(x.shape)
    (g,) = torch.autograd.grad((fwd * x).sum(), probe)
    assert torch.equal(g, y), name
    add(name, "conv_transpose", fn, [x, w], attrs, [0, 1], to_nabla={1: hwio})


def pool_padding(in_sizes, k, s, p):
    """nabla padding equivalent to PyTorch's (count_include_pad=False, floor mode)."""
    if all(v == 0 for v in p):
        return "valid"
    for i, k_, s_, p_ in zip(in_sizes, k, s, p):
        out_torch = (i + 2 * p_ - k_) // s_ + 1
        out_same = -(-i // s_)
        before = max(0, (out_same - 1) * s_ + k_ - i) // 2
        assert out_torch == out_same and p_ == before, \
            f"padding {p} of a pool over {in_sizes} has no nabla equivalent"
    return "same"


def add_pool(name, kind, x_shape, kernel, stride=None, padding=0):
    n = len(x_shape) - 2
    k = spatial_list(kernel, n)
    s = spatial_list(stride if stride is not None else kernel, n)
    p = spatial_list(padding, n)
    x = distinct(*x_shape) if kind == "max" else dyadic(*x_shape)
    attrs = {"pool_size": k, "strides": s, "padding": pool_padding(x_shape[2:], k, s, p)}
    if kind == "max":
        f = {1: F.max_pool1d, 2: F.max_pool2d}[n]
        fn = lambda x: f(x, kernel, stride, padding)  # noqa: E731
    else:
        f = {1: F.avg_pool1d, 2: F.avg_pool2d}[n]
        fn = lambda x: f(x, kernel, stride, padding, False, False)  # noqa: E731
    add(name, kind + "_pool", fn, [x], attrs, [0])


def add_batch_norm(name, x_shape, training, eps):
    c = x_shape[1]
    x = dyadic(*x_shape, lim=16)
    scale = dyadic(c, lim=12) + 1.75
    offset = dyadic(c)
    mean = dyadic(c)
    var = torch.tensor(rng.integers(2, 17, size=c) / 8.0, dtype=torch.float64)
    axes = [0] + list(range(2, len(x_shape)))

    bshape = [1, c] + [1] * (len(x_shape) - 2)

    def formula(x, scale, offset, m, v):
        return (x - m.reshape(bshape)) / torch.sqrt(v.reshape(bshape) + eps) * scale.reshape(bshape) \
            + offset.reshape(bshape)

    def fn(x, scale, offset, mean, var):
        if training:
            y = F.batch_norm(x, mean.clone(), var.clone(), scale, offset, True, 0.1, eps)
            return y, x.mean(axes), x.var(axes, unbiased=False)
        # PyTorch does not differentiate batch_norm wrt the running statistics: the
        # formula (checked against F.batch_norm below) gives those gradients.
        return formula(x, scale, offset, mean, var), mean * 1, var * 1

    # Check F.batch_norm against the formula nabla documents.
    y = F.batch_norm(x, mean.clone(), var.clone(), scale, offset, training, 0.1, eps)
    m, v = (x.mean(axes), x.var(axes, unbiased=False)) if training else (mean, var)
    assert torch.allclose(y, formula(x, scale, offset, m, v), rtol=1e-12, atol=1e-12), name
    assert torch.allclose(y, fn(x, scale, offset, mean, var)[0], rtol=1e-12, atol=1e-12), name
    add(name, "fused_batch_norm", fn, [x, scale, offset, mean, var],
        {"epsilon": eps, "training": training}, [0, 1, 2] if training else [0, 1, 2, 3, 4])


# ----------------------------------------------------------------------------- cases

def gen():
    # conv1d
    add_conv("conv1d_basic", (2, 3, 9), 4, 3)
    add_conv("conv1d_stride2_pad1_dilation2", (2, 3, 9), 2, 3, stride=2, padding=1, dilation=2)
    add_conv("conv1d_groups2_asym_pad", (2, 4, 8), 4, 3, groups=2, asym=(1, 2))
    add_conv("conv1d_depthwise_stride3", (2, 3, 9), 6, 2, stride=3, groups=3)
    add_conv("conv1d_same_even_kernel", (2, 2, 7), 3, 4, padding="same")
    # conv2d
    add_conv("conv2d_basic", (2, 3, 6, 6), 4, 3)
    add_conv("conv2d_stride2_pad1", (2, 3, 7, 7), 2, 3, stride=2, padding=1)
    add_conv("conv2d_stride2x3_pad1x0_dilation1x2", (2, 2, 8, 9), 3, 3, stride=(2, 3), padding=(1, 0),
             dilation=(1, 2))
    add_conv("conv2d_dilation2_pad2", (2, 2, 7, 6), 3, 3, padding=2, dilation=2)
    add_conv("conv2d_groups2", (2, 4, 5, 5), 6, 3, groups=2, padding=1)
    add_conv("conv2d_groups3_stride2", (2, 6, 7, 6), 3, 2, stride=2, groups=3)
    add_conv("conv2d_asym_pad_stride2", (2, 2, 6, 7), 3, 3, stride=2, asym=(0, 2, 1, 0))
    add_conv("conv2d_asym_pad_dilation_groups", (2, 4, 6, 5), 2, 2, dilation=2, groups=2, padding=1,
             asym=(2, 0, 0, 1))
    add_conv("conv2d_1x1_stride2", (2, 5, 6, 5), 3, 1, stride=2)
    add_conv("conv2d_kernel2x3_even_input", (2, 3, 8, 6), 2, (2, 3), stride=(1, 2))
    add_conv("conv2d_same_kernel4x2_dilation1x2", (2, 2, 6, 7), 2, (4, 2), padding="same", dilation=(1, 2))
    add_conv("conv2d_kernel_equals_input", (3, 2, 4, 5), 3, (4, 5))
    add_conv("conv2d_stride_larger_than_kernel", (2, 2, 9, 8), 2, 2, stride=3, padding=1)
    # conv3d
    add_conv("conv3d_stride1x2x1_pad1", (2, 2, 4, 5, 4), 3, (2, 3, 2), stride=(1, 2, 1), padding=1)
    # depthwise (groups = C), each also run as a grouped conv2d
    add_depthwise("depthwise_mult1", (2, 3, 6, 6), 1, 3, padding=1)
    add_depthwise("depthwise_mult2_stride2", (2, 3, 7, 7), 2, 3, stride=2, padding=1)
    add_depthwise("depthwise_mult2_dilation2", (2, 2, 7, 6), 2, (2, 3), dilation=2)
    # conv_transpose
    add_conv_transpose("conv_transpose2d_basic", (2, 3, 4, 4), 2, 3)
    add_conv_transpose("conv_transpose2d_stride2_pad1_outpad1", (2, 3, 4, 3), 2, 3, stride=2, padding=1,
                       output_padding=1)
    add_conv_transpose("conv_transpose2d_stride3_pad1_dilation2_outpad2", (2, 2, 3, 3), 3, 2, stride=3,
                       padding=1, output_padding=2, dilation=2)
    add_conv_transpose("conv_transpose2d_groups2_stride2", (2, 4, 3, 4), 4, 3, stride=2, groups=2)
    add_conv_transpose("conv_transpose2d_kernel2x3_stride2x1_pad0x1", (2, 2, 4, 3), 3, (2, 3),
                       stride=(2, 1), padding=(0, 1))
    add_conv_transpose("conv_transpose1d_stride2_pad1", (2, 3, 5), 2, 4, stride=2, padding=1, output_padding=1)
    # pooling
    add_pool("max_pool2d_k2", "max", (2, 3, 6, 6), 2)
    add_pool("max_pool2d_k3_s2_p1", "max", (2, 2, 7, 7), 3, 2, 1)
    add_pool("max_pool2d_k3_s1_p1", "max", (2, 2, 6, 5), 3, 1, 1)
    add_pool("max_pool2d_k2x3_s1x2", "max", (2, 2, 7, 8), (2, 3), (1, 2))
    add_pool("avg_pool2d_k2", "avg", (2, 3, 6, 6), 2)
    add_pool("avg_pool2d_k3_s2_p1", "avg", (2, 2, 7, 7), 3, 2, 1)
    add_pool("avg_pool2d_k3_s1_p1", "avg", (2, 2, 5, 6), 3, 1, 1)
    add_pool("avg_pool2d_k3_s3", "avg", (2, 2, 9, 8), 3)
    add_pool("max_pool1d_k3_s2_p1", "max", (2, 3, 9), 3, 2, 1)
    add_pool("max_pool1d_k2_s1", "max", (2, 3, 8), 2, 1)
    add_pool("avg_pool1d_k3_s3", "avg", (2, 3, 9), 3)
    add_pool("avg_pool1d_k3_s2_p1", "avg", (2, 3, 7), 3, 2, 1)
    # batch norm
    add_batch_norm("batch_norm_training_4d", (2, 3, 4, 4), True, 1e-5)
    add_batch_norm("batch_norm_inference_4d", (2, 3, 4, 4), False, 1e-3)
    add_batch_norm("batch_norm_training_3d", (2, 4, 5), True, 1e-3)
    add_batch_norm("batch_norm_training_2d", (6, 3), True, 1e-5)
    add_batch_norm("batch_norm_inference_2d", (5, 3), False, 1e-5)


def main():
    gen()
    root = {"metadata": {"generator": "tests/tools/gen_conv_torch.py", "torch_version": torch.__version__,
                         "numpy_version": np.__version__, "python_version": sys.version.split()[0],
                         "num_cases": len(cases)},
            "cases": cases}
    with open(OUT, "w") as f:
        json.dump(root, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(cases)} cases, {os.path.getsize(OUT)} bytes to {OUT}")


if __name__ == "__main__":
    main()
