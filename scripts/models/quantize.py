#!/usr/bin/python3
"""quantize.py - static post-training int8 quantizer, ONNX Runtime style.

ONNX Runtime's python quantizer (onnxruntime.quantization.quantize_static)
is not packaged for Debian, so this is our own implementation of what it
writes, with the options layerfab targets:

    quant_format  QOperator and QDQ      per_channel   True
    activations   uint8, asymmetric      weights       int8, symmetric
    calibration   MinMax                 reduce_range  True (default)

The numeric rules follow ORT's quantizer:
  * activation range [rmin, rmax] = min/max of the tensor over the
    calibration set, widened to include 0; scale = float64(rmax - rmin)/255
    stored as float32, zero point = round_half_even(0 - rmin/scale);
  * a Relu/Clip whose input has no other consumer gives its input the range
    of its output, so the producer quantizes straight to [0, max] and the
    Relu disappears (both formats);
  * weights per output channel, symmetric, zero point 0:
    absmax = max|w_c|, q = clip(round(w/scale), -128, 127) with
      reduce_range (default): scale = 2*absmax/128, q in -64..64
      --full-range:           scale = 2*absmax/254, q in -127..127
    reduce_range is ORT's option for x86 CPUs without VNNI, whose u8s8
    kernels (vpmaddubsw) saturate a pair of u8*s8 products at int16: with
    -64..64 weights no pair can overflow, so ORT's output is the exact
    integer result on every CPU (see models/README.md);
  * bias int32 = round(b / (x_scale * w_scale[c])) in float32, zero point 0.

Graph layout written (see models/README.md for the fmnist graphs):
  QOperator: QuantizeLinear at float inputs; Conv -> QLinearConv; Gemm ->
    QGemm (com.microsoft); Add -> QLinearAdd (com.microsoft);
    GlobalAveragePool -> QLinearGlobalAveragePool (com.microsoft,
    channels_last=0); AveragePool -> QLinearAveragePool (com.microsoft);
    MaxPool/Reshape/Transpose/Squeeze/Unsqueeze stay as they are on uint8
    with the input's scale; Relu/Clip after a quantized op are removed;
    any other op (e.g. Flatten) runs in float between a DequantizeLinear and
    the next op's QuantizeLinear; DequantizeLinear before float outputs.
  QDQ: Q->DQ pair on every activation a quantizable op reads or writes
    (one shared pair per tensor), int8 weights + DequantizeLinear(axis=0),
    int32 bias + DequantizeLinear(axis=0); MaxPool/AveragePool outputs
    reuse their input's scale/zero point; Relu removed as above; ops
    that are not quantizable (Flatten) stay float between DQ and Q.

Usage (run by hand; needs python3-onnx, python3-numpy, dataset-fashion-mnist):

    /usr/bin/python3 scripts/models/quantize.py
        [--float models/fmnist_float.onnx] [--calib 500]
        [--qop models/fmnist_qop.onnx] [--qdq models/fmnist_qdq.onnx] [--full-range]

The module's functions (calibrate, quantize_qoperator, quantize_qdq) are
also used by make_resnet18.py.
"""
import argparse
import copy
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import onnx_float_ref  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MS = "com.microsoft"
PRODUCER = "layerfab quantize.py"

# Ops quantize_static would quantize (union of ORT's QLinearOps and QDQ
# registries, restricted to what our models contain).
DIRECT_8BIT = {"MaxPool", "Reshape", "Transpose", "Squeeze", "Unsqueeze"}
# QDQ: ops whose outputs take their input's scale and zero point when the
# input is quantized (ORT's QDQDirect8BitOp / QDQMaxPool / QDQResize /
# QDQSplit / QDQGather in onnxruntime/python/tools/quantization/
# registry.py); every other op of QUANT_OPS quantizes each float input and
# output with its own range (QDQOperatorBase), except Conv/Gemm/MatMul
# weights and biases and the removable Relu/Clip.
QDQ_SHARED = {"MaxPool", "AveragePool", "Reshape", "Transpose", "Squeeze",
              "Unsqueeze", "Resize", "Slice", "Split", "Gather"}
