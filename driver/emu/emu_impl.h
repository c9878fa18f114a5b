/*
 * emu_impl.h - private to driver/emu: the device core's state.
 *
 * Locking: one mutex per device (lf_emu.mu) guards everything below,
 * except that a CU worker runs the kernel itself without it (on device
 * memory of allocations that cannot be freed or transferred meanwhile,
 * because the run counts as a user of them).
 */
#ifndef LF_DRIVER_EMU_EMU_IMPL_H
#define LF_DRIVER_EMU_EMU_IMPL_H

#include <pthread.h>

#include "driver/core/backend.h"
#include "driver/emu/emu.h"
#include "lf_desc.h"

/* The layerfab kernel ABI (hls/lf_desc.h, enum lf_karg): pointer,
 * count, pointer, bytes, pointer, bytes. */
#define EMU_ABI_NARGS LF_KARG_COUNT

#define EMU_PAGE    4096u
#define EMU_MSG_MAX 256

typedef void (*emu_kernel_fn)(lf_u32 *desc, lf_u32 ndesc, const lf_beat *params,
			      lf_u32 params_bytes, lf_beat *act,
			      lf_u32 act_bytes);

struct emu_bank {
	char tag[16];
	uint32_t type;
	uint32_t usable;
	uint64_t base, size;
};

/* One allocation ("buffer") of device memory. */
struct emu_alloc {
	uint64_t addr, size; /* device address, exact bytes */
	uint64_t span;	     /* address space reserved: size rounded up */
	uint32_t bank;
	uint8_t *mem;	     /* the device memory itself */
	uint64_t h2d_end_ns; /* modeled end of the last H2D into it */
	uint64_t run_end_ns; /* modeled end of the last run using it */
	uint32_t users;	     /* pointer args of pending runs on it */
};

enum emu_run_state { EMU_RUN_QUEUED, EMU_RUN_RUNNING, EMU_RUN_DONE };

struct lf_emu_run {
	uint64_t id;
	uint32_t cu;
	enum emu_run_state state;
	int hang;      /* injected: never completes until aborted */
	int skip;      /* injected: completes unrun, status OK (emu_fault.c) */
	int abort_req; /* abort / reset / loss asked a hung run to end */
	lf_status abort_st;    /* ... with this status */
	const char *abort_why; /* ... and this reason (a static string) */
	lf_status status;
	char msg[EMU_MSG_MAX];
	uint64_t argv[EMU_ABI_NARGS];
	struct emu_alloc *alloc[EMU_ABI_NARGS];	 /* pointer args, else NULL */
	uint64_t off[EMU_ABI_NARGS];		 /* offset in alloc */
	uint32_t ndesc, params_bytes, act_bytes; /* what the kernel is told */
	uint64_t submit_ns, dep_ns;		 /* model inputs */
	uint64_t start_ns, end_ns, cycles;	 /* model outputs */
	int executed;				 /* the kernel ran */
	uint32_t clock_mhz;			 /* of its kernel */
	/* The kernels' own account (NULL / 0 when their code has none):
	 * cycles per finished descriptor, and per loop label. */
	uint64_t *desc_cycles;
	uint32_t ndesc_done; /* 0: not counted */
	struct lf_run_loop *loops;
	uint32_t nloops;
	lf_emu_run *next; /* CU queue */
};

/* A loop's counters as the kernel object's lfk_pipe_stats() returns them
 * (struct lfk_pipe_stat of hls/lf_pipes.h: four 64-bit counters). */
struct emu_pipe_stat {
	uint64_t calls, iters, cycles, mem_stall;
};

struct emu_kernel {
	emu_kernel_fn fn;
	uint32_t clock_mhz;
	char sym[LF_XCLBIN_NAME_MAX + 8];
};

struct emu_cu {
	lf_emu *emu;
	struct emu_image *img;
	uint32_t index, kernel;
	pthread_t thread;
	int started, stop;
	pthread_cond_t cv; /* work queued, stop, or a hung run's abort */
	lf_emu_run *head, *tail, *running;
	uint64_t free_ns; /* modeled time the CU becomes idle */
	struct lf_dev_cu_counters ctr;
};

