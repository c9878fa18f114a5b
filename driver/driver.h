/*
 * driver.h - the internal device interface: one vtable per backend.
 *
 * Everything above driver/ (hostlib, tools, tests) talks to a device only
 * through the lf__dev_* / lf__bo_* / lf__run_* functions below; nothing
 * here knows about layers or models. Each backend (emu, later xrt and
 * opencl) fills one `static const struct lf_backend_ops` with designated
 * initializers and registers it; the core checks the required methods once,
 * at registration, and calls the optional ones through a wrapper that
 * supplies a default or returns LF_ERR_UNSUPPORTED.
 *
 * The operations follow what both vendor APIs can do:
 *   - buffers live in one memory bank, chosen at allocation (XRT:
 *     xrtBOAlloc(dev, size, flags, grp) with grp from xrtKernelArgGroupId;
 *     OpenCL: CL_MEM_EXT_PTR_XILINX bank flags);
 *   - a buffer has a host view and device memory; data moves only on an
 *     explicit sync of a range (XRT: xrtBOSync(bo, dir, size, offset);
 *     OpenCL: clEnqueueWriteBuffer / clEnqueueReadBuffer with an offset, or
 *     clEnqueueMigrateMemObjects for whole buffers);
 *   - a run sets every kernel argument by index (XRT: xrtRunSetArg; OpenCL:
 *     clSetKernelArg), starts, and is waited for with a timeout in ms
 *     (XRT: xrtRunWaitFor; OpenCL: polling the event's status).
 * (Function names as declared in Debian's libxrt-dev 2.13 headers
 * <xrt/xrt_bo.h>, <xrt/xrt_kernel.h> and in <CL/cl.h>.)
 *
 * Errors: every function that can fail returns an lf_status and leaves its
 * out-parameters untouched on failure. The detailed message of the last
 * failure on the calling thread is lf__drv_last_error().
 *
 * Threads: devices, buffers and runs may be used from several threads; a
 * single object must not be freed while another thread uses it.
 */
#ifndef LF_DRIVER_H
#define LF_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include "layerfab.h"
#include "driver/xclbin/xclbin.h"

/* Opaque handles. The base structs are in driver/core/backend.h. */
typedef struct lf_dev lf_dev; /* an open device */
typedef struct lf_bo lf_bo;   /* a buffer object: device memory + host view */
typedef struct lf_run lf_run; /* one started kernel run on one CU */

#define LF_DRV_NAME_MAX	    64
#define LF_DRV_BACKEND_MAX  16
#define LF_DRV_MAX_BACKENDS 8
#define LF_DRV_MAX_MEMS	    LF_XCLBIN_MAX_MEMS
#define LF_DRV_MAX_CUS	    LF_XCLBIN_MAX_CUS
#define LF_DRV_MAX_ARGS	    LF_XCLBIN_MAX_ARGS
#define LF_DRV_NO_BANK	    UINT32_MAX /* a scalar argument has no bank */
#define LF_DRV_WAIT_FOREVER UINT32_MAX /* timeout_ms: no limit */
/* A selection string naming one device: backend ":" device. */
#define LF_DRV_SPEC_MAX (LF_DRV_BACKEND_MAX + LF_DRV_NAME_MAX + 2)

/* ------------------------------------------------------------------------
 * Device selection strings: "<backend>[:<device>][,<key>=<value>]..."
 * e.g. "emu", "emu:aws-f1", "emu:tiny,bank_size=1M", "xrt:0",
 * "xrt:0000:65:00.1", "opencl:0", "opencl:pocl", "opencl:<platform>/<device>"
 * (case-insensitive substrings), "opencl:0,flavour=portable". <device> is
 * a backend-defined name or index ("" means the backend's default);
 * options are passed to the backend's open, which rejects keys it does not
 * know. This is the only grammar of device strings: the host library
 * splits a "DEV+DEV" list and hands each part here, so a backend that
 * registers itself accepts its own strings with no change above driver/.
 */
