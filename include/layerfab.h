/*
 * layerfab.h - the public API of layerfab: int8 inference layers on FPGAs.
 *
 * This is the only header an application includes and the only interface it
 * may rely on. Everything else in the source tree is internal.
 */
#ifndef LAYERFAB_H
#define LAYERFAB_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define LF_API __attribute__((visibility("default")))
#else
#define LF_API
#endif

/*
 * Version of this header. These three lines are the one source of the
 * version: the Makefile reads them for the shared library's file name
 * (liblayerfab.so.MAJOR.MINOR.PATCH, soname liblayerfab.so.MAJOR), the
 * pkg-config and CMake package versions and `layerfab --version`. MAJOR
 * changes when the ABI breaks, MINOR when it grows, PATCH otherwise.
 * While MAJOR is 0, a MINOR change may break the ABI (0.2.0 added
 * struct_size to the public structs), so the soname is then
 * liblayerfab.so.0.MINOR; from 1.0.0 on it is liblayerfab.so.MAJOR.
 */
#define LF_VERSION_MAJOR 0
#define LF_VERSION_MINOR 2
#define LF_VERSION_PATCH 0

#define LF__STRINGIFY(x)  #x
#define LF__XSTRINGIFY(x) LF__STRINGIFY(x)
/* "MAJOR.MINOR.PATCH", e.g. "0.1.0". */
#define LF_VERSION_STRING                                                      \
	LF__XSTRINGIFY(LF_VERSION_MAJOR)                                       \
	"." LF__XSTRINGIFY(LF_VERSION_MINOR) "." LF__XSTRINGIFY(               \
	    LF_VERSION_PATCH)
/* MAJOR * 10000 + MINOR * 100 + PATCH, for #if comparisons. */
#define LF_VERSION_NUMBER                                                      \
	(LF_VERSION_MAJOR * 10000 + LF_VERSION_MINOR * 100 + LF_VERSION_PATCH)

/*
 * LF_STATUS_MAP - every status code: name, value, message.
 *
 * LF_OK is 0 and every error is negative. The enum, lf_status_name() and
 * lf_status_str() are all produced from this one list, so they cannot drift.
 */
#define LF_STATUS_MAP(X)                                                       \
	X(OK, 0, "success")                                                    \
	X(ERR_INVALID_ARG, -1, "invalid argument")                             \
	X(ERR_NO_MEMORY, -2, "out of host memory")                             \
	X(ERR_NO_DEVICE_MEMORY, -3, "out of device memory")                    \
	X(ERR_UNSUPPORTED, -4, "operation not supported")                      \
	X(ERR_BAD_FILE, -5, "malformed or unreadable file")                    \
	X(ERR_IO, -6, "input/output error")                                    \
	X(ERR_NOT_FOUND, -7, "not found")                                      \
	X(ERR_BUSY, -8, "object still has live children or pending work")      \
	X(ERR_TIMEOUT, -9, "timed out")                                        \
	X(ERR_DEVICE, -10, "device error")                                     \
	X(ERR_DEVICE_LOST, -11, "device lost")                                 \
	X(ERR_DMA, -12, "DMA transfer failed")                                 \
	X(ERR_KERNEL, -13, "kernel reported an error")                         \
	X(ERR_SHAPE, -14, "shapes do not fit")                                 \
	X(ERR_OVERFLOW, -15, "size overflow")                                  \
	X(ERR_RANGE, -16, "address or offset out of range")                    \
	X(ERR_STATE, -17, "call not valid in the object's current state")      \
	X(ERR_BACKEND, -18, "backend library error")                           \
	X(ERR_INTERNAL, -19, "internal error")

/** lf_status - result of every layerfab function that can fail. */
typedef enum lf_status {
#define LF__STATUS_ENUM(name, value, msg) LF_##name = (value),
	LF_STATUS_MAP(LF__STATUS_ENUM)
#undef LF__STATUS_ENUM
} lf_status;

/** lf_dtype - element type of a tensor. */
typedef enum lf_dtype {
	LF_DTYPE_UINT8 = 0,
	LF_DTYPE_INT8 = 1,
	LF_DTYPE_INT32 = 2,
	LF_DTYPE_FLOAT32 = 3
} lf_dtype;

/**
 * lf_status_name() - the enumerator name of a status, e.g. "LF_ERR_TIMEOUT".
 * @status: any value; unknown values give "LF_ERR_UNKNOWN".
 *
 * Return: a static string; never NULL.
 */
LF_API const char *lf_status_name(lf_status status);

/**
 * lf_status_str() - a short English description of a status.
 * @status: any value; unknown values give "unknown status".
 *
 * Return: a static string; never NULL.
 */
LF_API const char *lf_status_str(lf_status status);

/**
 * lf_version() - the version of the library actually loaded, as
 * "MAJOR.MINOR.PATCH" (LF_VERSION_STRING of the header it was built with).
 *
 * An application built against one header and run with another library
 * (a newer liblayerfab.so.MAJOR) can compare this with LF_VERSION_STRING.
 *
 * Return: a static string; never NULL.
 */
LF_API const char *lf_version(void);

/*
 * Structs the caller allocates. Each public struct the caller allocates
 * (struct lf_device_info, lf_quant, lf_conv2d_params, lf_matmul_params,
 * lf_pool_params, lf_profile_record, lf_tensor_info, lf_layer_profile)
 * starts with `size_t struct_size`, which the caller sets to the size of
 * the struct as its header declares it before passing it in:
 *
 *     struct lf_tensor_info info = LF_STRUCT_INIT(struct lf_tensor_info);
 *
 * (the macro sets struct_size and zeroes the rest). A later version may
 * append fields; the library then reads and writes only the first
 * struct_size bytes, and gives a field the caller's struct does not have
 * its default (0), so an application built against this header keeps
 * working with a newer liblayerfab of the same soname. A struct_size
 * smaller than the struct as 0.2.0 declared it (the first version with
 * struct_size; 0 when the caller forgot it) is LF_ERR_INVALID_ARG, with a
 * message naming the struct. (Why a field rather than opaque getters for these:
 * they are plain records read field by field, often in arrays and loops; a size
 * field keeps them cheap and readable and is the pattern of Win32's cbSize
 * and SDL's versioned interfaces. Objects with behaviour, such as
 * lf_options, are opaque.)
 */