# quantize_static's default op_types_to_quantize is the union of ORT's
# QLinearOpsRegistry and QDQRegistry keys; these are the ones the models
# here contain. Ops outside it (Flatten, HardSigmoid, ReduceMean, ...) stay
# float between a DequantizeLinear and the next QuantizeLinear.
QUANT_OPS = {"Conv", "Gemm", "MatMul", "Add", "Mul", "Relu", "Clip",
             "MaxPool", "AveragePool", "GlobalAveragePool", "Reshape",
             "Transpose", "Squeeze", "Unsqueeze", "Concat", "Softmax",
             "Sigmoid", "LeakyRelu", "Resize", "Slice", "Split", "Gather"}


# --------------------------------------------------------------------------
# calibration and quantization parameters


def calibrate(model, batches):
    """MinMax over all batches: {tensor: (min, max)} as float32."""
    ranges = {}
    for feeds in batches:
        env = onnx_float_ref.run(model, feeds)
        inits = {t.name for t in model.graph.initializer}
        for name, v in env.items():
            if name in inits or v.dtype != np.float32:
                continue
            lo, hi = np.float32(v.min()), np.float32(v.max())
            if name in ranges:
                lo = min(lo, ranges[name][0])
                hi = max(hi, ranges[name][1])
            ranges[name] = (np.float32(lo), np.float32(hi))
    return ranges


def consumers(graph):
    c = {}
    for n in graph.node:
        for t in n.input:
            c.setdefault(t, []).append(n)
    return c


def adjust_ranges(model, ranges):
    """A Relu/Clip's single-consumer input takes the Relu/Clip output range."""
    cons = consumers(model.graph)
    ranges = dict(ranges)
    for n in model.graph.node:
        if n.op_type in ("Relu", "Clip") and len(cons.get(n.input[0], [])) == 1 \
                and n.input[0] in ranges and n.output[0] in ranges:
            ranges[n.input[0]] = ranges[n.output[0]]
    return ranges


def compute_scale_zp(rmin, rmax, qmin, qmax, symmetric):
    """ORT's compute_scale_zp: returns (zero point as int, scale float32)."""
    rmin = np.minimum(np.float32(rmin), np.float32(0))
    rmax = np.maximum(np.float32(rmax), np.float32(0))
    if symmetric:
        absmax = np.maximum(np.abs(rmin), np.abs(rmax))
        rmin, rmax = -absmax, absmax
    dr = np.float64(np.float32(rmax - rmin))
    scale = dr / (np.float64(qmax) - np.float64(qmin))
    if scale < np.finfo(np.float32).tiny:
        return 0, np.float32(1.0)
    if symmetric:
        zp = int(np.round((qmin + qmax) / 2.0))
    else:
        zp = int(np.round(np.float64(qmin) - np.float64(rmin) / scale))
    return zp, np.float32(scale)


def activation_qparams(ranges):
    """uint8 asymmetric (zp, scale) for every calibrated tensor."""
    return {k: compute_scale_zp(lo, hi, 0, 255, False) for k, (lo, hi) in ranges.items()}


# Weight range: ORT's reduce_range option. Full range is -127..127; reduced
# (7-bit) is -64..64 (see the module docstring).
REDUCE_RANGE = True


def quantize_per_channel(w, axis, reduce_range=None):
    """int8 symmetric per-channel: (q int8, scales float32[C], zps int8[C])."""
    if reduce_range is None:
        reduce_range = REDUCE_RANGE
    qmin, qmax = (-64, 64) if reduce_range else (-127, 127)
    qs, scales = [], []
    for c in range(w.shape[axis]):
        data = w.take(c, axis).astype(np.float32).ravel()
        zp, s = compute_scale_zp(data.min(), data.max(), qmin, qmax, True)
        q = np.clip((data / s).round() + zp, -128, 127)
        shape = list(w.shape)
        shape[axis] = 1
        qs.append(q.astype(np.int8).reshape(shape))
        scales.append(s)
    return (np.concatenate(qs, axis), np.array(scales, np.float32),
            np.zeros(len(scales), np.int8))