#define LF_DRV_MAX_OPTS	     8
#define LF_DRV_OPT_KEY_MAX   32
#define LF_DRV_OPT_VALUE_MAX 64

struct lf_dev_opt {
	char key[LF_DRV_OPT_KEY_MAX];
	char value[LF_DRV_OPT_VALUE_MAX];
};

struct lf_dev_spec {
	char backend[LF_DRV_BACKEND_MAX];
	char device[LF_DRV_NAME_MAX];
	uint32_t nopts;
	struct lf_dev_opt opts[LF_DRV_MAX_OPTS];
	/* Not from the text: lf__dev_open_opts()'s trust_xclbin (0 when
	 * parsed), for backends that run bitstream code in this process. */
	int trust_xclbin;
};

/*
 * lf__dev_spec_parse() - split a device selection string.
 * Return: LF_OK; LF_ERR_INVALID_ARG (NULL, empty, a character or a length
 * the grammar does not allow, too many options), with the position in the
 * message.
 */
lf_status lf__dev_spec_parse(const char *text, struct lf_dev_spec *out);

/*
 * lf__dev_spec_check() - is @text a selection string of a backend this
 * library has? Parses it and looks the backend up, opening nothing (what
 * the <device> part means is checked by the backend's open).
 * Return: LF_OK; LF_ERR_INVALID_ARG (malformed, or a backend nobody
 * registered: the message lists the registered ones); LF_ERR_UNSUPPORTED
 * (a backend layerfab has but this build left out).
 */
lf_status lf__dev_spec_check(const char *text);

/*
 * lf__dev_spec_opt_u64() - value of option @key as a byte count or number:
 * decimal or 0x hex, optional suffix K, M, G (powers of 1024).
 * Return: LF_OK and *out (when present); LF_ERR_NOT_FOUND (absent, *out
 * untouched); LF_ERR_INVALID_ARG (malformed or overflowing value).
 */
lf_status lf__dev_spec_opt_u64(const struct lf_dev_spec *spec, const char *key,
			       uint64_t *out);

/* ------------------------------------------------------------------------
 * What a device offers. Banks and CUs are indexed as in the loaded
 * xclbin's MEM_TOPOLOGY and IP_LAYOUT, so a bank index is what XRT calls a
 * memory group id.
 */

/* A device found by enumeration; enumerating does not open it. */
struct lf_dev_desc {
	char backend[LF_DRV_BACKEND_MAX];
	uint32_t index;
	char name[LF_DRV_NAME_MAX]; /* e.g. "aws-f1", a platform VBNV */
	char detail[128];	    /* one human-readable line */
	/* 1: an FPGA card (or XRT's emulation of one), which the default
	 * device choice may pick; 0: the built-in emulator or a generic
	 * OpenCL device such as PoCL's CPU. */
	uint32_t is_card;
	/* The selection string that opens this device ("xrt:0",
	 * "emu:u250"); the core writes "<backend>:<index>" when the backend
	 * leaves it empty. */
	char spec[LF_DRV_SPEC_MAX];
};

/* Memory type (the values of enum MEM_TYPE in <xrt/xclbin.h>). */
#define LF_MEM_DDR4		    1u
#define LF_MEM_STREAMING	    3u
#define LF_MEM_HBM		    6u
#define LF_MEM_STREAMING_CONNECTION 9u

struct lf_dev_mem {
	char tag[16];	 /* "DDR[0]", "HBM[12]", "bank0" */
	uint32_t type;	 /* LF_MEM_* */
	uint32_t usable; /* buffers may be allocated in it */
	uint64_t base;	 /* device address of its first byte */
	uint64_t size;	 /* bytes */
};

struct lf_dev_cu {
	char name[LF_XCLBIN_NAME_MAX * 2]; /* "kernel:instance" */
	uint32_t kernel;		   /* index into props->kernels */
	uint64_t base;			   /* control register base */
	/* bank each argument's port reaches, LF_DRV_NO_BANK for scalars */
	uint32_t arg_bank[LF_DRV_MAX_ARGS];
	/* Every bank below 64 each argument reaches, a bit each (0: not
	 * reported; arg_bank is then the one bank known). */
	uint64_t arg_reach[LF_DRV_MAX_ARGS];
};

