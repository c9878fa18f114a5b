#!/usr/bin/python3
"""make_op_models.py - single-op ONNX models and inputs for layerfab's ops.

    /usr/bin/python3 scripts/ort/make_op_models.py [--out tests/data/ort/ops]
    node scripts/ort/run_ort.js ops          # ORT writes output_J.pb
    /usr/bin/python3 scripts/ort/make_op_models.py --check

Each case is a folder in the ONNX backend-test layout: model.onnx (one
node; activations are graph inputs, weights/scales/zero points are
initializers, as in a real quantized model) and test_data_set_K/input_J.pb
(graph inputs in order). Random data with fixed seeds and realistic scales
(activations ~0.02, weights ~0.005 per channel); output scales are chosen
from the float result of the first data set so that a few values saturate.
Opset 13 plus com.microsoft 1.

int8 weights are kept within -64..64 (ORT's reduce_range): on x86 CPUs
without VNNI, ORT's u8s8 kernels multiply with vpmaddubsw, which saturates
a pair of products at int16, so with full-range weights ORT's result is
not the exact integer result and depends on the machine. --check runs an
exact numpy reference of every integer op against the ORT outputs and
fails if they differ, so the committed vectors are machine-independent.

Needs python3-onnx and python3-numpy (Debian), run with /usr/bin/python3.
"""
import argparse
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import TensorProto as TP, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(ROOT, "scripts", "models"))
import onnx_float_ref as fr  # noqa: E402

MS = "com.microsoft"
F32 = np.float32
NP2TP = {np.float32: TP.FLOAT, np.uint8: TP.UINT8, np.int8: TP.INT8, np.int32: TP.INT32,
         np.int64: TP.INT64}
QRANGE = {np.uint8: (0, 255), np.int8: (-128, 127)}


def tp(dtype):
    return NP2TP[np.dtype(dtype).type]


class Case:
    def __init__(self, name, node, inputs, outputs, inits, sets, ref=None, note=""):
        self.name, self.node, self.inputs, self.outputs = name, node, inputs, outputs
        self.inits, self.sets, self.ref, self.note = inits, sets, ref, note

    def model(self):
        g = helper.make_graph(
            [self.node], self.name,
            [helper.make_tensor_value_info(n, tp(a.dtype), list(a.shape)) for n, a in self.sets[0].items()],
            [helper.make_tensor_value_info(n, tp(t), None) for n, t in self.outputs],
            [numpy_helper.from_array(np.asarray(v), k) for k, v in self.inits.items()])
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid(MS, 1)],
                              producer_name="layerfab make_op_models.py")
        m.ir_version = 8
        m.doc_string = self.note
        return m


# ----------------------------------------------------------------------------
# random data


def act(rng, shape, dtype=np.uint8, zp=None, spread=40.0):
    """Quantized activations: normal around the zero point, clipped."""
    lo, hi = QRANGE[np.dtype(dtype).type]
    if zp is None:
        zp = int(rng.integers(lo + 60, hi - 60))
    q = np.clip(np.rint(rng.normal(zp, spread, shape)), lo, hi).astype(dtype)
    return q, zp


def weights(rng, shape, dtype=np.int8, zp=0, lim=64):
    """Weights: normal, int8 within -lim..lim (reduce_range), uint8 around zp."""
    if np.dtype(dtype) == np.int8:
        return np.clip(np.rint(rng.normal(0, lim / 2.5, shape)), -lim, lim).astype(np.int8)
    return np.clip(np.rint(rng.normal(zp, 40, shape)), 0, 255).astype(np.uint8)


def out_qparams(y, dtype, squeeze=0.9):
    """Scale/zero point covering `squeeze` of the float range of y."""
    lo, hi = QRANGE[np.dtype(dtype).type]
    rmin, rmax = min(float(y.min()), 0.0), max(float(y.max()), 0.0)
    scale = F32((rmax - rmin) * squeeze / (hi - lo))
    zp = int(np.clip(np.rint(lo - rmin * squeeze / scale), lo, hi))
    return scale, zp


def scal(v, dtype):
    return np.array(v, dtype=dtype)


# ----------------------------------------------------------------------------
# exact references (integer ops) used by --check


def conv_int(x, xzp, w, wzp, attrs):
    """Exact integer conv: sum (x - xzp)(w - wzp), int64."""
    wz = np.asarray(wzp, np.int64)
    wz = wz.reshape(-1, 1, 1, 1) if wz.ndim else wz
    xi = x.astype(np.int64) - np.int64(xzp)
    wi = w.astype(np.int64) - wz
    acc = fr.conv(xi.astype(np.float64), wi.astype(np.float64), None, attrs.get("strides", [1, 1]),
                  attrs.get("pads", [0, 0, 0, 0]), attrs.get("dilations", [1, 1]), attrs.get("group", 1))
    # float64 sums of integer products are exact (|acc| << 2^53)
    return np.rint(acc).astype(np.int64)


def requant(acc, mult, zp, dtype):
    lo, hi = QRANGE[np.dtype(dtype).type]
    v = acc.astype(np.float32) * np.asarray(mult, np.float32)
    return np.clip(np.rint(v) + zp, lo, hi).astype(dtype)


