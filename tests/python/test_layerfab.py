"""tests/python/test_layerfab.py - the layerfab Python package (python/).

Run by `make test` (tests/python/run.sh) with Debian's /usr/bin/python3:
    PYTHONPATH=python /usr/bin/python3 -m unittest tests/python/test_layerfab.py

Expected values come from elsewhere than layerfab: model outputs from ONNX
Runtime's files (tests/data/ort/*/test_data_set_N/output_0.pb, written by
scripts/ort/run_ort.js), read with the onnx package; input and output
names, types and shapes from the model file read with onnx; the version
from include/layerfab.h's text.
"""

import glob
import json
import os
import re
import tempfile
import threading
import unittest

import numpy as np
import onnx
from onnx import numpy_helper

import layerfab

ROOT = os.environ.get("LF_SRC") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..")
MODEL = os.path.join(ROOT, "models", "fmnist_qop.onnx")
ORT = os.path.join(ROOT, "tests", "data", "ort")


def pb(path):
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


def vectors(case):
    for d in sorted(glob.glob(os.path.join(ORT, case, "test_data_set_*"))):
        yield (d, pb(os.path.join(d, "input_0.pb")),
               pb(os.path.join(d, "output_0.pb")))


class TestSession(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sess = layerfab.InferenceSession(MODEL, device="emu",
                                             profile=True)

    @classmethod
    def tearDownClass(cls):
        cls.sess.close()

    def test_ort_bytes_emu(self):
        n = 0
        for d, x, want in vectors("fmnist_qop"):
            got, = self.sess.run(None, {"input": x})
            self.assertEqual(got.dtype, want.dtype, d)
            self.assertEqual(got.shape, want.shape, d)
            self.assertEqual(got.tobytes(), want.tobytes(), d)
            n += 1
        self.assertEqual(n, 3)  # tests/data/ort/README.md: sets 0, 1, 2

    def test_ort_bytes_qdq_and_cpu(self):
        # The QDQ twin, from its bytes in memory, on the CPU path.
        with open(os.path.join(ORT, "fmnist_qdq", "model.onnx"), "rb") as f:
            data = f.read()
        with layerfab.InferenceSession(data, device="cpu") as s:
            for d, x, want in vectors("fmnist_qdq"):
                got, = s.run(["logits"], {"input": x})
                self.assertEqual(got.tobytes(), want.tobytes(), d)

    def test_inputs_outputs_match_the_file(self):
        g = onnx.load(MODEL).graph
        inits = {i.name for i in g.initializer}
        for args, decl in ((self.sess.get_inputs(),
                            [i for i in g.input if i.name not in inits]),
                           (self.sess.get_outputs(), list(g.output))):
            self.assertEqual([a.name for a in args], [v.name for v in decl])
            for a, v in zip(args, decl):
                tt = v.type.tensor_type
                self.assertEqual(tt.elem_type, onnx.TensorProto.FLOAT)
                self.assertEqual(a.type, "tensor(float)")
                self.assertEqual(a.shape, [
                    d.dim_value if d.HasField("dim_value") else None
                    for d in tt.shape.dim
                ])

    def test_profile_and_trace(self):
        x = vectors("fmnist_qop").__next__()[1]
        self.sess.run(None, {"input": x})
        prof = self.sess.get_profile()
        self.assertGreater(len(prof), 0)
        where = {p["where"] for p in prof}
        self.assertTrue(where <= {"device", "cpu"}, where)
        self.assertIn("device", where)  # the convs run on the emulated card
        self.assertIn("QLinearConv", {p["op"] for p in prof})
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "t.json")
            self.sess.write_trace(path)
            with open(path) as f:
                self.assertIn("traceEvents", json.load(f))

    def test_bad_input(self):
        x = vectors("fmnist_qop").__next__()[1]
        with self.assertRaises(KeyError):
            self.sess.run(None, {"image": x})
        with self.assertRaises(KeyError):
            self.sess.run(["nope"], {"input": x})
        with self.assertRaises(TypeError):
            self.sess.run(None, {"input": x.astype(np.float64)})
        with self.assertRaises(layerfab.Error) as e:
            self.sess.run(None, {"input": np.zeros((1, 1, 27, 28),
                                                   np.float32)})
        self.assertIn("27", str(e.exception))
        self.assertIn(e.exception.status,
                      ("LF_ERR_SHAPE", "LF_ERR_INVALID_ARG"))
        # The session still works after the refusals.
        for d, x, want in vectors("fmnist_qop"):
            got, = self.sess.run(None, {"input": x})
            self.assertEqual(got.tobytes(), want.tobytes(), d)


