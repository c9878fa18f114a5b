/*
 * run.c - lf_model_run(): check the inputs, find (or make) the plan for
 * their shapes, take a run slot, run the steps (CPU nodes here, device
 * segments through hostlib/exec), hand back the outputs, and fill the
 * run profile.
 *
 * Reentrancy: everything a run writes (host buffers, device arenas and
 * descriptor buffers) belongs to its slot; the model, its graph, its
 * plans and the params on the device are read-only while runs go on.
 *
 * Device failures: a timeout, DMA error or device error of a segment is
 * retried once; a second failure, a kernel-reported error, no device
 * memory or a lost device runs the segment on the CPU from its inputs on
 * the host (same bytes), unless LAYERFAB_FALLBACK=off, which makes it the
 * run's error. Every failure is in the run profile: the segment's
 * records carry seg_failures, fallback, fail_status and fail_reason.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib/core/context.h"
#include "hostlib/base/error.h"
#include "hostlib/base/tensor.h"
#include "hostlib/core/event.h"
#include "hostlib/model/model_impl.h"

/* ---- inputs, plans, slots ------------------------------------------------ */

static lf_status check_inputs(lf_model *m, lf_tensor *const *in, size_t n,
			      struct lf__gshape *shape)
{
	const struct lf__graph *g = m->g;
	uint64_t id = m->ctx->id;
	if (n != g->ninputs)
		return lf__err(id, LF_ERR_INVALID_ARG,
			       "lf_model_run: %zu inputs given, the model has "
			       "%zu",
			       n, g->ninputs);
	for (size_t i = 0; i < n; i++) {
		const struct lf_tensor_info *info = &m->in_info[i];
		const lf_tensor *t = in[i];
		if (!t)
			return lf__err(id, LF_ERR_INVALID_ARG,
				       "lf_model_run: input %zu ('%s') is NULL",
				       i, info->name);
		if (t->ctx != m->ctx)
			return lf__err(id, LF_ERR_INVALID_ARG,
				       "lf_model_run: input '%s' belongs to "
				       "another context",
				       info->name);
		if (t->dtype != info->dtype)
			return lf__err(id, LF_ERR_INVALID_ARG,
				       "lf_model_run: input '%s' is %s, the "
				       "model takes %s",
				       info->name, lf__dtype_name(t->dtype),
				       lf__dtype_name(info->dtype));
		if (t->ndim != info->ndim)
			return lf__err(id, LF_ERR_SHAPE,
				       "lf_model_run: input '%s' has rank %d, "
				       "the model takes %d",
				       info->name, t->ndim, info->ndim);
		for (int d = 0; d < t->ndim; d++)
			if (info->dims[d] >= 0 && t->dims[d] != info->dims[d])
				return lf__err(id, LF_ERR_SHAPE,
					       "lf_model_run: input '%s' dim "
					       "%d is %lld, the model takes "
					       "%lld",
					       info->name, d,
					       (long long)t->dims[d],
					       (long long)info->dims[d]);
		shape[i].rank = t->ndim;
		shape[i].dtype = 0;
		memcpy(shape[i].d, t->dims, sizeof(shape[i].d));
	}
	return LF_OK;
}

static int same_shapes(const struct lf__gshape *a, const struct lf__gshape *b,
		       size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (a[i].rank != b[i].rank)
			return 0;
		for (int d = 0; d < a[i].rank; d++)
			if (a[i].d[d] != b[i].d[d])
				return 0;
	}
	return 1;
}

/* The cached plan for these shapes; caller holds m->mu. */
static struct lf__plan_entry *find_plan(lf_model *m,
					const struct lf__gshape *in)
{
	for (struct lf__plan_entry *e = m->plans; e; e = e->next)
		if (same_shapes(e->p->in, in, m->g->ninputs))
			return e;
	return NULL;
}

/* Drop the least recently used idle plan beyond the cache's size. */
static void evict(lf_model *m)
{
	size_t n = 0;
	for (struct lf__plan_entry *e = m->plans; e; e = e->next)
		n++;
	while (n > LF__MODEL_PLANS) {
		struct lf__plan_entry **victim = NULL;
		for (struct lf__plan_entry **pe = &m->plans; *pe;
		     pe = &(*pe)->next)
			if (!(*pe)->refs &&
			    (!victim || (*pe)->used < (*victim)->used))
				victim = pe;
		if (!victim)
			return;
		struct lf__plan_entry *e = *victim;
		*victim = e->next;
		lf__mplan_free(e->p);
		free(e);
		n--;
	}
}

static lf_status get_plan(lf_model *m, const struct lf__gshape *in,
			  struct lf__plan_entry **out)
{
	pthread_mutex_lock(&m->mu);
	struct lf__plan_entry *e = find_plan(m, in);
	if (e) {
		e->refs++;
		e->used = ++m->tick;
		pthread_mutex_unlock(&m->mu);
		*out = e;
		return LF_OK;
	}
	pthread_mutex_unlock(&m->mu);
	struct lf__diag dg;
	struct lf__mplan *p;
	lf_status st = lf__mplan_build(m->g, &m->params, &m->caps, in, &p, &dg);
	if (st != LF_OK)
		return lf__diag_raise(m->ctx->id, &dg, "lf_model_run");
	pthread_mutex_lock(&m->mu);
	e = find_plan(m, in);
	if (e) { /* another run made it meanwhile */
		lf__mplan_free(p);
	} else {
		e = calloc(1, sizeof(*e));
		if (!e) {
			pthread_mutex_unlock(&m->mu);
			lf__mplan_free(p);
			return lf__err(m->ctx->id, LF_ERR_NO_MEMORY,
				       "lf_model_run: no memory");
		}
		p->id = ++m->next_plan_id;
		e->p = p;
		e->next = m->plans;
		m->plans = e;
	}
	e->refs++;
	e->used = ++m->tick;
	evict(m);
	pthread_mutex_unlock(&m->mu);
	*out = e;
	return LF_OK;
}

static void put_plan(lf_model *m, struct lf__plan_entry *e)
{
	pthread_mutex_lock(&m->mu);
	e->refs--;
	evict(m);
	pthread_mutex_unlock(&m->mu);
}

/* A free slot: @pref when it is free (a CU lane keeps its slot, whose
 * buffers are in that lane's banks), else the first. */
