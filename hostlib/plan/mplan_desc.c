/*
 * mplan_desc.c - the last stage of a model plan (model_plan_impl.h): the
 * descriptors of every launch, in order, each relocated to its values'
 * places in the segment's arena and its node's area of the params blob.
 */
#include <stdlib.h>
#include <string.h>

#include "hostlib/plan/blk.h"
#include "hostlib/plan/model_plan_impl.h"

/* Move a tile's descriptor to its place in the arena and params blob. */
static void relocate(lf_desc *d, const struct lf__plan *lp, uint64_t x,
		     uint64_t y, uint64_t pbase, int host_assisted)
{
	if (host_assisted) {
		d->x_off += (uint32_t)x;
		d->y_off += (uint32_t)x;
	} else {
		d->x_off = (uint32_t)(d->x_off - lp->x_off + x);
		d->y_off = (uint32_t)(d->y_off - lp->y_off + y);
	}
	d->w_off += (uint32_t)pbase;
	if (d->flags & LF_DF_BIAS)
		d->bias_off += (uint32_t)pbase;
	d->w_zp_off += (uint32_t)pbase;
	d->mult_off += (uint32_t)pbase;
	if (d->flags & LF_DF_LUT)
		d->lut_off += (uint32_t)pbase;
	d->status = LF_KST_PENDING;
}

static int blk_desc(const struct bld *b, int i)
{
	return b->seg_of[i] >= 0 && b->p->seg[b->seg_of[i]].blk &&
	       b->bk[i] == BK_BLK;
}

/* The LF_DF_BLK descriptor of conv node @i, offsets relocated. */
static lf_desc blk_conv(const struct bld *b, int i, uint64_t x, uint64_t y)
{
	const struct lf__pnode *pn = &b->params->node[i];
	struct lf__layer L, F;
	struct lf__blk_fold f;
	lf_desc d;
	lf__graph_layer(b->g, &b->g->nodes[i], b->p->shape, &L);
	if (L.op == LF_KOP_MATMUL && lf__blk_mm_layer(&L, &F)) {
		lf__blk_conv_desc(&F, &d);
		d.w_off = (uint32_t)pn->blk_w;
		d.w_zp_off = (uint32_t)pn->blk_rec;
	} else if (b->fold[i] && lf__blk_fold_layer(&L, &F, &f)) {
		lf__blk_fold_desc(&L, &d);
		d.w_off = (uint32_t)pn->fold_w;
		d.w_zp_off = (uint32_t)pn->fold_rec;
	} else {
		lf__blk_conv_desc(&L, &d);
		d.w_off = (uint32_t)pn->blk_w;
		d.w_zp_off = (uint32_t)pn->blk_rec;
	}
	if (L.lut) { /* in the NCHW area (tile.c), relocated here */
		d.flags |= LF_DF_LUT;
		d.lut_off = (uint32_t)(pn->base + pn->layout.lut_off);
	}
	/* Placed in a concat's output (mplan_concat.c): past image 0 its
	 * images are the concat's blocks apart. */
	int r = b->p->root[b->g->nodes[i].out[0]];
	if (b->p->cat[r] >= 0 && L.n > 1) {
		d.flags |= LF_DF_YCB;
		d.y_cb = (uint32_t)lf__mplan_cat_cbt(b->p, r);
	}
	d.x_off = (uint32_t)x;
	d.y_off = (uint32_t)y;
	return d;
}

/* The pooling/add descriptor of node @i in segment @s, offsets set. */
static lf_desc elem_desc(const struct bld *b, const struct lf__mseg *s, int i)
{
	const struct lf__mplan *p = b->p;
	lf_desc d = b->pd[i];
	d.x_off = (uint32_t)lf__mplan_arena_at(p, s, p->root[b->ax[i]]);
	if (b->ax2[i] >= 0)
		d.x2_off =
		    (uint32_t)lf__mplan_arena_at(p, s, p->root[b->ax2[i]]);
	d.y_off =
	    (uint32_t)lf__mplan_arena_at(p, s, p->root[b->g->nodes[i].out[0]]);
	if (blk_desc(b, i))
		d.flags |= LF_DF_BLK;
	d.status = LF_KST_PENDING;
	return d;
}

/* Node @i's descriptors appended to the plan's list; Return: how many. */
static uint32_t node_descs(struct bld *b, const struct lf__mseg *s, int i)
{
	const struct lf__gnode *n = &b->g->nodes[i];
	struct lf__mplan *p = b->p;
	/* placed: its convs did the work; fused: its conv did */
	if (n->op == LF__GOP_QCONCAT || p->node[i].fused)
		return 0;
	if (n->op == LF__GOP_ONNX) {
		p->desc_node[p->ndesc] = i;
		p->desc[p->ndesc++] = elem_desc(b, s, i);
		return 1;
	}
	const struct lf__plan *lp = &b->lp[i];
	uint64_t pbase = b->params->node[i].base;
	uint64_t x = s->host_assisted
			 ? s->hbase
			 : lf__mplan_arena_at(p, s, p->root[n->in[0]]);
	uint64_t y =
	    s->host_assisted ? 0 : lf__mplan_arena_at(p, s, p->root[n->out[0]]);
	if (blk_desc(b, i)) {
		lf_desc d = blk_conv(b, i, x, y);
		if (lf__mplan_fused_conv(b, i))
			lf__mplan_fuse_desc(b, s, i, &d);
		p->desc_node[p->ndesc] = i;
		p->desc[p->ndesc++] = d;
		return 1;
	}
	for (int t = 0; t < lp->ntiles; t++) {
		lf_desc d = lp->tiles[t].d;
		relocate(&d, lp, x, y, pbase, s->host_assisted);
		p->desc_node[p->ndesc] = i;
		p->desc[p->ndesc++] = d;
	}
	return (uint32_t)lp->ntiles;
}