def ref_qlinearconv(c, feeds):
    I = c.inits
    x = feeds["x"]
    attrs = {a.name: helper.get_attribute_value(a) for a in c.node.attribute}
    acc = conv_int(x, I["x_zp"], I["w"], I["w_zp"], attrs)
    if "b" in I:
        acc = acc + I["b"].reshape(1, -1, 1, 1)
    ws = np.asarray(I["w_scale"], np.float32)
    mult = (F32(I["x_scale"]) * ws / F32(I["y_scale"])).astype(np.float32)
    if mult.ndim:
        mult = mult.reshape(1, -1, 1, 1)
    return [requant(acc, mult, int(I["y_zp"]), I["y_zp"].dtype)]


def ref_convinteger(c, feeds):
    attrs = {a.name: helper.get_attribute_value(a) for a in c.node.attribute}
    I = c.inits
    return [conv_int(feeds["x"], I["x_zp"], I["w"], I["w_zp"], attrs).astype(np.int32)]


def ref_matmulinteger(c, feeds):
    I = c.inits
    a = feeds["a"].astype(np.int64) - np.int64(I["a_zp"])
    b = I["b"].astype(np.int64) - np.asarray(I["b_zp"], np.int64)
    return [np.matmul(a, b).astype(np.int32)]


def ref_qlinearmatmul(c, feeds):
    I = dict(c.inits)
    I.update(feeds)
    a = I["a"].astype(np.int64) - np.int64(I["a_zp"])
    b = I["b"].astype(np.int64) - np.asarray(I["b_zp"], np.int64)
    acc = np.matmul(a, b)
    mult = (F32(I["a_scale"]) * np.asarray(I["b_scale"], np.float32) / F32(I["y_scale"])).astype(np.float32)
    return [requant(acc, mult, int(I["y_zp"]), I["y_zp"].dtype)]


def ref_qgemm(c, feeds):
    I = c.inits
    a = feeds["a"].astype(np.int64) - np.int64(I["a_zp"])
    bzp = np.asarray(I["b_zp"], np.int64)
    b = I["b"].astype(np.int64) - (bzp.reshape(-1, 1) if bzp.ndim else bzp)   # B is [N,K] (transB)
    acc = a @ b.T
    if "c" in I:
        acc = acc + I["c"]
    bs = np.asarray(I["b_scale"], np.float32)
    if "y_scale" in I:
        mult = (F32(I["a_scale"]) * bs / F32(I["y_scale"])).astype(np.float32)
        return [requant(acc, mult, int(I["y_zp"]), I["y_zp"].dtype)]
    return [(acc.astype(np.float32) * (F32(I["a_scale"]) * bs).astype(np.float32)).astype(np.float32)]


def _fma(a, b, c):
    return (np.float64(a) * np.float64(b) + np.float64(c)).astype(np.float32)


def ref_qlinearadd(c, feeds):
    """MLAS AVX2 'XNNFloatMultiply': fma(a, rA, fma(b, rB, zpc - (rA*zpa + rB*zpb)))."""
    I = c.inits
    A, B = feeds["a"], feeds["b"] if "b" in feeds else I["b"]
    rA = F32(I["a_scale"]) / F32(I["y_scale"])
    rB = F32(I["b_scale"]) / F32(I["y_scale"])
    const = F32(int(I["y_zp"])) - F32(F32(rA * F32(int(I["a_zp"]))) + F32(rB * F32(int(I["b_zp"]))))
    A, B = np.broadcast_arrays(A, B)
    t = _fma(B.astype(np.float32), rB, const)
    t = _fma(A.astype(np.float32), rA, t)
    lo, hi = QRANGE[I["y_zp"].dtype.type]
    return [np.clip(np.rint(t), lo, hi).astype(I["y_zp"].dtype)]


def ref_qlinearmul(c, feeds):
    """MLAS MlasQLinearMul (its SSE2 kernel): ((a - za) * (b - zb)) * m + zy in float32,
    a separate multiply and add, m = a_scale * b_scale / y_scale; rint half to even."""
    I = c.inits
    A, B = feeds["a"], feeds["b"]
    m = F32(F32(F32(I["a_scale"]) * F32(I["b_scale"])) / F32(I["y_scale"]))
    A, B = np.broadcast_arrays(A.astype(np.int64) - int(I["a_zp"]), B.astype(np.int64) - int(I["b_zp"]))
    t = (A * B).astype(np.float32) * m
    t = (t + F32(int(I["y_zp"]))).astype(np.float32)
    lo, hi = QRANGE[I["y_zp"].dtype.type]
    return [np.clip(np.rint(t), lo, hi).astype(I["y_zp"].dtype)]


def ref_qlineargap(c, feeds):
    I = c.inits
    cl = [helper.get_attribute_value(a) for a in c.node.attribute if a.name == "channels_last"]
    x = feeds["x"].astype(np.int64)
    axes = (1, 2) if cl and cl[0] else (2, 3)
    hw = x.shape[axes[0]] * x.shape[axes[1]]
    acc = x.sum(axis=axes, keepdims=True) - int(I["x_zp"]) * hw
    mult = F32(I["x_scale"]) / (F32(I["y_scale"]) * F32(hw))
    return [requant(acc, mult, int(I["y_zp"]), I["y_zp"].dtype)]


