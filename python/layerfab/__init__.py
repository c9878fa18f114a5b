"""layerfab: int8 ONNX models on FPGAs, or on the emulated card, from Python.

A ctypes binding of liblayerfab (include/layerfab.h) with numpy arrays in
and out. InferenceSession follows onnxruntime's:

    import layerfab
    sess = layerfab.InferenceSession("models/fmnist_qop.onnx", device="emu")
    x = sess.get_inputs()[0]                # .name, .shape, .type
    logits, = sess.run(None, {x.name: images})

    # asynchronous, as onnxruntime's run_async (callback on another thread)
    sess.run_async(None, {x.name: images}, callback, user_data)
    # or with a concurrent.futures.Future
    logits, = sess.run_async(None, {x.name: images}).result()

Devices are layerfab's device strings: "emu", "emu:<profile>", "xrt:N",
"opencl:N", "cpu", "DEV+DEV"; None means LAYERFAB_DEVICE, else the first
card, else "emu". Outputs are the same bytes on every device.
"""

import concurrent.futures
import ctypes
import queue
import threading
import weakref

import numpy as np

from . import _lib
from ._lib import lib

__all__ = ["InferenceSession", "NodeArg", "Error", "DeviceArray", "IOBinding",
           "get_version",
           "get_available_devices", "device_info", "__version__"]


def get_version():
    """The version of the loaded liblayerfab, "MAJOR.MINOR.PATCH"."""
    return lib.lf_version().decode()


__version__ = get_version()


class Error(RuntimeError):
    """A layerfab call failed. .status is the lf_status name (e.g.
    "LF_ERR_SHAPE"), .code its value; str() is the library's message."""

    def __init__(self, code, message):
        self.code = code
        self.status = lib.lf_status_name(code).decode()
        super().__init__("%s (%s)" % (message, self.status))


def _check(code, what):
    if code != 0:
        msg = lib.lf_last_error().decode(errors="replace") or what
        raise Error(code, msg)


_NP_OF = {
    _lib.DTYPE_UINT8: np.dtype(np.uint8),
    _lib.DTYPE_INT8: np.dtype(np.int8),
    _lib.DTYPE_INT32: np.dtype(np.int32),
    _lib.DTYPE_FLOAT32: np.dtype(np.float32),
}
# onnxruntime's type strings.
_ORT_TYPE = {
    _lib.DTYPE_UINT8: "tensor(uint8)",
    _lib.DTYPE_INT8: "tensor(int8)",
    _lib.DTYPE_INT32: "tensor(int32)",
    _lib.DTYPE_FLOAT32: "tensor(float)",
}


class NodeArg:
    """A model input or output, as onnxruntime.NodeArg: .name, .shape (a
    list; None for a dimension the file leaves free), .type (e.g.
    "tensor(float)"), plus .dtype (the numpy dtype) and, for a uint8/int8
    one, .scale and .zero_point (real = scale * (q - zero_point); None
    when the model does not say them)."""

    def __init__(self, info, quant=(None, None)):
        self.name = info.name.decode()
        self.shape = [None if d < 0 else int(d)
                      for d in info.dims[:info.ndim]]
        self.type = _ORT_TYPE.get(info.dtype, "tensor(unknown)")
        self.dtype = _NP_OF.get(info.dtype)
        self._code = info.dtype
        self.scale, self.zero_point = quant

    def __repr__(self):
        return "NodeArg(name=%r, type=%r, shape=%r)" % (self.name, self.type,
                                                         self.shape)


# lf_options (include/layerfab.h, "Options"): the keyword arguments of
# InferenceSession that map onto them, in the text form lf_options_set()
# takes.
OPTIONS = ("fallback", "timeout_ms", "cpu_threads", "trust_xclbin",
           "memory_limit")


def _option_text(name, value):
    if isinstance(value, bool):
        if name == "fallback":
            return "on" if value else "off"
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value
    raise TypeError("layerfab: option %s=%r: expected a bool, int or str" %
                    (name, value))