#define LF_STRUCT_INIT(type)                                                   \
	{                                                                      \
		.struct_size = sizeof(type)                                    \
	}

/* ------------------------------------------------------------------------
 * Objects. All are opaque; each has a create/destroy pair and destroying
 * NULL does nothing.
 */
typedef struct lf_context lf_context; /* a device (or the CPU) and its state */
typedef struct lf_tensor lf_tensor;   /* shape, dtype, quantization, data */
typedef struct lf_event lf_event;     /* an asynchronous operation */

/*
 * Threads. Every function may be called from any thread. One context may
 * be shared by many threads, or each thread may have its own; ops on one
 * context run concurrently (on the device's compute units in turn) and give
 * the same bytes as when run one at a time. The rules: a tensor may be an
 * input of several ops at once, but while an op writes a tensor (its
 * output) no other op, and no lf_tensor_* call, may use that tensor; an
 * object must not be destroyed while another thread uses it; an event is
 * waited for by one thread at a time. Asynchronous ops of one context run
 * in submission order, on one worker thread per context; they are not
 * ordered against synchronous ops of other threads.
 * Error messages are kept per thread (see lf_last_error()).
 */

/* Largest tensor rank layerfab handles. */
#define LF_MAX_DIMS 8

/**
 * lf_context_create() - open a device and make it ready to run layers.
 * @device: which device: "emu" (the built-in emulated card, platform
 *          profile aws-f1), "emu:<profile>" (aws-f1, u250, u280, u55c,
 *          tiny), "xrt:<N>", "xrt:<PCI address>" ("xrt:0000:65:00.1"),
 *          "opencl", "opencl:<N>", "opencl:<platform>:<device>",
 *          "opencl:<text>" (e.g. "opencl:pocl"), "aws:<N>" (an AWS F2
 *          card with the layerfab Custom Logic), "aws:sim" (the same
 *          backend against an emulated one), any other string of a
 *          backend the driver has (see driver/driver.h), "cpu" (no
 *          device: every op on the CPU reference), "DEV+DEV[+...]"
 *          (several devices, up to
 *          4, e.g. "emu:aws-f1+emu:aws-f1"; not "cpu"), or NULL: the
 *          LAYERFAB_DEVICE environment variable, else the first card
 *          found, else "emu".
 * @xclbin: path of the bitstream to load, or NULL: LAYERFAB_XCLBIN, else
 *          the one matching the device's platform in the build tree or the
 *          installed share/layerfab/bitstreams.
 * @out:    receives the context on success; untouched on failure.
 *
 * Several contexts may be open at once, on one or several devices.
 * Several devices in one context: each is opened and gets a bitstream by
 * the rules below (the same @xclbin for all); if one fails, the context is
 * not made and the message names the device. Models are loaded on every
 * device and lf_model_run() splits batches across them; everything else
 * (single-layer ops, tensors, events, lf_context_device_info()'s fields
 * but device_count) uses the first device.
 * Environment: LAYERFAB_FALLBACK=off makes an op the device cannot run an
 * error (LF_ERR_UNSUPPORTED) instead of running it on the CPU, a model
 * layer the card has a kernel for but no bank room for its weights a load
 * error (LF_ERR_NO_DEVICE_MEMORY), and a device failure the op's error
 * (values: on/1/yes/true, off/0/no/false);
 * LAYERFAB_TIMEOUT_MS bounds the wait for one kernel launch (1 to 86400000
 * ms, default 60000). Any other value of either is LF_ERR_INVALID_ARG. A
 * device string may carry driver options after a comma, e.g.
 * "emu:tiny,bank_size=64M".
 * Bitstream search without @xclbin or LAYERFAB_XCLBIN: the file the
 * driver names for the device, emu-<profile>.xclbin (emulator),
 * emu-aws-f1.xclbin (a portable OpenCL device such as PoCL's) or
 * <platform>.xclbin (cards), in
 * $LAYERFAB_BUILD/bitstreams, then <dir of the executable>/../bitstreams
 * (a build tree), <dir of the executable>/../share/layerfab/bitstreams,
 * <dir of liblayerfab>/../bitstreams (a build tree's library),
 * <dir of liblayerfab>/../share/layerfab/bitstreams, and
 * DATADIR/layerfab/bitstreams of the installation (`make install DATADIR=`,
 * default PREFIX/share; compiled into the shared and the static library).
 *
 * Return: LF_OK; LF_ERR_INVALID_ARG (NULL @out, malformed @device: an
 * unknown backend, a device part its backend cannot parse, an empty or "cpu"
 * member of a "+" list, more than 4); LF_ERR_NOT_FOUND (no such device or
 * bitstream); LF_ERR_BAD_FILE (the xclbin is malformed or does not match the
 * device); LF_ERR_UNSUPPORTED (backend not built in); LF_ERR_NO_MEMORY;
 * LF_ERR_DEVICE. On failure a message is available from lf_last_error(). The
 * context must be released with lf_context_destroy().
 */
LF_API lf_status lf_context_create(const char *device, const char *xclbin,
				   lf_context **out);

/* ------------------------------------------------------------------------
 * Options: what the LAYERFAB_* environment variables set process-wide,
 * per context (lf_context_create_opts()) or per model
 * (lf_model_load_opts()). An option left unset keeps its default: the
 * environment variable where there is one, else the built-in default.
 * Invalid environment values are still LF_ERR_INVALID_ARG at
 * lf_context_create*() even when an option overrides them.
 *
 * An opaque object with one setter per option, rather than a struct: a
 * later version adds options (setters) without changing any caller's
 * memory layout, an option never set is told apart from one set to 0
 * (which a struct cannot do without a flag per field), and each setter
 * checks its value at once, with a message naming it. The options are
 * copied by the call they are passed to, so one object may serve many
 * contexts and models and may be destroyed right after.
 */
