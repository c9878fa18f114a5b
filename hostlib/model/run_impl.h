/*
 * run_impl.h - the stages of lf_model_run() (run.c), one file each, and
 * the state of one run they share:
 *
 *   run_cache.c  inputs checked, the plan for their shapes (cached per
 *                model), a run slot and its host buffers
 *   run_io.c     outputs checked and handed back, inputs fetched from the
 *                device, IO binding (tensors that stay on the card)
 *   run_steps.c  the steps: CPU nodes, device segments, retry and CPU
 *                fallback
 *   run_trace.c  the run profile: records, spans, device timeline events
 *   run_split.c  batches in parts (across devices, CUs or threads) and in
 *                chunks (when the batch does not fit the card)
 *
 * Reentrancy: everything a run writes (host buffers, device arenas and
 * descriptor buffers) belongs to its slot; the model, its graph, its
 * plans and the params on the device are read-only while runs go on.
 * Each function that fails records the last error (lf__err) itself and
 * returns its status.
 */
#ifndef LF_MODEL_RUN_IMPL_H
#define LF_MODEL_RUN_IMPL_H

#include "hostlib/base/error.h"
#include "hostlib/model/model_impl.h"

/* One run (or one part of a split batch) on one slot. */
struct runctx {
	lf_model *m;
	const struct lf__mplan *p;
	struct lf__mdev *md; /* the device this run uses (NULL: CPU) */
	unsigned slot;
	unsigned lane; /* picks its CUs (lf__mdev_run_segment) */
	int tl_lane;   /* its timeline events: that lane's, or -1: all */
	struct lf__rslot *s;
	lf_run_profile *prof;
	const struct lf__mbind *bind; /* NULL: no tensor bound on the card */
	uint64_t t0;		      /* host start of the run */
	uint64_t cursor;	      /* device timeline position */
	struct lf__diag dg;	      /* what the last failing step says */
};

/* What went wrong with a segment on the device in this run. */
struct segfail {
	unsigned failures;
	lf_status st; /* the last failure */
	char why[LF__ERR_MAX];
};

/* run_cache.c */
lf_status lf__run_check_inputs(lf_model *m, lf_tensor *const *in, size_t n,
			       struct lf__gshape *shape);
/* The plan for input shapes @in, held (lf__run_put_plan()) until the
 * run ends; made and cached when there is none. */
lf_status lf__run_get_plan(lf_model *m, const struct lf__gshape *in,
			   struct lf__plan_entry **out);
void lf__run_put_plan(lf_model *m, struct lf__plan_entry *e);
/* A free slot (waits for one): @pref when it is free, else the first. */
unsigned lf__run_get_slot_pref(lf_model *m, unsigned pref);
unsigned lf__run_get_slot(lf_model *m);
void lf__run_put_slot(lf_model *m, unsigned i);
lf_status lf__run_prepare_slot(lf_model *m, struct lf__rslot *s,
			       const struct lf__mplan *p, void *const *in);

/* run_io.c */
lf_status lf__run_check_outputs(lf_model *m, const struct lf__mplan *p,
				lf_tensor **out, size_t n);
lf_status lf__run_deliver(lf_model *m, const struct lf__mplan *p,
			  struct lf__rslot *s, const struct lf__mbind *b,
			  lf_tensor **out, size_t n);
lf_status lf__run_inputs_on_host(lf_model *m, lf_tensor *const *in, size_t n,
				 const struct lf__mbind *b);
lf_status lf__run_bind_prepare(lf_model *m, const struct lf__mplan *p,
			       lf_tensor *const *in, size_t nin,
			       lf_tensor **out, size_t nout,
			       struct lf__mbind *b);
void lf__run_bind_free(struct lf__mbind *b);

/* run_steps.c: every step of the plan, in order. */
lf_status lf__run_steps(struct runctx *c);

/* run_trace.c */
struct lf_layer_profile *lf__run_record(struct runctx *c, int node,
					const char *where, uint64_t host_ns,
					unsigned seg);
void lf__run_host_span(struct runctx *c, const char *name, const char *op,
		       uint64_t t0, uint64_t t1);
void lf__run_seg_profile(struct runctx *c, int si, const char *where,
			 const struct segfail *f,
			 const struct lf__mseg_stats *stats, uint64_t t0,
			 uint64_t t1);

/* run_split.c */
size_t lf__run_batch_of(const lf_model *m, lf_tensor *const *in, size_t n);
size_t lf__run_split_batch(lf_model *m, lf_tensor *const *in, size_t n,
			   const struct lf__mplan *p);
lf_status lf__run_split(lf_model *m, struct lf__plan_entry *full,
			lf_tensor *const *in, const struct lf__gshape *shapes,
			lf_tensor **out, size_t nout, lf_run_profile *prof,
			size_t b);
size_t lf__run_chunk_rows(lf_model *m, lf_tensor *const *in, size_t n,
			  const struct lf__gshape *shapes,
			  const struct lf__mplan *p);
lf_status lf__run_chunks(lf_model *m, const struct lf__mplan *full,
			 lf_tensor *const *in, const struct lf__gshape *shapes,
			 lf_tensor **out, size_t nout, lf_run_profile *prof,
			 size_t b, size_t c);

#endif /* LF_MODEL_RUN_IMPL_H */
