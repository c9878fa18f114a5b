/*
 * mplan_blk.c - the blocked-layout stage of a model plan
 * (model_plan_impl.h; hostlib/plan/README.md, "Blocked segments"): which
 * node can run with LF_DF_BLK (BK_*), where a would-be blocked segment
 * must end, which segments run blocked and which stem convs run folded;
 * the bytes each value takes in a segment's arena; and the conversion
 * of a segment's inputs and outputs at its border (lf__mseg_pack_up(),
 * lf__mseg_unpack_down(), called by hostlib/exec).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib/plan/blk.h"
#include "hostlib/plan/model_plan_impl.h"

/* The blocked conv's weight beats of one output channel, kh * kw * icb,
 * within lfk_conv2d.blk_wbeats; a depthwise conv's block takes one beat
 * per tap of the same buffer (64 * blk_wbeats beats; lf_conv_blk.h). */
int lf__mplan_blk_wbeats_fit(const struct lf__layer *L,
			     const struct lf__blimits *bl)
{
	uint64_t taps = (uint64_t)L->kh * (uint64_t)L->kw;
	if (bl->conv_wbeats <= 0)
		return 0;
	if (lf__blk_dw(L))
		return taps <= (uint64_t)bl->conv_wbeats * LF_BLK_LANES;
	return taps * lf__blk_cb((uint64_t)L->ic) <= (uint64_t)bl->conv_wbeats;
}

/* The n x c x h x w view of a value in the blocked layout: a 4-D tensor
 * as it is, a 2-D one (a matmul's rows) as rows x columns x 1 x 1 (the
 * view of a matmul run as a blocked 1x1 conv, plan/blk.h), anything else
 * (a per-channel or scalar add / mul operand) as 1 x count x 1 x 1. */
static void blk_view(const struct lf__gshape *s, uint64_t v[4])
{
	if (s->rank == 4) {
		for (int i = 0; i < 4; i++)
			v[i] = (uint64_t)s->d[i];
		return;
	}
	v[0] = v[2] = v[3] = 1;
	v[1] = lf__gshape_count(s);
	if (s->rank == 2) {
		v[0] = (uint64_t)s->d[0];
		v[1] = (uint64_t)s->d[1];
	}
}

/* Its bytes blocked; 0 when past what descriptor offsets reach. */
static uint64_t blk_size(const struct lf__gshape *s)
{
	uint64_t v[4], bytes;
	blk_view(s, v);
	if (lf__blk_bytes(v[0], v[1], v[2], v[3], &bytes) != LF_OK ||
	    bytes > UINT32_MAX)
		return 0;
	return bytes;
}

/* Blocked bytes are the row-major bytes: h == w == 1, c % 64 == 0. */
static int blk_rowmajor(const struct lf__gshape *s)
{
	uint64_t v[4];
	blk_view(s, v);
	return v[2] == 1 && v[3] == 1 && v[1] % LF_BLK_LANES == 0;
}

static int fits_dim(int64_t v, int64_t max)
{
	return max > 0 && v <= max;
}