typedef struct lf_options lf_options;

/** lf_fallback - what happens to work the device cannot do or fails at. */
typedef enum lf_fallback {
	LF_FALLBACK_ON = 1, /* run it on the CPU, same bytes (the default) */
	LF_FALLBACK_OFF = 0 /* return the error instead (LF_ERR_UNSUPPORTED,
			       or the device's error) */
} lf_fallback;

/**
 * lf_options_create() - an options object with every option unset.
 * Return: LF_OK; LF_ERR_INVALID_ARG (NULL @out); LF_ERR_NO_MEMORY. Release
 * with lf_options_destroy().
 */
LF_API lf_status lf_options_create(lf_options **out);

/** lf_options_destroy() - free @o; NULL does nothing. */
LF_API void lf_options_destroy(lf_options *o);

/**
 * lf_options_set_fallback() - LF_FALLBACK_ON or LF_FALLBACK_OFF; default
 * LAYERFAB_FALLBACK, else on. Context and model.
 * Return: LF_OK; LF_ERR_INVALID_ARG (NULL @o, another value).
 */
LF_API lf_status lf_options_set_fallback(lf_options *o, lf_fallback f);

/**
 * lf_options_set_timeout_ms() - how long one kernel launch may take before
 * it is a device error (LF_ERR_TIMEOUT: retried once, then the fallback
 * rule), 1 to 86400000 ms; default LAYERFAB_TIMEOUT_MS, else 60000.
 * Context only (it belongs to the device).
 * Return: LF_OK; LF_ERR_INVALID_ARG (NULL @o, out of range).
 */
LF_API lf_status lf_options_set_timeout_ms(lf_options *o, unsigned ms);

/**
 * lf_options_set_cpu_threads() - threads a model run on the "cpu" device
 * may use, 1 to 64; default 1. lf_model_run() on a context of the "cpu"
 * device cuts a batch (every input with a free dimension 0 of one size
 * B >= 2, every output's dimension 0 free and B) into min(@n, B)
 * contiguous slices run on their own threads, as several devices do (same
 * bytes). Device contexts, single ops and the CPU fallback of a device
 * segment run on the calling thread in this version. Context and model.
 * Return: LF_OK; LF_ERR_INVALID_ARG (NULL @o, out of range).
 */
LF_API lf_status lf_options_set_cpu_threads(lf_options *o, unsigned n);

/**
 * lf_options_set_trust_xclbin() - 1: run kernel code from any bitstream on
 * a backend that runs bitstream code in this process (the emulator; the
 * same as LAYERFAB_TRUST_XCLBIN=1 or the device option trust_xclbin=1);
 * 0: only this library's own kernel builds, whatever LAYERFAB_TRUST_XCLBIN
 * says. Default: LAYERFAB_TRUST_XCLBIN, else 0. Cards and backends that do
 * not run bitstream code on the host ignore it. Context only.
 * Return: LF_OK; LF_ERR_INVALID_ARG (NULL @o, not 0 or 1).
 */
LF_API lf_status lf_options_set_trust_xclbin(lf_options *o, int on);

/**
 * lf_options_set_memory_limit() - at most @bytes of device memory for the
 * context's buffers (weights, activations, descriptors) on each of its
 * devices, e.g. to share a card between processes; 0 (the default): no
 * limit but the card's. An allocation past the limit is
 * LF_ERR_NO_DEVICE_MEMORY, whose message names the limit; a model run
 * then follows the fallback rule (the segment runs on the CPU, or with
 * fallback off the run fails); weights that do not fit fail the load.
 * Context only.
 * Return: LF_OK; LF_ERR_INVALID_ARG (NULL @o).
 */
LF_API lf_status lf_options_set_memory_limit(lf_options *o, uint64_t bytes);

/**
 * lf_options_set() - set an option by name, from text (for bindings and
 * configuration files): "fallback" (on/1/yes/true, off/0/no/false),
 * "timeout_ms" (a whole number), "cpu_threads", "trust_xclbin" (0 or 1),
 * "memory_limit" (bytes, optional suffix K, M or G: powers of 1024).
 * Return: LF_OK; LF_ERR_INVALID_ARG (NULL argument, malformed or out of
 * range value, named in the message); LF_ERR_NOT_FOUND (no such option;
 * the message lists them).
 */
LF_API lf_status lf_options_set(lf_options *o, const char *key,
				const char *value);

/**
 * lf_context_create_opts() - lf_context_create() with options.
 * @opts: NULL (the same as lf_context_create()) or options; every set
 *        option applies to the context and, but for a model's own options,
 *        to every model loaded on it.
 * Other parameters and returns as lf_context_create(); an invalid
 * environment variable is LF_ERR_INVALID_ARG even when @opts sets that
 * option.
 */
LF_API lf_status lf_context_create_opts(const char *device, const char *xclbin,
					const lf_options *opts,
					lf_context **out);

/**
 * lf_context_destroy() - close the device and free the context.
 * @ctx: a context, or NULL (nothing happens).
 *
 * Return: LF_OK; LF_ERR_BUSY if tensors or events created on @ctx are still
 * alive (the context is left intact: destroy them first).
 */
LF_API lf_status lf_context_destroy(lf_context *ctx);

/**
 * lf_context_last_error() - the detailed message of the last error that a
 * call on @ctx (or on an object created from it) returned, on the calling
 * thread. Never NULL; "" when there was none.
 */
LF_API const char *lf_context_last_error(const lf_context *ctx);

/**
 * lf_last_error() - the detailed message of the last error on the calling
 * thread from any call, including calls that had no context yet (such as a
 * failed lf_context_create()). Never NULL.
 */
LF_API const char *lf_last_error(void);

