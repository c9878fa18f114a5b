/*
 * model_impl.h - struct lf_model and struct lf_run_profile, shared by
 * model.c (load, destroy, info), run.c and run_*.c (lf_model_run:
 * run_impl.h) and profile.c.
 * Internal to hostlib/model.
 */
#ifndef LF_MODEL_MODEL_IMPL_H
#define LF_MODEL_MODEL_IMPL_H

#include <pthread.h>
#include <stdatomic.h>

#include "hostlib/core/context.h"
#include "hostlib/exec/model_exec.h"
#include "hostlib/ir/graph.h"
#include "hostlib/plan/model_plan.h"

/* Plans kept per model (one per set of input shapes); the least recently
 * used idle one goes first. */
#define LF__MODEL_PLANS 8

struct lf__plan_entry {
	struct lf__mplan *p;
	int refs; /* runs using it */
	uint64_t used;
	struct lf__plan_entry *next;
};

/* Per-run state: host buffers and (in hostlib/exec) device buffers. */
struct lf__rslot {
	int busy;
	uint8_t *host;
	size_t host_size;
	void **ptr; /* per value */
	void **tmp; /* CPU fallback of a segment: per value, malloc'ed */
};

struct lf_model {
	lf_context *ctx;
	struct lf__graph *g;
	struct lf__mparams params;
	struct lf__mdevcaps caps;
	struct lf__mdev *md; /* NULL: everything on the CPU; == mds[0] */
	/* One per device of the context (ctx->ndev), same params on each;
	 * lf_model_run() splits batches across them. */
	struct lf__mdev *mds[LF__MAX_DEVICES];
	unsigned nmd;
	struct lf_tensor_info *in_info, *out_info;
	int fallback; /* lf_model_load_opts()'s; -1: the context's (now) */
	unsigned cpu_threads; /* the model's or else the context's; batch
				 slices on the cpu device */

	pthread_mutex_t mu; /* plans, slots */
	pthread_cond_t cv;  /* a slot became free */
	struct lf__plan_entry *plans;
	uint64_t next_plan_id, tick;
	unsigned nslots;
	struct lf__rslot *slots;
	atomic_int active; /* runs in progress */
};

/* One host span or device event of a profiled run (for the trace). */
struct lf__pevent {
	int track;	   /* 0 host, 1 DMA H2D, 2 DMA D2H, 10 + cu */
	int layer;	   /* 1: one layer's slice of a run (inside it) */
	int part;	   /* the batch slice on its own CU (0: the first) */
	uint64_t start_ns; /* host: since the run began; device: its clock */
	uint64_t dur_ns;
	uint64_t bytes;
	char name[96];
	char op[32];
};

#define LF__PROFILE_TRACKS 64

struct lf__ptrack {
	uint32_t cu;
	char name[128];
};

struct lf_run_profile {
	size_t n, cap;
	struct lf_layer_profile *rec;
	size_t nev, capev;
	struct lf__pevent *ev;
	size_t ntracks;
	struct lf__ptrack tracks[LF__PROFILE_TRACKS];
	int have_device;
	size_t nloops; /* the cycle model's loops, summed over the run */
	struct lf_loop_profile loops[LF__MLOOPS];
	/* per record: the part of its device_ns that is DMA transfers (a
	 * batch split across CUs shares the device's DMA engines) */
	uint64_t *dma_ns;
	/* per descriptor of the plan, reused across runs (lf__mmodel) */
	uint64_t *dcyc;
	uint32_t *dmhz;
	size_t dcap;
};
/* @p's descriptor arrays for @n descriptors; 0 without memory. */
int lf__run_profile_desc(struct lf_run_profile *p, size_t n);
/* Add @n loop records to @p's, by label (full: the rest dropped). */
void lf__run_profile_loops(struct lf_run_profile *p,
			   const struct lf_loop_profile *l, size_t n);

/* Reset @p for a new run. */
void lf__run_profile_clear(struct lf_run_profile *p);
/* Append a layer record / an event; LF_ERR_NO_MEMORY. */
lf_status lf__run_profile_add(struct lf_run_profile *p,
			      const struct lf_layer_profile *rec);
lf_status lf__run_profile_event(struct lf_run_profile *p,
				const struct lf__pevent *ev);

#endif /* LF_MODEL_MODEL_IMPL_H */