/* Conv layer @L runs whole, in one LF_DF_BLK descriptor. */
static int blk_conv_fits(const struct bld *b, const struct lf__layer *Lp)
{
	const struct lf__mdevcaps *c = b->caps;
	const struct lf__klimits *lim = &c->lim[LF__MK_CONV];
	struct lf__layer L = *Lp;
	if (!(c->blk_ops & (1u << LF_KOP_CONV2D)))
		return 0;
	/* Depthwise only where the build says so (lfk_conv2d.blk_dw). */
	int dw = lf__blk_dw(&L);
	if ((L.groups != 1 && !(dw && c->blim.conv_dw > 0)) ||
	    L.y_type == LF_DTYPE_INT32 ||
	    !lf__mplan_blk_wbeats_fit(&L, &c->blim) ||
	    !fits_dim(L.iw, c->blim.conv_iw_max) ||
	    !fits_dim(L.ow, c->blim.conv_iw_max))
		return 0;
	/* The kernel's line buffer holds min(span_h, ih) rows of icb * iw
	 * beats (a depthwise layer's: one block's rows, iw beats), and its
	 * strides stop at blk_stride_max (hls/lf_conv_blk.h): a layer past
	 * either would be refused at run time (LF_KST_LIMIT) and its segment
	 * fall back to the CPU. */
	int64_t span_h = (int64_t)(L.kh - 1) * L.dil_h + 1;
	int64_t rows = span_h < L.ih ? span_h : L.ih;
	int64_t lcb = dw ? 1 : (int64_t)lf__blk_cb((uint64_t)L.ic);
	if (c->blim.conv_lbeats > 0 && rows * lcb * L.iw > c->blim.conv_lbeats)
		return 0;
	if (c->blim.conv_stride_max > 0 &&
	    (L.stride_h > c->blim.conv_stride_max ||
	     L.stride_w > c->blim.conv_stride_max))
		return 0;
	int64_t dims[7] = {L.n, L.ic, L.ih, L.iw, L.oc, L.oh, L.ow};
	for (int k = 0; k < 7; k++)
		if (!fits_dim(dims[k], lim->dim_max))
			return 0;
	return fits_dim(L.kh, lim->kdim_max) && fits_dim(L.kw, lim->kdim_max) &&
	       fits_dim(L.stride_h, lim->step_max) &&
	       fits_dim(L.stride_w, lim->step_max) &&
	       fits_dim(L.dil_h, lim->step_max) &&
	       fits_dim(L.dil_w, lim->step_max);
}

/* Conv node @i blocked as it is (1) or folded (2, at a segment's entry
 * only: blk_layout() decides), or not at all (0); both bits may be set. */
static int blk_conv_ok(const struct bld *b, size_t i)
{
	const struct lf__pnode *pn = &b->params->node[i];
	struct lf__layer L, F;
	struct lf__blk_fold f;
	lf__graph_layer(b->g, &b->g->nodes[i], b->p->shape, &L);
	int ok = pn->blk && blk_conv_fits(b, &L);
	if (pn->fold && lf__blk_fold_layer(&L, &F, &f) &&
	    (int64_t)f.xrb <= b->caps->blim.conv_xfold && blk_conv_fits(b, &F))
		ok |= 2;
	return ok;
}

/* Its blocked view is that of its storage (a view node, Flatten or
 * Reshape, may have changed it), and it has a blocked size. */
static int blk_same_view(const struct bld *b, int v)
{
	uint64_t v1[4], v2[4];
	const struct lf__gshape *vs = &b->p->shape[v];
	blk_view(vs, v1);
	blk_view(&b->p->shape[b->p->root[v]], v2);
	return blk_size(vs) && memcmp(v1, v2, sizeof(v1)) == 0;
}

/*
 * Matmul node @i runs as a blocked 1x1 conv (plan/blk.h): its constants
 * were packed so, its A and Y are 2-D (the conv's m x k x 1 x 1 and
 * m x cols x 1 x 1 views, blk_view()) and stored so (after a global
 * average pool, [N, C, 1, 1] flattened to [N, C]: the same blocked
 * bytes), and the conv fits the kernel's limits.
 */
static int blk_mm_ok(const struct bld *b, size_t i)
{
	const struct lf__gnode *n = &b->g->nodes[i];
	struct lf__layer L, C;
	if (!b->params->node[i].blk)
		return 0;
	lf__graph_layer(b->g, n, b->p->shape, &L);
	if (!lf__blk_mm_layer(&L, &C))
		return 0;
	int v[2] = {n->in[0], n->out[0]};
	for (int k = 0; k < 2; k++)
		if (b->p->shape[v[k]].rank != 2 || !blk_same_view(b, v[k]))
			return 0;
	return blk_conv_fits(b, &C);
}