static unsigned get_slot_pref(lf_model *m, unsigned pref)
{
	pthread_mutex_lock(&m->mu);
	for (;;) {
		for (unsigned k = 0; k <= m->nslots; k++) {
			unsigned i = k ? k - 1 : pref;
			if (i < m->nslots && !m->slots[i].busy) {
				m->slots[i].busy = 1;
				pthread_mutex_unlock(&m->mu);
				return i;
			}
		}
		pthread_cond_wait(&m->cv, &m->mu);
	}
}

static unsigned get_slot(lf_model *m)
{
	return get_slot_pref(m, 0);
}

static void put_slot(lf_model *m, unsigned i)
{
	pthread_mutex_lock(&m->mu);
	m->slots[i].busy = 0;
	pthread_cond_signal(&m->cv);
	pthread_mutex_unlock(&m->mu);
}

/* Host buffers of the slot for this plan, and every value's pointer. */
static lf_status prepare_slot(lf_model *m, struct lf__rslot *s,
			      const struct lf__mplan *p, void *const *in)
{
	const struct lf__graph *g = m->g;
	if (!s->ptr) {
		s->ptr = calloc(g->nvals + 1, sizeof(void *));
		s->tmp = calloc(g->nvals + 1, sizeof(void *));
		if (!s->ptr || !s->tmp)
			return LF_ERR_NO_MEMORY;
	}
	if (s->host_size < p->host_bytes) {
		uint8_t *h = realloc(s->host, p->host_bytes);
		if (!h)
			return LF_ERR_NO_MEMORY;
		s->host = h;
		s->host_size = p->host_bytes;
	}
	for (size_t v = 0; v < g->nvals; v++) {
		int r = p->root[v];
		const struct lf__gval *rv = &g->vals[r];
		if (rv->cst)
			s->ptr[v] = rv->cst->data;
		else if (rv->input >= 0)
			s->ptr[v] = in[rv->input];
		else if (p->host_off[r] != UINT64_MAX)
			s->ptr[v] = s->host + p->host_off[r];
		else
			s->ptr[v] = NULL;
	}
	return LF_OK;
}

/* ---- profiling ------------------------------------------------------------
 */

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
	char err[LF__ERR_MAX];
};

/* Add a record for @node; returns it, or NULL without memory for it. */
static struct lf_layer_profile *record(struct runctx *c, int node,
				       const char *where, uint64_t host_ns,
				       unsigned seg)
{
	const struct lf__gnode *n = &c->m->g->nodes[node];
	struct lf_layer_profile r;
	memset(&r, 0, sizeof(r));
	snprintf(r.name, sizeof(r.name), "%s", n->name);
	snprintf(r.op, sizeof(r.op), "%s", n->label);
	snprintf(r.where, sizeof(r.where), "%s", where);
	r.segment = seg;
	r.host_ns = host_ns;
	r.macs = c->p->node[node].macs;
	r.cu = ~0u;
	if (lf__run_profile_add(c->prof, &r) != LF_OK)
		return NULL;
	return &c->prof->rec[c->prof->n - 1];
}

static void host_span(struct runctx *c, const char *name, const char *op,
		      uint64_t t0, uint64_t t1)
{
	struct lf__pevent ev;
	memset(&ev, 0, sizeof(ev));
	ev.track = 0;
	ev.start_ns = t0 - c->t0;
	ev.dur_ns = t1 - t0;
	snprintf(ev.name, sizeof(ev.name), "%s", name);
	snprintf(ev.op, sizeof(ev.op), "%s", op);
	lf__run_profile_event(c->prof, &ev);
}

static void add_track(lf_run_profile *p, const struct lf__mdev *md, uint32_t cu)
{
	for (size_t i = 0; i < p->ntracks; i++)
		if (p->tracks[i].cu == cu)
			return;
	if (p->ntracks == LF__PROFILE_TRACKS)
		return;
	p->tracks[p->ntracks].cu = cu;
	snprintf(p->tracks[p->ntracks].name, sizeof(p->tracks[0].name), "%s",
		 lf__mdev_cu_name(md, cu));
	p->ntracks++;
}

/* The record of node @node in this run's profile (the last one added). */
static struct lf_layer_profile *rec_of(struct runctx *c, size_t first, int node)
{
	const char *name = c->m->g->nodes[node].name;
	for (size_t i = first; i < c->prof->n; i++)
		if (strncmp(c->prof->rec[i].name, name,
			    sizeof(c->prof->rec[i].name) - 1) == 0)
			return &c->prof->rec[i];
	return &c->prof->rec[first];
}

static void attribute(struct lf_layer_profile *r, uint64_t start, uint64_t dur)
{
	if (!r->device_ns || start < r->dev_start_ns)
		r->dev_start_ns = start;
	r->device_ns += dur;
}

/*
 * Give run @e of launch @l its layers' device time. With the cycle model
 * (@mm, every descriptor of the launch counted) each layer gets its own
 * descriptors' cycles at the kernel clock, rounded on the running sum so
 * the parts add up to the run's kernel time, and the launch's first layer
 * the rest of the run (the launch overhead). Without it the run stays
 * undivided on the first layer, modeled 0: no made-up split.
 */