/* What a context runs on. Strings are owned by the context. */
struct lf_device_info {
	size_t
	    struct_size; /* sizeof(struct lf_device_info), see LF_STRUCT_INIT */
	const char *backend; /* "emu", "xrt", "opencl", "cpu" */
	const char *name;    /* device / platform name */
	const char *xclbin;  /* path of the loaded bitstream, or "" */
	unsigned compute_units;
	unsigned memory_banks;
	unsigned long long device_memory_bytes;
	/* Devices of the context ("DEV+DEV[+...]"; 1 for one device, 0 for
	 * "cpu"). Every other field describes the first device. */
	unsigned device_count;
};

/**
 * lf_context_device_info() - describe the device behind @ctx.
 * Return: LF_OK; LF_ERR_INVALID_ARG for a NULL argument.
 */
LF_API lf_status lf_context_device_info(const lf_context *ctx,
					struct lf_device_info *info);

/* ------------------------------------------------------------------------
 * Tensors.
 */

/** lf_dtype_size() - bytes per element of @t, 0 for an unknown type. */
LF_API size_t lf_dtype_size(lf_dtype t);

/*
 * struct lf_quant - quantization of a uint8/int8 (or int32 bias) tensor:
 * real = scale * (q - zero_point). Per-tensor when count is 1; per-axis
 * when count equals the size of dimension @axis. Arrays are copied.
 */
struct lf_quant {
	size_t struct_size; /* sizeof(struct lf_quant), see LF_STRUCT_INIT */
	const float *scale;
	const int32_t *zero_point; /* NULL: all zero */
	size_t count;
	int axis;
};

/**
 * lf_tensor_create() - a tensor with host memory owned by the library.
 * @ctx:   the context the tensor belongs to.
 * @dtype: element type.
 * @ndim:  rank, 0..LF_MAX_DIMS.
 * @dims:  @ndim extents, each > 0.
 * @quant: quantization, or NULL for none (float32, int32 accumulators).
 * @out:   receives the tensor; untouched on failure.
 *
 * The data is zero-filled. Return: LF_OK; LF_ERR_INVALID_ARG;
 * LF_ERR_OVERFLOW (element count or byte size overflows); LF_ERR_NO_MEMORY.
 * Release with lf_tensor_destroy().
 */
LF_API lf_status lf_tensor_create(lf_context *ctx, lf_dtype dtype, int ndim,
				  const int64_t *dims,
				  const struct lf_quant *quant,
				  lf_tensor **out);

/**
 * lf_tensor_create_borrowed() - a tensor over the caller's memory.
 * @data:  host memory of at least @bytes bytes; it must outlive the tensor.
 * @bytes: size of @data; must equal the tensor's byte size.
 * Other parameters and returns as lf_tensor_create().
 */
LF_API lf_status lf_tensor_create_borrowed(lf_context *ctx, lf_dtype dtype,
					   int ndim, const int64_t *dims,
					   const struct lf_quant *quant,
					   void *data, size_t bytes,
					   lf_tensor **out);

/**
 * lf_tensor_destroy() - free a tensor, its host memory (if owned) and its
 * device memory. NULL does nothing. Return: LF_OK; LF_ERR_BUSY if an
 * asynchronous op using it has not been waited for.
 */
LF_API lf_status lf_tensor_destroy(lf_tensor *t);

/** lf_tensor_data() - host data pointer (after lf_tensor_to_host()). */
LF_API void *lf_tensor_data(lf_tensor *t);

/** lf_tensor_bytes() - size of the tensor's data in bytes. */
LF_API size_t lf_tensor_bytes(const lf_tensor *t);

/**
 * lf_tensor_shape() - rank and extents. @dims may be NULL; else it receives
 * up to LF_MAX_DIMS extents. Return: the rank, or -1 for NULL @t.
 */
LF_API int lf_tensor_shape(const lf_tensor *t, int64_t *dims);

/** lf_tensor_dtype() - element type of @t; (lf_dtype)-1 for NULL. */
LF_API lf_dtype lf_tensor_dtype(const lf_tensor *t);

/**
 * lf_tensor_to_device() / lf_tensor_to_host() - explicit residency control.
 * The library moves data itself when an op needs it; an application that
 * chains ops can keep a tensor on the device with these. After writing to
 * lf_tensor_data(), call lf_tensor_mark_host_dirty() (or to_device).
 * Return: LF_OK; LF_ERR_NO_DEVICE_MEMORY; LF_ERR_DMA; LF_ERR_DEVICE_LOST;
 * LF_ERR_TIMEOUT; LF_ERR_INVALID_ARG (NULL).
 *
 * In this version a layer op reads its inputs from their host copies
 * (fetching a device-only copy first) and leaves its output valid on the
 * host only; to_device keeps an extra device copy that to_host can
 * restore. lf_model_run() reads and writes device copies on the card
 * (see there). On the "cpu" device, and after a device loss, both are
 * no-ops.
 */
LF_API lf_status lf_tensor_to_device(lf_tensor *t);
LF_API lf_status lf_tensor_to_host(lf_tensor *t);
LF_API lf_status lf_tensor_mark_host_dirty(lf_tensor *t);

/* ------------------------------------------------------------------------
 * The backend's own handles, for code that also uses the vendor's API
 * directly (its own kernels on the same card, zero-copy sharing).
 */
typedef enum lf_native_kind {
	LF_NATIVE_XRT_DEVICE = 1, /* xrtDeviceHandle (<xrt/xrt_device.h>) */
	LF_NATIVE_XRT_BO = 2	  /* xrtBufferHandle (<xrt/xrt_bo.h>) */
} lf_native_kind;

/**
 * lf_context_native_handle() - the backend's handle of the context's
 * (first) device, e.g. LF_NATIVE_XRT_DEVICE on an "xrt:N" context.
 * @out: receives the handle; untouched on failure. It is borrowed: valid
 *       while the context lives, never to be closed by the caller.
 * Return: LF_OK; LF_ERR_INVALID_ARG (NULL argument, a kind of another
 * object); LF_ERR_UNSUPPORTED (the "cpu" device, or a backend without
 * handles of that kind: every backend but XRT in this version).
 */
