#!/usr/bin/python3
"""make_resnet18.py - a ResNet-18-shaped int8 model for benchmarks.

    /usr/bin/python3 scripts/models/make_resnet18.py [--out build/models/resnet18_qop.onnx] [--qdq PATH]

Random weights (fixed seed), so it classifies nothing; it has ResNet-18's
layers and shapes at 224x224: conv 7x7/2 (64) + ReLU, MaxPool 3x3/2, four
stages of two basic blocks (64, 128, 256, 512 channels; the first block of
stages 2-4 has stride 2 and a 1x1/2 projection on the skip path), global
average pool, Flatten, FC 512->1000. BatchNorm is taken as already folded:
every conv has a bias. He-initialised weights, the second conv of each
block scaled down (as trained residual branches are) so the residual
stream grows slowly.

The float graph is built with onnx.helper, calibrated (MinMax) with our
numpy interpreter on a few random normalised images, and quantized with
quantize.py's ORT-style rules: QOperator, uint8 activations, int8
per-channel weights (-64..64, ORT's reduce_range), int32 bias. About 12 MB;
it goes to build/ and is not committed. Needs python3-onnx and
python3-numpy only; takes ~10-30 s on one core.
"""
import argparse
import os
import sys
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, HERE)
import quantize  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))


class Builder:
    def __init__(self, rng):
        self.rng = rng
        self.nodes = []
        self.inits = []

    def conv(self, name, x, cin, cout, k, stride=1, pad=0, relu=True, gain=1.0):
        std = gain * np.sqrt(2.0 / (cin * k * k))
        w = (self.rng.standard_normal((cout, cin, k, k)) * std).astype(np.float32)
        b = (self.rng.standard_normal(cout) * 0.05).astype(np.float32)
        self.inits += [numpy_helper.from_array(w, name + ".weight"),
                       numpy_helper.from_array(b, name + ".bias")]
        out = name + "_out"
        self.nodes.append(helper.make_node(
            "Conv", [x, name + ".weight", name + ".bias"], [out], name,
            kernel_shape=[k, k], strides=[stride, stride], pads=[pad] * 4,
            dilations=[1, 1], group=1))
        if relu:
            self.nodes.append(helper.make_node("Relu", [out], [name + "_relu"], name + "_relu"))
            return name + "_relu"
        return out

    def block(self, name, x, cin, cout, stride):
        y = self.conv(name + ".conv1", x, cin, cout, 3, stride, 1)
        y = self.conv(name + ".conv2", y, cout, cout, 3, 1, 1, relu=False, gain=0.4)
        skip = x
        if stride != 1 or cin != cout:
            skip = self.conv(name + ".downsample", x, cin, cout, 1, stride, 0, relu=False)
        self.nodes.append(helper.make_node("Add", [y, skip], [name + "_add"], name + ".add"))
        self.nodes.append(helper.make_node("Relu", [name + "_add"], [name + "_out"], name + ".relu"))
        return name + "_out"


def build_float(seed=18):
    rng = np.random.default_rng(seed)
    b = Builder(rng)
    x = b.conv("conv1", "input", 3, 64, 7, 2, 3)
    b.nodes.append(helper.make_node("MaxPool", [x], ["maxpool_out"], "maxpool",
                                    kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]))
    x, cin = "maxpool_out", 64
    for stage, cout in enumerate([64, 128, 256, 512], start=1):
        for blk in range(2):
            stride = 2 if (stage > 1 and blk == 0) else 1
            x = b.block(f"layer{stage}.{blk}", x, cin, cout, stride)
            cin = cout
    b.nodes.append(helper.make_node("GlobalAveragePool", [x], ["gap_out"], "gap"))
    b.nodes.append(helper.make_node("Flatten", ["gap_out"], ["flatten_out"], "flatten", axis=1))
    w = (rng.standard_normal((1000, 512)) * np.sqrt(1.0 / 512)).astype(np.float32)
    bias = (rng.standard_normal(1000) * 0.01).astype(np.float32)
    b.inits += [numpy_helper.from_array(w, "fc.weight"), numpy_helper.from_array(bias, "fc.bias")]
    b.nodes.append(helper.make_node("Gemm", ["flatten_out", "fc.weight", "fc.bias"], ["logits"], "fc",
                                    alpha=1.0, beta=1.0, transB=1))
    g = helper.make_graph(
        b.nodes, "resnet18",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, 224, 224])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 1000])], b.inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)],
                          producer_name="layerfab make_resnet18.py")
    m.ir_version = 7
    onnx.checker.check_model(m)
    return m


def calibration_images(n, seed=7):
    """Smooth random images, normalised like ImageNet inputs (roughly -2..2.6)."""
    rng = np.random.default_rng(seed)
    imgs = []
    for _ in range(n):
        small = rng.uniform(0, 1, (3, 28, 28)).astype(np.float32)
        img = small.repeat(8, axis=1).repeat(8, axis=2)           # 224x224 blocks
        img = img + rng.normal(0, 0.05, img.shape).astype(np.float32)
        mean = np.array([0.485, 0.456, 0.406], np.float32).reshape(3, 1, 1)
        std = np.array([0.229, 0.224, 0.225], np.float32).reshape(3, 1, 1)
        imgs.append(((np.clip(img, 0, 1) - mean) / std)[None].astype(np.float32))
    return imgs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "models", "resnet18_qop.onnx"))
    ap.add_argument("--qdq", default=None, help="also write the QDQ form here")
    ap.add_argument("--float-out", default=None, help="also write the float model here")
    ap.add_argument("--calib", type=int, default=2, help="random calibration images")
    args = ap.parse_args()
    t0 = time.time()
    fm = build_float()
    qop, qdq, qparams = quantize.quantize(fm, [{"input": x} for x in calibration_images(args.calib)])
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    qop.doc_string = ("ResNet-18-shaped benchmark model, random weights (seed 18), QOperator int8: "
                      "uint8 activations, int8 per-channel weights (reduce_range), int32 bias")
    onnx.checker.check_model(qop)
    onnx.save(qop, args.out)
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes, {len(qop.graph.node)} nodes)")
    if args.qdq:
        onnx.save(qdq, args.qdq)
        print(f"wrote {args.qdq} ({os.path.getsize(args.qdq)} bytes)")
    if args.float_out:
        onnx.save(fm, args.float_out)
        print(f"wrote {args.float_out} ({os.path.getsize(args.float_out)} bytes)")
    scales = sorted((float(s), k) for k, (z, s) in qparams.items())
    print(f"activation scales {scales[0][0]:.3g} ({scales[0][1]}) .. {scales[-1][0]:.3g} ({scales[-1][1]})")
    print(f"done in {time.time() - t0:.1f} s")


if __name__ == "__main__":
    main()
