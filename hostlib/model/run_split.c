/*
 * run_split.c - batches run in parts (run_impl.h): split across a
 * context's devices and the engine's CUs, or on the cpu device across
 * threads, side by side; or, when the whole batch does not fit the
 * card's memory, in chunks one after another. Each part runs the steps
 * on its own slot and plan and writes its rows of the outputs.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib/base/error.h"
#include "hostlib/base/tensor.h"
#include "hostlib/core/context.h"
#include "hostlib/core/event.h"
#include "hostlib/model/run_impl.h"

/*
 * CU lanes per device a batch of plan @p is split across: lfk_engine's
 * CUs (lf__mdev_lanes()) for a plan with a blocked segment, else 1. NCHW
 * plans (an xclbin without blocked datapaths, or layers too large for
 * them) keep a batch on one CU per device as before.
 */
static unsigned cu_lanes(const lf_model *m, const struct lf__mplan *p)
{
	return m->md && p->nblk > 0 ? lf__mdev_lanes(m->md) : 1;
}

/* Slices a batch may be cut into: one per device and CU lane, or on the
 * cpu device one per thread the model may use
 * (lf_options_set_cpu_threads()). */
static unsigned split_ways(const lf_model *m, const struct lf__mplan *p)
{
	return m->md ? m->nmd * cu_lanes(m, p) : m->cpu_threads;
}

/* The batch B of a run whose every input has a free dimension 0 of one
 * size B, else 0. */
size_t lf__run_batch_of(const lf_model *m, lf_tensor *const *in, size_t n)
{
	int64_t b = -1;
	for (size_t i = 0; i < n; i++) {
		if (m->in_info[i].ndim < 1 || m->in_info[i].dims[0] >= 0)
			return 0;
		if (b < 0)
			b = in[i]->dims[0];
		else if (in[i]->dims[0] != b)
			return 0;
	}
	return b > 0 ? (size_t)b : 0;
}

/*
 * The batch size to split over the devices (or the cpu device's threads),
 * or 0 to run whole on the first device: several devices or threads,
 * every input of rank >= 1 with a free dimension 0 of one size B >= 2,
 * and every output with dimension 0 free (or undeclared) and B in the
 * plan.
 */
size_t lf__run_split_batch(lf_model *m, lf_tensor *const *in, size_t n,
			   const struct lf__mplan *p)
{
	const struct lf__graph *g = m->g;
	if (split_ways(m, p) < 2 || n == 0)
		return 0;
	int64_t b = (int64_t)lf__run_batch_of(m, in, n);
	if (b < 2)
		return 0;
	for (size_t i = 0; i < g->noutputs; i++) {
		const struct lf_tensor_info *oi = &m->out_info[i];
		const struct lf__gshape *s = &p->shape[g->outputs[i]];
		if (oi->ndim >= 1 && oi->dims[0] >= 0 &&
		    g->vals[g->outputs[i]].decl_rank >= 1)
			return 0;
		if (s->rank < 1 || s->d[0] != b)
			return 0;
	}
	return (size_t)b;
}

struct part {
	lf_model *m;
	unsigned dev;
	int lane; /* its CU lane on the device, or -1: by its slot */
	struct lf__plan_entry *pe;
	void **inptr;  /* per input: the slice's first row */
	uint8_t **dst; /* per output: where the slice's rows go */
	lf_run_profile *prof;
	lf_status st;
	char msg[LF__ERR_MAX];
};