class TestRunAsync(unittest.TestCase):
    """InferenceSession.run_async (lf_model_run_async), onnxruntime's
    signature: callback(outputs, user_data, err) on another thread, plus
    a concurrent.futures.Future. Expected bytes: ONNX Runtime's files."""

    def test_ort_bytes_callbacks_and_futures(self):
        vs = list(vectors("fmnist_qop"))
        done = []
        all_done = threading.Event()

        def cb(outputs, user_data, err):
            done.append((user_data, outputs, err,
                         threading.current_thread() is main))
            if len(done) == 2 * len(vs):
                all_done.set()

        main = threading.current_thread()
        with layerfab.InferenceSession(MODEL, device="emu") as s:
            # Everything submitted before anything is collected: several
            # runs in flight on the context's worker.
            futs = [s.run_async(None, {"input": x}, cb, i)
                    for i, (d, x, want) in enumerate(vs)]
            futs += [s.run_async(["logits"], {"input": x}, cb, 10 + i)
                     for i, (d, x, want) in enumerate(vs)]
            self.assertTrue(all_done.wait(120))
            for i, (d, x, want) in enumerate(vs):
                for f in (futs[i], futs[len(vs) + i]):
                    got, = f.result(timeout=0)
                    self.assertEqual(got.shape, want.shape, d)
                    self.assertEqual(got.tobytes(), want.tobytes(), d)
            # Callbacks in submission order, none on the caller's thread.
            self.assertEqual([u for u, _, _, _ in done],
                             [0, 1, 2, 10, 11, 12])
            for u, outputs, err, on_main in done:
                self.assertEqual(err, "")
                self.assertFalse(on_main)
                want = vs[u % 10][2]
                self.assertEqual(outputs[0].tobytes(), want.tobytes())
            # A synchronous run after async ones: the same bytes.
            d, x, want = vs[0]
            self.assertEqual(s.run(None, {"input": x})[0].tobytes(),
                             want.tobytes())

    def test_errors(self):
        d, x, want = vectors("fmnist_qop").__next__()
        batch = [v for v in vectors("fmnist_qop") if v[1].shape[0] > 1][0]
        # As TestOptions: 300000 bytes hold a one-image run on emu, not the
        # 8-image batch; without the fallback the run itself fails, which
        # lf_model_run_async reports through its event.
        with layerfab.InferenceSession(MODEL, providers=["emu"],
                                       memory_limit=300000) as s:
            with self.assertRaises(KeyError):
                s.run_async(None, {"image": x})
            with self.assertRaises(KeyError):
                s.run_async(["nope"], {"input": x})
            with self.assertRaises(TypeError):
                s.run_async(None, {"input": x.astype(np.float64)})
            with self.assertRaises(layerfab.Error) as e:  # at submission
                s.run_async(None, {"input": np.zeros((1, 1, 27, 28),
                                                     np.float32)})
            self.assertIn("27", str(e.exception))
            got = []
            f = s.run_async(None, {"input": batch[1]},
                            lambda o, u, err: got.append((o, u, err)), "b")
            with self.assertRaises(layerfab.Error) as e:
                f.result(timeout=120)
            self.assertEqual(e.exception.status, "LF_ERR_NO_DEVICE_MEMORY")
            self.assertIn("memory limit of 300000", str(e.exception))
            f2 = s.run_async(None, {"input": x})
            self.assertEqual(f2.result(timeout=120)[0].tobytes(),
                             want.tobytes())
            self.assertEqual(len(got), 1)
            self.assertIsNone(got[0][0])
            self.assertEqual(got[0][1], "b")
            self.assertIn("LF_ERR_NO_DEVICE_MEMORY", got[0][2])

    def test_close_waits_for_runs_in_flight(self):
        vs = list(vectors("fmnist_qop"))
        s = layerfab.InferenceSession(MODEL, device="emu")
        futs = [s.run_async(None, {"input": x}) for d, x, w in vs * 3]
        s.close()  # no error, no crash: the runs end first
        for f, (d, x, want) in zip(futs, vs * 3):
            self.assertTrue(f.done())
            self.assertEqual(f.result()[0].tobytes(), want.tobytes(), d)
        with self.assertRaises(RuntimeError):
            s.run_async(None, {"input": vs[0][1]})


