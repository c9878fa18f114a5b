"""Loading liblayerfab with ctypes and declaring the C API it uses.

The library is looked up, in order, at:
  1. $LAYERFAB_LIBRARY (a path to liblayerfab.so*);
  2. the directory `make install` recorded in _install.py (LIBDIR);
  3. the build tree this package sits in (python/../build/lib), when run
     from a source checkout;
  4. the dynamic loader's own search (liblayerfab.so.MAJOR).
"""

import ctypes
import os

# The soname this package was written for (include/layerfab.h: the ABI is
# MAJOR, or 0.MINOR while MAJOR is 0).
ABI = "0.2"


def _candidates():
    env = os.environ.get("LAYERFAB_LIBRARY")
    if env:
        yield env
    try:
        from . import _install  # written by make install
    except ImportError:
        _install = None
    if _install is not None:
        yield os.path.join(_install.LIBDIR, _install.SONAME)
    here = os.path.dirname(os.path.abspath(__file__))
    build = os.environ.get("LAYERFAB_BUILD") or os.path.join(
        here, "..", "..", "build")
    yield os.path.join(build, "lib", "liblayerfab.so.%s" % ABI)
    yield "liblayerfab.so.%s" % ABI


def _load():
    errors = []
    for path in _candidates():
        if os.sep in path and not os.path.exists(path):
            errors.append("%s: no such file" % path)
            continue
        try:
            return ctypes.CDLL(path)
        except OSError as e:
            errors.append(str(e))
    raise ImportError("layerfab: cannot load liblayerfab (set "
                      "LAYERFAB_LIBRARY to its path); tried:\n  " +
                      "\n  ".join(errors))


lib = _load()

LF_MAX_DIMS = 8

# lf_dtype values (include/layerfab.h).
DTYPE_UINT8, DTYPE_INT8, DTYPE_INT32, DTYPE_FLOAT32 = 0, 1, 2, 3