static void launch_time(struct runctx *c, size_t first_rec,
			const struct lf__mseg *s, const struct lf__mlaunch *l,
			const struct lf__mtl_event *e,
			const struct lf__mmodel *mm)
{
	uint64_t dur = e->end_ns - e->start_ns;
	int counted = mm && l->ndesc > 0;
	for (uint32_t k = 0; counted && k < l->ndesc; k++)
		counted = mm->desc_mhz[l->desc0 + k] != 0;
	for (int j = 0; j < l->count; j++) {
		struct lf_layer_profile *r =
		    rec_of(c, first_rec, s->nodes[l->first + j]);
		r->modeled = counted;
		r->cu = e->cu;
		if (e->cu < 64)
			r->cu_mask |= 1ull << e->cu;
	}
	struct lf_layer_profile *r0 = rec_of(c, first_rec, s->nodes[l->first]);
	if (!counted) {
		attribute(r0, e->start_ns, dur);
		return;
	}
	uint64_t cum = 0, at = 0, kern = 0;
	/* The kernel's time ends the run (the launch overhead first): where
	 * the trace's layer slices start. */
	for (uint32_t k = 0; k < l->ndesc; k++)
		cum += mm->desc_cycles[l->desc0 + k];
	uint64_t kend =
	    (uint64_t)((double)cum * 1e3 /
			   (double)mm->desc_mhz[l->desc0 + l->ndesc - 1] +
		       0.5);
	uint64_t k0 = e->start_ns + (dur > kend ? dur - kend : 0);
	struct lf__pevent pe; /* the trace's slice of the current layer */
	int cur = -1;
	cum = 0;
	memset(&pe, 0, sizeof(pe));
	pe.track = 10 + (int)e->cu;
	pe.layer = 1;
	for (uint32_t k = 0; k < l->ndesc; k++) {
		uint32_t i = l->desc0 + k;
		cum += mm->desc_cycles[i];
		uint64_t to =
		    (uint64_t)((double)cum * 1e3 / (double)mm->desc_mhz[i] +
			       0.5);
		int node = c->p->desc_node[i];
		struct lf_layer_profile *r = rec_of(c, first_rec, node);
		r->device_cycles += mm->desc_cycles[i];
		kern = to;
		if (to < at)
			continue;
		uint64_t part = to - at > dur ? dur : to - at;
		attribute(r, e->start_ns + at, part);
		if (node != cur) {
			if (cur >= 0)
				lf__run_profile_event(c->prof, &pe);
			cur = node;
			pe.start_ns = k0 + at;
			pe.dur_ns = 0;
			snprintf(pe.name, sizeof(pe.name), "%s", r->name);
			snprintf(pe.op, sizeof(pe.op), "%s", r->op);
		}
		pe.dur_ns += part;
		at = to;
	}
	/* Each layer's own kernel time as a slice inside the launch's run
	 * on the CU's track (the trace's per-layer view). */
	if (cur >= 0)
		lf__run_profile_event(c->prof, &pe);
	attribute(r0, e->start_ns, dur > kern ? dur - kern : 0);
}

/* Give the segment's device events to its layers and the trace. */
static void device_events(struct runctx *c, int si, size_t first_rec,
			  const struct lf__mmodel *mm)
{
	const struct lf__mseg *s = &c->p->seg[si];
	const struct lf__graph *g = c->m->g;
	struct lf__mtl_event ev[64];
	uint32_t n, read;
	int run = 0;
	c->prof->have_device = 1;
	do {
		read = lf__mdev_timeline(c->md, c->tl_lane, &c->cursor, ev, 64,
					 &n);
		for (uint32_t k = 0; k < n; k++) {
			const struct lf__mtl_event *e = &ev[k];
			struct lf__pevent pe;
			memset(&pe, 0, sizeof(pe));
			pe.start_ns = e->start_ns;
			pe.dur_ns = e->end_ns - e->start_ns;
			pe.bytes = e->bytes;
			if (e->kind != LF__MTL_RUN) {
				int up = e->kind == LF__MTL_H2D;
				int node = s->nodes[up ? 0 : s->nnodes - 1];
				struct lf_layer_profile *r =
				    rec_of(c, first_rec, node);
				attribute(r, e->start_ns, pe.dur_ns);
				c->prof->dma_ns[r - c->prof->rec] += pe.dur_ns;
				pe.track = up ? 1 : 2;
				snprintf(pe.name, sizeof(pe.name),
					 "%s segment %d (%llu B)",
					 up ? "upload" : "download", si,
					 (unsigned long long)e->bytes);
				snprintf(pe.op, sizeof(pe.op), "dma");
				lf__run_profile_event(c->prof, &pe);
				continue;
			}
			add_track(c->prof, c->md, e->cu);
			pe.track = 10 + (int)e->cu;
			if (run >= s->nlaunch) {
				snprintf(pe.name, sizeof(pe.name), "run");
				lf__run_profile_event(c->prof, &pe);
				continue;
			}
			const struct lf__mlaunch *l = &s->launch[run++];
			launch_time(c, first_rec, s, l, e, mm);
			size_t len = 0;
			for (int j = 0; j < l->count; j++) {
				int node = s->nodes[l->first + j];
				int w = snprintf(
				    pe.name + len, sizeof(pe.name) - len,
				    "%s%s", j ? "+" : "", g->nodes[node].name);
				if (w > 0 && len + (size_t)w < sizeof(pe.name))
					len += (size_t)w;
			}
			snprintf(pe.op, sizeof(pe.op), "%s",
				 lf_kernel_name(lf__mk_kernel(l->kernel)));
			lf__run_profile_event(c->prof, &pe);
		}
	} while (read == 64);
}

/* ---- steps ----------------------------------------------------------------
 */

static lf_status run_cpu_node(struct runctx *c, int node)
{
	uint64_t t0 = lf__now_ns();
	lf_status st =
	    lf__graph_run_cpu(c->m->g, &c->m->g->nodes[node], c->s->ptr,
			      c->p->shape, c->err, sizeof(c->err));
	if (st != LF_OK)
		return lf__err(c->m->ctx->id, st, "lf_model_run: %s", c->err);
	if (c->prof) {
		uint64_t t1 = lf__now_ns();
		struct lf_layer_profile *r =
		    record(c, node, "cpu", t1 - t0, ~0u);
		if (r)
			snprintf(r->cpu_why, sizeof(r->cpu_why), "%s",
				 c->p->node[node].why);
		host_span(c, c->m->g->nodes[node].name,
			  c->m->g->nodes[node].label, t0, t1);
	}
	return LF_OK;
}

/* A segment on the CPU: its device-only values get temporary buffers. */
static lf_status segment_on_cpu(struct runctx *c, const struct lf__mseg *s)
{
	const struct lf__graph *g = c->m->g;
	const struct lf__mplan *p = c->p;
	lf_status st = LF_OK;
	for (int j = 0; j < s->nnodes && st == LF_OK; j++) {
		int r = p->root[g->nodes[s->nodes[j]].out[0]];
		if (c->s->ptr[r])
			continue;
		c->s->tmp[r] = malloc(lf__gshape_bytes(&p->shape[r]));
		if (!c->s->tmp[r])
			st = LF_ERR_NO_MEMORY;
		for (size_t v = 0; v < g->nvals; v++)
			if (p->root[v] == r)
				c->s->ptr[v] = c->s->tmp[r];
	}
	for (int j = 0; j < s->nnodes && st == LF_OK; j++)
		st = lf__graph_run_cpu(g, &g->nodes[s->nodes[j]], c->s->ptr,
				       p->shape, c->err, sizeof(c->err));
	for (size_t v = 0; v < g->nvals; v++) {
		int r = p->root[v];
		if (c->s->tmp[r])
			c->s->ptr[v] = NULL;
	}
	for (size_t v = 0; v < g->nvals; v++) {
		free(c->s->tmp[v]);
		c->s->tmp[v] = NULL;
	}
	if (st == LF_ERR_NO_MEMORY)
		snprintf(c->err, sizeof(c->err), "out of memory");
	return st;
}