def ref_quantize(c, feeds):
    I = c.inits
    axis = [helper.get_attribute_value(a) for a in c.node.attribute if a.name == "axis"]
    x = feeds["x"]
    s, z = np.asarray(I["scale"], np.float32), np.asarray(I["zp"])
    if s.ndim:
        shp = [1] * x.ndim
        shp[axis[0] if axis else 1] = -1
        s, z = s.reshape(shp), z.reshape(shp)
    lo, hi = QRANGE[z.dtype.type]
    return [np.clip(np.rint(x / s) + z.astype(np.float32), lo, hi).astype(z.dtype)]


def ref_dequantize(c, feeds):
    I = c.inits
    axis = [helper.get_attribute_value(a) for a in c.node.attribute if a.name == "axis"]
    x = feeds["x"]
    s, z = np.asarray(I["scale"], np.float32), np.asarray(I["zp"])
    if s.ndim:
        shp = [1] * x.ndim
        shp[axis[0] if axis else 1] = -1
        s, z = s.reshape(shp), z.reshape(shp)
    return [((x.astype(np.int64) - z.astype(np.int64)).astype(np.float32) * s).astype(np.float32)]


def ref_maxpool(c, feeds):
    a = {x.name: helper.get_attribute_value(x) for x in c.node.attribute}
    x = feeds["x"]
    y = fr.maxpool(x.astype(np.float32), a["kernel_shape"], a.get("strides", [1, 1]), a.get("pads", [0] * 4))
    return [y.astype(x.dtype)]


# ----------------------------------------------------------------------------
# cases


def qlinearconv(name, seed, xshape, wshape, attrs, xdt=np.uint8, wdt=np.int8, per_channel=True,
                bias=True, nsets=2, note="", squeeze=0.9):
    rng = np.random.default_rng(seed)
    m = wshape[0]
    x_scale = F32(rng.uniform(0.015, 0.025))
    xs = []
    x0, x_zp = act(rng, xshape, xdt)
    xs.append(x0)
    for _ in range(nsets - 1):
        xs.append(act(rng, xshape, xdt, zp=x_zp)[0])
    if np.dtype(wdt) == np.int8:
        w_zp = np.zeros(m, np.int8) if per_channel else scal(0, np.int8)
    else:
        w_zp = scal(int(rng.integers(118, 138)), np.uint8)
        per_channel = False
    w = weights(rng, wshape, wdt, zp=int(w_zp) if w_zp.ndim == 0 else 0)
    w_scale = rng.uniform(0.003, 0.008, m).astype(np.float32) if per_channel else \
        F32(rng.uniform(0.003, 0.008))
    inits = {"x_scale": scal(x_scale, np.float32), "x_zp": scal(x_zp, xdt), "w": w,
             "w_scale": np.asarray(w_scale, np.float32), "w_zp": w_zp}
    if bias:
        inits["b"] = np.rint(rng.normal(0, 3000, m)).astype(np.int32)
    # float result of set 0 -> output scale
    wz = w_zp.astype(np.int64).reshape(-1, 1, 1, 1) if w_zp.ndim else np.int64(w_zp)
    wf = ((w.astype(np.int64) - wz) * (np.asarray(w_scale).reshape(-1, 1, 1, 1)
                                       if per_channel else w_scale)).astype(np.float32)
    xf = ((x0.astype(np.int64) - x_zp) * x_scale).astype(np.float32)
    bf = (inits["b"] * x_scale * np.asarray(w_scale)).astype(np.float32) if bias else None
    yf = fr.conv(xf, wf, bf, attrs.get("strides", [1, 1]), attrs.get("pads", [0] * 4),
                 attrs.get("dilations", [1, 1]), attrs.get("group", 1))
    ydt = xdt
    y_scale, y_zp = out_qparams(yf, ydt, squeeze)
    inits["y_scale"] = scal(y_scale, np.float32)
    inits["y_zp"] = scal(y_zp, ydt)
    ins = ["x", "x_scale", "x_zp", "w", "w_scale", "w_zp", "y_scale", "y_zp"] + (["b"] if bias else [])
    node = helper.make_node("QLinearConv", ins, ["y"], name, **attrs)
    return Case(name, node, [], [("y", ydt)], inits, [{"x": x} for x in xs], ref_qlinearconv, note)


def convinteger(name, seed, xshape, wshape, attrs, wdt=np.uint8):
    rng = np.random.default_rng(seed)
    x0, x_zp = act(rng, xshape)
    x1 = act(rng, xshape, zp=x_zp)[0]
    w_zp = scal(int(rng.integers(118, 138)), np.uint8) if np.dtype(wdt) == np.uint8 else scal(0, np.int8)
    w = weights(rng, wshape, wdt, zp=int(w_zp))
    inits = {"x_zp": scal(x_zp, np.uint8), "w": w, "w_zp": w_zp}
    node = helper.make_node("ConvInteger", ["x", "w", "x_zp", "w_zp"], ["y"], name, **attrs)
    return Case(name, node, [], [("y", np.int32)], inits, [{"x": x0}, {"x": x1}], ref_convinteger)


