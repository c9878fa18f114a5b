/*
 * mplan_concat.c - QLinearConcat along channels as placement, a stage of
 * a model plan (model_plan_impl.h; hostlib/plan/README.md, "Placed
 * concats").
 *
 * In the blocked layout (hls/lf_desc.h) channel block cb of image i of a
 * tensor of cbt blocks starts at ((i * cbt + cb) * h * w) * 64: a concat
 * along channels whose inputs, all but the last, have whole blocks
 * (c % 64 == 0) puts input k's blocks right after input k - 1's in each
 * image. So when every input is made by a blocked conv of the concat's
 * own segment and read by nothing else, each conv writes its output
 * straight into its place in the concat's output (its descriptor's
 * y_off, and at batch > 1 the output's blocks per image, LF_DF_YCB) and
 * the concat does nothing: no descriptor, no cycles, no bytes moved.
 * The requantization a QLinearConcat applies to an input whose scale or
 * zero point differ from its output's was composed into that conv's
 * output table at import (hostlib/model/lower.c, fuse_concat()), so
 * every input is a copy by then; one that is not stays on the CPU path.
 *
 * Whether the inputs' convs end up in the concat's segment, and that
 * segment blocked, is known only after partitioning: build() asks
 * lf__mplan_concat_settle() and partitions again without the concats
 * that did not (model_plan.c). A segment that fails on the device is
 * re-run on the CPU from its inputs, the concat included, so the
 * fallback gives the same bytes.
 */
#include <stdio.h>

#include "hostlib/plan/model_plan_impl.h"

int lf__mplan_readers(const struct bld *b, int r)
{
	int n = 0;
	for (size_t i = 0; i < b->g->nnodes; i++) {
		const struct lf__gnode *nd = &b->g->nodes[i];
		if (nd->op == LF__GOP_VIEW)
			continue;
		for (size_t k = 0; k < nd->n_in; k++)
			n += nd->in[k] >= 0 && b->p->root[nd->in[k]] == r;
	}
	return n;
}

/* Input @k's value of concat @n. */
static int cat_in(const struct lf__gnode *n, size_t k)
{
	return n->in[2 + 3 * k];
}

int lf__mplan_concat_ok(const struct bld *b, size_t i, const char **why)
{
	const struct lf__graph *g = b->g;
	const struct lf__mplan *p = b->p;
	const struct lf__gnode *n = &g->nodes[i];
	const struct lf__mdevcaps *c = b->caps;
	const struct lf__gshape *ys = &p->shape[n->out[0]];
	*why = "no blocked conv to place its inputs";
	if (!c->engine || !(c->blk_ops & (1u << LF_KOP_CONV2D)))
		return 0;
	int64_t axis = n->axis < 0 ? n->axis + ys->rank : n->axis;
	*why = "not along the channels of 4-D tensors";
	if (ys->rank != 4 || axis != 1 || n->n_lut < 1)
		return 0;
	*why = "batch > 1 and no LF_DF_YCB (lfk_conv2d.blk_ycb)";
	if (ys->d[0] != 1 && c->blim.conv_ycb <= 0)
		return 0;
	/* the shapes first: the reason a concat can never be placed */
	*why = "an input but the last has c % 64 != 0";
	for (size_t k = 0; k + 1 < n->n_lut; k++)
		if (cat_in(n, k) < 0 ||
		    p->shape[cat_in(n, k)].d[1] % LF_BLK_LANES != 0)
			return 0;
	for (size_t k = 0; k < n->n_lut; k++) {
		int v = cat_in(n, k), px = v >= 0 ? g->vals[v].producer : -1;
		*why = "an input requantized (not by its conv's table)";
		if (n->lut[k])
			return 0;
		*why = "an input not made by a device conv";
		if (px < 0 || g->nodes[px].op != LF__GOP_CONV ||
		    b->chain[px] != 1 || p->root[v] != v ||
		    p->shape[v].rank != 4)
			return 0;
		*why = "an input also read elsewhere";
		if (b->out_use[v] || lf__mplan_readers(b, v) != 1)
			return 0;
	}
	return 1;
}

/* Concat @i's inputs are all made by blocked convs of its segment, and
 * that segment runs blocked. */
static int settled(const struct bld *b, size_t i)
{
	const struct lf__gnode *n = &b->g->nodes[i];
	int si = b->seg_of[i];
	if (si < 0 || !b->p->seg[si].blk)
		return 0;
	for (size_t k = 0; k < n->n_lut; k++) {
		int px = b->g->vals[cat_in(n, k)].producer;
		if (b->seg_of[px] != si || b->bk[px] != BK_BLK)
			return 0;
	}
	return 1;
}

int lf__mplan_concat_settle(struct bld *b)
{
	int demoted = 0;
	for (size_t i = 0; i < b->g->nnodes; i++) {
		const struct lf__gnode *n = &b->g->nodes[i];
		if (n->op != LF__GOP_QCONCAT || !b->chain[i] || settled(b, i))
			continue;
		b->chain[i] = 0;
		b->bk[i] = BK_NONE;
		snprintf(b->p->node[i].why, sizeof(b->p->node[i].why),
			 "%.14s: its inputs' convs not in its blocked segment",
			 n->label);
		demoted++;
	}
	return demoted;
}

void lf__mplan_concat_place(struct bld *b)
{
	struct lf__mplan *p = b->p;
	for (size_t i = 0; i < b->g->nnodes; i++) {
		const struct lf__gnode *n = &b->g->nodes[i];
		if (n->op != LF__GOP_QCONCAT || !b->chain[i])
			continue;
		const struct lf__gshape *ys = &p->shape[n->out[0]];
		uint64_t px = (uint64_t)ys->d[2] * (uint64_t)ys->d[3];
		uint64_t cb = 0;
		p->node[i].placed = 1;
		p->ncat++;
		for (size_t k = 0; k < n->n_lut; k++) {
			int v = cat_in(n, k);
			p->cat[v] = p->root[n->out[0]];
			p->cat_off[v] = cb * px * LF_BLK_LANES;
			cb += lf__blk_cb((uint64_t)p->shape[v].d[1]);
		}
	}
}

int lf__mplan_first_write(const struct bld *b, int r)
{
	int px = b->g->vals[r].producer;
	if (px >= 0 && b->p->node[px].fused) /* its conv writes it */
		return b->fuse[px];
	if (px < 0 || !b->p->node[px].placed)
		return px;
	const struct lf__gnode *n = &b->g->nodes[px];
	int first = px;
	for (size_t k = 0; k < n->n_lut; k++) {
		int q = b->g->vals[cat_in(n, k)].producer;
		if (q < first)
			first = q;
	}
	return first;
}

uint64_t lf__mplan_cat_cbt(const struct lf__mplan *p, int r)
{
	return p->cat[r] < 0 ? 0
			     : lf__blk_cb((uint64_t)p->shape[p->cat[r]].d[1]);
}