/*
 * Before segment @s runs on the CPU after all: its bound inputs (device
 * copies it would have copied on the card) fetched to their host copies.
 */
static lf_status bound_inputs_on_host(struct runctx *c,
				      const struct lf__mseg *s)
{
	lf_context *ctx = c->m->ctx;
	for (int k = 0; c->bind && c->bind->in && k < s->nup; k++) {
		lf_tensor *t = c->bind->in[s->up[k]];
		lf_status st = LF_OK;
		if (!t)
			continue;
		pthread_mutex_lock(&t->lock);
		if (!t->host_valid)
			st = lf__exec_tensor_download(ctx->dev, ctx->id, t);
		pthread_mutex_unlock(&t->lock);
		if (st != LF_OK)
			return lf__err(ctx->id, st,
				       "lf_model_run: device segment %d on the "
				       "CPU: its input is on the card only "
				       "and cannot be fetched: %s",
				       (int)(s - c->p->seg),
				       lf__err_ctx_msg(ctx->id));
	}
	return LF_OK;
}

/* Nothing counted yet for segment @s's descriptors, no loops. */
static void model_reset(struct lf__mmodel *mm, const struct lf__mseg *s)
{
	mm->nloops = 0;
	for (int i = 0; i < s->nlaunch; i++)
		for (uint32_t k = 0; k < s->launch[i].ndesc; k++)
			mm->desc_mhz[s->launch[i].desc0 + k] = 0;
}

/* What went wrong with a segment on the device in this run. */
struct segfail {
	unsigned failures;
	lf_status st; /* the last failure */
	char why[LF__ERR_MAX];
};

/*
 * Run segment @si: on the device, a retryable failure tried once more;
 * if the device still fails, the segment runs on the CPU from its inputs.
 * The plan keeps every host buffer the segment reads or writes live over
 * its whole span (model_plan.h), and the device path writes host memory
 * only in its last step, the download of the segment's outputs, so the
 * inputs on the host are the ones the device started from: the CPU run
 * gives the bytes the device would have.
 */
static lf_status run_segment(struct runctx *c, int si)
{
	const struct lf__mseg *s = &c->p->seg[si];
	lf_context *ctx = c->m->ctx;
	struct lf__mseg_stats stats;
	struct lf__mmodel mm;
	struct segfail f = {0, LF_OK, ""};
	memset(&stats, 0, sizeof(stats));
	if (c->prof && c->md && lf__run_profile_desc(c->prof, c->p->ndesc)) {
		mm.desc_cycles = c->prof->dcyc;
		mm.desc_mhz = c->prof->dmhz;
		stats.model = &mm;
	}
	uint64_t t0 = lf__now_ns();
	lf_status st = LF_ERR_DEVICE_LOST;
	snprintf(c->err, sizeof(c->err), "the device was lost");
	if (c->md && !lf__mdev_lost(c->md))
		for (int attempt = 0; attempt < 2; attempt++) {
			if (stats.model)
				model_reset(&mm, s);
			st = lf__mdev_run_segment_bound(
			    c->md, c->slot, c->lane, c->m->g, c->p, si,
			    c->s->ptr, c->bind, &stats, c->err, sizeof(c->err));
			if (st == LF_OK)
				break;
			f.failures++;
			f.st = st;
			snprintf(f.why, sizeof(f.why), "%s", c->err);
			if (!lf__exec_retryable(st))
				break;
		}
	else
		f = (struct segfail){1, st, "the device was lost"};
	const char *where = "device";
	if (st != LF_OK) {
		int fallback =
		    c->m->fallback >= 0 ? c->m->fallback : ctx->fallback;
		if (!fallback || st == LF_ERR_NO_MEMORY)
			return lf__err(ctx->id, st, "lf_model_run: %s%s",
				       c->err,
				       fallback ? ""
						: " (fallback off: "
						  "LAYERFAB_FALLBACK=off or "
						  "the fallback option)");
		where = "cpu";
		st = bound_inputs_on_host(c, s);
		if (st != LF_OK)
			return st;
		st = segment_on_cpu(c, s);
		if (st != LF_OK)
			return lf__err(ctx->id, st,
				       "lf_model_run: device segment %d on the "
				       "CPU after '%s': %s",
				       si, f.why, c->err);
	}
	if (!c->prof)
		return LF_OK;
	uint64_t t1 = lf__now_ns();
	size_t first = c->prof->n;
	for (int j = 0; j < s->nnodes; j++) {
		int node = s->nodes[j];
		/* The segment's wall time, undivided, on its first layer: the
		 * host cannot see how long each layer took on the device. */
		uint64_t host = j == 0 ? t1 - t0 : 0;
		struct lf_layer_profile *r =
		    record(c, node, where, host, (unsigned)si);
		if (!r)
			return LF_OK; /* the run is fine, its profile short */
		r->seg_failures = f.failures;
		r->fallback = where[0] == 'c';
		r->fail_status = f.st;
		/* Truncated to the field, always terminated (not snprintf:
		 * gcc -O1, as `make check` builds, rejects the truncation
		 * with -Wformat-truncation). */
		size_t wl = strnlen(f.why, sizeof(r->fail_reason) - 1);
		memcpy(r->fail_reason, f.why, wl);
		r->fail_reason[wl] = '\0';
		snprintf(r->layout, sizeof(r->layout), "%s",
			 !s->blk		   ? "nchw"
			 : c->p->node[node].folded ? "folded"
						   : "blocked");
	}
	struct lf_layer_profile *r0 = &c->prof->rec[first];
	struct lf_layer_profile *rl = &c->prof->rec[c->prof->n - 1];
	r0->h2d_bytes = stats.h2d_bytes;
	r0->dma_transfers += stats.h2d_transfers;
	r0->d2d_bytes = stats.d2d_bytes;
	rl->d2h_bytes = stats.d2h_bytes;
	rl->dma_transfers += stats.d2h_transfers;
	for (int l = 0; l < s->nlaunch && where[0] == 'd'; l++)
		rec_of(c, first, s->nodes[s->launch[l].first])->launches++;
	char name[96];
	snprintf(name, sizeof(name), "segment %d (%d layer%s)", si, s->nnodes,
		 s->nnodes == 1 ? "" : "s");
	host_span(c, name, where, t0, t1);
	if (where[0] == 'd') {
		device_events(c, si, first, stats.model);
		if (stats.model)
			lf__run_profile_loops(c->prof, mm.loops, mm.nloops);
	}
	return LF_OK;
}