/* BK_* of device node @i (classify() ran). */
int lf__mplan_blk_kind(const struct bld *b, size_t i)
{
	const struct lf__gnode *n = &b->g->nodes[i];
	const struct lf__mdevcaps *c = b->caps;
	if (!c->engine || !c->blk_ops || b->chain[i] != 1)
		return BK_NONE;
	if (n->op == LF__GOP_MATMUL)
		return blk_mm_ok(b, i) ? BK_BLK : BK_MM;
	/* A placed concat: its output blocked, written by its inputs'
	 * convs (mplan_concat.c). */
	if (n->op == LF__GOP_QCONCAT)
		return blk_same_view(b, n->out[0]) ? BK_BLK : BK_NONE;
	/* Each value it reads or writes in the blocked layout, whose view
	 * (the descriptor's) is that of its storage (a view node may have
	 * reshaped it). */
	int vals[3] = {b->ax[i], b->ax2[i], n->out[0]};
	for (int k = 0; k < 3; k++)
		if (vals[k] >= 0 && !blk_same_view(b, vals[k]))
			return BK_NONE;
	const struct lf__gshape *xs = &b->p->shape[b->ax[i]];
	if (n->op == LF__GOP_CONV)
		return xs->rank == 4 && blk_conv_ok(b, i) ? BK_BLK : BK_NONE;
	const lf_desc *d = &b->pd[i];
	if (!(c->blk_ops & (1u << d->op)))
		return BK_NONE;
	if (d->op == LF_KOP_MAXPOOL || d->op == LF_KOP_AVGPOOL)
		return xs->rank == 4 && fits_dim(d->iw, c->blim.pool_iw_max)
			   ? BK_BLK
			   : BK_NONE;
	/* add, mul: the full-shape operand (at x) 4-D, as its descriptor
	 * views it; a per-channel or scalar x2 has the blocked form of a
	 * 1 x c x 1 x 1 tensor, which is the descriptor's, a per-image
	 * one (LF_DF_X2_PER_NC) is 4-D: n x c x 1 x 1. */
	const struct lf__gshape *x2s = &b->p->shape[b->ax2[i]];
	return xs->rank == 4 &&
		       (x2s->rank == 4 ||
			(d->flags & (LF_DF_X2_PER_CH | LF_DF_X2_SCALAR)))
		   ? BK_BLK
		   : BK_NONE;
}

/* The producer of root @r is a node of kind @kind in segment @si. */
static int made_in(const struct bld *b, int r, int si, int kind)
{
	int px = b->g->vals[r].producer;
	return px >= 0 && b->seg_of[px] == si && b->bk[px] == kind;
}

/*
 * While segment @si could still be blocked: must node @i start a new
 * segment instead of joining it? A blocked node reading a matmul's
 * (row-major) output, or a matmul reading a blocked output that is not
 * row-major: the segment ends before it.
 */
int lf__mplan_blk_split(const struct bld *b, int si, size_t i)
{
	const struct lf__mseg *s = &b->p->seg[si];
	for (int j = 0; j < s->nnodes; j++)
		if (b->bk[s->nodes[j]] == BK_NONE)
			return 0;
	int in[2] = {b->ax[i], b->ax2[i]};
	for (int k = 0; k < 2; k++) {
		if (in[k] < 0)
			continue;
		int r = b->p->root[in[k]];
		if (b->bk[i] == BK_BLK && made_in(b, r, si, BK_MM))
			return 1;
		if (b->bk[i] == BK_MM && made_in(b, r, si, BK_BLK) &&
		    !blk_rowmajor(&b->p->shape[r]))
			return 1;
	}
	return 0;
}

/* Index of root @r in segment @s's up values, or -1. */
static int up_index(const struct lf__mseg *s, int r)
{
	for (int k = 0; k < s->nup; k++)
		if (s->up[k] == r)
			return k;
	return -1;
}

/* Is root @r blocked in segment @s's arena? */
static int is_blk(const struct lf__mplan *p, const struct lf__mseg *s, int r)
{
	if (!s->blk)
		return 0;
	int k = up_index(s, r);
	return k >= 0 ? s->up_blk[k] : p->blk[r];
}

/* Is it the folded input of a stem conv? */
static const struct lf__blk_fold *folded(const struct lf__mseg *s, int r)
{
	int k = s->blk && s->up_fold ? up_index(s, r) : -1;
	return k >= 0 && s->up_fold[k] ? &s->fold[k] : NULL;
}

