#!/usr/bin/env python3
"""Regenerate the ONNX Runtime reference cases in this folder.

Each test_* folder is an ONNX backend-test case (model.onnx and
test_data_set_0/{input,output}_K.pb) for one com.microsoft or ai.onnx
quantized op, whose expected output was computed by ONNX Runtime itself,
not by layerfab. layerfab's CPU ops must reproduce them byte for byte
(tests/conformance/test_onnx_node.c runs them).

Needs: Debian's python3-onnx and python3-numpy (libonnx-dev pulls them),
node, and onnxruntime-node from the npm registry (it ships the Linux x86-64
libonnxruntime.so):
    mkdir /tmp/ort && (cd /tmp/ort && npm install --ignore-scripts \
        onnxruntime-node@1.20.1)
    /usr/bin/python3 tests/data/onnx/ort/gen_cases.py /tmp/ort
Run it on an x86-64 machine with AVX2 (ORT's kernels differ elsewhere).
"""
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
F = np.float32
MS = [("", 13), ("com.microsoft", 1)]


def f32(v):
    return np.array(v, dtype=F)


def save(name, node, inputs, opsets=MS):
    d = os.path.join(HERE, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, "test_data_set_0"))
    vis = [helper.make_tensor_value_info(
        n, onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[a.dtype], None)
        for n, a in inputs]
    graph = helper.make_graph([node], name, vis,
                              [onnx.ValueInfoProto(name=node.output[0])])
    model = helper.make_model(graph, opset_imports=[
        helper.make_opsetid(dom, ver) for dom, ver in opsets])
    model.ir_version = 7
    onnx.save(model, os.path.join(d, "model.onnx"))
    for i, (n, a) in enumerate(inputs):
        with open(os.path.join(d, "test_data_set_0", "input_%d.pb" % i),
                  "wb") as f:
            f.write(numpy_helper.from_array(a, n).SerializeToString())
    return d


def fma(x, y, z):
    return (np.float64(x) * np.float64(y) + np.float64(z)).astype(F)


