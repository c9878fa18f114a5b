/*
 * ocl_impl.h - private to driver/opencl: the backend's state.
 *
 * Locking: one mutex per device (ocl_dev.mu) guards the device's tables
 * (banks, image, pending runs, counters, timeline). Blocking OpenCL calls
 * (transfers, waits, program builds) run without it; a kernel object is
 * only touched with it held, because clSetKernelArg on one kernel is not
 * thread-safe (OpenCL 1.2, appendix A.2).
 *
 * Every OpenCL object the backend creates goes through lf__ocl_obj_add()
 * and every release through the ocl_release_*() helpers, which keep the
 * live-object counters (per device and process-wide) that the tests check.
 */
#ifndef LF_DRIVER_OPENCL_OCL_IMPL_H
#define LF_DRIVER_OPENCL_OCL_IMPL_H

#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "driver/core/backend.h"
#include "driver/opencl/ocl_api.h" /* OpenCL, loaded at first use */
#include "driver/opencl/opencl.h"

/*
 * Xilinx's buffer-placement extension, defined here rather than taken from
 * XRT's <CL/cl_ext_xilinx.h> (Debian ships it in libxrt-dev under
 * /usr/include/xrt/CL) so the backend builds with the Khronos headers
 * alone. Values and layout as in that header and in XRT's documentation
 * "Xilinx OpenCL extension" (xilinx.github.io/XRT, "Specify a Buffer
 * location by memory bank index"): pass the struct as host_ptr with
 * CL_MEM_EXT_PTR_XILINX in the flags; flags = bank index | XCL_MEM_TOPOLOGY.
 */
#define LF__CL_MEM_EXT_PTR_XILINX ((cl_mem_flags)1u << 31)
#define LF__XCL_MEM_TOPOLOGY	  (1u << 31)
struct lf__cl_mem_ext_ptr {
	unsigned int flags;
	void *obj;
	void *param;
};

/* OpenCL 1.2's cl_khr_icd: what the ICD loader returns without platforms. */
#ifndef CL_PLATFORM_NOT_FOUND_KHR
#define CL_PLATFORM_NOT_FOUND_KHR -1001
#endif

#define OCL_MAX_PLATFORMS    16u
#define OCL_MAX_DEVICES	     64u
#define OCL_INFO_MAX	     128
#define OCL_TIMELINE_CAP     4096u
#define OCL_TIMELINE_CAP_MAX (1u << 24)
#define OCL_MSG_MAX	     256

/* One device found by a scan of every platform. */
struct ocl_devinfo {
	cl_platform_id plat;
	cl_device_id dev;
	uint32_t index; /* flat, over all platforms */
	cl_device_type type;
	enum lf_ocl_flavour flavour;
	char plat_name[OCL_INFO_MAX];
	char plat_version[OCL_INFO_MAX];
	char dev_name[OCL_INFO_MAX];
	char dev_vendor[OCL_INFO_MAX];
	char dev_version[OCL_INFO_MAX];
	char driver_version[OCL_INFO_MAX];
};

struct ocl_bank {
	char tag[16];
	uint32_t type;
	uint32_t usable;
	uint64_t base, size;
	uint64_t used; /* bytes of live buffers */
};

struct ocl_cu {
	cl_kernel k;
	cl_command_queue q;
	uint32_t kernel; /* index into img->xb->kernels */
	struct lf_dev_cu_counters ctr;
};

/* Everything an xclbin load brings; replaced as a whole. */
struct ocl_image {
	struct lf_xclbin *xb; /* private copy without image / bitstream */
	uint32_t nprog;
	cl_program prog[LF_XCLBIN_MAX_KERNELS];
	uint32_t ncus;
	struct ocl_cu cus[LF_DRV_MAX_CUS];
	/* banks from MEM_TOPOLOGY; nbanks 0: keep the device's default */
	uint32_t nbanks;
	struct ocl_bank banks[LF_DRV_MAX_MEMS];
	/* banks each (cu, arg) port reaches: a bit per bank */
	uint64_t reach[LF_DRV_MAX_CUS][LF_DRV_MAX_ARGS][LF_DRV_MAX_MEMS / 64];
};

struct ocl_bo {
	struct lf_bo base;
	cl_mem mem;
	uint8_t *host;	/* the host view */
	uint32_t users; /* pending runs with it as an argument */
};

struct ocl_run {
	struct lf_run base;
	struct ocl_dev *d;
	uint32_t cu;
	cl_event ev; /* NULL once completion was collected */
	uint32_t nsub, nbos;
	cl_mem sub[LF_DRV_MAX_ARGS];	     /* sub-buffers for offsets */
	struct ocl_bo *bos[LF_DRV_MAX_ARGS]; /* buffers it uses */
	uint64_t addr;			     /* first pointer arg's offset */
	uint64_t start_wall_ns;
	int done;
	lf_status status;
	char msg[OCL_MSG_MAX];
	struct ocl_run *prev, *next; /* dev->pending while not done */
};

struct ocl_dev {
	struct lf_dev base;
	pthread_mutex_t mu;
	struct ocl_devinfo info;
	enum lf_ocl_flavour flavour; /* the platform's, or forced */
	cl_context ctx;
	cl_command_queue dmaq;
	cl_ulong max_alloc, global_mem, local_mem;
	uint64_t base_align; /* bytes (CL_DEVICE_MEM_BASE_ADDR_ALIGN / 8) */
	int use_cache;
	char cache_dir[256];