class TestIOBinding(unittest.TestCase):
    """Tensors that stay on the card (IOBinding, DeviceArray), onnxruntime
    style. Model: ORT's qlinearconv_depthwise vector, a uint8 [1,8,9,9]
    input straight into a depthwise QLinearConv on the card and a uint8
    [1,8,9,9] output, so the output can feed the model again. Expected
    bytes: ORT's output_0.pb; for two steps the cpu device. Transfers by
    hand: 648 bytes per tensor, each crossing once, checked by the
    engine's transfer checksum (no read-back): 4 bytes of nonce up, the
    status word and the two 16-byte digests (36 bytes) down
    (hostlib/exec/README.md)."""

    DW = os.path.join(ORT, "ops", "qlinearconv_depthwise")

    def moved(self, s):
        dev = [p for p in s.get_profile() if p["where"] == "device"]
        self.assertEqual(len(dev), 1)
        return dev[0]["h2d_bytes"], dev[0]["d2h_bytes"], dev[0]["d2d_bytes"]

    def test_bound_on_the_card(self):
        x = pb(os.path.join(self.DW, "test_data_set_0", "input_0.pb"))
        want = pb(os.path.join(self.DW, "test_data_set_0", "output_0.pb"))
        path = os.path.join(self.DW, "model.onnx")
        with layerfab.InferenceSession(path, device="cpu") as c:
            want2, = c.run(None, {"x": want})  # two steps, on the CPU
        with layerfab.InferenceSession(path, device="emu",
                                       profile=True) as s:
            s.run(None, {"x": x})
            got, = s.run(None, {"x": x})
            self.assertEqual(got.tobytes(), want.tobytes())
            h2d, d2h, d2d = self.moved(s)
            self.assertEqual((h2d, d2h, d2d), (648 + 4, 648 + 36, 0))

            b = s.io_binding()
            b.bind_input("x", s.device_array(x))
            b.bind_output("y")
            s.run_with_iobinding(b)  # its output is new: on the host
            y1 = b.get_outputs()[0]
            self.assertIsInstance(y1, layerfab.DeviceArray)
            s.run_with_iobinding(b)  # now written on the card
            self.assertIs(b.get_outputs()[0], y1)
            self.assertEqual(self.moved(s),
                             (h2d - 648, d2h - 648, 2 * 648))
            self.assertEqual(b.copy_outputs_to_cpu()[0].tobytes(),
                             want.tobytes())

            # Chain: the output on the card feeds the next run.
            b2 = s.io_binding()
            b2.bind_input("x", y1)
            b2.bind_output("y")
            for _ in range(3):
                s.run_with_iobinding(b2)
            self.assertEqual(self.moved(s),
                             (h2d - 648, d2h - 648, 2 * 648))
            z = b2.get_outputs()[0]
            self.assertEqual(z.numpy().tobytes(), want2.tobytes())
            self.assertEqual(z.shape, want2.shape)
            # numpy() leaves it on the card: still no transfer of it.
            s.run_with_iobinding(b2)
            self.assertEqual(self.moved(s)[2], 2 * 648)
            self.assertEqual(y1.numpy().tobytes(), want.tobytes())

            # A host input and a host output through the same binding.
            b3 = s.io_binding()
            b3.bind_cpu_input("x", want)
            b3.bind_output("y", "cpu")
            s.run_with_iobinding(b3)
            self.assertEqual(b3.get_outputs()[0].tobytes(), want2.tobytes())

            with self.assertRaises(KeyError):
                b3.bind_input("nope", x)
            with self.assertRaises(TypeError):
                b3.bind_input("x", x.astype(np.int8))
            with layerfab.InferenceSession(path, device="emu") as other:
                with self.assertRaises(ValueError):
                    other.io_binding().bind_input("x", y1)
        # The session closed its device arrays with it.
        with self.assertRaises(RuntimeError):
            y1.numpy()