struct lf_dev_props {
	char backend[LF_DRV_BACKEND_MAX];
	char name[LF_DRV_NAME_MAX]; /* platform profile / card name */
	/* File name (no directory) of the bitstream this device loads when
	 * the caller names none, e.g. "emu-aws-f1.xclbin"; the host searches
	 * its bitstream directories for it. A backend may set it in query;
	 * the core writes "<name>.xclbin" when it is left empty. */
	char xclbin_hint[LF_DRV_NAME_MAX + 16];
	uint32_t xclbin_loaded;
	uint8_t xclbin_uuid[16];
	char xclbin_platform[LF_XCLBIN_NAME_MAX * 2];
	uint32_t nmems, nkernels, ncus, nlimits;
	/* 1: the CUs of one launch group can wait for each other at a
	 * descriptor's barrier (hls/lf_desc.h "Barrier"): the backend runs
	 * their kernels concurrently and gives the kernel code its ring.
	 * The loaded kernels must have one too (limits: lfk_engine.sync). */
	uint32_t cu_sync;
	struct lf_dev_mem mems[LF_DRV_MAX_MEMS];
	struct lf_xclbin_kernel kernels[LF_XCLBIN_MAX_KERNELS];
	struct lf_dev_cu cus[LF_DRV_MAX_CUS];
	struct lf_xclbin_limit limits[LF_XCLBIN_MAX_LIMITS];
};

/* ------------------------------------------------------------------------
 * Runs: arguments by index.
 */
enum lf_arg_kind {
	LF_ARG_UNSET = 0,
	LF_ARG_BO = 1,	/* a pointer argument: bo + offset */
	LF_ARG_U32 = 2, /* a 32-bit scalar */
	LF_ARG_U64 = 3	/* a 64-bit scalar */
};

struct lf_run_arg {
	uint32_t index; /* kernel argument index (the XML "id") */
	enum lf_arg_kind kind;
	lf_bo *bo;	 /* LF_ARG_BO */
	uint64_t offset; /* LF_ARG_BO: byte offset inside bo */
	uint64_t value;	 /* LF_ARG_U32 / LF_ARG_U64 */
};

static inline struct lf_run_arg lf__arg_bo(uint32_t index, lf_bo *bo,
					   uint64_t offset)
{
	struct lf_run_arg a = {index, LF_ARG_BO, bo, offset, 0};
	return a;
}

static inline struct lf_run_arg lf__arg_u32(uint32_t index, uint32_t v)
{
	struct lf_run_arg a = {index, LF_ARG_U32, NULL, 0, v};
	return a;
}

static inline struct lf_run_arg lf__arg_u64(uint32_t index, uint64_t v)
{
	struct lf_run_arg a = {index, LF_ARG_U64, NULL, 0, v};
	return a;
}

enum lf_sync_dir {
	LF_SYNC_TO_DEVICE = 0,	/* host view -> device memory */
	LF_SYNC_FROM_DEVICE = 1 /* device memory -> host view */
};

/* ------------------------------------------------------------------------
 * Counters, timeline and faults (optional: the emulator has all three).
 */
struct lf_dev_cu_counters {
	uint64_t runs;		/* runs completed (any status) */
	uint64_t busy_model_ns; /* modeled device time spent running */
	uint64_t busy_wall_ns;	/* host wall time the emulated CU ran */
};