static void *run_part(void *arg)
{
	struct part *pt = arg;
	lf_model *m = pt->m;
	const struct lf__graph *g = m->g;
	struct runctx c = {.m = m,
			   .p = pt->pe->p,
			   .md = m->md ? m->mds[pt->dev] : NULL,
			   .prof = pt->prof};
	c.slot = pt->lane >= 0 ? lf__run_get_slot_pref(m, (unsigned)pt->lane)
			       : lf__run_get_slot(m);
	c.s = &m->slots[c.slot];
	c.lane = pt->lane >= 0 ? (unsigned)pt->lane : c.slot;
	c.tl_lane = pt->lane;
	lf_status st = lf__run_prepare_slot(m, c.s, c.p, pt->inptr);
	if (st != LF_OK)
		lf__err(m->ctx->id, st,
			"lf_model_run: no memory for host buffers");
	if (st == LF_OK && c.prof) {
		lf__run_profile_clear(c.prof);
		c.t0 = lf__now_ns();
		c.cursor = UINT64_MAX;
		if (c.md)
			lf__mdev_timeline(c.md, c.tl_lane, &c.cursor, NULL, 0,
					  NULL);
	}
	if (st == LF_OK)
		st = lf__run_steps(&c);
	if (st == LF_OK)
		for (size_t i = 0; i < g->noutputs; i++)
			memcpy(pt->dst[i], c.s->ptr[g->outputs[i]],
			       lf__gshape_bytes(&c.p->shape[g->outputs[i]]));
	lf__run_put_slot(m, c.slot);
	pt->st = st;
	if (st != LF_OK)
		snprintf(pt->msg, sizeof(pt->msg), "%s", lf_last_error());
	return NULL;
}

/* How the parts of a batch ran (merge_profile()). */
enum part_mode {
	PARTS_DEVICES, /* side by side, one device each */
	PARTS_SEQ,     /* one after another (chunks) */
	PARTS_CUS      /* side by side on CUs of one device */
};

/*
 * Add another part's records to @into (same layer and segment): counts,
 * bytes and MACs sum; host and device times and cycles take the longest
 * of parts that ran side by side, and sum for parts that ran one after
 * another (chunks); modeled only if every part modeled; the CUs that ran
 * are the union; loops sum. Parts on CUs of one device (PARTS_CUS)
 * share its DMA engines (one per direction, as the emulator models
 * them): their transfers' time sums and only their runs' time takes the
 * longest, device_ns = max(runs) + sum(transfers) per layer (an upper
 * bound: a transfer of one part may overlap another's run on the card).
 */
static void merge_profile(lf_run_profile *into, const lf_run_profile *from,
			  enum part_mode mode, int part)
{
	int seq = mode == PARTS_SEQ;
	/* Slices on CUs of one device: their device events join the trace
	 * (their CUs' tracks, the shared DMA tracks), marked with the
	 * slice. */
	for (size_t i = 0; mode == PARTS_CUS && i < from->nev; i++) {
		struct lf__pevent e = from->ev[i];
		if (e.track < 1)
			continue;
		e.part = part;
		if (lf__run_profile_event(into, &e) != LF_OK)
			break;
	}
	for (size_t i = 0; mode == PARTS_CUS && i < from->ntracks; i++) {
		size_t k = 0;
		while (k < into->ntracks &&
		       into->tracks[k].cu != from->tracks[i].cu)
			k++;
		if (k == into->ntracks && k < LF__PROFILE_TRACKS)
			into->tracks[into->ntracks++] = from->tracks[i];
	}
	for (size_t i = 0; i < from->n; i++) {
		const struct lf_layer_profile *r = &from->rec[i];
		for (size_t j = 0; j < into->n; j++) {
			struct lf_layer_profile *t = &into->rec[j];
			if (t->segment != r->segment ||
			    strcmp(t->name, r->name) != 0)
				continue;
			t->launches += r->launches;
			t->dma_transfers += r->dma_transfers;
			t->seg_failures += r->seg_failures;
			if (r->seg_failures && !t->seg_failures) {
				t->fail_status = r->fail_status;
				memcpy(t->fail_reason, r->fail_reason,
				       sizeof(t->fail_reason));
			}
			t->fallback |= r->fallback;
			t->h2d_bytes += r->h2d_bytes;
			t->d2h_bytes += r->d2h_bytes;
			t->macs += r->macs;
			if (seq) {
				t->host_ns += r->host_ns;
				t->device_ns += r->device_ns;
			}
			if (!seq && r->host_ns > t->host_ns)
				t->host_ns = r->host_ns;
			if (mode == PARTS_DEVICES &&
			    r->device_ns > t->device_ns)
				t->device_ns = r->device_ns;
			if (mode == PARTS_CUS) {
				uint64_t td = into->dma_ns[j],
					 rd = from->dma_ns[i];
				uint64_t tr = t->device_ns - td,
					 rr = r->device_ns - rd;
				t->device_ns = (tr > rr ? tr : rr) + td + rd;
			}
			into->dma_ns[j] += from->dma_ns[i];
			t->cu_mask |= r->cu_mask;
			if (seq)
				t->device_cycles += r->device_cycles;
			else if (r->device_cycles > t->device_cycles)
				t->device_cycles = r->device_cycles;
			t->modeled &= r->modeled;
			break;
		}
	}
	lf__run_profile_loops(into, from->loops, from->nloops);
}