class _Options:
    """An lf_options object holding @values (a dict), freed on exit."""

    def __init__(self, values):
        self.ptr = None
        if not values:
            return
        o = ctypes.c_void_p()
        _check(lib.lf_options_create(ctypes.byref(o)), "lf_options_create")
        self.ptr = o
        for name, value in values.items():
            self.set(name, value)

    def set(self, name, value):
        _check(lib.lf_options_set(self.ptr, name.encode(),
                                  _option_text(name, value).encode()),
               "lf_options_set(%s)" % name)

    def __enter__(self):
        return self.ptr

    def __exit__(self, *exc):
        if self.ptr:
            lib.lf_options_destroy(self.ptr)
            self.ptr = None


def _context(device, xclbin, options=None):
    ctx = ctypes.c_void_p()
    with _Options(options) as o:
        _check(lib.lf_context_create_opts(
            device.encode() if device is not None else None,
            xclbin.encode() if xclbin is not None else None, o,
            ctypes.byref(ctx)), "lf_context_create")
    return ctx


def _from_providers(providers):
    """(device, fallback) from an onnxruntime-style providers list: entries
    are layerfab device strings ("emu", "xrt:0", "cpu") or (name, options)
    tuples; "CPUExecutionProvider" is "cpu" and other onnxruntime provider
    names are not layerfab's and are skipped. The first device that is not
    "cpu" runs the model; "cpu" after it turns the CPU fallback on, its
    absence turns it off (only the listed providers run anything). No
    layerfab device: (None, None), nothing decided."""
    names = []
    for p in providers or ():
        name = p[0] if isinstance(p, (tuple, list)) else p
        if name == "CPUExecutionProvider":
            name = "cpu"
        elif name.endswith("ExecutionProvider"):
            continue
        names.append(name)
    devs = [n for n in names if n != "cpu"]
    if not devs:
        return ("cpu", None) if names else (None, None)
    after = names[names.index(devs[0]) + 1:]
    return devs[0], "cpu" in after


def _device_info(ctx):
    info = _lib.DeviceInfo()
    _check(lib.lf_context_device_info(ctx, ctypes.byref(info)),
           "lf_context_device_info")
    d = lambda s: s.decode() if s else ""
    return {"backend": d(info.backend), "name": d(info.name),
            "xclbin": d(info.xclbin), "compute_units": info.compute_units,
            "memory_banks": info.memory_banks,
            "device_memory_bytes": info.device_memory_bytes,
            "device_count": info.device_count}


def device_info(device=None, xclbin=None):
    """Open @device (a layerfab device string), describe it (a dict: backend,
    name, xclbin, compute_units, memory_banks, device_memory_bytes,
    device_count) and close it. Raises Error if it cannot be opened."""
    ctx = _context(device, xclbin)
    try:
        info = _device_info(ctx)
    finally:
        lib.lf_context_destroy(ctx)
    info["device"] = device
    return info


# What get_available_devices() tries, in this order.
_CANDIDATES = ("xrt:0", "xrt:1", "opencl:0", "opencl:1", "emu", "cpu")


def get_available_devices(candidates=_CANDIDATES, with_errors=False):
    """The device strings among @candidates that open here (each is opened,
    described and closed), as a list of device_info() dicts. With
    @with_errors, also the ones that did not open, each with an "error"
    key holding the library's message."""
    out = []
    for dev in candidates:
        try:
            out.append(device_info(dev))
        except Error as e:
            if with_errors:
                out.append({"device": dev, "error": str(e)})
    return out


def _destroy(*handles):
    """lf_tensor_destroy every non-NULL handle of the given sequences."""
    for seq in handles:
        for t in seq:
            if t:
                lib.lf_tensor_destroy(t)


def _finish_runs(ctx, pending):
    """A session's waiter thread (InferenceSession.run_async): each run's
    event, in submission order (the order the library runs them in); None
    ends it."""
    while True:
        job = pending.get()
        if job is None:
            return
        _finish_run(ctx, *job)
        del job  # nothing of a finished run stays referenced here