LF_API lf_status lf_context_native_handle(const lf_context *ctx,
					  lf_native_kind kind, void **out);

/**
 * lf_tensor_native_handle() - the backend's handle of the buffer that
 * holds @t's device copy, e.g. LF_NATIVE_XRT_BO. The tensor's bytes are
 * at offset 0; the buffer may be larger (lf_tensor_bytes() is what
 * counts). Make the copy first with lf_tensor_to_device(); to hand the
 * buffer to other device code, that copy must be current (dev_valid: right
 * after lf_tensor_to_device()). Borrowed: valid until the tensor is
 * destroyed or its device copy dropped (lf_tensor_mark_host_dirty(), an
 * op writing @t); ask again after either. Data the caller writes into it
 * is what lf_model_run() reads where it binds @t on the card (see there);
 * layer ops see it only after lf_tensor_to_host() reads it back, as they
 * read their inputs from the host in this version.
 * Return: LF_OK; LF_ERR_INVALID_ARG; LF_ERR_STATE (no device copy);
 * LF_ERR_UNSUPPORTED (as lf_context_native_handle()).
 */
LF_API lf_status lf_tensor_native_handle(lf_tensor *t, lf_native_kind kind,
					 void **out);

/* ------------------------------------------------------------------------
 * Layer operations. Inputs and the output are tensors created on the same
 * context; the output tensor's shape, dtype and quantization say what to
 * produce (uint8/int8: requantized; int32: raw accumulators, as
 * ConvInteger / MatMulInteger). Every op checks shapes, dtypes and
 * quantization arity and fails with LF_ERR_SHAPE / LF_ERR_INVALID_ARG and a
 * message naming the offending value. Ops run on the device when it can,
 * else on the CPU (see LAYERFAB_FALLBACK); results are byte-identical.
 * The _async forms return at once with an event to wait on.
 */

/* Fused output activation, applied in the quantized domain. */
typedef enum lf_activation {
	LF_ACT_NONE = 0,
	LF_ACT_RELU = 1,
	LF_ACT_CLIP = 2 /* clip_min..clip_max, real values */
} lf_activation;

struct lf_conv2d_params {
	size_t struct_size;	/* sizeof(struct lf_conv2d_params), see
				   LF_STRUCT_INIT */
	int stride_h, stride_w; /* 0 means 1 */
	int pad_top, pad_left, pad_bottom, pad_right;
	int dilation_h, dilation_w; /* 0 means 1 */
	int groups;		    /* 0 means 1 */
	lf_activation activation;
	float clip_min, clip_max;
};

/**
 * lf_conv2d() - quantized 2-D convolution (QLinearConv / ConvInteger).
 * @x:    input [N, C, H, W], uint8 or int8, per-tensor quantization.
 * @w:    weights [OC, C/groups, KH, KW], uint8 or int8, per-tensor or
 *        per-output-channel (axis 0) quantization.
 * @bias: int32 [OC] or NULL.
 * @p:    geometry and activation; NULL for all defaults.
 * @y:    output [N, OC, OH, OW].
 * Return: LF_OK or an error as described above; LF_ERR_DEVICE,
 * LF_ERR_TIMEOUT, LF_ERR_DEVICE_LOST when the device fails and fallback is
 * off.
 */
LF_API lf_status lf_conv2d(lf_context *ctx, lf_tensor *x, lf_tensor *w,
			   lf_tensor *bias, const struct lf_conv2d_params *p,
			   lf_tensor *y);
LF_API lf_status lf_conv2d_async(lf_context *ctx, lf_tensor *x, lf_tensor *w,
				 lf_tensor *bias,
				 const struct lf_conv2d_params *p, lf_tensor *y,
				 lf_event **ev);

struct lf_matmul_params {
	size_t struct_size; /* sizeof(struct lf_matmul_params), see
			       LF_STRUCT_INIT */
	lf_activation activation;
	float clip_min, clip_max;
};

/**
 * lf_matmul() - quantized matmul (QLinearMatMul / MatMulInteger / QGemm).
 * @a: [M, K] or [B, M, K]; @b: [K, N] or [B, K, N], per-tensor or per-column
 * (axis -1) quantization; @bias: int32 [N] or NULL; @y: [M, N] / [B, M, N].
 */
LF_API lf_status lf_matmul(lf_context *ctx, lf_tensor *a, lf_tensor *b,
			   lf_tensor *bias, const struct lf_matmul_params *p,
			   lf_tensor *y);
LF_API lf_status lf_matmul_async(lf_context *ctx, lf_tensor *a, lf_tensor *b,
				 lf_tensor *bias,
				 const struct lf_matmul_params *p, lf_tensor *y,
				 lf_event **ev);

struct lf_pool_params {
	size_t
	    struct_size; /* sizeof(struct lf_pool_params), see LF_STRUCT_INIT */
	int kernel_h, kernel_w;
	int stride_h, stride_w; /* 0 means 1 */
	int pad_top, pad_left, pad_bottom, pad_right;
	int count_include_pad; /* average pooling only */
};

/** lf_maxpool() / lf_avgpool() - 2-D pooling of [N, C, H, W] tensors. */
LF_API lf_status lf_maxpool(lf_context *ctx, lf_tensor *x,
			    const struct lf_pool_params *p, lf_tensor *y);
LF_API lf_status lf_avgpool(lf_context *ctx, lf_tensor *x,
			    const struct lf_pool_params *p, lf_tensor *y);

/** lf_add() - quantized elementwise add (QLinearAdd), same shapes. */
LF_API lf_status lf_add(lf_context *ctx, lf_tensor *a, lf_tensor *b,
			lf_tensor *y);

/**
 * lf_event_wait() - wait for an asynchronous op.
 * @timeout_ms: < 0 waits forever.
 * Return: the op's status; LF_ERR_TIMEOUT if it has not finished (the event
 * stays valid: wait again or destroy it, which waits).
 */
LF_API lf_status lf_event_wait(lf_event *ev, int timeout_ms);