/* The outputs a run created (@made, NULL entries for the caller's own):
 * handed to @out when the run succeeded (@st LF_OK), destroyed when not. */
static void adopt_outputs(lf_status st, lf_tensor **made, size_t nout,
			  lf_tensor **out)
{
	for (size_t i = 0; made && i < nout; i++) {
		if (st != LF_OK)
			lf_tensor_destroy(made[i]);
		else if (made[i])
			out[i] = made[i];
	}
}

/* The outputs a batch's parts write into: the caller's tensors, or new
 * ones (@made, adopt_outputs()) of the full plan @p's shapes. */
static lf_status batch_outputs(lf_model *m, const struct lf__mplan *p,
			       lf_tensor **out, size_t nout, lf_tensor **made,
			       lf_tensor **dst)
{
	const struct lf__graph *g = m->g;
	lf_status st = LF_OK;
	for (size_t i = 0; i < nout && st == LF_OK; i++) {
		dst[i] = out[i];
		if (dst[i])
			continue;
		const struct lf__gshape *s = &p->shape[g->outputs[i]];
		lf_dtype dt;
		lf__onnx_dtype_to_lf(s->dtype, &dt);
		st =
		    lf_tensor_create(m->ctx, dt, s->rank, s->d, NULL, &made[i]);
		dst[i] = made[i];
	}
	return st;
}

/* The parts wrote the outputs' host bytes: their device copies are
 * stale. */
static void outputs_written(lf_tensor **dst, size_t nout)
{
	for (size_t i = 0; i < nout; i++) {
		lf_tensor *t = dst[i];
		pthread_mutex_lock(&t->lock);
		t->host_valid = 1;
		t->dev_valid = 0;
		atomic_fetch_add(&t->version, 1);
		pthread_mutex_unlock(&t->lock);
	}
}

/* Part @pt's rows from @row0 of a batch of @b: its inputs' and outputs'
 * first bytes. */
static void part_rows(struct part *pt, lf_tensor *const *in, size_t nin,
		      lf_tensor **dst, size_t nout, size_t row0, size_t b)
{
	for (size_t i = 0; i < nin; i++)
		pt->inptr[i] =
		    (uint8_t *)in[i]->data + row0 * (in[i]->bytes / b);
	for (size_t i = 0; i < nout; i++)
		pt->dst[i] =
		    (uint8_t *)dst[i]->data + row0 * (dst[i]->bytes / b);
}

/* The input shapes @shapes with @rows rows. */
static void rows_shapes(struct lf__gshape *sh, const struct lf__gshape *shapes,
			size_t nin, size_t rows)
{
	memcpy(sh, shapes, nin * sizeof(*sh));
	for (size_t i = 0; i < nin; i++)
		sh[i].d[0] = (int64_t)rows;
}

/*
 * The @n parts of a batch of @b split across devices and CUs: contiguous
 * slices, the first b % n one row longer, each with its plan, made (or
 * found) here before anything runs. LF_ERR_UNSUPPORTED: a part's outputs
 * do not follow the batch row by row.
 */