/* Bytes of root @r in segment @s's arena. */
uint64_t lf__mplan_seg_bytes(const struct lf__mplan *p,
			     const struct lf__mseg *s, int r)
{
	const struct lf__blk_fold *f = folded(s, r);
	if (f)
		return lf__blk_fold_bytes(f);
	return is_blk(p, s, r) ? blk_size(&p->shape[r])
			       : lf__gshape_bytes(&p->shape[r]);
}

/* Read by node @i only, of the nodes of segment @s. */
static int only_reader(const struct bld *b, const struct lf__mseg *s, int r,
		       int i)
{
	for (int j = 0; j < s->nnodes; j++) {
		int o = s->nodes[j];
		if (o != i && ((b->ax[o] >= 0 && b->p->root[b->ax[o]] == r) ||
			       (b->ax2[o] >= 0 && b->p->root[b->ax2[o]] == r)))
			return 0;
	}
	return 1;
}

/*
 * The convs of segment @s: each blocked as it is, or folded when it can
 * (blk_conv_ok() bit 2) and its input enters the segment with no other
 * reader in it. Return: 0 when a conv can be neither.
 */
static int blk_convs(struct bld *b, struct lf__mseg *s)
{
	for (int j = 0; j < s->nnodes; j++) {
		int i = s->nodes[j];
		if (b->bk[i] != BK_BLK || b->g->nodes[i].op != LF__GOP_CONV)
			continue;
		int ok = blk_conv_ok(b, (size_t)i), r = b->p->root[b->ax[i]];
		int k = up_index(s, r);
		b->fold[i] = (ok & 2) && k >= 0 && only_reader(b, s, r, i);
		if (!b->fold[i] && !(ok & 1))
			return 0;
		if (!b->fold[i])
			continue;
		struct lf__layer L, F;
		lf__graph_layer(b->g, &b->g->nodes[i], b->p->shape, &L);
		lf__blk_fold_layer(&L, &F, &s->fold[k]);
		s->up_fold[k] = 1;
	}
	return 1;
}

/* The zero point of the value node @i reads at x (@x2: at x2), for the
 * pad lanes of its blocked upload. */
static uint8_t pad_of(const struct bld *b, int i, int x2)
{
	if (b->g->nodes[i].lin) /* conv, matmul */
		return (uint8_t)b->g->nodes[i].lin->x_zp;
	return (uint8_t)(x2 ? b->pd[i].x2_zp : b->pd[i].x_zp);
}

/* Segment @si blocked: the layout of each value it touches, and whether
 * every node reads its inputs in the layout it needs. */
static int blk_layout(struct bld *b, int si)
{
	const struct lf__graph *g = b->g;
	struct lf__mplan *p = b->p;
	struct lf__mseg *s = &p->seg[si];
	int nblk = 0;
	for (int j = 0; j < s->nnodes; j++) {
		int i = s->nodes[j];
		if (b->bk[i] == BK_NONE)
			return 0;
		nblk += b->bk[i] == BK_BLK;
		p->blk[p->root[g->nodes[i].out[0]]] = b->bk[i] == BK_BLK;
	}
	for (int j = 0; j < s->nnodes; j++) {
		int i = s->nodes[j];
		if (b->bk[i] != BK_BLK)
			continue;
		int in[2] = {b->ax[i], b->ax2[i]};
		for (int k = 0; k < s->nup; k++)
			for (int t = 0; t < 2; t++)
				if (in[t] >= 0 && p->root[in[t]] == s->up[k] &&
				    !s->up_blk[k]) {
					s->up_blk[k] = 1;
					s->up_pad[k] = pad_of(b, i, t);
				}
	}
	s->blk = 1;
	if (!blk_convs(b, s))
		return 0;
	for (int j = 0; j < s->nnodes; j++) {
		int i = s->nodes[j];
		int in[2] = {b->ax[i], b->ax2[i]};
		for (int t = 0; t < 2; t++) {
			if (in[t] < 0)
				continue;
			int r = p->root[in[t]], blk = is_blk(p, s, r);
			if (b->bk[i] == BK_BLK
				? !blk
				: blk && !blk_rowmajor(&p->shape[r]))
				return 0;
		}
	}
	return nblk > 0;
}