/* ---- outputs --------------------------------------------------------------
 */

static lf_status check_outputs(lf_model *m, const struct lf__mplan *p,
			       lf_tensor **out, size_t n)
{
	const struct lf__graph *g = m->g;
	uint64_t id = m->ctx->id;
	if (n != g->noutputs)
		return lf__err(id, LF_ERR_INVALID_ARG,
			       "lf_model_run: %zu output slots given, the "
			       "model has %zu outputs",
			       n, g->noutputs);
	if (n && !out)
		return lf__err(id, LF_ERR_INVALID_ARG,
			       "lf_model_run: outputs is NULL");
	for (size_t i = 0; i < n; i++) {
		const lf_tensor *t = out[i];
		const struct lf__gshape *s = &p->shape[g->outputs[i]];
		lf_dtype dt;
		lf__onnx_dtype_to_lf(s->dtype, &dt);
		if (!t)
			continue;
		int same =
		    t->ctx == m->ctx && t->dtype == dt && t->ndim == s->rank;
		for (int d = 0; same && d < s->rank; d++)
			same = t->dims[d] == s->d[d];
		if (!same)
			return lf__err(id, LF_ERR_SHAPE,
				       "lf_model_run: output '%s' must be a %s "
				       "tensor of rank %d of this context with "
				       "the model's shape",
				       m->out_info[i].name, lf__dtype_name(dt),
				       s->rank);
	}
	return LF_OK;
}

static lf_status deliver(lf_model *m, const struct lf__mplan *p,
			 struct lf__rslot *s, const struct lf__mbind *b,
			 lf_tensor **out, size_t n)
{
	const struct lf__graph *g = m->g;
	lf_tensor **made = calloc(n ? n : 1, sizeof(*made));
	if (!made)
		return lf__err(m->ctx->id, LF_ERR_NO_MEMORY,
			       "lf_model_run: no memory");
	lf_status st = LF_OK;
	for (size_t i = 0; i < n && st == LF_OK; i++) {
		const struct lf__gshape *sh = &p->shape[g->outputs[i]];
		lf_tensor *t = out[i];
		if (!t) {
			lf_dtype dt;
			lf__onnx_dtype_to_lf(sh->dtype, &dt);
			st = lf_tensor_create(m->ctx, dt, sh->rank, sh->d, NULL,
					      &made[i]);
			t = made[i];
			if (st != LF_OK)
				break;
		}
		int r = p->root[g->outputs[i]];
		int on_card = b && b->out && b->out[r] == t && b->done[r];
		pthread_mutex_lock(&t->lock);
		if (on_card) {
			/* Its device copy holds the output (IO binding). */
			t->host_valid = 0;
			t->dev_valid = 1;
		} else {
			memcpy(t->data, s->ptr[g->outputs[i]], t->bytes);
			t->host_valid = 1;
			t->dev_valid = 0;
		}
		atomic_fetch_add(&t->version, 1);
		pthread_mutex_unlock(&t->lock);
	}
	for (size_t i = 0; i < n; i++) {
		if (st != LF_OK)
			lf_tensor_destroy(made[i]);
		else if (made[i])
			out[i] = made[i];
	}
	free(made);
	return st;
}

/* Inputs held only on the device are fetched first, except those bound
 * on the card (@b: NULL or the run's bindings). */
static lf_status inputs_on_host(lf_model *m, lf_tensor *const *in, size_t n,
				const struct lf__mbind *b)
{
	for (size_t i = 0; i < n; i++) {
		lf_tensor *t = in[i];
		lf_status st = LF_OK;
		if (b && b->in && b->in[m->g->inputs[i]] == t)
			continue;
		pthread_mutex_lock(&t->lock);
		if (!t->host_valid && m->ctx->dev)
			st = lf__exec_tensor_download(m->ctx->dev, m->ctx->id,
						      t);
		pthread_mutex_unlock(&t->lock);
		if (st != LF_OK)
			return st;
	}
	return LF_OK;
}

/* ---- IO binding: tensors that stay on the card ---------------------------
 *
 * A model input whose tensor has a valid device copy (lf_tensor_to_device(),
 * or an output an earlier run left on the card) is copied into the arena on
 * the card instead of being uploaded from the host, when every node that
 * reads it (through views) is in a device segment that takes it whole in
 * NCHW; a model output whose tensor was put on the device (keep_on_device)
 * is copied from the arena into the tensor's device buffer instead of
 * being downloaded, when a device segment produces it whole in NCHW and
 * nothing else reads it. Otherwise the value goes through the host as
 * before (same bytes either way). Single-device runs only: a batch split
 * across devices or run in chunks reads and writes host copies.
 */

/* Does segment @s take root @r whole, in NCHW, from outside? */
static int takes_whole(const struct lf__mseg *s, int r)
{
	if (s->host_assisted)
		return 0;
	for (int k = 0; k < s->nup; k++)
		if (s->up[k] == r)
			return !(s->blk && ((s->up_blk && s->up_blk[k]) ||
					    (s->up_fold && s->up_fold[k])));
	return 0;
}

/* Is root @r read (other than by views) only by device segments that
 * take it whole (@need_dev), or by nothing at all (!@need_dev)? */
static int readers_ok(const struct lf__graph *g, const struct lf__mplan *p,
		      int r, int need_dev)
{
	for (size_t n = 0; n < g->nnodes; n++) {
		const struct lf__gnode *nd = &g->nodes[n];
		if (nd->op == LF__GOP_VIEW)
			continue;
		for (size_t j = 0; j < nd->n_in; j++) {
			int x = nd->in[j], si = p->node[n].seg;
			if (x < 0 || p->root[x] != r)
				continue;
			if (!need_dev || si < 0 || !takes_whole(&p->seg[si], r))
				return 0;
		}
	}
	return 1;
}