class TestQuant(unittest.TestCase):
    def test_scale_and_zero_point_are_the_files(self):
        path = os.path.join(ORT, "ops", "qlinearadd_u8", "model.onnx")
        inits = {i.name: numpy_helper.to_array(i)
                 for i in onnx.load(path).graph.initializer}
        with layerfab.InferenceSession(path, device="cpu") as s:
            args = s.get_inputs() + s.get_outputs()
            self.assertEqual([a.name for a in args], ["a", "b", "y"])
            for a in args:
                self.assertEqual(a.type, "tensor(uint8)")
                self.assertEqual(np.float32(a.scale),
                                 inits[a.name + "_scale"])
                self.assertEqual(a.zero_point,
                                 int(inits[a.name + "_zp"]))
        with layerfab.InferenceSession(MODEL, device="cpu") as s:
            self.assertIsNone(s.get_inputs()[0].scale)  # float input


class TestModule(unittest.TestCase):
    def test_version_is_the_headers(self):
        with open(os.path.join(ROOT, "include", "layerfab.h")) as f:
            h = f.read()
        parts = [re.search(r"#define LF_VERSION_%s (\d+)" % p, h).group(1)
                 for p in ("MAJOR", "MINOR", "PATCH")]
        self.assertEqual(layerfab.__version__, ".".join(parts))
        self.assertEqual(layerfab.get_version(), ".".join(parts))

    def test_missing_file(self):
        with self.assertRaises(layerfab.Error) as e:
            layerfab.InferenceSession(os.path.join(ROOT, "no-such.onnx"))
        self.assertIn("no-such.onnx", str(e.exception))

    def test_bad_device(self):
        with self.assertRaises(layerfab.Error) as e:
            layerfab.InferenceSession(MODEL, device="frobnicate")
        self.assertEqual(e.exception.status, "LF_ERR_INVALID_ARG")

    def test_devices(self):
        devs = layerfab.get_available_devices(("emu", "cpu", "bogus"),
                                              with_errors=True)
        by = {d["device"]: d for d in devs}
        self.assertEqual(by["emu"]["backend"], "emu")
        self.assertEqual(by["emu"]["name"], "aws-f1")
        self.assertGreater(by["emu"]["compute_units"], 0)
        self.assertEqual(by["cpu"]["backend"], "cpu")
        self.assertIn("LF_ERR_INVALID_ARG", by["bogus"]["error"])
        self.assertEqual(len(layerfab.get_available_devices(("bogus",))), 0)