/* Which segments run blocked (lf__mseg.blk). */
lf_status lf__mplan_blk_segments(struct bld *b)
{
	struct lf__mplan *p = b->p;
	for (int si = 0; si < p->nsegs; si++) {
		struct lf__mseg *s = &p->seg[si];
		if (s->host_assisted || !b->caps->blk_ops)
			continue;
		s->up_blk = calloc((size_t)s->nup + 1, 1);
		s->up_pad = calloc((size_t)s->nup + 1, 1);
		s->up_fold = calloc((size_t)s->nup + 1, 1);
		s->fold = calloc((size_t)s->nup + 1, sizeof(*s->fold));
		if (!s->up_blk || !s->up_pad || !s->up_fold || !s->fold)
			return nomem(b);
		if (blk_layout(b, si)) {
			p->nblk++;
			for (int k = 0; k < s->nup; k++)
				p->nfold += s->up_fold[k];
			for (int j = 0; j < s->nnodes; j++)
				p->node[s->nodes[j]].folded =
				    b->fold[s->nodes[j]];
			continue;
		}
		s->blk = 0;
		memset(s->up_blk, 0, (size_t)s->nup);
		memset(s->up_fold, 0, (size_t)s->nup);
		for (int j = 0; j < s->nnodes; j++) {
			int i = s->nodes[j];
			b->fold[i] = 0;
			p->blk[p->root[b->g->nodes[i].out[0]]] = 0;
		}
	}
	return LF_OK;
}

/*
 * A matmul's output table (LF_DF_LUT) is a conv descriptor's: on the
 * device only as a blocked 1x1 conv, in a segment that runs blocked. One
 * check after partitioning covers both ways to miss it: the node has no
 * blocked form (not BK_BLK), or its segment runs NCHW because another
 * node of it cannot be blocked (MobileNetV3-Small's classifier under the
 * default build's limits), where its descriptor would be refused
 * (LF_KST_BAD_OP).
 */
int lf__mplan_lut_settle(struct bld *b)
{
	int demoted = 0;
	for (size_t i = 0; i < b->g->nnodes; i++) {
		const struct lf__gnode *n = &b->g->nodes[i];
		int si = b->seg_of[i];
		if (n->op != LF__GOP_MATMUL || !n->lin->lut || !b->chain[i] ||
		    (b->bk[i] == BK_BLK && si >= 0 && b->p->seg[si].blk))
			continue;
		lf__plan_free(&b->lp[i]);
		b->chain[i] = 0;
		b->bk[i] = BK_NONE;
		snprintf(b->p->node[i].why, sizeof(b->p->node[i].why),
			 "output table: a matmul takes it only as a blocked "
			 "1x1 conv");
		demoted++;
	}
	return demoted;
}

void lf__mseg_pack_up(const struct lf__mplan *p, const struct lf__mseg *s,
		      void *const *ptr, uint8_t *arena)
{
	for (int k = 0; k < s->nup; k++) {
		int v = s->up[k];
		uint64_t d[4];
		if (folded(s, v)) {
			lf__blk_fold_x(&s->fold[k], ptr[v], arena + s->up_at[k],
				       s->up_pad[k]);
			continue;
		}
		if (!is_blk(p, s, v)) {
			memcpy(arena + s->up_at[k], ptr[v],
			       lf__gshape_bytes(&p->shape[v]));
			continue;
		}
		blk_view(&p->shape[v], d);
		lf__blk_from_nchw(ptr[v], arena + s->up_at[k], d[0], d[1], d[2],
				  d[3], s->up_pad[k]);
	}
}

void lf__mseg_unpack_down(const struct lf__mplan *p, const struct lf__mseg *s,
			  const uint8_t *arena, void *const *ptr)
{
	for (int k = 0; k < s->ndown; k++) {
		int v = s->down[k];
		uint64_t d[4];
		if (!is_blk(p, s, v)) {
			memcpy(ptr[v], arena + s->down_at[k],
			       lf__gshape_bytes(&p->shape[v]));
			continue;
		}
		blk_view(&p->shape[v], d);
		lf__blk_to_nchw(arena + s->down_at[k], ptr[v], d[0], d[1], d[2],
				d[3]);
	}
}
