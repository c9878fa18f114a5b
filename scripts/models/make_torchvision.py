#!/usr/bin/python3
"""make_torchvision.py - ResNet-50 / MobileNetV2-shaped int8 models for benchmarks.

    /usr/bin/python3 scripts/models/make_torchvision.py --arch resnet50|mobilenet_v2 [--out PATH]

torchvision's architecture with random weights (torch.manual_seed 50 /
2), so it classifies nothing; exported with torch.onnx.export (opset 13,
eval mode: BatchNorm folded into the convs, Dropout gone, ReLU6 as Clip)
with a free batch dimension, then calibrated and quantized exactly as
make_resnet18.py does (scripts/models/quantize.py, ORT-style QOperator:
uint8 activations, int8 per-channel weights with reduce_range, int32
bias; MinMax on make_resnet18.py's smooth random images). Default output
build/models/resnet50_qop.onnx (about 26 MB) or
build/models/mobilenetv2_qop.onnx (about 4 MB); not committed.

BatchNorm statistics: torchvision initialises running mean 0 and
variance 1, so the folded weights are the random conv weights (He
initialised by torchvision) and activations stay in a sane range.

Needs Debian's python3-torch, python3-torchvision, python3-onnx and
python3-numpy; ResNet-50 takes about a minute on one core.
"""
import argparse
import io
import os
import sys
import time

import onnx

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, HERE)
import make_resnet18  # noqa: E402  (calibration images)
import quantize  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))

ARCHS = {
    # arch: (torchvision constructor name, seed, default file name)
    "resnet50": ("resnet50", 50, "resnet50_qop.onnx"),
    "mobilenet_v2": ("mobilenet_v2", 2, "mobilenetv2_qop.onnx"),
}


def export_float(arch):
    import torch
    import torchvision

    ctor, seed, _ = ARCHS[arch]
    torch.manual_seed(seed)
    net = getattr(torchvision.models, ctor)(num_classes=1000).eval()
    buf = io.BytesIO()
    with torch.no_grad():
        torch.onnx.export(net, torch.zeros(1, 3, 224, 224), buf, opset_version=13,
                          input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}},
                          do_constant_folding=True)
    m = onnx.load_from_string(buf.getvalue())
    # Clip's bounds (ReLU6) come out as Constant nodes, and equal folded
    # tensors (the zero BatchNorm biases) as one initializer behind
    # Identity nodes: make each an initializer of its own, which is what
    # the quantizer and its interpreter read.
    inits = {t.name: t for t in m.graph.initializer}
    keep = []
    for n in m.graph.node:
        src = None
        if n.op_type == "Constant" and n.attribute[0].name == "value":
            src = n.attribute[0].t
        elif n.op_type == "Identity" and n.input[0] in inits:
            src = inits[n.input[0]]
        if src is None:
            keep.append(n)
            continue
        t = onnx.TensorProto()
        t.CopyFrom(src)
        t.name = n.output[0]
        m.graph.initializer.append(t)
        inits[t.name] = t
    del m.graph.node[:]
    m.graph.node.extend(keep)
    m.ir_version = 7
    onnx.checker.check_model(m)
    return m


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--arch", required=True, choices=sorted(ARCHS))
    ap.add_argument("--out", default=None)
    ap.add_argument("--calib", type=int, default=2, help="random calibration images")
    args = ap.parse_args()
    out = args.out or os.path.join(ROOT, "build", "models", ARCHS[args.arch][2])
    t0 = time.time()
    fm = export_float(args.arch)
    feeds = [{"input": x} for x in make_resnet18.calibration_images(args.calib)]
    qop, _, qparams = quantize.quantize(fm, feeds)
    qop.doc_string = (f"{args.arch}-shaped benchmark model (torchvision), random weights "
                      f"(seed {ARCHS[args.arch][1]}), QOperator int8: uint8 activations, "
                      "int8 per-channel weights (reduce_range), int32 bias")
    onnx.checker.check_model(qop)
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    onnx.save(qop, out)
    print(f"wrote {out} ({os.path.getsize(out)} bytes, {len(qop.graph.node)} nodes)")
    scales = sorted((float(s), k) for k, (z, s) in qparams.items())
    print(f"activation scales {scales[0][0]:.3g} ({scales[0][1]}) .. {scales[-1][0]:.3g} ({scales[-1][1]})")
    print(f"done in {time.time() - t0:.1f} s")


if __name__ == "__main__":
    main()