def matmulinteger(name, seed, ashape, bshape, bdt=np.uint8):
    rng = np.random.default_rng(seed)
    a0, a_zp = act(rng, ashape)
    a1 = act(rng, ashape, zp=a_zp)[0]
    b_zp = scal(int(rng.integers(118, 138)), np.uint8) if np.dtype(bdt) == np.uint8 else scal(0, np.int8)
    b = weights(rng, bshape, bdt, zp=int(b_zp))
    inits = {"b": b, "a_zp": scal(a_zp, np.uint8), "b_zp": b_zp}
    node = helper.make_node("MatMulInteger", ["a", "b", "a_zp", "b_zp"], ["y"], name)
    return Case(name, node, [], [("y", np.int32)], inits, [{"a": a0}, {"a": a1}], ref_matmulinteger)


def qlinearmatmul(name, seed, ashape, bshape, adt=np.uint8, bdt=np.int8, b_input=False, per_col=False):
    rng = np.random.default_rng(seed)
    a_scale = F32(rng.uniform(0.015, 0.025))
    a0, a_zp = act(rng, ashape, adt)
    a1 = act(rng, ashape, adt, zp=a_zp)[0]
    n = bshape[-1]
    if np.dtype(bdt) == np.int8:
        b_zp = np.zeros(n, np.int8) if per_col else scal(0, np.int8)
    else:
        b_zp = scal(int(rng.integers(118, 138)), np.uint8)
    b0 = weights(rng, bshape, bdt, zp=int(b_zp) if b_zp.ndim == 0 else 0)
    b1 = weights(rng, bshape, bdt, zp=int(b_zp) if b_zp.ndim == 0 else 0)
    b_scale = rng.uniform(0.003, 0.008, n).astype(np.float32) if per_col else F32(rng.uniform(0.003, 0.008))
    af = (a0.astype(np.int64) - a_zp) * a_scale
    bf = (b0.astype(np.int64) - np.asarray(b_zp, np.int64)) * b_scale
    y_scale, y_zp = out_qparams(np.matmul(af, bf), adt)
    inits = {"a_scale": scal(a_scale, np.float32), "a_zp": scal(a_zp, adt), "b_scale": np.asarray(b_scale, np.float32),
             "b_zp": b_zp, "y_scale": scal(y_scale, np.float32), "y_zp": scal(y_zp, adt)}
    if b_input:
        sets = [{"a": a0, "b": b0}, {"a": a1, "b": b1}]
    else:
        inits["b"] = b0
        sets = [{"a": a0}, {"a": a1}]
    node = helper.make_node("QLinearMatMul", ["a", "a_scale", "a_zp", "b", "b_scale", "b_zp", "y_scale", "y_zp"],
                            ["y"], name)
    return Case(name, node, [], [("y", adt)], inits, sets, ref_qlinearmatmul)


def qgemm(name, seed, m, k, n, bdt=np.int8, per_col=True, bias=True, float_out=False):
    rng = np.random.default_rng(seed)
    a_scale = F32(rng.uniform(0.015, 0.025))
    a0, a_zp = act(rng, (m, k))
    a1 = act(rng, (m, k), zp=a_zp)[0]
    if np.dtype(bdt) == np.int8:
        b_zp = np.zeros(n, np.int8) if per_col else scal(0, np.int8)
    else:
        b_zp, per_col = scal(int(rng.integers(118, 138)), np.uint8), False
    b = weights(rng, (n, k), bdt, zp=int(b_zp) if b_zp.ndim == 0 else 0)
    b_scale = rng.uniform(0.003, 0.008, n).astype(np.float32) if per_col else F32(rng.uniform(0.003, 0.008))
    inits = {"a_scale": scal(a_scale, np.float32), "a_zp": scal(a_zp, np.uint8), "b": b,
             "b_scale": np.asarray(b_scale, np.float32), "b_zp": b_zp}
    ins = ["a", "a_scale", "a_zp", "b", "b_scale", "b_zp"]
    if bias:
        inits["c"] = np.rint(rng.normal(0, 3000, n)).astype(np.int32)
    ins.append("c" if bias else "")
    af = (a0.astype(np.int64) - a_zp) * a_scale
    bz = np.asarray(b_zp, np.int64)
    bf = (b.astype(np.int64) - (bz.reshape(-1, 1) if bz.ndim else bz)) * \
        (np.asarray(b_scale).reshape(-1, 1) if per_col else b_scale)
    yf = af @ bf.T + ((inits["c"] * a_scale * np.asarray(b_scale)) if bias else 0)
    odt = np.float32
    if not float_out:
        y_scale, y_zp = out_qparams(yf, np.uint8)
        inits["y_scale"] = scal(y_scale, np.float32)
        inits["y_zp"] = scal(y_zp, np.uint8)
        ins += ["y_scale", "y_zp"]
        odt = np.uint8
    node = helper.make_node("QGemm", ins, ["y"], name, domain=MS, transB=1)
    return Case(name, node, [], [("y", odt)], inits, [{"a": a0}, {"a": a1}], ref_qgemm)