struct lf_dev_counters {
	uint64_t launches; /* runs started */
	uint64_t h2d_transfers, h2d_bytes;
	uint64_t d2h_transfers, d2h_bytes;
	uint64_t d2d_transfers, d2d_bytes; /* copies on the card (bo_copy) */
	uint64_t allocs, frees;		   /* buffer allocations / frees */
	uint64_t live_bos, live_bytes;
	uint64_t dma_errors;   /* failed transfers */
	uint64_t runs_aborted; /* by abort, reset or device loss */
	uint64_t faults_fired; /* injected faults that took effect */
	uint64_t device_ns;    /* latest modeled end of any event */
	uint32_t ncus;
	struct lf_dev_cu_counters cu[LF_DRV_MAX_CUS];
};

enum lf_tl_kind {
	LF_TL_H2D = 1, /* host -> card DMA */
	LF_TL_D2H = 2, /* card -> host DMA */
	LF_TL_RUN = 3  /* a kernel run on a CU */
};

/* One modeled event of the device's projected timeline. */
struct lf_tl_event {
	uint64_t seq; /* 0, 1, 2 ... in the order events were recorded */
	enum lf_tl_kind kind;
	uint32_t cu;	   /* LF_TL_RUN: the CU, else UINT32_MAX */
	lf_status status;  /* LF_OK, or what the event ended with */
	uint64_t addr;	   /* DMA: device address; run: first pointer arg */
	uint64_t bytes;	   /* DMA: bytes moved */
	uint64_t cycles;   /* run: kernel clock cycles */
	uint64_t start_ns; /* modeled device time, ns since open */
	uint64_t end_ns;
};

/*
 * struct lf_run_model - what a backend's cycle model counted for one
 * completed run (lf__run_model). The caller sets the arrays and their
 * capacities (either may be NULL / 0); the backend fills the rest.
 *   desc     cycles of each descriptor the kernel finished, in order
 *            (descriptor i's own loops and fixed costs)
 *   ndesc    how many finished: desc[0 .. min(ndesc, desc_max) - 1] are
 *            written; 0 when the kernel code counts no descriptors, and
 *            then desc means nothing
 *   loops    per pipelined loop (a label of the kernel's cycle table) with
 *            at least one invocation in the run: calls, iterations,
 *            cycles, and the cycles its memory traffic added beyond its
 *            compute; up to loop_max written, nloops says how many exist
 *   cycles   the run's kernel cycles (the sum of desc when every
 *            descriptor is counted)
 *   clock_mhz  the kernel clock the cycles run at
 */
struct lf_run_loop {
	char name[32];
	uint64_t calls, iters, cycles, mem_stall;
};

struct lf_run_model {
	uint64_t *desc;
	uint32_t desc_max;
	struct lf_run_loop *loops;
	uint32_t loop_max;
	uint64_t cycles;
	uint32_t clock_mhz;
	uint32_t ndesc;
	uint32_t nloops;
};

enum lf_fault_kind {
	LF_FAULT_NONE = 0,     /* disarm every fault */
	LF_FAULT_ALLOC = 1,    /* allocation fails: LF_ERR_NO_DEVICE_MEMORY */
	LF_FAULT_DMA_FAIL = 2, /* transfer fails: LF_ERR_DMA, nothing moved */
	LF_FAULT_DMA_CORRUPT = 3, /* one byte flipped, success reported */
	LF_FAULT_CU_HANG = 4, /* the run never completes until abort/reset */
	LF_FAULT_DEVICE_LOST = 5, /* this and every later call: DEVICE_LOST */
	/* the run completes without its kernel running, its last status
	 * word reading LF_KST_OK without a nonce (a stale or flipped
	 * status; lf_desc.h) */
	LF_FAULT_STATUS_CORRUPT = 6
};

/*
 * struct lf_fault - arm one fault at the nth occurrence (1 = the next one)
 * counted from now: allocations for ALLOC; transfers in either direction
 * for DMA_*; runs started on CU @cu (or any CU if @cu < 0) for CU_HANG;
 * runs started (any CU) for STATUS_CORRUPT;
 * device operations (allocation, transfer, run start) for DEVICE_LOST.
 * A fault fires once; arming a kind again replaces its previous arming.
 */
struct lf_fault {
	enum lf_fault_kind kind;
	uint32_t nth;
	int32_t cu;
};