/* Everything an xclbin load brings; replaced as a whole. */
struct emu_image {
	struct lf_xclbin *xb; /* private copy, no image / bitstream */
	void *dl;
	void (*cycles_reset)(void);
	uint64_t (*cycles_get)(void);
	/* lfk_mem_set, or NULL: a kernel object without a memory model */
	int (*mem_set)(uint32_t port, float bytes_per_cycle, float eff_burst,
		       float eff_single, uint32_t atom);
	/* Optional, NULL in kernel objects without them: each descriptor's
	 * cycles (lfk_desc_cycles), each loop's (lfk_pipe_stats / _name). */
	uint32_t (*desc_cycles)(uint64_t *out, uint32_t max);
	int (*pipe_stats)(uint32_t id, struct emu_pipe_stat *out);
	const char *(*pipe_name)(uint32_t id);
	/* lfk_sync_set, or NULL: kernels without a barrier ring */
	void (*sync_set)(int (*fn)(void *ctx, uint32_t k, uint64_t *cycles),
			 void *ctx);
	/* CUs sharing each bank's bandwidth (count_bank_cus) */
	uint32_t bank_cus[LF_DRV_MAX_MEMS];
	struct emu_kernel kernels[LF_XCLBIN_MAX_KERNELS];
	uint32_t ncus;
	struct emu_cu *cus;
	/* banks from MEM_TOPOLOGY; nbanks 0: keep the profile's */
	uint32_t nbanks;
	struct emu_bank banks[LF_DRV_MAX_MEMS];
	/* banks each (cu, arg) port reaches: a bit per bank */
	uint64_t reach[LF_DRV_MAX_CUS][EMU_ABI_NARGS][LF_DRV_MAX_MEMS / 64];
};

struct emu_faults {
	uint32_t left[LF_FAULT_STATUS_CORRUPT + 1]; /* 0: disarmed */
	int32_t hang_cu;
};

struct lf_emu {
	pthread_mutex_t mu;
	pthread_cond_t done_cv; /* a run completed (CLOCK_MONOTONIC) */
	const struct lf_emu_profile *profile;
	const struct lf_xclbin_platform *platform; /* banks, VBNV */
	struct lf_emu_config cfg;
	int lost;

	uint32_t nbanks;
	struct emu_bank banks[LF_DRV_MAX_MEMS];
	struct emu_alloc **allocs; /* sorted by addr */
	uint32_t nallocs, cap_allocs;

	struct emu_image *img; /* NULL: no xclbin loaded */
	uint64_t next_run_id;

	/* timing model (ns of modeled device time) */
	uint64_t setup_ns, launch_ns;
	double h2d_bps, d2h_bps;
	uint64_t now_ns; /* the host's position on the device clock */
	uint64_t h2d_free_ns, d2h_free_ns;
	struct lf_tl_event *ring;
	uint32_t ring_cap;
	uint64_t next_seq;

	struct emu_faults faults;
	struct lf_dev_counters ctr; /* device-wide part; CUs in img */

	/* The barrier of a launch group's kernels (hls/lf_desc.h
	 * "Barrier"; emu_cu.c sync_wait): arrivals of this generation, the
	 * latest arrival on the device clock, and per generation (mod 64)
	 * its release time and whether it was broken (an abort). */
	pthread_cond_t sync_cv;
	uint32_t sync_k, sync_arrived;
	uint64_t sync_gen;
	double sync_tmax, sync_trel[64];
	unsigned char sync_broken[64];
};

/* emu_mem.c */
struct emu_alloc *lf__emu_find_alloc(lf_emu *e, uint64_t addr);
void lf__emu_banks_from_profile(lf_emu *e);
void lf__emu_free_all(lf_emu *e);
lf_status lf__emu_zero_all(lf_emu *e);

/* emu_timing.c (all with e->mu held) */
uint64_t lf__emu_dma_ns(const lf_emu *e, enum lf_sync_dir dir, uint64_t bytes);
uint64_t lf__emu_run_ns(const lf_emu *e, uint64_t cycles, uint32_t clock_mhz);
void lf__emu_tl_record(lf_emu *e, const struct lf_tl_event *ev);
uint64_t lf__emu_max3(uint64_t a, uint64_t b, uint64_t c);

/* emu_fault.c (with e->mu held) */
/* Count one device operation; LF_ERR_DEVICE_LOST if lost (now or before). */
lf_status lf__emu_op_begin(lf_emu *e, const char *what);
/* Count one occurrence of @kind; 1 if the fault fires now. */
int lf__emu_fault_tick(lf_emu *e, enum lf_fault_kind kind, int32_t cu);

/* emu_cu.c (with e->mu held unless stated) */
/* Ends the barrier being waited at, if any: its waiters fail. */
void lf__emu_sync_break(lf_emu *e);
void lf__emu_abort_queue(lf_emu *e, struct emu_cu *cu, lf_status st,
			 const char *why);
/* Abort queued and hung runs of @cu and wait until it is idle. */
void lf__emu_cu_quiesce(lf_emu *e, struct emu_cu *cu, lf_status st,
			const char *why);
/* Start workers of a new image (without e->mu). */
lf_status lf__emu_cus_start(lf_emu *e, struct emu_image *img);
/* Stop and join the workers and free the image (without e->mu). */
void lf__emu_image_free(lf_emu *e, struct emu_image *img);

/* emu_kernels.c (without e->mu) */
lf_status lf__emu_image_build(lf_emu *e, const struct lf_xclbin *xb,
			      const char *so_path, struct emu_image **out);

#endif /* LF_DRIVER_EMU_EMU_IMPL_H */
