#!/usr/bin/python3
"""make_glue_ops.py - one-node models of the ops exported networks carry
around their quantized layers (float glue, shape arithmetic, data
movement, the com.microsoft QLinear unary/binary ops, dynamic
quantization), for ONNX Runtime to compute the expected outputs.

    /usr/bin/python3 scripts/ort/make_glue_ops.py [--out tests/data/ort/glue]
    node scripts/ort/run_ort.js run tests/data/ort/glue/*

Layout as make_op_models.py (ONNX backend-test folders; activations are
graph inputs, constants are initializers), fixed seeds, one data set per
case. Opset 13 unless the op needs a newer one (HardSwish 14,
LayerNormalization 17), com.microsoft 1. Needs python3-onnx and
python3-numpy (Debian), run with /usr/bin/python3.
"""
import argparse
import os
import shutil

import numpy as np
from onnx import TensorProto as TP, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
MS = "com.microsoft"
NP2TP = {np.float32: TP.FLOAT, np.uint8: TP.UINT8, np.int8: TP.INT8, np.int32: TP.INT32,
         np.int64: TP.INT64, np.bool_: TP.BOOL}


def tp(a):
    return NP2TP[np.asarray(a).dtype.type]


def case(out, name, op, inputs, inits=None, attrs=None, outs=("y",), domain="",
         opset=13, out_types=None):
    """@inputs / @inits: dicts name -> numpy array (order = node input order,
    inputs first, then inits, unless a name is listed in @order)."""
    inits = inits or {}
    names = list(inputs) + list(inits)
    node = helper.make_node(op, names, list(outs), name=op, domain=domain, **(attrs or {}))
    g = helper.make_graph(
        [node], name,
        [helper.make_tensor_value_info(n, tp(a), list(a.shape)) for n, a in inputs.items()],
        [helper.make_tensor_value_info(o, out_types[i] if out_types else TP.UNDEFINED, None)
         for i, o in enumerate(outs)],
        [numpy_helper.from_array(a, n) for n, a in inits.items()])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset),
                                            helper.make_opsetid(MS, 1)])
    m.ir_version = 8
    d = os.path.join(out, name)
    os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
    with open(os.path.join(d, "model.onnx"), "wb") as f:
        f.write(m.SerializeToString())
    for i, (n, a) in enumerate(inputs.items()):
        with open(os.path.join(d, "test_data_set_0", f"input_{i}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(a, n).SerializeToString())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "data", "ort", "glue"))
    args = ap.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    o = args.out
    r = np.random.default_rng(1313)
    f32 = np.float32

    def fx(*shape, s=2.0):
        return (r.standard_normal(shape) * s).astype(f32)

    F = TP.FLOAT
    a, b = fx(2, 3, 4), fx(3, 1)
    case(o, "mul_bcast", "Mul", {"a": a, "b": b}, out_types=[F])
    case(o, "div_bcast", "Div", {"a": a, "b": (np.abs(b) + 0.5).astype(f32)}, out_types=[F])
    case(o, "sub_bcast", "Sub", {"a": a, "b": b}, out_types=[F])
    case(o, "pow_square", "Pow", {"a": a}, {"e": np.array(2.0, f32)}, out_types=[F])
    case(o, "pow_frac", "Pow", {"a": np.abs(a) + f32(0.1)}, {"e": np.array(0.7, f32)},
         out_types=[F])
    x = fx(2, 64, s=3.0)
    case(o, "sqrt", "Sqrt", {"x": np.abs(x)}, out_types=[F])
    case(o, "erf", "Erf", {"x": x}, out_types=[F])
    case(o, "tanh", "Tanh", {"x": x}, out_types=[F])
    case(o, "sigmoid", "Sigmoid", {"x": x}, out_types=[F])
    case(o, "hardsigmoid", "HardSigmoid", {"x": x}, attrs={"alpha": 0.2, "beta": 0.5},
         out_types=[F])
    case(o, "hardswish", "HardSwish", {"x": x}, opset=14, out_types=[F])
    case(o, "leakyrelu", "LeakyRelu", {"x": x}, attrs={"alpha": 0.1}, out_types=[F])
    g = fx(1, 64, 7, 7)
    case(o, "reducemean_hw", "ReduceMean", {"x": g}, attrs={"axes": [2, 3], "keepdims": 1},
         out_types=[F])
    t = fx(2, 16, 64)
    case(o, "reducemean_last", "ReduceMean", {"x": t}, attrs={"axes": [-1]}, out_types=[F])
    case(o, "reducesum", "ReduceSum", {"x": t}, {"axes": np.array([1], np.int64)},
         attrs={"keepdims": 0}, out_types=[F])
    case(o, "reducemax", "ReduceMax", {"x": t}, attrs={"axes": [2], "keepdims": 1},
         out_types=[F])
    case(o, "layernorm", "LayerNormalization", {"x": t},
         {"scale": fx(64, s=1.0), "bias": fx(64, s=0.5)}, attrs={"axis": -1, "epsilon": 1e-5},
         opset=17, out_types=[F])
    u = r.integers(0, 256, (1, 8, 6, 6), dtype=np.uint8)
    case(o, "gather_u8", "Gather", {"x": u}, {"i": np.array([3, 0, -1], np.int64)},
         attrs={"axis": 1}, out_types=[TP.UINT8])
    case(o, "slice_u8", "Slice", {"x": u},
         {"s": np.array([1, 5], np.int64), "e": np.array([7, 0], np.int64),
          "a": np.array([1, 3], np.int64), "p": np.array([2, -2], np.int64)},
         out_types=[TP.UINT8])
    case(o, "split_u8", "Split", {"x": u}, {"sp": np.array([2, 6], np.int64)},
         attrs={"axis": 1}, outs=("y0", "y1"), out_types=[TP.UINT8, TP.UINT8])
    case(o, "concat_f32", "Concat", {"a": a, "b": fx(2, 1, 4)}, attrs={"axis": 1},
         out_types=[F])
    case(o, "unsqueeze", "Unsqueeze", {"x": a}, {"ax": np.array([0, 4], np.int64)},
         out_types=[F])
    case(o, "squeeze", "Squeeze", {"x": fx(2, 1, 4, 1)}, {"ax": np.array([1, 3], np.int64)},
         out_types=[F])
    case(o, "expand", "Expand", {"x": b}, {"s": np.array([2, 3, 4], np.int64)},
         out_types=[F])
    case(o, "where", "Where", {"c": r.integers(0, 2, (3, 4)).astype(np.bool_), "a": a,
                               "b": b}, out_types=[F])
    case(o, "equal_i64", "Equal", {"a": r.integers(0, 3, (3, 4)), "b": r.integers(0, 3, (4,))},
         out_types=[TP.BOOL])
    case(o, "cast_f32_u8", "Cast", {"x": (np.abs(x) * 30).astype(f32)}, attrs={"to": TP.UINT8},
         out_types=[TP.UINT8])
    case(o, "cast_f32_i64", "Cast", {"x": x * 10}, attrs={"to": TP.INT64},
         out_types=[TP.INT64])
    case(o, "cast_i64_f32", "Cast", {"x": r.integers(-1000, 1000, (5, 7))},
         attrs={"to": TP.FLOAT}, out_types=[F])
    case(o, "range_f32", "Range", {"s": np.array(0.3, f32), "l": np.array(7.9, f32),
                                   "d": np.array(0.7, f32)}, out_types=[F])
    case(o, "shape", "Shape", {"x": a}, out_types=[TP.INT64])
    case(o, "dynamicquantizelinear", "DynamicQuantizeLinear", {"x": x},
         outs=("y", "ys", "yz"), out_types=[TP.UINT8, F, TP.UINT8])
    # MatMulInteger after DynamicQuantizeLinear, uint8 weights with zero
    # point (ORT's u8u8 kernel is exact).
    case(o, "matmulinteger_u8", "MatMulInteger",
         {"a": r.integers(0, 256, (2, 5, 16), dtype=np.uint8)},
         {"b": r.integers(0, 256, (16, 8), dtype=np.uint8), "az": np.array(121, np.uint8),
          "bz": np.array(128, np.uint8)}, out_types=[TP.INT32])
    qx = r.integers(0, 256, (2, 8, 5, 5), dtype=np.uint8)
    qp = {"xs": np.array(0.05, f32), "xz": np.array(128, np.uint8),
          "ys": np.array(0.004, f32), "yz": np.array(0, np.uint8)}
    case(o, "qlinearsigmoid", "QLinearSigmoid", {"x": qx}, qp, domain=MS,
         out_types=[TP.UINT8])
    case(o, "qlinearleakyrelu", "QLinearLeakyRelu", {"x": qx},
         {"xs": np.array(0.05, f32), "xz": np.array(128, np.uint8),
          "ys": np.array(0.04, f32), "yz": np.array(100, np.uint8)},
         attrs={"alpha": 0.1}, domain=MS, out_types=[TP.UINT8])
    qb = r.integers(0, 256, (1, 8, 1, 1), dtype=np.uint8)
    node_inputs = {"a": qx}
    inits = {"as": np.array(0.05, f32), "az": np.array(128, np.uint8), "b": qb,
             "bs": np.array(0.01, f32), "bz": np.array(3, np.uint8),
             "cs": np.array(0.06, f32), "cz": np.array(120, np.uint8)}
    case(o, "qlinearmul", "QLinearMul", node_inputs, inits, domain=MS,
         out_types=[TP.UINT8])
    pad_resize_cases(o, r)
    print(f"wrote {len(os.listdir(o))} cases to {o}")


def pad_resize_cases(o, r):
    """Pad and Resize alone (float and uint8), and wrapped in QDQ around a
    conv as ORT's quantizer writes them (DQ -> op -> Q with the same
    parameters; ORT drops that pair around Resize and runs it on uint8)."""
    f32, F, U8 = np.float32, TP.FLOAT, TP.UINT8
    x = (r.standard_normal((1, 3, 5, 6)) * 2).astype(f32)
    u = r.integers(0, 256, (1, 3, 5, 6), dtype=np.uint8)
    i64 = np.int64
    case(o, "pad_constant_f32", "Pad", {"x": x},
         {"p": np.array([0, 0, 1, 2, 0, 1, 2, -1], i64), "v": np.array(1.5, f32)},
         out_types=[F])
    case(o, "pad_reflect_u8", "Pad", {"x": u}, {"p": np.array([0, 0, 2, 3, 0, 0, 4, 1], i64)},
         attrs={"mode": "reflect"}, out_types=[U8])
    case(o, "pad_edge_f32", "Pad", {"x": x}, {"p": np.array([0, 0, 3, 1, 0, 0, 0, 4], i64)},
         attrs={"mode": "edge"}, out_types=[F])
    empty = np.array([], f32)
    case(o, "resize_nearest_f32", "Resize", {"x": x},
         {"roi": empty, "sc": np.array([1, 1, 2, 2], f32)},
         attrs={"mode": "nearest", "coordinate_transformation_mode": "asymmetric",
                "nearest_mode": "floor"}, out_types=[F])
    case(o, "resize_linear_f32", "Resize", {"x": x},
         {"roi": empty, "sc": empty, "sz": np.array([1, 3, 9, 11], i64)},
         attrs={"mode": "linear"}, out_types=[F])
    case(o, "resize_linear_ac_f32", "Resize", {"x": x},
         {"roi": empty, "sc": np.array([1, 1, 2, 2], f32)},
         attrs={"mode": "linear", "coordinate_transformation_mode": "align_corners"},
         out_types=[F])
    case(o, "resize_linear_u8", "Resize", {"x": u},
         {"roi": empty, "sc": np.array([1, 1, 1.5, 2.5], f32)},
         attrs={"mode": "linear"}, out_types=[U8])
    for mode in ("nearest", "linear"):
        qdq_resize_pad(o, r, mode)
    float_matmul_cases(o, r)


def float_matmul_cases(o, r):
    """Float MatMul (batched, as attention's Q.K^T) and Gemm (transB,
    bias): ORT's MLAS SGEMM accumulates each output with FMA, k in order."""
    f32, F = np.float32, TP.FLOAT
    case(o, "matmul_f32", "MatMul",
         {"a": r.standard_normal((4, 16, 16)).astype(f32),
          "b": r.standard_normal((4, 16, 24)).astype(f32)}, out_types=[F])
    case(o, "gemm_f32", "Gemm", {"a": r.standard_normal((3, 64)).astype(f32)},
         {"w": r.standard_normal((10, 64)).astype(f32), "c": r.standard_normal(10).astype(f32)},
         attrs={"transB": 1}, out_types=[F])
    # K = 300 > MLAS's K block (128 here: N = 200 is not small)
    case(o, "matmul_kblock_f32", "MatMul",
         {"a": r.standard_normal((8, 300)).astype(f32),
          "b": r.standard_normal((300, 200)).astype(f32)}, out_types=[F])
    case(o, "gemm_kblock_f32", "Gemm", {"a": r.standard_normal((5, 300)).astype(f32)},
         {"w": r.standard_normal((300, 40)).astype(f32), "c": r.standard_normal((5, 40)).astype(f32)},
         attrs={"alpha": 0.5, "beta": 2.0}, out_types=[F])


def qdq_resize_pad(o, r, mode):
    """u8 x -> DQ -> Resize(2x) -> Q -> DQ -> Pad -> Q -> DQ -> Conv(int8
    per-channel weights, int32 bias) -> Q -> y (u8)."""
    f32, i64 = np.float32, np.int64
    name = f"qdq_resize_{mode}_pad"
    x = r.integers(0, 256, (1, 4, 6, 6), dtype=np.uint8)
    w = r.integers(-64, 65, (8, 4, 3, 3), dtype=np.int8)
    ws = (r.random(8) * 0.01 + 0.005).astype(f32)
    xs, xz = f32(0.03), np.uint8(120)
    b = r.integers(-500, 500, 8).astype(np.int32)
    inits = [
        numpy_helper.from_array(np.array(xs, f32), "xs"),
        numpy_helper.from_array(np.array(xz, np.uint8), "xz"),
        numpy_helper.from_array(w, "w"),
        numpy_helper.from_array(ws, "ws"),
        numpy_helper.from_array(np.zeros(8, np.int8), "wz"),
        numpy_helper.from_array(b, "b"),
        numpy_helper.from_array((ws * xs).astype(f32), "bs"),
        numpy_helper.from_array(np.zeros(8, np.int32), "bz"),
        numpy_helper.from_array(np.array(0.05, f32), "ys"),
        numpy_helper.from_array(np.array(128, np.uint8), "yz"),
        numpy_helper.from_array(np.array([], f32), "roi"),
        numpy_helper.from_array(np.array([1, 1, 2, 2], f32), "sc"),
        numpy_helper.from_array(np.array([0, 0, 1, 1, 0, 0, 1, 1], i64), "pads"),
    ]
    N = helper.make_node
    nodes = [
        N("DequantizeLinear", ["x", "xs", "xz"], ["x_f"]),
        N("Resize", ["x_f", "roi", "sc"], ["r_f"], mode=mode),
        N("QuantizeLinear", ["r_f", "xs", "xz"], ["r_q"]),
        N("DequantizeLinear", ["r_q", "xs", "xz"], ["r_d"]),
        N("Pad", ["r_d", "pads"], ["p_f"], mode="constant"),
        N("QuantizeLinear", ["p_f", "xs", "xz"], ["p_q"]),
        N("DequantizeLinear", ["p_q", "xs", "xz"], ["p_d"]),
        N("DequantizeLinear", ["w", "ws", "wz"], ["w_d"], axis=0),
        N("DequantizeLinear", ["b", "bs", "bz"], ["b_d"], axis=0),
        N("Conv", ["p_d", "w_d", "b_d"], ["c_f"], kernel_shape=[3, 3]),
        N("QuantizeLinear", ["c_f", "ys", "yz"], ["y"]),
    ]
    g = helper.make_graph(
        nodes, name, [helper.make_tensor_value_info("x", TP.UINT8, list(x.shape))],
        [helper.make_tensor_value_info("y", TP.UINT8, None)], inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    d = os.path.join(o, name)
    os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
    with open(os.path.join(d, "model.onnx"), "wb") as f:
        f.write(m.SerializeToString())
    with open(os.path.join(d, "test_data_set_0", "input_0.pb"), "wb") as f:
        f.write(numpy_helper.from_array(x, "x").SerializeToString())


if __name__ == "__main__":
    main()
