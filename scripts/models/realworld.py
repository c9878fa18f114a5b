#!/usr/bin/python3
"""realworld.py - quantized torchvision CNNs and a transformer encoder, as
people export them, with ONNX Runtime's outputs as the expected ones.

    /usr/bin/python3 scripts/models/realworld.py --out DIR [--only NAME,...]
        [--list] [--images N] [--skip-ort]

For every case NAME it writes DIR/NAME/model.onnx and
DIR/NAME/test_data_set_0/{input_0,output_0}.pb (the ONNX backend-test
layout `layerfab conformance --device DEV` and the tests read). Cases are
FAMILY-FLOW:

  families  resnet18 mobilenet_v2 mobilenet_v3_small squeezenet1_1
            shufflenet_v2_x0_5 googlenet mnasnet0_5 (torchvision
            architectures, seeded random weights), resnet50 (qdq flow
            only), encoder (a 2-layer nn.TransformerEncoder, d_model 64,
            4 heads)
  flows     fx-qnnpack, fx-x86   torch.ao.quantization FX (prepare_fx /
                                 convert_fx) with the default qconfig
                                 mapping of the backend; FX's quantized
                                 cat does not export (torch 1.13), so it
                                 is rewritten as DQ -> cat -> Q with its
                                 own scale and zero point
            eager-qnnpack, eager-x86  torchvision.models.quantization
                                 (fuse_model, prepare, convert): only the
                                 families torchvision has there
            qdq                  ONNX Runtime's QDQ format (what its
                                 quantize_static writes with
                                 per_channel=True: int8 symmetric weights
                                 -127..127, uint8 activations, int32 bias
                                 through DequantizeLinear, MinMax), by
                                 scripts/models/quantize.py's QDQ writer on
                                 the float export; calibration ranges from
                                 ORT itself (npm) on the float model with
                                 ReduceMin/ReduceMax outputs, as ORT's
                                 MinMaxCalibrater does (onnxruntime's
                                 Python package is not installable here)
            dyn                  (encoder) ORT's dynamic quantization of the
                                 MatMuls: DynamicQuantizeLinear +
                                 MatMulInteger + Mul by the scales
  export    torch.onnx.export, opset 13, batch 1, 3x224x224 (encoder:
            1x16x64 float)

Weights: torch.manual_seed per family, then BatchNorm statistics
re-estimated (train mode, cumulative average, no gradient) on Fashion-MNIST
training images made 3x224x224 (bilinear upscaling, grey to 3 channels,
ImageNet normalisation), so activations have realistic ranges.
Calibration: the next images. Input of set 0: test image 0.

Expected outputs: ONNX Runtime (onnxruntime-node from npm, 1 thread,
graph optimisation 'all', scripts/ort/run_ort.js run) on a twin of each
model whose int8 weights are uint8 (w + 128, zero point + 128): on AVX2
CPUs without VNNI, ORT's u8s8 kernels saturate 16-bit pair sums for
full-range int8 weights, and its u8u8 kernels give the exact integer
result, which is the same integer computation as the original model's.

Needs Debian's python3-torch, python3-torchvision, python3-onnx,
python3-numpy, dataset-fashion-mnist, and node + onnxruntime-node in
build/ort (scripts/ort/gen_vectors.sh installs it). `make realworld` runs
it for every case into build/realworld and runs them on each device;
tests/data/realworld holds the small committed ones.
"""
import argparse
import copy
import os
import shutil
import subprocess
import sys
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)

FAMILIES = ["resnet18", "mobilenet_v2", "mobilenet_v3_small", "squeezenet1_1",
            "shufflenet_v2_x0_5", "googlenet", "mnasnet0_5"]
CNN_FLOWS = ["fx-qnnpack", "fx-x86", "eager-qnnpack", "eager-x86", "qdq"]
# torchvision.models.quantization builders (eager flow).
EAGER = {"resnet18": "resnet18", "mobilenet_v2": "mobilenet_v2",
         "mobilenet_v3_small": None, "shufflenet_v2_x0_5": "shufflenet_v2_x0_5",
         "googlenet": "googlenet"}


