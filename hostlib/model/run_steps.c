/*
 * run_steps.c - a run's steps (run_impl.h): CPU nodes here, device
 * segments through hostlib/exec, and what happens when the device fails.
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

#include "hostlib/base/error.h"
#include "hostlib/base/tensor.h"
#include "hostlib/core/context.h"
#include "hostlib/core/event.h"
#include "hostlib/model/run_impl.h"

static lf_status run_cpu_node(struct runctx *c, int node)
{
	uint64_t t0 = lf__now_ns();
	lf_status st = lf__graph_run_cpu(c->m->g, &c->m->g->nodes[node],
					 c->s->ptr, c->p->shape, &c->dg);
	if (st != LF_OK)
		return lf__diag_raise(c->m->ctx->id, &c->dg, "lf_model_run");
	if (c->prof) {
		uint64_t t1 = lf__now_ns();
		struct lf_layer_profile *r =
		    lf__run_record(c, node, "cpu", t1 - t0, ~0u);
		if (r)
			snprintf(r->cpu_why, sizeof(r->cpu_why), "%s",
				 c->p->node[node].why);
		lf__run_host_span(c, c->m->g->nodes[node].name,
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
				       p->shape, &c->dg);
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
		lf__diag_fail(&c->dg, st, "out of memory");
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

/*
 * Run segment @si: on the device, a retryable failure tried once more;
 * if the device still fails, the segment runs on the CPU from its inputs.
 * The plan keeps every host buffer the segment reads or writes live over
 * its whole span (model_plan.h), and the device path writes host memory
 * only in its last step, the download of the segment's outputs, so the
 * inputs on the host are the ones the device started from: the CPU run
 * gives the bytes the device would have.
 */
/* Segment @si on the device: a retryable failure tried once more. */
static lf_status seg_on_device(struct runctx *c, int si,
			       struct lf__mseg_stats *stats,
			       struct lf__mmodel *mm, struct segfail *f)
{
	const struct lf__mseg *s = &c->p->seg[si];
	lf_status st = LF_ERR_DEVICE_LOST;
	lf__diag_fail(&c->dg, st, "the device was lost");
	if (!c->md || lf__mdev_lost(c->md)) {
		*f = (struct segfail){1, st, "the device was lost"};
		return st;
	}
	for (int attempt = 0; attempt < 2; attempt++) {
		if (stats->model)
			model_reset(mm, s);
		st = lf__mdev_run_segment_bound(
		    c->md, c->slot, c->lane, c->m->g, c->p, si, c->s->ptr,
		    c->bind, stats, c->dg.msg, sizeof(c->dg.msg));
		if (st == LF_OK)
			break;
		f->failures++;
		f->st = st;
		c->dg.status = st; /* exec/ writes its message into dg.msg */
		snprintf(f->why, sizeof(f->why), "%s", c->dg.msg);
		if (!lf__exec_retryable(st))
			break;
	}
	return st;
}

/* Segment @si on the CPU after the device failed with @st, unless the
 * fallback is off or the host is out of memory (the run's error). */
static lf_status seg_fallback(struct runctx *c, int si, lf_status st,
			      const struct segfail *f)
{
	const struct lf__mseg *s = &c->p->seg[si];
	lf_context *ctx = c->m->ctx;
	int fallback = c->m->fallback >= 0 ? c->m->fallback : ctx->fallback;
	if (!fallback || st == LF_ERR_NO_MEMORY)
		return lf__err(ctx->id, st, "lf_model_run: %s%s", c->dg.msg,
			       fallback ? ""
					: " (fallback off: "
					  "LAYERFAB_FALLBACK=off or "
					  "the fallback option)");
	st = bound_inputs_on_host(c, s);
	if (st != LF_OK)
		return st;
	st = segment_on_cpu(c, s);
	if (st != LF_OK)
		return lf__err(ctx->id, st,
			       "lf_model_run: device segment %d on the "
			       "CPU after '%s': %s",
			       si, f->why, c->dg.msg);
	return LF_OK;
}

static lf_status run_segment(struct runctx *c, int si)
{
	struct lf__mseg_stats stats;
	struct lf__mmodel mm;
	struct segfail f = {0, LF_OK, ""};
	memset(&stats, 0, sizeof(stats));
	/* A slice of a batch split across CUs stays on its lane's. */
	stats.no_split = c->tl_lane >= 0;
	if (c->prof && c->md && lf__run_profile_desc(c->prof, c->p->ndesc)) {
		mm.desc_cycles = c->prof->dcyc;
		mm.desc_mhz = c->prof->dmhz;
		stats.model = &mm;
	}
	uint64_t t0 = lf__now_ns();
	lf_status st = seg_on_device(c, si, &stats, &mm, &f);
	const char *where = "device";
	if (st != LF_OK) {
		where = "cpu";
		st = seg_fallback(c, si, st, &f);
		if (st != LF_OK)
			return st;
	}
	if (c->prof)
		lf__run_seg_profile(c, si, where, &f, &stats, t0, lf__now_ns());
	return LF_OK;
}

lf_status lf__run_steps(struct runctx *c)
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