def quantize_bias(b, x_scale, w_scale, beta=1.0):
    """int32 bias with scale x_scale*w_scale*beta (float32), zero point 0."""
    bias_scale = (np.float32(x_scale) * np.asarray(w_scale, np.float32) * np.float32(beta)).astype(np.float32)
    q = (np.asarray(b, np.float32) / bias_scale).round().astype(np.int32)
    return q, bias_scale


# --------------------------------------------------------------------------
# graph helpers


def topo_sort(graph):
    """Stable topological sort of graph.node (Kahn, keeps original order)."""
    avail = {i.name for i in graph.input} | {t.name for t in graph.initializer} | {""}
    nodes = list(graph.node)
    out = []
    while nodes:
        rest = []
        progressed = False
        for n in nodes:
            if all(t in avail for t in n.input):
                out.append(n)
                avail.update(n.output)
                progressed = True
            else:
                rest.append(n)
        if not progressed:
            raise ValueError("graph has a cycle or a missing input: "
                             + ", ".join(n.name for n in rest))
        nodes = rest
    del graph.node[:]
    graph.node.extend(out)


def remove_unused_initializers(graph):
    used = {t for n in graph.node for t in n.input} | {o.name for o in graph.output}
    keep = [t for t in graph.initializer if t.name in used]
    del graph.initializer[:]
    graph.initializer.extend(keep)


def scalar_init(name, dtype, value):
    return helper.make_tensor(name, dtype, [], [value])


def finish(model, add_ms):
    g = model.graph
    topo_sort(g)
    remove_unused_initializers(g)
    del g.value_info[:]
    if add_ms and not any(o.domain == MS for o in model.opset_import):
        model.opset_import.extend([helper.make_opsetid(MS, 1)])
    model.producer_name = PRODUCER
    model.producer_version = "1"
    return model


def attrs_of(node, skip=()):
    return {a.name: helper.get_attribute_value(a) for a in node.attribute if a.name not in skip}


# --------------------------------------------------------------------------
# QOperator