static lf_status plan_parts(lf_model *m, struct part *pt, unsigned n,
			    unsigned lanes, void **ptrs, lf_tensor *const *in,
			    const struct lf__gshape *shapes, lf_tensor **dst,
			    size_t nout, lf_run_profile *prof, size_t b,
			    struct lf__gshape *sh)
{
	const struct lf__graph *g = m->g;
	size_t nin = g->ninputs;
	size_t row0 = 0;
	lf_status st = LF_OK;
	for (unsigned k = 0; k < n && st == LF_OK; k++) {
		size_t rows = b / n + (k < b % n);
		rows_shapes(sh, shapes, nin, rows);
		pt[k].m = m;
		pt[k].dev = m->md ? k % m->nmd : k;
		pt[k].lane = lanes > 1 ? (int)(k / m->nmd) : -1;
		pt[k].inptr = ptrs + k * (nin + nout);
		pt[k].dst = (uint8_t **)(pt[k].inptr + nin);
		part_rows(&pt[k], in, nin, dst, nout, row0, b);
		st = lf__run_get_plan(m, sh, &pt[k].pe);
		if (st != LF_OK)
			break;
		for (size_t i = 0; i < nout && st == LF_OK; i++) {
			const struct lf__gshape *s =
			    &pt[k].pe->p->shape[g->outputs[i]];
			if (s->d[0] != (int64_t)rows ||
			    lf__gshape_bytes(s) != rows * (dst[i]->bytes / b))
				st = LF_ERR_UNSUPPORTED; /* not row-wise */
		}
		if (prof && k > 0 && st == LF_OK &&
		    lf_run_profile_create(&pt[k].prof) != LF_OK)
			st = lf__err(m->ctx->id, LF_ERR_NO_MEMORY,
				     "lf_model_run: no memory");
		row0 += rows;
	}
	return st;
}

/* Outputs that do not follow the batch: one part, the whole batch on
 * device 1 with the full plan; the parts' plans (of @nparts) given back. */
static void whole_part(lf_model *m, struct lf__plan_entry *full,
		       struct part *pt, unsigned nparts, void **ptrs,
		       lf_tensor *const *in, lf_tensor **dst, size_t nout)
{
	size_t nin = m->g->ninputs;
	for (unsigned k = 0; k < nparts; k++)
		if (pt[k].pe) {
			lf__run_put_plan(m, pt[k].pe);
			pt[k].pe = NULL;
		}
	pt[0].pe = full;
	pt[0].inptr = ptrs;
	pt[0].dst = (uint8_t **)(ptrs + nin);
	for (size_t i = 0; i < nin; i++)
		pt[0].inptr[i] = in[i]->data;
	for (size_t i = 0; i < nout; i++)
		pt[0].dst[i] = dst[i]->data;
	pthread_mutex_lock(&m->mu);
	full->refs++;
	pthread_mutex_unlock(&m->mu);
}

/* Parts 1.. on threads of their own, part 0 on this one (a part whose
 * thread could not start runs here too). */
static void run_parts(struct part *pt, unsigned n, pthread_t *th, int *started)
{
	for (unsigned k = 1; k < n; k++)
		started[k] =
		    pthread_create(&th[k], NULL, run_part, &pt[k]) == 0;
	run_part(&pt[0]);
	for (unsigned k = 1; k < n; k++) {
		if (started[k])
			pthread_join(th[k], NULL);
		else
			run_part(&pt[k]);
	}
}