# Families made in ORT's QDQ format only (the PyTorch flows add nothing
# new for them and take long).
QDQ_ONLY = ["resnet50"]


def all_cases():
    cases = [f"{f}-{fl}" for f in FAMILIES for fl in CNN_FLOWS]
    # encoder-qdq (--only) is made but not in the set: ORT fuses its
    # QDQ Softmax/MatMul/LayerNorm glue into kernels (QLinearSoftmax,
    # SkipLayerNormalization, ...) whose arithmetic layerfab does not
    # reproduce; it differs by a quantization step.
    return cases + [f"{f}-qdq" for f in QDQ_ONLY] + ["encoder-dyn"]


# ---------------------------------------------------------------- data

def fmnist_images(first, count):
    """Fashion-MNIST training images [first, first+count) as float32
    [count, 3, 224, 224], ImageNet-normalised."""
    import torch
    import fmnist_data
    x, _ = fmnist_data.load("train")
    t = torch.from_numpy(x[first:first + count].astype(np.float32) / 255.0)[:, None]
    t = torch.nn.functional.interpolate(t, size=(224, 224), mode="bilinear",
                                        align_corners=False).repeat(1, 3, 1, 1)
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    return (t - mean) / std


def test_image():
    import torch
    import fmnist_data
    x, _ = fmnist_data.load("t10k")
    t = torch.from_numpy(x[:1].astype(np.float32) / 255.0)[:, None]
    t = torch.nn.functional.interpolate(t, size=(224, 224), mode="bilinear",
                                        align_corners=False).repeat(1, 3, 1, 1)
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    return (t - mean) / std


def encoder_inputs(seed, count):
    import torch
    g = torch.Generator().manual_seed(seed)
    return torch.randn(count, 16, 64, generator=g)


# ---------------------------------------------------------------- models

def reestimate_bn(model, images, batch=16):
    """BatchNorm running statistics from @images (cumulative average)."""
    import torch
    bns = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None
    model.train()
    with torch.no_grad():
        for i in range(0, len(images), batch):
            model(images[i:i + batch])
    model.eval()


def family_seed(family):
    return sum(ord(c) for c in family)


def float_model(family, eager=False):
    import torch
    import torchvision
    torch.manual_seed(family_seed(family))
    kw = {"weights": None}
    if family == "googlenet":
        kw.update(aux_logits=False, init_weights=True)
    if eager:
        import torchvision.models.quantization as tq
        m = getattr(tq, EAGER[family])(quantize=False, **kw)
    else:
        m = getattr(torchvision.models, family)(**kw)
    m.eval()
    return m


class Encoder:
    """Factory of the 2-layer transformer encoder (GELU, LayerNorm)."""

    @staticmethod
    def make():
        import torch
        torch.manual_seed(64)
        layer = torch.nn.TransformerEncoderLayer(d_model=64, nhead=4, dim_feedforward=128,
                                                 dropout=0.0, activation="gelu",
                                                 batch_first=True)
        m = torch.nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
        m.eval()
        return m


def export(model, example, path):
    import torch
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, example, path, opset_version=13,
                          input_names=["input"], output_names=["output"],
                          do_constant_folding=True)


def engine_for(backend):
    """Debian's torch has the qnnpack and onednn engines, not fbgemm: the
    x86 configs (per-channel weights, reduce_range) run on onednn."""
    import torch
    if backend == "x86" and "x86" not in torch.backends.quantized.supported_engines:
        return "onednn"
    return backend