/**
 * lf_event_destroy() - wait for the op if needed, then free. NULL: no-op.
 * Return: the op's status (as lf_event_wait()), so a caller that never
 * waited still learns of a failure.
 */
LF_API lf_status lf_event_destroy(lf_event *ev);

/* ------------------------------------------------------------------------
 * Profiling: one record per op run on a context, oldest first, up to a
 * bounded history (the latest 1024). device_ns is the modeled time the
 * device's timeline advanced during the op (exact when one op runs at a
 * time; overlapping ops share their overlap); it is 0 on the CPU and on
 * backends without a timing model. why_cpu says why an op did not run on
 * the device: "cpu device", "no device kernel for maxpool", "device lost",
 * a limit no tiling can meet, or the device error that a retry did not
 * cure.
 */
struct lf_profile_record {
	size_t struct_size;	      /* sizeof(struct lf_profile_record), see
					 LF_STRUCT_INIT */
	char op[24];		      /* "conv2d", "matmul", ... */
	char where[8];		      /* "device" or "cpu" */
	char why_cpu[64];	      /* reason it fell back, or "" */
	unsigned long long host_ns;   /* wall time on the host */
	unsigned long long device_ns; /* modeled device time (projection) */
	unsigned long long h2d_bytes, d2h_bytes;
	unsigned dma_transfers, launches, tiles;
};

/** lf_context_profile_count() - number of records kept. */
LF_API size_t lf_context_profile_count(const lf_context *ctx);
/**
 * lf_context_profile_get() - copy record @i (0 = oldest).
 * Return: LF_OK; LF_ERR_INVALID_ARG (NULL); LF_ERR_RANGE (@i >= count).
 */
LF_API lf_status lf_context_profile_get(const lf_context *ctx, size_t i,
					struct lf_profile_record *rec);
/** lf_context_profile_reset() - drop all records. */
LF_API void lf_context_profile_reset(lf_context *ctx);

/* ------------------------------------------------------------------------
 * Models: a quantized ONNX model, imported, planned for the context's
 * device (offloadable layers on the card, the rest on the CPU) and run.
 * A model is immutable after load; lf_model_run() may be called from
 * several threads at once.
 */
typedef struct lf_model lf_model;
typedef struct lf_run_profile lf_run_profile;

/* Shape and type of a model input or output. */
struct lf_tensor_info {
	size_t
	    struct_size; /* sizeof(struct lf_tensor_info), see LF_STRUCT_INIT */
	char name[128];
	lf_dtype dtype;
	int ndim;
	int64_t dims[LF_MAX_DIMS]; /* -1: a dimension the file leaves free */
};

/**
 * lf_model_load() - import an ONNX model file and plan it for @ctx.
 * @ctx:  the context whose device runs it.
 * @path: the .onnx file; external data files are looked up beside it.
 * @out:  receives the model; untouched on failure.
 *
 * Supported: the QOperator form (QLinearConv, QLinearMatMul, ConvInteger,
 * MatMulInteger, com.microsoft QLinearAdd / QLinearGlobalAveragePool /
 * QLinearAveragePool / QGemm / QLinearConcat, ...) and the QDQ form
 * (QuantizeLinear / DequantizeLinear around float ops, folded into
 * quantized ops on import). Weights are uploaded to the device once, here;
 * to every device of a several-device context (which must all have the
 * same kernels and limits: LF_ERR_UNSUPPORTED otherwise).
 *
 * Return: LF_OK; LF_ERR_INVALID_ARG; LF_ERR_IO (cannot read); LF_ERR_BAD_FILE
 * (not ONNX, truncated, a cycle, a missing input, an absurd shape: the
 * message names the node); LF_ERR_UNSUPPORTED (an op or type layerfab
 * cannot run at all, named); LF_ERR_NO_MEMORY; LF_ERR_NO_DEVICE_MEMORY;
 * device errors. Release with lf_model_destroy() before the context.
 */
LF_API lf_status lf_model_load(lf_context *ctx, const char *path,
			       lf_model **out);

/**
 * lf_model_load_memory() - as lf_model_load(), from bytes in memory.
 * @base_dir: directory for external data files, or NULL (none allowed).
 */
LF_API lf_status lf_model_load_memory(lf_context *ctx, const void *data,
				      size_t size, const char *base_dir,
				      lf_model **out);

/**
 * lf_model_load_opts() / lf_model_load_memory_opts() - lf_model_load() /
 * lf_model_load_memory() with options for this model: fallback and
 * cpu_threads, when set, override the context's for its runs.
 * @opts: NULL (the context's settings) or options.
 * Return: as lf_model_load(); LF_ERR_INVALID_ARG also when @opts sets an
 * option of the device (timeout_ms, trust_xclbin, memory_limit: give
 * those to lf_context_create_opts()).
 */
LF_API lf_status lf_model_load_opts(lf_context *ctx, const char *path,
				    const lf_options *opts, lf_model **out);
LF_API lf_status lf_model_load_memory_opts(lf_context *ctx, const void *data,
					   size_t size, const char *base_dir,
					   const lf_options *opts,
					   lf_model **out);

/**
 * lf_model_destroy() - free a model and its device memory. NULL: no-op.
 * Return: LF_OK; LF_ERR_BUSY while a run of it is in progress: a
 * synchronous one, or an lf_model_run_async() run that is queued or
 * running (the model is left intact and nothing leaks: wait for the
 * run's event, then destroy the model).
 */
LF_API lf_status lf_model_destroy(lf_model *m);

LF_API size_t lf_model_input_count(const lf_model *m);
LF_API size_t lf_model_output_count(const lf_model *m);
/** Describe input / output @i. Return: LF_OK; LF_ERR_INVALID_ARG. */
LF_API lf_status lf_model_input_info(const lf_model *m, size_t i,
				     struct lf_tensor_info *info);
LF_API lf_status lf_model_output_info(const lf_model *m, size_t i,
				      struct lf_tensor_info *info);