def qlinearadd(name, seed, ashape, bshape, dt=np.uint8, b_const=False):
    rng = np.random.default_rng(seed)
    a_scale, b_scale = F32(rng.uniform(0.015, 0.03)), F32(rng.uniform(0.015, 0.03))
    a0, a_zp = act(rng, ashape, dt)
    a1 = act(rng, ashape, dt, zp=a_zp)[0]
    b0, b_zp = act(rng, bshape, dt)
    b1 = act(rng, bshape, dt, zp=b_zp)[0]
    yf = (a0.astype(np.int64) - a_zp) * a_scale + (b0.astype(np.int64) - b_zp) * b_scale
    y_scale, y_zp = out_qparams(yf, dt)
    inits = {"a_scale": scal(a_scale, np.float32), "a_zp": scal(a_zp, dt), "b_scale": scal(b_scale, np.float32),
             "b_zp": scal(b_zp, dt), "y_scale": scal(y_scale, np.float32), "y_zp": scal(y_zp, dt)}
    if b_const:
        inits["b"] = b0
        sets = [{"a": a0}, {"a": a1}]
    else:
        sets = [{"a": a0, "b": b0}, {"a": a1, "b": b1}]
    node = helper.make_node("QLinearAdd", ["a", "a_scale", "a_zp", "b", "b_scale", "b_zp", "y_scale", "y_zp"],
                            ["y"], name, domain=MS)
    return Case(name, node, [], [("y", dt)], inits, sets, ref_qlinearadd)


def qlinearmul(name, seed, ashape, bshape, dt=np.uint8):
    """com.microsoft QLinearMul; a squeeze-excite gate b in [0, 1] (scale 1/255)."""
    rng = np.random.default_rng(seed)
    a_scale, b_scale = F32(rng.uniform(0.015, 0.03)), F32(1.0 / 255.0)
    a0, a_zp = act(rng, ashape, dt)
    a1 = act(rng, ashape, dt, zp=a_zp)[0]
    lo = QRANGE[np.dtype(dt).type][0]
    b_zp = lo
    b0 = rng.integers(lo, lo + 256, bshape).astype(dt)
    b1 = rng.integers(lo, lo + 256, bshape).astype(dt)
    yf = (a0.astype(np.int64) - a_zp) * a_scale * ((b0.astype(np.int64) - b_zp) * b_scale)
    y_scale, y_zp = out_qparams(yf, dt)
    inits = {"a_scale": scal(a_scale, np.float32), "a_zp": scal(a_zp, dt), "b_scale": scal(b_scale, np.float32),
             "b_zp": scal(b_zp, dt), "y_scale": scal(y_scale, np.float32), "y_zp": scal(y_zp, dt)}
    sets = [{"a": a0, "b": b0}, {"a": a1, "b": b1}]
    node = helper.make_node("QLinearMul", ["a", "a_scale", "a_zp", "b", "b_scale", "b_zp", "y_scale", "y_zp"],
                            ["y"], name, domain=MS)
    return Case(name, node, [], [("y", dt)], inits, sets, ref_qlinearmul)


def qlineargap(name, seed, shape, channels_last=0):
    rng = np.random.default_rng(seed)
    x_scale = F32(rng.uniform(0.015, 0.025))
    x0, x_zp = act(rng, shape)
    x1 = act(rng, shape, zp=x_zp)[0]
    axes = (1, 2) if channels_last else (2, 3)
    yf = ((x0.astype(np.int64) - x_zp) * x_scale).mean(axis=axes)
    y_scale, y_zp = out_qparams(yf, np.uint8, 0.95)
    inits = {"x_scale": scal(x_scale, np.float32), "x_zp": scal(x_zp, np.uint8),
             "y_scale": scal(y_scale, np.float32), "y_zp": scal(y_zp, np.uint8)}
    node = helper.make_node("QLinearGlobalAveragePool", ["x", "x_scale", "x_zp", "y_scale", "y_zp"], ["y"],
                            name, domain=MS, channels_last=channels_last)
    return Case(name, node, [], [("y", np.uint8)], inits, [{"x": x0}, {"x": x1}], ref_qlineargap)


def qlinearavgpool(name, seed, shape, **attrs):
    rng = np.random.default_rng(seed)
    x_scale = F32(rng.uniform(0.015, 0.025))
    x0, x_zp = act(rng, shape)
    x1 = act(rng, shape, zp=x_zp)[0]
    xf = ((x0.astype(np.int64) - x_zp) * x_scale).astype(np.float32)
    yf = fr.avgpool(xf, attrs["kernel_shape"], attrs.get("strides", [1, 1]), attrs.get("pads", [0] * 4),
                    attrs.get("count_include_pad", 0))
    y_scale, y_zp = out_qparams(yf, np.uint8, 0.95)
    inits = {"x_scale": scal(x_scale, np.float32), "x_zp": scal(x_zp, np.uint8),
             "y_scale": scal(y_scale, np.float32), "y_zp": scal(y_zp, np.uint8)}
    node = helper.make_node("QLinearAveragePool", ["x", "x_scale", "x_zp", "y_scale", "y_zp"], ["y"], name,
                            domain=MS, **attrs)
    return Case(name, node, [], [("y", np.uint8)], inits, [{"x": x0}, {"x": x1}])