static int blk_conv_at(const struct lf__mplan *p, uint32_t k)
{
	return p->desc[k].op == LF_KOP_CONV2D && (p->desc[k].flags & LF_DF_BLK);
}

/*
 * LF_DF_WPRE (hls/lf_desc.h "Next block ahead") on each blocked conv of
 * launch @l whose next descriptor is one too, where the kernels take it:
 * that one's first weight block then loads during this one's last band.
 */
static void wpre_flags(struct bld *b, const struct lf__mlaunch *l)
{
	struct lf__mplan *p = b->p;
	if (b->caps->blim.conv_wpre <= 0)
		return;
	for (uint32_t k = l->desc0; k + 1 < l->desc0 + l->ndesc; k++)
		if (blk_conv_at(p, k) && blk_conv_at(p, k + 1))
			p->desc[k].flags |= LF_DF_WPRE;
}

/* Segment @s's launches: one per run of nodes on the same kernel. */
static lf_status seg_launches(struct bld *b, struct lf__mseg *s)
{
	struct lf__mplan *p = b->p;
	s->launch = calloc((size_t)s->nnodes, sizeof(*s->launch));
	if (!s->launch)
		return nomem(b);
	s->launch0 = p->nlaunch;
	for (int j = 0; j < s->nnodes; j++) {
		int i = s->nodes[j];
		int k = launch_kernel(b->caps, &b->g->nodes[i]);
		struct lf__mlaunch *l =
		    s->nlaunch ? &s->launch[s->nlaunch - 1] : NULL;
		if (!l || l->kernel != k) {
			l = &s->launch[s->nlaunch++];
			l->kernel = k;
			l->desc0 = p->ndesc;
			l->first = j;
		}
		l->count++;
		l->ndesc += node_descs(b, s, i);
	}
	for (int j = 0; j < s->nlaunch; j++)
		wpre_flags(b, &s->launch[j]);
	p->nlaunch += s->nlaunch;
	return LF_OK;
}

lf_status lf__mplan_descriptors(struct bld *b)
{
	const struct lf__graph *g = b->g;
	struct lf__mplan *p = b->p;
	uint64_t nd = 0;
	for (size_t i = 0; i < g->nnodes; i++)
		if (b->seg_of[i] >= 0 && g->nodes[i].op != LF__GOP_QCONCAT &&
		    !p->node[i].fused)
			nd += g->nodes[i].op == LF__GOP_ONNX ||
				      blk_desc(b, (int)i)
				  ? 1
				  : (uint64_t)b->lp[i].ntiles;
	if (nd > UINT32_MAX / LF_DESC_BYTES)
		return lf__diag_fail(b->dg, LF_ERR_UNSUPPORTED,
				     "%llu descriptors are too many",
				     (unsigned long long)nd);
	p->desc = calloc(nd ? nd : 1, sizeof(lf_desc));
	p->desc_node = calloc(nd ? nd : 1, sizeof(int));
	if (!p->desc || !p->desc_node)
		return nomem(b);
	for (int si = 0; si < p->nsegs; si++) {
		struct lf__mseg *s = &p->seg[si];
		lf_status st = seg_launches(b, s);
		if (st != LF_OK)
			return st;
		if (s->host_assisted) {
			int i = s->nodes[0];
			s->hplan = b->lp[i];
			memset(&b->lp[i], 0, sizeof(b->lp[i]));
			lf__graph_layer(g, &g->nodes[i], p->shape, &s->hL);
		}
	}
	return LF_OK;
}

/* hls/lf_desc.h's encoding of [a, b) within n (an empty range: [n, n)). */
static uint32_t part_word(uint32_t a, uint32_t b, uint32_t n)
{
	if (a == b)
		a = b = n;
	return a + b * 65536u;
}

int lf__mplan_part(lf_desc *d, unsigned lane, unsigned k)
{
	int ew = d->op == LF_KOP_ADD || d->op == LF_KOP_MUL;
	if (!(d->flags & LF_DF_BLK) || d->n != 1 || k < 2 || lane >= k ||
	    (d->op != LF_KOP_CONV2D && d->op != LF_KOP_MAXPOOL &&
	     d->op != LF_KOP_AVGPOOL && !ew))
		return 0;
	uint32_t c = d->op == LF_KOP_CONV2D ? d->oc : d->ic;
	uint32_t rows = ew ? d->ih : d->oh;
	/* a fused max pool (LF_DF_POOL): rows of its output */
	uint32_t pk = d->pool_k;
	if (d->flags & LF_DF_POOL)
		rows = (d->oh + (pk >> 16 & 15) + (pk >> 24 & 15) - (pk & 15)) /
			   (pk >> 8 & 15) +
		       1;
	uint32_t blks = (c + LF_BLK_LANES - 1) / LF_BLK_LANES;
	if (rows > 65535 || blks > 65535)
		return 0;
	/* Rows while each lane gets at least 4 (its own row pack, and half
	 * the layer's input traffic on the act bank the lanes share); a
	 * small image in even block parts (each lane then loads a k-th of
	 * the weights, which dominate there: ResNet's 7x7 layer4). */
	int by_blk = (blks >= k && blks % k == 0 && rows < 4 * k) ||
		     (rows < k && blks >= k);
	uint32_t n = by_blk ? blks : rows;
	uint32_t a =
	    n >= k ? (uint32_t)((uint64_t)n * lane / k) : (lane ? n : 0);
	uint32_t b = n >= k ? (uint32_t)((uint64_t)n * (lane + 1) / k) : n;
	d->y_rows = by_blk ? 0 : part_word(a, b, rows);
	d->y_blks = by_blk ? part_word(a, b, blks) : 0;
	return 1;
}