def fx_float_cat(gm, example):
    """torch.cat on quantized tensors has no ONNX export (torch 1.13): make
    it dequantize -> cat -> quantize_per_tensor with the quantized cat's
    own scale and zero point, so it exports as DQ -> Concat -> Q."""
    import torch
    import torch.fx
    qparams = {}

    class Rec(torch.fx.Interpreter):
        def run_node(self, n):
            r = super().run_node(n)
            if n.op == "call_function" and n.target is torch.cat and r.is_quantized:
                qparams[n.name] = (float(r.q_scale()), int(r.q_zero_point()), r.dtype)
            return r

    with torch.no_grad():
        Rec(gm).run(example)
    g = gm.graph
    for n in list(g.nodes):
        if n.name not in qparams:
            continue
        scale, zp, dt = qparams[n.name]
        with g.inserting_before(n):
            deq = [g.call_method("dequantize", (a,)) for a in n.args[0]]
        n.args = (deq,) + tuple(n.args[1:])
        with g.inserting_after(n):
            q = g.call_function(torch.quantize_per_tensor, (n, scale, zp, dt))
        n.replace_all_uses_with(q)
        q.args = (n, scale, zp, dt)
    g.lint()
    gm.recompile()
    return gm


def fx_quantize(model, backend, calib):
    import torch
    from torch.ao.quantization import get_default_qconfig_mapping
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx
    torch.backends.quantized.engine = engine_for(backend)
    qm = get_default_qconfig_mapping(backend)
    p = prepare_fx(model, qm, example_inputs=(calib[:1],))
    with torch.no_grad():
        for i in range(0, len(calib), 8):
            p(calib[i:i + 8])
    return fx_float_cat(convert_fx(p), calib[:1])


def shufflenet_export_patch():
    """torch 1.13 exports neither chunk() nor view()/transpose() of a
    quantized tensor: ShuffleNetV2's blocks do both on the dequantized
    values and quantize back with the same scale and zero point, so they
    export as DQ -> Slice (with chunk's Shape/Gather/Div/Mul chain) /
    Reshape / Transpose -> Q."""
    import torch
    from torchvision.models import shufflenetv2
    from torchvision.models.quantization import shufflenetv2 as qs

    def requant(f, like):
        return torch.quantize_per_tensor(f, float(like.q_scale()),
                                         int(like.q_zero_point()), like.dtype)

    def forward(self, x):
        if self.stride == 1:
            x1, x2 = x.dequantize().chunk(2, dim=1)
            out = self.cat.cat([requant(x1, x), self.branch2(requant(x2, x))], dim=1)
        else:
            out = self.cat.cat([self.branch1(x), self.branch2(x)], dim=1)
        return requant(shufflenetv2.channel_shuffle(out.dequantize(), 2), out)
    qs.QuantizableInvertedResidual.forward = forward


def eager_quantize(model, backend, calib):
    import torch
    torch.backends.quantized.engine = engine_for(backend)
    model.fuse_model(is_qat=False)
    model.qconfig = torch.ao.quantization.get_default_qconfig(backend)
    torch.ao.quantization.prepare(model, inplace=True)
    with torch.no_grad():
        for i in range(0, len(calib), 8):
            model(calib[i:i + 8])
    torch.ao.quantization.convert(model, inplace=True)
    # quantized::cat does not export (torch 1.13): each QFunctional's cat
    # becomes dequantize -> cat -> quantize with its own scale/zero point.
    for mod in model.modules():
        if isinstance(mod, torch.nn.quantized.QFunctional):
            def cat(xs, dim=0, m=mod):
                y = torch.cat([x.dequantize() for x in xs], dim=dim)
                return torch.quantize_per_tensor(y, float(m.scale), int(m.zero_point),
                                                 torch.quint8)
            mod.cat = cat
    if type(model).__name__ == "QuantizableShuffleNetV2":
        shufflenet_export_patch()
    return model