def _finish_run(ctx, ev, ins, outs, keep, want, callback, user_data, fut):
    st = lib.lf_event_wait(ev, -1)  # ctypes drops the GIL here
    msg = ""
    if st != 0:
        msg = (lib.lf_context_last_error(ctx).decode(errors="replace") or
               "lf_model_run_async")
    lib.lf_event_destroy(ev)
    result, err = None, None
    try:
        if st != 0:
            err = Error(st, msg)
        else:
            result = [InferenceSession._to_numpy(outs[i]) for i in want]
    except Error as e:
        err = e
    finally:
        _destroy(ins, outs)
        del keep[:]  # the input arrays, borrowed until now
    if err is None:
        fut.set_result(result)
    else:
        fut.set_exception(err)
    if callback is not None:
        try:
            callback(result, user_data, "" if err is None else str(err))
        except Exception:  # as an uncaught error in a thread: report it
            import traceback
            traceback.print_exc()


class DeviceArray:
    """A tensor kept on a session's device (lf_tensor_to_device), as
    onnxruntime's OrtValue on a device: made by
    InferenceSession.device_array(ndarray) or returned by
    IOBinding.get_outputs(). .shape, .dtype; .numpy() copies it to the
    host (the device copy stays valid and in use). Valid until close() or
    its session's close()."""

    def __init__(self, session, handle, shape, dtype):
        self._session = session
        self._t = handle
        self.shape = tuple(shape)
        self.dtype = dtype
        session._arrays.add(self)

    def _handle(self, session):
        if not self._t:
            raise RuntimeError("the DeviceArray was closed")
        if session is not self._session:
            raise ValueError("the DeviceArray belongs to another session "
                             "(device tensors bind only within the session "
                             "that made them)")
        return self._t

    def numpy(self):
        """The bytes, fetched from the card (a new ndarray)."""
        t = self._handle(self._session)
        a = InferenceSession._to_numpy(t)  # lf_tensor_to_host
        # Still the session's device tensor: a later run keeps it there.
        _check(lib.lf_tensor_to_device(t), "lf_tensor_to_device")
        return a

    def close(self):
        if self._t:
            lib.lf_tensor_destroy(self._t)
            self._t = None

    def __repr__(self):
        return "DeviceArray(shape=%r, dtype=%s, device=%r)" % (
            self.shape, self.dtype, self._session.device)


class IOBinding:
    """onnxruntime's IOBinding, minimal: inputs and outputs that stay on
    the card between runs (InferenceSession.io_binding()).

      bind_cpu_input(name, ndarray)  read from the host at each run
      bind_input(name, value)        a DeviceArray (stays on the card), or an
                                     ndarray copied to the card once, now
      bind_ortvalue_input(...)       the same as bind_input
      bind_output(name, device_type="device")
                                     left on the card ("cpu": on the host)
      get_outputs()                  the last run's outputs, in the model's
                                     order: DeviceArray (bound on the
                                     device) or ndarray
      copy_outputs_to_cpu()          all of them as ndarrays

    A value stays on the card only where the card reads or writes it
    itself (see layerfab.h, lf_model_run): an input the model first
    quantizes on the CPU is fetched to the host, the bytes are the same.
    """

    def __init__(self, session):
        self._s = session
        self._in = {}
        self._out_dev = {}
        self._outs = None

    def bind_cpu_input(self, name, value):
        arg = self._s._input_arg(name)
        self._in[arg.name] = np.asarray(value)

    def bind_input(self, name, value):
        arg = self._s._input_arg(name)
        if not isinstance(value, DeviceArray):
            value = self._s.device_array(value, _arg=arg)
        value._handle(self._s)
        self._in[arg.name] = value

    bind_ortvalue_input = bind_input

    def bind_output(self, name, device_type="device"):
        if name not in [o.name for o in self._s._outputs]:
            raise KeyError("'%s' is not an output of the model" % name)
        if device_type not in ("device", "cpu"):
            raise ValueError("device_type: 'device' or 'cpu'")
        self._out_dev[name] = device_type == "device"

    def clear_binding_inputs(self):
        self._in.clear()

    def clear_binding_outputs(self):
        self._out_dev.clear()

    def get_outputs(self):
        if self._outs is None:
            raise RuntimeError("run_with_iobinding() has not run yet")
        return list(self._outs)

    def copy_outputs_to_cpu(self):
        return [o.numpy() if isinstance(o, DeviceArray) else o
                for o in self.get_outputs()]