/* ------------------------------------------------------------------------
 * The backend vtable. Methods receive objects the core has already checked
 * (non-NULL, belonging to this backend, ranges inside the buffer, run
 * arguments complete and matching the kernel's signature), and must set a
 * message with lf__drv_error() on every failure.
 */
struct lf_backend_ops {
	const char *name; /* "emu", "xrt", "opencl": [a-z0-9_], < 16 chars */

	/* --- required -------------------------------------------------- */
	/* Devices this backend can open, without opening them: up to @max
	 * written to @out, the number available in *count. */
	lf_status (*enumerate)(struct lf_dev_desc *out, uint32_t max,
			       uint32_t *count);
	/* Open: allocate a struct embedding struct lf_dev and return it. */
	lf_status (*open)(const struct lf_dev_spec *spec, lf_dev **out);
	/* Release everything; no buffers or runs are alive. */
	void (*close)(lf_dev *dev);
	/* Load a parsed xclbin; no buffers or runs are alive. The backend
	 * must not keep pointers into @xb. */
	lf_status (*load_xclbin)(lf_dev *dev, const struct lf_xclbin *xb);
	/* Fill a zeroed @out (banks, CUs, kernels, limits). */
	lf_status (*query)(lf_dev *dev, struct lf_dev_props *out);
	lf_status (*bo_alloc)(lf_dev *dev, uint64_t size, uint32_t bank,
			      lf_bo **out);
	/* LF_ERR_BUSY (and nothing freed) if a pending run uses @bo; after
	 * a device loss it must still release everything. */
	lf_status (*bo_free)(lf_bo *bo);
	lf_status (*bo_map)(lf_bo *bo, void **host);
	lf_status (*bo_sync)(lf_bo *bo, enum lf_sync_dir dir, uint64_t size,
			     uint64_t offset);
	/* @args[i].index == i for i < nargs == the kernel's argument count */
	lf_status (*run_start)(lf_dev *dev, uint32_t cu,
			       const struct lf_run_arg *args, uint32_t nargs,
			       lf_run **out);
	lf_status (*run_wait)(lf_run *run, uint32_t timeout_ms);
	/* LF_ERR_BUSY if the run has not completed. */
	lf_status (*run_free)(lf_run *run);

	/* --- optional (NULL: see the wrapper's default) ---------------- */
	/* default: map + memcpy + sync of the range */
	lf_status (*bo_write)(lf_bo *bo, const void *src, uint64_t size,
			      uint64_t offset);
	lf_status (*bo_read)(lf_bo *bo, void *dst, uint64_t size,
			     uint64_t offset);
	/* @size bytes from @src at @src_off to @dst at @dst_off, both
	 * buffers of this device, on the card (XRT: xrtBOCopy; OpenCL:
	 * clEnqueueCopyBuffer); the core checked the ranges. default:
	 * through the host views (a download and an upload) */
	lf_status (*bo_copy)(lf_bo *dst, uint64_t dst_off, lf_bo *src,
			     uint64_t src_off, uint64_t size);
	/* default: LF_ERR_UNSUPPORTED */
	lf_status (*cu_abort)(lf_dev *dev, uint32_t cu);
	lf_status (*reset)(lf_dev *dev);
	lf_status (*counters)(lf_dev *dev, struct lf_dev_counters *out);
	lf_status (*timeline)(lf_dev *dev, uint64_t from_seq,
			      struct lf_tl_event *out, uint32_t max,
			      uint32_t *n);
	lf_status (*fault)(lf_dev *dev, const struct lf_fault *f);
	/* The vendor API's handle of @dev (@bo NULL) or of @bo, for kind
	 * @kind (enum lf_native_kind, layerfab.h); LF_ERR_INVALID_ARG for a
	 * kind the backend knows for the other object. */
	lf_status (*native)(lf_dev *dev, lf_bo *bo, uint32_t kind, void **out);
	/* a completed run's cycle model (the core checked the arrays):
	 * default LF_ERR_UNSUPPORTED, a backend that models no cycles */
	lf_status (*run_model)(lf_run *run, struct lf_run_model *m);
};