/* Does a device segment produce root @r whole, in NCHW, for the host? */
static int gives_whole(const struct lf__graph *g, const struct lf__mplan *p,
		       int r)
{
	int n = g->vals[r].producer;
	int si = n >= 0 ? p->node[n].seg : -1;
	if (si < 0 || p->seg[si].host_assisted)
		return 0;
	const struct lf__mseg *s = &p->seg[si];
	for (int k = 0; k < s->ndown; k++)
		if (s->down[k] == r)
			return !(s->blk && p->blk && p->blk[r]);
	return 0;
}

static void bind_free(struct lf__mbind *b)
{
	free(b->in);
	free(b->out);
	free(b->done);
	memset(b, 0, sizeof(*b));
}

/* The run's bindings (all NULL when nothing is bound). */
static lf_status bind_prepare(lf_model *m, const struct lf__mplan *p,
			      lf_tensor *const *in, size_t nin, lf_tensor **out,
			      size_t nout, struct lf__mbind *b)
{
	const struct lf__graph *g = m->g;
	lf_context *ctx = m->ctx;
	memset(b, 0, sizeof(*b));
	if (!m->md || lf__mdev_lost(m->md) || !ctx->dev)
		return LF_OK;
	for (size_t i = 0; i < nin + nout; i++) {
		int is_out = i >= nin;
		lf_tensor *t = is_out ? out[i - nin] : in[i];
		int r = p->root[is_out ? g->outputs[i - nin] : g->inputs[i]];
		if (!t || t->bytes != lf__gshape_bytes(&p->shape[r]))
			continue;
		pthread_mutex_lock(&t->lock);
		int want = is_out ? t->keep_on_device : t->dev_valid;
		pthread_mutex_unlock(&t->lock);
		if (!want ||
		    !(is_out ? gives_whole(g, p, r) && readers_ok(g, p, r, 0)
			     : readers_ok(g, p, r, 1)))
			continue;
		for (size_t j = 0; is_out && j < nout; j++)
			if ((size_t)i - nin != j && p->root[g->outputs[j]] == r)
				want = 0; /* another output is this value */
		if (!want || (is_out && b->out && b->out[r]))
			continue;
		if (!b->in) {
			b->in = calloc(g->nvals, sizeof(*b->in));
			b->out = calloc(g->nvals, sizeof(*b->out));
			b->done = calloc(g->nvals, 1);
			if (!b->in || !b->out || !b->done) {
				bind_free(b);
				return lf__err(ctx->id, LF_ERR_NO_MEMORY,
					       "lf_model_run: no memory");
			}
		}
		lf_status st = LF_OK;
		if (is_out) {
			pthread_mutex_lock(&t->lock);
			st = lf__exec_tensor_devbuf(ctx->dev, ctx->id, t);
			pthread_mutex_unlock(&t->lock);
		}
		if (st != LF_OK) {
			bind_free(b);
			return st;
		}
		(is_out ? b->out : b->in)[r] = t;
	}
	return LF_OK;
}

static lf_status run_steps(struct runctx *c)
{
	for (int k = 0; k < c->p->nsteps; k++) {
		const struct lf__mstep *s = &c->p->step[k];
		lf_status st = s->seg >= 0 ? run_segment(c, s->seg)
					   : run_cpu_node(c, s->node);
		if (st != LF_OK)
			return st;
	}
	return LF_OK;
}

/* ---- batches split across the context's devices and CUs ------------------
 */