lf_status lf__run_split(lf_model *m, struct lf__plan_entry *full,
			lf_tensor *const *in, const struct lf__gshape *shapes,
			lf_tensor **out, size_t nout, lf_run_profile *prof,
			size_t b)
{
	const struct lf__graph *g = m->g;
	uint64_t id = m->ctx->id;
	size_t nin = g->ninputs;
	unsigned ways = split_ways(m, full->p);
	unsigned lanes = cu_lanes(m, full->p);
	const char *what = !m->md ? "thread" : lanes > 1 ? "CU" : "device";
	unsigned n = ways < b ? ways : (unsigned)b;
	struct part *pt = calloc(n, sizeof(*pt));
	pthread_t *th = calloc(n, sizeof(*th));
	int *started = calloc(n, sizeof(*started));
	lf_tensor **made = calloc(nout + 1, sizeof(*made));
	lf_tensor **dst = calloc(nout + 1, sizeof(*dst));
	struct lf__gshape *sh = calloc(nin + 1, sizeof(*sh));
	void **ptrs = calloc(n * (nin + nout) + 1, sizeof(*ptrs));
	unsigned nparts = n; /* pt[] entries that may hold a plan or profile */
	lf_status st = LF_OK;
	if (!pt || !th || !started || !made || !dst || !sh || !ptrs) {
		st = lf__err(id, LF_ERR_NO_MEMORY, "lf_model_run: no memory");
		goto done;
	}
	st = batch_outputs(m, full->p, out, nout, made, dst);
	if (st == LF_OK)
		st = plan_parts(m, pt, n, lanes, ptrs, in, shapes, dst, nout,
				prof, b, sh);
	if (st == LF_ERR_UNSUPPORTED) {
		st = LF_OK;
		n = 1;
		whole_part(m, full, pt, nparts, ptrs, in, dst, nout);
	}
	if (st != LF_OK)
		goto done;
	pt[0].prof = prof;
	run_parts(pt, n, th, started);
	for (unsigned k = 0; k < n && st == LF_OK; k++)
		if (pt[k].st != LF_OK)
			st = lf__err(id, pt[k].st,
				     "%s (%s %u of %u, rows "
				     "of the batch split across %ss)",
				     pt[k].msg, what, k + 1, n, what);
	for (unsigned k = 1; k < n && prof && st == LF_OK; k++)
		merge_profile(prof, pt[k].prof,
			      lanes > 1 ? PARTS_CUS : PARTS_DEVICES, (int)k);
	if (st == LF_OK)
		outputs_written(dst, nout);
done:
	for (unsigned k = 0; pt && k < nparts; k++) {
		if (pt[k].pe)
			lf__run_put_plan(m, pt[k].pe);
		if (pt[k].prof && k > 0)
			lf_run_profile_destroy(pt[k].prof);
	}
	free(pt);
	free(th);
	free(started);
	adopt_outputs(st, made, nout, out);
	free(made);
	free(dst);
	free(sh);
	free(ptrs);
	return st;
}

/* Does the plan for @rows rows give every output @rows rows of the full
 * batch's (@full, @b rows) bytes, i.e. follow the batch row by row? */
static int rows_follow(const lf_model *m, const struct lf__mplan *full,
		       size_t b, const struct lf__mplan *p, size_t rows)
{
	const struct lf__graph *g = m->g;
	for (size_t i = 0; i < g->noutputs; i++) {
		const struct lf__gshape *s = &p->shape[g->outputs[i]];
		size_t fb = lf__gshape_bytes(&full->shape[g->outputs[i]]);
		if (s->rank < 1 || s->d[0] != (int64_t)rows || fb % b ||
		    lf__gshape_bytes(s) != rows * (fb / b))
			return 0;
	}
	return 1;
}

/*
 * Rows per chunk for a batch whose activations do not fit the card at
 * once, or 0 to run it whole: a device, a batch B >= 2 (batch_of), the
 * plan's arena over lf__mdev_arena_room(), and a plan for c < B rows
 * within it whose outputs follow the batch. The batch then runs as
 * chunks of c rows one after another on the card, instead of every
 * segment failing its allocation and running on the CPU (reliability
 * review 5: 7.5 minutes, exit 0). Plans for c rows stay cached.
 */