def qlinearconcat(name, seed, shapes, axis):
    rng = np.random.default_rng(seed)
    inits = {}
    ins = ["y_scale", "y_zp"]
    sets = [{}, {}]
    for i, shp in enumerate(shapes):
        s = F32(rng.uniform(0.01, 0.03))
        x0, zp = act(rng, shp)
        x1 = act(rng, shp, zp=zp)[0]
        inits[f"x{i}_scale"], inits[f"x{i}_zp"] = scal(s, np.float32), scal(zp, np.uint8)
        ins += [f"x{i}", f"x{i}_scale", f"x{i}_zp"]
        sets[0][f"x{i}"], sets[1][f"x{i}"] = x0, x1
    inits["y_scale"], inits["y_zp"] = scal(F32(0.02), np.float32), scal(128, np.uint8)
    node = helper.make_node("QLinearConcat", ins, ["y"], name, domain=MS, axis=axis)
    return Case(name, node, [], [("y", np.uint8)], inits, sets)


def quantizelinear(name, seed, shape, dt, scale, zp, axis=None, xs=None):
    rng = np.random.default_rng(seed)
    if xs is None:
        xs = [rng.normal(0, 1.5, shape).astype(np.float32) for _ in range(2)]
    inits = {"scale": np.asarray(scale, np.float32), "zp": np.asarray(zp, dt)}
    kw = {"axis": axis} if axis is not None else {}
    node = helper.make_node("QuantizeLinear", ["x", "scale", "zp"], ["y"], name, **kw)
    return Case(name, node, [], [("y", dt)], inits, [{"x": x} for x in xs], ref_quantize)


def dequantizelinear(name, seed, shape, dt, scale, zp, axis=None):
    rng = np.random.default_rng(seed)
    lo, hi = QRANGE[np.dtype(dt).type] if np.dtype(dt) != np.int32 else (-100000, 100000)
    xs = [rng.integers(lo, hi + 1, shape).astype(dt) for _ in range(2)]
    inits = {"scale": np.asarray(scale, np.float32), "zp": np.asarray(zp, dt)}
    kw = {"axis": axis} if axis is not None else {}
    node = helper.make_node("DequantizeLinear", ["x", "scale", "zp"], ["y"], name, **kw)
    return Case(name, node, [], [("y", np.float32)], inits, [{"x": x} for x in xs], ref_dequantize)


def simple(name, seed, op, shape, dt, attrs=None, inits=None, extra_inputs=(), out_dt=None, ref=None,
           domain=None):
    rng = np.random.default_rng(seed)
    if np.dtype(dt) == np.float32:
        xs = [rng.normal(0, 1.5, shape).astype(np.float32) for _ in range(2)]
    else:
        xs = [act(rng, shape, dt)[0] for _ in range(2)]
    kw = dict(attrs or {})
    if domain:
        kw["domain"] = domain
    node = helper.make_node(op, ["x"] + list(extra_inputs), ["y"], name, **kw)
    return Case(name, node, [], [("y", out_dt or dt)], dict(inits or {}), [{"x": x} for x in xs], ref)