/**
 * lf_model_input_index() / lf_model_output_index() - the position of the
 * input / output called @name, to bind tensors by name (lf_model_run()
 * takes them by position).
 * @m:     a model.
 * @name:  the name in the ONNX file (exactly; lf_tensor_info.name is the
 *         same, cut to 127 bytes).
 * @index: receives the position; untouched on failure.
 *
 * Return: LF_OK; LF_ERR_INVALID_ARG (a NULL argument); LF_ERR_NOT_FOUND
 * (the model has no input / output of that name; the message names it).
 */
LF_API lf_status lf_model_input_index(const lf_model *m, const char *name,
				      size_t *index);
LF_API lf_status lf_model_output_index(const lf_model *m, const char *name,
				       size_t *index);

/**
 * lf_model_input_quant() / lf_model_output_quant() - the quantization of
 * a uint8/int8 model input or output: real = scale * (q - zero_point), as
 * the quantized op that first reads the input (QLinearConv,
 * QLinearMatMul, QGemm, QLinearAdd, DequantizeLinear, ... seen through
 * Reshape/Flatten/MaxPool) or that writes the output (those, or
 * QuantizeLinear) says it. An application quantizes its data with it
 * before lf_model_run(), and dequantizes the outputs after.
 * @m:          a model.
 * @i:          the input / output position.
 * @scale:      receives the scale; untouched on failure.
 * @zero_point: receives the zero point; untouched on failure.
 *
 * Return: LF_OK; LF_ERR_INVALID_ARG (a NULL argument, @i out of range);
 * LF_ERR_NOT_FOUND (the value is not 8-bit, e.g. a float input the model
 * quantizes itself, or no quantized op says a per-tensor scale for it).
 */
LF_API lf_status lf_model_input_quant(const lf_model *m, size_t i, float *scale,
				      int32_t *zero_point);
LF_API lf_status lf_model_output_quant(const lf_model *m, size_t i,
				       float *scale, int32_t *zero_point);

/**
 * lf_model_run() - run the model once.
 * @inputs:   @ninputs tensors, in the model's input order, with the
 *            declared dtypes and shapes (free dimensions such as the batch
 *            may take any size).
 * @outputs:  @noutputs slots, in the model's output order. A NULL slot
 *            receives a new tensor the caller must lf_tensor_destroy(); a
 *            non-NULL slot must already have the right dtype and shape and
 *            is written in place.
 * @prof:     NULL, or a profile that receives this run's per-layer record.
 *
 * Outputs are byte-identical whatever the device (emu, xrt, opencl, cpu).
 * Several devices ("DEV+DEV"): when every input has a free dimension 0 of
 * one size B >= 2 and every output's dimension 0 is free and B, the batch
 * is cut into min(devices, B) contiguous slices (the first B mod n one row
 * longer) run concurrently, one per device, each writing its rows of the
 * outputs (same bytes as one device); otherwise the run is whole on the
 * first device. A slice's device failure follows the fallback rules; if
 * it still fails the run fails and the message names the device. @prof
 * then holds the first device's records and trace, with the other
 * devices' launches, DMA bytes, transfers and MACs added to the matching
 * records and host/device times the longest slice's.
 *
 * Tensors on the card (IO binding): an input tensor with a valid device
 * copy (after lf_tensor_to_device(), or an output an earlier run left on
 * the card) is copied into the run's buffers on the card, not uploaded;
 * an output slot put on the device first (lf_tensor_to_device(), once:
 * it stays so) receives its bytes on the card, not downloaded, and is
 * then on the card only until lf_tensor_to_host(). So the output of one
 * model can feed another (or the same one again) with no PCIe transfer
 * of it. This holds where the card itself reads the input (every node
 * reading it runs on the device and takes it as it is) and writes the
 * output (nothing else reads it); elsewhere the value goes through the
 * host as usual: e.g. a float input the model quantizes on the CPU, a
 * batch split across devices or run in chunks, a segment that fell back
 * to the CPU. The bytes are the same either way; the profile says what
 * moved (h2d_bytes, d2h_bytes, d2d_bytes). The tensors must be of the
 * model's context (LF_ERR_INVALID_ARG / LF_ERR_SHAPE otherwise).
 * Return: LF_OK; LF_ERR_INVALID_ARG / LF_ERR_SHAPE (the message names the
 * input); device errors when fallback is off; LF_ERR_NO_MEMORY.
 */
LF_API lf_status lf_model_run(lf_model *m, lf_tensor *const *inputs,
			      size_t ninputs, lf_tensor **outputs,
			      size_t noutputs, lf_run_profile *prof);

/**
 * lf_model_run_async() - lf_model_run() on the context's worker thread;
 * returns at once with an event to wait on (lf_event_wait(),
 * lf_event_destroy()).
 * @ev: receives the event; untouched on failure.
 * Other parameters as lf_model_run(), with these lifetimes: @inputs (the
 * array) may go at return; @outputs (the array) and @prof must stay
 * valid, and neither they nor any input or output tensor be used, until
 * the event has been waited for. NULL output slots receive their new
 * tensors when the run ends.
 *
 * The run gives the bytes lf_model_run() gives. Runs and the async layer
 * ops of one context are queued in submission order and run one after
 * another on the context's worker (each a whole lf_model_run(), batch
 * split across devices included), overlapping with the caller and with
 * synchronous runs of other threads; several may be in flight. The input
 * and given output tensors stay busy (lf_tensor_destroy() says
 * LF_ERR_BUSY) and the model cannot be destroyed (LF_ERR_BUSY) until the
 * run has ended; the context cannot be destroyed while the event lives.
 * Return: LF_OK (the run's own status comes from lf_event_wait());
 * at once: LF_ERR_INVALID_ARG / LF_ERR_SHAPE for a NULL argument or an
 * input of the wrong count, context, dtype or shape (as lf_model_run()),
 * LF_ERR_NO_MEMORY. Everything else (an output slot of the wrong shape,
 * device errors with fallback off) is the event's status, with its
 * message in lf_context_last_error() after the wait.
 */
