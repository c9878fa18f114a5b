/*
 * mplan_fuse.c - residual adds fused into their convs, a stage of a
 * model plan (model_plan_impl.h; hostlib/plan/README.md, "Fused adds").
 *
 * A QLinearAdd of two full-shape blocked tensors, one of them the output
 * of a blocked conv of the add's own segment that nothing else reads,
 * runs in that conv's store (hls/lf_desc.h "Fused add", LF_DF_ADD): the
 * conv's descriptor gets the add's other operand (the skip) at x2_off,
 * the add's quantization and output, and the add has no descriptor and
 * no cycles; the conv's own output is never stored. ResNet's blocks end
 * this way: conv3 (or conv2) + the identity, or + the downsample conv.
 * The skip must be in the arena when the conv runs: a segment input, or
 * made by a node before the conv (of the two convs of a downsampling
 * block, the later one takes the add). Decided once the segments and
 * their layouts are known (after the placed concats); the partition does
 * not change. A segment that fails on the device is re-run on the CPU
 * from its inputs, the conv and the add as the graph has them.
 *
 * A MaxPool whose input is made by a blocked conv of its segment that
 * nothing else reads runs in that conv's store the same way (lf_desc.h
 * "Fused max pool", LF_DF_POOL): the conv's descriptor gets the pool's
 * window and clamp and writes only the pooled output; the pool has no
 * descriptor (ResNet's stem: the 112 x 112 conv output is never stored
 * and read back). Only a window the kernel takes (kh <= 2 stride_h, kw
 * <= 4, dilation 1, pads below the kernel and the top one below the
 * stride, the floor-mode size: a ceil-mode pool whose size differs is
 * not fused), a conv row no wider than lfk_conv2d.blk_pool, and a line
 * buffer holding the input rows of kh conv rows (the kernel's bands are
 * whole windows: hls/lf_conv_blk.h blk_pool_rows); a conv that already
 * takes an add keeps its pool separate.
 */
#include "hostlib/plan/blk.h"
#include "hostlib/plan/model_plan_impl.h"

/* Node @i runs blocked in its segment (one LF_DF_BLK descriptor). */
static int blocked(const struct bld *b, int i)
{
	return i >= 0 && b->seg_of[i] >= 0 && b->p->seg[b->seg_of[i]].blk &&
	       b->bk[i] == BK_BLK;
}

/* Add @i's operand @v, made by a conv @c that can take the add (its
 * output read by this add only, stored as is); -1 if none. */
static int fusable_conv(const struct bld *b, int i, int v)
{
	const struct lf__mplan *p = b->p;
	int c = v >= 0 ? b->g->vals[v].producer : -1;
	if (c < 0 || b->g->nodes[c].op != LF__GOP_CONV || !blocked(b, c) ||
	    b->seg_of[c] != b->seg_of[i] || b->fuse[c] >= 0 ||
	    p->root[v] != v || b->g->nodes[c].out[0] != v || b->out_use[v] ||
	    p->cat[v] >= 0 || lf__mplan_readers(b, v) != 1)
		return -1;
	return c;
}

/* The conv that can take add node @i (the later of two), or -1. */
static int fuse_target(const struct bld *b, int i)
{
	const struct lf__mplan *p = b->p;
	const lf_desc *d = &b->pd[i];
	if (d->op != LF_KOP_ADD || !blocked(b, i) || b->ax[i] < 0 ||
	    b->ax2[i] < 0 ||
	    (d->flags &
	     (LF_DF_X2_SCALAR | LF_DF_X2_PER_CH | LF_DF_X2_PER_NC)) != 0)
		return -1;
	int best = -1;
	for (int k = 0; k < 2; k++) {
		int v = k ? b->ax2[i] : b->ax[i];
		int o = k ? b->ax[i] : b->ax2[i];
		int c = fusable_conv(b, i, v), ro = p->root[o];
		/* the skip: stored as is, written before the conv runs */
		if (c < 0 || p->cat[ro] >= 0 ||
		    lf__mplan_first_write(b, ro) >= c)
			continue;
		if (c > best)
			best = c;
	}
	return best;
}