class _QOp:
    def __init__(self, model, qparams):
        self.model = copy.deepcopy(model)
        self.g = self.model.graph
        self.qparams = qparams
        self.inits = {t.name: t for t in self.g.initializer}
        self.qmap = {}        # float tensor -> (q name, scale name, zp name)
        self.qlinear = {}     # float tensor -> its QuantizeLinear output triple
        self.dq_done = set()
        self.nodes = []
        self.generated = set()

    def add_init(self, t):
        if t.name not in self.inits:
            self.inits[t.name] = t
            self.g.initializer.append(t)

    def params(self, name):
        """Scale/zero point initializers of an activation tensor."""
        zp, scale = self.qparams[name]
        self.add_init(scalar_init(name + "_scale", TensorProto.FLOAT, float(scale)))
        self.add_init(scalar_init(name + "_zero_point", TensorProto.UINT8, int(zp)))
        return name + "_scale", name + "_zero_point"

    def quantized_input(self, name):
        if name in self.qmap:
            return self.qmap[name]
        if name in self.qlinear:
            return self.qlinear[name]
        if name not in self.qparams:
            return None
        s, z = self.params(name)
        q = name + "_quantized"
        self.nodes.append(helper.make_node("QuantizeLinear", [name, s, z], [q], name + "_QuantizeLinear"))
        self.qlinear[name] = (q, s, z)
        return self.qlinear[name]

    def weight_per_channel(self, name, axis):
        w = numpy_helper.to_array(self.inits[name])
        q, scales, zps = quantize_per_channel(w, axis)
        self.add_init(numpy_helper.from_array(q, name + "_quantized"))
        self.add_init(helper.make_tensor(name + "_scale", TensorProto.FLOAT, [len(scales)], scales.tolist()))
        self.add_init(helper.make_tensor(name + "_zero_point", TensorProto.INT8, [len(zps)], zps.tolist()))
        return name + "_quantized", name + "_scale", name + "_zero_point", scales

    def bias(self, name, x_scale_name, w_scales, beta=1.0):
        b = numpy_helper.to_array(self.inits[name])
        x_scale = numpy_helper.to_array(self.inits[x_scale_name])
        q, _ = quantize_bias(b, x_scale, w_scales, beta)
        self.add_init(numpy_helper.from_array(q, name + "_quantized"))
        return name + "_quantized"

    def default(self, node):
        for t in node.input:
            if t in self.qmap and t not in self.dq_done:
                q, s, z = self.qmap[t]
                self.nodes.append(helper.make_node("DequantizeLinear", [q, s, z], [t], t + "_DequantizeLinear"))
                self.dq_done.add(t)
        self.nodes.append(node)

    def run(self):
        for node in list(self.g.node):
            op = node.op_type
            out = node.output[0]
            name = node.name + "_quant" if node.name else ""
            if op not in QUANT_OPS:
                self.default(node)
            elif op in ("Conv", "Gemm") and node.input[1] in self.inits and out in self.qparams:
                x = self.quantized_input(node.input[0])
                if x is None:
                    self.default(node)
                    continue
                if op == "Conv":
                    axis = 0
                else:
                    axis = 0 if attrs_of(node).get("transB", 0) else 1
                wq, ws, wz, wscales = self.weight_per_channel(node.input[1], axis)
                beta = attrs_of(node).get("beta", 1.0)
                bq = ""
                if len(node.input) > 2 and node.input[2]:
                    bq = self.bias(node.input[2], x[1], wscales, beta)
                ys, yz = self.params(out)
                qout = out + "_quantized"
                if op == "Conv":
                    ins = [x[0], x[1], x[2], wq, ws, wz, ys, yz] + ([bq] if bq else [])
                    n = helper.make_node("QLinearConv", ins, [qout], name, **attrs_of(node))
                else:
                    ins = [x[0], x[1], x[2], wq, ws, wz, bq, ys, yz]
                    n = helper.make_node("QGemm", ins, [qout], name, domain=MS,
                                         **attrs_of(node, skip=("beta",)))
                self.nodes.append(n)
                self.qmap[out] = (qout, ys, yz)
            elif op in ("Relu", "Clip"):
                if node.input[0] in self.qmap:
                    self.qmap[out] = self.qmap[node.input[0]]
                else:
                    self.default(node)
            elif op in DIRECT_8BIT:
                if node.input[0] in self.qmap:
                    q, s, z = self.qmap[node.input[0]]
                    n = copy.deepcopy(node)
                    n.input[0] = q
                    n.output[0] = out + "_quantized"
                    self.nodes.append(n)
                    self.qmap[out] = (out + "_quantized", s, z)
                else:
                    self.default(node)
            elif op in ("Add", "Mul") and out in self.qparams:
                a = self.quantized_input(node.input[0])
                b = self.quantized_input(node.input[1])
                if a is None or b is None:
                    self.default(node)
                    continue
                ys, yz = self.params(out)
                n = helper.make_node("QLinear" + op, list(a) + list(b) + [ys, yz],
                                     [out + "_quantized"], name, domain=MS, **attrs_of(node))
                self.nodes.append(n)
                self.qmap[out] = (out + "_quantized", ys, yz)
            elif op == "GlobalAveragePool" and node.input[0] in self.qmap:
                x = self.qmap[node.input[0]]
                ys, yz = self.params(out) if out in self.qparams else x[1:]
                kw = attrs_of(node)
                kw["channels_last"] = 0
                n = helper.make_node("QLinearGlobalAveragePool", list(x) + [ys, yz],
                                     [out + "_quantized"], name, domain=MS, **kw)
                self.nodes.append(n)
                self.qmap[out] = (out + "_quantized", ys, yz)
            elif op == "AveragePool" and out in self.qparams:
                x = self.quantized_input(node.input[0])
                if x is None:
                    self.default(node)
                    continue
                ys, yz = self.params(out)
                n = helper.make_node("QLinearAveragePool", list(x) + [ys, yz],
                                     [out + "_quantized"], name, domain=MS, **attrs_of(node))
                self.nodes.append(n)
                self.qmap[out] = (out + "_quantized", ys, yz)
            else:
                self.default(node)
        # float graph outputs
        for o in self.g.output:
            if o.name in self.qmap and o.name not in self.dq_done:
                q, s, z = self.qmap[o.name]
                self.nodes.append(helper.make_node("DequantizeLinear", [q, s, z], [o.name],
                                                   o.name + "_DequantizeLinear"))
        del self.g.node[:]
        self.g.node.extend(self.nodes)
        return finish(self.model, add_ms=True)