/*
 * CU lanes per device a batch of plan @p is split across: lfk_engine's
 * CUs (lf__mdev_lanes()) for a plan with a blocked segment, else 1. NCHW
 * plans (few-channel models such as Fashion-MNIST) keep a batch on one
 * CU per device as before: what they would save is small next to the
 * launch and transfers a part adds.
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
static size_t batch_of(const lf_model *m, lf_tensor *const *in, size_t n)
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
static size_t split_batch(lf_model *m, lf_tensor *const *in, size_t n,
			  const struct lf__mplan *p)
{
	const struct lf__graph *g = m->g;
	if (split_ways(m, p) < 2 || n == 0)
		return 0;
	int64_t b = (int64_t)batch_of(m, in, n);
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
	c.slot =
	    pt->lane >= 0 ? get_slot_pref(m, (unsigned)pt->lane) : get_slot(m);
	c.s = &m->slots[c.slot];
	c.lane = pt->lane >= 0 ? (unsigned)pt->lane : c.slot;
	c.tl_lane = pt->lane;
	lf_status st = prepare_slot(m, c.s, c.p, pt->inptr);
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
		st = run_steps(&c);
	if (st == LF_OK)
		for (size_t i = 0; i < g->noutputs; i++)
			memcpy(pt->dst[i], c.s->ptr[g->outputs[i]],
			       lf__gshape_bytes(&c.p->shape[g->outputs[i]]));
	put_slot(m, c.slot);
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

static lf_status run_split(lf_model *m, struct lf__plan_entry *full,
			   lf_tensor *const *in,
			   const struct lf__gshape *shapes, lf_tensor **out,
			   size_t nout, lf_run_profile *prof, size_t b)
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
	for (size_t i = 0; i < nout && st == LF_OK; i++) {
		dst[i] = out[i];
		if (dst[i])
			continue;
		const struct lf__gshape *s = &full->p->shape[g->outputs[i]];
		lf_dtype dt;
		lf__onnx_dtype_to_lf(s->dtype, &dt);
		st =
		    lf_tensor_create(m->ctx, dt, s->rank, s->d, NULL, &made[i]);
		dst[i] = made[i];
	}
	/* Contiguous slices, the first b % n one row longer; every plan
	 * is made (or found) here, before anything runs. */
	size_t row0 = 0;
	for (unsigned k = 0; k < n && st == LF_OK; k++) {
		size_t rows = b / n + (k < b % n);
		memcpy(sh, shapes, nin * sizeof(*sh));
		for (size_t i = 0; i < nin; i++)
			sh[i].d[0] = (int64_t)rows;
		pt[k].m = m;
		pt[k].dev = m->md ? k % m->nmd : k;
		pt[k].lane = lanes > 1 ? (int)(k / m->nmd) : -1;
		pt[k].inptr = ptrs + k * (nin + nout);
		pt[k].dst = (uint8_t **)(pt[k].inptr + nin);
		for (size_t i = 0; i < nin; i++)
			pt[k].inptr[i] =
			    (uint8_t *)in[i]->data + row0 * (in[i]->bytes / b);
		for (size_t i = 0; i < nout; i++)
			pt[k].dst[i] = (uint8_t *)dst[i]->data +
				       row0 * (dst[i]->bytes / b);
		st = get_plan(m, sh, &pt[k].pe);
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
			st = lf__err(id, LF_ERR_NO_MEMORY,
				     "lf_model_run: no memory");
		row0 += rows;
	}
	if (st == LF_ERR_UNSUPPORTED) {
		/* Outputs do not follow the batch: run whole on device 1. */
		st = LF_OK;
		n = 1;
		for (unsigned k = 0; k < nparts; k++)
			if (pt[k].pe) {
				put_plan(m, pt[k].pe);
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
	if (st != LF_OK)
		goto done;
	pt[0].prof = prof;
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
	for (unsigned k = 0; k < n && st == LF_OK; k++)
		if (pt[k].st != LF_OK)
			st = lf__err(id, pt[k].st,
				     "%s (%s %u of %u, rows "
				     "of the batch split across %ss)",
				     pt[k].msg, what, k + 1, n, what);
	for (unsigned k = 1; k < n && prof && st == LF_OK; k++)
		merge_profile(prof, pt[k].prof,
			      lanes > 1 ? PARTS_CUS : PARTS_DEVICES, (int)k);
	for (size_t i = 0; i < nout && st == LF_OK; i++) {
		lf_tensor *t = dst[i];
		pthread_mutex_lock(&t->lock);
		t->host_valid = 1;
		t->dev_valid = 0;
		atomic_fetch_add(&t->version, 1);
		pthread_mutex_unlock(&t->lock);
	}
done:
	for (unsigned k = 0; pt && k < nparts; k++) {
		if (pt[k].pe)
			put_plan(m, pt[k].pe);
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

/* ---- batches larger than the card's memory --------------------------------
 */

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
static size_t chunk_rows(lf_model *m, lf_tensor *const *in, size_t n,
			 const struct lf__gshape *shapes,
			 const struct lf__mplan *p)
{
	if (!m->md || lf__mdev_lost(m->md) || !p->nsegs || n == 0)
		return 0;
	uint64_t room = lf__mdev_arena_room(m->md);
	size_t b = batch_of(m, in, n);
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
		if (get_plan(m, sh, &pe) != LF_OK)
			break;
		uint64_t a = pe->p->arena_bytes;
		int ok = rows_follow(m, p, b, pe->p, c) && pe->p->nsegs;
		put_plan(m, pe);
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

/* Run the @b rows in chunks of @c (chunk_rows()), one after another on
 * the first device, each writing its rows of the outputs. */
static lf_status run_chunks(lf_model *m, const struct lf__mplan *full,
			    lf_tensor *const *in,
			    const struct lf__gshape *shapes, lf_tensor **out,
			    size_t nout, lf_run_profile *prof, size_t b,
			    size_t c)
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
	for (size_t i = 0; i < nout && st == LF_OK; i++) {
		dst[i] = out[i];
		if (dst[i])
			continue;
		const struct lf__gshape *s = &full->shape[g->outputs[i]];
		lf_dtype dt;
		lf__onnx_dtype_to_lf(s->dtype, &dt);
		st =
		    lf_tensor_create(m->ctx, dt, s->rank, s->d, NULL, &made[i]);
		dst[i] = made[i];
	}
	for (size_t row0 = 0; row0 < b && st == LF_OK; row0 += c) {
		size_t rows = b - row0 < c ? b - row0 : c;
		memcpy(sh, shapes, nin * sizeof(*sh));
		for (size_t i = 0; i < nin; i++)
			sh[i].d[0] = (int64_t)rows;
		struct part pt;
		memset(&pt, 0, sizeof(pt));
		pt.m = m;
		pt.lane = -1;
		pt.inptr = ptrs;
		pt.dst = (uint8_t **)(ptrs + nin);
		pt.prof = row0 ? part_prof : prof;
		for (size_t i = 0; i < nin; i++)
			pt.inptr[i] =
			    (uint8_t *)in[i]->data + row0 * (in[i]->bytes / b);
		for (size_t i = 0; i < nout; i++)
			pt.dst[i] = (uint8_t *)dst[i]->data +
				    row0 * (dst[i]->bytes / b);
		if ((st = get_plan(m, sh, &pt.pe)) != LF_OK)
			break;
		if (!rows_follow(m, full, b, pt.pe->p, rows))
			st = lf__err(id, LF_ERR_INTERNAL,
				     "lf_model_run: a chunk's outputs do not "
				     "follow the batch");
		else
			run_part(&pt);
		put_plan(m, pt.pe);
		if (st == LF_OK && pt.st != LF_OK)
			st = lf__err(id, pt.st,
				     "%s (rows %zu to %zu of a batch of %zu, "
				     "run in chunks of %zu rows: the whole "
				     "batch does not fit the card's memory)",
				     pt.msg, row0, row0 + rows - 1, b, c);
		if (st == LF_OK && row0)
			merge_profile(prof, part_prof, PARTS_SEQ, 0);
	}
	for (size_t i = 0; i < nout && st == LF_OK; i++) {
		lf_tensor *t = dst[i];
		pthread_mutex_lock(&t->lock);
		t->host_valid = 1;
		t->dev_valid = 0;
		atomic_fetch_add(&t->version, 1);
		pthread_mutex_unlock(&t->lock);
	}
done:
	adopt_outputs(st, made, nout, out);
	lf_run_profile_destroy(part_prof);
	free(made);
	free(dst);
	free(sh);
	free(ptrs);
	return st;
}

lf_status lf_model_run(lf_model *m, lf_tensor *const *inputs, size_t ninputs,
		       lf_tensor **outputs, size_t noutputs,
		       lf_run_profile *prof)
{
	if (!m)
		return lf__err(0, LF_ERR_INVALID_ARG,
			       "lf_model_run: m is NULL");
	uint64_t id = m->ctx->id;
	if (ninputs && !inputs)
		return lf__err(id, LF_ERR_INVALID_ARG,
			       "lf_model_run: inputs is NULL");
	struct lf__gshape in[LF_MAX_DIMS * 4];
	struct lf__gshape *shapes = in;
	if (m->g->ninputs > sizeof(in) / sizeof(in[0])) {
		shapes = calloc(m->g->ninputs, sizeof(*shapes));
		if (!shapes)
			return lf__err(id, LF_ERR_NO_MEMORY,
				       "lf_model_run: no memory");
	}
	atomic_fetch_add(&m->active, 1);
	struct lf__plan_entry *pe = NULL;
	struct lf__mbind bind = {0};
	lf_status st = check_inputs(m, inputs, ninputs, shapes);
	if (st == LF_OK)
		st = get_plan(m, shapes, &pe);
	if (st == LF_OK)
		st = check_outputs(m, pe->p, outputs, noutputs);
	if (st != LF_OK)
		goto out;
	size_t chunk = chunk_rows(m, inputs, ninputs, shapes, pe->p);
	if (chunk) {
		st = inputs_on_host(m, inputs, ninputs, NULL);
		if (st == LF_OK)
			st = run_chunks(m, pe->p, inputs, shapes, outputs,
					noutputs, prof,
					batch_of(m, inputs, ninputs), chunk);
		goto out;
	}
	size_t bsplit = split_batch(m, inputs, ninputs, pe->p);
	if (bsplit) {
		st = inputs_on_host(m, inputs, ninputs, NULL);
		if (st == LF_OK)
			st = run_split(m, pe, inputs, shapes, outputs, noutputs,
				       prof, bsplit);
		goto out;
	}
	st = bind_prepare(m, pe->p, inputs, ninputs, outputs, noutputs, &bind);
	if (st == LF_OK)
		st = inputs_on_host(m, inputs, ninputs, &bind);
	if (st != LF_OK)
		goto out;
	void *inptr_buf[16];
	void **inptr = inptr_buf;
	if (ninputs > 16 && !(inptr = calloc(ninputs, sizeof(*inptr)))) {
		st = lf__err(id, LF_ERR_NO_MEMORY, "lf_model_run: no memory");
		goto out;
	}
	for (size_t i = 0; i < ninputs; i++)
		inptr[i] = inputs[i]->data;
	struct runctx c = {
	    .m = m, .p = pe->p, .md = m->md, .prof = prof, .bind = &bind};
	c.slot = get_slot(m);
	c.s = &m->slots[c.slot];
	c.lane = c.slot;
	c.tl_lane = -1;
	st = prepare_slot(m, c.s, pe->p, inptr);
	if (inptr != inptr_buf)
		free(inptr);
	if (st != LF_OK) {
		lf__err(id, st, "lf_model_run: no memory for host buffers");
		goto out_slot;
	}
	if (prof) {
		lf__run_profile_clear(prof);
		c.t0 = lf__now_ns();
		c.cursor = UINT64_MAX;
		if (m->md)
			lf__mdev_timeline(m->md, -1, &c.cursor, NULL, 0, NULL);
	}
	st = run_steps(&c);
	if (st == LF_OK)
		st = deliver(m, pe->p, c.s, &bind, outputs, noutputs);
out_slot:
	put_slot(m, c.slot);
out:
	bind_free(&bind);
	if (pe)
		put_plan(m, pe);
	if (shapes != in)
		free(shapes);
	atomic_fetch_sub(&m->active, 1);
	return st;
}

/* ---- asynchronous runs (lf_model_run_async) --------------------------------
 */

struct arun {
	lf_model *m;
	lf_tensor **in; /* copied: the caller's array may go */
	size_t nin;
	lf_tensor **out; /* the caller's: NULL slots are filled */
	size_t nout;
	lf_run_profile *prof;
};

static lf_status arun_run(void *arg)
{
	struct arun *a = arg;
	return lf_model_run(a->m, a->in, a->nin, a->out, a->nout, a->prof);
}

/* On the worker, before the event completes: the model may be destroyed
 * from then on. */
static void arun_done(void *arg)
{
	struct arun *a = arg;
	atomic_fetch_sub(&a->m->active, 1);
	free(a->in);
	free(a);
}

lf_status lf_model_run_async(lf_model *m, lf_tensor *const *inputs,
			     size_t ninputs, lf_tensor **outputs,
			     size_t noutputs, lf_run_profile *prof,
			     lf_event **ev)
{
	if (!m)
		return lf__err(0, LF_ERR_INVALID_ARG,
			       "lf_model_run_async: m is NULL");
	uint64_t id = m->ctx->id;
	if (!ev)
		return lf__err(id, LF_ERR_INVALID_ARG,
			       "lf_model_run_async: ev is NULL");
	if (ninputs && !inputs)
		return lf__err(id, LF_ERR_INVALID_ARG,
			       "lf_model_run_async: inputs is NULL");
	if (noutputs && !outputs)
		return lf__err(id, LF_ERR_INVALID_ARG,
			       "lf_model_run_async: outputs is NULL");
	/* What can be checked now is: inputs (count, context, dtype,
	 * shape); the rest (outputs against the plan, the run) on wait. */
	struct lf__gshape in[LF_MAX_DIMS * 4];
	struct lf__gshape *shapes = in;
	if (m->g->ninputs > sizeof(in) / sizeof(in[0]) &&
	    !(shapes = calloc(m->g->ninputs, sizeof(*shapes))))
		return lf__err(id, LF_ERR_NO_MEMORY,
			       "lf_model_run_async: no memory");
	lf_status st = check_inputs(m, inputs, ninputs, shapes);
	if (shapes != in)
		free(shapes);
	if (st != LF_OK)
		return st;
	struct arun *a = calloc(1, sizeof(*a));
	lf_tensor **busy = calloc(ninputs + noutputs + 1, sizeof(*busy));
	if (a)
		a->in = calloc(ninputs + 1, sizeof(*a->in));
	if (!a || !busy || !a->in) {
		if (a)
			free(a->in);
		free(a);
		free(busy);
		return lf__err(id, LF_ERR_NO_MEMORY,
			       "lf_model_run_async: no memory");
	}
	a->m = m;
	if (ninputs)
		memcpy(a->in, inputs, ninputs * sizeof(*a->in));
	a->nin = ninputs;
	a->out = outputs;
	a->nout = noutputs;
	a->prof = prof;
	if (ninputs)
		memcpy(busy, inputs, ninputs * sizeof(*busy));
	for (size_t i = 0; i < noutputs; i++)
		busy[ninputs + i] = outputs[i];
	struct lf__job job = {"lf_model_run", arun_run,		 arun_done, a,
			      busy,	      ninputs + noutputs};
	atomic_fetch_add(&m->active, 1);
	st = lf__job_submit(m->ctx, &job, ev);
	free(busy);
	if (st != LF_OK) {
		atomic_fetch_sub(&m->active, 1);
		free(a->in);
		free(a);
	}
	return st;
}