def ort_minmax(float_path, calib_np, work):
    """MinMax calibration as onnxruntime.quantization's MinMaxCalibrater
    (calibrate.py: augment_graph adds a ReduceMin and a ReduceMax,
    keepdims=0, on every float tensor the quantizer may touch; the
    augmented model runs in ORT without graph optimisation; a tensor's
    range is the smallest minimum and the largest maximum over the
    calibration inputs). Here ORT is onnxruntime-node through
    run_ort.js (Python onnxruntime is not installable here), one image per
    data set. Returns {tensor: (min, max)} as float32."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper, shape_inference
    m = shape_inference.infer_shapes(onnx.load(float_path))
    g = m.graph
    consts = {t.name for t in g.initializer}
    consts |= {o for n in g.node if n.op_type == "Constant" for o in n.output}
    types = {vi.name: vi.type.tensor_type.elem_type
             for vi in list(g.value_info) + list(g.input) + list(g.output)}
    names, seen = [], set()
    for n in g.node:
        for t in list(n.input) + list(n.output):
            if t and t not in seen and t not in consts and types.get(t) == TensorProto.FLOAT:
                seen.add(t)
                names.append(t)
    del g.output[:]
    del g.value_info[:]
    for i, t in enumerate(names):
        for op in ("ReduceMin", "ReduceMax"):
            o = f"__calib{i}_{op}"
            g.node.append(helper.make_node(op, [t], [o], o, keepdims=0))
            g.output.append(helper.make_tensor_value_info(o, TensorProto.FLOAT, []))
    d = os.path.join(work, "calib", os.path.basename(float_path).replace(".onnx", ""))
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    onnx.save(m, os.path.join(d, "model.onnx"))
    iname = g.input[0].name
    for k in range(len(calib_np)):
        sd = os.path.join(d, f"test_data_set_{k}")
        os.makedirs(sd)
        write_pb(calib_np[k:k + 1], os.path.join(sd, "input_0.pb"), iname)
    subprocess.run(["node", os.path.join(ROOT, "scripts", "ort", "run_ort.js"), "run", d,
                    "--opt", "disabled"], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    ranges = {}
    for k in range(len(calib_np)):
        sd = os.path.join(d, f"test_data_set_{k}")
        for i, t in enumerate(names):
            lo, hi = (float(numpy_helper.to_array(onnx.load_tensor(
                os.path.join(sd, f"output_{2 * i + j}.pb")))) for j in (0, 1))
            if t in ranges:
                lo, hi = min(lo, ranges[t][0]), max(hi, ranges[t][1])
            ranges[t] = (np.float32(lo), np.float32(hi))
    return ranges


def ort_qdq(float_path, calib_np, out_path, work):
    """ORT's QDQ format, as quantize_static(quant_format=QDQ,
    per_channel=True, activation_type=QUInt8, weight_type=QInt8,
    calibrate_method=MinMax) writes it, by quantize.py's QDQ writer on
    ranges from ort_minmax. reduce_range False (quantize_static's
    default): weights -127..127."""
    import onnx
    from onnx import numpy_helper
    import quantize
    m = onnx.load(float_path)
    # Constant nodes (PyTorch's, e.g. LayerNorm's epsilon) as initializers,
    # which is what the quantizer treats as constants.
    keep = []
    for n in m.graph.node:
        if n.op_type == "Constant" and len(n.attribute) == 1 and n.attribute[0].name == "value":
            t = numpy_helper.to_array(n.attribute[0].t)
            m.graph.initializer.append(numpy_helper.from_array(t, n.output[0]))
        else:
            keep.append(n)
    del m.graph.node[:]
    m.graph.node.extend(keep)
    onnx.save(m, float_path)
    ranges = quantize.adjust_ranges(m, ort_minmax(float_path, calib_np, work))
    q = quantize.quantize_qdq(m, quantize.activation_qparams(ranges), reduce_range=False)
    onnx.save(q, out_path)


def dyn_quantize(float_path, out_path):
    """ORT's quantize_dynamic on MatMuls with a constant 2-D B: A goes
    through DynamicQuantizeLinear (uint8), B is int8 per tensor
    (symmetric, -127..127), MatMulInteger gives int32, which is cast to
    float and multiplied by a_scale * b_scale (ORT's layout)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    m = onnx.load(float_path)
    g = m.graph
    inits = {t.name: t for t in g.initializer}
    nodes = []
    for n in g.node:
        b = inits.get(n.input[1]) if n.op_type == "MatMul" else None
        if b is None or len(b.dims) != 2:
            nodes.append(n)
            continue
        w = numpy_helper.to_array(b).astype(np.float32)
        s = np.float32(max(np.abs(w).max(), 1e-8) / 127.0)
        q = np.clip(np.round(w / s), -127, 127).astype(np.int8)
        p = n.name or n.output[0]
        g.initializer.extend([
            numpy_helper.from_array(q, p + "_Bq"),
            numpy_helper.from_array(np.array(s, np.float32), p + "_Bs"),
            numpy_helper.from_array(np.array(0, np.int8), p + "_Bz")])
        a = n.input[0]
        nodes += [
            helper.make_node("DynamicQuantizeLinear", [a], [p + "_aq", p + "_as", p + "_az"],
                             p + "_dql"),
            helper.make_node("MatMulInteger", [p + "_aq", p + "_Bq", p + "_az", p + "_Bz"],
                             [p + "_acc"], p + "_mmi"),
            helper.make_node("Cast", [p + "_acc"], [p + "_accf"], p + "_cast",
                             to=TensorProto.FLOAT),
            helper.make_node("Mul", [p + "_as", p + "_Bs"], [p + "_sc"], p + "_scale"),
            helper.make_node("Mul", [p + "_accf", p + "_sc"], [n.output[0]], p + "_mul")]
    del g.node[:]
    g.node.extend(nodes)
    onnx.save(m, out_path)


# ---------------------------------------------------------------- twin

def uint8_twin(path, out_path):
    """The model with every int8 constant read by a DequantizeLinear or as
    B of MatMulInteger stored as uint8 w + 128, with zero point + 128."""
    import onnx
    from onnx import TensorProto, numpy_helper
    m = onnx.load(path)
    g = m.graph
    consts = {t.name: t for t in g.initializer}
    cnodes = {}
    for n in g.node:
        if n.op_type == "Constant" and n.attribute and n.attribute[0].name == "value":
            cnodes[n.output[0]] = n.attribute[0].t
    # Identity of a constant (PyTorch writes them): follow it.
    alias = {n.output[0]: n.input[0] for n in g.node if n.op_type == "Identity"}

    def tensor(name):
        while name in alias:
            name = alias[name]
        return name, consts.get(name) or cnodes.get(name)

    new_inits = []
    count = 0
    for n in g.node:
        if n.op_type == "DequantizeLinear":
            wi, zi = 0, 2
        elif n.op_type == "MatMulInteger":
            wi, zi = 1, 3
        else:
            continue
        wname, w = tensor(n.input[wi])
        if w is None or w.data_type != TensorProto.INT8:
            continue
        wu = (numpy_helper.to_array(w).astype(np.int16) + 128).astype(np.uint8)
        if len(n.input) > zi and n.input[zi]:
            _, z = tensor(n.input[zi])
            zu = (numpy_helper.to_array(z).astype(np.int16) + 128).astype(np.uint8)
        else:
            zu = np.array(128, np.uint8)
        tag = f"__u8twin{count}"
        count += 1
        new_inits += [numpy_helper.from_array(wu, wname + tag),
                      numpy_helper.from_array(zu, wname + tag + "_zp")]
        while len(n.input) <= zi:
            n.input.append("")
        n.input[wi] = wname + tag
        n.input[zi] = wname + tag + "_zp"
    g.initializer.extend(new_inits)
    onnx.save(m, out_path)
    return count


# ---------------------------------------------------------------- cases

def write_pb(arr, path, name):
    import onnx
    from onnx import numpy_helper
    t = numpy_helper.from_array(np.ascontiguousarray(arr), name)
    with open(path, "wb") as f:
        f.write(t.SerializeToString())


def make_case(case, out_dir, work, n_images):
    import torch
    family, flow = case.split("-", 1)
    d = os.path.join(out_dir, case)
    os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
    path = os.path.join(d, "model.onnx")
    if family == "encoder":
        x = encoder_inputs(1, 1)
        calib = encoder_inputs(2, 16)
        m = Encoder.make()
        fpath = os.path.join(work, case + "_float.onnx")
        export(m, x, fpath)
        if flow == "dyn":
            dyn_quantize(fpath, path)
        else:
            ort_qdq(fpath, calib.numpy(), path, work)
    else:
        if flow.startswith("eager") and not EAGER.get(family):
            raise RuntimeError(f"{family}: torchvision.models.quantization has no "
                               "quantizable version (eager flow not available)")
        imgs = fmnist_images(0, n_images)
        calib = fmnist_images(n_images, 32)
        x = test_image()
        m = float_model(family, eager=flow.startswith("eager"))
        reestimate_bn(m, imgs)
        if flow.startswith("fx"):
            q = fx_quantize(m, flow.split("-")[1], calib)
            export(q, x, path)
        elif flow.startswith("eager"):
            q = eager_quantize(m, flow.split("-")[1], calib)
            export(q, x, path)
        else:
            fpath = os.path.join(work, case + "_float.onnx")
            export(m, x, fpath)
            ort_qdq(fpath, calib[:16].numpy(), path, work)
    write_pb(x.numpy(), os.path.join(d, "test_data_set_0", "input_0.pb"), "input")
    return d


def run_ort(case_dir, work):
    """Expected output_0.pb: ORT on the uint8 twin."""
    case = os.path.basename(case_dir)
    tdir = os.path.join(work, "twin", case)
    shutil.rmtree(tdir, ignore_errors=True)
    shutil.copytree(case_dir, tdir)
    uint8_twin(os.path.join(case_dir, "model.onnx"), os.path.join(tdir, "model.onnx"))
    subprocess.run(["node", os.path.join(ROOT, "scripts", "ort", "run_ort.js"), "run", tdir],
                   check=True, cwd=ROOT)
    for root, _, files in os.walk(tdir):
        for f in files:
            if f.startswith("output_"):
                rel = os.path.relpath(os.path.join(root, f), tdir)
                shutil.copy(os.path.join(root, f), os.path.join(case_dir, rel))


ORT_VERSION = "1.30.0"  # as scripts/ort/gen_vectors.sh


def ensure_ort():
    """onnxruntime-node in build/ort, installed from npm if missing."""
    d = os.path.join(ROOT, "build", "ort")
    if os.path.exists(os.path.join(d, "node_modules", "onnxruntime-node", "package.json")):
        return
    os.makedirs(d, exist_ok=True)
    pj = os.path.join(d, "package.json")
    if not os.path.exists(pj):
        with open(pj, "w") as f:
            f.write('{"name":"layerfab-ort","private":true}\n')
    subprocess.run(["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund",
                    f"onnxruntime-node@{ORT_VERSION}"], cwd=d, check=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "realworld"))
    ap.add_argument("--work", default=os.path.join(ROOT, "build", "realworld-work"))
    ap.add_argument("--only", default="", help="comma-separated cases (default: all)")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--images", type=int, default=64,
                    help="images for the BatchNorm statistics")
    ap.add_argument("--skip-ort", action="store_true")
    args = ap.parse_args()
    cases = all_cases() if not args.only else args.only.split(",")
    if args.list:
        print("\n".join(cases))
        return 0
    os.makedirs(args.out, exist_ok=True)
    os.makedirs(args.work, exist_ok=True)
    if not args.skip_ort:
        ensure_ort()
    failed = []
    for case in cases:
        try:
            d = make_case(case, args.out, args.work, args.images)
            if not args.skip_ort:
                run_ort(d, args.work)
            size = os.path.getsize(os.path.join(d, "model.onnx"))
            print(f"realworld: {case}: {size} bytes", flush=True)
        except Exception as e:  # one case failing must not stop the rest
            msg = str(e).strip().splitlines()
            failed.append(case)
            shutil.rmtree(os.path.join(args.out, case), ignore_errors=True)
            print(f"realworld: {case}: NOT MADE: {type(e).__name__}: "
                  f"{msg[-1] if msg else ''}"[:300], flush=True)
    print(f"realworld: {len(cases) - len(failed)} of {len(cases)} cases made"
          + (f"; not made: {', '.join(failed)}" if failed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
