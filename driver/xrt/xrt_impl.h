/*
 * xrt_impl.h - private to driver/xrt: the XRT backend's state.
 *
 * The backend drives a card (or XRT's software emulation of one) through
 * XRT's C API as Debian 12 ships it (libxrt-dev 2.13: <xrt/xrt_device.h>,
 * <xrt/xrt_bo.h>, <xrt/xrt_kernel.h>; libxrt_coreutil only, loaded with
 * dlopen at the first open (xrt_api.h); that library loads the hardware
 * shim, or libxrt_swemu from $XILINX_XRT when XCL_EMULATION_MODE=sw_emu).
 *
 * Locking: xrt_dev.mu guards the fields marked (mu); XRT's C API is
 * thread-safe and is called without it.
 */
#ifndef LF_DRIVER_XRT_IMPL_H
#define LF_DRIVER_XRT_IMPL_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/types.h>

#include "driver/core/backend.h"
#include "driver/xrt/xrt_api.h" /* XRT's C API, loaded at the first open */

#define XRT_WAIT_SLICE_MS 20u /* waits look at the device this often */
#define XRT_WHERE_MAX	  (LF_DRV_NAME_MAX + 8) /* "xrt:" + a device name */

struct xrt_swemu; /* xrt_swemu.c: the sw_emu device process watchdog */

struct xrt_dev {
	struct lf_dev base;
	xrtDeviceHandle dh;
	char name[256];		   /* the shell's VBNV (or emconfig Name) */
	char where[XRT_WHERE_MAX]; /* "xrt:0" or "xrt:0000:65:00.1" */
	int emulation;		   /* XCL_EMULATION_MODE is set */
	int cu_sync;		   /* option cu_sync=1: CU groups (below) */
	pthread_mutex_t mu;
	pthread_cond_t run_cv; /* (mu) broadcast when the device is lost
				* (CLOCK_MONOTONIC) */
	/* (mu) the device stopped answering: every call fails with
	 * LF_ERR_DEVICE_LOST, frees and close still release */
	int lost;
	char lost_why[160];
	struct lf_dev_counters ctr; /* (mu) */
	/* the loaded program (no file image), NULL before the first load */
	struct lf_xclbin *xb;
	xrtKernelHandle kh[LF_DRV_MAX_CUS]; /* one per CU: "k:{inst}" */
	/* bank (XRT memory group) of each argument of each CU */
	uint32_t arg_bank[LF_DRV_MAX_CUS][LF_DRV_MAX_ARGS];
	struct xrt_swemu *sw; /* sw_emu only, after the first load */
};

struct xrt_bo {
	struct lf_bo base;
	xrtBufferHandle bh;
	void *host;	  /* xrtBOMap(), mapped once at allocation */
	uint32_t users;	  /* (mu) pointer arguments of pending runs */
	uint64_t min_off; /* (mu) lowest such argument offset */
};

struct xrt_run {
	struct lf_run base;
	struct xrt_dev *d;
	uint32_t cu; /* its CU: lf_dev_counters.cu[cu].runs at its end */
	xrtRunHandle rh;
	int done;	  /* (mu) */
	lf_status status; /* (mu) once done */
	char msg[256];	  /* the failure message, once done */
	uint32_t nbos;
	struct xrt_bo *bos[LF_DRV_MAX_ARGS];
	xrtBufferHandle subs[LF_DRV_MAX_ARGS]; /* sub-buffers for offsets */
};

static inline struct xrt_dev *xdev(lf_dev *d)
{
	return lf__container_of(d, struct xrt_dev, base);
}

static inline struct xrt_bo *xbo(lf_bo *b)
{
	return lf__container_of(b, struct xrt_bo, base);
}

static inline struct xrt_run *xrun(lf_run *r)
{
	return lf__container_of(r, struct xrt_run, base);
}

/* LF_ERR_DEVICE_LOST with the reason, if @d was lost (takes mu). */
lf_status lf__xrt_check_lost(struct xrt_dev *d, const char *what);

/* xrt_bo.c */
lf_status lf__xrt_bo_alloc(lf_dev *dev, uint64_t size, uint32_t bank,
			   lf_bo **out);
lf_status lf__xrt_bo_free(lf_bo *bo);
lf_status lf__xrt_bo_map(lf_bo *bo, void **host);
lf_status lf__xrt_bo_sync(lf_bo *bo, enum lf_sync_dir dir, uint64_t size,
			  uint64_t offset);

/* xrt_run.c */
lf_status lf__xrt_run_start(lf_dev *dev, uint32_t cu,
			    const struct lf_run_arg *args, uint32_t nargs,
			    lf_run **out);
lf_status lf__xrt_run_wait(lf_run *run, uint32_t timeout_ms);
lf_status lf__xrt_run_free(lf_run *run);
lf_status lf__xrt_cu_abort(lf_dev *dev, uint32_t cu);

/* xrt_load.c */
lf_status lf__xrt_load_xclbin(lf_dev *dev, const struct lf_xclbin *xb);
void lf__xrt_close_kernels(struct xrt_dev *d);

/*
 * xrt_swemu.c - what software emulation needs around XRT calls (see the
 * file's comment): SIGPIPE held off while a call may write to the shim's
 * socket, the shim's signal handlers taken back after it installs them,
 * and a watchdog on the device process.
 */
struct lf__xrt_sigguard {
	int active;
	sigset_t old;
};
void lf__xrt_sig_begin(int emulation, struct lf__xrt_sigguard *g);
void lf__xrt_sig_end(struct lf__xrt_sigguard *g);

#define LF__XRT_NSIGS 5
struct lf__xrt_sigsave {
	struct sigaction act[LF__XRT_NSIGS];
};
void lf__xrt_signals_save(struct lf__xrt_sigsave *s);
void lf__xrt_signals_restore(const struct lf__xrt_sigsave *s);

/* Environment checks before opening an emulated device. */
lf_status lf__xrt_swemu_check_env(void);
/*
 * Around each xclbin load: lf__xrt_keeper_open() before (sets up the
 * channel the device process reports on, if it is about to be forked),
 * lf__xrt_keeper_close() after (@loaded: the load succeeded; then the
 * device process is found and watched).
 */
struct lf__xrt_keeper {
	int ours, theirs, locked;
};
void lf__xrt_keeper_open(struct xrt_dev *d, struct lf__xrt_keeper *k);
lf_status lf__xrt_keeper_close(struct xrt_dev *d, struct lf__xrt_keeper *k,
			       int loaded);
/* The device process's pid, or -1 (tests use it). */
pid_t lf__xrt_swemu_pid(const struct xrt_dev *d);
/* Before xrtDeviceClose: stop watching a healthy device; after it,
 * release everything (the lost-device responder answered the close). */
void lf__xrt_swemu_stop_watch(struct xrt_dev *d);
void lf__xrt_swemu_release(struct xrt_dev *d);

/* xrt_tomb.c: answer the shim for a dead device process on @fd until the
 * shim closes the connection; @state is the dead process's request state
 * (see the file's comment). */
struct lf_swemu_state;
void lf__xrt_tomb_serve(int fd, const struct lf_swemu_state *state);

#endif /* LF_DRIVER_XRT_IMPL_H */
