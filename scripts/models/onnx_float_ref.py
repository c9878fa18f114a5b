"""onnx_float_ref.py - a small numpy interpreter for float ONNX graphs.

Used for calibration (quantize.py, make_resnet18.py): it runs a float model
and returns every intermediate tensor, the way ONNX Runtime's calibrator adds
every tensor as a graph output. Only the ops our float models use are here:
Conv, Relu, Clip, MaxPool, AveragePool, GlobalAveragePool, Add, Mul,
Flatten, Reshape, Gemm, MatMul, Concat, Softmax. NCHW, float32, ceil_mode 0.
"""
import numpy as np
import onnx
from onnx import numpy_helper


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _windows(x, kh, kw, sh, sw, dh, dw):
    """View [N,C,H,W] as [N,C,kh,kw,OH,OW] windows (no copy)."""
    n, c, h, w = x.shape
    oh = (h - dh * (kh - 1) - 1) // sh + 1
    ow = (w - dw * (kw - 1) - 1) // sw + 1
    s = x.strides
    return np.lib.stride_tricks.as_strided(
        x, (n, c, kh, kw, oh, ow),
        (s[0], s[1], s[2] * dh, s[3] * dw, s[2] * sh, s[3] * sw), writeable=False)


def _pad(x, pads, value=0.0):
    pt, pl, pb, pr = pads
    if not any(pads):
        return x
    return np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)), constant_values=value)


def conv(x, w, b, strides=(1, 1), pads=(0, 0, 0, 0), dilations=(1, 1), group=1):
    m, cg, kh, kw = w.shape
    xp = np.ascontiguousarray(_pad(x, pads))
    win = _windows(xp, kh, kw, strides[0], strides[1], dilations[0], dilations[1])
    n, c, _, _, oh, ow = win.shape
    mg = m // group
    outs = []
    for g in range(group):
        cols = win[:, g * cg:(g + 1) * cg].reshape(n, cg * kh * kw, oh * ow)
        wg = w[g * mg:(g + 1) * mg].reshape(mg, cg * kh * kw)
        outs.append(np.matmul(wg, cols))
    y = np.concatenate(outs, axis=1).reshape(n, m, oh, ow)
    if b is not None:
        y = y + b.reshape(1, m, 1, 1)
    # float32 unless the caller computes in float64 (exact integer sums)
    return y.astype(np.float64 if x.dtype == np.float64 else np.float32)


def maxpool(x, kernel, strides, pads):
    xp = np.ascontiguousarray(_pad(x, pads, -np.inf))
    win = _windows(xp, kernel[0], kernel[1], strides[0], strides[1], 1, 1)
    return win.max(axis=(2, 3))


def avgpool(x, kernel, strides, pads, count_include_pad=0):
    xp = np.ascontiguousarray(_pad(x, pads))
    win = _windows(xp, kernel[0], kernel[1], strides[0], strides[1], 1, 1)
    s = win.sum(axis=(2, 3))
    if count_include_pad or not any(pads):
        return (s / (kernel[0] * kernel[1])).astype(np.float32)
    ones = np.ascontiguousarray(_pad(np.ones((1, 1) + x.shape[2:], np.float32), pads))
    cnt = _windows(ones, kernel[0], kernel[1], strides[0], strides[1], 1, 1).sum(axis=(2, 3))
    return (s / cnt).astype(np.float32)


def run(model, feeds):
    """Run a float model; return a dict of every tensor (inputs included)."""
    g = model.graph
    env = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    env.update({k: np.asarray(v) for k, v in feeds.items()})
    for node in g.node:
        a = _attrs(node)
        i = [env[t] if t else None for t in node.input]
        op = node.op_type
        if op == "Conv":
            k = i[1].shape[2:]
            y = conv(i[0], i[1], i[2] if len(i) > 2 else None,
                     a.get("strides", [1, 1]), a.get("pads", [0, 0, 0, 0]),
                     a.get("dilations", [1, 1]), a.get("group", 1))
            assert tuple(a.get("kernel_shape", k)) == tuple(k)
        elif op in ("Identity", "Dropout"):
            y = i[0]
        elif op == "Relu":
            y = np.maximum(i[0], 0)
        elif op == "Clip":
            lo = i[1] if len(i) > 1 and i[1] is not None else -np.inf
            hi = i[2] if len(i) > 2 and i[2] is not None else np.inf
            y = np.clip(i[0], lo, hi)
        elif op == "MaxPool":
            assert not a.get("ceil_mode", 0)
            y = maxpool(i[0], a["kernel_shape"], a.get("strides", [1, 1]),
                        a.get("pads", [0, 0, 0, 0]))
        elif op == "AveragePool":
            assert not a.get("ceil_mode", 0)
            y = avgpool(i[0], a["kernel_shape"], a.get("strides", [1, 1]),
                        a.get("pads", [0, 0, 0, 0]), a.get("count_include_pad", 0))
        elif op == "GlobalAveragePool":
            y = i[0].mean(axis=(2, 3), keepdims=True)
        elif op == "Add":
            y = i[0] + i[1]
        elif op == "Mul":
            y = i[0] * i[1]
        elif op == "Flatten":
            ax = a.get("axis", 1)
            y = i[0].reshape(int(np.prod(i[0].shape[:ax])), -1)
        elif op == "Reshape":
            shape = [d if d != 0 else i[0].shape[j] for j, d in enumerate(i[1])]
            y = i[0].reshape(shape)
        elif op == "Gemm":
            A = i[0].T if a.get("transA", 0) else i[0]
            B = i[1].T if a.get("transB", 0) else i[1]
            y = a.get("alpha", 1.0) * (A @ B)
            if len(i) > 2 and i[2] is not None:
                y = y + a.get("beta", 1.0) * i[2]
        elif op == "MatMul":
            y = np.matmul(i[0], i[1])
        elif op == "Concat":
            y = np.concatenate(i, axis=a["axis"])
        elif op == "Softmax":
            ax = a.get("axis", -1)
            e = np.exp(i[0] - i[0].max(axis=ax, keepdims=True))
            y = e / e.sum(axis=ax, keepdims=True)
        else:
            raise NotImplementedError(f"onnx_float_ref: op {op}")
        env[node.output[0]] = np.asarray(y, dtype=np.float32)
    return env