def quantize_qoperator(model, qparams):
    """Float model + activation qparams -> QOperator model (ORT layout)."""
    return _QOp(model, qparams).run()


# --------------------------------------------------------------------------
# QDQ


class _QDQ:
    def __init__(self, model, qparams, reduce_range=None):
        self.reduce_range = reduce_range
        self.model = onnx.shape_inference.infer_shapes(copy.deepcopy(model))
        self.g = self.model.graph
        self.qparams = qparams
        self.inits = {t.name: t for t in self.g.initializer}
        self.types = {}
        for vi in list(self.g.value_info) + list(self.g.input) + list(self.g.output):
            self.types[vi.name] = vi.type.tensor_type.elem_type
        self.to_quantize = {}   # name -> dict(kind, axis, provider)
        self.bias_to_quantize = {}
        self.qvalue = {}        # name -> (scale name, zp name)
        self.remove = []

    def quantizable(self, name):
        if name in self.inits:
            return self.inits[name].data_type == TensorProto.FLOAT
        return self.types.get(name) == TensorProto.FLOAT

    def mark(self, name, provider=None):
        if not self.quantizable(name):
            return
        if provider is not None:
            self.to_quantize[name] = {"kind": "act", "provider": provider}
        elif name not in self.to_quantize:
            self.to_quantize[name] = {"kind": "act", "provider": None}

    def mark_weight(self, name, axis):
        if name in self.inits:
            self.to_quantize[name] = {"kind": "weight", "axis": axis, "provider": None}

    def mark_const(self, name):
        """A float initializer read by an op quantized as a whole (Add's
        or Mul's constant operand): ORT quantizes it with the activation
        type, per tensor, from its own min/max, and reads it through a
        DequantizeLinear."""
        if self.quantizable(name) and name not in self.to_quantize:
            self.to_quantize[name] = {"kind": "const", "provider": None}

    def is_marked(self, name):
        return name in self.to_quantize or name in self.bias_to_quantize

    def replace_output(self, old, new):
        for n in self.g.node:
            n.output[:] = [new if t == old else t for t in n.output]

    def replace_input(self, old, new):
        for n in self.g.node:
            n.input[:] = [new if t == old else t for t in n.input]

    def is_graph_output(self, name):
        return any(o.name == name for o in self.g.output)

    def is_graph_input(self, name):
        return any(i.name == name for i in self.g.input)

    def add_init(self, t):
        if t.name not in self.inits:
            self.inits[t.name] = t
            self.g.initializer.append(t)

    def qdq_activation(self, name, s, z):
        q_in, dq_out = name, name + "_DequantizeLinear_Output"
        if self.is_graph_output(name):
            q_in, dq_out = name + "_QuantizeLinear_Input", name
            self.replace_output(name, q_in)
        else:
            self.replace_input(name, dq_out)
        q_out = name + "_QuantizeLinear_Output"
        self.g.node.extend([
            helper.make_node("QuantizeLinear", [q_in, s, z], [q_out], name + "_QuantizeLinear"),
            helper.make_node("DequantizeLinear", [q_out, s, z], [dq_out], name + "_DequantizeLinear")])
        self.qvalue[name] = (s, z)

    def run(self):
        cons = consumers(self.g)
        for node in list(self.g.node):
            op = node.op_type
            if op not in QUANT_OPS:
                continue
            if op in ("Conv", "Gemm"):
                self.mark(node.input[0])
                self.mark(node.output[0])
                if op == "Conv":
                    axis = 0
                else:
                    axis = 0 if attrs_of(node).get("transB", 0) else 1
                self.mark_weight(node.input[1], axis)
                if len(node.input) > 2 and node.input[2] in self.inits:
                    beta = attrs_of(node).get("beta", 1.0)
                    self.bias_to_quantize[node.input[2]] = (node.input[0], node.input[1], beta)
                    for a in node.attribute:
                        if a.name == "beta":
                            a.f = 1.0
            elif op in ("Relu", "Clip"):
                i, o = node.input[0], node.output[0]
                if not self.is_marked(i):
                    continue
                if o in self.qparams and len(cons.get(i, [])) == 1 and \
                        not self.is_graph_output(i) and not self.is_graph_input(i):
                    self.replace_output(i, o)
                    self.to_quantize.pop(i, None)
                    self.remove.append(node)
                else:
                    self.mark(i)
                self.mark(o)
            elif op in QDQ_SHARED:
                if self.is_marked(node.input[0]):
                    for o in node.output:
                        self.mark(o, provider=node.input[0])
            elif op == "MatMul" and node.input[1] in self.inits:
                # QDQMatMul: a constant B is a weight, per column.
                self.mark(node.input[0])
                self.mark_weight(node.input[1], 1)
                self.mark(node.output[0])
            else:
                for t in list(node.input) + list(node.output):
                    if t in self.inits:
                        self.mark_const(t)
                    elif t:
                        self.mark(t)
        # activations and weights
        for name, info in list(self.to_quantize.items()):
            if info["provider"] is not None:
                continue
            if info["kind"] == "const":
                w = numpy_helper.to_array(self.inits[name]).astype(np.float32)
                zp, scale = compute_scale_zp(w.min(), w.max(), 0, 255, False)
                q = np.clip((w / scale).round() + zp, 0, 255).astype(np.uint8)
                self.add_init(numpy_helper.from_array(q, name + "_quantized"))
                self.add_init(scalar_init(name + "_scale", TensorProto.FLOAT, float(scale)))
                self.add_init(scalar_init(name + "_zero_point", TensorProto.UINT8, int(zp)))
                dq_out = name + "_DequantizeLinear_Output"
                self.replace_input(name, dq_out)
                self.g.node.append(helper.make_node(
                    "DequantizeLinear", [name + "_quantized", name + "_scale", name + "_zero_point"],
                    [dq_out], name + "_DequantizeLinear"))
                self.qvalue[name] = (name + "_scale", name + "_zero_point")
            elif info["kind"] == "weight":
                w = numpy_helper.to_array(self.inits[name])
                q, scales, zps = quantize_per_channel(w, info["axis"], self.reduce_range)
                self.add_init(numpy_helper.from_array(q, name + "_quantized"))
                self.add_init(helper.make_tensor(name + "_scale", TensorProto.FLOAT, [len(scales)], scales.tolist()))
                self.add_init(helper.make_tensor(name + "_zero_point", TensorProto.INT8, [len(zps)], zps.tolist()))
                dq_out = name + "_DequantizeLinear_Output"
                self.replace_input(name, dq_out)
                self.g.node.append(helper.make_node(
                    "DequantizeLinear", [name + "_quantized", name + "_scale", name + "_zero_point"],
                    [dq_out], name + "_DequantizeLinear", axis=info["axis"]))
                self.qvalue[name] = (name + "_scale", name + "_zero_point")
            else:
                zp, scale = self.qparams[name]
                s, z = name + "_scale", name + "_zero_point"
                self.add_init(scalar_init(s, TensorProto.FLOAT, float(scale)))
                self.add_init(scalar_init(z, TensorProto.UINT8, int(zp)))
                self.qdq_activation(name, s, z)
            del self.to_quantize[name]
        # tensors sharing an upstream tensor's scale/zero point
        while self.to_quantize:
            progressed = False
            for name, info in list(self.to_quantize.items()):
                if info["provider"] in self.qvalue:
                    self.qdq_activation(name, *self.qvalue[info["provider"]])
                    del self.to_quantize[name]
                    progressed = True
            if not progressed:
                raise ValueError(f"no quantization parameters for {list(self.to_quantize)}")
        # biases
        for bname, (xname, wname, beta) in self.bias_to_quantize.items():
            b = numpy_helper.to_array(self.inits[bname])
            x_scale = numpy_helper.to_array(self.inits[self.qvalue[xname][0]])
            w_scale = numpy_helper.to_array(self.inits[self.qvalue[wname][0]])
            q, bias_scale = quantize_bias(b, x_scale, w_scale, beta)
            qn = bname + "_quantized"
            self.add_init(numpy_helper.from_array(q, qn))
            per_channel = bias_scale.size > 1
            self.add_init(numpy_helper.from_array(bias_scale.reshape(-1), qn + "_scale"))
            if per_channel:
                self.add_init(numpy_helper.from_array(np.zeros(bias_scale.size, np.int32), qn + "_zero_point"))
            else:
                self.add_init(scalar_init(qn + "_zero_point", TensorProto.INT32, 0))
            kw = {"axis": 0} if per_channel else {}
            self.g.node.append(helper.make_node(
                "DequantizeLinear", [qn, qn + "_scale", qn + "_zero_point"], [bname],
                bname + "_DequantizeLinear", **kw))
            # the float bias initializer is replaced by the DQ output
            keep = [t for t in self.g.initializer if t.name != bname]
            del self.g.initializer[:]
            self.g.initializer.extend(keep)
        for n in self.remove:
            self.g.node.remove(n)
        return finish(self.model, add_ms=False)