LF_API lf_status lf_model_run_async(lf_model *m, lf_tensor *const *inputs,
				    size_t ninputs, lf_tensor **outputs,
				    size_t noutputs, lf_run_profile *prof,
				    lf_event **ev);

/* One layer (graph node, or fused group of nodes) of a profiled run. */
struct lf_layer_profile {
	size_t struct_size; /* sizeof(struct lf_layer_profile), see
			       LF_STRUCT_INIT */
	char name[96];	    /* node name (first node of a fused group) */
	char op[32];	    /* "QLinearConv+Relu", "MaxPool", ... */
	char where[8];	    /* "device" or "cpu" */
	unsigned segment;   /* device segment index, or ~0u */
	/* host wall time; a device segment's (its transfers, launches and
	 * waits, or its CPU fallback) whole on the segment's first layer,
	 * 0 on its others */
	unsigned long long host_ns;
	unsigned long long device_ns;	 /* modeled device time (projection) */
	unsigned long long dev_start_ns; /* modeled start on the device clock */
	unsigned long long h2d_bytes, d2h_bytes;
	unsigned launches, dma_transfers;
	unsigned long long macs; /* multiply-accumulates */
	/*
	 * Device failures of the layer's segment in this run, on every
	 * layer of that segment (CPU layers: none). A timeout, DMA or device
	 * error is retried once on the device; a second failure, a kernel's
	 * error status, no device memory or a lost device make the segment
	 * run on the CPU from its inputs, same bytes (unless
	 * LAYERFAB_FALLBACK=off, which fails the run instead).
	 */
	unsigned seg_failures; /* device attempts that failed */
	int fallback;	       /* 1: failed on the device, ran on the CPU
				  (where is "cpu") */
	lf_status fail_status; /* the last failure's status; LF_OK: none */
	char fail_reason[192]; /* its message; "" when none */
	/* Layers of a device segment: the layout of its activations on the
	 * card, "blocked" (channels innermost in 64-channel blocks, the
	 * host converting at the segment's entry and exit), "folded" (a
	 * blocked conv whose input the host folded, kernel columns x input
	 * channels into the channel lanes), "placed" (a QLinearConcat whose
	 * inputs' convs wrote them into its output: no work of its own, 0
	 * cycles) or "nchw"; "" for a CPU layer. */
	char layout[8];
	/*
	 * The device's cycle model, where it has one (the emulated cards):
	 * modeled is 1 when device_cycles is the kernel cycles the layer's
	 * own descriptors counted (every loop it ran, as hls/lf_pipes.h
	 * charges it) and device_ns is those cycles at the kernel clock,
	 * plus the launch overhead on the first layer of each launch and
	 * the segment's uploads on its first layer, downloads on its last:
	 * a segment's layers sum to its device time. modeled is 0 on
	 * devices that count no cycles (PoCL, cards): device_cycles is 0 and
	 * a launch's measured time, undivided, is on its first layer.
	 */
	int modeled;
	unsigned long long device_cycles;
	unsigned cu; /* the compute unit that ran the layer, or ~0u */
	/* Bytes copied on the card between the segment's buffers and tensors
	 * bound there (lf_model_run(), "Tensors on the card"), in place of
	 * h2d/d2h transfers; on the segment's first layer. */
	unsigned long long d2d_bytes;
	/* Every CU that ran it: bit k for CU k (< 64), 0 for a CPU layer.
	 * More than one bit when the batch was split across CUs (images
	 * to each at once); device_ns is then the longest part's run plus
	 * every part's transfers (the device's DMA engines are shared),
	 * device_cycles the longest part's. */
	unsigned long long cu_mask;
	/* A layer the plan put on the CPU: why not on the device ("no
	 * device kernel for Softmax", "weights 40960 B > a bank's 4096 B");
	 * "" for device layers and for segments that failed on the device
	 * (fail_reason says why those ran on the CPU). */
	char cpu_why[64];
};

/*
 * One pipelined loop of the device kernels' cycle model (a label of
 * hls/lf_pipes.h, "conv_mac"), summed over a run's launches: invocations,
 * iterations, the cycles they were charged, and the part of those its
 * memory traffic added beyond its compute (the port or the bank was the
 * slower side). Only devices with a cycle model report loops.
 */
struct lf_loop_profile {
	size_t struct_size; /* sizeof(struct lf_loop_profile), see
			       LF_STRUCT_INIT */
	char name[32];
	unsigned long long calls, iters, cycles, mem_stall;
};

/**
 * lf_run_profile_create() - an empty per-run profile. Release with
 * lf_run_profile_destroy(). Return: LF_OK; LF_ERR_INVALID_ARG;
 * LF_ERR_NO_MEMORY.
 */
LF_API lf_status lf_run_profile_create(lf_run_profile **out);
LF_API void lf_run_profile_destroy(lf_run_profile *p);
/** Number of layer records of the last run recorded into @p. */
LF_API size_t lf_run_profile_count(const lf_run_profile *p);
LF_API lf_status lf_run_profile_get(const lf_run_profile *p, size_t i,
				    struct lf_layer_profile *rec);
/** Number of loop records of the last run recorded into @p (0 when the
 * device has no cycle model). */
LF_API size_t lf_run_profile_loop_count(const lf_run_profile *p);
/**
 * lf_run_profile_loop_get() - copy loop record @i, in the order the loops
 * were first seen. Return: LF_OK; LF_ERR_INVALID_ARG (NULL, struct_size
 * too small); LF_ERR_RANGE (@i >= count).
 */
LF_API lf_status lf_run_profile_loop_get(const lf_run_profile *p, size_t i,
					 struct lf_loop_profile *rec);
/**
 * lf_run_profile_write_trace() - write the run as Chrome/Perfetto trace
 * JSON (tracks: host, DMA host->card, DMA card->host, one per compute
 * unit; device tracks in modeled time). Return: LF_OK; LF_ERR_IO.
 */
LF_API lf_status lf_run_profile_write_trace(const lf_run_profile *p,
					    const char *path);

#ifdef __cplusplus
}
#endif
#endif /* LAYERFAB_H */