def cases():
    c = []
    P1 = [1, 1, 1, 1]
    c.append(qlinearconv("qlinearconv_3x3_pad1", 101, (1, 8, 10, 10), (16, 8, 3, 3),
                         dict(kernel_shape=[3, 3], pads=P1), note="u8 x, s8 per-channel w, int32 bias"))
    c.append(qlinearconv("qlinearconv_5x5_s2_asympads", 102, (1, 4, 15, 13), (8, 4, 5, 5),
                         dict(kernel_shape=[5, 5], strides=[2, 2], pads=[1, 2, 2, 1])))
    c.append(qlinearconv("qlinearconv_grouped", 103, (1, 8, 9, 9), (12, 4, 3, 3),
                         dict(kernel_shape=[3, 3], pads=P1, group=2)))
    c.append(qlinearconv("qlinearconv_depthwise", 104, (1, 8, 9, 9), (8, 1, 3, 3),
                         dict(kernel_shape=[3, 3], pads=P1, group=8)))
    c.append(qlinearconv("qlinearconv_depthwise_mult2", 105, (1, 6, 9, 9), (12, 1, 3, 3),
                         dict(kernel_shape=[3, 3], pads=P1, group=6)))
    c.append(qlinearconv("qlinearconv_dilation2", 106, (1, 4, 12, 12), (8, 4, 3, 3),
                         dict(kernel_shape=[3, 3], pads=[2, 2, 2, 2], dilations=[2, 2])))
    c.append(qlinearconv("qlinearconv_pertensor_nobias", 107, (1, 8, 8, 8), (8, 8, 3, 3),
                         dict(kernel_shape=[3, 3]), per_channel=False, bias=False))
    c.append(qlinearconv("qlinearconv_u8_weights", 108, (1, 8, 8, 8), (8, 8, 3, 3),
                         dict(kernel_shape=[3, 3], pads=P1), wdt=np.uint8, note="u8 w, w_zp != 0"))
    c.append(qlinearconv("qlinearconv_s8_act", 109, (1, 8, 8, 8), (16, 8, 3, 3),
                         dict(kernel_shape=[3, 3], pads=P1), xdt=np.int8, note="s8 x and y, s8 w"))
    c.append(qlinearconv("qlinearconv_1x7", 110, (1, 4, 9, 11), (8, 4, 1, 7),
                         dict(kernel_shape=[1, 7], pads=[0, 3, 0, 3])))
    c.append(qlinearconv("qlinearconv_1x1_s2_batch2", 111, (2, 16, 8, 8), (8, 16, 1, 1),
                         dict(kernel_shape=[1, 1], strides=[2, 2])))
    c.append(qlinearconv("qlinearconv_saturate", 112, (1, 8, 8, 8), (16, 8, 3, 3),
                         dict(kernel_shape=[3, 3], pads=P1), squeeze=0.4,
                         note="output range 40% of the real range: many outputs clamp at 0/255"))
    c.append(qlinearconv("qlinearconv_3x3_s2_even", 113, (1, 8, 12, 12), (16, 8, 3, 3),
                         dict(kernel_shape=[3, 3], strides=[2, 2], pads=P1)))

    c.append(qlinearmatmul("qlinearmatmul_2d_u8u8", 201, (5, 16), (16, 12), bdt=np.uint8))
    c.append(qlinearmatmul("qlinearmatmul_2d_u8s8", 202, (5, 16), (16, 12)))
    c.append(qlinearmatmul("qlinearmatmul_3d_u8s8_batched", 203, (3, 5, 16), (3, 16, 12), b_input=True))
    c.append(qlinearmatmul("qlinearmatmul_3d_u8_bcast_b", 204, (2, 5, 16), (16, 12), bdt=np.uint8))
    c.append(qlinearmatmul("qlinearmatmul_2d_s8s8", 205, (5, 16), (16, 12), adt=np.int8))
    c.append(qlinearmatmul("qlinearmatmul_2d_u8s8_percol", 206, (5, 16), (16, 12), per_col=True))

    c.append(convinteger("convinteger_u8u8_pad1", 301, (1, 4, 8, 8), (8, 4, 3, 3),
                         dict(kernel_shape=[3, 3], pads=P1)))
    c.append(convinteger("convinteger_u8s8_s2", 302, (1, 4, 9, 9), (8, 4, 3, 3),
                         dict(kernel_shape=[3, 3], strides=[2, 2]), wdt=np.int8))
    c.append(matmulinteger("matmulinteger_u8u8", 303, (4, 16), (16, 8)))
    c.append(matmulinteger("matmulinteger_u8s8_3d", 304, (2, 4, 16), (16, 8), bdt=np.int8))

    c.append(quantizelinear("quantizelinear_u8", 401, (2, 3, 6, 6), np.uint8, 0.0196, 128))
    c.append(quantizelinear("quantizelinear_s8_axis1", 402, (1, 4, 5, 5), np.int8,
                            [0.01, 0.02, 0.015, 0.03], [0, -3, 5, 10], axis=1))
    ties = np.arange(-40, 41, dtype=np.float32) / 16  # exact multiples of scale/2
    c.append(quantizelinear("quantizelinear_ties_saturate", 403, None, np.uint8, 0.125, 10,
                            xs=[ties, ties * 8]))
    c.append(dequantizelinear("dequantizelinear_u8", 411, (2, 3, 6, 6), np.uint8, 0.0196, 128))
    c.append(dequantizelinear("dequantizelinear_s8_axis1", 412, (1, 4, 5, 5), np.int8,
                              [0.01, 0.02, 0.015, 0.03], [0, -3, 5, 10], axis=1))
    c.append(dequantizelinear("dequantizelinear_i32", 413, (16,), np.int32, 0.0001, 0))

    c.append(simple("maxpool_u8_3x3_s2_p1", 501, "MaxPool", (1, 4, 11, 11), np.uint8,
                    dict(kernel_shape=[3, 3], strides=[2, 2], pads=P1), ref=ref_maxpool))
    c.append(simple("maxpool_s8_2x2", 502, "MaxPool", (1, 4, 8, 8), np.int8,
                    dict(kernel_shape=[2, 2], strides=[2, 2]), ref=ref_maxpool))
    c.append(simple("maxpool_f32_3x3_s2_p1", 503, "MaxPool", (1, 4, 11, 11), np.float32,
                    dict(kernel_shape=[3, 3], strides=[2, 2], pads=P1)))
    c.append(simple("averagepool_f32_3x3_s2_p1_excl", 511, "AveragePool", (1, 4, 11, 11), np.float32,
                    dict(kernel_shape=[3, 3], strides=[2, 2], pads=P1)))
    c.append(simple("averagepool_f32_3x3_s1_p1_incl", 512, "AveragePool", (1, 4, 7, 7), np.float32,
                    dict(kernel_shape=[3, 3], pads=P1, count_include_pad=1)))
    c.append(simple("globalaveragepool_f32", 513, "GlobalAveragePool", (2, 8, 7, 7), np.float32))

    c.append(qlinearadd("qlinearadd_u8", 601, (1, 8, 6, 6), (1, 8, 6, 6)))
    c.append(qlinearadd("qlinearadd_u8_bcast_channel", 602, (1, 8, 6, 6), (1, 8, 1, 1)))
    c.append(qlinearadd("qlinearadd_u8_scalar_b", 603, (1, 8, 6, 6), (1,), b_const=True))
    c.append(qlinearadd("qlinearadd_s8", 604, (1, 8, 6, 6), (1, 8, 6, 6), dt=np.int8))
    c.append(qlinearmul("qlinearmul_u8_se", 611, (1, 70, 5, 5), (1, 70, 1, 1)))
    c.append(qlinearmul("qlinearmul_s8_se_batch3", 612, (3, 70, 5, 5), (3, 70, 1, 1), dt=np.int8))
    c.append(qlinearmul("qlinearmul_u8", 613, (1, 8, 6, 6), (1, 8, 6, 6)))
    c.append(qlineargap("qlinearglobalaveragepool_nchw", 611, (2, 8, 7, 7)))
    c.append(qlineargap("qlinearglobalaveragepool_nhwc", 612, (1, 5, 5, 8), channels_last=1))
    c.append(qlinearavgpool("qlinearaveragepool_2x2_s2", 621, (1, 4, 8, 8), kernel_shape=[2, 2], strides=[2, 2]))
    c.append(qlinearavgpool("qlinearaveragepool_3x3_p1_excl", 622, (1, 4, 7, 7), kernel_shape=[3, 3], pads=P1))
    c.append(qlinearavgpool("qlinearaveragepool_3x3_s2_p1_incl", 623, (1, 4, 9, 9), kernel_shape=[3, 3],
                            strides=[2, 2], pads=P1, count_include_pad=1))
    c.append(qgemm("qgemm_u8s8_percol_bias", 631, 4, 32, 10))
    c.append(qgemm("qgemm_u8u8_pertensor_nobias", 632, 3, 24, 8, bdt=np.uint8, bias=False))
    c.append(qgemm("qgemm_u8s8_float_out", 633, 4, 32, 10, float_out=True))
    c.append(qlinearconcat("qlinearconcat_u8_axis1", 641, [(1, 3, 4, 4), (1, 5, 4, 4)], 1))

    c.append(simple("relu_f32", 701, "Relu", (2, 3, 4, 4), np.float32))
    c.append(simple("clip_f32_0_6", 702, "Clip", (2, 3, 4, 4), np.float32, extra_inputs=["lo", "hi"],
                    inits={"lo": scal(0, np.float32), "hi": scal(6, np.float32)}))
    c.append(simple("clip_u8", 703, "Clip", (2, 3, 4, 4), np.uint8, extra_inputs=["lo", "hi"],
                    inits={"lo": scal(100, np.uint8), "hi": scal(200, np.uint8)}))
    c.append(simple("softmax_f32", 704, "Softmax", (4, 10), np.float32, dict(axis=-1)))
    c.append(simple("flatten_u8", 705, "Flatten", (2, 8, 1, 1), np.uint8, dict(axis=1)))
    c.append(simple("flatten_f32_axis2", 706, "Flatten", (2, 3, 4, 5), np.float32, dict(axis=2)))
    c.append(simple("reshape_u8", 707, "Reshape", (2, 4, 3, 3), np.uint8, extra_inputs=["shape"],
                    inits={"shape": np.array([2, -1], np.int64)}))
    return c