/* The conv that can take max pool node @i into its store, or -1. */
static int pool_target(const struct bld *b, int i)
{
	const struct lf__mplan *p = b->p;
	const struct lf__blimits *bl = &b->caps->blim;
	const lf_desc *d = &b->pd[i];
	int out = b->g->nodes[i].out[0];
	if (bl->conv_pool <= 0 || d->op != LF_KOP_MAXPOOL || !blocked(b, i) ||
	    b->ax[i] < 0 || out < 0 || p->cat[p->root[out]] >= 0)
		return -1;
	int c = fusable_conv(b, i, b->ax[i]);
	if (c < 0)
		return -1;
	/* the window hls/lf_conv_blk.h takes (lf_desc.h "Fused max pool") */
	if (d->kh < 1 || d->kh > 2 * d->stride_h || d->kw < 1 || d->kw > 4 ||
	    d->stride_h > 15 || d->stride_w < 1 || d->stride_w > 15 ||
	    d->dil_h != 1 || d->dil_w != 1 || d->pad_t >= d->stride_h ||
	    d->pad_t >= d->kh || d->pad_b >= d->kh || d->pad_l >= d->kw ||
	    d->pad_r >= d->kw || d->ih + d->pad_t + d->pad_b < d->kh ||
	    d->iw + d->pad_l + d->pad_r < d->kw ||
	    (d->ih + d->pad_t + d->pad_b - d->kh) / d->stride_h + 1 != d->oh ||
	    (d->iw + d->pad_l + d->pad_r - d->kw) / d->stride_w + 1 != d->ow ||
	    (int64_t)d->iw > bl->conv_pool)
		return -1;
	/* the conv as the kernel computes it (folded: kh x 1 over rows of
	 * ow beats); its line buffer must hold the input rows of kh conv
	 * rows (a band is whole windows), in rows of lcb * iw beats (row
	 * packs are off with a pool) */
	struct lf__layer L, F;
	struct lf__blk_fold f;
	lf__graph_layer(b->g, &b->g->nodes[c], p->shape, &L);
	if (b->fold[c] && lf__blk_fold_layer(&L, &F, &f))
		L = F;
	if (L.oh != (int64_t)d->ih || L.ow != (int64_t)d->iw ||
	    (L.kh == 1 && L.kw == 1 && L.stride_h > 1)) /* compact: no */
		return -1;
	int64_t span = (int64_t)(L.kh - 1) * L.dil_h + 1;
	int64_t rows = (int64_t)(d->kh - 1) * L.stride_h + span;
	if (rows > L.ih)
		rows = L.ih;
	int64_t lcb = lf__blk_dw(&L) ? 1 : (int64_t)lf__blk_cb((uint64_t)L.ic);
	if (bl->conv_lbeats > 0 && rows * lcb * L.iw > bl->conv_lbeats)
		return -1;
	return c;
}

void lf__mplan_fuse_adds(struct bld *b)
{
	struct lf__mplan *p = b->p;
	for (size_t i = 0; i < b->g->nnodes; i++) {
		if (b->g->nodes[i].op != LF__GOP_ONNX || !b->chain[i])
			continue;
		int c =
		    b->caps->blim.conv_add > 0 ? fuse_target(b, (int)i) : -1;
		if (c < 0)
			c = pool_target(b, (int)i);
		if (c < 0)
			continue;
		b->fuse[c] = (int)i;
		b->fuse[i] = c;
		p->node[i].fused = 1;
		p->nfused++;
	}
}

int lf__mplan_fused_conv(const struct bld *b, int i)
{
	const struct lf__gnode *n = &b->g->nodes[i];
	return n->op == LF__GOP_CONV && b->fuse[i] >= 0;
}

void lf__mplan_fuse_desc(const struct bld *b, const struct lf__mseg *s, int c,
			 lf_desc *d)
{
	const struct lf__mplan *p = b->p;
	int i = b->fuse[c];
	const lf_desc *a = &b->pd[i];
	int v = b->g->nodes[c].out[0];
	d->y_off =
	    (uint32_t)lf__mplan_arena_at(p, s, p->root[b->g->nodes[i].out[0]]);
	if (a->op == LF_KOP_MAXPOOL) {
		/* lf_desc.h "Fused max pool": the window (4 bits each, checked
		 * by pool_target) and the pool's clamp */
		d->flags |= LF_DF_POOL;
		d->pool_k = a->kh | a->kw << 4 | a->stride_h << 8 |
			    a->stride_w << 12 | a->pad_t << 16 |
			    a->pad_l << 20 | a->pad_b << 24 | a->pad_r << 28;
		d->pool_clamp = ((uint32_t)a->act_min & 0xffffu) |
				(uint32_t)a->act_max << 16;
		return;
	}
	/* The conv's output is the add's x or its x2: the fused add's x
	 * is always the conv's output, x2 the other. */
	int at_x = b->ax[i] == v;
	int skip = at_x ? b->ax2[i] : b->ax[i];
	d->flags |= LF_DF_ADD;
	/* SWAP: x2 is ORT's outer operand; the add's x2 is the skip when
	 * the conv's output is its x, else the conv's output. */
	if (((a->flags & LF_DF_SWAP) != 0) == at_x)
		d->flags |= LF_DF_SWAP;
	d->x2_off = (uint32_t)lf__mplan_arena_at(p, s, p->root[skip]);
	d->x_scale = at_x ? a->x_scale : a->x2_scale;
	d->add_x_zp = at_x ? a->x_zp : a->x2_zp;
	d->x2_scale = at_x ? a->x2_scale : a->x_scale;
	d->x2_zp = at_x ? a->x2_zp : a->x_zp;
	d->y_scale = a->y_scale;
	d->add_y_zp = a->y_zp;
	d->add_min = a->act_min;
	d->add_max = a->act_max;
}