def quantize_qdq(model, qparams, reduce_range=None):
    """Float model + activation qparams -> QDQ model (ORT layout);
    @reduce_range None: the module's REDUCE_RANGE."""
    return _QDQ(model, qparams, reduce_range).run()


def quantize(model, batches):
    """Calibrate on batches (list of feed dicts); return (qop, qdq, qparams)."""
    ranges = adjust_ranges(model, calibrate(model, batches))
    qparams = activation_qparams(ranges)
    return quantize_qoperator(model, qparams), quantize_qdq(model, qparams), qparams


def describe(model):
    """One line per node: op (domain) inputs -> outputs."""
    lines = []
    for n in model.graph.node:
        dom = f" [{n.domain}]" if n.domain else ""
        lines.append(f"{n.op_type}{dom}: {', '.join(n.input)} -> {', '.join(n.output)}")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--float", dest="float_model", default=os.path.join(ROOT, "models", "fmnist_float.onnx"))
    ap.add_argument("--calib", type=int, default=500, help="training images used for calibration")
    ap.add_argument("--qop", default=os.path.join(ROOT, "models", "fmnist_qop.onnx"))
    ap.add_argument("--qdq", default=os.path.join(ROOT, "models", "fmnist_qdq.onnx"))
    ap.add_argument("--full-range", action="store_true",
                    help="int8 weights in -127..127 instead of ORT's reduce_range -64..64")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    global REDUCE_RANGE
    REDUCE_RANGE = not args.full_range

    import fmnist_data
    model = onnx.load(args.float_model)
    xtr, _ = fmnist_data.load("train")
    x = xtr[:args.calib].astype(np.float32)[:, None] / np.float32(255.0)
    batches = [{"input": x[i:i + 100]} for i in range(0, len(x), 100)]
    qop, qdq, qparams = quantize(model, batches)
    for m, path, doc in ((qop, args.qop, "QOperator"), (qdq, args.qdq, "QDQ")):
        m.doc_string = (f"{doc} int8 model from {os.path.basename(args.float_model)}: uint8 "
                        f"activations, int8 per-channel weights; MinMax calibration on the "
                        f"first {args.calib} Fashion-MNIST training images")
        onnx.checker.check_model(m)
        onnx.save(m, path)
        print(f"wrote {path} ({os.path.getsize(path)} bytes, {len(m.graph.node)} nodes)")
        if args.verbose:
            print(describe(m))
    zp, s = qparams["input"]
    print(f"input quantization: scale {s!r} zero point {zp}")


if __name__ == "__main__":
    main()