def tie_pairs(rng, info, sa, za, sb, zb, sy, zy, n):
    """(a, b) pairs where the FMA order and the plain dequantize-add-
    quantize formula disagree, padded with random pairs."""
    ra, rb = F(sa / sy), F(sb / sy)
    fixed = F(F(zy) - fma(ra, F(za), F(rb * F(zb))))
    a = np.arange(info.min, info.max + 1)
    aa, bb = np.meshgrid(a, a, indexing="ij")
    aa, bb = aa.ravel(), bb.ravel()
    v1 = np.rint(fma(aa.astype(F), ra, fma(bb.astype(F), rb, fixed)))
    deq = F(F(F(aa - za) * F(sa)) + F(F(bb - zb) * F(sb))) / F(sy)
    v2 = np.rint(deq) + zy
    hit = np.nonzero(v1 != v2)[0][: n // 2]
    rest = rng.integers(0, aa.size, size=n - hit.size)
    idx = np.concatenate([hit, rest])
    return aa[idx], bb[idx]


def build(rng):
    for T, tn in ((np.uint8, "u8"), (np.int8, "i8")):
        info = np.iinfo(T)
        # QLinearAdd: ties, broadcasting both ways (scalar B; scalar A,
        # where ORT swaps the operands), a [4,1] + [1,6] pattern.
        for i, (sa, sb, sy) in enumerate(((0.03, 0.03, 0.06),
                                          (0.0123, 0.0456, 0.02),
                                          (0.5, 0.25, 1.0))):
            za, zb, zy = (int(rng.integers(info.min, info.max + 1))
                          for _ in range(3))
            a, b = tie_pairs(rng, info, sa, za, sb, zb, sy, zy, 64)
            shapes = (("full", a, b),
                      ("bscalar", a, b[:1]),
                      ("ascalar", a[:1], b),
                      ("cross", a[:4].reshape(4, 1), b[:6].reshape(1, 6)))
            for tag, x, y in shapes:
                ins = [("a", x.astype(T)), ("sa", f32(sa)),
                       ("za", np.array(za, dtype=T)), ("b", y.astype(T)),
                       ("sb", f32(sb)), ("zb", np.array(zb, dtype=T)),
                       ("sy", f32(sy)), ("zy", np.array(zy, dtype=T))]
                save("test_qlinearadd_%s_%d_%s" % (tn, i, tag),
                     helper.make_node("QLinearAdd", [n for n, _ in ins],
                                      ["y"], domain="com.microsoft"), ins)
        # QLinearAveragePool (and its whole-image fallback to the global
        # kernel), QLinearGlobalAveragePool.
        cfgs = (dict(kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
                dict(kernel_shape=[3, 3], pads=[1, 1, 1, 1],
                     count_include_pad=1),
                dict(kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1,
                     count_include_pad=1, pads=[1, 1, 1, 1]),
                dict(kernel_shape=[5, 5]),
                dict(kernel_shape=[2], strides=[2], ceil_mode=1))
        for i, c in enumerate(cfgs):
            shp = (1, 2, 5) if len(c["kernel_shape"]) == 1 else (1, 2, 5, 5)
            x = rng.integers(info.min, info.max + 1, size=shp).astype(T)
            ins = [("x", x), ("sx", f32(0.1)),
                   ("zx", np.array(rng.integers(info.min, info.max), T)),
                   ("sy", f32(0.07)),
                   ("zy", np.array(rng.integers(info.min, info.max), T))]
            save("test_qlinearaveragepool_%s_%d" % (tn, i),
                 helper.make_node("QLinearAveragePool",
                                  [n for n, _ in ins], ["y"],
                                  domain="com.microsoft", **c), ins)
        x = rng.integers(info.min, info.max + 1, size=(1, 3, 4, 3)).astype(T)
        ins = [("x", x), ("sx", f32(0.3)),
               ("zx", np.array(rng.integers(info.min, info.max), T)),
               ("sy", f32(0.1)),
               ("zy", np.array(rng.integers(info.min, info.max), T))]
        save("test_qlinearglobalaveragepool_%s" % tn,
             helper.make_node("QLinearGlobalAveragePool",
                              [n for n, _ in ins], ["y"],
                              domain="com.microsoft"), ins)
        # QuantizeLinear on exact ties (k/4 with scale 0.5) and per axis.
        x = (rng.integers(-600, 600, size=(3, 16)) / 4.0).astype(F)
        ins = [("x", x), ("s", f32(0.5)),
               ("z", np.array(rng.integers(info.min, info.max), T))]
        save("test_quantizelinear_ties_%s" % tn,
             helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"]), ins)
        ins = [("x", x.reshape(1, 3, 16)), ("s", f32([0.5, 0.3, 2.0])),
               ("z", rng.integers(info.min, info.max, size=3).astype(T))]
        save("test_quantizelinear_axis_%s" % tn,
             helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"],
                              axis=1), ins)
    # Float AveragePool: ceil_mode windows past the padding.
    x = rng.standard_normal((1, 2, 6, 6)).astype(F)
    for incl in (0, 1):
        save("test_averagepool_ceil_pads_incl%d" % incl,
             helper.make_node("AveragePool", ["x"], ["y"],
                              kernel_shape=[3, 3], strides=[2, 2],
                              ceil_mode=1, count_include_pad=incl,
                              pads=[1, 1, 1, 1]),
             [("x", x)], [("", 11)])


RUN_JS = r"""
const ort = require(process.argv[2] + '/node_modules/onnxruntime-node');
const fs = require('fs');
const jobs = JSON.parse(fs.readFileSync(0));
const C = {uint8: Uint8Array, int8: Int8Array, float32: Float32Array};
(async () => {
  const out = {};
  for (const [dir, ins] of Object.entries(jobs)) {
    const s = await ort.InferenceSession.create(dir + '/model.onnx',
        {graphOptimizationLevel: 'disabled', intraOpNumThreads: 1});
    const feeds = {};
    for (const i of ins) {
      const b = Buffer.from(i.data, 'base64');
      feeds[i.name] = new ort.Tensor(i.dtype,
          new C[i.dtype](b.buffer.slice(b.byteOffset, b.byteOffset + b.length)), i.dims);
    }
    const r = (await s.run(feeds))[s.outputNames[0]];
    out[dir] = {type: r.type, dims: r.dims,
      data: Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength).toString('base64')};
  }
  process.stdout.write(JSON.stringify(out));
})();
"""


def run_ort(npm_dir):
    import base64
    jobs = {}
    for name in sorted(os.listdir(HERE)):
        d = os.path.join(HERE, name)
        if not name.startswith("test_"):
            continue
        ins = []
        m = onnx.load(os.path.join(d, "model.onnx"))
        for i, vi in enumerate(m.graph.input):
            t = onnx.TensorProto()
            with open(os.path.join(d, "test_data_set_0",
                                   "input_%d.pb" % i), "rb") as f:
                t.ParseFromString(f.read())
            a = numpy_helper.to_array(t)
            ins.append(dict(name=vi.name, dtype=str(a.dtype),
                            dims=list(a.shape),
                            data=base64.b64encode(a.tobytes()).decode()))
        jobs[d] = ins
    res = subprocess.run(["node", "-e", RUN_JS, "-", npm_dir],
                         input=json.dumps(jobs).encode(),
                         capture_output=True, check=True)
    dt = dict(uint8=np.uint8, int8=np.int8, float32=F)
    for d, o in json.loads(res.stdout).items():
        a = np.frombuffer(base64.b64decode(o["data"]),
                          dtype=dt[o["type"]]).reshape(o["dims"])
        with open(os.path.join(d, "test_data_set_0", "output_0.pb"),
                  "wb") as f:
            f.write(numpy_helper.from_array(a).SerializeToString())


if __name__ == "__main__":
    build(np.random.default_rng(20240601))
    run_ort(sys.argv[1])