/* ------------------------------------------------------------------------
 * Errors.
 */

/* The message of the last driver failure on this thread; never NULL. */
const char *lf__drv_last_error(void);

/* Set this thread's message (printf format) and return @st. */
lf_status lf__drv_error(lf_status st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * lf__drv_check_xclbin() - for backends: the counts of a parsed xclbin are
 * within the driver's tables, it has compute units, and every CU names a
 * kernel it describes. @who prefixes the message ("emu", "opencl").
 * Return: LF_OK; LF_ERR_BAD_FILE.
 */
lf_status lf__drv_check_xclbin(const struct lf_xclbin *xb, const char *who);

/* Enumerator name of a status ("LF_ERR_DMA"), for messages. */
const char *lf__drv_status_name(lf_status st);

/* ------------------------------------------------------------------------
 * Backend registry. The built-in backends register themselves the first
 * time any function below is called.
 */

/*
 * lf__backend_register() - add a backend.
 * Return: LF_OK; LF_ERR_INVALID_ARG (NULL, bad name, a required method
 * missing: the message names it); LF_ERR_BUSY (name already registered);
 * LF_ERR_NO_MEMORY (LF_DRV_MAX_BACKENDS reached).
 */
lf_status lf__backend_register(const struct lf_backend_ops *ops);

/* Remove a backend (for tests). LF_ERR_NOT_FOUND; LF_ERR_BUSY while a
 * device of it is open. */
lf_status lf__backend_unregister(const char *name);

/* Names of the registered backends, comma-separated, into @buf. */
void lf__backend_list(char *buf, size_t len);

/*
 * lf__backend_known() - every backend name layerfab knows: the registered
 * ones in registry order, then those this build left out. Up to @max
 * (static) names into @out.
 * Return: the number of names (may exceed @max).
 */
uint32_t lf__backend_known(const char **out, uint32_t max);

/*
 * lf__drv_default() - the selection string of the device to use when the
 * user names none: the first card (lf_dev_desc.is_card) any registered
 * backend enumerates, in registry order, else the built-in emulator.
 * Backends whose enumeration fails are skipped. Never fails.
 */
void lf__drv_default(char *spec, size_t len);

/*
 * lf__drv_enumerate() - devices of one backend (@backend) or of all
 * (NULL), without opening them. Up to @max written to @out; *count gets
 * the number found.
 * Return: LF_OK; LF_ERR_INVALID_ARG; LF_ERR_NOT_FOUND (unknown backend).
 */
lf_status lf__drv_enumerate(const char *backend, struct lf_dev_desc *out,
			    uint32_t max, uint32_t *count);

/* ------------------------------------------------------------------------
 * Devices.
 */

/*
 * lf__dev_open() - open the device a selection string names.
 * Return: LF_OK; LF_ERR_INVALID_ARG (malformed string, unknown option);
 * LF_ERR_NOT_FOUND (unknown backend or device); LF_ERR_UNSUPPORTED (a
 * known backend that is not built in); LF_ERR_NO_MEMORY; the backend's
 * errors. Release with lf__dev_close().
 */
lf_status lf__dev_open(const char *spec, lf_dev **out);

/* What the host library's options (lf_options) ask of any device. */
struct lf_dev_open_opts {
	/* Bitstream code a backend runs in this process (the emulator's):
	 * 0 the backend's own rule (LAYERFAB_TRUST_XCLBIN, the device option
	 * trust_xclbin=1), 1 run any, -1 only this library's kernel builds
	 * (the device option trust_xclbin=1 still opts in). */
	int trust_xclbin;
	/* Bytes all live buffers of the device may take together; 0: no
	 * limit. lf__bo_alloc() past it is LF_ERR_NO_DEVICE_MEMORY. */
	uint64_t mem_limit;
};

/* lf__dev_open() with @o (NULL: all 0, as lf__dev_open()). */
lf_status lf__dev_open_opts(const char *spec, const struct lf_dev_open_opts *o,
			    lf_dev **out);

/* Close (NULL: nothing). LF_ERR_BUSY, device left open, while buffers or
 * runs created on it are alive. */
lf_status lf__dev_close(lf_dev *dev);

/*
 * lf__dev_load_xclbin() - program the device.
 * Return: LF_OK; LF_ERR_BUSY (buffers or runs alive); LF_ERR_BAD_FILE
 * (the backend cannot use it: the message says why); backend errors.
 * lf__dev_load_xclbin_file() reads and parses @path first.
 */
lf_status lf__dev_load_xclbin(lf_dev *dev, const struct lf_xclbin *xb);
lf_status lf__dev_load_xclbin_file(lf_dev *dev, const char *path);

/* Properties, valid until the next load or close; never NULL. */
const struct lf_dev_props *lf__dev_props(const lf_dev *dev);

/* Index of the CU named "kernel:instance", or the first CU of kernel
 * "kernel". LF_ERR_NOT_FOUND. */
lf_status lf__dev_find_cu(const lf_dev *dev, const char *name, uint32_t *cu);

/* Bank the port of argument @arg of CU @cu reaches (XRT's group id).
 * LF_ERR_INVALID_ARG (no such CU / argument, or a scalar argument). */
lf_status lf__dev_arg_bank(const lf_dev *dev, uint32_t cu, uint32_t arg,
			   uint32_t *bank);

/* Kernel limit "kernel.key" of the loaded xclbin, or @dflt. */
int64_t lf__dev_limit(const lf_dev *dev, const char *key, int64_t dflt);

/* Abort every pending run of a CU (they complete with LF_ERR_DEVICE).
 * Optional: LF_ERR_UNSUPPORTED. */
lf_status lf__dev_cu_abort(lf_dev *dev, uint32_t cu);
/* The backend's own handle of @dev (@bo NULL) or @bo (optional method
 * native; LF_ERR_UNSUPPORTED without it). */
lf_status lf__dev_native(lf_dev *dev, lf_bo *bo, uint32_t kind, void **out);

/* Abort every run; what happens to buffers is the backend's (emu: kept,
 * device memory zeroed). Optional: LF_ERR_UNSUPPORTED. */
lf_status lf__dev_reset(lf_dev *dev);

/* Counters since open. Optional: LF_ERR_UNSUPPORTED. */
lf_status lf__dev_counters(lf_dev *dev, struct lf_dev_counters *out);

/*
 * lf__dev_timeline() - modeled events with seq >= @from_seq still in the
 * bounded history, oldest first, up to @max; *n gets the number written
 * (the next call passes the last seq + 1). Optional: LF_ERR_UNSUPPORTED.
 */
lf_status lf__dev_timeline(lf_dev *dev, uint64_t from_seq,
			   struct lf_tl_event *out, uint32_t max, uint32_t *n);

/* Arm (or, with LF_FAULT_NONE, disarm) an injected fault. Optional:
 * LF_ERR_UNSUPPORTED (real devices). */
lf_status lf__dev_fault(lf_dev *dev, const struct lf_fault *f);

/* ------------------------------------------------------------------------
 * Buffers.
 */

/*
 * lf__bo_alloc() - @size bytes (> 0) of device memory in bank @bank, with
 * a host view of the same size.
 * Return: LF_OK; LF_ERR_INVALID_ARG (size 0, no such bank, a bank that
 * holds no buffers); LF_ERR_NO_DEVICE_MEMORY (the bank is full);
 * LF_ERR_NO_MEMORY (host); LF_ERR_DEVICE_LOST. Release with lf__bo_free().
 */
lf_status lf__bo_alloc(lf_dev *dev, uint64_t size, uint32_t bank, lf_bo **out);

/* Free (NULL: nothing). LF_ERR_BUSY, nothing freed, while a pending run
 * uses it. Always releases everything on a lost device. */
lf_status lf__bo_free(lf_bo *bo);

uint64_t lf__bo_size(const lf_bo *bo);
uint32_t lf__bo_bank(const lf_bo *bo);

/* The host view (size lf__bo_size()). Writing it changes nothing on the
 * device until lf__bo_sync(TO_DEVICE). */
lf_status lf__bo_map(lf_bo *bo, void **host);

/*
 * lf__bo_sync() - copy [offset, offset + size) between host view and
 * device memory. Blocks until done.
 * Return: LF_OK; LF_ERR_RANGE (range outside the buffer); LF_ERR_BUSY (a
 * pending run uses that range); LF_ERR_DMA; LF_ERR_DEVICE_LOST.
 */
lf_status lf__bo_sync(lf_bo *bo, enum lf_sync_dir dir, uint64_t size,
		      uint64_t offset);

/* Copy @src into the host view at @offset and sync that range to the
 * device; lf__bo_read() syncs the range from the device and copies it
 * out. Same returns as lf__bo_sync(). */
lf_status lf__bo_write(lf_bo *bo, const void *src, uint64_t size,
		       uint64_t offset);
lf_status lf__bo_read(lf_bo *bo, void *dst, uint64_t size, uint64_t offset);

/*
 * lf__bo_copy() - copy @size bytes of device memory from @src at @src_off
 * to @dst at @dst_off, on the card: no PCIe transfer where the backend can
 * copy on the device (emu, opencl, xrt; XRT itself may go through the
 * host on a shell without a copy engine). Host views are not touched.
 * Both buffers must belong to one device; the ranges may be in different
 * banks and must not overlap when @dst == @src. Blocks until done.
 * Return: as lf__bo_sync(); LF_ERR_INVALID_ARG (two devices, overlap).
 */
lf_status lf__bo_copy(lf_bo *dst, uint64_t dst_off, lf_bo *src,
		      uint64_t src_off, uint64_t size);

/* ------------------------------------------------------------------------
 * Runs.
 */

/*
 * lf__run_start() - start CU @cu with every kernel argument set once.
 * Return: LF_OK; LF_ERR_STATE (no xclbin loaded); LF_ERR_INVALID_ARG (no
 * such CU, an argument missing, repeated, of the wrong kind, or a buffer
 * of another device); LF_ERR_RANGE (offset outside the buffer, a buffer in
 * a bank the port cannot reach); LF_ERR_DEVICE_LOST; LF_ERR_NO_MEMORY.
 * Release with lf__run_free() once it has completed.
 */
lf_status lf__run_start(lf_dev *dev, uint32_t cu, const struct lf_run_arg *args,
			uint32_t nargs, lf_run **out);

/*
 * lf__run_wait() - wait up to @timeout_ms (LF_DRV_WAIT_FOREVER: no limit).
 * Return: the run's status: LF_OK if the kernel returned (what it wrote
 * into device memory is the caller's to read); LF_ERR_DEVICE (aborted);
 * LF_ERR_DEVICE_LOST; or LF_ERR_TIMEOUT: the run is still pending and a
 * later wait or an abort can collect it.
 */
lf_status lf__run_wait(lf_run *run, uint32_t timeout_ms);

/* Free (NULL: nothing). LF_ERR_BUSY while the run has not completed. */
lf_status lf__run_free(lf_run *run);

/*
 * lf__run_model() - what the device's cycle model counted for a completed
 * run (struct lf_run_model): per descriptor, per pipelined loop, in total.
 * Only a modeled device has it; real cards and PoCL measure, they do not
 * count. Return: LF_OK; LF_ERR_INVALID_ARG (NULL, an array NULL with a
 * capacity); LF_ERR_BUSY (not completed); LF_ERR_NOT_FOUND (the run did
 * not execute: aborted, hung); LF_ERR_UNSUPPORTED (no cycle model).
 */
lf_status lf__run_model(lf_run *run, struct lf_run_model *m);

#endif /* LF_DRIVER_H */