# ----------------------------------------------------------------------------


def write(out):
    if os.path.isdir(out):
        shutil.rmtree(out)
    for case in cases():
        d = os.path.join(out, case.name)
        os.makedirs(d)
        m = case.model()
        # (no onnx.checker: graph outputs carry no shape; ORT validates on load)
        onnx.save(m, os.path.join(d, "model.onnx"))
        names = [i.name for i in m.graph.input]
        for k, feeds in enumerate(case.sets):
            sd = os.path.join(d, f"test_data_set_{k}")
            os.makedirs(sd)
            for j, n in enumerate(names):
                onnx.save_tensor(numpy_helper.from_array(feeds[n], n), os.path.join(sd, f"input_{j}.pb"))
    print(f"wrote {len(cases())} single-op models under {out}")


def check(out):
    """Compare ORT's outputs with the exact numpy references."""
    bad = 0
    checked = 0
    for case in cases():
        if case.ref is None:
            continue
        d = os.path.join(out, case.name)
        m = onnx.load(os.path.join(d, "model.onnx"))
        names = [i.name for i in m.graph.input]
        for k in range(len(case.sets)):
            sd = os.path.join(d, f"test_data_set_{k}")
            feeds = {n: numpy_helper.to_array(onnx.load_tensor(os.path.join(sd, f"input_{j}.pb")))
                     for j, n in enumerate(names)}
            path = os.path.join(sd, "output_0.pb")
            if not os.path.exists(path):
                print(f"{case.name}/{k}: no ORT output (run run_ort.js ops)")
                bad += 1
                continue
            got = numpy_helper.to_array(onnx.load_tensor(path))
            want = case.ref(case, feeds)[0]
            checked += 1
            if got.shape != want.shape or got.dtype != want.dtype:
                print(f"{case.name}/{k}: shape/type {got.shape} {got.dtype} vs reference {want.shape} {want.dtype}")
                bad += 1
            elif not np.array_equal(got, want):
                diff = np.abs(got.astype(np.float64) - want.astype(np.float64))
                print(f"{case.name}/{k}: ORT differs from exact reference in {np.count_nonzero(diff)}"
                      f"/{diff.size} values, max {diff.max()}")
                bad += 1
    print(f"check: {checked - bad} passed, {bad} failed")
    return bad == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "data", "ort", "ops"))
    ap.add_argument("--check", action="store_true", help="compare ORT outputs with exact references")
    args = ap.parse_args()
    if args.check:
        sys.exit(0 if check(args.out) else 1)
    write(args.out)


if __name__ == "__main__":
    main()
