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
 */
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

void lf__mplan_fuse_adds(struct bld *b)
{
	struct lf__mplan *p = b->p;
	if (b->caps->blim.conv_add <= 0)
		return;
	for (size_t i = 0; i < b->g->nnodes; i++) {
		if (b->g->nodes[i].op != LF__GOP_ONNX || !b->chain[i])
			continue;
		int c = fuse_target(b, (int)i);
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
	d->y_off =
	    (uint32_t)lf__mplan_arena_at(p, s, p->root[b->g->nodes[i].out[0]]);
	d->x_scale = at_x ? a->x_scale : a->x2_scale;
	d->add_x_zp = at_x ? a->x_zp : a->x2_zp;
	d->x2_scale = at_x ? a->x2_scale : a->x_scale;
	d->x2_zp = at_x ? a->x2_zp : a->x_zp;
	d->y_scale = a->y_scale;
	d->add_y_zp = a->y_zp;
	d->add_min = a->act_min;
	d->add_max = a->act_max;
}