class TestOptions(unittest.TestCase):
    """lf_options as keyword arguments (and onnxruntime-style providers).
    Expected bytes: ONNX Runtime's files. The memory limit of 300000 bytes
    holds fmnist's constants and a one-image run's buffers on emu, not an
    8-image batch's, so the batch of set 1 needs the CPU fallback: an
    error without it, ORT's bytes with it. The constants are about 204 KiB
    (208384 bytes on emu's aws-f1 build: the NCHW forms and the blocked
    ones, tests/unit/test_cli.c, run_fallback_reported), one copy under
    this limit; a one-image run's buffers fit in the rest (it runs), while
    the batch, split across the engine's two CUs, needs an arena of 62720
    bytes for each (with conv1's and conv2's max pools fused into them,
    LF_DF_POOL, their outputs are never stored: at 400000 the batch ran),
    which does not (measured: the single image runs at 280000, the batch
    fails at 340000). (At 450000 the constants take a copy in each CU's
    params bank and not even one image fits beside them.)"""

    def batch_and_single(self):
        vs = list(vectors("fmnist_qop"))
        return ([v for v in vs if v[1].shape[0] > 1],
                [v for v in vs if v[1].shape[0] == 1])

    def test_cpu_threads(self):
        class SessionOptions:  # what onnxruntime.SessionOptions carries
            intra_op_num_threads = 3
        for kw in ({"cpu_threads": 4}, {"sess_options": SessionOptions()}):
            with layerfab.InferenceSession(MODEL, device="cpu", **kw) as s:
                want_threads = kw.get("cpu_threads", 3)
                self.assertEqual(s.options["cpu_threads"], want_threads)
                for d, x, want in vectors("fmnist_qop"):
                    got, = s.run(None, {"input": x})
                    self.assertEqual(got.tobytes(), want.tobytes(), d)

    def test_providers_and_fallback(self):
        batch, single = self.batch_and_single()
        self.assertTrue(batch and single)
        # ["emu"]: only the card; the batch does not fit under the limit.
        with layerfab.InferenceSession(MODEL, providers=["emu"],
                                       memory_limit=300000) as s:
            self.assertEqual(s.device, "emu")
            for d, x, want in single:
                got, = s.run(None, {"input": x})
                self.assertEqual(got.tobytes(), want.tobytes(), d)
            with self.assertRaises(layerfab.Error) as e:
                s.run(None, {"input": batch[0][1]})
            self.assertEqual(e.exception.status, "LF_ERR_NO_DEVICE_MEMORY")
            self.assertIn("memory limit of 300000", str(e.exception))
        # ["emu", "cpu"], or fallback=True over ["emu"]: the CPU finishes.
        for kw in ({"providers": ["emu", "CPUExecutionProvider"]},
                   {"providers": [("emu", {})], "fallback": True}):
            with layerfab.InferenceSession(MODEL, memory_limit="300000",
                                           profile=True, **kw) as s:
                for d, x, want in batch:
                    got, = s.run(None, {"input": x})
                    self.assertEqual(got.tobytes(), want.tobytes(), d)
                    self.assertTrue(any(p["fallback"]
                                        for p in s.get_profile()))
        # onnxruntime's own provider names: CPU is "cpu", others skipped.
        with layerfab.InferenceSession(
                MODEL, providers=["CUDAExecutionProvider",
                                  "CPUExecutionProvider"]) as s:
            self.assertEqual(s.device, "cpu")

    def test_bad_options(self):
        for kw, name in (({"timeout_ms": 0}, "timeout_ms"),
                         ({"fallback": "maybe"}, "fallback"),
                         ({"cpu_threads": 65}, "cpu_threads"),
                         ({"memory_limit": "12X"}, "memory_limit"),
                         ({"trust_xclbin": 2}, "trust_xclbin")):
            with self.assertRaises(layerfab.Error) as e:
                layerfab.InferenceSession(MODEL, device="cpu", **kw)
            self.assertEqual(e.exception.status, "LF_ERR_INVALID_ARG")
            self.assertIn(name, str(e.exception))
        with self.assertRaises(TypeError):
            layerfab.InferenceSession(MODEL, device="cpu", colour="blue")
        with self.assertRaises(ValueError):
            layerfab.InferenceSession(MODEL, device="cpu", providers=["emu"])


if __name__ == "__main__":
    unittest.main()