class _Sized(ctypes.Structure):
    """A public struct: struct_size first (include/layerfab.h, "Structs the
    caller allocates"). The library writes only the first struct_size
    bytes and appends fields in later versions, so this package's view of
    a struct is safe with a newer library of the same soname."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.struct_size = ctypes.sizeof(self)


class TensorInfo(_Sized):
    """struct lf_tensor_info."""
    _fields_ = [("struct_size", ctypes.c_size_t),
                ("name", ctypes.c_char * 128), ("dtype", ctypes.c_int),
                ("ndim", ctypes.c_int),
                ("dims", ctypes.c_int64 * LF_MAX_DIMS)]


class DeviceInfo(_Sized):
    """struct lf_device_info."""
    _fields_ = [("struct_size", ctypes.c_size_t),
                ("backend", ctypes.c_char_p), ("name", ctypes.c_char_p),
                ("xclbin", ctypes.c_char_p), ("compute_units", ctypes.c_uint),
                ("memory_banks", ctypes.c_uint),
                ("device_memory_bytes", ctypes.c_ulonglong),
                ("device_count", ctypes.c_uint)]


class LayerProfile(_Sized):
    """struct lf_layer_profile."""
    _fields_ = [("struct_size", ctypes.c_size_t),
                ("name", ctypes.c_char * 96), ("op", ctypes.c_char * 32),
                ("where", ctypes.c_char * 8), ("segment", ctypes.c_uint),
                ("host_ns", ctypes.c_ulonglong),
                ("device_ns", ctypes.c_ulonglong),
                ("dev_start_ns", ctypes.c_ulonglong),
                ("h2d_bytes", ctypes.c_ulonglong),
                ("d2h_bytes", ctypes.c_ulonglong),
                ("launches", ctypes.c_uint), ("dma_transfers", ctypes.c_uint),
                ("macs", ctypes.c_ulonglong),
                ("seg_failures", ctypes.c_uint), ("fallback", ctypes.c_int),
                ("fail_status", ctypes.c_int),
                ("fail_reason", ctypes.c_char * 192),
                ("layout", ctypes.c_char * 8),
                ("modeled", ctypes.c_int),
                ("device_cycles", ctypes.c_ulonglong),
                ("cu", ctypes.c_uint), ("d2d_bytes", ctypes.c_ulonglong),
                ("cu_mask", ctypes.c_ulonglong),
                ("cpu_why", ctypes.c_char * 64)]


_p = ctypes.c_void_p
_st = ctypes.c_int
_sz = ctypes.c_size_t


def _decl(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)


_decl("lf_version", ctypes.c_char_p)
_decl("lf_status_name", ctypes.c_char_p, _st)
_decl("lf_last_error", ctypes.c_char_p)
_decl("lf_context_create", _st, ctypes.c_char_p, ctypes.c_char_p,
      ctypes.POINTER(_p))
_decl("lf_context_create_opts", _st, ctypes.c_char_p, ctypes.c_char_p, _p,
      ctypes.POINTER(_p))
_decl("lf_context_destroy", _st, _p)
_decl("lf_options_create", _st, ctypes.POINTER(_p))
_decl("lf_options_destroy", None, _p)
_decl("lf_options_set", _st, _p, ctypes.c_char_p, ctypes.c_char_p)
_decl("lf_context_device_info", _st, _p, _p)
_decl("lf_model_load", _st, _p, ctypes.c_char_p, ctypes.POINTER(_p))
_decl("lf_model_load_memory", _st, _p, ctypes.c_char_p, _sz,
      ctypes.c_char_p, ctypes.POINTER(_p))
_decl("lf_model_destroy", _st, _p)
_decl("lf_model_input_count", _sz, _p)
_decl("lf_model_output_count", _sz, _p)
_decl("lf_model_input_info", _st, _p, _sz, ctypes.POINTER(TensorInfo))
_decl("lf_model_output_info", _st, _p, _sz, ctypes.POINTER(TensorInfo))
_decl("lf_model_input_quant", _st, _p, _sz, ctypes.POINTER(ctypes.c_float),
      ctypes.POINTER(ctypes.c_int32))
_decl("lf_model_output_quant", _st, _p, _sz, ctypes.POINTER(ctypes.c_float),
      ctypes.POINTER(ctypes.c_int32))
_decl("lf_model_run", _st, _p, ctypes.POINTER(_p), _sz, ctypes.POINTER(_p),
      _sz, _p)
_decl("lf_model_run_async", _st, _p, ctypes.POINTER(_p), _sz,
      ctypes.POINTER(_p), _sz, _p, ctypes.POINTER(_p))
_decl("lf_event_wait", _st, _p, ctypes.c_int)
_decl("lf_event_destroy", _st, _p)
_decl("lf_context_last_error", ctypes.c_char_p, _p)
_decl("lf_tensor_create", _st, _p, ctypes.c_int, ctypes.c_int,
      ctypes.POINTER(ctypes.c_int64), _p, ctypes.POINTER(_p))
_decl("lf_tensor_to_device", _st, _p)
_decl("lf_tensor_mark_host_dirty", _st, _p)
_decl("lf_tensor_create_borrowed", _st, _p, ctypes.c_int, ctypes.c_int,
      ctypes.POINTER(ctypes.c_int64), _p, _p, _sz, ctypes.POINTER(_p))
_decl("lf_tensor_destroy", _st, _p)
_decl("lf_tensor_to_host", _st, _p)
_decl("lf_tensor_data", _p, _p)
_decl("lf_tensor_bytes", _sz, _p)
_decl("lf_tensor_shape", ctypes.c_int, _p, ctypes.POINTER(ctypes.c_int64))
_decl("lf_tensor_dtype", ctypes.c_int, _p)
_decl("lf_run_profile_create", _st, ctypes.POINTER(_p))
_decl("lf_run_profile_destroy", None, _p)
_decl("lf_run_profile_count", _sz, _p)
_decl("lf_run_profile_get", _st, _p, _sz, _p)
_decl("lf_run_profile_write_trace", _st, _p, ctypes.c_char_p)