size_t lf__run_chunk_rows(lf_model *m, lf_tensor *const *in, size_t n,
			  const struct lf__gshape *shapes,
			  const struct lf__mplan *p)
{
	if (!m->md || lf__mdev_lost(m->md) || !p->nsegs || n == 0)
		return 0;
	uint64_t room = lf__mdev_arena_room(m->md);
	size_t b = lf__run_batch_of(m, in, n);
	if (!room || p->arena_bytes <= room || b < 2)
		return 0;
	struct lf__gshape *sh = calloc(n, sizeof(*sh));
	if (!sh)
		return 0;
	size_t c = (size_t)((double)b * (double)room / (double)p->arena_bytes);
	size_t found = 0;
	for (int tries = 0; tries < 16 && !found; tries++) {
		if (c >= b)
			c = b - 1;
		if (c < 1)
			c = 1;
		memcpy(sh, shapes, n * sizeof(*sh));
		for (size_t i = 0; i < n; i++)
			sh[i].d[0] = (int64_t)c;
		struct lf__plan_entry *pe;
		if (lf__run_get_plan(m, sh, &pe) != LF_OK)
			break;
		uint64_t a = pe->p->arena_bytes;
		int ok = rows_follow(m, p, b, pe->p, c) && pe->p->nsegs;
		lf__run_put_plan(m, pe);
		if (!ok)
			break;
		if (a <= room)
			found = c;
		else if (c == 1)
			break;
		else
			c = (size_t)((double)c * (double)room / (double)a) < c
				? (size_t)((double)c * (double)room / (double)a)
				: c - 1;
	}
	free(sh);
	return found;
}

/* Run the @b rows in chunks of @c (lf__run_chunk_rows()), one after another on
 * the first device, each writing its rows of the outputs. */
lf_status lf__run_chunks(lf_model *m, const struct lf__mplan *full,
			 lf_tensor *const *in, const struct lf__gshape *shapes,
			 lf_tensor **out, size_t nout, lf_run_profile *prof,
			 size_t b, size_t c)
{
	const struct lf__graph *g = m->g;
	uint64_t id = m->ctx->id;
	size_t nin = g->ninputs;
	lf_tensor **made = calloc(nout + 1, sizeof(*made));
	lf_tensor **dst = calloc(nout + 1, sizeof(*dst));
	struct lf__gshape *sh = calloc(nin + 1, sizeof(*sh));
	void **ptrs = calloc(nin + nout + 1, sizeof(*ptrs));
	lf_run_profile *part_prof = NULL;
	lf_status st = LF_OK;
	if (!made || !dst || !sh || !ptrs ||
	    (prof && lf_run_profile_create(&part_prof) != LF_OK)) {
		st = lf__err(id, LF_ERR_NO_MEMORY, "lf_model_run: no memory");
		goto done;
	}
	st = batch_outputs(m, full, out, nout, made, dst);
	for (size_t row0 = 0; row0 < b && st == LF_OK; row0 += c) {
		size_t rows = b - row0 < c ? b - row0 : c;
		rows_shapes(sh, shapes, nin, rows);
		struct part pt;
		memset(&pt, 0, sizeof(pt));
		pt.m = m;
		pt.lane = -1;
		pt.inptr = ptrs;
		pt.dst = (uint8_t **)(ptrs + nin);
		pt.prof = row0 ? part_prof : prof;
		part_rows(&pt, in, nin, dst, nout, row0, b);
		if ((st = lf__run_get_plan(m, sh, &pt.pe)) != LF_OK)
			break;
		if (!rows_follow(m, full, b, pt.pe->p, rows))
			st = lf__err(id, LF_ERR_INTERNAL,
				     "lf_model_run: a chunk's outputs do not "
				     "follow the batch");
		else
			run_part(&pt);
		lf__run_put_plan(m, pt.pe);
		if (st == LF_OK && pt.st != LF_OK)
			st = lf__err(id, pt.st,
				     "%s (rows %zu to %zu of a batch of %zu, "
				     "run in chunks of %zu rows: the whole "
				     "batch does not fit the card's memory)",
				     pt.msg, row0, row0 + rows - 1, b, c);
		if (st == LF_OK && row0 && prof)
			merge_profile(prof, part_prof, PARTS_SEQ, 0);
	}
	if (st == LF_OK)
		outputs_written(dst, nout);
done:
	adopt_outputs(st, made, nout, out);
	lf_run_profile_destroy(part_prof);
	free(made);
	free(dst);
	free(sh);
	free(ptrs);
	return st;
}