	uint32_t nbanks;
	struct ocl_bank banks[LF_DRV_MAX_MEMS];
	struct ocl_image *img; /* NULL: no xclbin loaded */
	struct ocl_run *pending;
	/* Portable flavour: the last kernel command enqueued (retained),
	 * which the next one waits for (ocl_run.c enqueue()). */
	cl_event last_kev;

	struct lf_dev_counters ctr; /* device-wide part; CUs in img */
	struct lf_ocl_stats st;	    /* live[] comes from live_objs */
	atomic_uint_fast64_t live_objs[LF_OCL_NOBJ];

	/* timeline: measured device time, ns after t0 (the device's clock
	 * when the device was opened) */
	struct lf_tl_event *ring;
	uint32_t ring_cap;
	uint64_t next_seq;
	cl_ulong t0;
	int t0_set;
};

static inline struct ocl_dev *ocl_dev_of(lf_dev *dev)
{
	return lf__container_of(dev, struct ocl_dev, base);
}

static inline struct ocl_bo *ocl_bo_of(lf_bo *bo)
{
	return lf__container_of(bo, struct ocl_bo, base);
}

static inline struct ocl_run *ocl_run_of(lf_run *run)
{
	return lf__container_of(run, struct ocl_run, base);
}

/* Copy @src into @dst (@len > 0 bytes), truncated, NUL-terminated. */
static inline void lf__ocl_copy_str(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);

	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* ocl_error.c */
/* Set the message "opencl: <fn>: <CL_NAME>: <detail>" and return @st. */
lf_status lf__ocl_fail(lf_status st, const char *fn, cl_int err,
		       const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ocl_objects.c: live-object accounting */
void lf__ocl_obj_add(struct ocl_dev *d, enum lf_ocl_obj kind);
void lf__ocl_obj_del(struct ocl_dev *d, enum lf_ocl_obj kind);
void lf__ocl_release_mem(struct ocl_dev *d, cl_mem *m);
void lf__ocl_release_event(struct ocl_dev *d, cl_event *e);
void lf__ocl_release_kernel(struct ocl_dev *d, cl_kernel *k);
void lf__ocl_release_program(struct ocl_dev *d, cl_program *p);
void lf__ocl_release_queue(struct ocl_dev *d, cl_command_queue *q);
void lf__ocl_release_context(struct ocl_dev *d, cl_context *c);

/* ocl_platform.c */
/* Every device of every platform, without creating contexts. */
lf_status lf__ocl_scan(struct ocl_devinfo *out, uint32_t max, uint32_t *n);
lf_status lf__ocl_enumerate(struct lf_dev_desc *out, uint32_t max,
			    uint32_t *count);
/* Index into @v[0..n) that @selector names (see lf__ocl_find_device). */
lf_status lf__ocl_select(const struct ocl_devinfo *v, uint32_t n,
			 const char *selector, uint32_t *index);

/* ocl_cache.c: the portable flavour's program-binary cache */
/* The directory to use: LAYERFAB_CACHE_DIR, else $XDG_CACHE_HOME/layerfab,
 * else $HOME/.cache/layerfab; "" if none can be named. */
void lf__ocl_cache_dir(char *out, size_t len);
/* Key text of one program: everything its binary depends on. */
void lf__ocl_cache_key(const struct ocl_dev *d, const char *file,
		       const char *text, size_t len, const char *opts,
		       char *key, size_t keylen);
/* LF_OK and a malloc()ed binary; LF_ERR_NOT_FOUND (no entry);
 * LF_ERR_BAD_FILE (an entry that does not match or is damaged);
 * LF_ERR_IO. */
lf_status lf__ocl_cache_load(const char *dir, const char *key, uint8_t **bin,
			     size_t *size);
lf_status lf__ocl_cache_store(const char *dir, const char *key,
			      const uint8_t *bin, size_t size);

/* ocl_program.c */
lf_status lf__ocl_load(struct ocl_dev *d, const struct lf_xclbin *xb);
void lf__ocl_image_free(struct ocl_dev *d, struct ocl_image *img);

/* ocl_mem.c: the vtable's buffer methods */
lf_status lf__ocl_bo_alloc(lf_dev *dev, uint64_t size, uint32_t bank,
			   lf_bo **out);
lf_status lf__ocl_bo_free(lf_bo *bo);
lf_status lf__ocl_bo_map(lf_bo *bo, void **host);
lf_status lf__ocl_bo_copy(lf_bo *dst, uint64_t dst_off, lf_bo *src,
			  uint64_t src_off, uint64_t size);
lf_status lf__ocl_bo_sync(lf_bo *bo, enum lf_sync_dir dir, uint64_t size,
			  uint64_t offset);

/* ocl_run.c: the vtable's run methods */
lf_status lf__ocl_run_start(lf_dev *dev, uint32_t cu,
			    const struct lf_run_arg *args, uint32_t nargs,
			    lf_run **out);
lf_status lf__ocl_run_wait(lf_run *run, uint32_t timeout_ms);
lf_status lf__ocl_run_free(lf_run *run);
/* Collect every pending run that has completed (d->mu held). */
void lf__ocl_reap_locked(struct ocl_dev *d);

/* ocl_profile.c (d->mu held unless stated) */
uint64_t lf__ocl_wall_ns(void);
/* Record a finished event's profiled interval; returns its length. */
uint64_t lf__ocl_tl_record(struct ocl_dev *d, enum lf_tl_kind kind, uint32_t cu,
			   lf_status st, uint64_t addr, uint64_t bytes,
			   cl_event ev);
/* Read the device clock into d->t0 (without d->mu, at open). */
void lf__ocl_tl_origin(struct ocl_dev *d);

#endif /* LF_DRIVER_OPENCL_OCL_IMPL_H */
