/*
 * model_plan.c - a model's plan for one set of input shapes
 * (model_plan.h): build() runs the stages of model_plan_impl.h in order
 * (classify, partition, residency, blocked segments, placed concats,
 * device and host memory, descriptors, the check); lf__mplan_free() releases
 * the result.
 */
#include <stdlib.h>
#include <string.h>

#include "hostlib/plan/model_plan_impl.h"

/* The segments and steps, gone (a plan partitioned again, or freed). */
static void free_segments(struct lf__mplan *p)
{
	for (int s = 0; p->seg && s < p->nsegs; s++) {
		struct lf__mseg *sg = &p->seg[s];
		free(sg->nodes);
		free(sg->launch);
		free(sg->up);
		free(sg->down);
		free(sg->up_at);
		free(sg->down_at);
		free(sg->up_blk);
		free(sg->up_pad);
		free(sg->up_fold);
		free(sg->fold);
		lf__plan_free(&sg->hplan);
	}
	free(p->seg);
	free(p->step);
	p->seg = NULL;
	p->step = NULL;
	p->nsegs = p->nsteps = 0;
}

void lf__mplan_free(struct lf__mplan *p)
{
	if (!p)
		return;
	free_segments(p);
	free(p->desc);
	free(p->desc_node);
	free(p->node);
	free(p->in);
	free(p->shape);
	free(p->root);
	free(p->host_off);
	free(p->dev_off);
	free(p->blk);
	free(p->cat);
	free(p->cat_off);
	free(p);
}

/*
 * Segments, their up and down values, blocked or not; then the placed
 * concats that did not settle into a blocked segment with their inputs'
 * convs go to the CPU and it starts over (each round demotes one at
 * least, so it ends), and the rest are placed.
 */
static lf_status segments(struct bld *b)
{
	const struct lf__graph *g = b->g;
	struct lf__mplan *p = b->p;
	for (;;) {
		lf_status st;
		if ((st = lf__mplan_partition(b)) ||
		    (st = lf__mplan_residency(b)) ||
		    (st = lf__mplan_blk_segments(b)))
			return st;
		int demoted = lf__mplan_concat_settle(b);
		demoted += lf__mplan_lut_settle(b);
		if (!demoted)
			break;
		free_segments(p);
		p->nblk = p->nfold = 0;
		memset(p->blk, 0, g->nvals ? g->nvals : 1);
		memset(b->fold, 0, g->nnodes ? g->nnodes : 1);
		for (size_t i = 0; i < g->nnodes; i++)
			p->node[i].folded = 0;
	}
	lf__mplan_concat_place(b);
	lf__mplan_fuse_adds(b);
	return LF_OK;
}

static lf_status build(struct bld *b, const struct lf__gshape *in)
{
	const struct lf__graph *g = b->g;
	struct lf__mplan *p = b->p;
	size_t nv = g->nvals ? g->nvals : 1;
	size_t nn = g->nnodes ? g->nnodes : 1;
	p->ninputs = g->ninputs;
	p->in = calloc(g->ninputs ? g->ninputs : 1, sizeof(*p->in));
	p->shape = calloc(nv, sizeof(*p->shape));
	p->root = calloc(nv, sizeof(int));
	p->host_off = calloc(nv, sizeof(uint64_t));
	p->dev_off = calloc(nv, sizeof(uint64_t));
	p->node = calloc(nn, sizeof(*p->node));
	b->lp = calloc(nn, sizeof(*b->lp));
	b->chain = calloc(nn, sizeof(int));
	b->pd = calloc(nn, sizeof(*b->pd));
	b->ax = calloc(nn, sizeof(int));
	b->ax2 = calloc(nn, sizeof(int));
	b->seg_of = calloc(nn, sizeof(int));
	b->out_use = calloc(nv, sizeof(int));
	b->bk = calloc(nn, sizeof(int));
	b->fold = calloc(nn, 1);
	b->fuse = calloc(nn, sizeof(int));
	p->blk = calloc(nv, 1);
	p->cat = calloc(nv, sizeof(int));
	p->cat_off = calloc(nv, sizeof(uint64_t));
	if (!p->in || !p->shape || !p->root || !p->host_off || !p->dev_off ||
	    !p->node || !b->lp || !b->chain || !b->seg_of || !b->out_use ||
	    !b->pd || !b->ax || !b->ax2 || !b->bk || !b->fold || !b->fuse ||
	    !p->blk || !p->cat || !p->cat_off)
		return nomem(b);
	for (size_t i = 0; i < g->nnodes; i++)
		b->fuse[i] = -1;
	memcpy(p->in, in, g->ninputs * sizeof(*in));
	p->params_bytes = b->params->bytes;
	struct lf__diag *dg = b->dg;
	lf_status st = lf__graph_infer(g, in, p->shape, LF_ERR_SHAPE, dg);
	if (st != LF_OK)
		return dg->status = st;
	for (size_t v = 0; v < g->nvals; v++) {
		p->root[v] = lf__graph_root(g, (int)v);
		p->host_off[v] = UINT64_MAX;
		p->dev_off[v] = UINT64_MAX;
		p->cat[v] = -1;
	}
	for (size_t i = 0; i < g->noutputs; i++)
		b->out_use[p->root[g->outputs[i]]] = 1;
	if ((st = lf__mplan_classify(b)) || (st = segments(b)) ||
	    (st = lf__mplan_device_memory(b)) ||
	    (st = lf__mplan_host_memory(b)) ||
	    (st = lf__mplan_descriptors(b)) || (st = lf__mplan_check(b)))
		return st;
	return LF_OK;
}

lf_status lf__mplan_build(const struct lf__graph *g,
			  const struct lf__mparams *params,
			  const struct lf__mdevcaps *caps,
			  const struct lf__gshape *in, struct lf__mplan **out,
			  struct lf__diag *dg)
{
	struct bld b;
	memset(&b, 0, sizeof(b));
	b.g = g;
	b.params = params;
	b.caps = caps;
	b.dg = dg;
	b.p = calloc(1, sizeof(*b.p));
	if (!b.p)
		return nomem(&b);
	lf_status st = build(&b, in);
	for (size_t i = 0; b.lp && i < g->nnodes; i++)
		lf__plan_free(&b.lp[i]);
	free(b.lp);
	free(b.chain);
	free(b.pd);
	free(b.ax);
	free(b.ax2);
	free(b.seg_of);
	free(b.out_use);
	free(b.bk);
	free(b.fold);
	free(b.fuse);
	if (st != LF_OK) {
		lf__mplan_free(b.p);
		return st;
	}
	*out = b.p;
	return LF_OK;
}