class InferenceSession:
    """An ONNX model loaded on a device, as onnxruntime.InferenceSession.

    InferenceSession(path_or_bytes, device="emu", xclbin=None,
                     profile=False, providers=None, fallback=None,
                     timeout_ms=None, cpu_threads=None, trust_xclbin=None,
                     memory_limit=None)
      path_or_bytes  an .onnx file, or its bytes (no external data then)
      device         a layerfab device string, or None (see the module doc)
      xclbin         bitstream path, or None for the device's default
      profile        keep each run's per-layer profile (get_profile(),
                     write_trace())
      providers      onnxruntime style: ["emu", "cpu"] runs on emu with the
                     CPU fallback on, ["emu"] with it off, ["cpu"] on the
                     CPU; "CPUExecutionProvider" is "cpu", other
                     onnxruntime provider names are skipped
      fallback       True / False: run what the device cannot do on the CPU
                     (same bytes), or fail (default: LAYERFAB_FALLBACK,
                     else True); wins over providers
      timeout_ms, cpu_threads, trust_xclbin, memory_limit
                     the lf_options of the same names (layerfab.h); None
                     leaves the LAYERFAB_* variable or default
    Invalid values raise Error with the library's message. onnxruntime's
    sess_options.intra_op_num_threads, when set, is cpu_threads; its other
    settings and provider_options are ignored.
    """

    def __init__(self, path_or_bytes, sess_options=None, providers=None,
                 provider_options=None, device=None, xclbin=None,
                 profile=False, **kwargs):
        self._ctx = None
        self._model = None
        self._prof = None
        self._arrays = weakref.WeakSet()  # live DeviceArrays
        self._waiter = None  # the thread finishing run_async() runs
        self._pending = None  # its queue of runs in flight
        self._lock = threading.Lock()
        unknown = sorted(set(kwargs) - set(OPTIONS))
        if unknown:
            raise TypeError("InferenceSession: unknown argument%s %s "
                            "(options: %s)" %
                            ("s" if len(unknown) > 1 else "",
                             ", ".join(unknown), ", ".join(OPTIONS)))
        options = {k: v for k, v in kwargs.items() if v is not None}
        pdev, pfallback = _from_providers(providers)
        if device is not None and pdev is not None and device != pdev:
            raise ValueError("InferenceSession: device=%r but providers "
                             "name %r" % (device, pdev))
        device = device or pdev or "emu"
        if pfallback is not None and "fallback" not in options:
            options["fallback"] = pfallback
        threads = getattr(sess_options, "intra_op_num_threads", 0)
        if threads and "cpu_threads" not in options:
            options["cpu_threads"] = int(threads)
        self._ctx = _context(device, xclbin, options)
        self.device = device
        self.options = dict(options)
        model = ctypes.c_void_p()
        if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
            data = bytes(path_or_bytes)
            _check(lib.lf_model_load_memory(self._ctx, data, len(data), None,
                                            ctypes.byref(model)),
                   "lf_model_load_memory")
        else:
            _check(lib.lf_model_load(self._ctx, str(path_or_bytes).encode(),
                                     ctypes.byref(model)), "lf_model_load")
        self._model = model
        self._inputs = self._args(lib.lf_model_input_count,
                                  lib.lf_model_input_info,
                                  lib.lf_model_input_quant)
        self._outputs = self._args(lib.lf_model_output_count,
                                   lib.lf_model_output_info,
                                   lib.lf_model_output_quant)
        if profile:
            prof = ctypes.c_void_p()
            _check(lib.lf_run_profile_create(ctypes.byref(prof)),
                   "lf_run_profile_create")
            self._prof = prof

    def _args(self, count, get, quant):
        out = []
        for i in range(count(self._model)):
            info = _lib.TensorInfo()
            _check(get(self._model, i, ctypes.byref(info)), "model info")
            s, z = ctypes.c_float(), ctypes.c_int32()
            q = (None, None)
            if quant(self._model, i, ctypes.byref(s), ctypes.byref(z)) == 0:
                q = (s.value, z.value)
            out.append(NodeArg(info, q))
        return out

    def get_inputs(self):
        """The model's inputs, in order, as NodeArg."""
        return list(self._inputs)

    def get_outputs(self):
        """The model's outputs, in order, as NodeArg."""
        return list(self._outputs)

    def get_providers(self):
        """onnxruntime compatibility: the device this session runs on."""
        return [self.device_info()["backend"]]

    def device_info(self):
        """The session's device, as device_info() describes it."""
        info = _device_info(self._ctx)
        info["device"] = self.device
        return info

    def _input_tensor(self, arg, value, keep):
        if arg.dtype is None:
            raise TypeError("input '%s' has a type this package does not "
                            "know (%d)" % (arg.name, arg._code))
        a = np.asarray(value)
        if a.dtype != arg.dtype:
            raise TypeError("input '%s': expected %s, got numpy %s" %
                            (arg.name, arg.type, a.dtype))
        a = np.ascontiguousarray(a)
        if a.ndim > _lib.LF_MAX_DIMS:
            raise ValueError("input '%s' has rank %d; at most %d" %
                             (arg.name, a.ndim, _lib.LF_MAX_DIMS))
        keep.append(a)
        dims = (ctypes.c_int64 * max(a.ndim, 1))(*a.shape)
        t = ctypes.c_void_p()
        _check(lib.lf_tensor_create_borrowed(
            self._ctx, arg._code, a.ndim, dims, None,
            a.ctypes.data_as(ctypes.c_void_p), a.nbytes, ctypes.byref(t)),
            "input '%s'" % arg.name)
        return t

    @staticmethod
    def _to_numpy(t):
        _check(lib.lf_tensor_to_host(t), "lf_tensor_to_host")
        dims = (ctypes.c_int64 * _lib.LF_MAX_DIMS)()
        ndim = lib.lf_tensor_shape(t, dims)
        dtype = _NP_OF[lib.lf_tensor_dtype(t)]
        n = lib.lf_tensor_bytes(t)
        raw = ctypes.string_at(lib.lf_tensor_data(t), n) if n else b""
        return np.frombuffer(raw, dtype=dtype).reshape(
            tuple(dims[:ndim])).copy()

    def _output_indexes(self, output_names):
        names = [o.name for o in self._outputs]
        if output_names is None:
            return list(range(len(names)))
        want = []
        for n in output_names:
            if n not in names:
                raise KeyError("'%s' is not an output of the model "
                               "(outputs: %s)" % (n, ", ".join(names)))
            want.append(names.index(n))
        return want

    def _input_tensors(self, input_feed, keep):
        """lf_tensor handles borrowing @input_feed's arrays (kept alive in
        @keep), in the model's input order; the caller destroys them."""
        known = {a.name for a in self._inputs}
        for n in input_feed:
            if n not in known:
                raise KeyError("'%s' is not an input of the model (inputs: "
                               "%s)" % (n, ", ".join(sorted(known))))
        ins = []
        try:
            for arg in self._inputs:
                if arg.name not in input_feed:
                    raise KeyError("input '%s' is missing" % arg.name)
                ins.append(self._input_tensor(arg, input_feed[arg.name],
                                              keep))
        except BaseException:
            _destroy(ins)
            raise
        return ins

    def _input_arg(self, name):
        for a in self._inputs:
            if a.name == name:
                return a
        raise KeyError("'%s' is not an input of the model (inputs: %s)" %
                       (name, ", ".join(a.name for a in self._inputs)))

    def device_array(self, value, _arg=None):
        """A DeviceArray holding a copy of @value (a numpy array) on this
        session's device, as onnxruntime's OrtValue.ortvalue_from_numpy:
        uploaded once, now."""
        a = np.ascontiguousarray(np.asarray(value))
        code = next((c for c, d in _NP_OF.items() if d == a.dtype), None)
        if code is None:
            raise TypeError("DeviceArray: numpy %s is not one of uint8, "
                            "int8, int32, float32" % a.dtype)
        if _arg is not None and a.dtype != _arg.dtype:
            raise TypeError("input '%s': expected %s, got numpy %s" %
                            (_arg.name, _arg.type, a.dtype))
        if not 1 <= a.ndim <= _lib.LF_MAX_DIMS:
            raise ValueError("DeviceArray: rank %d; 1 to %d" %
                             (a.ndim, _lib.LF_MAX_DIMS))
        dims = (ctypes.c_int64 * a.ndim)(*a.shape)
        t = ctypes.c_void_p()
        _check(lib.lf_tensor_create(self._ctx, code, a.ndim, dims, None,
                                    ctypes.byref(t)), "lf_tensor_create")
        try:
            ctypes.memmove(lib.lf_tensor_data(t), a.ctypes.data, a.nbytes)
            _check(lib.lf_tensor_mark_host_dirty(t), "mark_host_dirty")
            _check(lib.lf_tensor_to_device(t), "lf_tensor_to_device")
        except BaseException:
            lib.lf_tensor_destroy(t)
            raise
        return DeviceArray(self, t, a.shape, a.dtype)

    def io_binding(self):
        """An IOBinding for run_with_iobinding(), as onnxruntime's."""
        return IOBinding(self)

    def run_with_iobinding(self, binding, run_options=None):
        """Run once with @binding's inputs and outputs; the outputs are in
        binding.get_outputs(). Outputs bound on the device come back as
        DeviceArray left on the card (reused by later runs of the same
        binding: same shape, written in place)."""
        if binding._s is not self:
            raise ValueError("the IOBinding belongs to another session")
        keep, ins, made, given = [], [], [], set()
        nout = len(self._outputs)
        outs = (ctypes.c_void_p * max(nout, 1))()
        prev = binding._outs or [None] * nout
        try:
            for arg in self._inputs:
                v = binding._in.get(arg.name)
                if v is None:
                    raise KeyError("input '%s' is not bound" % arg.name)
                if isinstance(v, DeviceArray):
                    ins.append(v._handle(self))
                else:
                    t = self._input_tensor(arg, v, keep)
                    made.append(t)
                    ins.append(t)
            for i, o in enumerate(self._outputs):
                on_dev = binding._out_dev.get(o.name, False)
                if on_dev and isinstance(prev[i], DeviceArray) and \
                        prev[i]._t:
                    outs[i] = prev[i]._t  # written in place, on the card
                    given.add(i)
            arr = (ctypes.c_void_p * max(len(ins), 1))(*ins)
            _check(lib.lf_model_run(self._model, arr, len(ins), outs, nout,
                                    self._prof), "lf_model_run")
            result = []
            for i, o in enumerate(self._outputs):
                t = outs[i]
                if i in given:
                    result.append(prev[i])
                    continue
                if binding._out_dev.get(o.name, False):
                    # A new output tensor: kept on the card from the
                    # next run on (this run delivered it to the host).
                    _check(lib.lf_tensor_to_device(t), "lf_tensor_to_device")
                    dims = (ctypes.c_int64 * _lib.LF_MAX_DIMS)()
                    nd = lib.lf_tensor_shape(t, dims)
                    result.append(DeviceArray(
                        self, ctypes.c_void_p(t), dims[:nd],
                        _NP_OF[lib.lf_tensor_dtype(t)]))
                else:
                    result.append(self._to_numpy(t))
                    lib.lf_tensor_destroy(t)
                outs[i] = None
            binding._outs = result
        finally:
            _destroy(made)
            _destroy([t for i, t in enumerate(outs) if i not in given])

    def run_async(self, output_names, input_feed, callback=None,
                  user_data=None, run_options=None):
        """Start one run and return at once (lf_model_run_async).

        As onnxruntime's InferenceSession.run_async: @callback, when
        given, is called once the run has ended, on a thread of this
        session, as callback(outputs, user_data, err): outputs the list
        run() would return (None on failure), err "" or the library's
        message. In any case a concurrent.futures.Future is returned whose
        result() is that list (or raises Error).

        Runs of one session are queued in submission order on the
        library's worker thread and overlap with the caller; several may
        be in flight. The input arrays are read when the run executes, not
        at submission: do not modify them until it has ended. Mistakes
        found at once (unknown names, dtypes, shapes) raise here, as in
        run(). Async runs do not update get_profile(). close() waits for
        the runs in flight.
        """
        want = self._output_indexes(output_names)
        if not self._model:
            raise RuntimeError("the session is closed")
        keep = []
        ins = self._input_tensors(input_feed, keep)
        nout = len(self._outputs)
        outs = (ctypes.c_void_p * max(nout, 1))()
        ev = ctypes.c_void_p()
        try:
            arr = (ctypes.c_void_p * max(len(ins), 1))(*ins)
            _check(lib.lf_model_run_async(self._model, arr, len(ins), outs,
                                          nout, None, ctypes.byref(ev)),
                   "lf_model_run_async")
        except BaseException:
            _destroy(ins)
            raise
        fut = concurrent.futures.Future()
        fut.set_running_or_notify_cancel()
        with self._lock:
            if self._waiter is None:
                self._pending = queue.Queue()
                # The thread holds the context, not the session, so an
                # unused session can still be collected (and close()d).
                self._waiter = threading.Thread(
                    target=_finish_runs, args=(self._ctx, self._pending),
                    name="layerfab-run-async", daemon=True)
                self._waiter.start()
            self._pending.put((ev, ins, outs, keep, want, callback,
                               user_data, fut))
        return fut

    def _stop_waiter(self):
        with self._lock:
            waiter, pending = self._waiter, self._pending
            self._waiter = self._pending = None
        if waiter is not None:
            pending.put(None)
            if waiter is not threading.current_thread():
                waiter.join()

    def run(self, output_names, input_feed, run_options=None):
        """Run the model once.

        output_names  the outputs to return, in this order; None for all
        input_feed    {input name: numpy array}, one entry per input, each
                      of the input's dtype; free dimensions may take any
                      size
        Returns a list of numpy arrays. Raises KeyError for an unknown
        name, TypeError for a wrong dtype, Error for what the library
        refuses (shapes, ...) or fails at.
        """
        want = self._output_indexes(output_names)
        keep, ins = [], []
        nout = len(self._outputs)
        outs = (ctypes.c_void_p * max(nout, 1))()
        ins = self._input_tensors(input_feed, keep)
        try:
            arr = (ctypes.c_void_p * max(len(ins), 1))(*ins)
            _check(lib.lf_model_run(self._model, arr, len(ins), outs,
                                    nout, self._prof), "lf_model_run")
            return [self._to_numpy(outs[i]) for i in want]
        finally:
            _destroy(ins, outs)

    def get_profile(self):
        """The last run's per-layer profile (profile=True): a list of dicts
        with name, op, where ("device"/"cpu"), segment (None on the CPU),
        host_ns, device_ns (modeled: a projection, not a measurement),
        dev_start_ns, h2d_bytes, d2h_bytes, launches, dma_transfers, macs.
        """
        if self._prof is None:
            raise RuntimeError("the session was made without profile=True")
        out = []
        for i in range(lib.lf_run_profile_count(self._prof)):
            rec = _lib.LayerProfile()
            _check(lib.lf_run_profile_get(self._prof, i, ctypes.byref(rec)),
                   "lf_run_profile_get")
            d = {}
            for name, _ in _lib.LayerProfile._fields_[1:]:
                v = getattr(rec, name)
                d[name] = v.decode() if isinstance(v, bytes) else v
            if d["segment"] == 0xFFFFFFFF:
                d["segment"] = None
            out.append(d)
        return out

    def write_trace(self, path):
        """Write the last run as Chrome/Perfetto trace JSON (profile=True)."""
        if self._prof is None:
            raise RuntimeError("the session was made without profile=True")
        _check(lib.lf_run_profile_write_trace(self._prof, str(path).encode()),
               "lf_run_profile_write_trace")

    def close(self):
        """Free the model, the profile and the device now (else when the
        session is garbage-collected), after the run_async() runs in
        flight have ended (their callbacks called)."""
        self._stop_waiter()
        for a in list(self._arrays):
            a.close()
        if self._model:
            lib.lf_model_destroy(self._model)
            self._model = None
        if self._prof:
            lib.lf_run_profile_destroy(self._prof)
            self._prof = None
        if self._ctx:
            lib.lf_context_destroy(self._ctx)
            self._ctx = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass
